"""Check, with the real Python packages, the legacy cookies our Rust writer produced.

    /tmp/pyref/bin/python tests/data/legacy/check_rust_pickles.py [rust_written.json ...]

For each entry of rust_written.json (written by `BLESS_LEGACY=1 cargo test --test legacy_vectors`,
or any file of the same shape, e.g. one the live interop suite writes):
  1. beaker-session-jwt 1.0.4's own reader (`JWTCookieSession._decrypt_data` with
     read_original_format, the entry's payload mode and serializer) accepts the cookie, so the
     signature, base64 and serializer are right and the session passes its re-serialization check;
  2. the session it returns, written the way the JWT payload will carry it (bson.encode in bsZ
     mode, json.dumps otherwise), is exactly the entry's session: same keys in the same order, same
     BSON types (int32 / int64 / double / datetime ms / binary subtype / regex flags ...);
  3. for the pickle serializer, plain `pickle.loads` of the payload gives the same dict as (1), and
     `pickletools.dis` walks it, so it is a well-formed protocol-2 pickle.
Exits non-zero on the first mismatch.
"""

import base64
import io
import logging
import os
import pickle
import pickletools
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_legacy import session_obj, typed_for  # noqa: E402


def check(entry):
    mode, serializer, cookie = entry["mode"], entry["serializer"], entry["cookie"]
    loaded = session_obj(mode, serializer)._decrypt_data(cookie)
    got = typed_for(mode, loaded)
    if got != entry["session"]:
        raise AssertionError("%s: Python reads another session\n got  %r\n want %r" % (entry["name"], got, entry["session"]))
    if serializer == "pickle":
        payload = base64.b64decode(cookie[40:])
        if payload[:2] != b"\x80\x02":
            raise AssertionError("%s: not protocol 2" % entry["name"])
        pickletools.dis(payload, out=io.StringIO())
        if typed_for(mode, pickle.loads(payload)) != got:  # typed: NaN != NaN in a dict compare
            raise AssertionError("%s: pickle.loads differs from the beaker reader" % entry["name"])
    return len(loaded)


def main(paths):
    import json
    logging.disable(logging.CRITICAL)
    here = os.path.dirname(os.path.abspath(__file__))
    total = 0
    for path in paths or [os.path.join(here, "rust_written.json")]:
        with open(path, encoding="utf-8") as f:
            entries = json.load(f)
        for entry in entries:
            keys = check(entry)
            total += 1
            print("ok  %-28s %-5s %-6s %3d keys, %4d chars" % (entry["name"], entry["mode"], entry["serializer"],
                                                             keys, len(entry["cookie"])))
    print("%d Rust-written cookies read by Python to the same sessions" % total)


if __name__ == "__main__":
    main(sys.argv[1:])
