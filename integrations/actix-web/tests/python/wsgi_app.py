"""The Python side of tests/python_wsgi.rs: the same routes as the Rust test app, served by the
real Beaker `SessionMiddleware` with `beaker_session_jwt.JWTCookieSession`.

Run as `python wsgi_app.py < scenario.txt`. Input lines:
  option NAME VALUE              a session option (typed as Python code would pass it)
  request NOW PATH COOKIE        one request at time NOW; COOKIE is `-` (no header), `jar`
                                 (the last session cookie received), `jar+theme` (two header
                                 fields: `theme=dark`, then the jar), or `raw:HEADER`
Output: one line per request, `STATUS<TAB>BODY<TAB>SET-COOKIE<US>SET-COOKIE...`.

The clock and the ids are replaced as the Rust test's env replaces them: every clock read of a
request returns NOW, and id number n (from 1) of the scenario is uuid4 of 16 bytes of value n.
"""

import datetime as _dt
import os
import sys
import time as _real_time
import uuid
import warnings

sys.dont_write_bytecode = True
os.environ["TZ"] = "UTC"
_real_time.tzset()

import beaker.session as beaker_session  # noqa: E402
import beaker_session_jwt  # noqa: E402
from beaker.middleware import SessionMiddleware  # noqa: E402
from beaker_session_jwt import JWTCookieSession  # noqa: E402

warnings.simplefilter("ignore")  # "Invalidating corrupt session ..." is expected

NOW = [0.0]
IDS = [0]


class _Time:
    def time(self):
        return NOW[0]

    def __getattr__(self, name):
        return getattr(_real_time, name)


class _Datetime(_dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return cls.fromtimestamp(NOW[0], tz)


def _session_id():
    IDS[0] += 1
    return uuid.UUID(bytes=bytes([IDS[0] % 256]) * 16, version=4).hex


beaker_session.time = _Time()
beaker_session_jwt.time = _Time()
beaker_session.datetime = _Datetime
beaker_session._session_id = _session_id
beaker_session_jwt._session_id = _session_id

def _bool(v):
    return v == "true"


TYPED = {"timeout": int, "cookie_expires": int, "save_accessed_time": _bool, "auto": _bool,
         "invalidate_corrupt": _bool, "secure": _bool, "httponly": _bool}


def app(environ, start_response):
    path = environ["PATH_INFO"]
    body = "ok"
    if path != "/untouched":
        s = environ["beaker.session"]
        if path == "/info":
            body = "new=%s user=%s id=%s" % (
                str(s.is_new).lower(), s.get("user") or "-", s.get("_id") or "-")
        elif path == "/login":
            s["user"] = "alice"
            s.save()
            body = "logged in"
        elif path == "/tamper":
            s["user"] = "mallory"
            s.pop("never-there", None)
            body = "changed, not saved"
        elif path == "/logout":
            s.delete()
            body = "logged out"
        elif path == "/invalidate":
            s.invalidate()
            s.save()
            body = "invalidated"
        else:
            raise ValueError(path)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body.encode()]


def main():
    config = {}
    jar = None
    out = []
    middleware = None
    for line in sys.stdin.read().splitlines():
        if not line.strip():
            continue
        word, rest = line.split(" ", 1)
        if word == "option":
            name, value = rest.split(" ", 1)
            config["session." + name] = TYPED.get(name, str)(value)
            continue
        if middleware is None:
            middleware = SessionMiddleware(app, config, session_class=JWTCookieSession)
        now, path, cookie = rest.split(" ", 2)
        NOW[0] = float(now)
        if cookie == "-":
            header = None
        elif cookie == "jar":
            header = jar
        elif cookie == "jar+theme":
            header = "theme=dark; " + jar
        elif cookie.startswith("raw:"):
            header = cookie[4:]
        else:
            raise ValueError(cookie)
        environ = {"PATH_INFO": path}
        if header is not None:
            environ["HTTP_COOKIE"] = header
        sent = []

        def start_response(status, headers, exc_info=None):
            sent.append(status.split(" ")[0])
            sent.extend(headers)

        try:
            body = b"".join(middleware(environ, start_response)).decode()
            status = sent[0]
        except Exception as exc:  # a refused cookie: the WSGI server answers 500
            body, status = type(exc).__name__, "500"
        # Beaker's cookie_out starts with a space (`output(header='')`); on the wire that is
        # optional whitespace before the field value, which HTTP drops.
        cookies = [v.lstrip(" ") for (n, v) in sent[1:] if n.lower() == "set-cookie"]
        for c in cookies:
            if c.startswith("beaker.session.id="):
                jar = c.split(";")[0]
        out.append("%s\t%s\t%s" % (status, body, "\x1f".join(cookies)))
    sys.stdout.write("\n".join(out) + "\n")


main()
