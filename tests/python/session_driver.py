"""The Python side of tests/session_differential.rs: Beaker's session lifecycle, run for real.

Run as `python session_driver.py < scenarios.json > results.json`. It reads one JSON list of
scenarios and writes one JSON list of results, one per scenario, in order. Every request goes
through the real `beaker_session_jwt.JWTCookieSession` (beaker-session-jwt 1.0.4 on Beaker
1.14.1's `CookieSession`), and the `wsgi` requests through the real `SessionMiddleware` and
`SessionObject`. Only three things are replaced, so that the Rust side can be fed the very same
inputs:

- the clock: `time.time()` as seen by `beaker.session` and `beaker_session_jwt` (each has its own
  `import time`) and `datetime.now(tz)` as seen by `beaker.session` (delete and a `timedelta`
  `cookie_expires`) all read one counter: call number i (from 0) of a request returns
  `now + i * tick`, so a call made in a different place or order shows in the values;
- the session ids: `_session_id()` (imported into both modules) takes the next 16 bytes of the
  scenario's id stream and returns `uuid.UUID(bytes=b, version=4).hex`;
- the local time zone: TZ=UTC (`cookie_expires=False` formats `datetime.fromtimestamp(0x7FFFFFFF)`
  in local time).

Scenario: {"name", "options": {...}, "tick": float, "ids": ["<32 hex>", ...], "steps": [...]}.
Options are typed Beaker constructor arguments: key, jwt_secret_keys ("k1,k2"),
bson_compress_jwt_payload, timeout (int|null), save_accessed_time, invalidate_corrupt,
cookie_expires (true | false | {"seconds": n} | {"at": unix_seconds}), cookie_domain, cookie_path,
secure, httponly, samesite (str|null), read_original_format, write_original_format,
original_format_validate_key, original_format_data_serializer, original_format_remove_keys,
auto (SessionObject.persist's and the middleware's `auto`).
`{"seconds": n}` is what `coerce_session_params` makes of an int (`timedelta(seconds=n)`); the
`wsgi` step passes the int itself to SessionMiddleware, which does that conversion.

Steps:
  {"op": "make_cookie", "session": "<ext doc>", "options": {overrides}}
      -> {"cookie": str} | {"error": str}: `_encrypt_data(session)` under the scenario options
      with the overrides (e.g. write_original_format for a legacy cookie written by Python).
      Uses no id and no clock. Integers are written as plain `int` (a legacy pickle of a
      `bson.Int64` would name a class no real Beaker cookie names).
  {"op": "request", "cookie": <spec>, "now": float, "actions": [...], "options": {overrides}}
      -> {"obs": [observation after the load, then one after each action]}
      The session is built from the `Cookie` header as `SessionObject` builds it; when the
      constructor raises, there is only the load observation (with its error).
  {"op": "wsgi", "cookie": <spec>, "now": float, "actions": [...]}
      -> {"obs": [one observation]}: a WSGI app behind SessionMiddleware(session_class=
      JWTCookieSession) runs the actions on environ['beaker.session']; the observation holds the
      `Set-cookie` header the middleware appended (`header`, null when none) and the session.
  A request or wsgi step's "options" (optional) override the scenario's for that request only
  (key rotation, a change of invalidate_corrupt).
Cookie spec: null (no Cookie header) or {"pieces": [...], "from": "jar"|"made", "mutate": m}.
  The header is the pieces joined with "; " (the Rust side passes several pieces as several
  header fields), where the piece "$session" becomes `<key>=<value>`: the value of the last
  Set-Cookie any earlier request of this scenario received ("jar"; expiry is ignored, as a
  client replaying cookies would) or of the last make_cookie ("made"), mutated by m: null,
  "truncate" (drop 5 chars), "flip" (middle char), "flip_last", "quote" (wrap in "..."),
  "empty". "$session" is dropped when there is no value yet; no pieces left means no header.
Actions (request): ["set", k, "<ext doc {\"v\": value}>", i] (i: the Rust side's index of the
  same value; ignored here), ["del", k] (pop, no KeyError),
  ["save"], ["save_accessed"], ["delete"], ["invalidate"], ["clear"], ["persist", dirty].
  `persist` runs the real SessionObject.persist() on this session with `_dirty` = dirty.
Actions (wsgi): ["get", k], ["set", k, doc], ["del", k], ["save"], ["delete"], ["invalidate"]
  through the SessionObject proxy (the first one loads the session).
Observation: {"error": null | "load" | "too_long" | "unwritable" | "<ExceptionType>",
  "detail": str,
  "set_cookie": bool, "cookie_out": str|null, "session": ext|null, "paths": [...],
  "is_new": bool|null, "ids": ids used so far in the scenario, "clock": clock calls so far in the
  request}. "load" is any exception out of the constructor (a refused cookie); "too_long" is
  Beaker's "Cookie value is too long to store"; "unwritable" is bson.encode's InvalidDocument or
  json.dumps's TypeError (a session value the payload cannot carry); any other exception is
  its type name (KeyError: a session without `_id` or `_domain` when a cookie is written).
"""

import datetime as _datetime_module
import json
import logging
import os
import sys
import time as _real_time
import traceback
import uuid
import warnings

sys.dont_write_bytecode = True  # keep tests/python free of __pycache__

os.environ["TZ"] = "UTC"
_real_time.tzset()

import beaker.session as beaker_session  # noqa: E402
import beaker_session_jwt  # noqa: E402
from beaker.middleware import SessionMiddleware  # noqa: E402
from beaker.session import SessionObject  # noqa: E402
from beaker_session_jwt import JWTCookieSession  # noqa: E402
from bson import DBRef, Int64, json_util  # noqa: E402
from bson.code import Code  # noqa: E402
from bson.errors import InvalidDocument  # noqa: E402
from bson.json_util import CANONICAL_JSON_OPTIONS  # noqa: E402

logging.getLogger("beaker_session_jwt").setLevel(logging.CRITICAL)
# "Invalidating corrupt session ..." (beaker.util.warn) is expected here.
warnings.simplefilter("ignore")


class Fatal(Exception):
    """A malformed scenario: a bug in the test harness, not a session outcome."""


class Clock:
    """Call i of a request returns now + i * tick."""

    def __init__(self):
        self.now = 0.0
        self.tick = 0.0
        self.calls = 0

    def start(self, now, tick):
        self.now = float(now)
        self.tick = float(tick)
        self.calls = 0

    def time(self):
        value = self.now + float(self.calls) * self.tick
        self.calls += 1
        return value


class Ids:
    """The scenario's stream of 16-byte ids."""

    def __init__(self):
        self.ids = []
        self.used = 0

    def start(self, ids):
        self.ids = [bytes.fromhex(i) for i in ids]
        self.used = 0

    def session_id(self):
        if self.used >= len(self.ids):
            raise Fatal("the scenario's id stream ran out")
        b = self.ids[self.used]
        self.used += 1
        return uuid.UUID(bytes=b, version=4).hex


CLOCK = Clock()
IDS = Ids()


class _TimeModule:
    """`time` with `time()` replaced by the scenario clock (strftime etc. are the real ones)."""

    def time(self):
        return CLOCK.time()

    def __getattr__(self, name):
        return getattr(_real_time, name)


class FakeDatetime(_datetime_module.datetime):
    """`datetime` whose now() reads the scenario clock. Arithmetic keeps the subclass (3.8+),
    so `isinstance(x, datetime)` in beaker.session holds for every date it makes."""

    @classmethod
    def now(cls, tz=None):
        return cls.fromtimestamp(CLOCK.time(), tz)


def _session_id():
    return IDS.session_id()


beaker_session.time = _TimeModule()
beaker_session_jwt.time = _TimeModule()
beaker_session.datetime = FakeDatetime
beaker_session._session_id = _session_id
beaker_session_jwt._session_id = _session_id


def cookie_expires(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, dict) and "seconds" in value:
        return _datetime_module.timedelta(seconds=value["seconds"])
    if isinstance(value, dict) and "at" in value:
        return FakeDatetime.fromtimestamp(value["at"], _datetime_module.timezone.utc)
    raise Fatal("cookie_expires: %r" % (value,))


SESSION_ARGS = (
    "key", "jwt_secret_keys", "bson_compress_jwt_payload", "timeout", "save_accessed_time",
    "invalidate_corrupt", "cookie_domain", "cookie_path", "secure", "httponly", "samesite",
    "read_original_format", "write_original_format", "original_format_validate_key",
    "original_format_data_serializer", "original_format_remove_keys",
)


def session_kwargs(options):
    """JWTCookieSession keyword arguments, typed as SessionMiddleware would hand them over."""
    kwargs = {}
    for name, value in options.items():
        if name == "cookie_expires":
            kwargs[name] = cookie_expires(value)
        elif name == "auto":
            continue
        elif name in SESSION_ARGS:
            kwargs[name] = value
        else:
            raise Fatal("unknown option %r" % (name,))
    return kwargs


def middleware_config(options):
    """The same options as `session.`-prefixed config for SessionMiddleware (which coerces an
    int `cookie_expires` to a timedelta itself)."""
    config = {}
    for name, value in options.items():
        if name == "cookie_expires" and isinstance(value, dict) and "seconds" in value:
            value = value["seconds"]
        elif name == "cookie_expires":
            value = cookie_expires(value)
        elif name not in SESSION_ARGS and name != "auto":
            raise Fatal("unknown option %r" % (name,))
        config["session." + name] = value
    return config


def ext_value(doc_text):
    doc = json_util.loads(doc_text, json_options=CANONICAL_JSON_OPTIONS)
    if not isinstance(doc, dict) or "v" not in doc:
        raise Fatal("a set value must be the Extended JSON document {\"v\": value}")
    return doc["v"]


def plain_ints(obj):
    if isinstance(obj, Int64):
        return int(obj)
    if isinstance(obj, dict):
        return {k: plain_ints(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [plain_ints(v) for v in obj]
    return obj


def key_paths(obj, prefix=()):
    """Every dict entry's key path, depth first in dict order (as oracle.py)."""
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


def category(exc):
    if str(exc) == "Cookie value is too long to store":
        return "too_long"
    if isinstance(exc, (InvalidDocument, TypeError)):
        # bson.encode or json.dumps (joserfc) refusing a value of the session.
        return "unwritable"
    return type(exc).__name__


def mutate(value, how):
    if how is None:
        return value
    if how == "truncate":
        return value[:-5]
    if how in ("flip", "flip_last"):
        if not value:
            return value
        i = len(value) // 2 if how == "flip" else len(value) - 1
        c = "B" if value[i] == "A" else "A"
        return value[:i] + c + value[i + 1:]
    if how == "quote":
        return '"' + value + '"'
    if how == "empty":
        return ""
    raise Fatal("unknown mutation %r" % (how,))


def header(spec, key, jar, made):
    if spec is None:
        return None
    pieces = []
    for piece in spec["pieces"]:
        if piece != "$session":
            pieces.append(piece)
            continue
        value = made if spec.get("from") == "made" else jar
        if value is None:
            continue
        pieces.append(key + "=" + mutate(value, spec.get("mutate")))
    if not pieces:
        return None
    return "; ".join(pieces)


def cookie_value(cookie_out):
    """The value of a `cookie_out` (" key=value; attr; ...")."""
    return cookie_out.strip().split(";")[0].split("=", 1)[1]


def observe(session, request, error=None, detail=""):
    obs = {
        "error": error,
        "detail": detail,
        "set_cookie": bool(request.get("set_cookie")),
        "cookie_out": request.get("cookie_out"),
        "session": None,
        "paths": [],
        "is_new": None,
        "ids": IDS.used,
        "clock": CLOCK.calls,
    }
    if session is not None:
        data = dict(session)
        obs["session"] = json_util.dumps(data, json_options=CANONICAL_JSON_OPTIONS)
        obs["paths"] = key_paths(data)
        obs["is_new"] = session.is_new
    return obs


def set_value(options, doc_text):
    """A value as the app sets it: `$numberLong` reads as `bson.Int64`, which only BSON decoding
    makes in a real app; a legacy pickle would name that class, so there it is a plain int."""
    value = ext_value(doc_text)
    if options.get("write_original_format") and \
            options.get("original_format_data_serializer", "pickle") == "pickle":
        value = plain_ints(value)
    return value


def run_action(session, request, action, options):
    name = action[0]
    if name == "set":
        session[action[1]] = set_value(options, action[2])
    elif name == "del":
        session.pop(action[1], None)
    elif name == "save":
        session.save()
    elif name == "save_accessed":
        session.save(accessed_only=True)
    elif name == "delete":
        session.delete()
    elif name == "invalidate":
        session.invalidate()
    elif name == "clear":
        session.clear()
    elif name == "persist":
        # The real SessionObject.persist(), on this very session.
        params = {"save_accessed_time": options.get("save_accessed_time", True)}
        if "auto" in options:
            params["auto"] = options["auto"]
        proxy = SessionObject({}, **params)
        proxy.__dict__["_sess"] = session
        proxy.__dict__["_headers"] = request
        proxy.__dict__["_dirty"] = bool(action[1])
        proxy.persist()
    else:
        raise Fatal("unknown action %r" % (name,))


def run_request(step, options, state):
    key = options.get("key", "beaker.session.id")
    CLOCK.start(step["now"], state["tick"])
    cookie = header(step["cookie"], key, state["jar"], state["made"])
    request = {"cookie_out": None, "cookie": cookie}
    obs = []
    try:
        session = JWTCookieSession(request, **session_kwargs(options))
    except Fatal:
        raise
    except Exception as exc:
        return {"obs": [observe(None, request, "load", "%s: %s" % (type(exc).__name__, exc))]}
    obs.append(observe(session, request))
    for action in step["actions"]:
        try:
            run_action(session, request, action, options)
        except Fatal:
            raise
        except Exception as exc:
            detail = "%s: %s" % (type(exc).__name__, exc)
            obs.append(observe(session, request, category(exc), detail))
        else:
            obs.append(observe(session, request))
    if request.get("set_cookie") and request.get("cookie_out"):
        state["jar"] = cookie_value(request["cookie_out"])
    return {"obs": obs}


def run_wsgi(step, options, state):
    key = options.get("key", "beaker.session.id")
    CLOCK.start(step["now"], state["tick"])
    cookie = header(step["cookie"], key, state["jar"], state["made"])
    environ = {} if cookie is None else {"HTTP_COOKIE": cookie}
    sent = []

    def app(environ, start_response):
        proxy = environ["beaker.session"]
        for action in step["actions"]:
            name = action[0]
            if name == "get":
                proxy.get(action[1])
            elif name == "set":
                proxy[action[1]] = set_value(options, action[2])
            elif name == "del":
                proxy.pop(action[1], None)
            elif name == "save":
                proxy.save()
            elif name == "delete":
                proxy.delete()
            elif name == "invalidate":
                proxy.invalidate()
            else:
                raise Fatal("unknown wsgi action %r" % (name,))
        start_response("200 OK", [])
        return [b""]

    def start_response(status, headers, exc_info=None):
        sent.extend(headers)

    middleware = SessionMiddleware(app, middleware_config(options), session_class=JWTCookieSession)
    error, detail = None, ""
    try:
        middleware(environ, start_response)
    except Fatal:
        raise
    except Exception as exc:
        error, detail = category(exc), "%s: %s" % (type(exc).__name__, exc)
    proxy = environ["beaker.session"]
    session = proxy.__dict__["_sess"]
    request = proxy.__dict__["_headers"]
    if session is None and error is not None:
        # The lazy load raised: the constructor refused the cookie.
        error = "load"
    obs = observe(session, request, error, detail)
    cookies = [value for name, value in sent if name.lower() == "set-cookie"]
    if len(cookies) > 1:
        raise Fatal("the middleware appended %d Set-Cookie headers" % len(cookies))
    obs["header"] = cookies[0] if cookies else None
    if cookies:
        state["jar"] = cookie_value(cookies[0])
    return {"obs": [obs]}


def make_cookie(step, options):
    merged = dict(options)
    merged.update(step.get("options", {}))
    saved = beaker_session._session_id, beaker_session_jwt._session_id
    # The constructor draws an `_id`; this step must not use the scenario's stream.
    beaker_session._session_id = beaker_session_jwt._session_id = lambda: "0" * 32
    try:
        writer = JWTCookieSession({"cookie": None, "cookie_out": None}, **session_kwargs(merged))
    finally:
        beaker_session._session_id, beaker_session_jwt._session_id = saved
    writer.clear()
    data = plain_ints(json_util.loads(step["session"], json_options=CANONICAL_JSON_OPTIONS))
    try:
        return {"cookie": writer._encrypt_data(data)}
    except Exception as exc:
        return {"error": "%s: %s" % (type(exc).__name__, exc)}


def run_scenario(scenario):
    options = scenario["options"]
    state = {"jar": None, "made": None, "tick": scenario.get("tick", 0.0)}
    IDS.start(scenario["ids"])
    steps = []
    for step in scenario["steps"]:
        op = step["op"]
        step_options = dict(options)
        step_options.update(step.get("options", {}))
        if op == "make_cookie":
            result = make_cookie(step, options)
            state["made"] = result.get("cookie")
        elif op == "request":
            result = run_request(step, step_options, state)
        elif op == "wsgi":
            result = run_wsgi(step, step_options, state)
        else:
            raise Fatal("unknown op %r" % (op,))
        steps.append(result)
    return {"name": scenario["name"], "steps": steps}


def main():
    scenarios = json.load(sys.stdin)
    results = []
    for scenario in scenarios:
        try:
            results.append(run_scenario(scenario))
        except Exception as exc:
            results.append({"name": scenario.get("name"), "fatal": "%s: %s\n%s" % (
                type(exc).__name__, exc, traceback.format_exc())})
    json.dump(results, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
