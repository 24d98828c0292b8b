//! Whole cookies: choose JWT or legacy, enforce whole-cookie limits and the timeout.
//!
//! Follows beaker-session-jwt 1.0.4 `JWTCookieSession._decrypt_data` / `_encrypt_data`.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use crate::base85;
use crate::bson;
#[cfg(feature = "legacy")]
use crate::config::Serializer;
use crate::config::{Config, Valid};
use crate::error::{Error, Layer, Limit, Result};
use crate::json;
use crate::jwt;
#[cfg(feature = "legacy")]
use crate::legacy;
#[cfg(feature = "legacy")]
use crate::pickle;
use crate::session_bytes::{self, SessionBytes};
use crate::time;
use crate::unix_time::UnixTime;
use crate::value::{Document, Session, Value};
use crate::zlib;

/// The claim that holds the compressed session (`JWTCookieSession.compress_claim_fld`).
pub(crate) const BSZ: &str = "bsZ";

/// A cookie value that passed the checks every reader of a cookie applies, here and nowhere
/// else: [`decode_cookie`], [`Codec`](crate::Codec), [`inspect_cookie`](crate::inspect_cookie),
/// [`CookieSession::load`](crate::CookieSession::load) (and so
/// [`LazySession`](crate::LazySession)) and [`legacy::decode`](crate::legacy::decode) all
/// build one with [`CookieValue::admit`] before they read anything.
///
/// The order, the same on every path:
/// 1. the [`Config`] validates (the caller holds a [`Valid`] one);
/// 2. every surrounding `"` is stripped, balanced or not: beaker-session-jwt's header parse
///    (`v.strip('"')`) and Beaker's `SignedCookie.value_decode` (`val.strip('"')`) strip them
///    before anything reads the value. Nothing else is trimmed: Python's `_decrypt_data`
///    reads the value as it gets it; whitespace goes only around a `Cookie:` header's pieces,
///    which [`cookie_from_header`](crate::cookie_from_header) strips;
/// 3. an empty value is [`Error::Malformed`];
/// 4. the stripped value longer than [`Limits::max_cookie_len`](crate::Limits::max_cookie_len)
///    is [`Error::LimitExceeded`]`(`[`Limit::CookieLen`]`)`.
///
/// The length is that of the stripped value, not of the value as the browser sends it:
/// Python reads (and bounds, with Beaker's 4064 on writing) only the stripped value, and
/// [`cookie_from_header`](crate::cookie_from_header) hands over the value already stripped, so
/// measuring after the strip gives `"v"` and `v` the same verdict on every path. The strip
/// only scans the quotes at the two ends of a value the caller already holds.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CookieValue<'v>(&'v str);

impl<'v> CookieValue<'v> {
    /// Applies the checks above to `value`; an empty value is malformed in `empty` (the layer
    /// of the reader that was asked: [`Layer::Cookie`], or [`Layer::LegacyMac`] for
    /// [`legacy::decode`](crate::legacy::decode)).
    ///
    /// # Errors
    /// [`Error::Malformed`] when empty; [`Error::LimitExceeded`] with `CookieLen`.
    pub(crate) fn admit(
        value: &'v str,
        config: Valid<'_>,
        empty: Layer,
    ) -> Result<CookieValue<'v>> {
        let value = value.trim_matches('"');
        if value.is_empty() {
            return Err(Error::malformed(empty, 0, "empty cookie value"));
        }
        if value.len() > config.limits.max_cookie_len {
            return Err(Error::LimitExceeded(Limit::CookieLen));
        }
        Ok(CookieValue(value))
    }

    /// The stripped value.
    pub(crate) fn as_str(self) -> &'v str {
        self.0
    }
}

/// What a public entry point that reads a cookie does first: validates `config`, then admits
/// `value` ([`CookieValue`]).
///
/// # Errors
/// [`Error::Config`], then as [`CookieValue::admit`] in [`Layer::Cookie`].
pub(crate) fn admit<'v, 'c>(
    value: &'v str,
    config: &'c Config,
) -> Result<(CookieValue<'v>, Valid<'c>)> {
    let config = Valid::new(config)?;
    Ok((CookieValue::admit(value, config, Layer::Cookie)?, config))
}

/// Which format a cookie came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// JWT with `{"bsZ": ...}` claims.
    JwtBson,
    /// JWT whose claims are the session.
    JwtJson,
    /// Legacy signed cookie, pickle serializer.
    LegacyPickle,
    /// Legacy signed cookie, json serializer.
    LegacyJson,
}

impl Format {
    /// True for the legacy (pre-JWT) formats.
    pub fn is_legacy(self) -> bool {
        matches!(self, Format::LegacyPickle | Format::LegacyJson)
    }
}

/// A verified, decoded cookie.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Decoded {
    /// The session.
    pub session: Session,
    /// The format it came in.
    pub format: Format,
    /// Index in `jwt_secret_keys` of the key that verified it (always 0 for legacy cookies,
    /// which have one key). Non-zero means it was signed with an older key: re-sign it.
    pub key_index: usize,
}

/// Decodes a cookie value: verifies it, decodes it, and applies the timeout.
///
/// Surrounding double quotes are stripped, as Beaker does, and the stripped value is bounded
/// by `max_cookie_len` (the checks and their order are the same for every function that
/// reads a cookie). A JWT is verified with each key of `jwt_secret_keys` in order. As in
/// Python, a value that is not a well-formed JWS (or whose `bsZ` is not base85) is tried as a
/// legacy cookie when `read_original_format` is on; a JWS with a bad signature or a refused
/// header is not. In `bson_compress_jwt_payload` mode the BSON fields are merged over any
/// other claims; in JSON mode a `bsZ` claim is dropped. `now` (seconds since the epoch, e.g.
/// `1_700_000_000.0`) is only read when `config.timeout` is set. A [`Codec`](crate::Codec)
/// does the same with its buffers and inflater kept across calls, and can read a few keys in
/// place.
///
/// ```
/// use beaker_session_jwt::{decode_cookie, Config, Error, Format};
///
/// let config = Config::from_options([("session.jwt_secret_keys", "example-secret-0123456789")])?;
/// // Written by the Python package: `{"user": "ada"}` as bsZ claims.
/// let cookie = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJic1oiOiJjLWorWVV8P1Y-RWx3P0JVOyhsY1F4WHslMDMwO317eyJ9.kPnGAIq44admir72EPj5tvEt9DbcKb7fopmdEHc0OnM";
/// let decoded = decode_cookie(cookie, &config, 1_700_000_000.0)?;
/// assert_eq!(decoded.format, Format::JwtBson);
/// assert_eq!(decoded.session.get("user").and_then(|v| v.as_str()), Some("ada"));
///
/// // A forged or mangled cookie is an error, never a partial session.
/// let forged = cookie.replace("kPnG", "kPnH");
/// assert_eq!(decode_cookie(&forged, &config, 0.0), Err(Error::BadSignature));
/// # Ok::<(), beaker_session_jwt::Error>(())
/// ```
///
/// # Errors
/// Every [`Error`] category: [`Error::Config`] first if `config` does not validate;
/// [`Error::LimitExceeded`] when a [`Limits`](crate::Limits) bound trips; [`Error::BadSignature`];
/// [`Error::Malformed`] / [`Error::Unsupported`] naming the layer; [`Error::Expired`].
/// Nothing is returned with an error.
///
/// # Limits
/// All of `config.limits`: `max_cookie_len` first (of the value with its surrounding quotes
/// stripped), then the inflate, depth, item and string bounds of each layer.
pub fn decode_cookie(value: &str, config: &Config, now: impl Into<UnixTime>) -> Result<Decoded> {
    decode_in(&mut Scratch::new(), value, config, now.into().as_secs_f64())
}

/// Buffers and decompressor/compressor states one decode or encode works in: fresh (and empty:
/// nothing is allocated until a step needs it) for the one-shot functions, kept across calls by
/// a [`Codec`](crate::Codec). Every step clears what it reuses, so nothing of one call leaks
/// into the next.
#[derive(Default)]
pub(crate) struct Scratch {
    inflater: Option<zlib::Inflater>,
    deflater: Option<zlib::Deflater>,
    /// Decode: the JWS payload, or the legacy payload's bytes. Encode: the BSON.
    payload: Vec<u8>,
    /// Decode: the base85-decoded `bsZ`. Encode: the deflated BSON.
    deflated: Vec<u8>,
    /// Decode: the inflated BSON (read by [`decode_in`] or viewed by `Codec::decode_view`).
    pub(crate) inflated: Vec<u8>,
    /// Encode: the claims JSON.
    claims: String,
    /// Decode: the stacks the BSON reader builds the session on (empty between calls).
    stacks: bson::Stacks,
    /// Decode: the stacks the JSON reader builds the claims on (empty between calls).
    json: json::Stacks,
    /// Decode: the vectors a legacy pickle is read and converted in.
    #[cfg(feature = "legacy")]
    pickle: pickle::Buffers,
}

impl Scratch {
    pub(crate) const fn new() -> Scratch {
        Scratch {
            inflater: None,
            deflater: None,
            payload: Vec::new(),
            deflated: Vec::new(),
            inflated: Vec::new(),
            claims: String::new(),
            stacks: bson::Stacks::new(),
            json: json::Stacks::new(),
            #[cfg(feature = "legacy")]
            pickle: pickle::Buffers::new(),
        }
    }
}

/// A verified cookie whose payload is decoded up to the session itself.
pub(crate) enum Opened {
    /// A JWT: its claims without `bsZ`, and whether `Scratch::inflated` holds the BSON fields
    /// to merge over them.
    Jwt {
        claims: Document,
        bson: bool,
        format: Format,
        key_index: usize,
    },
    /// A legacy cookie, fully decoded.
    #[cfg_attr(not(feature = "legacy"), allow(dead_code))]
    Legacy { session: Session, format: Format },
}

/// [`decode_cookie`] in `s`: the one implementation behind the one-shot function and
/// [`Codec::decode_cookie`](crate::Codec::decode_cookie).
pub(crate) fn decode_in(
    s: &mut Scratch,
    value: &str,
    config: &Config,
    now_unix_secs: f64,
) -> Result<Decoded> {
    let (value, config) = admit(value, config)?;
    let decoded = decode_untimed(s, value, config)?;
    let config = config.get();
    if let Some(timeout) = config.timeout {
        time::check_timeout(&decoded.session, timeout, now_unix_secs, config.time_mode)?;
    }
    Ok(decoded)
}

/// [`decode_in`] without the timeout check (a [`CookieSession`](crate::CookieSession) applies
/// Beaker's timeout rule itself: it clears, it does not refuse).
pub(crate) fn decode_untimed(
    s: &mut Scratch,
    value: CookieValue<'_>,
    config: Valid<'_>,
) -> Result<Decoded> {
    let limits = &config.limits;
    let decoded = match open(s, value, config)? {
        Opened::Jwt {
            claims,
            bson,
            format,
            key_index,
        } => {
            let session = if bson {
                merge(claims, bson::read_in(&s.inflated, limits, &mut s.stacks)?)
            } else {
                claims
            };
            Decoded {
                session,
                format,
                key_index,
            }
        }
        Opened::Legacy { session, format } => Decoded {
            session,
            format,
            key_index: 0,
        },
    };
    Ok(decoded)
}

/// `payload.update(bson.decode(...))`: BSON fields override the other claims, new ones are
/// appended in their order. Both sides have unique keys, so Python's duplicate rule ("first
/// position, last value") over the two in a row is exactly `dict.update`, in O(n log n).
pub(crate) fn merge(claims: Document, fields: Document) -> Document {
    if claims.is_empty() {
        return fields;
    }
    let mut entries = claims.into_entries();
    entries.extend(fields.into_entries());
    Document::from_entries(entries)
}

/// Everything of a decode of an admitted value but building the BSON session and the timeout
/// check: the JWT, or the legacy cookie when the JWT path falls through.
pub(crate) fn open(s: &mut Scratch, value: CookieValue<'_>, config: Valid<'_>) -> Result<Opened> {
    match open_jwt(s, value, config.get()) {
        #[cfg(feature = "legacy")]
        Err(e) if config.read_original_format && falls_through_to_legacy(&e) => {
            let session = decode_legacy(s, value, config)?;
            let format = legacy_format(config.get());
            Ok(Opened::Legacy { session, format })
        }
        other => other,
    }
}

/// [`legacy::decode`] of an admitted value in `s`.
#[cfg(feature = "legacy")]
pub(crate) fn decode_legacy(
    s: &mut Scratch,
    value: CookieValue<'_>,
    config: Valid<'_>,
) -> Result<Session> {
    legacy::decode_with(
        value,
        config,
        &mut s.payload,
        &mut s.inflated,
        &mut s.inflater,
        &mut s.pickle,
        &mut s.json,
    )
}

/// The format of a legacy cookie read under `config`.
#[cfg(feature = "legacy")]
pub(crate) fn legacy_format(config: &Config) -> Format {
    match config.original_format_data_serializer {
        Serializer::Pickle => Format::LegacyPickle,
        Serializer::Json => Format::LegacyJson,
    }
}

/// Python reaches the legacy reader on `ValueError` and joserfc's `DecodeError` only: a value
/// that is not a JWS, a header or payload segment that is not base64url/JSON, a `bsZ` that is
/// not base85.
pub(crate) fn falls_through_to_legacy(e: &Error) -> bool {
    matches!(
        e,
        Error::Malformed {
            layer: Layer::Jws | Layer::Base64 | Layer::Base85,
            ..
        }
    )
}

fn open_jwt(s: &mut Scratch, value: CookieValue<'_>, config: &Config) -> Result<Opened> {
    let limits = &config.limits;
    let key_index = jwt::verify_to(value.as_str(), &config.jwt_secret_keys, &mut s.payload)?;
    let format = if config.bson_compress_jwt_payload {
        Format::JwtBson
    } else {
        Format::JwtJson
    };
    // Fast path: claims that are exactly `{"bsZ":"<base85>"}` (what Python and we write).
    if config.bson_compress_jwt_payload {
        if let Some(text) = bare_bsz(&s.payload, limits) {
            if !text.is_empty() && base85::decode_to(text, &mut s.deflated).is_ok() {
                let inflater = s.inflater.get_or_insert_with(zlib::Inflater::new);
                inflater.inflate_into(&s.deflated, &mut s.inflated, limits)?;
                return Ok(Opened::Jwt {
                    claims: Document::new(),
                    bson: true,
                    format,
                    key_index,
                });
            }
        }
    }
    let mut claims = json::read_in(&s.payload, limits, &mut s.json)?;
    let compressed = claims.remove(BSZ);
    let text = if config.bson_compress_jwt_payload {
        bsz_text(compressed)?
    } else {
        None
    };
    // Python: `if self.bson_compress_jwt_payload and compressed:` — a falsy bsZ is ignored.
    let bson = text.is_some();
    if let Some(text) = text {
        base85::decode_to(text.as_bytes(), &mut s.deflated)?;
        let inflater = s.inflater.get_or_insert_with(zlib::Inflater::new);
        inflater.inflate_into(&s.deflated, &mut s.inflated, limits)?;
    }
    Ok(Opened::Jwt {
        claims,
        bson,
        format,
        key_index,
    })
}

/// The text of a `bsZ` claim: `None` when absent or falsy.
pub(crate) fn bsz_text(compressed: Option<Value>) -> Result<Option<String>> {
    match compressed {
        None => Ok(None),
        Some(v) if is_falsy(&v) => Ok(None),
        Some(Value::String(s)) => Ok(Some(String::from(s))),
        Some(_) => Err(Error::unsupported(
            Layer::Jws,
            0,
            "bsZ claim is not a string",
        )),
    }
}

/// The claims we (and Python) write in bsZ mode are exactly `{"bsZ":"<base85>"}`. For that
/// shape, when the string is valid base85 (every character then printable ASCII other than `"`
/// and `\`, so JSON would read it unchanged) and the limits let the general reader accept it,
/// [`json::read`] would return one `bsZ` string of exactly those bytes: the caller decodes them
/// in place instead of building a document and copying the string. For anything else the
/// general reader decides, errors included.
fn bare_bsz<'p>(payload: &'p [u8], limits: &crate::Limits) -> Option<&'p [u8]> {
    let text = payload.strip_prefix(b"{\"bsZ\":\"")?.strip_suffix(b"\"}")?;
    // The general reader counts the object and the string, bounds the key and the string, and
    // charges both to the session budget (the object as the root, the string as its entry).
    let mut budget = SessionBytes::new(limits);
    let charged = budget
        .charge(None, session_bytes::BLOCK)
        .and_then(|()| budget.charge(Some(BSZ.len()), session_bytes::text(text.len())));
    let fits = limits.max_items >= 2
        && limits.max_depth >= 1
        && limits.max_str_len >= text.len().max(BSZ.len())
        && charged.is_ok();
    fits.then_some(text)
}

/// Python truthiness of a JSON value.
fn is_falsy(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Int32(i) => *i == 0,
        Value::Int64(i) => *i == 0,
        Value::Double(d) => *d == 0.0,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Document(d) => d.is_empty(),
        _ => false,
    }
}

/// Decodes a cookie, or returns an empty session on any error: Beaker's
/// `invalidate_corrupt=True` behaviour (and what Beaker does on timeout) in one call.
///
/// # Limits
/// As [`decode_cookie`].
pub fn decode_cookie_or_empty(value: &str, config: &Config, now: impl Into<UnixTime>) -> Session {
    // The empty session on error is this function's contract (Beaker's `invalidate_corrupt`).
    decode_cookie(value, config, now)
        .map(|d| d.session)
        .unwrap_or_default()
}

/// Encodes a session as a cookie value under `config`: a legacy cookie when
/// `write_original_format` is on, else a JWT signed with the first key. JWT writes drop
/// `_expires`, `_path` and `_domain`, as Python does. In JSON mode, top-level `exp`, `iat`
/// and `nbf` datetimes are written as whole Unix seconds (joserfc's `convert_claims`).
/// Each call allocates a fresh level-9 compressor state (~320 KB); a [`Codec`](crate::Codec)
/// keeps one.
///
/// ```
/// use beaker_session_jwt::{decode_cookie, encode_cookie, Config, Session};
///
/// let config = Config::new(["example-secret-0123456789"])?;
/// let mut session = Session::new();
/// session.insert("user", "ada");
/// let cookie = encode_cookie(&session, &config)?; // "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9...."
/// assert_eq!(cookie.split('.').count(), 3);
/// assert_eq!(decode_cookie(&cookie, &config, 0.0)?.session, session);
/// # Ok::<(), beaker_session_jwt::Error>(())
/// ```
///
/// # Errors
/// [`Error::Config`]; [`Error::Unwritable`] naming the session key of a value the format
/// cannot hold (a NUL in a BSON key; a datetime or binary in JSON mode; ...);
/// [`Error::LimitExceeded`] with `WriteLen` when the cookie would be longer than
/// `max_write_len` (Beaker: "Cookie value is too long to store").
///
/// # Limits
/// `max_write_len` for the output; the input is the caller's.
pub fn encode_cookie(session: &Session, config: &Config) -> Result<String> {
    encode_in(&mut Scratch::new(), session, config)
}

/// [`encode_cookie`] in `s`: the one implementation behind the one-shot function and
/// [`Codec::encode_cookie`](crate::Codec::encode_cookie).
pub(crate) fn encode_in(s: &mut Scratch, session: &Session, config: &Config) -> Result<String> {
    let config = Valid::new(config)?;
    #[cfg(feature = "legacy")]
    let cookie = if config.write_original_format {
        legacy::encode_with(session, config, &mut s.deflater)?
    } else {
        encode_jwt(s, session, config.get())?
    };
    // `Config::validate` refuses the legacy options without the feature.
    #[cfg(not(feature = "legacy"))]
    let cookie = encode_jwt(s, session, config.get())?;
    check_write_len(cookie, config)
}

/// `cookie` when it fits `max_write_len`: the one check every writer of a cookie ends with
/// (beaker/session.py `_create_cookie`: "Cookie value is too long to store").
///
/// # Errors
/// [`Error::LimitExceeded`] with `WriteLen`.
pub(crate) fn check_write_len(cookie: String, config: Valid<'_>) -> Result<String> {
    if cookie.len() > config.limits.max_write_len {
        return Err(Error::LimitExceeded(Limit::WriteLen));
    }
    Ok(cookie)
}

/// beaker_session_jwt.py `_encrypt_data`: "these are internal to beaker".
const DROPPED_ON_WRITE: [&str; 3] = ["_expires", "_path", "_domain"];

fn encode_jwt(s: &mut Scratch, session: &Session, config: &Config) -> Result<String> {
    let key = config
        .jwt_secret_keys
        .first()
        .ok_or(Error::Config("no jwt_secret_keys specified"))?;
    if config.bson_compress_jwt_payload {
        bson::write_to(session, &DROPPED_ON_WRITE, &mut s.payload)?;
        let deflater = s.deflater.get_or_insert_with(zlib::Deflater::new);
        deflater.deflate_into(&s.payload, &mut s.deflated);
        // `json.dumps({"bsZ": text}, separators=(",", ":"))`: base85 text needs no escaping.
        s.claims.clear();
        s.claims.push_str("{\"bsZ\":\"");
        base85::encode_to(&s.deflated, &mut s.claims);
        s.claims.push_str("\"}");
        Ok(jwt::sign(s.claims.as_bytes(), key))
    } else {
        let kept = session
            .iter()
            .filter(|(k, _)| !DROPPED_ON_WRITE.contains(k))
            .map(|(k, v)| (k, jose_time_claim(k, v)));
        let payload = json::write_entries(kept, json::Style::Compact)?;
        Ok(jwt::sign(payload.as_bytes(), key))
    }
}

/// joserfc `convert_claims`: `exp`, `iat`, `nbf` datetimes become `calendar.timegm` seconds.
fn jose_time_claim<'v>(key: &str, value: &'v Value) -> Cow<'v, Value> {
    match (key, value) {
        ("exp" | "iat" | "nbf", Value::DateTime(ms)) => {
            Cow::Owned(Value::from(ms.div_euclid(1000)))
        }
        _ => Cow::Borrowed(value),
    }
}

/// A legacy cookie rewritten as a JWT.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Migrated {
    /// The cookie value to send back: a JWT under the current config (or the input's session
    /// re-signed with the first key when it verified with an older one).
    pub cookie: String,
    /// What came in.
    pub decoded: Decoded,
}

/// Reads a cookie in any accepted format and writes it again as a JWT under `config` (with
/// `write_original_format` treated as off): what the Python package does when a legacy cookie
/// arrives and the app saves the session. `decoded.format` says what came in, so an app can
/// count how much legacy traffic is left; `decoded.key_index` says which key verified it.
///
/// # Errors
/// As [`decode_cookie`] and [`encode_cookie`].
///
/// # Limits
/// As [`decode_cookie`] and [`encode_cookie`].
pub fn migrate_cookie(value: &str, config: &Config, now: impl Into<UnixTime>) -> Result<Migrated> {
    let decoded = decode_cookie(value, config, now)?;
    let mut jwt_config = config.clone();
    jwt_config.write_original_format = false;
    let cookie = encode_cookie(&decoded.session, &jwt_config)?;
    Ok(Migrated { cookie, decoded })
}
