"""The Python half of the shared-session example: a WSGI app behind Beaker's SessionMiddleware,
with beaker-session-jwt's JWTCookieSession as the session class, served by the standard
library's wsgiref (no framework).

    python python_app.py --config shared-session.ini --port 8001 --other http://127.0.0.1:8002/

Routes (the axum app in src/main.rs has the same page and the same element ids):
    GET  /         the session: user, visits, rust_seen, _id, _creation_time, is_new, and all of it
                   as JSON
    POST /login    form field `user`: sets user and visits=0, saves
    POST /visit    visits += 1, saves
    POST /logout   Beaker's delete(): an expired Set-Cookie, the session cleared

Options come from the `session.*` keys of the `[app:main]` section of the .ini, as PasteDeploy
would hand them to the app (`[DEFAULT]` and `%(here)s` interpolation included).
"""

import argparse
import configparser
import html
import json
import os
import socketserver
import sys
import warnings
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from beaker.middleware import SessionMiddleware
from beaker_session_jwt import JWTCookieSession

APP_NAME = "python"


def read_ini(path, section="app:main"):
    """The section's options as PasteDeploy passes them to an app (here = the file's folder)."""
    here = os.path.dirname(os.path.abspath(path))
    parser = configparser.ConfigParser(defaults={"here": here})
    parser.optionxform = str  # keep option names as written
    with open(path, encoding="utf-8") as f:
        parser.read_file(f)
    return dict(parser.items(section))


def text(value):
    """One session value as the page shows it: JSON spelling, empty when absent."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str)


def page(session, other):
    fields = [
        ("user", "user", session.get("user")),
        ("visits", "visits", session.get("visits")),
        ("rust_seen", "rust_seen", session.get("rust_seen")),
        ("_id", "session-id", session.get("_id")),
        ("_creation_time", "creation-time", session.get("_creation_time")),
        ("is_new", "is-new", session.is_new),
    ]
    rows = "\n".join(
        f'<dt>{html.escape(label)}</dt><dd id="{ident}">{html.escape(text(value))}</dd>'
        for label, ident, value in fields
    )
    dump = json.dumps(dict(session), default=str, indent=1)
    other_link = (
        f'<p>The other app: <a id="other" href="{html.escape(other)}">{html.escape(other)}</a></p>'
        if other
        else ""
    )
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{APP_NAME} app: shared Beaker session</title></head>
<body>
<h1>The <span id="app">{APP_NAME}</span> app</h1>
<dl>
{rows}
</dl>
<pre id="session">{html.escape(dump)}</pre>
<form method="post" action="/login">
  <input name="user" id="user-input" value="alice"> <button id="login">Log in</button>
</form>
<form method="post" action="/visit"><button id="visit">Count a visit</button></form>
<form method="post" action="/logout"><button id="logout">Log out</button></form>
{other_link}
</body></html>
"""


def make_app(other):
    def app(environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "/")
        session = environ["beaker.session"]

        def redirect():
            start_response("303 See Other", [("Location", "/"), ("Content-Length", "0")])
            return [b""]

        if method == "GET" and path == "/":
            # Reading the session loads it; the middleware then refreshes _accessed_time
            # (save(accessed_only=True)) for an existing session, as Beaker always does.
            body = page(session, other).encode("utf-8")
            start_response(
                "200 OK",
                [
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Length", str(len(body))),
                    ("Cache-Control", "no-store"),
                ],
            )
            return [body]
        if method == "POST" and path in ("/login", "/visit", "/logout"):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = parse_qs(environ["wsgi.input"].read(length).decode("utf-8"))
            if path == "/login":
                session["user"] = (form.get("user") or ["alice"])[0]
                session["visits"] = 0
                session.save()
            elif path == "/visit":
                session["visits"] = int(session.get("visits", 0)) + 1
                session.save()
            else:
                session.delete()
            return redirect()
        # Anything else (favicon.ico, ...) never touches the session, so no Set-Cookie.
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "9")])
        return [b"not found"]

    return app


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the stdlib's name)
        sys.stderr.write(f"[{APP_NAME}] {format % args}\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=os.environ.get("SHARED_SESSION_CONFIG",
                                                           os.path.join(here, "shared-session.ini")))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PYTHON_PORT", "8001")))
    parser.add_argument("--other", default=os.environ.get("OTHER_URL", ""),
                        help="URL of the other app, linked from the page")
    args = parser.parse_args()

    config = read_ini(args.config)
    # beaker-session-jwt's documented setup. Beaker reads any keyword starting with `session_` as
    # an old-style option too and warns about it; `session_class` is the one it must be.
    warnings.filterwarnings("ignore", "Session options should start with session.",
                            DeprecationWarning)
    app = SessionMiddleware(make_app(args.other), config, session_class=JWTCookieSession)
    server = make_server(args.host, args.port, app, server_class=ThreadingWSGIServer,
                         handler_class=QuietHandler)
    print(f"[{APP_NAME}] listening on http://{args.host}:{args.port}/", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
