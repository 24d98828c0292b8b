#!/usr/bin/env python3
"""Write the seed corpora under fuzz/corpus/<target>/ from real Python-written cookies.

Every cookie is made by beaker-session-jwt 1.0.4 itself (`JWTCookieSession._encrypt_data`),
every legacy cookie by Beaker 1.14.1's `SignedCookie` and serializers, every BSON document by
pymongo's `bson.encode`, every zlib stream by CPython's `zlib.compress(.., 9)`, with the fixed
keys that fuzz/src/lib.rs configures. Run with the reference venv:

    /tmp/pyref/bin/python fuzz/make_seeds.py

Output is deterministic (no random session ids, fixed timestamps). Existing seed files of the
same name are overwritten; files libFuzzer added to a corpus are left alone.
"""

import base64
import datetime
import json
import os
import pickle
import uuid
import zlib

import bson
from bson.binary import Binary
from bson.int64 import Int64
from bson.objectid import ObjectId
from bson.regex import Regex
from bson.timestamp import Timestamp
from beaker.session import SignedCookie
from beaker.util import JsonSerializer, PickleSerializer
from beaker_session_jwt import JWTCookieSession

# Must match fuzz/src/lib.rs.
K1 = "fuzz-secret-key-0001"
K2 = "fuzz-secret-key-0002"
LEGACY_KEY = "fuzz-legacy-key-0001"

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
NOW = 1_700_000_000.0


def sessions():
    """Sessions like real apps store, from tiny to near the 4 KiB cookie cap."""
    base = {
        "_id": "5d41402abc4b2a76b9719d911017c592",
        "_creation_time": NOW - 5.0,
        "_accessed_time": NOW - 1.0,
    }
    yield "empty", {}
    yield "minimal", dict(base)
    yield "user", dict(base, user_id=42, name="Zoë", roles=["admin", "editor"], flash=None)
    yield "nested", dict(
        base,
        cart={"items": [{"sku": "A-1", "qty": 2, "price": 9.99}], "total": 19.98},
        prefs={"lang": "fr", "dark": True, "tz": -5.5},
        big=2**40,
        neg=-(2**31),
        huge=2**62,
    )
    yield "unicode", dict(base, msg="☃ \u2028 \x00 \U0001F600 \"quoted\" \\", empty="")
    yield "floats", dict(base, nan=float("nan"), inf=float("inf"), ninf=float("-inf"), z=-0.0, e=1e-5)
    yield "long", dict(base, blob="x" * 2500, items=list(range(100)))


def bson_only():
    """Values only the bsZ format can carry (BSON types with no JSON form)."""
    yield "bson_types", {
        "_id": "5d41402abc4b2a76b9719d911017c592",
        "when": datetime.datetime(2023, 11, 14, 22, 13, 20, 123000),
        "raw": b"\x00\x01\xfe\xff",
        "uuid": Binary(uuid.UUID(int=0x1234).bytes, 4),
        "oid": ObjectId("0123456789abcdef01234567"),
        "re": Regex("^a.*b$", "imx"),
        "i64": Int64(5),
        "ts": Timestamp(1_700_000_000, 7),
        "deep": {"a": {"b": {"c": {"d": [[[1]]]}}}},
    }


def jwt_cookie(session, key, bsz):
    s = JWTCookieSession({"cookie": ""}, jwt_secret_keys=key, bson_compress_jwt_payload=bsz)
    # `_encrypt_data({})` writes the object's own dict (with a random `_id`): empty it first.
    s.clear()
    return s._encrypt_data(dict(session))


def legacy_payload(session, serializer):
    """The payload inside a Beaker legacy cookie (under its HMAC and base64), checked by
    reading it back out of a `SignedCookie` written with LEGACY_KEY."""
    ser = PickleSerializer() if serializer == "pickle" else JsonSerializer()
    data = base64.b64encode(ser.dumps(session)).decode("utf8")
    cookie = SignedCookie(LEGACY_KEY).value_encode(data)[1]
    return base64.b64decode(cookie[40:])


def claims(token):
    payload = token.split(".")[1]
    return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def main():
    all_sessions = list(sessions())
    bson_sessions = all_sessions + list(bson_only())
    for name, session in bson_sessions:
        for kname, key in (("k1", K1), ("k2", K2)):
            write("jwt_verify", f"bsz_{name}_{kname}", jwt_cookie(session, key, True))
        token = jwt_cookie(session, K1, True)
        payload = claims(token)
        # cookie_decode_bsz signs its input itself: a shape byte (0 the bsZ text, 1 the zlib
        # stream, 2 the BSON; fuzz/src/lib.rs `bsz_claims`), then that layer's bytes.
        text = json.loads(payload)["bsZ"]
        stream = base64.b85decode(text)
        write("cookie_decode_bsz", f"text_{name}", b"\x00" + text.encode())
        write("cookie_decode_bsz", f"zlib_{name}", b"\x01" + stream)
        write("cookie_decode_bsz", f"bson_{name}", b"\x02" + zlib.decompress(stream))
        write("cookie_decode_signed", f"bsz_{name}", b"\x01" + payload)
        write("json_read", f"bsz_claims_{name}", payload)
        b85 = json.loads(payload).get("bsZ", "")
        write("base85_decode", name, b85)
        raw = bson.encode(session)
        write("bson_read", name, raw)
        write("bson_differential", name, raw)
        write("bson_roundtrip", name, raw)
        write("zlib_inflate", name, zlib.compress(raw, 9))
    for name, session in all_sessions:
        for kname, key in (("k1", K1), ("k2", K2)):
            write("jwt_verify", f"json_{name}_{kname}", jwt_cookie(session, key, False))
        payload = claims(jwt_cookie(session, K1, False))
        # cookie_decode_json signs its input (the claims) itself.
        write("cookie_decode_json", name, payload)
        write("cookie_decode_signed", f"json_{name}", b"\x00" + payload)
        write("json_read", name, payload)
        write("json_read", f"python_{name}", json.dumps(session))
        write("cookie_roundtrip", name, payload)
        # The legacy targets sign their payload themselves: cookie_decode_legacy's input is the
        # pickle inside a Beaker cookie; legacy_decode_* take a mode byte (odd: BSON JWT
        # payload) then the serializer's bytes (a pickle; the zlib stream of Beaker's
        # JsonSerializer, which the target does not re-deflate).
        write("cookie_decode_legacy", name, legacy_payload(session, "pickle"))
        for mode in (b"\x00", b"\x01"):
            write("legacy_decode_pickle", f"{name}_{mode[0]}", mode + pickle.dumps(session, 2))
            write("legacy_decode_json", f"{name}_{mode[0]}", mode + legacy_payload(session, "json"))
        write("pickle_read", name, pickle.dumps(session, 2))
        write("pickle_read", f"proto0_{name}", pickle.dumps(session, 0))
        write("pickle_read", f"proto5_{name}", pickle.dumps(session, 5))
        write("zlib_inflate", f"json_{name}", zlib.compress(json.dumps(session).encode(), 9))
    # Python 3 pickles of pymongo classes, as a write_original_format rollout writes them.
    for name, session in bson_only():
        write("pickle_read", name, pickle.dumps(session, 2))
        write("legacy_decode_pickle", f"{name}_1", b"\x01" + pickle.dumps(session, 2))
        write("cookie_decode_legacy", name, legacy_payload(session, "pickle"))
    # Refusals: a zlib bomb, a pickle naming os.system.
    write("zlib_inflate", "bomb_1m", zlib.compress(b"\x00" * (1 << 20), 9))
    os_system = b"\x80\x02cos\nsystem\nX\x02\x00\x00\x00idq\x00\x85R}\x86."
    write("pickle_read", "os_system", os_system)
    write("cookie_decode_legacy", "os_system", os_system)
    print("seeds written under", CORPUS)


if __name__ == "__main__":
    main()
