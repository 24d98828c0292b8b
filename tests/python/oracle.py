"""The Python side of tests/python_interop.rs: answers JSON-lines requests with the real package.

Run as `python oracle.py`; it reads one JSON object per line from stdin and writes one JSON
object per line to stdout (flushed), until end of input. Sessions travel as MongoDB canonical
Extended JSON (`bson.json_util`, CANONICAL_JSON_OPTIONS), cookies as plain strings. Options are
Beaker option names with the `session.` (or `beaker.session.`) prefix and string values, exactly
the pairs the Rust side passes to `Config::from_options`.

Cookies are read and written by `JWTCookieSession._decrypt_data` / `_encrypt_data` of
beaker-session-jwt 1.0.4: the two functions that define the format.

Requests (`op`) and answers:
  decode   {options, cookie}            -> {ok: true, session, paths} | {ok: false, error}
           `paths` lists the key path of every dict entry, depth first in dict order (list
           items by index, a Code scope under "$scope"), so key order is checked at every depth
  encode   {options, session: "<ext>"}  -> {ok: true, cookie} | {ok: false, error}
  catalog  {mode, write_options, read_options}
                                        -> {ok: true, cases: [{name, kind, cookie, python}]}
           `python` is the decode answer for `cookie` with read_options; `kind` is "accepted"
           (catalog.sessions), "extra" (catalog.extra_sessions, and the widest sessions a reader may
           refuse by its limits), "widest" (catalog.widest_shapes: the widest session of tiny values
           that fits 4064 chars, which a reader with default limits must accept), "refused"
           (catalog.refused_sessions) or "max_size" (the largest blob that fits 4064 chars).
  bsz      {session: "<ext>"}           -> {ok: true, bsz}: base85(zlib9(BSON)), as the package
  jws      {header, claims, key}        -> {ok: true, token}: joserfc jwt.encode, any HS alg
  decode_relaxed {options, cookie}      -> {ok: true, session} | {ok: false, error}
           as decode, the session as RELAXED_JSON_OPTIONS Extended JSON (tests/cli_interop.rs)
  cookie_header {kwargs, header}        -> {ok: true, value}: the value of our cookie that
           JWTCookieSession hands to `_decrypt_data` for a `Cookie:` header (null when it
           loads none); `kwargs` are typed constructor arguments
  set_cookie    {kwargs}                -> {ok: true, cookie_out}: the Set-Cookie value a new
           session writes on save(), in UTC (TZ=UTC)
A request the oracle cannot serve is answered with {fatal: "..."}; the Rust side panics on it.
"""

import json
import logging
import os
import sys
import time
import traceback
import zlib
from base64 import b85encode

sys.dont_write_bytecode = True  # keep tests/python free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bson  # noqa: E402
from beaker_session_jwt import JWTCookieSession  # noqa: E402
from bson import DBRef, json_util  # noqa: E402
from bson.code import Code  # noqa: E402
from bson.json_util import CANONICAL_JSON_OPTIONS, RELAXED_JSON_OPTIONS  # noqa: E402
from joserfc import jwt  # noqa: E402
from joserfc.jwk import OctKey  # noqa: E402

import catalog  # noqa: E402

# The legacy path logs an error before re-raising; the answer carries the exception instead.
logging.getLogger("beaker_session_jwt").setLevel(logging.CRITICAL)


class Fatal(Exception):
    """A malformed request: a bug in the test harness, not a cookie refusal."""


def make_session(options):
    """A JWTCookieSession built from Beaker option pairs, emptied of the `_id` it makes up."""
    kwargs = {}
    for name, value in options.items():
        for prefix in ("beaker.session.", "session."):
            if name.startswith(prefix):
                kwargs[name[len(prefix):]] = value
                break
        else:
            raise Fatal("option without a session. prefix: %r" % (name,))
    session = JWTCookieSession({"cookie": ""}, **kwargs)
    # The constructor stores a fresh random `_id`; `_encrypt_data` writes `self.copy()` when
    # handed an empty dict, so clear it for `encode({})` to write an empty session.
    session.clear()
    return session


def to_ext(doc):
    """Canonical Extended JSON of a decoded session, as a JSON value."""
    return json.loads(json_util.dumps(doc, json_options=CANONICAL_JSON_OPTIONS))


def from_ext(text):
    """A session dict from canonical Extended JSON text (keeps Int64, bytes, naive datetimes)."""
    if not isinstance(text, str):
        raise Fatal("session must be Extended JSON text")
    doc = json_util.loads(text, json_options=CANONICAL_JSON_OPTIONS)
    if not isinstance(doc, dict):
        raise Fatal("session must be a JSON object")
    return doc


def key_paths(obj, prefix=()):
    """Every dict entry's key path, depth first in dict order (see the module docs)."""
    out = []
    if isinstance(obj, DBRef):
        obj = obj.as_doc()
    if isinstance(obj, dict):
        for key, value in obj.items():
            path = prefix + (key,)
            out.append(list(path))
            out += key_paths(value, path)
    elif isinstance(obj, (list, tuple)):
        for i, value in enumerate(obj):
            out += key_paths(value, prefix + (i,))
    elif isinstance(obj, Code) and obj.scope is not None:
        out += key_paths(obj.scope, prefix + ("$scope",))
    return out


def error_text(exc):
    return "%s: %s" % (type(exc).__name__, exc)


def decode(options, cookie):
    session = make_session(options)
    try:
        data = session._decrypt_data(cookie)
    except Exception as exc:  # any exception is Python refusing the cookie
        return {"ok": False, "error": error_text(exc)}
    return {"ok": True, "session": to_ext(data), "paths": key_paths(data)}


def decode_relaxed(options, cookie):
    session = make_session(options)
    try:
        data = session._decrypt_data(cookie)
    except Exception as exc:
        return {"ok": False, "error": error_text(exc)}
    return {"ok": True, "session": json.loads(json_util.dumps(data, json_options=RELAXED_JSON_OPTIONS))}


def encode(options, data):
    session = make_session(options)
    try:
        cookie = session._encrypt_data(data)
    except Exception as exc:
        return {"ok": False, "error": error_text(exc)}
    return {"ok": True, "cookie": cookie}


def op_catalog(req):
    mode = req["mode"]
    write_options = req["write_options"]
    read_options = req.get("read_options", write_options)
    writer = make_session(write_options)
    cases = []

    def add(name, kind, data):
        cookie = writer._encrypt_data(dict(data))
        cases.append({"name": name, "kind": kind, "cookie": cookie, "python": decode(read_options, cookie)})

    for name, data in catalog.sessions(mode):
        add(name, "accepted", data)
    for name, data in catalog.extra_sessions(mode):
        add(name, "extra", data)
    for name, data in catalog.refused_sessions(mode):
        add(name, "refused", data)
    for name, make, must_read in catalog.widest_shapes(mode):
        n, _, cookie = catalog.widest_fitting(lambda d: writer._encrypt_data(d), make)
        kind = "widest" if must_read else "extra"
        cases.append({"name": "%s_%d" % (name, n), "kind": kind, "cookie": cookie,
                      "python": decode(read_options, cookie)})
    kind = "bytes" if mode in ("jwt_bson", "legacy_pickle") else "str"
    _, cookie = catalog.largest_fitting(lambda d: writer._encrypt_data(d), kind)
    cases.append({"name": "max_size", "kind": "max_size", "cookie": cookie, "python": decode(read_options, cookie)})
    return {"ok": True, "cases": cases}


def op_bsz(req):
    data = from_ext(req["session"])
    return {"ok": True, "bsz": b85encode(zlib.compress(bson.encode(data), level=9)).decode("ascii")}


def op_jws(req):
    header = req["header"]
    key = OctKey.import_key(req["key"])
    token = jwt.encode(header, req["claims"], key, algorithms=[header["alg"]])
    return {"ok": True, "token": token}


class _HeaderProbe(JWTCookieSession):
    """Records the cookie value the constructor hands to `_decrypt_data`."""

    seen = None

    def _decrypt_data(self, session_data):
        self.seen = session_data
        return {}


def op_cookie_header(req):
    session = _HeaderProbe({"cookie": req["header"]}, **req["kwargs"])
    return {"ok": True, "value": session.seen}


def op_set_cookie(req):
    os.environ["TZ"] = "UTC"
    time.tzset()
    request = {"cookie": ""}
    session = JWTCookieSession(request, **req["kwargs"])
    session["x"] = 1
    session.save()
    return {"ok": True, "cookie_out": request["cookie_out"]}


def answer(req):
    op = req.get("op")
    if op == "decode":
        return decode(req["options"], req["cookie"])
    if op == "encode":
        return encode(req["options"], from_ext(req["session"]))
    if op == "catalog":
        return op_catalog(req)
    if op == "bsz":
        return op_bsz(req)
    if op == "jws":
        return op_jws(req)
    if op == "decode_relaxed":
        return decode_relaxed(req["options"], req["cookie"])
    if op == "cookie_header":
        return op_cookie_header(req)
    if op == "set_cookie":
        return op_set_cookie(req)
    raise Fatal("unknown op %r" % (op,))


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply = answer(json.loads(line))
        except Exception as exc:
            reply = {"fatal": error_text(exc) + "\n" + traceback.format_exc()}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
