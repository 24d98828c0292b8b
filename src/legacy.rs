//! Legacy Beaker `SignedCookie` sessions: 40 lowercase hex of HMAC-SHA1, then standard base64
//! of a protocol-2 pickle or of zlib(JSON).
//!
//! Specs: Beaker 1.14.1 `beaker/session.py` `SignedCookie.value_decode`/`value_encode`,
//! `beaker/util.py` `PickleSerializer`/`JsonSerializer`, and beaker-session-jwt 1.0.4
//! `JWTCookieSession._decrypt_data` (remove keys, then check the session can be written as the
//! configured JWT payload) and `_encrypt_data` (`write_original_format`).
//!
//! Deliberate differences from Python: the pickle is read by a whitelist and never executed
//! (see [`pickle`]); Python 2 byte strings that are UTF-8 are read as text;
//! base64 must be canonical (Python's `b64decode` skips characters outside the alphabet, which
//! only a key holder could send); an int beyond 64 bits is refused in a JSON payload too, since
//! [`Value`] cannot hold it.

use alloc::string::String;
use alloc::vec::Vec;

use crate::base64;
use crate::config::{Config, SecretKey, Serializer, Valid};
use crate::cookie::{self, CookieValue};
use crate::error::{Error, Layer, Name, Result};
use crate::json;
use crate::mac;
use crate::pickle::{self, Target};
use crate::value::{Session, Value};
use crate::zlib;

/// Length of the hex HMAC-SHA1 in front of the payload.
pub(crate) const SIG_LEN: usize = 40;

/// Reads a legacy cookie value, as beaker-session-jwt does when a cookie is not a JWT and
/// `read_original_format` is on (this function does not look at that flag).
///
/// Steps, in order: the config validated; surrounding double quotes stripped (all of them, as
/// `str.strip('"')`) and the stripped value bounded by `max_cookie_len`, the same checks in the
/// same order as [`decode_cookie`](crate::decode_cookie); the 40 lowercase hex characters
/// compared in constant time with HMAC-SHA1 under `original_format_validate_key` over the
/// rest, before anything else is decoded; base64;
/// the `original_format_data_serializer` (pickle through the whitelist reader, or zlib then
/// JSON); `original_format_remove_keys`; then the check that every remaining value can be
/// written in the configured JWT payload (`bson_compress_jwt_payload`).
///
/// # Errors
/// - [`Error::Config`] when the config does not validate or has no
///   `original_format_validate_key`.
/// - [`Error::BadSignature`] when the value is shorter than 40 characters, its first 40 are not
///   lowercase hex, or the MAC does not verify.
/// - [`Error::Malformed`] for an empty value (layer [`Layer::LegacyMac`]), bad base64, and any
///   pickle, zlib or JSON error; [`Error::Unsupported`] for a refused pickle opcode or a pickle
///   whose result is not a dict.
/// - [`Error::Unwritable`] naming the session key whose value the JWT payload cannot hold, and
///   [`Error::Placeholder`] naming the key and the refused pickle global it holds.
/// - [`Error::LimitExceeded`] as below.
///
/// # Limits
/// `max_cookie_len` (the value, its surrounding quotes stripped), then everything
/// [`pickle::read`] and [`Pickled::into_session`](crate::pickle::Pickled::into_session) list,
/// or `max_inflated_len` and [`json::read`]'s limits.
#[cfg_attr(not(fuzzing), allow(dead_code))] // an entry point of the fuzz targets
pub fn decode(value: &str, config: &Config) -> Result<Session> {
    let config = Valid::new(config)?;
    validate_key(config.get())?;
    let value = CookieValue::admit(value, config, Layer::LegacyMac)?;
    decode_with(
        value,
        config,
        &mut Vec::new(),
        &mut Vec::new(),
        &mut None,
        &mut pickle::Buffers::default(),
        &mut json::Stacks::new(),
    )
}

/// [`decode`] of an admitted value under a validated config, with the caller's buffers
/// (cleared before use), inflater and pickle buffers, so a [`Codec`](crate::Codec) can reuse
/// them.
pub(crate) fn decode_with(
    value: CookieValue<'_>,
    config: Valid<'_>,
    payload: &mut Vec<u8>,
    inflated: &mut Vec<u8>,
    inflater: &mut Option<zlib::Inflater>,
    buffers: &mut pickle::Buffers,
    json_stacks: &mut json::Stacks,
) -> Result<Session> {
    let key = validate_key(config.get())?;
    let limits = &config.limits;
    // `SignedCookie.value_decode` strips the quotes again: the admitted value has none left.
    let value = value.as_str();
    let (sig, rest) = match (value.get(..SIG_LEN), value.get(SIG_LEN..)) {
        (Some(sig), Some(rest)) => (sig, rest),
        _ => return Err(Error::BadSignature),
    };
    let tag = hex_tag(sig).ok_or(Error::BadSignature)?;
    if !mac::verify_sha1(key.as_bytes(), rest.as_bytes(), &tag) {
        return Err(Error::BadSignature);
    }
    base64::decode_std_to(rest.as_bytes(), payload)?;
    let target = Target::for_bson_payload(config.bson_compress_jwt_payload);
    let remove = &config.original_format_remove_keys;
    match config.original_format_data_serializer {
        Serializer::Pickle => pickle::decode(payload, target, remove, limits, buffers),
        Serializer::Json => {
            let inflater = inflater.get_or_insert_with(zlib::Inflater::new);
            inflater.inflate_into(payload, inflated, limits)?;
            let text = check_json_text(inflated)?;
            let mut session = json::read_str_in(text, limits, json_stacks)?;
            for k in remove {
                session.remove(k);
            }
            check_json_session(&session, target)?;
            Ok(session)
        }
    }
}

/// Writes a legacy cookie value (`write_original_format`): `original_format_data_serializer`
/// (a protocol-2 pickle by [`pickle::write`], or `zlib(json.dumps(session))`), standard base64,
/// and the 40 lowercase hex of HMAC-SHA1 under `original_format_validate_key` in front. The
/// session is written as given (legacy cookies keep `_expires`, `_path`, `_domain`).
///
/// # Errors
/// [`Error::Config`] as [`decode`]; [`Error::Unwritable`] for a value with no pickle form
/// (layer [`Layer::Pickle`]) or no JSON form (layer [`Layer::Json`]);
/// [`Error::LimitExceeded`] with `WriteLen`.
///
/// # Limits
/// `max_write_len` (the written value, Beaker's 4064).
#[cfg_attr(not(fuzzing), allow(dead_code))] // an entry point of the fuzz targets
pub fn encode(session: &Session, config: &Config) -> Result<String> {
    let config = Valid::new(config)?;
    let cookie = encode_with(session, config, &mut None)?;
    cookie::check_write_len(cookie, config)
}

/// [`encode`] under a validated config, with the caller's deflater (created on first use), so
/// a [`Codec`](crate::Codec) keeps it; the caller checks `max_write_len`.
pub(crate) fn encode_with(
    session: &Session,
    config: Valid<'_>,
    deflater: &mut Option<zlib::Deflater>,
) -> Result<String> {
    let key = validate_key(config.get())?;
    let payload = match config.original_format_data_serializer {
        Serializer::Pickle => pickle::write(session)?,
        // beaker/util.py JsonSerializer.dumps: zlib.compress(json.dumps(data).encode('utf-8'))
        // (level 6 there, 9 here: the same data either way).
        Serializer::Json => {
            let text = json::write(session, json::Style::Python)?;
            let deflater = deflater.get_or_insert_with(zlib::Deflater::new);
            deflater.deflate(text.as_bytes())
        }
    };
    Ok(signed(key.as_bytes(), &base64::encode_std(&payload)))
}

/// `SignedCookie.value_encode`: the 40 lowercase hex of HMAC-SHA1 under `key` over `data`,
/// then `data`.
pub(crate) fn signed(key: &[u8], data: &str) -> String {
    let tag = mac::sha1(key, data.as_bytes());
    let mut out = String::with_capacity(SIG_LEN.saturating_add(data.len()));
    for b in tag {
        out.push(hex_digit(b >> 4));
        out.push(hex_digit(b & 0x0F));
    }
    out.push_str(data);
    out
}

/// The lowercase hex digit of the low four bits of `nibble` (`hexdigest()`'s alphabet).
fn hex_digit(nibble: u8) -> char {
    let n = nibble & 0x0F;
    char::from(if n < 10 { b'0' + n } else { b'a' + (n - 10) })
}

fn validate_key(config: &Config) -> Result<&SecretKey> {
    config
        .original_format_validate_key
        .as_ref()
        .ok_or(Error::Config("no original_format_validate_key specified"))
}

/// The 20 tag bytes of 40 lowercase hex characters (`hexdigest()` output; Python compares the
/// text, so upper case never verifies).
fn hex_tag(sig: &str) -> Option<[u8; 20]> {
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut tag = [0u8; 20];
    for (out, pair) in tag.iter_mut().zip(sig.as_bytes().chunks_exact(2)) {
        let (hi, lo) = match pair {
            &[hi, lo] => (digit(hi)?, digit(lo)?),
            _ => return None,
        };
        *out = hi << 4 | lo;
    }
    Some(tag)
}

/// `json.loads(zlib.decompress(data).decode('utf-8'))` reads a `str`: unlike `json.loads` of
/// bytes it refuses a byte order mark and never guesses UTF-16 (so the text, once checked here,
/// goes to [`json::read_str`]'s path). A NUL byte can never be valid JSON text.
fn check_json_text(text: &[u8]) -> Result<&str> {
    let text = core::str::from_utf8(text)
        .map_err(|e| Error::malformed(Layer::Json, e.valid_up_to(), "text is not UTF-8"))?;
    if text.starts_with('\u{feff}') {
        return Err(Error::malformed(Layer::Json, 0, "byte order mark"));
    }
    if let Some(at) = text.find('\0') {
        return Err(Error::malformed(Layer::Json, at, "NUL byte"));
    }
    Ok(text)
}

/// What `bson.encode` refuses in a session read from JSON: a key with a NUL byte, at any depth
/// (`json.dumps` accepts everything JSON reading gives).
fn check_json_session(session: &Session, target: Target) -> Result<()> {
    if target != Target::Bson {
        return Ok(());
    }
    for (key, value) in session.iter() {
        if key.contains('\0') || !value_keys_ok(value) {
            return Err(Error::Unwritable {
                layer: Layer::Bson,
                key: Name::new(key),
                what: "key with a NUL byte",
            });
        }
    }
    Ok(())
}

fn value_keys_ok(value: &Value) -> bool {
    match value {
        Value::Document(d) => d
            .entries()
            .iter()
            .all(|(k, v)| !k.as_bytes().contains(&0) && value_keys_ok(v)),
        Value::Array(items) => items.iter().all(value_keys_ok),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_signed_writes_the_hex_hex_tag_reads() {
        let key = b"legacy-key-0123456789";
        let value = signed(key, "payload");
        let (sig, data) = value.split_at(SIG_LEN);
        assert_eq!(data, "payload");
        assert_eq!(hex_tag(sig), Some(mac::sha1(key, b"payload")));
        let digits: String = (0..16).map(hex_digit).collect();
        assert_eq!(digits, "0123456789abcdef");
    }

    #[test]
    fn legacy_hex_tag_is_lowercase_only() {
        assert_eq!(hex_tag(&"0a".repeat(20)), Some([0x0a; 20]));
        assert_eq!(hex_tag(&"0A".repeat(20)), None);
        assert_eq!(hex_tag(&"0g".repeat(20)), None);
    }

    #[test]
    fn legacy_json_text_is_a_python_str() {
        assert!(check_json_text(b"{\"a\": 1}").is_ok());
        assert!(matches!(
            check_json_text(b"\xef\xbb\xbf{}"),
            Err(Error::Malformed {
                layer: Layer::Json,
                offset: 0,
                ..
            })
        ));
        assert!(matches!(
            check_json_text(b"{\"a\xff\": 1}"),
            Err(Error::Malformed {
                layer: Layer::Json,
                offset: 3,
                ..
            })
        ));
        assert!(matches!(
            check_json_text(b"{\x00}\x00"),
            Err(Error::Malformed {
                layer: Layer::Json,
                offset: 1,
                ..
            })
        ));
    }

    #[test]
    fn legacy_bson_refuses_nul_keys_from_json() {
        let mut inner = crate::value::Document::new();
        inner.insert("a\0b", 1);
        let mut session = Session::new();
        session.insert("ok", 1);
        session.insert("deep", Value::Array(alloc::vec![Value::Document(inner)]));
        assert!(check_json_session(&session, Target::Json).is_ok());
        assert!(matches!(
            check_json_session(&session, Target::Bson),
            Err(Error::Unwritable { layer: Layer::Bson, key, .. }) if key.as_str() == "deep"
        ));
    }
}
