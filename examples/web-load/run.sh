#!/usr/bin/env bash
# Load benchmark of beaker-session-axum on loopback (a benchmark, not a test: CI does not run it).
#
# Builds examples/web-load in release, serves GET / on two loopback ports (same handler, with and
# without BeakerSessionLayer), and drives each with wrk replaying a mix of valid, rotated-key,
# legacy, expired, forged, tampered, truncated, oversized and garbage cookies (mix.lua). Prints a
# markdown table: requests/s, p50/p99, 5xx, and the server's RSS before and after each run.
# Exits non-zero on any 5xx (or any other non-200, socket error or wrong answer), or if the RSS
# grew by more than MAX_RSS_GROWTH_PCT between the end of the warm-up and the end.
#
# Then (COST=0 skips it) `web-load cost` times each case of the mix in-process, without wrk.
#
# Knobs (environment): DURATION=20s ROUNDS=2 CONNS=2 WARMUP=3s PORT=38180 (PORT+1 is the bare
# route) MAX_RSS_GROWTH_PCT=20 COST=1 FEATURES= CARGO_TARGET_DIR. Defaults take about 1 min 45 s
# plus the build.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
DURATION=${DURATION:-20s}
ROUNDS=${ROUNDS:-2}
CONNS=${CONNS:-2}
WARMUP=${WARMUP:-3s}
PORT=${PORT:-38180}
MAX_RSS_GROWTH_PCT=${MAX_RSS_GROWTH_PCT:-20}
port_with=$PORT
port_bare=$((PORT + 1))

if ! command -v wrk >/dev/null; then
    echo "run.sh: installing wrk (Debian package)" >&2
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq wrk >/dev/null
fi

target=${CARGO_TARGET_DIR:-$repo/target}
# FEATURES: extra cargo features for the build, e.g. FEATURES=beaker-session-jwt/fast-zlib.
cargo build --release --quiet --manifest-path "$repo/Cargo.toml" -p web-load ${FEATURES:+--features "$FEATURES"}
bin=$target/release/web-load

work=$(mktemp -d)
pid=""
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

"$bin" gen-cookies "$work/mix.tsv" 2>"$work/mix.txt"
"$bin" serve "$port_with" "$port_bare" >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port_bare") 2>/dev/null \
        && (exec 3<>"/dev/tcp/127.0.0.1/$port_with") 2>/dev/null; then break; fi
    kill -0 "$pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.1
done

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; } # KiB
ticks=$(getconf CLK_TCK)
cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; } # the server's user + system time, in ticks

# load <route: layer|bare> <duration>: one wrk run; its RESULT/KIND lines go to $work/out
load() {
    local port=$port_with
    [ "$1" = layer ] || port=$port_bare
    wrk -t"$CONNS" -c"$CONNS" -d"$2" -s "$here/mix.lua" "http://127.0.0.1:$port/" \
        -- "$work/mix.tsv" "$1" >"$work/out" 2>&1 || { cat "$work/out" >&2; exit 1; }
    grep -q '^RESULT ' "$work/out" || { cat "$work/out" >&2; exit 1; }
}
field() { sed -n "s/^RESULT .*\b$1=\([^ ]*\).*/\1/p" "$work/out"; }

load_start=$(cut -d' ' -f1 /proc/loadavg)
rss_cold=$(rss)
load layer "$WARMUP"
load bare "$WARMUP"
rss_warm=$(rss)

rows=()
fail=0
total=0
for round in $(seq "$ROUNDS"); do
    for route in layer bare; do
        before=$(rss)
        cpu0=$(cpu)
        load "$route" "$DURATION"
        cpu1=$(cpu)
        after=$(rss)
        kill -0 "$pid" 2>/dev/null || { echo "run.sh: the server died" >&2; exit 1; }
        [ "$route" = layer ] && grep '^KIND ' "$work/out" >>"$work/kinds"
        name="without layer"
        [ "$route" = layer ] && name="with BeakerSessionLayer"
        req=$(field requests)
        total=$((total + req))
        s5xx=$(field s5xx)
        notok=$(($(field s4xx) + $(field sother) + $(field sock_errors) + $(field bad_body) + $(field bad_cookie)))
        [ "$s5xx" = 0 ] && [ "$notok" = 0 ] || fail=1
        cpu_us=$(((cpu1 - cpu0) * 1000000 / ticks / req))
        rows+=("| $name | $round | $req | $(field rps) | $(field p50_ms) | $(field p99_ms) | $cpu_us | $s5xx | $notok | $((before / 1024)).$((before % 1024 * 10 / 1024)) → $((after / 1024)).$((after % 1024 * 10 / 1024)) |")
    done
done
rss_end=$(rss)
load_end=$(cut -d' ' -f1 /proc/loadavg)
growth=$(((rss_end - rss_warm) * 100 / rss_warm))

echo
rev=$(git -C "$repo" describe --always --dirty 2>/dev/null || echo "?")
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), tree $rev, features: ${FEATURES:-default}, $(nproc) CPUs shared by wrk and the server, wrk -t$CONNS -c$CONNS, $DURATION per run, $ROUNDS rounds; $total requests; load average ${load_start} at start, ${load_end} at end"
echo
echo "| route | round | requests | requests/s | p50 ms | p99 ms | server CPU µs/request | 5xx | other failures | server RSS MiB before → after |"
echo "|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "Server RSS: ${rss_cold} KiB at start, ${rss_warm} KiB after the ${WARMUP} warm-ups, ${rss_end} KiB at the end (${growth} % since warm-up)."
echo
echo "Cookie mix, one case per request in turn (requests and wrong answers: behind the layer, all rounds):"
echo
echo "| case | Cookie header bytes | expected body | requests | wrong |"
echo "|---|---|---|---|---|"
awk 'FNR == NR { bytes[$1] = $2; want[$1] = $3; order[++k] = $1; next }
     { split($3, r, "="); split($4, w, "="); n[$2] += r[2]; bad[$2] += w[2] }
     END { for (i = 1; i <= k; i++) { c = order[i]
           printf "| %s | %d | visits %d | %d | %d |\n", c, bytes[c], want[c], n[c], bad[c] } }' \
    "$work/mix.txt" "$work/kinds"
kill "$pid"
wait "$pid" 2>/dev/null || true
pid=""
if [ "${COST:-1}" != 0 ]; then
    echo
    echo "In-process cost per case (web-load cost: both routers called without network or wrk, one thread, CPU time, 7 interleaved rounds):"
    echo
    "$bin" cost "$work/mix.tsv"
fi
if [ "$fail" != 0 ]; then
    echo "run.sh: FAILED: a 5xx, another non-200, a socket error or a wrong answer (see the table)" >&2
    exit 1
fi
if [ "$growth" -gt "$MAX_RSS_GROWTH_PCT" ]; then
    echo "run.sh: FAILED: server RSS grew ${growth} % (> ${MAX_RSS_GROWTH_PCT} %)" >&2
    exit 1
fi
