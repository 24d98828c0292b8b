"""Benchmark (a script, not a test): one full request through Beaker's SessionMiddleware with the
pure-Python JWTCookieSession and with ours, on the bench cookies of benches/data/ (written by the
Python package, read with the options benches/data/make_bench_cookies.py gives them).

    python bindings/python/bench.py [--repeat 15] [--batch-ms 20]

Run it with the venv run-tests.sh builds (it has both packages). Per row, a WSGI request
carrying the cookie whose app reads one key: Beaker loads the session (`_decrypt_data`), and
because `save_accessed_time` is on, writes it back with a fresh `_accessed_time`
(`_encrypt_data`) and adds the Set-Cookie header. `forged` is the large cookie with one
signature character changed: refused, and Beaker (invalidate_corrupt) starts a new session and writes its cookie. Also timed alone:
`_decrypt_data` and `_encrypt_data` of the same cookie and session. Times are medians of this
thread's CPU time (`time.thread_time_ns`, as benches/python_timing.py measures), per call, in
microseconds, the two classes timed in alternating batches; the minimum is the steadier figure
on a shared machine, the median is printed beside it. The Rust codec runs on the same thread,
so it is included.
"""

import argparse
import io
import logging
import os
import platform
import statistics
import sys
import time
import warnings

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "benches", "data"))

import beaker_session_jwt  # noqa: E402
from beaker.middleware import SessionMiddleware  # noqa: E402

import beaker_session_jwt_rs  # noqa: E402
import make_bench_cookies as bench  # noqa: E402

logging.getLogger("beaker_session_jwt").setLevel(logging.CRITICAL)
warnings.simplefilter("ignore")

CLASSES = (("python", beaker_session_jwt.JWTCookieSession), ("ours", beaker_session_jwt_rs.JWTCookieSession))


def cookie_of(fmt, case):
    path = os.path.join(ROOT, "benches", "data", fmt, case + ".cookie")
    with open(path, encoding="ascii") as f:
        return f.read()


def per_call_us(fns, repeat, batch_ns):
    """Per-call µs of each of `fns`, timed in alternating batches (so both classes see the same
    machine load): the batch size doubles until one batch of each takes `batch_ns`, then
    `repeat` rounds; the minimum and the median batch of each."""
    n = 1
    while True:
        took = []
        for fn in fns:
            start = time.thread_time_ns()
            for _ in range(n):
                fn()
            took.append(time.thread_time_ns() - start)
        if min(took) >= batch_ns:
            break
        n *= 2
    samples = [[] for _ in fns]
    for _ in range(repeat):
        for fn, out in zip(fns, samples):
            start = time.thread_time_ns()
            for _ in range(n):
                fn()
            out.append((time.thread_time_ns() - start) / n / 1000.0)
    return [(min(out), statistics.median(out)) for out in samples]


def app(environ, start_response):
    environ["beaker.session"].get("_id")
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def requester(cls, fmt, cookie, expect_cookie):
    options = {"session." + k: v for k, v in bench.options(fmt).items()}
    wsgi = SessionMiddleware(app, options, session_class=cls)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "SERVER_NAME": "bench", "SERVER_PORT": "80",
               "wsgi.url_scheme": "http", "HTTP_COOKIE": "beaker.session.id=" + cookie}

    def start_response(status, headers, exc_info=None):
        wrote = any(k.lower() == "set-cookie" for k, _ in headers)
        if wrote != expect_cookie:
            raise SystemExit(f"{cls.__module__} {fmt}: Set-Cookie {wrote}, expected {expect_cookie}")

    def request():
        env = dict(environ, **{"wsgi.input": io.BytesIO(), "wsgi.errors": io.StringIO()})
        return wsgi(env, start_response)

    return request


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--batch-ms", type=float, default=20.0)
    args = ap.parse_args()
    batch_ns = int(args.batch_ms * 1e6)
    rows = []
    for fmt in bench.FORMATS:
        for case in bench.SIZES + ("forged",):
            cookie = cookie_of(fmt, case)
            row = {"case": f"{fmt}/{case}"}
            timed = {"request": [requester(cls, fmt, cookie, True) for _, cls in CLASSES]}
            if case != "forged":
                decode, encode = [], []
                for _, cls in CLASSES:
                    s = cls({"cookie": ""}, **bench.options(fmt))
                    s.clear()
                    session = s._decrypt_data(cookie)
                    decode.append(lambda s=s: s._decrypt_data(cookie))
                    encode.append(lambda s=s, session=session: s._encrypt_data(dict(session)))
                timed["decode"], timed["encode"] = decode, encode
            for what, fns in timed.items():
                (row[what + " python"], row[what + " ours"]) = per_call_us(fns, args.repeat, batch_ns)
            rows.append(row)
            print("timed " + row["case"], file=sys.stderr)

    def cell(row, what):
        py, ours = row.get(what + " python"), row.get(what + " ours")
        if py is None:
            return "– | – | –"
        return f"{py[0]:.0f} ({py[1]:.0f}) | {ours[0]:.0f} ({ours[1]:.0f}) | {py[0] / ours[0]:.1f}×"

    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.python_implementation()} "
          f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}; µs per call, thread CPU time: minimum (median) of "
          f"{args.repeat} batches; ratio of the minimums\n")
    print("| cookie | request: Python | ours | ratio | `_decrypt_data`: Python | ours | ratio "
          "| `_encrypt_data`: Python | ours | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['case']} | {cell(row, 'request')} | {cell(row, 'decode')} | {cell(row, 'encode')} |")


if __name__ == "__main__":
    main()
