#!/usr/bin/env bash
# Builds the JavaScript package: cargo for wasm32-unknown-unknown, then wasm-bindgen-cli at the
# version Cargo.lock pins. Installs the target and the CLI when missing.
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
# The full build asks for the core's `legacy` feature once the core has it (before that the
# core always carries legacy support and --jwt-only builds the same full package).
if [ -z "${jwt_only:-}" ] && grep -Eq '^[[:space:]]*legacy[[:space:]]*=' ../../Cargo.toml; then
    features=(--features beaker-session-jwt/legacy)
fi

rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)"
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $version"; then
    # Not --locked: the CLI's lockfile pins a webpki-roots release the registry here lacks.
    cargo install wasm-bindgen-cli --version "$version"
fi
cargo build --locked --release --target wasm32-unknown-unknown ${features[@]+"${features[@]}"}
wasm-bindgen --target "$js_target" --out-dir "$out_dir" --remove-name-section --remove-producers-section \
    "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/beaker_session_wasm.wasm"
echo "built $out_dir ($(stat -c %s "$out_dir/beaker_session_wasm_bg.wasm") bytes of wasm)"
