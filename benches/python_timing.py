"""Times the real Python package (beaker-session-jwt 1.0.4) on the bench cookies.

Same cookies as the Rust benches (benches/data, written by make_bench_cookies.py), same keys
and options. Per operation: calls are batched until a batch takes at least --batch-ms of this
thread's CPU time (`time.thread_time_ns`, so other processes on a shared machine do not count),
--repeat batches are timed, and the median batch gives the time per call, in microseconds.

Operations, with the IDs the Rust benches use:
- `decode/<format>/<size>`: `JWTCookieSession._decrypt_data(cookie)`;
- `encode/<format>/<size>`: `_encrypt_data(dict(session))`, the session being what Python
  decoded from the same cookie (the shallow `dict` copy is included: `_encrypt_data` pops
  Beaker's internal keys from the dict it is given);
- `decode_rotated/<format>/medium`: signed with the second key;
- `decode_forged/<format>/large`: the forged cookie, until Python raises.

    /tmp/pyref/bin/python benches/python_timing.py [--repeat 15] [--batch-ms 20] > python.json
"""

import argparse
import json
import logging
import os
import statistics
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "data"))

import make_bench_cookies as bench  # noqa: E402

# The legacy path logs an error before re-raising a refusal.
logging.getLogger("beaker_session_jwt").setLevel(logging.CRITICAL)


def read_cookie(fmt, case):
    path = os.path.join(HERE, "data", fmt, case + ".cookie")
    if not os.path.exists(path):
        return None
    with open(path, encoding="ascii") as f:
        return f.read()


def per_call_us(fn, repeat, batch_ns):
    n = 1
    while True:
        start = time.thread_time_ns()
        for _ in range(n):
            fn()
        took = time.thread_time_ns() - start
        if took >= batch_ns:
            break
        n *= 2
    samples = []
    for _ in range(repeat):
        start = time.thread_time_ns()
        for _ in range(n):
            fn()
        samples.append((time.thread_time_ns() - start) / n)
    return statistics.median(samples) / 1000.0


def refused(fn):
    def call():
        try:
            fn()
        except Exception:
            return
        raise SystemExit("a forged cookie was accepted")
    return call


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--batch-ms", type=float, default=20.0)
    args = ap.parse_args()
    batch_ns = int(args.batch_ms * 1e6)
    out = {}
    for fmt in bench.FORMATS:
        s = bench.session_object(fmt)
        for size in bench.SIZES:
            cookie = read_cookie(fmt, size)
            session = s._decrypt_data(cookie)
            out["decode/%s/%s" % (fmt, size)] = per_call_us(
                lambda: s._decrypt_data(cookie), args.repeat, batch_ns)
            out["encode/%s/%s" % (fmt, size)] = per_call_us(
                lambda: s._encrypt_data(dict(session)), args.repeat, batch_ns)
        rotated = read_cookie(fmt, "medium_rotated")
        if rotated is not None:
            out["decode_rotated/%s/medium" % fmt] = per_call_us(
                lambda: s._decrypt_data(rotated), args.repeat, batch_ns)
        forged = read_cookie(fmt, "forged")
        out["decode_forged/%s/large" % fmt] = per_call_us(
            refused(lambda: s._decrypt_data(forged)), args.repeat, batch_ns)
        print("timed %s" % fmt, file=sys.stderr)
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
