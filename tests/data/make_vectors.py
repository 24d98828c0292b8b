"""Writes the static cookie vectors under tests/data/<mode>/ and the sample under examples/.

Pinned to the Python reference: beaker-session-jwt 1.0.4, Beaker 1.14.1, joserfc 1.8.0,
pymongo 4.20.1 (tests/python/requirements.txt). Run from anywhere with a Python that has them:

    target/interop-venv/<hash>/bin/python tests/data/make_vectors.py

Deterministic: fixed keys, fixed sessions (tests/python/catalog.py: fixed `_id`, fixed times,
seeded payloads). JWTs and pickles come out byte-identical on every run; the bsZ and legacy-json
cookies depend on the zlib build, which is why tests compare decoded sessions, never cookies.

For every case `<case>.cookie` holds the cookie value (no newline). If Python's
`JWTCookieSession._decrypt_data` accepts it with the folder's options, `<case>.json` holds the
session it returns, as canonical Extended JSON; if Python refuses it, `<case>.error` holds
Python's exception (`Type: message`). `options.ini` in each folder holds the options the
vectors are read with; `<case>.ini`, where present, replaces it for that case. The keys are
test-only constants.
"""

import base64
import datetime
import glob
import hashlib
import hmac
import json
import logging
import os
import struct
import sys
import zlib

sys.dont_write_bytecode = True  # keep tests/python free of __pycache__

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))

import bson  # noqa: E402
from beaker.session import SignedCookie  # noqa: E402
from beaker_session_jwt import JWTCookieSession  # noqa: E402
from bson import json_util  # noqa: E402
from bson.json_util import CANONICAL_JSON_OPTIONS  # noqa: E402
from joserfc import jwt  # noqa: E402
from joserfc.jwk import OctKey  # noqa: E402

import catalog  # noqa: E402

# The legacy path logs an error before re-raising; the .error file records the exception.
logging.getLogger("beaker_session_jwt").setLevel(logging.CRITICAL)

KEY1 = "vectors-key-one-0123456789"
KEY2 = "vectors-key-two-0123456789"
UNKNOWN_KEY = "vectors-key-not-configured"
LEGACY_KEY = "vectors-legacy-validate-key"

# RFC 7515 Appendix A.1: the HS256 example (its key is binary, so it is not in any options.ini;
# tests/jwt_vectors.rs holds the same JWK value).
RFC7515_A1_TOKEN = (
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
)
RFC7515_A1_KEY = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"

JWT_HEADER = b'{"typ":"JWT","alg":"HS256"}'


def options(mode):
    """The Beaker options (prefixed names, string values) the vectors of `mode` are read with."""
    o = {"session.jwt_secret_keys": "%s, %s" % (KEY1, KEY2)}
    o["session.bson_compress_jwt_payload"] = "false" if mode == "jwt_json" else "true"
    if mode.startswith("legacy"):
        o["session.read_original_format"] = "true"
        o["session.original_format_validate_key"] = LEGACY_KEY
        o["session.original_format_data_serializer"] = mode[len("legacy_"):]
        o["session.original_format_remove_keys"] = "drop_me"
    return o


def write_options(mode, keys=None):
    o = dict(options(mode))
    if keys is not None:
        o["session.jwt_secret_keys"] = keys
    if mode.startswith("legacy"):
        o["session.write_original_format"] = "true"
    return o


def session_object(opts):
    kwargs = {k[len("session."):]: v for k, v in opts.items()}
    s = JWTCookieSession({"cookie": ""}, **kwargs)
    s.clear()
    return s


def to_ext(doc):
    return json.loads(json_util.dumps(doc, json_options=CANONICAL_JSON_OPTIONS))


def b64u(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def hs256(header, payload, key):
    """A compact JWS over raw header and payload bytes, signed HMAC-SHA256 whatever `alg` says."""
    signing_input = b64u(header) + "." + b64u(payload)
    mac = hmac.new(key.encode(), signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + b64u(mac)


def bsz(doc):
    return base64.b85encode(zlib.compress(bson.encode(doc), 9)).decode("ascii")


def bson_doc(*elements):
    """A BSON document from raw element bytes (to write what bson.encode will not)."""
    body = b"".join(elements)
    return struct.pack("<i", len(body) + 5) + body + b"\x00"


def whole_b85_groups():
    """A bsZ value whose length is a multiple of 5, so one more character is a tail of its own."""
    for i in range(16):
        value = bsz({"b": 2, "a": 3, "pad": "x" * i})
        if len(value) % 5 == 0:
            return value
    raise SystemExit("no bsZ value of whole base85 groups")


def claims_json(claims):
    return json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def legacy_sign(payload_b64):
    return SignedCookie(LEGACY_KEY).value_encode(payload_b64)[1]


def tamper(cookie, at):
    """Replaces the character at `at` by the next one in its alphabet (same length, same class)."""
    c = cookie[at]
    alphabet = "0123456789abcdef" if c in "0123456789abcdef" and at < 40 else (
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    )
    if c not in alphabet:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return cookie[:at] + alphabet[(alphabet.index(c) + 1) % len(alphabet)] + cookie[at + 1:]


class Folder:
    def __init__(self, mode):
        self.mode = mode
        self.dir = os.path.join(HERE, mode)
        os.makedirs(self.dir, exist_ok=True)
        for old in glob.glob(os.path.join(self.dir, "*")):
            os.remove(old)
        self.names = set()
        write_ini(os.path.join(self.dir, "options.ini"), options(mode), "the vectors in this folder are read with")

    def add(self, name, cookie, read_opts=None, key_override=None):
        """Writes <name>.cookie and Python's answer for it (.json or .error)."""
        if name in self.names:
            raise SystemExit("duplicate case %s/%s" % (self.mode, name))
        self.names.add(name)
        opts = read_opts or options(self.mode)
        if read_opts is not None:
            write_ini(os.path.join(self.dir, name + ".ini"), read_opts, "this case is read with")
        reader = session_object(opts)
        if key_override is not None:
            reader.jwt_secret_keys = [OctKey.import_key(key_override)]
        with open(os.path.join(self.dir, name + ".cookie"), "w", encoding="utf-8", newline="") as f:
            f.write(cookie)
        try:
            data = reader._decrypt_data(cookie)
        except Exception as exc:
            with open(os.path.join(self.dir, name + ".error"), "w", encoding="utf-8", newline="\n") as f:
                f.write("%s: %s\n" % (type(exc).__name__, exc))
            return False
        with open(os.path.join(self.dir, name + ".json"), "w", encoding="utf-8", newline="\n") as f:
            f.write(json.dumps(to_ext(data), indent=1, ensure_ascii=False) + "\n")
        return True

    def expect(self, accepted, name):
        path = os.path.join(self.dir, name + (".json" if accepted else ".error"))
        if not os.path.exists(path):
            other = os.path.join(self.dir, name + (".error" if accepted else ".json"))
            detail = open(other, encoding="utf-8").read() if os.path.exists(other) else ""
            raise SystemExit("%s/%s: expected Python to %s it: %s" % (
                self.mode, name, "accept" if accepted else "refuse", detail))


def write_ini(path, opts, what):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("# Options %s (Beaker .ini syntax; written by tests/data/make_vectors.py).\n" % what)
        f.write("[app:main]\n")
        for k, v in opts.items():
            f.write("%s = %s\n" % (k, v))


def write_catalog(folder):
    """Every catalog session, written by Python with the folder's options and KEY1."""
    mode = folder.mode
    writer = session_object(write_options(mode))
    cookies = {}
    for name, data in catalog.sessions(mode):
        cookies[name] = writer._encrypt_data(dict(data))
        folder.add(name, cookies[name])
        folder.expect(True, name)
    for name, data in catalog.refused_sessions(mode):
        folder.add(name, writer._encrypt_data(dict(data)))
        folder.expect(False, name)
    kind = "bytes" if mode in ("jwt_bson", "legacy_pickle") else "str"
    _, cookie = catalog.largest_fitting(lambda d: writer._encrypt_data(d), kind)
    folder.add("max_size", cookie)
    folder.expect(True, "max_size")
    return cookies


def write_jwt_common(folder, cookies):
    mode = folder.mode
    # Key rotation: signed with the second configured key.
    rotated = session_object(write_options(mode, keys=KEY2))._encrypt_data(dict(catalog.sessions(mode)[0][1]))
    folder.add("rotated_key2", rotated)
    folder.expect(True, "rotated_key2")
    # RFC 7515 A.1, read with its own (binary) key.
    raw = base64.urlsafe_b64decode(RFC7515_A1_KEY + "==")
    folder.add("rfc7515_a1", RFC7515_A1_TOKEN, key_override=raw)
    folder.expect(True, "rfc7515_a1")

    typical = cookies["beaker_typical"]
    head, payload, sig = typical.split(".")
    refused = {
        "bad_tampered_payload": tamper(typical, len(head) + 1 + len(payload) // 2),
        "bad_tampered_signature": tamper(typical, len(head) + len(payload) + 2 + len(sig) // 2),
        "bad_tampered_header": tamper(typical, len(head) // 2),
        "bad_wrong_key": session_object(write_options(mode, keys=UNKNOWN_KEY))._encrypt_data(
            dict(catalog.sessions(mode)[0][1])),
        "bad_alg_none": b64u(b'{"typ":"JWT","alg":"none"}') + "." + payload + ".",
        "bad_alg_none_signed": hs256(b'{"typ":"JWT","alg":"none"}', base64.urlsafe_b64decode(payload + "=="), KEY1),
        "bad_alg_hs512": jwt.encode({"alg": "HS512"}, {"a": 1}, OctKey.import_key(KEY1), algorithms=["HS512"]),
        "bad_alg_lowercase": hs256(b'{"typ":"JWT","alg":"hs256"}', b'{"a":1}', KEY1),
        "bad_alg_rs256": hs256(b'{"typ":"JWT","alg":"RS256"}', b'{"a":1}', KEY1),
        "bad_header_unknown_name": hs256(b'{"typ":"JWT","alg":"HS256","foo":"bar"}', b'{"a":1}', KEY1),
        "bad_header_crit": hs256(b'{"typ":"JWT","alg":"HS256","crit":["foo"],"foo":1}', b'{"a":1}', KEY1),
        "bad_header_typ_number": hs256(b'{"typ":1,"alg":"HS256"}', b'{"a":1}', KEY1),
        "bad_padded_payload": (lambda si: si + "." + b64u(
            hmac.new(KEY1.encode(), si.encode(), hashlib.sha256).digest()))(
            b64u(JWT_HEADER) + "." + base64.urlsafe_b64encode(b'{"ab":1}').decode()),
        "bad_two_segments": head + "." + payload,
        "bad_four_segments": typical + ".x",
        "bad_empty": "",
        "bad_claims_not_object": hs256(JWT_HEADER, b"[1,2]", KEY1),
        "bad_claims_not_json": hs256(JWT_HEADER, b"{not json", KEY1),
    }
    legacy_cookie = SignedCookie(LEGACY_KEY).value_encode(
        base64.b64encode(b"\x80\x02}q\x00X\x01\x00\x00\x00aK\x01s.").decode())[1]
    refused["bad_legacy_when_reading_is_off"] = legacy_cookie
    for name, cookie in refused.items():
        folder.add(name, cookie)
        folder.expect(False, name)
    # Accepted: a header with a registered extra name.
    folder.add("header_with_kid", hs256(b'{"typ":"JWT","alg":"HS256","kid":"k1"}', b'{"a":1}', KEY1))
    folder.expect(True, "header_with_kid")
    folder.add("header_without_typ", hs256(b'{"alg":"HS256"}', b'{"a":1}', KEY1))
    folder.expect(True, "header_without_typ")


def write_jwt_bson_quirks(folder):
    doc = {"b": 2, "a": 3}
    quirks = {
        # bsZ fields are merged over the other claims.
        "bsz_merged_over_claims": claims_json({"a": 1, "bsZ": bsz(doc), "c": 4}),
        # A falsy bsZ is ignored: the claims are the session.
        "bsz_falsy_empty_string": claims_json({"bsZ": "", "x": 1}),
        "bsz_falsy_zero": claims_json({"bsZ": 0, "x": 1}),
        "bsz_falsy_null": claims_json({"bsZ": None, "x": 1}),
        "bsz_falsy_false": claims_json({"bsZ": False, "x": 1}),
        "bsz_falsy_empty_list": claims_json({"bsZ": [], "x": 1}),
        # base64.b85decode ignores a one-character tail.
        "bsz_b85_one_char_tail": claims_json({"bsZ": whole_b85_groups() + "0"}),
        # zlib.decompress ignores bytes after the end of the stream.
        "bsz_zlib_trailing_bytes": claims_json(
            {"bsZ": base64.b85encode(zlib.compress(bson.encode(doc), 9) + b"trailing").decode()}),
        # A JSON-claims cookie (as written with bson_compress_jwt_payload=false).
        "json_claims": claims_json({"user": "bob", "n": 1, "f": 1.5}),
        # BSON duplicate keys: the first position, the last value.
        "bsz_duplicate_keys": claims_json({"bsZ": base64.b85encode(zlib.compress(bson_doc(
            b"\x10a\x00" + struct.pack("<i", 1),
            b"\x10b\x00" + struct.pack("<i", 2),
            b"\x10a\x00" + struct.pack("<i", 3)), 9)).decode()}),
    }
    for name, claims in quirks.items():
        folder.add(name, hs256(JWT_HEADER, claims, KEY1))
        folder.expect(True, name)
    refused = {
        "bad_bsz_b85_character": claims_json({"bsZ": bsz(doc)[:-2] + ",,"}),
        "bad_bsz_number": claims_json({"bsZ": 5}),
        "bad_bsz_not_zlib": claims_json({"bsZ": base64.b85encode(b"not zlib at all").decode()}),
        "bad_bsz_not_bson": claims_json({"bsZ": base64.b85encode(zlib.compress(b"\x05\x00\x00\x00\x01")).decode()}),
        "bad_bsz_truncated_zlib": claims_json({"bsZ": base64.b85encode(zlib.compress(bson.encode(doc))[:-3]).decode()}),
    }
    for name, claims in refused.items():
        folder.add(name, hs256(JWT_HEADER, claims, KEY1))
        folder.expect(False, name)


def write_jwt_json_quirks(folder):
    doc = {"b": 2}
    # With bson_compress_jwt_payload=false, bsZ is popped and dropped.
    for name, claims in {
        "bsz_dropped": {"bsZ": bsz(doc)},
        "bsz_dropped_other_claims_kept": {"a": 1, "bsZ": bsz(doc)},
        "python_json_specials": None,
        "duplicate_keys": b'{"a":1,"b":2,"a":3}',
    }.items():
        if claims is None:
            payload = b'{"nan":NaN,"inf":Infinity,"ninf":-Infinity,"neg_zero":-0.0,"int_neg_zero":-0,"e400":1E400}'
        elif isinstance(claims, bytes):
            payload = claims
        else:
            payload = claims_json(claims)
        folder.add(name, hs256(JWT_HEADER, payload, KEY1))
        folder.expect(True, name)


def pickle_py2(items):
    """A protocol-2 pickle of a dict laid out as Python 2's cPickle writes it (py2 `str` is
    SHORT_BINSTRING), from (key opcodes, value opcodes) byte pairs."""
    out = b"\x80\x02}q\x00(" + b"".join(k + v for k, v in items) + b"u."
    return out


def sbs(s):
    return b"U" + bytes([len(s)]) + s


def write_legacy_quirks(folder, cookies):
    mode = folder.mode
    typical = cookies["beaker_typical"]
    refused = {
        "bad_tampered_payload": tamper(typical, 40 + (len(typical) - 40) // 2),
        "bad_tampered_signature": tamper(typical, 20),
        "bad_uppercase_signature": typical[:40].upper() + typical[40:],
        "bad_wrong_key": SignedCookie("vectors-other-legacy-key").value_encode(typical[40:])[1],
        "bad_short_signature": typical[1:40] + typical[40:],
        "bad_not_base64": legacy_sign("!!!!"),
    }
    if mode == "legacy_pickle":
        refused["bad_json_payload_in_pickle_config"] = legacy_sign(
            base64.b64encode(zlib.compress(b'{"a": 1}')).decode())
    else:
        refused["bad_pickle_payload_in_json_config"] = legacy_sign(
            base64.b64encode(b"\x80\x02}q\x00X\x01\x00\x00\x00aK\x01s.").decode())
    for name, cookie in refused.items():
        folder.add(name, cookie)
        folder.expect(False, name)
    # A JWT still reads when legacy reading is on.
    folder.add("jwt_with_legacy_reading_on", hs256(JWT_HEADER, claims_json({"a": 1}), KEY1))
    folder.expect(True, "jwt_with_legacy_reading_on")

    if mode != "legacy_pickle":
        return
    py2 = pickle_py2([
        (sbs(b"user") + b"q\x01", sbs(b"bob") + b"q\x02"),
        (sbs(b"_accessed_time") + b"q\x03", b"G" + struct.pack(">d", 1700000000.25)),
        (sbs(b"count") + b"q\x04", b"K\x03"),
        (sbs(b"big") + b"q\x05", b"\x8a\x05\x00\x00\x00\x00\x01"),  # LONG1 2**32
        (sbs(b"name") + b"q\x06", b"X\x05\x00\x00\x00caf\xc3\xa9q\x07"),
        (sbs(b"ok") + b"q\x08", b"\x88"),
        (sbs(b"none") + b"q\x09", b"N"),
        (sbs(b"list") + b"q\x0a", b"]q\x0b(K\x01" + sbs(b"two") + b"e"),
        (sbs(b"tuple") + b"q\x0c", b"K\x01K\x02\x86q\x0d"),
    ])
    folder.add("py2_session", legacy_sign(base64.b64encode(py2).decode()))
    folder.expect(True, "py2_session")
    # Python 2 datetime: GLOBAL datetime.datetime, a 10-byte SHORT_BINSTRING state, REDUCE.
    # Python 3 decodes the state as ASCII, so only all-ASCII states load.
    def py2_datetime(state):
        return pickle_py2([(sbs(b"when") + b"q\x01",
                            b"cdatetime\ndatetime\nq\x02" + sbs(state) + b"q\x03\x85q\x04Rq\x05")])
    ascii_state = bytes([0x07, 0x6C, 1, 2, 3, 4, 5, 0x00, 0x00, 0x06])  # 1900-01-02 03:04:05.000006
    folder.add("py2_datetime_ascii", legacy_sign(base64.b64encode(py2_datetime(ascii_state)).decode()))
    folder.expect(True, "py2_datetime_ascii")
    modern = bytes([0x07, 0xE8, 1, 2, 3, 4, 5, 0x00, 0x00, 0x06])  # 2024: byte 0xE8 is not ASCII
    folder.add("bad_py2_datetime_non_ascii", legacy_sign(base64.b64encode(py2_datetime(modern)).decode()))
    folder.expect(False, "bad_py2_datetime_non_ascii")
    folder.add("bad_py2_str_non_ascii", legacy_sign(base64.b64encode(
        pickle_py2([(sbs(b"name") + b"q\x01", sbs(b"caf\xc3\xa9") + b"q\x02")])).decode()))
    folder.expect(False, "bad_py2_str_non_ascii")
    # The re-serialization check follows bson_compress_jwt_payload: a datetime passes
    # bson.encode but not json.dumps.
    json_check = dict(options(mode))
    json_check["session.bson_compress_jwt_payload"] = "false"
    folder.add("bad_datetime_in_json_check", cookies["datetimes"], read_opts=json_check)
    folder.expect(False, "bad_datetime_in_json_check")
    folder.add("typical_in_json_check", typical, read_opts=json_check)
    folder.expect(True, "typical_in_json_check")


def write_sample():
    """examples/sample.cookie + examples/sample.ini: a typical session in the default bsZ mode."""
    key = "sample-secret-key-0123456789"
    opts = {"session.jwt_secret_keys": key}
    examples = os.path.join(ROOT, "examples")
    os.makedirs(examples, exist_ok=True)
    data = {
        "_id": catalog.SID,
        "_creation_time": catalog.T_CREATED,
        "_accessed_time": catalog.T_ACCESSED,
        "user_id": 1234,
        "username": "alice",
        "roles": ["admin", "editor"],
        "last_login": datetime.datetime(2024, 2, 29, 12, 34, 56, 789000),
    }
    cookie = session_object(opts)._encrypt_data(data)
    with open(os.path.join(examples, "sample.cookie"), "w", encoding="utf-8", newline="\n") as f:
        f.write(cookie + "\n")
    write_ini(os.path.join(examples, "sample.ini"), opts, "examples/sample.cookie was written with")


def main():
    for mode in catalog.MODES:
        folder = Folder(mode)
        cookies = write_catalog(folder)
        if mode.startswith("jwt"):
            write_jwt_common(folder, cookies)
            if mode == "jwt_bson":
                write_jwt_bson_quirks(folder)
            else:
                write_jwt_json_quirks(folder)
        else:
            write_legacy_quirks(folder, cookies)
        print("%s: %d cases" % (mode, len(folder.names)))
    write_sample()


if __name__ == "__main__":
    main()
