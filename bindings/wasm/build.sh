#!/usr/bin/env bash
# Builds the JavaScript package: cargo for wasm32-unknown-unknown, then the wasm-bindgen CLI at the
# version Cargo.lock pins (built from bindgen-cli/). Installs the target when missing.
#   bash bindings/wasm/build.sh [--jwt-only] [--target nodejs|web|bundler] [--out-dir DIR]
# Default: the full build (legacy cookies too), --target nodejs, --out-dir bindings/wasm/pkg.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
features=()
js_target=nodejs
out_dir="$here/pkg"
while [ $# -gt 0 ]; do
    case "$1" in
        --jwt-only) jwt_only=1 ;;
        --target) js_target="$2"; shift ;;
        --out-dir) out_dir="$2"; shift ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
# The full build adds the core's `legacy` feature (legacy cookies); --jwt-only builds without it.
if [ -z "${jwt_only:-}" ]; then
    features=(--features beaker-session-jwt/legacy)
fi

rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
# The CLI is built from bindgen-cli/ (its Cargo.lock pins it and every dependency) into the
# target dir, where cargo keeps it; it must be the version of the `wasm-bindgen` crate here.
locked() { awk -v n="$1" '$0 == "name = \"" n "\"" { getline; gsub(/"/, "", $3); print $3 }' "$2"; }
version="$(locked wasm-bindgen Cargo.lock)"
cli_version="$(locked wasm-bindgen-cli bindgen-cli/Cargo.lock)"
if [ -z "$version" ] || [ "$version" != "$cli_version" ]; then
    echo "wasm-bindgen ${version:-?} in Cargo.lock, but bindgen-cli/Cargo.lock pins the CLI at ${cli_version:-?}" >&2
    exit 1
fi
cargo build --locked --quiet --manifest-path bindgen-cli/Cargo.toml --target-dir "$CARGO_TARGET_DIR/wasm-bindgen-cli"
wasm_bindgen="$CARGO_TARGET_DIR/wasm-bindgen-cli/debug/wasm-bindgen"
cargo build --locked --release --target wasm32-unknown-unknown ${features[@]+"${features[@]}"}
"$wasm_bindgen" --target "$js_target" --out-dir "$out_dir" --remove-name-section --remove-producers-section \
    "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/beaker_session_wasm.wasm"
echo "built $out_dir ($(stat -c %s "$out_dir/beaker_session_wasm_bg.wasm") bytes of wasm)"
