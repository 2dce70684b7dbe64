//! `smartai keys`: a new key for SECRET_KEYS, and re-sealing what is stored under the newest key.

use std::fmt;

use anyhow::Context;
use domain::{Actor, key_rotation::Rotation, keys::Keyring};

use super::Lines;
use crate::{cli::KeysAction, startup::open_services};

pub(super) async fn run(config: &domain::config::Config, action: KeysAction) -> anyhow::Result<()> {
    match action {
        KeysAction::Generate => {
            println!("{}", Keyring::generate_line());
            eprintln!(
                "put it first in SECRET_KEYS (comma-separated, newest first), keep the older keys after it, \
                       restart, then run `smartai keys rotate`"
            );
            Ok(())
        }
        KeysAction::Rotate => {
            let services = open_services(config).await?;
            let result = services.keys.rotate(&Actor::System).await;
            let keyring = services.keys.keyring().clone();
            services.close().await;
            let rotation = result.context("keys rotate")?;
            println!("{}", Rotated { keyring: &keyring, rotation: &rotation });
            Ok(())
        }
    }
}

/// What `keys rotate` did, and which keys SECRET_KEYS must still hold.
struct Rotated<'a> {
    keyring: &'a Keyring,
    rotation: &'a Rotation,
}

impl fmt::Display for Rotated<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (rotation, mut out) = (self.rotation, Lines::new(f));
        let (newest, upgrade) = (self.keyring.newest(), &rotation.upgrade);
        out.line(format_args!(
            "newest key {newest}: {} TOTP secrets re-sealed ({} of them were in clear), {} recovery codes keyed \
             that were plain SHA-256{}",
            rotation.resealed_totp_secrets + upgrade.sealed_totp_secrets,
            upgrade.sealed_totp_secrets,
            upgrade.rehashed_recovery_codes,
            upgrade.audit_anchor.map(|seq| format!(", audit log anchored at event {seq}")).unwrap_or_default(),
        ))?;
        for (id, used) in &rotation.in_use {
            let keep = if id.as_str() == newest.as_ref() { "" } else { ": keep it in SECRET_KEYS" };
            out.line(format_args!(
                "key {id}: {} TOTP secrets, {} recovery codes, {} audit events{keep}",
                used.totp_secrets, used.recovery_codes, used.audit_events
            ))?;
        }
        for id in self.keyring.ids().skip(1).filter(|id| !rotation.in_use.contains_key(id.as_ref())) {
            out.line(format_args!("key {id}: nothing stored needs it any more; it may leave SECRET_KEYS"))?;
        }
        Ok(())
    }
}
