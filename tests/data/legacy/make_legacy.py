"""Generate the legacy-cookie fixtures in this folder from the real Python packages.

Pinned to the reference venv: beaker-session-jwt 1.0.4, Beaker 1.14.1, pymongo 4.20.1, CPython 3.11.
Run from the repository root:

    /tmp/pyref/bin/python tests/data/legacy/make_legacy.py

Writes:
  python_cookies.json  cookies written by JWTCookieSession(write_original_format=True) (pickle
                       serializer), by pickle.dumps at protocols 0..5, and hand-assembled Python 2
                       pickles signed by Beaker's SignedCookie; each with what beaker-session-jwt's
                       reader returns (read by the real `_decrypt_data`) and what we expect.
  json_cookies.json    the same for the `json` serializer.
  rust_sessions.json   sessions for the Rust writer test (tests/legacy_vectors.rs writes
                       rust_written.json from them; check_rust_pickles.py checks that file here).

Typed values (order-preserving, exact): ["double", "<8-byte big-endian hex>"], ["string", s],
["doc", [[key, v], ...]], ["array", [v, ...]], ["binary", subtype, hex], ["oid", hex],
["bool", b], ["datetime", ms], ["null"], ["regex", pattern, options], ["int32", n],
["int64", n], ["timestamp", time, inc], ["decimal128", hex of 16 little-endian bytes],
["undefined"].

Expectations: {"session": <typed doc>} or {"error": "<Error variant>", "key": ..., "global": ...,
"layer": ...}. "python" records what the real reader did ("ok" or the exception); where we differ
on purpose, "deviation" says why.
"""

import base64
import collections
import datetime
import decimal
import json
import logging
import os
import pickle
import re
import struct
import sys
import uuid
import zlib

import bson
from bson.binary import Binary
from bson.decimal128 import Decimal128
from bson.int64 import Int64
from bson.objectid import ObjectId
from bson.regex import Regex
from bson.timestamp import Timestamp
from beaker.session import SignedCookie
from beaker_session_jwt import JWTCookieSession

HERE = os.path.dirname(os.path.abspath(__file__))
JWT_KEY = "jwt-secret-key-0123456789"
LEGACY_KEY = "legacy-validate-key-0123456789"


class Widget:
    """An application class: refused by our whitelist, loadable by Python here."""

    def __init__(self, n=1):
        self.n = n


# ---- typed values ----------------------------------------------------------------------------

def _double(f):
    return ["double", struct.pack(">d", f).hex()]


def _cstring(raw, i):
    end = raw.index(b"\x00", i)
    return raw[i:end].decode("utf-8"), end + 1


def _bson_elements(raw, i, end):
    out = []
    while i < end - 1:
        t = raw[i]
        name, i = _cstring(raw, i + 1)
        if t == 0x01:
            v, i = _double(struct.unpack("<d", raw[i:i + 8])[0]), i + 8
        elif t in (0x02, 0x0D, 0x0E):
            n = struct.unpack("<i", raw[i:i + 4])[0]
            v, i = ["string", raw[i + 4:i + 4 + n - 1].decode("utf-8")], i + 4 + n
        elif t in (0x03, 0x04):
            n = struct.unpack("<i", raw[i:i + 4])[0]
            inner = _bson_elements(raw, i + 4, i + n)
            v = ["doc", inner] if t == 0x03 else ["array", [e[1] for e in inner]]
            i += n
        elif t == 0x05:
            n = struct.unpack("<i", raw[i:i + 4])[0]
            v, i = ["binary", raw[i + 4], raw[i + 5:i + 5 + n].hex()], i + 5 + n
        elif t == 0x07:
            v, i = ["oid", raw[i:i + 12].hex()], i + 12
        elif t == 0x08:
            v, i = ["bool", raw[i] == 1], i + 1
        elif t == 0x09:
            v, i = ["datetime", struct.unpack("<q", raw[i:i + 8])[0]], i + 8
        elif t == 0x0A:
            v = ["null"]
        elif t == 0x0B:
            p, i = _cstring(raw, i)
            o, i = _cstring(raw, i)
            v = ["regex", p, o]
        elif t == 0x10:
            v, i = ["int32", struct.unpack("<i", raw[i:i + 4])[0]], i + 4
        elif t == 0x11:
            inc, time = struct.unpack("<II", raw[i:i + 8])
            v, i = ["timestamp", time, inc], i + 8
        elif t == 0x12:
            v, i = ["int64", struct.unpack("<q", raw[i:i + 8])[0]], i + 8
        elif t == 0x13:
            v, i = ["decimal128", raw[i:i + 16].hex()], i + 16
        else:
            raise ValueError("unexpected BSON type %#x" % t)
        out.append([name, v])
    return out


def typed_bson(session):
    """The session as bson.encode writes it, in the session's own key order (pymongo moves a
    top-level _id first; our Session keeps the pickle's order)."""
    raw = bson.encode(session)
    entries = dict((k, v) for k, v in _bson_elements(raw, 4, len(raw)))
    return ["doc", [[k, entries[k]] for k in session.keys()]]


def _typed_json_value(v):
    if v is None:
        return ["null"]
    if isinstance(v, bool):
        return ["bool", v]
    if isinstance(v, dict) and list(v) == [INT64_MARK]:
        return ["int64", v[INT64_MARK]]
    if isinstance(v, int):
        if -2**31 <= v < 2**31:
            return ["int32", v]
        if -2**63 <= v < 2**63:
            return ["int64", v]
        raise OverflowError("int beyond 64 bits")
    if isinstance(v, float):
        return _double(v)
    if isinstance(v, str):
        return ["string", v]
    if isinstance(v, list):
        return ["array", [_typed_json_value(x) for x in v]]
    if isinstance(v, dict):
        return ["doc", [[k, _typed_json_value(x)] for k, x in v.items()]]
    raise TypeError(type(v))


def typed_json(session):
    """The session as json.dumps sees it (keys become strings, tuples lists), except that
    pymongo's Int64 stays an int64: the loaded session keeps the Int64 instance."""
    def mark(v):
        if isinstance(v, Int64):
            return {INT64_MARK: int(v)}
        if isinstance(v, dict):
            return {k: mark(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [mark(x) for x in v]
        return v
    return _typed_json_value(json.loads(json.dumps(mark(session))))


INT64_MARK = "\x00int64"  # a key no real session holds


def typed_for(mode, session):
    return typed_bson(session) if mode == "bson" else typed_json(session)


def py2_rule(v):
    """Our reading of a Python 2 pickle loaded with encoding='bytes': a byte string that is valid
    UTF-8 becomes str, any other stays bytes."""
    if isinstance(v, bytes):
        try:
            return v.decode("utf-8")
        except UnicodeDecodeError:
            return v
    if isinstance(v, list):
        return [py2_rule(x) for x in v]
    if isinstance(v, tuple):
        return tuple(py2_rule(x) for x in v)
    if isinstance(v, dict):
        return type(v)((py2_rule(k), py2_rule(x)) for k, x in v.items())
    return v


# ---- cookies ---------------------------------------------------------------------------------

def session_obj(mode, serializer="pickle", remove_keys=""):
    return JWTCookieSession(
        {},
        jwt_secret_keys=JWT_KEY,
        bson_compress_jwt_payload=(mode == "bson"),
        read_original_format=True,
        write_original_format=True,
        original_format_validate_key=LEGACY_KEY,
        original_format_data_serializer=serializer,
        original_format_remove_keys=remove_keys,
    )


def sign(payload):
    """What SignedCookie writes for a payload (base64 of pickle or zlib(json) bytes)."""
    _, cookie = SignedCookie(LEGACY_KEY).value_encode(base64.b64encode(payload).decode("ascii"))
    return cookie


def python_read(cookie, mode, serializer, remove_keys):
    """The real beaker-session-jwt reader: ('ok', session) or ('error', 'Class: message')."""
    try:
        keys = ",".join(remove_keys) if remove_keys else None
        return "ok", session_obj(mode, serializer, keys)._decrypt_data(cookie)
    except Exception as e:  # noqa: BLE001 - we record whatever Python raises
        message = re.sub(r" at 0x[0-9a-f]+", "", str(e))  # object addresses change run to run
        return "error", "%s: %s" % (type(e).__name__, message[:120])


def case(name, cookie, mode, expect, *, serializer="pickle", remove_keys=(), note="", run_python=True,
         deviation=None, ours=None):
    """One fixture. `expect` is "ok" (the session is what Python returns), an error dict, or
    "ours" (a deliberate deviation: the session is `ours`, computed by our documented rule)."""
    remove_keys = list(remove_keys)
    entry = {"name": name, "cookie": cookie, "serializer": serializer, "mode": mode,
             "remove_keys": remove_keys}
    if run_python:
        status, got = python_read(cookie, mode, serializer, remove_keys)
        entry["python"] = "ok" if status == "ok" else got
    else:
        status, got = "skipped", None
        entry["python"] = "not run: " + note
    if isinstance(expect, dict) and "session" in expect:
        entry["expect"] = expect
    elif expect == "ok":
        assert status == "ok", (name, got)
        entry["expect"] = {"session": typed_for(mode, got)}
    elif expect == "ours":
        assert deviation, name
        entry["expect"] = {"session": typed_for(mode, ours)}
    else:
        assert deviation or status != "ok", (name, "python accepted what we refuse")
        entry["expect"] = expect
    if deviation:
        entry["deviation"] = deviation
    if note:
        entry["note"] = note
    return entry


def unwritable(key, layer):
    return {"error": "Unwritable", "key": key, "layer": layer}


def placeholder(key, glob):
    return {"error": "Placeholder", "key": key, "global": glob}


# ---- sessions --------------------------------------------------------------------------------

BEAKER = {
    "_id": "0123456789abcdef0123456789abcdef",
    "_accessed_time": 1700000000.25,
    "_creation_time": 1699990000.5,
}

PLAIN = dict(BEAKER, **{
    "user": "jörg 😀",
    "empty": "",
    "nul": "a\x00b",
    "n": 5,
    "neg": -7,
    "i31": 2**31,
    "i40": 2**40,
    "imin": -2**63,
    "imax": 2**63 - 1,
    "f": 1.5,
    "negzero": -0.0,
    "huge": 1e300,
    "nan": float("nan"),
    "inf": float("inf"),
    "t": True,
    "fa": False,
    "none": None,
    "list": [1, "two", [3.0, None], {"k": "v"}],
    "tuple": (1, "a"),
    "nested": {"a": {"b": {"c": [1, 2, {"d": "e"}]}}},
    "od": collections.OrderedDict([("z", 1), ("a", 2)]),
    "emptydict": {},
    "emptylist": [],
})

WITH_BYTES = dict(PLAIN, **{
    "bytes": b"\x00\xff\x80abc",
    "nobytes": b"",
    "when": datetime.datetime(2024, 1, 2, 3, 4, 5, 678999),
    "old": datetime.datetime(1, 1, 1),
    "late": datetime.datetime(9999, 12, 31, 23, 59, 59, 999999),
    "pre1970": datetime.datetime(1969, 12, 31, 23, 59, 59, 999999),
    "aware": datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
    "utc": datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
    "minus": datetime.datetime(2024, 1, 2, 3, 4, 5,
                               tzinfo=datetime.timezone(datetime.timedelta(hours=-5, minutes=-30), "X")),
})

# What a BSON cookie session holds in Python after bson.decode: pymongo classes.
PYMONGO = bson.decode(bson.encode(dict(WITH_BYTES, **{
    "i64": Int64(5),
    "i64big": Int64(2**40),
    "oid": ObjectId("0123456789abcdef01234567"),
    "bin5": Binary(b"\x00\xff", 5),
    "binuuid": Binary(b"0123456789abcdef", 4),
    "bin0": Binary(b"zero", 0),
    "re": Regex("a.b", "imsx"),
    "reu": Regex("^x$", "u"),
    "d128": Decimal128("1.5"),
    "d128neg": Decimal128("-12345678901234567890.5"),
    "ts": Timestamp(1700000000, 7),
})))
# pymongo reads a Regex's flags as an int; an app may also hold re.RegexFlag values.
PYMONGO_FLAGS = dict(PLAIN, reflag=Regex("ab", re.I | re.M), flagint=re.X)

REFUSED = {
    "set": {1, 2},
    "frozenset": frozenset([3]),
    "date": datetime.date(2024, 1, 2),
    "time": datetime.time(3, 4, 5, 6),
    "timedelta": datetime.timedelta(days=1, seconds=2, microseconds=3),
    "timezone": datetime.timezone(datetime.timedelta(hours=2)),
    "decimal": decimal.Decimal("1.5"),
    "uuid": uuid.UUID(int=1),
    "complex": complex(1, 2),
    "bytearray": bytearray(b"ab"),
    "widget": Widget(),
}


def python_cookies():
    out = []
    for mode in ("bson", "json"):
        s = session_obj(mode)
        out.append(case("plain_" + mode, s._encrypt_data(dict(PLAIN)), mode, "ok"))
        out.append(case("beaker_only_" + mode, s._encrypt_data(dict(BEAKER)), mode, "ok"))
        out.append(case("empty_" + mode, sign(pickle.dumps({}, 2)), mode, "ok"))
    # bytes and datetimes: BSON yes, JSON refuses them.
    s = session_obj("bson")
    out.append(case("bytes_datetimes_bson", s._encrypt_data(dict(WITH_BYTES)), "bson", "ok"))
    out.append(case("bytes_datetimes_json", s._encrypt_data(dict(WITH_BYTES)), "json",
                    unwritable("bytes", "Json")))
    out.append(case("bytes_datetimes_json_removed", s._encrypt_data(dict(WITH_BYTES)), "json", "ok",
                    remove_keys=["bytes", "nobytes", "when", "old", "late", "pre1970", "aware", "utc", "minus"]))
    # Rollout: a session that came from a bsZ cookie, written back in the original format.
    out.append(case("rollout_pymongo_bson", s._encrypt_data(dict(PYMONGO)), "bson", "ok"))
    out.append(case("rollout_regexflag_bson", s._encrypt_data(dict(PYMONGO_FLAGS)), "bson", "ok"))
    out.append(case("rollout_regexflag_json", s._encrypt_data({"flagint": re.X, "n": 1}), "json", "ok"))
    out.append(case("rollout_int64_json", s._encrypt_data({"i": Int64(7), "j": Int64(2**40)}), "json", "ok"))
    out.append(case("rollout_oid_json", s._encrypt_data({"a": 1, "oid": ObjectId("0123456789abcdef01234567")}),
                    "json", unwritable("oid", "Json")))
    # Values neither payload can hold: an error naming the key, unless the key is removed.
    for key, value in REFUSED.items():
        cookie = s._encrypt_data({"a": 1, key: value, "z": 2})
        glob = "__main__.Widget" if key == "widget" else None
        for mode in ("bson", "json"):
            err = placeholder(key, glob) if glob else unwritable(key, "Bson" if mode == "bson" else "Json")
            out.append(case("refused_%s_%s" % (key, mode), cookie, mode, err))
            out.append(case("refused_%s_%s_removed" % (key, mode), cookie, mode, "ok", remove_keys=[key, "zz"]))
    nested = s._encrypt_data({"a": 1, "deep": {"x": [1, {"y": {4, 5}}]}})
    out.append(case("refused_nested_set_bson", nested, "bson", unwritable("deep", "Bson")))
    out.append(case("refused_nested_widget_json", s._encrypt_data({"deep": [Widget()]}), "json",
                    placeholder("deep", "__main__.Widget")))
    # ints beyond 64 bits: Python's bson.encode refuses; json.dumps accepts but we cannot hold it.
    big = s._encrypt_data({"a": 1, "big": 2**70})
    out.append(case("bigint_bson", big, "bson", unwritable("big", "Bson")))
    out.append(case("bigint_json", big, "json", unwritable("big", "Json"),
                    deviation="Value holds at most 64-bit ints; Python's json.dumps writes 2**70"))
    # Keys: JSON writes int/float/bool/None keys as text; BSON refuses them.
    keys = s._encrypt_data({"a": 1, 1: "one", 2.5: "f", True: "t", None: "n", -3: {4: "nested"}})
    out.append(case("int_keys_json", keys, "json", "ok"))
    out.append(case("int_keys_bson", keys, "bson", unwritable("1", "Bson")))
    out.append(case("nul_key_bson", s._encrypt_data({"a\x00b": 1}), "bson", unwritable("a\x00b", "Bson")))
    out.append(case("nul_key_json", s._encrypt_data({"a\x00b": 1}), "json", "ok"))
    out.append(case("nul_regex_bson", s._encrypt_data({"r": Regex("a\x00")}), "bson", unwritable("r", "Bson")))
    out.append(case("aware_overflow_bson",
                    s._encrypt_data({"d": datetime.datetime(1, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))}),
                    "bson", unwritable("d", "Bson")))
    # remove_keys removes only string keys and ignores missing ones.
    out.append(case("remove_keys_missing", s._encrypt_data({"a": 1, "b": 2}), "bson", "ok", remove_keys=["zz", "b"]))
    out.append(case("remove_keys_empty_name", s._encrypt_data({"": 1, "b": 2}), "bson", "ok", remove_keys=[""]))
    # A pickle whose result is not a dict.
    out.append(case("not_a_dict", sign(pickle.dumps([1, 2], 2)), "bson",
                    {"error": "Unsupported", "layer": "Pickle"}))
    # Every protocol Python writes.
    for proto in range(6):
        for mode in ("bson", "json"):
            session = dict(WITH_BYTES) if mode == "bson" else dict(PLAIN)
            out.append(case("protocol_%d_%s" % (proto, mode), sign(pickle.dumps(session, proto)), mode, "ok"))
        out.append(case("protocol_%d_pymongo" % proto, sign(pickle.dumps(dict(PYMONGO), proto)), "bson", "ok"))
        out.append(case("protocol_%d_refused_set" % proto, sign(pickle.dumps({"s": {1}, "ok": 1}, proto)), "bson",
                        unwritable("s", "Bson")))
    out.extend(py2_cookies())
    out.extend(hostile_cookies())
    out.extend(signature_cookies())
    return out


def hostile_cookies():
    """Pickles that run code in Python: never loaded here. Each holds the payload under 'evil'
    next to a harmless 'a'; we refuse it by name, or drop it when 'evil' is a removed key."""
    def around(evil, proto=2):
        head = b"\x80" + bytes([proto]) if proto >= 2 else b""
        return head + b"}(" + X("a") + b"K\x01" + X("evil") + evil + b"u."

    payloads = [
        ("os_system", "os.system", around(b"cos\nsystem\n" + X("echo pwned") + b"\x85R")),
        ("posix_system", "posix.system", around(b"cposix\nsystem\n" + X("id") + b"\x85R")),
        ("subprocess", "subprocess.check_output",
         around(b"csubprocess\ncheck_output\n]" + X("id") + b"a\x85R")),
        ("builtins_eval", "builtins.eval", around(b"cbuiltins\neval\n" + X("1+1") + b"\x85R")),
        ("builtin_eval_proto0", "__builtin__.eval",
         b"(dp0\nVa\np1\nI1\nsVevil\np2\nc__builtin__\neval\np3\n(V__import__('os')\np4\ntp5\nRp6\ns."),
        ("stack_global", "os.system",
         around(b"\x8c\x02os\x94\x8c\x06system\x94\x93\x94" + X("id") + b"\x85R", proto=4)),
        ("getattr_chain", "builtins.getattr",
         around(b"cbuiltins\ngetattr\ncbuiltins\n__import__\n" + X("os") + b"\x85R" + X("system")
                + b"\x86R" + X("id") + b"\x85R")),
        ("inst", "os.system", around(b"(" + X("id") + b"ios\nsystem\n")),
        ("obj", "os.system", around(b"(cos\nsystem\n" + X("id") + b"o")),
        ("newobj_build", "__main__.Evil",
         around(b"c__main__\nEvil\n)\x81}" + X("cmd") + X("id") + b"sb")),
        ("in_list", "os.system", around(b"](K\x01cos\nsystem\n" + X("id") + b"\x85Re")),
        ("as_datetime_tz", "os.system",
         around(b"cdatetime\ndatetime\nC\n\x07\xe8\x01\x02\x00\x00\x00\x00\x00\x00cos\nsystem\n" + X("id")
                + b"\x85R\x86R", proto=3)),
        ("persid", "persistent id", around(b"Pfile:/etc/passwd\n")),
        ("binpersid", "persistent id", around(X("x") + b"Q")),
        ("ext1", "extension code", around(b"\x82\x01")),
    ]
    out = []
    for name, glob, pickled in payloads:
        cookie = sign(pickled)
        for mode in ("bson", "json"):
            out.append(case("hostile_%s_%s" % (name, mode), cookie, mode, placeholder("evil", glob),
                            run_python=False, note="would run code in Python"))
        out.append(case("hostile_%s_removed" % name, cookie, "bson", {"session": typed_bson({"a": 1})},
                        remove_keys=["evil"], run_python=False, note="would run code in Python"))
    return out


# ---- hand-assembled Python 2 pickles (cPickle, protocol 2 unless said) ------------------------

def U(s):
    """SHORT_BINSTRING: a Python 2 str (raw bytes)."""
    return b"U" + bytes([len(s)]) + s


def T(s):
    """BINSTRING."""
    return b"T" + struct.pack("<i", len(s)) + s


def X(s):
    """BINUNICODE: a Python 2 unicode."""
    raw = s.encode("utf-8")
    return b"X" + struct.pack("<I", len(raw)) + raw


def q(i):
    return b"q" + bytes([i])


def dt2(y, mo, d, h=0, mi=0, s=0, us=0):
    """Python 2's datetime pickle: GLOBAL, the 10-byte state as a str, TUPLE1, REDUCE."""
    state = struct.pack(">H", y) + bytes([mo, d, h, mi, s]) + us.to_bytes(3, "big")
    return b"cdatetime\ndatetime\n" + U(state) + b"\x85R"


def py2_dict(*items):
    """A top-level dict as cPickle writes it: EMPTY_DICT, memo from 1, MARK, pairs, SETITEMS."""
    return b"\x80\x02}" + q(1) + b"(" + b"".join(items) + b"u."


def py2_cookies():
    out = []

    def py2_case(name, pickled, mode, expect="rule", note="", deviation=None, **kw):
        ours = None
        if expect == "rule":
            ours = py2_rule(pickle.loads(pickled, encoding="bytes"))
            try:
                json.dumps(ours) if mode == "json" else bson.encode(ours)
                fits = True
            except Exception:  # noqa: BLE001
                fits = False
            status, _ = python_read(sign(pickled), mode, "pickle", kw.get("remove_keys", ()))
            if status == "ok":
                expect = "ok"
            else:
                assert fits, name
                expect = "ours"
                deviation = deviation or ("Python 3 decodes Python 2 str as ASCII and fails on bytes >= 0x80; "
                                          "we read UTF-8 str as text, other str as bytes")
        out.append(case(name, sign(pickled), mode, expect, ours=ours, deviation=deviation,
                        note=note or "hand-assembled Python 2 pickle", **kw))

    ascii_session = py2_dict(
        U(b"_id"), q(2), U(b"0123456789abcdef"), q(3),
        U(b"_accessed_time"), q(4), b"G" + struct.pack(">d", 1300000000.5),
        U(b"name"), q(5), X("J\u00f6rg"), q(6),
        U(b"n"), b"K\x05",
        U(b"long"), b"\x8a\x06\x00\x00\x00\x00\x00\x01",
        U(b"flag"), b"\x88",
        U(b"none"), b"N",
        U(b"when1900"), dt2(1900, 1, 2, 3, 4, 5), q(7),
        U(b"tags"), b"]" + q(8) + b"(" + U(b"a") + U(b"b") + b"e",
        U(b"pair"), U(b"x") + b"K\x02\x86",
    )
    py2_case("py2_ascii_bson", ascii_session, "bson",
             note="pure ASCII: Python 3's Beaker reads it too (datetime year 1900 has an ASCII state)")
    py2_case("py2_ascii_json", ascii_session, "json", unwritable("when1900", "Json"))
    utf8 = py2_dict(U(b"city"), U("K\u00f6ln".encode("utf-8")), U("cl\u00e9".encode("utf-8")), b"K\x01")
    for mode in ("bson", "json"):
        py2_case("py2_utf8_str_" + mode, utf8, mode)
    binary = py2_dict(U(b"a"), b"K\x01", U(b"raw"), U(b"\xff\xfe\x00"))
    py2_case("py2_binary_str_bson", binary, "bson")
    py2_case("py2_binary_str_json", binary, "json", unwritable("raw", "Json"),
             deviation="Python fails to load it at all (ASCII decode); we read bytes, which JSON cannot hold")
    dates = py2_dict(U(b"_expires"), dt2(2023, 11, 14, 22, 13, 20, 123456),
                     U(b"epoch"), dt2(1970, 1, 1), U(b"y2k"), dt2(2000, 2, 29, 23, 59, 59, 999999))
    py2_case("py2_datetimes_bson", dates, "bson")
    py2_case("py2_datetimes_json", dates, "json", unwritable("_expires", "Json"),
             deviation="Python fails to load the state (ASCII decode); we read it, and JSON cannot hold a datetime")
    long_str = py2_dict(U(b"long"), T(b"x" * 300), U(b"u8"), T("\u00e9".encode("utf-8") * 200))
    py2_case("py2_binstring_bson", long_str, "bson")
    od = py2_dict(U(b"od"), b"ccollections\nOrderedDict\n" + q(2) + b"]" + q(3) + b"(]" + q(4)
                  + b"(" + U(b"b") + b"K\x01e]" + q(5) + b"(" + U(b"a") + b"K\x02ee\x85R" + q(6))
    py2_case("py2_ordereddict_bson", od, "bson")
    oid = py2_dict(U(b"oid"), b"cbson.objectid\nObjectId\n" + q(2) + b")\x81" + q(3)
                   + U(bytes.fromhex("0123456789abcdef01234567")) + b"b")
    py2_case("py2_objectid_bson", oid, "bson",
             note="pymongo on Python 2 pickled the ObjectId id as a str")
    py2set = py2_dict(U(b"s"), b"c__builtin__\nset\n" + q(2) + b"]" + q(3) + b"(K\x01K\x02e\x85R",
                      U(b"d"), b"cdecimal\nDecimal\n" + U(b"1.5") + b"\x85R")
    py2_case("py2_set_bson", py2set, "bson", unwritable("s", "Bson"))
    py2_case("py2_set_bson_removed", py2set, "bson", "ok", remove_keys=["s", "d"])
    # Protocol 0 as cPickle wrote it: STRING (escaped), UNICODE (raw-unicode-escape), INT, LONG,
    # FLOAT, the datetime state as an escaped STRING, I01 for True.
    p0 = (b"(dp1\nS'name'\np2\nS'caf\\xc3\\xa9'\np3\nsS'u'\np4\nVcaf\xe9 \\u20ac\np5\nsS'n'\np6\nI42\n"
          b"sS'big'\np7\nL1234567890123L\nsS'f'\np8\nF1.25\nsS'yes'\np9\nI01\n"
          b"sS'quote'\np10\nS\"it's\"\np11\n"
          b"sS'when'\np12\ncdatetime\ndatetime\np13\n(S'\\x07\\xd3\\x05\\x06\\x07\\x08\\t\\x00\\x00\\x01'\n"
          b"p14\ntp15\nRp16\ns.")
    py2_case("py2_protocol0_bson", p0, "bson")
    # A hand-made duplicate key (Python's pickler never writes one): 1 and True are one dict key.
    dup = b"\x80\x02}(K\x01" + X("a") + b"\x88" + X("b") + X("x") + b"K\x03u."
    py2_case("dup_int_bool_keys_json", dup, "json", note="hand-assembled: 1 and True are the same key")
    return out


def signature_cookies():
    good = sign(pickle.dumps({"a": 1}, 2))
    assert good[:40].upper() != good[:40]
    bad_sig = {"error": "BadSignature"}
    out = [
        case("quoted", '"' + good + '"', "bson", "ok", note="surrounding quotes are stripped"),
        case("quoted_unbalanced", '""' + good, "bson", "ok", note="str.strip('\"') strips every quote"),
        case("sig_uppercase", good[:40].upper() + good[40:], "bson", bad_sig),
        case("sig_flipped", ("0" if good[0] != "0" else "1") + good[1:], "bson", bad_sig),
        case("sig_short", good[:39], "bson", bad_sig),
        case("payload_changed", good[:-4] + "AAA=", "bson", bad_sig),
        case("wrong_key", SignedCookie("another-key-0123456789").value_encode(good[40:])[1], "bson", bad_sig),
    ]
    return out


# ---- json serializer -------------------------------------------------------------------------

def json_cookies():
    out = []
    for mode in ("bson", "json"):
        s = session_obj(mode, "json")
        out.append(case("json_plain_" + mode, s._encrypt_data(dict(PLAIN, tuple=[1, "a"])), mode, "ok",
                        serializer="json"))
        out.append(case("json_remove_" + mode, s._encrypt_data({"a": 1, "b": [2]}), mode, "ok",
                        serializer="json", remove_keys=["b"]))
    s = session_obj("json", "json")
    out.append(case("json_int_keys_json", s._encrypt_data({1: "one", "a": 2}), "json", "ok", serializer="json"))
    out.append(case("json_nul_key_bson", s._encrypt_data({"a\x00": 1}), "bson", unwritable("a\x00", "Bson"),
                    serializer="json"))
    out.append(case("json_bom", sign(zlib.compress(b"\xef\xbb\xbf{}")), "json", {"error": "Malformed", "layer": "Json"},
                    serializer="json"))
    out.append(case("json_utf16", sign(zlib.compress('{"a": 1}'.encode("utf-16-le"))), "json",
                    {"error": "Malformed", "layer": "Json"}, serializer="json"))
    out.append(case("json_not_zlib", sign(b'{"a": 1}'), "json", {"error": "Malformed", "layer": "Zlib"},
                    serializer="json"))
    bomb = sign(zlib.compress(b'{"a": "' + b"x" * 1_000_000 + b'"}', 9))
    assert len(bomb) < 2000
    out.append(case("json_inflate_bomb", bomb, "json", {"error": "LimitExceeded", "limit": "InflatedLen"},
                    serializer="json", deviation="Python inflates without bound; we stop at max_inflated_len"))
    try:
        s._encrypt_data({"d": datetime.datetime(2024, 1, 1)})
        raise AssertionError("json serializer wrote a datetime")
    except TypeError:
        pass
    return out


# ---- sessions for the Rust writer --------------------------------------------------------------

def rust_sessions():
    out = []
    for name, mode, session in (
        ("plain_json", "json", PLAIN),
        ("plain_bson", "bson", PLAIN),
        ("bytes_datetimes_bson", "bson", WITH_BYTES),
        ("pymongo_bson", "bson", PYMONGO),
        ("beaker_only_bson", "bson", BEAKER),
        ("empty_bson", "bson", {}),
    ):
        out.append({"name": name, "mode": mode, "serializer": "pickle", "session": typed_for(mode, dict(session))})
    out.append({"name": "plain_json_serializer", "mode": "json", "serializer": "json",
                "session": typed_for("json", dict(PLAIN))})
    return out


def write(name, data):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, ensure_ascii=False)
        f.write("\n")


def main():
    logging.disable(logging.CRITICAL)  # beaker-session-jwt logs every refused cookie
    import beaker
    import beaker_session_jwt  # noqa: F401
    assert beaker.__version__ == "1.14.1", beaker.__version__
    assert bson.__name__ == "bson" and __import__("pymongo").version == "4.20.1"
    assert sys.version_info[:2] == (3, 11)
    write("python_cookies.json", python_cookies())
    write("json_cookies.json", json_cookies())
    write("rust_sessions.json", rust_sessions())


if __name__ == "__main__":
    main()
