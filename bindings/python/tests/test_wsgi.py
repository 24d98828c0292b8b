"""End to end through Beaker's SessionMiddleware, driven by plain WSGI calls (no network):
our class as `session_class`, sharing one session with an app on the pure-Python class."""

import datetime
import io
import random

import pytest
from beaker.middleware import SessionMiddleware

import beaker_session_jwt_rs as rs
from conftest import KEY1, KEY2, LEGACY_KEY, PY, RS
from test_hostile import around, signed, unicode


def app(environ, start_response):
    session = environ["beaker.session"]
    path = environ["PATH_INFO"]
    if path == "/inc":
        session["n"] = session.get("n", 0) + 1
        session["when"] = datetime.datetime(2024, 1, 2, 3, 4, 5, 678000)
        session.save()
    elif path == "/logout":
        session.delete()
    body = ("%s %s" % (session.get("n"), type(session.get("when")).__name__)).encode()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body]


def middleware(cls, **extra):
    config = {"session.jwt_secret_keys": f"{KEY1}, {KEY2}", "session.timeout": "3600"}
    config.update({"session." + k: v for k, v in extra.items()})
    return SessionMiddleware(app, config, session_class=cls)


def request(wsgi, path, cookie=None):
    """One GET: (body, the value of our Set-Cookie or None)."""
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "SERVER_NAME": "test", "SERVER_PORT": "80",
               "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "wsgi.errors": io.StringIO()}
    if cookie is not None:
        environ["HTTP_COOKIE"] = "theme=dark; beaker.session.id=" + cookie
    got = {}

    def start_response(status, headers, exc_info=None):
        got["status"] = status
        got["headers"] = headers

    body = b"".join(wsgi(environ, start_response)).decode()
    assert got["status"] == "200 OK"
    set_cookie = [v for k, v in got["headers"] if k.lower() == "set-cookie"]
    value = None
    for header in set_cookie:
        name, _, rest = header.strip().partition("=")
        if name == "beaker.session.id":
            value = rest.split(";")[0]
    return body, value


def test_a_session_lives_across_requests_on_our_class():
    ours = middleware(RS)
    body, cookie = request(ours, "/inc")
    assert body == "1 datetime" and cookie.startswith("eyJ")
    body, cookie = request(ours, "/inc", cookie)
    assert body == "2 datetime"
    body, refreshed = request(ours, "/read", cookie)
    assert body == "2 datetime" and refreshed  # _accessed_time refreshed, as Beaker does


def test_python_app_and_our_app_share_one_session():
    py, ours = middleware(PY), middleware(RS)
    _, cookie = request(py, "/inc")
    body, cookie = request(ours, "/inc", cookie)
    assert body == "2 datetime"
    body, cookie = request(py, "/inc", cookie)
    assert body == "3 datetime"
    body, _ = request(ours, "/read", cookie)
    assert body == "3 datetime"


def test_forged_and_corrupt_cookies_start_a_new_session():
    ours = middleware(RS)
    _, cookie = request(ours, "/inc")
    for bad in (cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"), "garbage", "a.b.c"):
        body, _ = request(ours, "/read", bad)
        assert body == "None NoneType"


def test_invalidate_corrupt_off_propagates_pythons_exception_class():
    _, cookie = request(middleware(RS), "/inc")
    from joserfc.errors import BadSignatureError
    for cls in (PY, RS):
        with pytest.raises(BadSignatureError):
            request(middleware(cls, invalidate_corrupt=False, jwt_secret_keys="another-key-0123456789"),
                    "/read", cookie)


def test_legacy_migration_and_a_hostile_pickle_through_the_middleware(no_code_ran):
    options = dict(read_original_format="true", original_format_validate_key=LEGACY_KEY)
    ours = middleware(RS, **options)
    import pickle
    legacy = signed(pickle.dumps({"n": 41, "_accessed_time": 4e9}, protocol=2))
    body, cookie = request(ours, "/inc", legacy)
    assert body == "42 datetime" and cookie.startswith("eyJ")  # rewritten as a JWT
    hostile = signed(around(b"cos\nsystem\n" + unicode(f"touch {no_code_ran}") + b"\x85R"))
    body, _ = request(ours, "/read", hostile)
    assert body == "None NoneType"  # invalidate_corrupt: a new session, nothing ran


def test_logout_deletes_the_cookie_as_python_does():
    results = []
    for cls in (PY, RS):
        wsgi = middleware(cls)
        _, cookie = request(wsgi, "/inc")
        _, deleted = request(wsgi, "/logout", cookie)
        body, _ = request(wsgi, "/read", deleted)
        results.append(body)
    assert results[0] == results[1]


def test_weak_keys_are_refused_unless_allowed():
    with pytest.raises(rs.ConfigError):
        request(middleware(RS, jwt_secret_keys="short"), "/inc")
    body, cookie = request(middleware(RS, jwt_secret_keys="short", allow_weak_keys="true"), "/inc")
    assert body == "1 datetime"


def test_a_session_too_large_raises_beakers_own_exception():
    from beaker.exceptions import BeakerException

    def big(environ, start_response):
        environ["beaker.session"]["blob"] = random.Random(7).randbytes(4000)
        environ["beaker.session"].save()
        start_response("200 OK", [])
        return [b""]
    for cls in (PY, RS):
        wsgi = SessionMiddleware(big, {"session.jwt_secret_keys": KEY1}, session_class=cls)
        with pytest.raises(BeakerException, match="too long"):
            request(wsgi, "/")
