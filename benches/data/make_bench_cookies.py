"""Writes the benchmark cookies under benches/data/<format>/ with the real Python package.

Pinned to the Python reference: beaker-session-jwt 1.0.4, Beaker 1.14.1, joserfc 1.8.0,
pymongo 4.20.1 (tests/python/requirements.txt). Run with a Python that has them:

    /tmp/pyref/bin/python benches/data/make_bench_cookies.py

Formats (folder names are the bench IDs): `jwt_bsz` (bsZ claims), `jwt_json` (the session as
claims), `legacy_pickle` and `legacy_json` (Beaker `SignedCookie`, written with
`write_original_format=true`). Sizes:

- `small`: a typical Beaker session (`_id`, the two times, a user id, one flash message);
- `medium`: mixed types (datetimes, bytes, nested documents and lists, an int64); its BSON is
  about 1 KB;
- `large`: the medium session grown with seeded browsing history until the cookie is just under
  3,950 characters (below Beaker's 4,064 cap) in that format.

JSON formats cannot hold datetimes or bytes: there the medium and large sessions carry the same
values as ISO-8601 strings and hex text. Extra cases: `<size>_rotated.cookie` (jwt formats,
medium) is signed with the second key; `forged.cookie` (every format) is the large cookie with
one signature character changed, so no configured key verifies it.

Each `<case>.cookie` holds the cookie value without a newline. `python_timing.py` rebuilds the
sessions by decoding these cookies with Python, so both sides encode the same data.
Deterministic apart from zlib's output (fixed keys, fixed times, seeded random payloads).
"""

import datetime
import os
import random
import sys

from beaker_session_jwt import JWTCookieSession

HERE = os.path.dirname(os.path.abspath(__file__))

# Bench-only constants; benches/common/mod.rs holds the same values.
KEY1 = "bench-key-one-0123456789"
KEY2 = "bench-key-two-0123456789"
LEGACY_KEY = "bench-legacy-validate-key"

FORMATS = ("jwt_bsz", "jwt_json", "legacy_pickle", "legacy_json")
SIZES = ("small", "medium", "large")
# The large cookie stops growing before it passes this many characters.
LARGE_TARGET = 3950

SID = "3f2a9c1e8b7d4f6a0c5e1b2d9f8a7c6e"
T_CREATED = 1699990000.5
T_ACCESSED = 1700000000.123456
UTC = datetime.timezone.utc


def options(fmt, keys="%s, %s" % (KEY1, KEY2)):
    """The Beaker options of `fmt`, as JWTCookieSession keyword arguments (strings, like an .ini)."""
    o = {
        "jwt_secret_keys": keys,
        "bson_compress_jwt_payload": "false" if fmt == "jwt_json" else "true",
    }
    if fmt.startswith("legacy"):
        o["read_original_format"] = "true"
        o["write_original_format"] = "true"
        o["original_format_validate_key"] = LEGACY_KEY
        o["original_format_data_serializer"] = fmt[len("legacy_"):]
    return o


def session_object(fmt, **overrides):
    o = options(fmt)
    o.update(overrides)
    s = JWTCookieSession({"cookie": ""}, **o)
    s.clear()
    return s


def json_only(fmt):
    return fmt in ("jwt_json", "legacy_json")


def when(fmt, dt):
    return dt.isoformat() if json_only(fmt) else dt


def blob(fmt, raw):
    return raw.hex() if json_only(fmt) else raw


def small(fmt):
    return {
        "_id": SID,
        "_creation_time": T_CREATED,
        "_accessed_time": T_ACCESSED,
        "user_id": 48213,
        "_flash": ["Welcome back, Alice! You have 3 new messages."],
    }


def medium(fmt):
    rng = random.Random(6)
    s = small(fmt)
    s.update({
        "username": "alice.martin",
        "email": "alice.martin@example.com",
        "roles": ["customer", "beta-tester", "newsletter"],
        "csrf_token": blob(fmt, bytes(rng.getrandbits(8) for _ in range(32))),
        "last_login": when(fmt, datetime.datetime(2023, 11, 14, 22, 13, 20, 123000)),
        "login_count": 2**33 + 17,
        "prefs": {"lang": "en-GB", "tz": "Europe/London", "dark_mode": True, "page_size": 50,
                  "currency": "GBP", "notifications": {"email": True, "sms": False}},
        "cart": {
            "id": "c-%08x" % rng.getrandbits(32),
            "items": [
                {"sku": "SKU-%06d" % rng.randrange(10**6), "qty": rng.randrange(1, 5),
                 "price": round(rng.uniform(2, 200), 2),
                 "added": when(fmt, datetime.datetime(2023, 11, 14, 21, i, 5, 250000))}
                for i in range(5)
            ],
            "coupon": None,
            "subtotal": 211.47,
        },
        "recently_viewed": ["/p/%d" % rng.randrange(10**5) for _ in range(6)],
    })
    return s


def history_entry(fmt, rng, i):
    return {
        "path": "/%s/%d" % (rng.choice(("p", "c", "search", "blog", "help")), rng.randrange(10**6)),
        "at": when(fmt, datetime.datetime(2023, 11, 14, 20, i % 60, rng.randrange(60), 1000 * rng.randrange(1000))),
        "ref": "%012x" % rng.getrandbits(48),
        "ms": rng.randrange(20, 900),
    }


def large_sessions(fmt, writer):
    """The medium session plus history entries, as many as keep the cookie under LARGE_TARGET."""
    rng = random.Random(7)
    s = medium(fmt)
    s["history"] = []
    best = None
    while True:
        cookie = writer._encrypt_data(dict(s))
        if len(cookie) > LARGE_TARGET:
            break
        best = (dict(s, history=list(s["history"])), cookie)
        s["history"].append(history_entry(fmt, rng, len(s["history"])))
    if best is None:
        raise SystemExit("%s: the medium session alone is too large" % fmt)
    return best


def forge(cookie, fmt):
    """Changes one character in the middle of the signature, keeping its alphabet."""
    if fmt.startswith("legacy"):
        at = 20
        alphabet = "0123456789abcdef"
    else:
        head, payload, sig = cookie.split(".")
        at = len(head) + len(payload) + 2 + len(sig) // 2
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    c = cookie[at]
    return cookie[:at] + alphabet[(alphabet.index(c) + 1) % len(alphabet)] + cookie[at + 1:]


def write(fmt, name, cookie):
    path = os.path.join(HERE, fmt, name + ".cookie")
    with open(path, "w", encoding="ascii", newline="") as f:
        f.write(cookie)


def check(fmt, cookie, expected, accepted=True):
    """Python must read the cookie back as the session (or refuse it, for a forged one)."""
    reader = session_object(fmt)
    try:
        got = reader._decrypt_data(cookie)
    except Exception:
        if accepted:
            raise
        return
    if not accepted:
        raise SystemExit("%s: Python accepted a forged cookie" % fmt)
    # JWT writes drop Beaker's `_expires`/`_path`/`_domain`; our sessions hold none of them.
    if set(got) != set(expected):
        raise SystemExit("%s: keys differ after a round trip" % fmt)


def main():
    rows = []
    for fmt in FORMATS:
        os.makedirs(os.path.join(HERE, fmt), exist_ok=True)
        writer = session_object(fmt)
        sessions = {"small": small(fmt), "medium": medium(fmt)}
        cookies = {size: writer._encrypt_data(dict(s)) for size, s in sessions.items()}
        sessions["large"], cookies["large"] = large_sessions(fmt, writer)
        for size in SIZES:
            check(fmt, cookies[size], sessions[size])
            write(fmt, size, cookies[size])
            extra = ""
            if fmt == "jwt_bsz":
                import bson
                extra = "BSON %d B" % len(bson.encode(sessions[size]))
            rows.append("%-14s %-8s %5d chars %s" % (fmt, size, len(cookies[size]), extra))
        if fmt.startswith("jwt"):
            rotated = session_object(fmt, jwt_secret_keys=KEY2)._encrypt_data(dict(sessions["medium"]))
            check(fmt, rotated, sessions["medium"])
            write(fmt, "medium_rotated", rotated)
        forged = forge(cookies["large"], fmt)
        check(fmt, forged, None, accepted=False)
        write(fmt, "forged", forged)
    print("\n".join(rows))


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    main()
