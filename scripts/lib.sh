# Shared by scripts/run and scripts/test: install what is missing, nothing more.
# Sourced, not run. Works on a fresh Debian machine with rustup, Node and apt.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/smartai/target}"
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
CARGO_LEPTOS_VERSION="0.3.10"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=""
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt: installing ${missing[*]}"
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Cargo names the artifacts of path crates by their path inside the workspace, not by the
# checkout's location, and judges them fresh by the files the last build read. When two checkouts
# share one target dir, a build could thus reuse crates compiled from the other checkout's
# sources. Rebuild this workspace's own crates (not the dependencies) when the checkout changes.
forget_other_checkouts() {
  local marker="$CARGO_TARGET_DIR/.checkout"
  [ "$(cat "$marker" 2>/dev/null)" = "$ROOT" ] && return 0
  log "cargo: target dir last used by another checkout; rebuilding this workspace's crates"
  local crates=(-p domain -p migration -p app -p server -p frontend)
  (cd "$ROOT" && {
    cargo clean -q "${crates[@]}" 2>/dev/null || true
    cargo clean -q --release "${crates[@]}" 2>/dev/null || true
    cargo clean -q --target-dir "$CARGO_TARGET_DIR/front" --target wasm32-unknown-unknown -p app -p frontend 2>/dev/null || true
    cargo clean -q --target-dir "$CARGO_TARGET_DIR/front" --target wasm32-unknown-unknown --profile wasm-release -p app -p frontend 2>/dev/null || true
  })
  echo "$ROOT" > "$marker"
}

# Every rate limit off: a benchmark or a scripted check drives the app from one client address,
# far past any of them.
RATE_LIMITS_OFF=(RATE_LIMIT_PAGES_IP=off RATE_LIMIT_PAGES_USER=off RATE_LIMIT_RPC_IP=off RATE_LIMIT_RPC_USER=off
  RATE_LIMIT_AUTH_IP=off RATE_LIMIT_AUTH_USER=off RATE_LIMIT_API_IP=off RATE_LIMIT_API_USER=off)

# stop PID...: SIGTERM, as an orchestrator sends it, then up to 45 s (the default readiness delay
# and shutdown timeout, and a margin) for each process to exit. One still running then is named
# and killed: a shutdown that hangs is a finding to report, not a benchmark that never ends.
stop() {
  local pid deadline=$((SECONDS + 45))
  kill "$@" 2>/dev/null || true
  for pid in "$@"; do
    while running "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    if running "$pid"; then
      log "SHUTDOWN HUNG: process $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)) still ran 45 s after SIGTERM; killed"
      kill -9 "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
}

# running PID: the process exists and has not exited (an exited child stays a zombie until waited for).
running() {
  local state
  state="$(awk '$1 == "State:" { print $2 }' "/proc/$1/status" 2>/dev/null)" && [ -n "$state" ] && [ "$state" != Z ]
}

# end2end/'s packages (Playwright, the OpenID Connect provider, Lighthouse): installed again only
# when the lock file changed.
ensure_end2end_packages() {
  (cd "$ROOT/end2end" && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] ||
    npm ci --no-audit --no-fund --loglevel=error; })
}

ensure_build_tools() {
  mkdir -p "$CARGO_TARGET_DIR" 2>/dev/null || as_root install -d -o "$(id -u)" "$CARGO_TARGET_DIR"
  forget_other_checkouts
  apt_install build-essential pkg-config libssl-dev

  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "rustup: adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi

  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    log "cargo: installing cargo-leptos $CARGO_LEPTOS_VERSION (about 20 minutes on 2 cores, once)"
    cargo install "cargo-leptos@$CARGO_LEPTOS_VERSION" --locked --features no_downloads
  fi

  # cargo-leptos uses whatever wasm-bindgen is on PATH; it must match Cargo.lock exactly.
  local wbg
  wbg="$(grep -A1 '^name = "wasm-bindgen"$' "$ROOT/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p')"
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $wbg\$"; then
    log "cargo: installing wasm-bindgen-cli $wbg (about 8 minutes, once)"
    # Without --locked: its lockfile pins a crate the registry no longer serves.
    cargo install wasm-bindgen-cli --version "$wbg" --force
  fi

  # sass (style/) and wasm-opt (release wasm) come from npm; reinstall only when the lockfile changed.
  local stamp="$ROOT/node_modules/.package-lock.sha"
  local want
  want="$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log "npm: installing the build tools (sass, binaryen)"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
  fi
}

# The release binary with its front end embedded. cargo-leptos compiles the server while it is
# still writing the wasm, so the server may embed a half-written site; a second plain cargo build
# (same variables as cargo-leptos, so nothing else recompiles) re-embeds it when it changed.
build_release() {
  (cd "$ROOT" && cargo leptos build --release)
  (cd "$ROOT" && env LEPTOS_OUTPUT_NAME=smartai LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_HASH_FILES=false LEPTOS_JS_MINIFY=true LEPTOS_LIB_DIR=frontend LEPTOS_BIN_DIR=server \
    LEPTOS_RELOAD_PORT=3001 LEPTOS_SITE_ADDR=127.0.0.1:3000 \
    cargo build --package=server --bin=smartai --no-default-features --release)
}

# An S3 server over a folder (checks SigV4 signatures, multipart, conditional puts); a bucket is a
# subfolder. The storage contract tests run against it as well as against the local folder.
export TEST_S3_ENDPOINT="${TEST_S3_ENDPOINT:-http://127.0.0.1:9000}"
export TEST_S3_BUCKET="${TEST_S3_BUCKET:-smartai-test}"
export TEST_S3_ACCESS_KEY_ID="${TEST_S3_ACCESS_KEY_ID:-smartai}"
export TEST_S3_SECRET_ACCESS_KEY="${TEST_S3_SECRET_ACCESS_KEY:-smartai-secret}"
ensure_s3() {
  if curl -s -o /dev/null "$TEST_S3_ENDPOINT/"; then return 0; fi
  if ! command -v s3s-fs >/dev/null; then
    log "cargo: installing s3s-fs 0.14.1 (a few minutes, once)"
    cargo install s3s-fs@0.14.1 --features binary --locked
  fi
  local root
  root="$(dirname "$CARGO_TARGET_DIR")/s3"
  mkdir -p "$root/$TEST_S3_BUCKET"
  log "s3: starting s3s-fs over $root"
  # From /, not the checkout: it outlives this run, and s3s-fs resolves every object path against
  # its working directory, so a deleted checkout would break it for every later run.
  (cd / && nohup s3s-fs --host 127.0.0.1 --port 9000 --access-key "$TEST_S3_ACCESS_KEY_ID" \
    --secret-key "$TEST_S3_SECRET_ACCESS_KEY" "$root" >"$root.log" 2>&1 &)
  for _ in $(seq 1 50); do curl -s -o /dev/null "$TEST_S3_ENDPOINT/" && return 0; sleep 0.2; done
  cat "$root.log" >&2
  return 1
}
