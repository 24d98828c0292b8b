#!/usr/bin/env bash
# Installs what the wasm package's test needs on a fresh machine (the wasm32 target,
# the wasm-bindgen CLI at the pinned version, a venv with beaker-session-jwt 1.0.4 unless
# BEAKER_INTEROP_PYTHON names a python that has it), builds the package and runs the Node test.
# Exits non-zero on any failure.  bash bindings/wasm/run-tests.sh [--jwt-only]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
bash "$here/build.sh" "$@" --target nodejs --out-dir "$here/pkg"

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
export BEAKER_WASM_PKG="$here/pkg"
node --test "$here/tests/"
