#!/usr/bin/env bash
# Builds every size variant (decode-only / decode+encode x full / JWT-only x wasm32 std /
# wasm32 no_std / thumbv7em), prints their sizes in bytes, and fails when one is more than 10 %
# over size/budget.txt. Each wasm module is also shrunk with binaryen's `wasm-opt -Oz` (the step
# wasm-pack runs on a release build), printed beside the rustc figure but not budgeted.
#   bash size/check.sh            check against the budget
#   bash size/check.sh --update   rewrite size/budget.txt with the figures just measured
# wasm32: bytes of the stripped .wasm file (each one is also run once in Node on the sample
# cookie, before and after wasm-opt); wasm32-min: the same with feature `minimal`. thumbv7em: flash bytes of the stripped ELF (every
# allocated PROGBITS section: vector table, .text, .rodata, .data's load image; elf_flash.py).
# The full build is `--features beaker-session-jwt/legacy`, the JWT-only one the core with
# `default-features = false` alone; until the core has a `legacy` feature every build is full
# and the JWT-only rows say "pending".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
update=0
[ "${1:-}" = "--update" ] && update=1

for t in wasm32-unknown-unknown thumbv7em-none-eabihf; do
    rustup target list --installed | grep -qx "$t" || rustup target add "$t"
done

has_legacy=0
grep -Eq '^[[:space:]]*legacy[[:space:]]*=' ../Cargo.toml && has_legacy=1

# binaryen's wasm-opt, pinned, from npm (installed once into the target folder).
BINARYEN_VERSION=132.0.0
binaryen="$CARGO_TARGET_DIR/binaryen-$BINARYEN_VERSION"
if [ ! -x "$binaryen/node_modules/binaryen/bin/wasm-opt" ]; then
    mkdir -p "$binaryen"
    npm install --silent --no-audit --no-fund --prefix "$binaryen" "binaryen@$BINARYEN_VERSION" >/dev/null
fi
wasm_opt() { # in out
    node "$binaryen/node_modules/binaryen/bin/wasm-opt" -Oz --enable-bulk-memory --enable-sign-ext \
        --enable-nontrapping-float-to-int --enable-mutable-globals --enable-multivalue \
        --enable-reference-types "$1" -o "$2"
}

declare -A size opt
wasm() { # row feature-args...
    local row="$1"; shift
    local f="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/beaker_session_size.wasm"
    local o="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/opt.wasm"
    cargo build --quiet --locked --release --target wasm32-unknown-unknown --lib "$@"
    size["$row"]=$(stat -c %s "$f")
    wasm_opt "$f" "$o"
    opt["$row"]=$(stat -c %s "$o")
    for m in "$f" "$o"; do
        node "$here/run_wasm.mjs" "$m" > /dev/null || { echo "$row: the wasm fixture $m did not decode the sample cookie" >&2; exit 1; }
    done
}
measure() { # variant-name core-feature-args... ; builds both ops on both targets
    local name="$1"; shift
    local op feats f
    for op in decode roundtrip; do
        feats=("$@")
        [ "$op" = roundtrip ] && feats+=(--features encode)
        wasm "$name-$op wasm32" "${feats[@]}"
        wasm "$name-$op wasm32-min" "${feats[@]}" --features minimal
        cargo build --quiet --locked --release --target thumbv7em-none-eabihf --bin mcu "${feats[@]}"
        f="$CARGO_TARGET_DIR/thumbv7em-none-eabihf/release/mcu"
        size["$name-$op thumbv7em"]=$(python3 "$here/elf_flash.py" "$f")
    done
}

if [ $has_legacy = 1 ]; then
    measure full --features beaker-session-jwt/legacy
    measure jwt
else
    measure full
fi

rows=(
    "full-decode wasm32" "full-roundtrip wasm32" "jwt-decode wasm32" "jwt-roundtrip wasm32"
    "full-decode wasm32-min" "full-roundtrip wasm32-min" "jwt-decode wasm32-min" "jwt-roundtrip wasm32-min"
    "full-decode thumbv7em" "full-roundtrip thumbv7em" "jwt-decode thumbv7em" "jwt-roundtrip thumbv7em"
)
declare -A budget
while read -r v t b; do
    case "$v" in ''|'#'*) continue ;; esac
    budget["$v $t"]="$b"
done < budget.txt

fail=0
printf '%-16s %-10s %10s %10s %8s   %s\n' variant target bytes budget change "after wasm-opt -Oz"
for r in "${rows[@]}"; do
    read -r v t <<< "$r"
    got="${size[$r]:-pending}"
    want="${budget[$r]:-pending}"
    change=""
    if [ "$got" != pending ] && [ "$want" != pending ]; then
        change=$(awk -v g="$got" -v w="$want" 'BEGIN { printf "%+.1f%%", (g - w) * 100 / w }')
        if [ "$got" -gt $(( want * 110 / 100 )) ]; then
            change="$change OVER"
            fail=1
        fi
    fi
    printf '%-16s %-10s %10s %10s %8s   %s\n' "$v" "$t" "$got" "$want" "$change" "${opt[$r]:-}"
done

goal() { # row limit-bytes label
    local got="${size[$1]:-pending}" o="${opt[$1]:-}" verdict
    for verdict in "$got:rustc" "$o:wasm-opt -Oz"; do
        local n="${verdict%%:*}" how="${verdict#*:}"
        if [ -z "$n" ] || [ "$n" = pending ]; then echo "goal $3, $1, $how: pending"
        elif [ "$n" -le "$2" ]; then echo "goal $3, $1, $how: met ($n bytes)"
        else echo "goal $3, $1, $how: NOT met ($n bytes)"; fi
    done
}
for t in wasm32 wasm32-min; do
    goal "jwt-roundtrip $t" 122880 "JWT-only decode+encode wasm <= 120 KiB"
    goal "full-roundtrip $t" 256000 "full decode+encode wasm <= 250 KiB"
done

if [ $update = 1 ]; then
    {
        echo "# Committed code sizes in bytes (size/check.sh fails above 110 % of a figure)."
        echo "# Measured $(date -u +%Y-%m-%d) with $(rustc --version | cut -d' ' -f1-2); update: bash size/check.sh --update"
        echo "# variant       target      bytes"
        for r in "${rows[@]}"; do
            read -r v t <<< "$r"
            printf '%-15s %-11s %s\n' "$v" "$t" "${size[$r]:-pending}"
        done
    } > budget.txt
    echo "budget.txt updated"
    exit 0
fi
[ $fail = 0 ] || { echo "size budget exceeded (over 110 % of size/budget.txt)" >&2; exit 1; }
