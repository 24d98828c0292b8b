"""Python-native sessions, one list per cookie mode, for the live interop test and the vectors.

Every session here is built from Python objects (not parsed from Extended JSON), so the values
are exactly what a Python web app puts in a Beaker session: naive and aware datetimes, tuples,
`bytes`, pymongo's classes. The lists are deterministic (fixed `_id`, fixed times, seeded
random payloads) so `tests/data/make_vectors.py` writes the same sessions every run.

Modes: `jwt_bson` (bsZ claims), `jwt_json` (claims are the session), `legacy_pickle` and
`legacy_json` (Beaker's SignedCookie, written with `write_original_format=true`). Each mode
only gets values that mode can write: JSON modes hold JSON types only, `legacy_pickle` holds
what `pickle` and the `bson.encode` re-serialization check both accept.
"""

import datetime
import decimal
import random
import re

from bson import DBRef, Decimal128, Int64, MaxKey, MinKey, ObjectId, Regex, Timestamp
from bson.binary import Binary
from bson.code import Code

MODES = ("jwt_bson", "jwt_json", "legacy_pickle", "legacy_json")

# The longest cookie value Beaker stores (beaker/session.py: "Cookie value is too long to store").
MAX_COOKIE_LEN = 4064

SID = "3f2a9c1e8b7d4f6a0c5e1b2d9f8a7c6e"  # a Beaker `_id` is uuid4().hex
OID = ObjectId("65f0c0ffee0123456789abcd")
T_CREATED = 1699990000.5
T_ACCESSED = 1700000000.123456

UTC = datetime.timezone.utc


def _beaker_typical():
    return {
        "_id": SID,
        "_creation_time": T_CREATED,
        "_accessed_time": T_ACCESSED,
        "user_id": 1234,
        "username": "alice",
        "roles": ["admin", "editor"],
        "flash": [],
    }


def _strings():
    return {
        "ascii": "hello",
        "empty": "",
        "latin": "h\u00e9llo w\u00f6rld \u00f1",
        "cjk": "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8",
        "emoji": "\U0001f600\U0001f389\U0001f44d\U0001f3fd family: \U0001f468\u200d\U0001f469\u200d\U0001f467",
        "nul": "a\x00b",
        "controls": "\t\n\r\x01\x1f\x7f\x80\x9f",
        "quotes": "\"'\\/<>&;,=",
        "combining": "e\u0301",
        "bom": "\ufeff",
        "max_bmp": "\uffff",
        "astral": "\U0010ffff",
        "long": "0123456789" * 100,
        "\u043a\u043b\u044e\u0447": "value under a Cyrillic key",
        "": "value under the empty key",
        "key.with.dots": 1,
        "\U0001f511": "emoji key",
    }


def _ints(int64_class):
    d = {
        "zero": 0,
        "one": 1,
        "minus_one": -1,
        "i32_max": 2**31 - 1,
        "i32_min": -(2**31),
        "i32_max_plus_1": 2**31,
        "i32_min_minus_1": -(2**31) - 1,
        "i53": 2**53 + 1,
        "i64_max": 2**63 - 1,
        "i64_min": -(2**63),
    }
    if int64_class:
        d.update(int64_zero=Int64(0), int64_small=Int64(7), int64_i32_min=Int64(-(2**31)))
    return d


def _floats():
    return {
        "zero": 0.0,
        "neg_zero": -0.0,
        "half": 0.5,
        "tenth": 0.1,
        "third": 1 / 3,
        "neg": -1.5,
        "integral": 2.0,
        "e16": 1e16,
        "e20": 1e20,
        "e_minus_7": 1e-7,
        "two53_plus": 9007199254740993.0,
        "max": 1.7976931348623157e308,
        "min_normal": 2.2250738585072014e-308,
        "subnormal": 5e-324,
        "nan": float("nan"),
        "inf": float("inf"),
        "neg_inf": float("-inf"),
    }


def _scalars():
    return {"true": True, "false": False, "none": None}


def _deep(levels):
    d = {"leaf": "bottom"}
    for i in range(levels):
        d = {"level": i, "child": d} if i % 2 else {"child": [d]}
    return d


def _nested():
    return {
        "dict": {"a": {"b": {"c": [1, {"d": [[], {}, [None]]}]}}},
        "list": [1, "two", 3.5, [4, [5, [6]]], {"seven": 7}, True, None],
        "empty_dict": {},
        "empty_list": [],
        "deep": _deep(30),
    }


def _tuples():
    return {"tuple": (1, "a", (2, 3)), "empty_tuple": (), "list_of_tuples": [(1,), (2, 3)]}


def _order():
    # pymongo moves a top-level `_id` first when it writes BSON; JSON and pickle keep dict order.
    return {"zeta": 1, "alpha": 2, "_id": SID, "mid": 3}


def _internal(expires):
    # JWT writes drop `_expires`, `_path`, `_domain`; legacy writes keep them.
    return {"_expires": expires, "_path": "/", "_domain": "example.com", "user": "bob"}


def _many_keys():
    return {"k%03d" % i: i for i in range(300)}


def _bytes():
    return {"empty": b"", "all_bytes": bytes(range(256)), "ascii": b"abc", "nul": b"\x00"}


def _binary_subtypes():
    d = {"st%02x" % st: Binary(b"\x10abc", st) for st in (0, 1, 2, 3, 5, 6, 7, 8, 9, 0x80, 0xFF)}
    d["uuid_st4"] = Binary(bytes(range(16)), 4)
    d["uuid_st3"] = Binary(bytes(range(16, 32)), 3)
    d["empty_st5"] = Binary(b"", 5)
    return d


def _datetimes_naive():
    return {
        "ms": datetime.datetime(2024, 2, 29, 12, 34, 56, 789000),
        "us": datetime.datetime(2024, 2, 29, 12, 34, 56, 789999),
        "epoch": datetime.datetime(1970, 1, 1),
        "pre_epoch": datetime.datetime(1969, 12, 31, 23, 59, 59, 999000),
        "pre_epoch_us": datetime.datetime(1969, 12, 31, 23, 59, 59, 999500),
        "min": datetime.datetime(1, 1, 1),
        "max": datetime.datetime(9999, 12, 31, 23, 59, 59, 999000),
    }


def _datetimes_aware():
    return {
        "utc": datetime.datetime(2024, 1, 1, 12, 0, tzinfo=UTC),
        "ist": datetime.datetime(
            2024, 1, 1, 12, 0, 0, 250000, tzinfo=datetime.timezone(datetime.timedelta(hours=5, minutes=30))
        ),
        "pst": datetime.datetime(2023, 12, 31, 20, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-8))),
    }


def _bson_types():
    return {
        "oid": OID,
        "int64": Int64(2**40),
        "regex": Regex("^a.*b$", "imsx"),
        "regex_all_flags": Regex("x", "ilmsux"),
        "regex_none": Regex("plain", ""),
        "re_pattern": re.compile("^x", re.I | re.M),
        "code": Code("function () { return 1; }"),
        "code_scope": Code("x + y", {"y": 1, "z": [True]}),
        "code_empty_scope": Code("x", {}),
        "ts": Timestamp(1700000000, 7),
        "ts_max": Timestamp(2**32 - 1, 2**32 - 1),
        "ts_zero": Timestamp(0, 0),
        "dec": Decimal128("1.5E+3"),
        "dec_plain": Decimal128("123.456"),
        "dec_neg_zero": Decimal128("-0"),
        "dec_nan": Decimal128("NaN"),
        "dec_inf": Decimal128("-Infinity"),
        "dec_big": Decimal128("1234567890123456789012345678901234"),
        "dec_tiny": Decimal128("1E-6176"),
        "dec_exp": Decimal128("9.999999999999999999999999999999999E+6144"),
        "min": MinKey(),
        "max": MaxKey(),
        "dbref": DBRef("users", OID),
        "dbref_db": DBRef("users", 5, "app"),
    }


def _pymongo_pickled():
    # What Python 3 pickles during a rollout (write_original_format=true) when the session came
    # from a bsZ cookie: pymongo classes via NEWOBJ/BUILD.
    return {
        "oid": OID,
        "int64": Int64(5),
        "int64_big": Int64(2**40),
        "binary4": Binary(bytes(range(16)), 4),
        "binary0": Binary(b"abc", 0),
        "regex": Regex("^a", "i"),
        "dec": Decimal128("1.5"),
        "ts": Timestamp(1700000000, 1),
    }


def _pymongo_pickled_extra():
    # Also picklable by Python, but outside the classes a rollout typically writes.
    return {"code": Code("f()"), "code_scope": Code("g()", {"a": 1}), "min": MinKey(), "max": MaxKey()}


def blob(n, kind, seed=4064):
    """n bytes (kind 'bytes') or n printable ASCII characters (kind 'str') that zlib cannot shrink."""
    rng = random.Random(seed)
    if kind == "bytes":
        return bytes(rng.getrandbits(8) for _ in range(n))
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
    return "".join(rng.choice(alphabet) for _ in range(n))


def largest_fitting(encode, kind, limit=MAX_COOKIE_LEN):
    """The session {'_id': SID, 'blob': blob(n)} with the largest n whose cookie is <= limit.

    Returns (session, cookie). `encode` maps a session dict to a cookie string.
    """
    lo, hi = 0, limit
    best = None
    while lo <= hi:
        mid = (lo + hi) // 2
        session = {"_id": SID, "blob": blob(mid, kind)}
        cookie = encode(dict(session))
        if len(cookie) <= limit:
            best = (session, cookie)
            lo = mid + 1
        else:
            hi = mid - 1
    return best


def sessions(mode):
    """[(name, session dict)] for `mode`; names are file-name safe."""
    if mode not in MODES:
        raise ValueError("unknown mode %r" % (mode,))
    cases = [
        ("beaker_typical", _beaker_typical()),
        ("empty", {}),
        ("scalars", _scalars()),
        ("floats", _floats()),
        ("nested", _nested()),
        ("tuples", _tuples()),
        ("order", _order()),
        ("many_keys", _many_keys()),
    ]
    cases.append(("strings", _strings()))
    cases.append(("ints", _ints(int64_class=(mode == "jwt_bson"))))
    if mode == "jwt_bson":
        cases += [
            ("internal_dropped", _internal(datetime.datetime(2030, 1, 1))),
            ("bytes", _bytes()),
            ("binary_subtypes", _binary_subtypes()),
            ("datetimes", _datetimes_naive()),
            ("datetimes_aware", _datetimes_aware()),
            ("bson_types", _bson_types()),
        ]
    elif mode == "jwt_json":
        cases.append(("internal_dropped", _internal("Wed, 01-Jan-2030 00:00:00 GMT")))
    elif mode == "legacy_pickle":
        cases += [
            ("internal_kept", _internal(datetime.datetime(2030, 1, 1))),
            ("bytes", _bytes()),
            ("datetimes", _datetimes_naive()),
            ("datetimes_aware", _datetimes_aware()),
            ("pymongo_rollout", _pymongo_pickled()),
            ("removed_key", {"user": "bob", "drop_me": decimal.Decimal("1.5")}),
        ]
    elif mode == "legacy_json":
        cases.append(("internal_kept", _internal("Wed, 01-Jan-2030 00:00:00 GMT")))
    return cases


def extra_sessions(mode):
    """Sessions Python accepts that a reader may refuse by design (an opcode whitelist)."""
    if mode == "legacy_pickle":
        return [("pymongo_extra", _pymongo_pickled_extra())]
    return []


def widest_shapes(mode):
    """[(name, make(n), must_read)]: sessions of n tiny values, to be grown to the widest that fits
    Beaker's 4064-character cap (`widest_fitting`). `must_read`: a Rust reader with the default
    limits must accept the widest one, because the cookie's size bounds its values (about 3,000
    at most); otherwise (a JSON text that zlib shrinks a hundredfold, one list repeated by
    reference) Python may hold far more values than the default limits let a reader build, and
    the case is an "extra" one.
    """
    bounded = mode != "legacy_json"
    shapes = [
        ("widest_nulls", lambda n: {"a": [None] * n}, bounded),
        ("widest_zeros", lambda n: {"a": [0] * n}, bounded),
        ("widest_empty_lists", lambda n: {"a": [[] for _ in range(n)]}, bounded),
        ("widest_empty_dicts", lambda n: {"a": [{} for _ in range(n)]}, bounded),
        ("widest_keys", lambda n: {"k%d" % i: None for i in range(n)}, bounded),
        ("widest_shared_list", lambda n: (lambda x: {"a": [x] * n})([None] * n), False),
    ]
    return shapes


def widest_fitting(encode, make, limit=MAX_COOKIE_LEN, most=1 << 21):
    """The session make(n) with the largest n (at most `most`) whose cookie is <= limit.

    Returns (n, session, cookie). `encode` maps a session dict to a cookie string.
    """
    best = (0, make(0), encode(make(0)))
    lo, hi = 1, 1
    while hi <= most:
        session = make(hi)
        cookie = encode(dict(session))
        if len(cookie) > limit:
            break
        best = (hi, session, cookie)
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        session = make(mid)
        cookie = encode(dict(session))
        if len(cookie) <= limit:
            best = (mid, session, cookie)
            lo = mid
        else:
            hi = mid
    return best


def refused_sessions(mode):
    """Sessions Python writes but refuses to read back in `mode` (with the vector options)."""
    if mode == "legacy_pickle":
        # decimal.Decimal survives remove_keys, then bson.encode refuses it.
        return [("kept_unbsonable", {"user": "bob", "keep_me": decimal.Decimal("1.5")})]
    return []
