"""Runs the Rust benches and the Python timing on the same cookies and prints one Markdown table:
Python µs, ours (one-shot and reused `Codec`), the primitive floor, and the ratios.

    python3 benches/compare.py [--python PATH] [--features fast-zlib]
                               [--no-bench] [--quick] [--alloc] [--arena]

Rust figures are criterion's medians (wall time, `target/criterion/.../new/estimates.json`);
Python figures are medians of this thread's CPU time (`benches/python_timing.py`). With
`--no-bench` the last criterion results are read as they are. `--alloc` adds the allocation
table of `cargo bench --bench alloc`; `--arena` also runs `benches/arena.rs` and adds the table of
what building the owned session costs (system allocator, without the drop, with a bump
allocator) against the view and the floor. Needs only the standard library.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FORMATS = ("jwt_bsz", "jwt_json", "legacy_pickle", "legacy_json")
SIZES = ("small", "medium", "large")


def cargo_bench(benches, features, quick):
    cmd = ["cargo", "bench"]
    for b in benches:
        cmd += ["--bench", b]
    if features:
        cmd += ["--features", features]
    cmd += ["--"]
    if quick:
        cmd += ["--warm-up-time", "0.5", "--measurement-time", "1"]
    print("$ " + " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=sys.stderr)


def criterion_us(group, ident):
    path = os.path.join(ROOT, "target", "criterion", group, ident.replace("/", "_"), "new",
                        "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"] / 1000.0
    except OSError:
        return None


def python_us(python):
    cmd = [python, os.path.join(ROOT, "benches", "python_timing.py")]
    print("$ " + " ".join(cmd), file=sys.stderr)
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def default_python():
    venvs = os.path.join(ROOT, "target", "interop-venv")
    if os.path.isdir(venvs):
        for name in sorted(os.listdir(venvs)):
            candidate = os.path.join(venvs, name, "bin", "python")
            if os.path.exists(candidate):
                return candidate
    return "/tmp/pyref/bin/python"


def fmt_us(v):
    if v is None:
        return "–"
    return "%.1f" % v if v >= 10 else "%.2f" % v


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "–"
    return "%.1f×" % (a / b) if a / b >= 10 else "%.2f×" % (a / b)


def machine():
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return "%s, %d logical CPUs (nproc), %s" % (model, os.cpu_count() or 0, platform.system())


def table(py):
    rows = []
    head = ("| operation | Python 1.0.4 µs | ours µs (one-shot) | ours µs (Codec) | floor µs "
            "| Python / ours (Codec) | ours (Codec) / floor |")
    rows.append(head)
    rows.append("|---|---:|---:|---:|---:|---:|---:|")

    def add(name, p, one, codec, floor):
        best = codec if codec is not None else one
        rows.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            name, fmt_us(p), fmt_us(one), fmt_us(codec), fmt_us(floor),
            ratio(p, best), ratio(best, floor)))

    for fmt in FORMATS:
        for size in SIZES:
            ident = "%s/%s" % (fmt, size)
            add("decode " + ident, py.get("decode/" + ident), criterion_us("decode", ident),
                criterion_us("codec_decode", ident), criterion_us("floor", ident))
    for size in SIZES:
        ident = "jwt_bsz/" + size
        add("view (2 keys) " + ident, py.get("decode/" + ident), None,
            criterion_us("view", ident), criterion_us("floor", ident))
    for fmt in FORMATS:
        for size in SIZES:
            ident = "%s/%s" % (fmt, size)
            add("encode " + ident, py.get("encode/" + ident), criterion_us("encode", ident),
                criterion_us("codec_encode", ident), criterion_us("floor_encode", ident))
    for fmt in ("jwt_bsz", "jwt_json"):
        ident = fmt + "/medium"
        add("decode rotated " + ident, py.get("decode_rotated/" + ident),
            criterion_us("decode_rotated", ident), None, criterion_us("floor_rotated", ident))
    for fmt in FORMATS:
        ident = fmt + "/large"
        add("decode forged " + ident, py.get("decode_forged/" + ident),
            criterion_us("decode_forged", ident), None, criterion_us("floor_forged", ident))
    return "\n".join(rows)


def arena_table():
    rows = ["| decode (warm `Codec`) | owned µs | without the drop | bump allocator, without the drop "
            "| view µs | floor µs | owned / floor | no drop / floor | bump, no drop / floor "
            "| view / floor |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for fmt in FORMATS:
        for size in SIZES:
            ident = "%s/%s" % (fmt, size)
            owned = criterion_us("arena", ident + "/system")
            no_drop = criterion_us("arena", ident + "/system_no_drop")
            bump = criterion_us("arena", ident + "/bump_no_drop")
            view = criterion_us("view", ident) if fmt == "jwt_bsz" else None
            floor = criterion_us("floor", ident)
            rows.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                ident, fmt_us(owned), fmt_us(no_drop), fmt_us(bump), fmt_us(view),
                fmt_us(floor), ratio(owned, floor), ratio(no_drop, floor), ratio(bump, floor),
                ratio(view, floor)))
    return "\n".join(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--python", default=None,
                    help="a Python with beaker-session-jwt 1.0.4 (default: the venv the interop "
                         "tests build under target/interop-venv/, else /tmp/pyref)")
    ap.add_argument("--features", default="")
    ap.add_argument("--no-bench", action="store_true")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--alloc", action="store_true")
    ap.add_argument("--arena", action="store_true")
    args = ap.parse_args()
    if args.python is None:
        args.python = default_python()
    if not args.no_bench:
        cargo_bench(["cookie", "floor"] + (["arena"] if args.arena else []), args.features,
                    args.quick)
    py = python_us(args.python)
    print("Measured %s UTC on %s%s." % (
        time.strftime("%Y-%m-%d %H:%M", time.gmtime()), machine(),
        "; features: " + args.features if args.features else ""))
    print()
    print(table(py))
    if args.alloc:
        cmd = ["cargo", "bench", "--bench", "alloc"]
        if args.features:
            cmd += ["--features", args.features]
        out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
        print()
        print("\n".join(line for line in out.splitlines() if line.startswith("|")))
    if args.arena:
        print()
        print(arena_table())


if __name__ == "__main__":
    main()
