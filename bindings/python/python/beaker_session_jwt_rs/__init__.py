"""Beaker session cookies read and written by the Rust codec of beaker-session-jwt.

A drop-in for the Python package beaker-session-jwt 1.0.4: pass
``session_class=beaker_session_jwt_rs.JWTCookieSession`` to Beaker's ``SessionMiddleware``
(with the same options). It subclasses ``beaker_session_jwt.JWTCookieSession``, keeps Beaker's
whole session lifecycle, and replaces only ``_encrypt_data`` / ``_decrypt_data`` (and the key
setup of ``__init__``) with the Rust codec:

- what ``_decrypt_data`` returns is what the Python package returns, type for type (pymongo's
  ``bson.decode`` still builds the BSON values, after our decoder has verified and bounded the
  cookie), and Python's exception classes are raised where Python raises (each of ours also
  derives from :class:`CookieError`);
- legacy pickles are read by a whitelist that never runs code (``pickle`` is never used), and
  every decode is bounded (cookie length, inflated size, depth, items): those refusals raise
  :class:`RefusedPickleGlobal` and :class:`LimitExceeded`, where Python would run the pickle's
  code or inflate without limit.

See README.md beside this package for the deliberate differences.
"""

import binascii
import calendar
import datetime
import json
import logging
import pickle
import time
import zlib
from http.cookies import BaseCookie, CookieError as _HttpCookieError

import beaker_session_jwt as _py
import bson
import bson.errors
import joserfc.errors as _jose
from beaker import util
from beaker.converters import asbool, aslist
from beaker.exceptions import BeakerException
from beaker.session import _ConfigurableSession, _session_id

from . import _native

__all__ = [
    "JWTCookieSession",
    "CookieError",
    "BadSignature",
    "InvalidOriginalSignature",
    "MalformedJWS",
    "UnsupportedAlgorithm",
    "UnsupportedHeader",
    "InvalidHeaderValue",
    "InvalidPayload",
    "MalformedBase64",
    "MalformedBase85",
    "MalformedZlib",
    "MalformedBSON",
    "UnwritableBSON",
    "MalformedJSON",
    "UnwritableJSON",
    "UnsupportedValue",
    "MalformedPickle",
    "RefusedPickleGlobal",
    "LimitExceeded",
    "ConfigError",
]

log = logging.getLogger("beaker_session_jwt")


class CookieError(Exception):
    """A cookie (or a session to write) the Rust codec refused.

    Every exception this package raises for a cookie derives from this class *and* from the
    exception the Python package raises in the same case (so ``except BadSignatureError`` and
    ``except InvalidBSON`` keep working). ``category`` (``malformed``, ``unsupported``,
    ``unwritable``, ``placeholder``, ``bad_signature``, ``limit``, ``config``), ``layer``
    (``jws``, ``base64``, ``base85``, ``zlib``, ``bson``, ``json``, ``pickle``, ``legacy``, ...)
    and ``what`` say why; the message is the core's.
    """

    def __init__(self, message, category="", layer="", what=""):
        Exception.__init__(self, message)
        self.category = category
        self.layer = layer
        self.what = what
        # joserfc's JoseError and json's JSONDecodeError read these attributes.
        self.description = message
        self.msg = message
        self.doc = ""
        self.pos = self.lineno = self.colno = 0


def _error_class(name, base, doc):
    return type(name, (CookieError, base), {"__doc__": doc, "__module__": __name__})


BadSignature = _error_class(
    "BadSignature", _jose.BadSignatureError, "No configured key verified the JWT (joserfc: BadSignatureError)."
)
InvalidOriginalSignature = _error_class(
    "InvalidOriginalSignature",
    BeakerException,
    "The legacy cookie's HMAC-SHA1 did not verify (Python: BeakerException).",
)
MalformedJWS = _error_class("MalformedJWS", _jose.DecodeError, "Not a compact JWS (joserfc: DecodeError).")
UnsupportedAlgorithm = _error_class(
    "UnsupportedAlgorithm", _jose.UnsupportedAlgorithmError, "A JWS alg other than HS256."
)
UnsupportedHeader = _error_class(
    "UnsupportedHeader", _jose.UnsupportedHeaderError, "An unknown or critical JWS header name."
)
InvalidHeaderValue = _error_class(
    "InvalidHeaderValue", _jose.InvalidHeaderValueError, "A registered JWS header of the wrong type."
)
MissingAlgorithm = _error_class("MissingAlgorithm", _jose.MissingAlgorithmError, "A JWS header without alg.")
InvalidPayload = _error_class(
    "InvalidPayload", _jose.InvalidPayloadError, "JWT claims that are not a JSON object."
)
MalformedBase64 = _error_class("MalformedBase64", binascii.Error, "A legacy payload that is not base64.")
MalformedBase85 = _error_class("MalformedBase85", ValueError, "A bsZ claim that is not base85.")
BsZNotText = _error_class("BsZNotText", TypeError, "A bsZ claim that is not a string.")
MalformedZlib = _error_class("MalformedZlib", zlib.error, "A zlib stream zlib refuses.")
MalformedBSON = _error_class("MalformedBSON", bson.errors.InvalidBSON, "BSON pymongo refuses.")
UnwritableBSON = _error_class(
    "UnwritableBSON", bson.errors.InvalidDocument, "A legacy session value BSON cannot hold."
)
MalformedJSON = _error_class("MalformedJSON", json.JSONDecodeError, "A legacy json payload that is not JSON.")
UnwritableJSON = _error_class("UnwritableJSON", TypeError, "A legacy session value JSON cannot hold.")
UnsupportedValue = _error_class(
    "UnsupportedValue",
    ValueError,
    "A value Python reads but the codec refuses (a JSON integer beyond 64 bits, a lone surrogate).",
)
MalformedPickle = _error_class(
    "MalformedPickle", pickle.UnpicklingError, "A legacy pickle the whitelisted reader refuses."
)
RefusedPickleGlobal = _error_class(
    "RefusedPickleGlobal",
    pickle.UnpicklingError,
    "A legacy pickle naming a global outside the whitelist (Python would import and call it).",
)
LimitExceeded = _error_class(
    "LimitExceeded", ValueError, "A bound of the codec tripped (Python would have kept going)."
)
ConfigError = _error_class("ConfigError", BeakerException, "Options the codec cannot use.")

# Python raises joserfc's DecodeError for these JWS failures and the others named.
_JWS_MALFORMED = {
    "header value of the wrong type": InvalidHeaderValue,
    "missing alg": MissingAlgorithm,
}
_JWS_UNSUPPORTED = {
    "algorithm": UnsupportedAlgorithm,
    "crit/b64 header": UnsupportedHeader,
    "header name": UnsupportedHeader,
    "bsZ claim is not a string": BsZNotText,
}


def _exception(err):
    """The exception Python raises for the core's refusal `err` (a `_native.CodecError`)."""
    category, layer, what, message, legacy = err.args
    cls = None
    if category == "config":
        cls = ConfigError
    elif category == "limit":
        cls = LimitExceeded
    elif category == "placeholder":
        cls = RefusedPickleGlobal
    elif category == "bad_signature" or layer == "legacy":
        if legacy:
            cls, message = InvalidOriginalSignature, "Invalid original format signature"
        else:
            cls = BadSignature
    elif category == "unwritable":
        cls = UnwritableBSON if layer == "bson" else UnwritableJSON
    elif layer == "jws":
        table = _JWS_MALFORMED if category == "malformed" else _JWS_UNSUPPORTED
        cls = table.get(what, MalformedJWS)
    elif layer == "base64":
        cls = MalformedBase64 if legacy else MalformedJWS
    elif layer == "base85":
        cls = MalformedBase85
    elif layer == "zlib":
        cls = MalformedZlib
    elif layer == "bson":
        cls = MalformedBSON
    elif layer == "json":
        if category == "unsupported" and what != "top level is not an object":
            cls = UnsupportedValue
        else:
            cls = MalformedJSON if legacy else InvalidPayload
    elif layer == "pickle":
        cls = MalformedPickle
    if cls is None:
        cls = MalformedJWS
    return cls(message, category, layer, what)


# One native codec per distinct set of options (SessionMiddleware passes the same options on
# every request): the key setup and the codec's buffers are made once.
_CODECS = {}
_MAX_CODECS = 64


def _codec(keys, bson_payload, read_orig, write_orig, validate_key, serializer, remove_keys, weak):
    cache_key = (tuple(keys), bson_payload, read_orig, write_orig, validate_key, serializer,
                 tuple(remove_keys), weak)
    codec = _CODECS.get(cache_key)
    if codec is None:
        try:
            codec = _native.Codec(
                list(keys), bson_payload, read_orig, write_orig, validate_key, serializer,
                list(remove_keys), weak,
            )
        except _native.CodecError as e:
            raise _exception(e) from None
        if len(_CODECS) >= _MAX_CODECS:
            _CODECS.clear()
        _CODECS[cache_key] = codec
    return codec


def _key_bytes(k):
    # joserfc's OctKey.import_key(k): str as UTF-8, bytes as they are.
    if isinstance(k, bytes):
        return k
    if isinstance(k, str):
        return k.encode("utf-8")
    return str(k).encode("utf-8")


class JWTCookieSession(_py.JWTCookieSession):
    """``beaker_session_jwt.JWTCookieSession`` on the Rust codec.

    Takes the same options, plus ``allow_weak_keys`` (default false): keys shorter than 14
    bytes are refused (:class:`ConfigError`) unless it is true, where Python only warns.
    """

    def __init__(self, request, key='beaker.session.id', timeout=None,
                 save_accessed_time=True, cookie_expires=True, cookie_domain=None,
                 cookie_path='/',
                 secure=False,
                 httponly=False,
                 invalidate_corrupt=False,
                 samesite='Lax',
                 jwt_secret_keys=None,
                 bson_compress_jwt_payload=True,
                 read_original_format=False,
                 write_original_format=False,
                 original_format_validate_key=None,
                 original_format_data_serializer='pickle',
                 original_format_remove_keys=None,
                 allow_weak_keys=False,
                 **kwargs):
        # beaker_session_jwt.JWTCookieSession.__init__ (1.0.4), line for line, except that the
        # keys go to the Rust codec instead of joserfc's OctKey.
        _ConfigurableSession.__init__(
            self,
            cookie_domain=cookie_domain,
            cookie_path=cookie_path
        )
        self.clear()

        self.request = request
        self.key = key
        self.timeout = timeout
        self.save_atime = save_accessed_time
        self.cookie_expires = cookie_expires
        self.request['set_cookie'] = False
        self.secure = secure
        self.httponly = httponly
        self.samesite = samesite
        self.invalidate_corrupt = invalidate_corrupt
        keys = [_key_bytes(k) for k in aslist(jwt_secret_keys, sep=',')]
        for k in keys:
            if not k:
                raise ValueError("oct key material must not be empty")
        self.jwt_secret_keys = keys
        self.bson_compress_jwt_payload = asbool(bson_compress_jwt_payload)
        self.read_original_format = asbool(read_original_format)
        self.write_original_format = asbool(write_original_format)
        validate_key = None
        serializer = 'pickle'
        remove_keys = []
        if self.read_original_format or self.write_original_format:
            self.original_format_validate_key = original_format_validate_key
            self._set_serializer(original_format_data_serializer)
            self.original_format_data_serializer = self.serializer
            self.original_format_remove_keys = aslist(original_format_remove_keys, sep=',')
            if original_format_validate_key is None:
                raise BeakerException("No original_format_validate_key specified")
            if not isinstance(original_format_data_serializer, str):
                raise ConfigError("only the 'pickle' and 'json' serializers are supported",
                                  "config", "", "serializer")
            validate_key = original_format_validate_key.encode('UTF-8')
            serializer = original_format_data_serializer
            remove_keys = self.original_format_remove_keys

        if not self.jwt_secret_keys:
            raise BeakerException("No jwt_secret_keys specified")
        if timeout and not save_accessed_time:
            raise BeakerException("timeout requires save_accessed_time")

        self._codec = _codec(keys, self.bson_compress_jwt_payload, self.read_original_format,
                             self.write_original_format, validate_key, serializer, remove_keys,
                             asbool(allow_weak_keys))

        cookieheader = request.get('cookie') or ''

        # workaround https://github.com/python/cpython/issues/92936 in case of a bad cookie spoiling it for everyone
        cookiedict = {}
        for cook in cookieheader.split(';'):
            if '=' not in cook:
                continue
            k, v = cook.strip().split('=', 1)  # only split on first =.  There can be more in the value
            v = v.strip('"')  # ok if entire value is quoted
            if '"' in v or ',' in v:
                _py.log.warning(f'invalid characters in cookie {k}={v}')
            cookiedict[k] = v

        try:
            # limit to only the key we care about, to avoid any problematic other cookies
            if self.key in cookiedict:
                cookiedict_our_key_only = {self.key: cookiedict[self.key]}
            else:
                cookiedict_our_key_only = {}
            # BaseCookie instead of SimpleCookie to avoid extra " when using write_original_format option
            self.cookie = BaseCookie(
                input=cookiedict_our_key_only,
            )
        except _HttpCookieError as e:
            _py.log.warning(f'Cookie parsing error: {e} in {cookieheader}')
            self.cookie = BaseCookie(
                input=None,
            )

        self['_id'] = _session_id()
        self.is_new = True

        # If we have a cookie, load it
        if self.key in self.cookie and self.cookie[self.key].value is not None:
            self.is_new = False
            try:
                cookie_data = self.cookie[self.key].value
                self.update(self._decrypt_data(cookie_data))
            except Exception as e:
                if self.invalidate_corrupt:
                    util.warn(
                        "Invalidating corrupt session %s; "
                        "error was: %s.  Set invalidate_corrupt=False "
                        "to propagate this exception." % (self.id, e))
                    self.invalidate()
                else:
                    raise

            if self.timeout is not None:
                now = time.time()
                last_accessed_time = self.get('_accessed_time', now)
                if now - last_accessed_time > self.timeout:
                    self.clear()

            self.accessed_dict = self.copy()
            self._create_cookie()

    def _encrypt_data(self, session_data=None) -> str:
        """The cookie value for the session, as the Python package writes it.

        The session is serialized by pymongo's ``bson.encode`` (or, for JSON claims, by the
        ``json.dumps`` call joserfc makes), so what Python refuses to write raises the same
        exception here; the Rust codec then compresses, signs and frames it.
        """
        session_data = session_data or self.copy()
        if not self.write_original_format:
            # these are internal to beaker
            session_data.pop('_expires', None)
            session_data.pop('_path', None)
            session_data.pop('_domain', None)
        try:
            if self.bson_compress_jwt_payload:
                if self.write_original_format:
                    # A pickle keeps the dict's order; pymongo moves a top-level _id first.
                    return self._codec.encode_bson(bson.encode({"s": session_data}), True)
                return self._codec.encode_bson(bson.encode(session_data))
            if self.write_original_format:
                return self._codec.encode_json(json.dumps(session_data).encode("utf-8"))
            return self._codec.encode_json(_claims_json(session_data))
        except _native.CodecError as e:
            raise _exception(e) from None

    def _decrypt_data(self, session_data: str) -> dict:
        """The session of a cookie value, exactly as the Python package returns it, or the
        exception it raises (see the module docs for where we refuse instead)."""
        try:
            return self._codec.decode(session_data)
        except _native.CodecError as e:
            exc = _exception(e)
        if isinstance(exc, (UnwritableBSON, UnwritableJSON)):
            log.error('original format cookie (pickle) loaded with fields that cannot be serialized, probably '
                      'need to add one of its keys to original_format_remove_keys: %s', exc)
        raise exc


def _claims_json(claims):
    """joserfc's ``convert_claims`` (joserfc 1.8.0 ``_rfc7519/claims.py``): the bytes of the JWT
    payload for `claims`, with ``exp``/``iat``/``nbf`` datetimes made timestamps."""
    for k in ("exp", "iat", "nbf"):
        claim = claims.get(k)
        if isinstance(claim, datetime.datetime):
            claims[k] = calendar.timegm(claim.utctimetuple())
    return json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
