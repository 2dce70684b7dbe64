"""Checkov policies for compose.yaml, which checkov has no framework for (scripts/check-deploy
loads this folder with --external-checks-dir and scans the file `docker-compose config` resolved).
scripts/check-compose checks the file's own rules (health checks, limits, networks); these are the
security ones."""

from __future__ import annotations

import re
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.yaml_doc.base_yaml_check import BaseYamlCheck
from checkov.yaml_doc.enums import BlockType


class ComposeServiceCheck(BaseYamlCheck):
    """Runs once per service of the `services:` mapping."""

    def __init__(self, name: str, id: str) -> None:
        super().__init__(
            name=name,
            id=id,
            categories=(CheckCategories.GENERAL_SECURITY,),
            supported_entities=("services",),
            block_type=BlockType.ARRAY,
        )

    def scan_entity_conf(self, conf: dict[str, Any], entity_type: str) -> CheckResult:  # type: ignore[override]
        if not isinstance(conf, dict) or not ("image" in conf or "build" in conf):
            return CheckResult.UNKNOWN
        return CheckResult.PASSED if self.ok(conf) else CheckResult.FAILED

    def ok(self, service: dict[str, Any]) -> bool:
        raise NotImplementedError


class NotPrivileged(ComposeServiceCheck):
    def __init__(self) -> None:
        super().__init__("Compose services are not privileged and share no host namespace", "CKV_SMARTAI_COMPOSE_1")

    def ok(self, service: dict[str, Any]) -> bool:
        return (
            service.get("privileged") is not True
            and not any(service.get(ns) == "host" for ns in ("network_mode", "pid", "ipc", "userns_mode"))
            and not any(str(cap).upper() in {"ALL", "SYS_ADMIN", "NET_ADMIN"} for cap in service.get("cap_add") or [])
        )


class PinnedImage(ComposeServiceCheck):
    def __init__(self) -> None:
        super().__init__("Compose images have a tag that is not `latest`", "CKV_SMARTAI_COMPOSE_2")

    def ok(self, service: dict[str, Any]) -> bool:
        image = str(service.get("image", ""))
        if not image:
            return "build" in service
        if "@sha256:" in image:
            return True
        name, _, tag = image.rpartition(":")
        return bool(name) and "/" not in tag and tag != "latest"


class LoopbackPorts(ComposeServiceCheck):
    def __init__(self) -> None:
        super().__init__("Compose ports are published on this machine only (127.0.0.1)", "CKV_SMARTAI_COMPOSE_3")

    def ok(self, service: dict[str, Any]) -> bool:
        for port in service.get("ports") or []:
            host_ip = port.get("host_ip") if isinstance(port, dict) else None
            if isinstance(port, str):
                match = re.match(r"^(\d+\.\d+\.\d+\.\d+):", port)
                host_ip = match.group(1) if match else None
            if host_ip != "127.0.0.1":
                return False
        return True


class HardenedAppContainers(ComposeServiceCheck):
    def __init__(self) -> None:
        super().__init__(
            "Compose services built from this repository run read-only, without new privileges",
            "CKV_SMARTAI_COMPOSE_4",
        )

    def ok(self, service: dict[str, Any]) -> bool:
        if "build" not in service:
            return True
        return service.get("read_only") is True and "no-new-privileges:true" in (service.get("security_opt") or [])


NotPrivileged()
PinnedImage()
LoopbackPorts()
HardenedAppContainers()
