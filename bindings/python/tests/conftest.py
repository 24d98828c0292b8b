"""Shared helpers: the two session classes side by side, the corpus, value comparison."""

import configparser
import logging
import math
import os
import warnings

import beaker_session_jwt
import bson
import pytest

import beaker_session_jwt_rs

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
DATA = os.path.join(ROOT, "tests", "data")

# The Python package logs an error before re-raising on the legacy path.
logging.getLogger("beaker_session_jwt").setLevel(logging.CRITICAL)
warnings.filterwarnings("ignore", category=DeprecationWarning)

KEY1 = "bindings-key-one-0123456789"
KEY2 = "bindings-key-two-0123456789"
LEGACY_KEY = "bindings-legacy-validate-key"

PY = beaker_session_jwt.JWTCookieSession
RS = beaker_session_jwt_rs.JWTCookieSession


def read_ini(path):
    """The `session.*` options of an options.ini, as JWTCookieSession keyword arguments."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    out = {}
    for name, value in parser["app:main"].items():
        if name.startswith("session."):
            out[name[len("session."):]] = value
    return out


def make(cls, **options):
    """A session of `cls` for a request without cookie, emptied of the `_id` it makes up
    (as tests/python/oracle.py does)."""
    s = cls({"cookie": ""}, **options)
    s.clear()
    return s


def pair(**options):
    return make(PY, **options), make(RS, **options)


def same(a, b, path="$"):
    """Asserts `a` and `b` are equal type for type, key order included, at every depth."""
    assert type(a) is type(b), f"{path}: {type(a).__name__} != {type(b).__name__} ({a!r} / {b!r})"
    if isinstance(a, dict):
        assert list(a) == list(b), f"{path}: keys {list(a)} != {list(b)}"
        for k in a:
            same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), f"{path}: lengths {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{i}]")
    elif isinstance(a, float):
        assert (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b)), f"{path}: {a!r} != {b!r}"
    elif isinstance(a, bson.DBRef):
        same(a.as_doc(), b.as_doc(), path)
    elif isinstance(a, bson.code.Code):
        assert str(a) == str(b), path
        same(a.scope, b.scope, path + ".$scope")
    elif isinstance(a, bson.Regex):
        assert (a.pattern, a.flags) == (b.pattern, b.flags), path
        same(a.pattern, b.pattern, path)
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"
        if hasattr(a, "subtype"):
            assert a.subtype == b.subtype, path


def outcome(session, cookie):
    """("ok", session dict) or ("error", exception) for `session._decrypt_data(cookie)`."""
    try:
        return "ok", session._decrypt_data(cookie)
    except Exception as exc:  # any exception is a refusal
        return "error", exc


@pytest.fixture
def no_code_ran(tmp_path):
    """A marker path a hostile pickle would create; asserts it was never created."""
    marker = tmp_path / "pwned"
    yield marker
    assert not marker.exists(), "a pickle's code ran"
