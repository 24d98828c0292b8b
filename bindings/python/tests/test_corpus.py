"""The interop corpus (tests/data/<mode>/, written by the Python package): the pure-Python
class and ours read every vector side by side. Where Python returns a session, ours returns the
same, type for type; where Python raises, ours raises an exception of Python's class, except for
the deliberate differences listed below (each with its reason; README.md lists them)."""

import glob
import os

import bson
import pytest

from conftest import DATA, PY, RS, make, outcome, read_ini, same

import beaker_session_jwt_rs as rs

MODES = ("jwt_bson", "jwt_json", "legacy_pickle", "legacy_json")

# (mode, case) -> (what we do instead, why). Legacy pickles: what Python's pickle.loads builds,
# we return as the session will be once written as the JWT (see test_legacy_pickle_values).
DIFFERENCES = {
    ("legacy_pickle", "bad_py2_datetime_non_ascii"): (
        "ok", "Python 2 byte strings that are not ASCII are read (Python 3's Beaker cannot)"),
    ("legacy_pickle", "bad_py2_str_non_ascii"): (
        "ok", "Python 2 byte strings that are not ASCII are read (Python 3's Beaker cannot)"),
    ("legacy_pickle", "bad_not_base64"): (
        rs.MalformedBase64, "non-canonical base64 is refused; Python skips the stray characters"),
    ("legacy_json", "bad_not_base64"): (
        rs.MalformedBase64, "non-canonical base64 is refused; Python skips the stray characters"),
}


def cases():
    for mode in MODES:
        for path in sorted(glob.glob(os.path.join(DATA, mode, "*.cookie"))):
            yield pytest.param(mode, os.path.basename(path)[: -len(".cookie")], id=f"{mode}/{os.path.basename(path)[:-7]}")


def options_for(mode, case):
    ini = os.path.join(DATA, mode, case + ".ini")
    if not os.path.exists(ini):
        ini = os.path.join(DATA, mode, "options.ini")
    return read_ini(ini)


def as_rewritten(session):
    """A legacy session's values as Python holds them once written as a bsZ JWT and read back
    (in the pickle's key order: pymongo moves a top-level `_id` first, the pickle does not)."""
    values = bson.decode(bson.encode(session))
    return {k: values[k] for k in session}


@pytest.mark.parametrize("mode,case", list(cases()))
def test_corpus_vector_reads_as_python_reads_it(mode, case):
    options = options_for(mode, case)
    with open(os.path.join(DATA, mode, case + ".cookie")) as f:
        cookie = f.read()
    py_kind, py_value = outcome(make(PY, **options), cookie)
    rs_kind, rs_value = outcome(make(RS, **options), cookie)
    expected = DIFFERENCES.get((mode, case))
    if expected is not None:
        want, _why = expected
        if want == "ok":
            assert (py_kind, rs_kind) == ("error", "ok"), (py_value, rs_value)
        else:
            assert rs_kind == "error" and isinstance(rs_value, want), rs_value
        return
    assert rs_kind == py_kind, f"python {py_kind}: {py_value!r}; ours {rs_kind}: {rs_value!r}"
    if py_kind == "error":
        assert isinstance(rs_value, type(py_value)), f"python {py_value!r}; ours {rs_value!r}"
        assert isinstance(rs_value, rs.CookieError)
        return
    if mode == "legacy_pickle" and options.get("bson_compress_jwt_payload", "true") == "true":
        same(as_rewritten(py_value), rs_value)
    else:
        same(py_value, rs_value)
