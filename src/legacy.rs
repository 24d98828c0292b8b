//! Legacy Beaker `SignedCookie` sessions: 40 hex of HMAC-SHA1, then base64 of a pickle or of
//! zlib(JSON).

use alloc::string::String;

use crate::config::Config;
use crate::error::{Error, Layer, Result};
use crate::value::Session;

/// Reads a legacy cookie value (quotes already stripped).
///
/// # Errors
/// [`Error::BadSignature`], [`Error::Malformed`], ...
///
/// # Limits
/// All of `config.limits`.
pub fn decode(value: &str, config: &Config) -> Result<Session> {
    let _ = (value, config);
    Err(Error::unsupported(Layer::LegacyMac, 0, "UNFINISHED STUB"))
}

/// Writes a legacy cookie value.
///
/// # Errors
/// [`Error::Unwritable`] for a value with no pickle / JSON form.
pub fn encode(session: &Session, config: &Config) -> Result<String> {
    let _ = (session, config);
    Err(Error::unsupported(Layer::LegacyMac, 0, "UNFINISHED STUB"))
}
