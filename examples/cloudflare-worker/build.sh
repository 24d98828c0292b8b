#!/usr/bin/env bash
# Builds the wasm package for the worker (bindings/wasm, wasm-bindgen --target web) into ./pkg.
#   bash examples/cloudflare-worker/build.sh [--jwt-only]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/../../bindings/wasm/build.sh" "$@" --target web --out-dir "$here/pkg"
