"""Hostile cookies (as tests/pickle_hostile.rs and SECURITY.md describe them), signed with the
legacy key (the threat model lets the attacker know it) or the JWT key: refused, and nothing in
them runs. The pure-Python class is never given these pickles: it would run them."""

import base64
import hashlib
import hmac
import json
import pickle
import struct
import zlib

import pytest

import beaker_session_jwt_rs as rs
from conftest import KEY1, LEGACY_KEY, RS, make

LEGACY = dict(jwt_secret_keys=KEY1, read_original_format="true",
              original_format_validate_key=LEGACY_KEY)


def signed(payload: bytes) -> str:
    """A legacy Beaker cookie: 40 hex of HMAC-SHA1, then base64 of the payload."""
    data = base64.b64encode(payload).decode()
    return hmac.new(LEGACY_KEY.encode(), data.encode(), hashlib.sha1).hexdigest() + data


def unicode(s: str) -> bytes:
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def around(evil: bytes) -> bytes:
    """`{'a': 1, 'evil': <evil>}` at protocol 2, as tests/pickle_hostile.rs builds it."""
    return b"\x80\x02}(" + unicode("a") + b"K\x01" + unicode("evil") + evil + b"u."


GLOBALS = [b"cos\nsystem\n", b"cposix\nsystem\n", b"csubprocess\nPopen\n", b"cbuiltins\neval\n",
           b"c__builtin__\neval\n", b"cbuiltins\nexec\n", b"cbuiltins\n__import__\n", b"cpickle\nloads\n"]


@pytest.mark.parametrize("global_", GLOBALS, ids=lambda g: g.decode().strip().replace("\n", "."))
def test_code_running_global_is_refused_and_never_called(global_, no_code_ran):
    command = f"touch {no_code_ran}"
    if b"eval" in global_ or b"exec" in global_:
        command = f"open({str(no_code_ran)!r}, 'w')"
    cookie = signed(around(global_ + unicode(command) + b"\x85R"))
    with pytest.raises(rs.RefusedPickleGlobal) as exc:
        make(RS, **LEGACY)._decrypt_data(cookie)
    assert isinstance(exc.value, pickle.UnpicklingError)
    assert isinstance(exc.value, rs.CookieError)
    # Listed in original_format_remove_keys, the key is dropped and the session reads.
    assert make(RS, original_format_remove_keys="evil", **LEGACY)._decrypt_data(cookie) == {"a": 1}


def test_pickle_module_dumps_of_a_reduce_object_is_refused(no_code_ran):
    """What an attacker writes with Python itself: an object whose __reduce__ is os.system."""
    class Evil:
        def __reduce__(self):
            import os
            return (os.system, (f"touch {no_code_ran}",))
    for protocol in range(0, 6):
        cookie = signed(pickle.dumps({"a": 1, "evil": Evil()}, protocol=protocol))
        with pytest.raises(rs.RefusedPickleGlobal):
            make(RS, **LEGACY)._decrypt_data(cookie)


@pytest.mark.parametrize("evil", [
    b"(cos\nsystem\n" + unicode("touch /nonexistent/x") + b"o",          # OBJ
    b"(" + unicode("touch /nonexistent/x") + b"ios\nsystem\n",            # INST
    unicode("os") + unicode("system") + b"\x93" + unicode("id") + b"\x85R",  # STACK_GLOBAL
    b"cos\nsystem\n)\x81}b",                                               # NEWOBJ + BUILD
    b"cdatetime\ndatetime\nC\n\x07\xe8\x01\x02\0\0\0\0\0\0cos\nsystem\n" + unicode("id") + b"\x85R\x86R",
    b"P1\n",                                                               # PERSID
    b"\x82\x01",                                                           # EXT1
])
def test_other_code_paths_stay_inert(evil):
    with pytest.raises(rs.RefusedPickleGlobal):
        make(RS, **LEGACY)._decrypt_data(signed(around(evil)))


def test_memo_bomb_is_refused_by_the_limits():
    """Billion laughs: ten lists of ten references to the previous one (10**9 values)."""
    p = bytearray(b"\x80\x02}X\x01\x00\x00\x00b]q\x00K\x01a0")
    for level in range(1, 10):
        p += b"](" + bytes([ord("h"), level - 1]) * 10 + bytes([ord("e"), ord("q"), level, ord("0")])
    p += b"h\x09s."
    with pytest.raises(rs.LimitExceeded):
        make(RS, **LEGACY)._decrypt_data(signed(bytes(p)))


def test_huge_memo_index_and_opcode_outside_the_whitelist_are_malformed():
    for p in (b"\x80\x02}r\xff\xff\xff\x7f.", b"\x80\x02}\xff."):
        with pytest.raises((rs.MalformedPickle, rs.LimitExceeded)) as exc:
            make(RS, **LEGACY)._decrypt_data(signed(p))
        assert isinstance(exc.value, pickle.UnpicklingError) or isinstance(exc.value, rs.LimitExceeded)


def test_legacy_json_zlib_bomb_is_refused():
    """zlib(JSON) that inflates a hundredfold past max_inflated_len (Python inflates it all)."""
    payload = zlib.compress(json.dumps({"a": [None] * 200_000}).encode(), 9)
    options = dict(LEGACY, original_format_data_serializer="json")
    with pytest.raises(rs.LimitExceeded):
        make(RS, **options)._decrypt_data(signed(payload))


def test_bsz_bomb_signed_with_the_jwt_key_is_refused():
    """A key holder's bsZ that inflates to 16 MB: refused at 256 KiB, not inflated."""
    import bson
    from joserfc import jwt
    from joserfc.jwk import OctKey
    doc = bson.encode({"a": "x" * (16 << 20)})
    bsz = base64.b85encode(zlib.compress(doc, 9)).decode()
    cookie = jwt.encode({"alg": "HS256"}, {"bsZ": bsz}, OctKey.import_key(KEY1))
    with pytest.raises(rs.LimitExceeded):
        make(RS, jwt_secret_keys=KEY1)._decrypt_data(cookie)


def test_oversized_cookie_is_refused_before_any_work():
    with pytest.raises(rs.LimitExceeded):
        make(RS, jwt_secret_keys=KEY1)._decrypt_data("a" * 9000)


def test_legacy_pickles_never_reach_the_pickle_module(monkeypatch):
    """Every Python-written legacy pickle of the corpus reads with pickle's loaders disabled."""
    import glob
    import os

    from conftest import DATA, read_ini

    def forbidden(*args, **kwargs):
        raise AssertionError("pickle used to read a cookie")
    for name in ("loads", "load", "Unpickler", "_loads", "_load", "_Unpickler"):
        monkeypatch.setattr(pickle, name, forbidden, raising=False)
    options = read_ini(os.path.join(DATA, "legacy_pickle", "options.ini"))
    read = 0
    for path in sorted(glob.glob(os.path.join(DATA, "legacy_pickle", "*.cookie"))):
        with open(path) as f:
            cookie = f.read()
        try:
            make(RS, **options)._decrypt_data(cookie)
            read += 1
        except rs.CookieError:
            pass
    assert read >= 20
