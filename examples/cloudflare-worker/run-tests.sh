#!/usr/bin/env bash
# Installs what the worker test needs on a fresh machine (npm packages: miniflare 3 and the
# workerd binary it ships; the wasm32 target and the pinned wasm-bindgen CLI; a venv with
# beaker-session-jwt 1.0.4 unless BEAKER_INTEROP_PYTHON is set), builds the wasm package for
# the worker and runs the worker in the local Workers runtime (node --test).
#   bash examples/cloudflare-worker/run-tests.sh [--jwt-only]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/../../bindings/wasm/target}"
bash build.sh "$@"
[ -x node_modules/.bin/workerd ] || npm ci --no-audit --no-fund
if [ -z "${BEAKER_INTEROP_PYTHON:-}" ]; then
    req="$here/../../tests/python/requirements.txt"
    venv="$CARGO_TARGET_DIR/wasm-interop-venv/$(cat "$req" <(python3 --version) | sha256sum | cut -c1-16)"
    if [ ! -e "$venv/.complete" ]; then
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
        touch "$venv/.complete"
    fi
    export BEAKER_INTEROP_PYTHON="$venv/bin/python"
fi
node --test test/
