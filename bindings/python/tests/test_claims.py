"""Hand-made JWTs (only a key holder can make them): claims beside bsZ, JSON values at their
edges, headers joserfc refuses. Python and ours side by side."""

import base64
import hashlib
import hmac
import json
import zlib

import bson
import pytest
from joserfc import jws, jwt
from joserfc.jwk import OctKey

import beaker_session_jwt_rs as rs
from conftest import KEY1, outcome, pair, same

KEY = OctKey.import_key(KEY1)


def bsz(doc):
    return base64.b85encode(zlib.compress(bson.encode(doc), 9)).decode()


def token(claims, header=None):
    return jwt.encode(header or {"alg": "HS256"}, claims, KEY)


def raw_token(payload: bytes):
    """A JWS over exactly these payload bytes (the claims need not be JSON)."""
    return jws.serialize_compact({"typ": "JWT", "alg": "HS256"}, payload, KEY)


@pytest.mark.parametrize("mode", ["true", "false"])
@pytest.mark.parametrize("claims", [
    {"bsZ": bsz({"a": 1, "big": bson.Int64(5)}), "big": 2**40, "ref": {"$ref": "c", "$id": 1}, "a": "claim"},
    {"bsZ": bsz({"x": 1}), "n": 5_000_000_000, "l": [2**40, {"$ref": "x", "$id": 2}]},
    {"n": 2**40, "f": 1.0, "e": 1e308, "s": "\u00e9\u2028", "nested": {"a": [None, True, False]}},
    {"bsZ": "", "keep": 1},
    {"bsZ": None, "keep": 1},
    {"bsZ": 0, "keep": 1},
    {"bsZ": bsz({}), "bsZ2": bsz({"x": 1})},
    {"bsZ": bsz({"k": 1, "z": 2}), "z": 1, "k": 0, "b": 3},
])
def test_claims_beside_bsz_read_as_python_reads_them(mode, claims):
    py, ours = pair(jwt_secret_keys=KEY1, bson_compress_jwt_payload=mode)
    cookie = token(claims)
    (k1, v1), (k2, v2) = outcome(py, cookie), outcome(ours, cookie)
    assert k1 == k2, (v1, v2)
    if k1 == "ok":
        same(v1, v2)
    else:
        assert isinstance(v2, type(v1))


@pytest.mark.parametrize("payload", [
    b'{"a":NaN,"b":Infinity,"c":-Infinity}',
    b'{"a":1,"a":2,"b":{"x":1,"x":[1]}}',
    b'{"a":1e400,"b":-0.0,"c":0.1e1,"d":1E2}',
    b'{"a":"\\ud83d\\ude00","b":"\\u0000"}',
    b' {"a" : [ 1 , 2 ] } ',
    b'{"a":9223372036854775807,"b":-9223372036854775808}',
    b'[1]', b'"x"', b'{"a":', b'\xff',
])
def test_json_claims_at_their_edges(payload):
    py, ours = pair(jwt_secret_keys=KEY1, bson_compress_jwt_payload="false")
    cookie = raw_token(payload)
    (k1, v1), (k2, v2) = outcome(py, cookie), outcome(ours, cookie)
    assert k1 == k2, (v1, v2)
    if k1 == "ok":
        same(v1, v2)
    else:
        assert isinstance(v2, type(v1)) and isinstance(v2, rs.CookieError), (v1, v2)


def test_json_integer_beyond_64_bits_is_a_deliberate_refusal():
    py, ours = pair(jwt_secret_keys=KEY1, bson_compress_jwt_payload="false")
    cookie = raw_token(b'{"a":18446744073709551616}')
    assert py._decrypt_data(cookie) == {"a": 2**64}
    with pytest.raises(rs.UnsupportedValue):
        ours._decrypt_data(cookie)


@pytest.mark.parametrize("header", [
    {"alg": "HS512"}, {"alg": "none"}, {"alg": "HS256", "crit": ["x"], "x": 1},
    {"alg": "HS256", "foo": 1}, {"alg": "HS256", "typ": 1}, {"alg": "HS256", "kid": 5},
])
def test_refused_headers_raise_joserfcs_class(header):
    py, ours = pair(jwt_secret_keys=KEY1)
    h = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    p = base64.urlsafe_b64encode(b'{"bsZ":"' + bsz({"a": 1}).encode() + b'"}').rstrip(b"=").decode()
    sig = hmac.new(KEY1.encode(), f"{h}.{p}".encode(), hashlib.sha256).digest()
    cookie = f"{h}.{p}." + base64.urlsafe_b64encode(sig).rstrip(b"=").decode()
    (k1, v1), (k2, v2) = outcome(py, cookie), outcome(ours, cookie)
    assert (k1, k2) == ("error", "error"), (v1, v2)
    assert isinstance(v2, type(v1)), (v1, v2)
