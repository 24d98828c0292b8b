#!/usr/bin/env python3
"""Generate tests/data/jws_headers.json: which JWS protected headers joserfc accepts.

For each header below, a compact JWS with payload `{}` is signed with HMAC-SHA256 by hand (so
any header at all can be signed, including ones joserfc would refuse to write), and decoded the
way beaker-session-jwt 1.0.4 decodes a cookie:
    jwt.decode(token, OctKey.import_key(KEY), algorithms=["HS256"])
The outcome is "accepted" or the class name of the exception raised. tests/jwt_header_parity.rs
checks that `decode_cookie` accepts and refuses the same tokens (with the deliberate refusals
of `crit` and `b64` that SECURITY.md lists), and runs this script live with `--print` to check
that the committed file is still what joserfc says.

Run with the reference venv (joserfc 1.8.0, pymongo 4.20.1, beaker-session-jwt 1.0.4):
    /tmp/v/bin/python tests/data/make_jws_headers.py           # writes the file
    /tmp/v/bin/python tests/data/make_jws_headers.py --print   # prints it instead
The output is deterministic.
"""

import base64
import hashlib
import hmac
import json
import os
import sys

import joserfc
from joserfc import jwt
from joserfc.jwk import OctKey

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "jws_headers.json")

# The key the Rust test configures too.
KEY = "header-parity-key-0123456789"

# JSON texts tried as the value of each registered parameter: every JSON type, and the edges of
# joserfc's validators (`is_url` is `value.startswith(("http://", "https://"))`, case-sensitive;
# `is_list_str` checks each item is a str, nothing more; `is_jwk` checks for a dict only).
VALUES = [
    '"x"',
    '""',
    '"\\u0000"',
    '"\\u00e9\\ud83d\\ude00"',
    '"http://a"',
    '"https://example.com/jwks.json"',
    '"http://"',
    '"https://"',
    '"HTTP://a"',
    '"Https://a"',
    '"http:/a"',
    '"https:a"',
    '"http//a"',
    '" http://a"',
    '"httpx://a"',
    '"ftp://a"',
    '"file:///etc/passwd"',
    '"//a"',
    '"a"',
    '"MIIB"',
    "0",
    "1",
    "-1",
    "1.5",
    "1e3",
    "NaN",
    "Infinity",
    "true",
    "false",
    "null",
    "[]",
    '["x"]',
    '["MIIBIjAN", "!!not base64!!", ""]',
    '["x", 1]',
    "[null]",
    '[["x"]]',
    "[{}]",
    "{}",
    '{"kty": "oct", "k": "AAAA"}',
    '{"kty": 1, "key_ops": ["x"], "n": {"a": [1, 2.5, null]}}',
]

# Every name joserfc registers for JWS (`joserfc.registry.JWS_HEADER_REGISTRY`), `alg` apart.
REGISTERED = ["jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit", "b64"]

# Names joserfc does not register for JWS: refused (`strict_check_header` is on by default).
UNREGISTERED = [
    "foo",
    "",
    "ALG",
    "Kid",
    "KID",
    "x5t#s256",
    "x5t#S256 ",
    "enc",
    "zip",
    "epk",
    "apu",
    "apv",
    "iv",
    "tag",
    "p2s",
    "p2c",
    "url",
    "nonce",
    "ppt",
    "iss",
    "exp",
    "\\u0000",
]

ALGS = [
    '"HS256"',
    '"hs256"',
    '"HS256 "',
    '"HS384"',
    '"HS512"',
    '"RS256"',
    '"ES256"',
    '"none"',
    '"None"',
    '""',
    "1",
    "null",
    "true",
    '["HS256"]',
    '{"alg": "HS256"}',
]


def deep(levels):
    """A jwk whose value nests `levels` arrays deep (the header itself is level 1)."""
    return '{"alg":"HS256","jwk":{"a":%s1%s}}' % ("[" * levels, "]" * levels)


def wide(items):
    return '{"alg":"HS256","jwk":{"a":[%s]}}' % ",".join(["0"] * items)


# (param, header text) pairs that are about the header as a whole.
STRUCTURE = [
    ("alg", "{}"),
    ("alg", '{"typ":"JWT"}'),
    ("alg", '{"ALG":"HS256"}'),
    ("structure", '{"typ":"JWT","alg":"HS256"}'),
    ("structure", '{"alg":"HS256","typ":"JWT"}'),
    ("structure", ' { "alg" : "HS256" } '),
    ("structure", '\r\n{"alg":\r\n "HS256"}\t'),
    ("structure", '{"alg":"HS256",}'),
    ("structure", '{"alg":"HS256"'),
    ("structure", '{"alg":"HS256"}x'),
    ("structure", '{"alg":"HS256"} {}'),
    ("structure", "[]"),
    ("structure", '["alg"]'),
    ("structure", '"alg"'),
    ("structure", "null"),
    ("structure", "1"),
    ("structure", ""),
    ("structure", '{"alg":"RS256","alg":"HS256"}'),
    ("structure", '{"alg":"HS256","alg":"RS256"}'),
    ("structure", '{"kid":1,"kid":"a","alg":"HS256"}'),
    ("structure", '{"kid":"a","kid":1,"alg":"HS256"}'),
    ("structure", '{"jku":"ftp://a","jku":"http://a","alg":"HS256"}'),
    ("structure", '{"jku":"http://a","jku":"ftp://a","alg":"HS256"}'),
    ("structure", '{"foo":1,"foo":2,"alg":"HS256"}'),
    ("structure", '{"alg":"HS256","kid":"k","typ":"JWT","cty":"JWT","x5t":"t","x5t#S256":"t",'
                  '"jku":"https://a/jwks","x5u":"http://a/c","x5c":["MIIB"],"jwk":{"kty":"oct"}}'),
    # An invalid value and an unregistered name together: joserfc checks values first.
    ("structure", '{"foo":1,"kid":2,"alg":"HS256"}'),
    ("structure", '{"kid":2,"foo":1,"alg":"HS256"}'),
    # An invalid value and an unsupported algorithm: joserfc checks values first.
    ("structure", '{"alg":"RS256","kid":2}'),
    ("structure", '{"alg":"RS256","foo":2}'),
    ("structure", '{"alg":1,"foo":2}'),
    # Deep and wide JWKs: the whole header must fit joserfc's 512-character segment.
    ("jwk", deep(3)),
    ("jwk", deep(4)),
    ("jwk", deep(8)),
    ("jwk", deep(60)),
    ("jwk", deep(170)),
    ("jwk", wide(70)),
    ("jwk", wide(160)),
    ("jwk", '{"alg":"HS256","jwk":{"n":123456789012345678901234567890}}'),
    ("kid", '{"alg":"HS256","kid":"\\ud800"}'),
    # crit and b64, which we refuse whatever joserfc says (SECURITY.md).
    ("crit", '{"alg":"HS256","crit":["kid"],"kid":"x"}'),
    ("crit", '{"alg":"HS256","crit":["kid"]}'),
    ("crit", '{"alg":"HS256","crit":["foo"],"foo":1}'),
    ("crit", '{"alg":"HS256","crit":["alg"]}'),
    ("crit", '{"alg":"HS256","crit":"kid","kid":"x"}'),
    ("crit", '{"alg":"HS256","crit":"","kid":"x"}'),
    ("b64", '{"alg":"HS256","b64":true,"crit":["b64"]}'),
    ("b64", '{"alg":"HS256","b64":false}'),
]

# A header encoded as UTF-16 or with a BOM (`json.loads(bytes)` detects the encoding).
ENCODED = [
    ("structure", '\ufeff{"alg":"HS256"}', "utf-8"),
    ("structure", '{"alg":"HS256"}', "utf-16-le"),
    ("structure", '{"alg":"HS256"}', "utf-16"),
    ("structure", '{"alg":"HS256"}', "utf-32-be"),
    ("structure", '{"alg":"HS256","kid":"\u00e9"}', "utf-8"),
    ("structure", '{"alg":"HS256","kid":"\u00e9"}', "latin-1"),
]


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=")


def token(header_bytes, payload=b"{}"):
    segment = b64(header_bytes)
    signing_input = segment + b"." + b64(payload)
    tag = hmac.new(KEY.encode(), signing_input, hashlib.sha256).digest()
    return (signing_input + b"." + b64(tag)).decode("ascii")


def outcome(tok):
    try:
        jwt.decode(tok, OctKey.import_key(KEY), algorithms=["HS256"])
    except Exception as e:  # the class is the answer, whatever it is
        return type(e).__name__
    return "accepted"


def cases():
    out = []

    def add(param, text, raw=None):
        raw = text.encode("utf-8") if raw is None else raw
        tok = token(raw)
        assert len(tok.split(".")[0]) <= 512, text
        out.append({"param": param, "header": text, "token": tok, "python": outcome(tok)})

    for alg in ALGS:
        add("alg", '{"alg":%s}' % alg)
    for name in REGISTERED:
        for value in VALUES:
            add(name, '{"alg":"HS256","%s":%s}' % (name, value))
        # The name before alg, too: joserfc does not care about order.
        add(name, '{"%s":%s,"alg":"HS256"}' % (name, VALUES[0]))
    for name in UNREGISTERED:
        for value in ['"x"', "1", "null", "{}"]:
            add("unregistered", '{"alg":"HS256","%s":%s}' % (name, value))
    for param, text in STRUCTURE:
        add(param, text)
    for param, text, encoding in ENCODED:
        add(param, "%s (%s)" % (text, encoding), text.encode(encoding))
    return out


def main():
    data = {
        "generator": "tests/data/make_jws_headers.py",
        "joserfc": joserfc.__version__,
        "key": KEY,
        "cases": cases(),
    }
    lines = ['{"generator": %s,' % json.dumps(data["generator"])]
    lines.append(' "joserfc": %s,' % json.dumps(data["joserfc"]))
    lines.append(' "key": %s,' % json.dumps(data["key"]))
    lines.append(' "cases": [')
    rows = [" " + json.dumps(c, ensure_ascii=True) for c in data["cases"]]
    lines.append(",\n".join(rows))
    lines.append("]}")
    text = "\n".join(lines) + "\n"
    if sys.argv[1:] == ["--print"]:
        sys.stdout.write(text)
    else:
        with open(OUT, "w", encoding="ascii") as f:
            f.write(text)


if __name__ == "__main__":
    main()
