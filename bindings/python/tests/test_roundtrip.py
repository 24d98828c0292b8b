"""Random sessions, both directions: each class reads what the other writes, to the same
values type for type, in every format (bsZ and JSON claims JWTs, legacy pickle and json)."""

import datetime
import random
import uuid

import bson
import pytest
from bson.binary import Binary
from bson.code import Code
from bson.decimal128 import Decimal128
from bson.int64 import Int64
from bson.max_key import MaxKey
from bson.min_key import MinKey
from bson.regex import Regex
from bson.timestamp import Timestamp

from conftest import KEY1, KEY2, LEGACY_KEY, pair, same

BSZ = dict(jwt_secret_keys=f"{KEY1}, {KEY2}")
JSON = dict(BSZ, bson_compress_jwt_payload="false")


def text(r):
    alphabet = "abcxyz _-.$€éñ中文\u2028\"\\/\x01\U0001f600"
    return "".join(r.choice(alphabet) for _ in range(r.randrange(0, 12)))


def json_scalar(r):
    return r.choice([
        lambda: None, lambda: True, lambda: False,
        lambda: r.randrange(-2**31, 2**31), lambda: r.randrange(-2**63, 2**63),
        lambda: r.choice([0.0, -0.0, 1.5, 1e300, -2.5e-308, 0.1, float("inf"), 1/3]),
        lambda: text(r),
    ])()


def bson_scalar(r):
    return r.choice([
        lambda: json_scalar(r),
        lambda: Int64(r.randrange(-2**63, 2**63)),
        lambda: float("nan"),
        lambda: bytes(r.randrange(256) for _ in range(r.randrange(0, 9))),
        lambda: Binary(bytes(r.randrange(256) for _ in range(16)), r.choice([1, 2, 3, 4, 5, 6, 0x80])),
        lambda: datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=r.randrange(-2**40, 2**42)),
        lambda: datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=r.randrange(-12, 13)))),
        lambda: bson.ObjectId(bytes(r.randrange(256) for _ in range(12))),
        lambda: Regex(text(r).replace("\x00", ""), r.choice(["", "i", "ims", "lux"])),
        lambda: Decimal128(r.choice(["1.5", "-0", "NaN", "1E+6144", "123456789.000"])),
        lambda: Timestamp(r.randrange(2**32), r.randrange(2**32)),
        lambda: Code(text(r)),
        lambda: Code(text(r), {"x": r.randrange(10)}),
        lambda: MinKey(), lambda: MaxKey(),
        lambda: bson.DBRef("coll", r.randrange(100), "db"),
        lambda: {"$ref": "c", "$id": 1},
        lambda: Binary.from_uuid(uuid.UUID(int=r.getrandbits(128))),
        lambda: (1, "two"),
    ])()


def session(r, scalar, depth=0):
    out = {}
    for _ in range(r.randrange(0, 6 if depth else 10)):
        key = text(r).replace("\x00", "") or "k"
        roll = r.random()
        if roll < 0.15 and depth < 3:
            out[key] = session(r, scalar, depth + 1)
        elif roll < 0.3 and depth < 3:
            out[key] = [scalar(r) for _ in range(r.randrange(0, 4))] + [session(r, scalar, depth + 1)]
        else:
            out[key] = scalar(r)
    return out


def check_both_ways(options, data):
    py, ours = pair(**options)
    for writer in (py, ours):
        cookie = writer._encrypt_data(dict(data))
        same(py._decrypt_data(cookie), ours._decrypt_data(cookie))
    # And ours writes what Python writes, apart from zlib's bytes: the same session comes back.
    same(py._decrypt_data(py._encrypt_data(dict(data))), ours._decrypt_data(ours._encrypt_data(dict(data))))


@pytest.mark.parametrize("seed", range(150))
def test_random_bsz_sessions_both_ways(seed):
    check_both_ways(BSZ, session(random.Random(seed), bson_scalar))


@pytest.mark.parametrize("seed", range(100))
def test_random_json_claims_sessions_both_ways(seed):
    check_both_ways(JSON, session(random.Random(1000 + seed), json_scalar))


@pytest.mark.parametrize("serializer", ["pickle", "json"])
@pytest.mark.parametrize("seed", range(40))
def test_random_legacy_sessions_both_ways(serializer, seed):
    """write_original_format on both sides; the readers have read_original_format. JSON-only
    values, which a legacy pickle and a legacy json payload both carry unchanged."""
    legacy = dict(original_format_validate_key=LEGACY_KEY, original_format_data_serializer=serializer)
    write = dict(BSZ, write_original_format="true", **legacy)
    read = dict(BSZ, read_original_format="true", **legacy)
    # `_id` not first: a legacy payload keeps the dict's order (pymongo would move it first).
    data = {"z": 0, "_id": "3f2a9c1e8b7d4f6a0c5e1b2d9f8a7c6e", **session(random.Random(2000 + seed), json_scalar)}
    py_w, ours_w = pair(**write)
    py_r, ours_r = pair(**read)
    for writer in (py_w, ours_w):
        cookie = writer._encrypt_data(dict(data))
        assert len(cookie) > 40 and "." not in cookie
        expected = py_r._decrypt_data(cookie)
        if serializer == "pickle":
            # Python returns the unpickled objects; ours the values the JWT will carry.
            expected = bson.decode(bson.encode(expected))
            expected = {k: expected[k] for k in py_r._decrypt_data(cookie)}
        same(expected, ours_r._decrypt_data(cookie))


def test_rotated_key_is_read_by_both():
    py_old, ours_old = pair(jwt_secret_keys=KEY2)
    py, ours = pair(**BSZ)
    for cookie in (py_old._encrypt_data({"a": 1}), ours_old._encrypt_data({"a": 1})):
        same(py._decrypt_data(cookie), ours._decrypt_data(cookie))


@pytest.mark.parametrize("value", [
    {1, 2}, object(), uuid.uuid4(), 2**64, {"a": {1: 2}}, {"\x00": 1},
])
def test_unwritable_sessions_raise_what_python_raises(value):
    py, ours = pair(**BSZ)
    with pytest.raises(Exception) as py_exc:
        py._encrypt_data({"v": value})
    with pytest.raises(type(py_exc.value)):
        ours._encrypt_data({"v": value})


@pytest.mark.parametrize("value", [{1, 2}, object(), datetime.datetime(2020, 1, 1), b"x"])
def test_unwritable_json_claims_raise_what_python_raises(value):
    py, ours = pair(**JSON)
    with pytest.raises(Exception) as py_exc:
        py._encrypt_data({"v": value})
    with pytest.raises(type(py_exc.value)):
        ours._encrypt_data({"v": value})


def test_json_claims_keys_and_exp_as_joserfc_writes_them():
    data = {1: "int key", None: "none key", 2.5: "float key", "exp": datetime.datetime(2030, 1, 1), "t": (1, 2)}
    py, ours = pair(**JSON)
    same(py._decrypt_data(py._encrypt_data(dict(data))), ours._decrypt_data(ours._encrypt_data(dict(data))))
