"""Generate boundary_cookies.json: sessions at Beaker's 4,064-character cap, for tests/pickle_size.rs.

Pinned to the reference venv (see make_legacy.py). Run from the repository root:

    /tmp/v/bin/python tests/data/legacy/make_boundary.py

Each session is what a Python web app holds: dicts built from one literal in a loop (so their
keys, and constant values, are the same objects), constant strings, datetimes and ObjectIds
reused, pymongo values built afresh. `pickle.dumps(session, 2)` writes a repeated object as a
memo get (BINGET), which is what lets such a session fit the cap. For each shape, the session
with the most items whose cookie JWTCookieSession(write_original_format=True) writes in at most
4,064 characters is kept, with what beaker-session-jwt's reader returns for it (typed, as in
make_legacy.py) and the length of Python's pickle. A Rust writer must write the same session in
no more bytes, so within the cap too.
"""

import base64
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_legacy import session_obj, typed_for  # noqa: E402

from bson.binary import Binary  # noqa: E402
from bson.int64 import Int64  # noqa: E402
from bson.objectid import ObjectId  # noqa: E402

MAX_COOKIE_LEN = 4064  # beaker/session.py: "Cookie value is too long to store"
SID = "3f2a9c1e8b7d4f6a0c5e1b2d9f8a7c6e"
BASE = {"_id": SID, "_creation_time": 1699990000.5, "_accessed_time": 1700000000.123456}
PAGES = ["/", "/products", "/products/shoes", "/cart", "/checkout", "/account", "/help"]
WHEN = datetime.datetime(2024, 5, 6, 7, 8, 9, 123000)
OID = ObjectId("65f0c0ffee0123456789abcd")


def cart(n):
    items = [{"sku": "SKU-%04d" % i, "quantity": 1 + i % 3, "unit_price": 9.99, "currency": "EUR",
              "gift_wrap": False} for i in range(n)]
    return dict(BASE, user="alice", cart=items)


def history(n):
    return dict(BASE, visited=[PAGES[i % len(PAGES)] for i in range(n)])


def pymongo_events(n):
    events = [{"at": WHEN, "by": OID, "seq": Int64(i), "tag": Binary(b"\x00\x01", 4), "raw": b"ok"}
              for i in range(n)]
    return dict(BASE, events=events)


def nested_forms(n):
    forms = {"form%d" % i: {"fields": {"name": "", "email": "", "accepted": False},
                            "errors": [], "step": i % 4} for i in range(n)}
    return dict(BASE, forms=forms)


SHAPES = [("boundary_cart", cart), ("boundary_history", history),
          ("boundary_pymongo_events", pymongo_events), ("boundary_nested_forms", nested_forms)]


def widest(encode, make):
    """(n, cookie) for the largest n whose cookie fits MAX_COOKIE_LEN."""
    best, n = (0, encode(make(0))), 1
    while len(encode(make(n))) <= MAX_COOKIE_LEN:
        best, n = (n, encode(make(n))), n * 2
    lo, hi = best[0], n
    while hi - lo > 1:
        mid = (lo + hi) // 2
        cookie = encode(make(mid))
        if len(cookie) <= MAX_COOKIE_LEN:
            best, lo = (mid, cookie), mid
        else:
            hi = mid
    return best


def main():
    writer = session_obj("bson")
    out = []
    for name, make in SHAPES:
        n, cookie = widest(writer._encrypt_data, make)
        loaded = session_obj("bson")._decrypt_data(cookie)
        out.append({
            "name": "%s_%d" % (name, n),
            "mode": "bson",
            "serializer": "pickle",
            "remove_keys": [],
            "cookie": cookie,
            "pickle_len": len(base64.b64decode(cookie[40:])),
            "session": typed_for("bson", loaded),
        })
        print("%-32s %4d chars, pickle %4d bytes" % (out[-1]["name"], len(cookie), out[-1]["pickle_len"]))
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "boundary_cookies.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
