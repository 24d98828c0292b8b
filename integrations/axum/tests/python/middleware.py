"""The reference for tests/middleware_differential.rs: the same routes as tests/common/mod.rs,
as a WSGI app behind Beaker 1.14.1's real SessionMiddleware with beaker-session-jwt 1.0.4's
JWTCookieSession, fed the same requests with the same clock and session ids.

stdin: one JSON object
  {"key": KEY, "t0": seconds,
   "scenarios": [{"profile": {option: string, ...}, "steps": [[dt, path, forge, split], ...]}],
   "rust": [[{"status": int, "body": str, "set_cookies": [str]}, ...], ...]}
stdout: {"python": [[step result]], "rust": [[step result]]}, both normalized: the session
  cookie's value replaced by the session it carries (key order and Python types kept), since
  the zlib bytes of a bsZ cookie differ between C zlib and ours (tests/session_differential.rs).

Per scenario: ids restart at 1 (16 bytes: 8 zero bytes, then the counter big-endian, made a
uuid4 as Rust's Env does); request i reads the clock t0 + dt (fixed during the request, for
time.time() and datetime.now()); the client keeps the last session cookie it was sent (ignoring
expiry), sends it after "theme=dark; " (two header fields on the Rust side when `split`), and
with `forge` the first character of its signature swapped.
"""

import base64
import datetime as _datetime_module
import itertools
import json
import sys
import time as _real_time
import uuid
import warnings
import zlib

import beaker.session as beaker_session
import beaker_session_jwt
import bson
from beaker.middleware import SessionMiddleware
from beaker_session_jwt import JWTCookieSession

warnings.simplefilter("ignore")
NAME = "beaker.session.id"
NOW = [0.0]
IDS = [itertools.count(1)]


class _TimeModule:
    def time(self):
        return NOW[0]

    def __getattr__(self, name):
        return getattr(_real_time, name)


class FakeDatetime(_datetime_module.datetime):
    @classmethod
    def now(cls, tz=None):
        return cls.fromtimestamp(NOW[0], tz)


def _session_id():
    b = bytes(8) + next(IDS[0]).to_bytes(8, "big")
    return uuid.UUID(bytes=b, version=4).hex


beaker_session.time = _TimeModule()
beaker_session_jwt.time = _TimeModule()
beaker_session.datetime = FakeDatetime
beaker_session._session_id = _session_id
beaker_session_jwt._session_id = _session_id


def n_of(s):
    return s.get("n", 0)


def app(environ, start_response):
    """tests/common/mod.rs `routes()`, handler for handler."""
    s = environ["beaker.session"]
    path = environ["PATH_INFO"]
    headers = [("Content-Type", "text/plain; charset=utf-8")]
    if path == "/none":
        body = "no session"
    elif path == "/read":
        body = str(n_of(s))
    elif path == "/touch":
        s["n"] = 99
        body = "touched"
    elif path == "/inc":
        s["n"] = n_of(s) + 1
        s.save()
        body = str(s["n"])
    elif path == "/delete":
        s.delete()
        body = "bye"
    elif path == "/invalidate":
        s.invalidate()
        s["fresh"] = True
        s.save()
        body = s.id
    elif path == "/id":
        body = "%s %s" % (s.id, str(s.is_new).lower())
    elif path == "/save-only":
        s.save()
        body = "saved nothing"
    elif path == "/other-cookie":
        s["n"] = 7
        s.save()
        headers.append(("Set-Cookie", "theme=dark; Path=/"))
        body = "two cookies"
    else:
        raise ValueError(path)
    start_response("200 OK", headers)
    return [body.encode()]


def forge(cookie):
    at = cookie.rfind(".") + 1
    return cookie[:at] + ("B" if cookie[at] == "A" else "A") + cookie[at + 1:]


def run(key, t0, scenario):
    IDS[0] = itertools.count(1)
    config = {"session.type": "cookie", "session.key": NAME}
    config.update({"session." + k: v for k, v in scenario["profile"].items()})
    middleware = SessionMiddleware(app, config, session_class=JWTCookieSession, jwt_secret_keys=key)
    jar = None
    results = []
    for dt, path, forged, _split in scenario["steps"]:
        NOW[0] = float(t0 + dt)  # time.time() is a float
        environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET"}
        if jar is not None:
            environ["HTTP_COOKIE"] = "theme=dark; %s=%s" % (NAME, forge(jar) if forged else jar)
        out = {}

        def start_response(status, headers, exc_info=None):
            out["status"] = int(status.split()[0])
            out["headers"] = headers

        body = b"".join(middleware(environ, start_response)).decode()
        # Beaker's cookie_out starts with a space (SimpleCookie output with header='').
        set_cookies = [v.lstrip() for k, v in out["headers"] if k.lower() == "set-cookie"]
        for c in set_cookies:
            if c.startswith(NAME + "="):
                jar = c.split(";")[0][len(NAME) + 1:]
        results.append({"status": out["status"], "body": body, "set_cookies": set_cookies})
    return results


def session_of(value):
    """The session a bsZ JWT carries, as (key, Python value) pairs in order."""
    payload = value.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return repr(list(bson.decode(zlib.decompress(base64.b85decode(claims["bsZ"]))).items()))


def normalize(step):
    cookies = []
    for c in step["set_cookies"]:
        if c.startswith(NAME + "="):
            value, _, attributes = c[len(NAME) + 1:].partition(";")
            c = "%s=<%s>;%s" % (NAME, session_of(value), attributes)
        cookies.append(c)
    return {"status": step["status"], "body": step["body"], "set_cookies": cookies}


def main():
    request = json.load(sys.stdin)
    python = [run(request["key"], request["t0"], s) for s in request["scenarios"]]
    json.dump(
        {
            "python": [[normalize(step) for step in steps] for steps in python],
            "rust": [[normalize(step) for step in steps] for steps in request["rust"]],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
