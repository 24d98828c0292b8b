//! Whole cookies: choose JWT or legacy, enforce whole-cookie limits and the timeout.
//!
//! Follows beaker-session-jwt 1.0.4 `JWTCookieSession._decrypt_data` / `_encrypt_data`.

use alloc::string::String;

use crate::base85;
use crate::bson;
use crate::config::{Config, Serializer};
use crate::error::{Error, Layer, Limit, Result};
use crate::json;
use crate::jwt;
use crate::legacy;
use crate::time;
use crate::value::{Document, Session, Value};
use crate::zlib;

/// The claim that holds the compressed session (`JWTCookieSession.compress_claim_fld`).
const BSZ: &str = "bsZ";

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
/// Surrounding double quotes are stripped, as Beaker does. A JWT is verified with each key of
/// `jwt_secret_keys` in order. As in Python, a value that is not a well-formed JWS (or whose
/// `bsZ` is not base85) is tried as a legacy cookie when `read_original_format` is on; a JWS
/// with a bad signature or a refused header is not. In `bson_compress_jwt_payload` mode the
/// BSON fields are merged over any other claims; in JSON mode a `bsZ` claim is dropped.
/// `now_unix_secs` is only read when `config.timeout` is set.
///
/// # Errors
/// Every [`Error`] category: [`Error::Config`] first if `config` does not validate;
/// [`Error::LimitExceeded`] when a [`Limits`](crate::Limits) bound trips; [`Error::BadSignature`];
/// [`Error::Malformed`] / [`Error::Unsupported`] naming the layer; [`Error::Expired`].
/// Nothing is returned with an error.
///
/// # Limits
/// All of `config.limits`: `max_cookie_len` first, then the inflate, depth, item and string
/// bounds of each layer.
pub fn decode_cookie(value: &str, config: &Config, now_unix_secs: f64) -> Result<Decoded> {
    config.validate()?;
    let value = value.trim_matches('"');
    if value.is_empty() {
        return Err(Error::malformed(Layer::Cookie, 0, "empty cookie value"));
    }
    if value.len() > config.limits.max_cookie_len {
        return Err(Error::LimitExceeded(Limit::CookieLen));
    }
    let decoded = match decode_jwt(value, config) {
        Err(e) if config.read_original_format && falls_through_to_legacy(&e) => {
            let session = legacy::decode(value, config)?;
            let format = match config.original_format_data_serializer {
                Serializer::Pickle => Format::LegacyPickle,
                Serializer::Json => Format::LegacyJson,
            };
            Decoded {
                session,
                format,
                key_index: 0,
            }
        }
        other => other?,
    };
    if let Some(timeout) = config.timeout {
        time::check_timeout(&decoded.session, timeout, now_unix_secs, config.time_mode)?;
    }
    Ok(decoded)
}

/// Python reaches the legacy reader on `ValueError` and joserfc's `DecodeError` only: a value
/// that is not a JWS, a header or payload segment that is not base64url/JSON, a `bsZ` that is
/// not base85.
fn falls_through_to_legacy(e: &Error) -> bool {
    matches!(
        e,
        Error::Malformed {
            layer: Layer::Jws | Layer::Base64 | Layer::Base85,
            ..
        }
    )
}

fn decode_jwt(value: &str, config: &Config) -> Result<Decoded> {
    let limits = &config.limits;
    let verified = jwt::verify(value, &config.jwt_secret_keys, limits)?;
    let mut claims = json::read(&verified.payload, limits)?;
    let compressed = claims.remove(BSZ);
    if !config.bson_compress_jwt_payload {
        return Ok(Decoded {
            session: claims,
            format: Format::JwtJson,
            key_index: verified.key_index,
        });
    }
    // Python: `if self.bson_compress_jwt_payload and compressed:` — a falsy bsZ is ignored.
    let text = match compressed {
        None => None,
        Some(v) if is_falsy(&v) => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => {
            return Err(Error::unsupported(
                Layer::Jws,
                0,
                "bsZ claim is not a string",
            ))
        }
    };
    if let Some(text) = text {
        let deflated = base85::decode(text.as_bytes())?;
        let inflated = zlib::inflate(&deflated, limits)?;
        let fields = bson::read(&inflated, limits)?;
        // `payload.update(bson.decode(...))`: BSON fields override other claims.
        for (k, v) in fields.into_entries() {
            claims.insert(k, v);
        }
    }
    Ok(Decoded {
        session: claims,
        format: Format::JwtBson,
        key_index: verified.key_index,
    })
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
pub fn decode_cookie_or_empty(value: &str, config: &Config, now_unix_secs: f64) -> Session {
    decode_cookie(value, config, now_unix_secs)
        .map(|d| d.session)
        .unwrap_or_default()
}

/// Encodes a session as a cookie value under `config`: a legacy cookie when
/// `write_original_format` is on, else a JWT signed with the first key. JWT writes drop
/// `_expires`, `_path` and `_domain`, as Python does. In JSON mode, top-level `exp`, `iat`
/// and `nbf` datetimes are written as whole Unix seconds (joserfc's `convert_claims`).
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
    config.validate()?;
    let cookie = if config.write_original_format {
        legacy::encode(session, config)?
    } else {
        encode_jwt(session, config)?
    };
    if cookie.len() > config.limits.max_write_len {
        return Err(Error::LimitExceeded(Limit::WriteLen));
    }
    Ok(cookie)
}

fn encode_jwt(session: &Session, config: &Config) -> Result<String> {
    // beaker_session_jwt.py `_encrypt_data`: "these are internal to beaker".
    let kept = session
        .iter()
        .filter(|(k, _)| !matches!(*k, "_expires" | "_path" | "_domain"));
    let claims: Document = if config.bson_compress_jwt_payload {
        let session: Document = kept.map(|(k, v)| (k, v.clone())).collect();
        let deflated = zlib::deflate(&bson::write(&session)?);
        let mut claims = Document::new();
        claims.insert(BSZ, base85::encode(&deflated));
        claims
    } else {
        kept.map(|(k, v)| (k, jose_time_claim(k, v))).collect()
    };
    let payload = json::write(&claims, json::Style::Compact)?;
    let key = config
        .jwt_secret_keys
        .first()
        .ok_or(Error::Config("no jwt_secret_keys specified"))?;
    Ok(jwt::sign(payload.as_bytes(), key))
}

/// joserfc `convert_claims`: `exp`, `iat`, `nbf` datetimes become `calendar.timegm` seconds.
fn jose_time_claim(key: &str, value: &Value) -> Value {
    match (key, value) {
        ("exp" | "iat" | "nbf", Value::DateTime(ms)) => Value::from(ms.div_euclid(1000)),
        _ => value.clone(),
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
pub fn migrate_cookie(value: &str, config: &Config, now_unix_secs: f64) -> Result<Migrated> {
    let decoded = decode_cookie(value, config, now_unix_secs)?;
    let mut jwt_config = config.clone();
    jwt_config.write_original_format = false;
    let cookie = encode_cookie(&decoded.session, &jwt_config)?;
    Ok(Migrated { cookie, decoded })
}
