#!/usr/bin/env bash
# The shared-session browser test, from a fresh Debian machine: installs what it needs (Debian's
# chromium, node's playwright-core from package-lock.json, a venv with requirements.txt, the axum
# app), then runs browser_test.mjs. Idempotent: each install is skipped when already done, so a
# second run only pays for the test itself.
#
#   bash examples/shared-session/run-browser-test.sh
#
# Environment: CARGO_TARGET_DIR (where cargo builds and the venv goes; default <repo>/target),
# CHROMIUM (default /usr/bin/chromium), SHARED_SESSION_TIMEOUT (seconds for the whole test run,
# default 900). No browser is downloaded: playwright-core drives the system chromium.
set -euo pipefail
cd "$(dirname "$0")"
HERE="$(pwd)"
REPO="$(cd ../.. && pwd)"
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

say() { printf '[shared-session] %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    say "missing: $* (and no apt-get here): install it and run again" >&2
    exit 1
  fi
  if [ -z "$APT_UPDATED" ]; then
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  say "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# 1. The browser: Debian's chromium package (playwright-core needs no download with it).
if [ ! -x "$CHROMIUM" ]; then
  apt_install chromium
fi
say "browser: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"

# 2. Node (18+ for node:test) and playwright-core at the version package-lock.json pins.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)'; then
  say "node $(node --version) is too old: the test needs node 18 or newer" >&2
  exit 1
fi
LOCK_SUM="$(sha256sum package-lock.json | cut -c1-64)"
if [ "$(cat node_modules/.shared-session-lock 2>/dev/null || true)" != "$LOCK_SUM" ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$LOCK_SUM" > node_modules/.shared-session-lock
fi

# 3. The Python app's venv: requirements.txt, once per (requirements, interpreter); the same
#    path browser_test.mjs would build on its own.
if ! command -v python3 >/dev/null 2>&1; then
  apt_install python3 python3-venv
fi
VENV_HASH="$({ cat requirements.txt; python3 -c 'import sys; print(sys.version)'; } | sha256sum | cut -c1-16)"
VENV="$TARGET/shared-session-venv/$VENV_HASH"
if [ ! -f "$VENV/.complete" ]; then
  say "building the Python venv in $VENV"
  rm -rf "$VENV"
  if ! python3 -m venv "$VENV" >/dev/null 2>&1; then
    rm -rf "$VENV"
    apt_install python3-venv
    python3 -m venv "$VENV"
  fi
  "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input --quiet -r requirements.txt
  "$VENV/bin/python" -c 'import beaker, beaker_session_jwt, bson, joserfc'
  touch "$VENV/.complete"
fi
export SHARED_SESSION_PYTHON="$VENV/bin/python"

# 4. The axum app.
say "cargo build -p shared-session"
(cd "$REPO" && cargo build --quiet -p shared-session --bin shared-session)
export SHARED_SESSION_BIN="$TARGET/debug/shared-session"

# 5. The test (bounded; it also kills its own servers on every exit path).
say "node --test browser_test.mjs"
exec timeout --kill-after=10 "${SHARED_SESSION_TIMEOUT:-900}" \
  node --test --test-reporter=spec "$HERE/browser_test.mjs"
