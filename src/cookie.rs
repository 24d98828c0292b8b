//! Whole cookies: choose JWT or legacy, enforce whole-cookie limits and timeouts.

use alloc::string::String;

use crate::config::Config;
use crate::error::{Error, Layer, Result};
use crate::value::Session;

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

/// A verified, decoded cookie.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Decoded {
    /// The session.
    pub session: Session,
    /// The format it came in.
    pub format: Format,
    /// Index of the key that verified it (in `jwt_secret_keys`; 0 for legacy cookies).
    pub key_index: usize,
}

/// Decodes a cookie value.
///
/// # Errors
/// Any.
pub fn decode_cookie(value: &str, config: &Config, now_unix_secs: f64) -> Result<Decoded> {
    let _ = (value, config, now_unix_secs);
    Err(Error::unsupported(Layer::Cookie, 0, "UNFINISHED STUB"))
}

/// Decodes, or returns an empty session on any error.
pub fn decode_cookie_or_empty(value: &str, config: &Config, now_unix_secs: f64) -> Session {
    decode_cookie(value, config, now_unix_secs).map(|d| d.session).unwrap_or_default()
}

/// Encodes a session.
///
/// # Errors
/// Any.
pub fn encode_cookie(session: &Session, config: &Config) -> Result<String> {
    let _ = (session, config);
    Err(Error::unsupported(Layer::Cookie, 0, "UNFINISHED STUB"))
}

/// Migrates a legacy cookie.
///
/// # Errors
/// Any.
pub fn migrate_cookie(value: &str, config: &Config, now_unix_secs: f64) -> Result<(String, Format)> {
    let _ = (value, config, now_unix_secs);
    Err(Error::unsupported(Layer::Cookie, 0, "UNFINISHED STUB"))
}
