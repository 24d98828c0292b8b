"""The Python side of the wasm/worker interop tests: the real beaker-session-jwt 1.0.4.

    python beaker_py.py decode < {"options": {...}, "cookie": "..."}
    python beaker_py.py encode < {"options": {...}, "session": <canonical Extended JSON>}

Options are Beaker option names with the `session.` prefix and string values, as in an .ini.
Prints one JSON line: {"session": <canonical Extended JSON>} or {"cookie": "..."}, or
{"error": "<Python exception>"} when the package refuses (exit status 0 either way).
"""
import json
import sys

from beaker_session_jwt import JWTCookieSession
from bson import json_util
from bson.json_util import CANONICAL_JSON_OPTIONS


def session_object(options):
    kwargs = {k.split("session.", 1)[1]: v for k, v in options.items()}
    s = JWTCookieSession({"cookie": ""}, **kwargs)
    s.clear()
    return s


def main():
    op = sys.argv[1]
    req = json.loads(sys.stdin.read())
    s = session_object(req["options"])
    try:
        if op == "decode":
            data = s._decrypt_data(req["cookie"])
            out = {"session": json.loads(json_util.dumps(data, json_options=CANONICAL_JSON_OPTIONS))}
        elif op == "encode":
            data = json_util.loads(json.dumps(req["session"]), json_options=CANONICAL_JSON_OPTIONS)
            out = {"cookie": s._encrypt_data(data)}
        else:
            raise SystemExit("unknown operation " + op)
    except Exception as exc:  # the refusal itself is the answer
        out = {"error": "%s: %s" % (type(exc).__name__, exc)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
