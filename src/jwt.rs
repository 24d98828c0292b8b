//! Compact JWS with HS256 (RFC 7515, RFC 7518 §3.2), as joserfc 1.8.0 writes and reads it.
//!
//! Writing: the header is always `{"typ":"JWT","alg":"HS256"}` (joserfc's `jwt.encode` puts
//! `typ` first), signed with the first key. Reading follows `joserfc.jws.deserialize_compact`
//! with `algorithms=["HS256"]`: three segments; size caps on the header (512) and signature
//! (1024) segments; strict, canonical base64url; a header that is a JSON object naming
//! `alg: "HS256"`, with only registered header names of the right types; then the MAC, tried
//! with each key in order. The payload is not decoded before a MAC verifies.

use alloc::vec::Vec;

use crate::base64;
use crate::config::SecretKey;
use crate::error::{Error, Layer, Result};
use crate::json;
use crate::limits::Limits;
use crate::mac;
use crate::value::{Document, Value};

/// The header segment we write: base64url of `{"typ":"JWT","alg":"HS256"}`.
pub const HEADER_SEGMENT: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9";

/// joserfc's `JWSRegistry.max_header_length`.
const MAX_HEADER_SEGMENT: usize = 512;
/// joserfc's `JWSRegistry.max_signature_length`.
const MAX_SIGNATURE_SEGMENT: usize = 1024;
/// joserfc's `JWSRegistry.max_payload_length`.
const MAX_PAYLOAD_SEGMENT: usize = 128_000;

/// A token whose MAC verified.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verified {
    /// The decoded payload bytes (the JSON claims), not yet parsed.
    pub payload: Vec<u8>,
    /// Index in the key list of the key that verified the MAC.
    pub key_index: usize,
}

/// Signs `payload` (the claims JSON) with `key`, returning the compact JWS.
pub fn sign(payload: &[u8], key: &SecretKey) -> alloc::string::String {
    // One buffer for the whole token: header, payload segment, tag segment.
    let payload_len = base64::encoded_url_len(payload.len());
    let start = HEADER_SEGMENT.len() + 1;
    let mut out = Vec::with_capacity(start + payload_len + 1 + TAG_SEGMENT_LEN);
    out.extend_from_slice(HEADER_SEGMENT.as_bytes());
    out.push(b'.');
    base64::encode_url_to(payload, &mut out);
    let tag = mac::sha256(key.as_bytes(), &[out.as_slice()]);
    out.push(b'.');
    base64::encode_url_to(&tag, &mut out);
    // base64url and the header are ASCII; the fallback only removes a panicking path.
    alloc::string::String::from_utf8(out).unwrap_or_default()
}

/// Length of the base64url of a 32-byte HS256 tag.
const TAG_SEGMENT_LEN: usize = 43;

/// Verifies a compact JWS against each key in order and returns its payload.
///
/// The header is checked before the MAC (the algorithm must be known to check it); the
/// payload is base64url-decoded only after a MAC verifies. A forged token costs one base64url
/// decode of the signature, one HMAC per key and one alphabet scan of the payload, and
/// allocates nothing when its header is the one we write.
///
/// # Errors
/// - [`Error::Malformed`] in [`Layer::Jws`] (not three segments, header not a JSON object,
///   a header value of the wrong type) or [`Layer::Base64`] (a segment that is not canonical
///   base64url);
/// - [`Error::Unsupported`] in [`Layer::Jws`]: an algorithm other than `HS256`, `crit`, `b64`,
///   or a header name joserfc does not register;
/// - [`Error::LimitExceeded`] with `CookieLen` for segments beyond joserfc's size caps or the
///   token beyond `limits.max_cookie_len`;
/// - [`Error::BadSignature`] when no key verifies.
///
/// # Limits
/// `max_cookie_len` (the whole token); the header is parsed under depth and size caps of its
/// own.
pub fn verify(token: &str, keys: &[SecretKey], limits: &Limits) -> Result<Verified> {
    let mut payload = Vec::new();
    let key_index = verify_to(token, keys, limits, &mut payload)?;
    Ok(Verified { payload, key_index })
}

/// [`verify`], decoding the payload into `payload` (cleared first, its capacity reused) and
/// returning the index of the key that verified. Allocates nothing before a MAC verifies (when
/// the header is the one we write), and nothing after it when `payload` is large enough.
pub(crate) fn verify_to(
    token: &str,
    keys: &[SecretKey],
    limits: &Limits,
    payload: &mut Vec<u8>,
) -> Result<usize> {
    payload.clear();
    let (header_segment, payload_segment, signature_segment) = split(token, limits)?;
    check_header(header_segment)?;
    // A segment that is not 32 bytes of base64url cannot be an HS256 tag: joserfc's
    // `verify_compact` returns False for it, which is a bad signature.
    let mut tag = [0u8; 32];
    let tag = match base64::decode_url_into(signature_segment, &mut tag) {
        Ok(t) if t.len() == 32 => t,
        _ => return Err(Error::BadSignature),
    };
    // joserfc decodes the payload before the MAC and reports bad base64 as a DecodeError. We
    // decode only after a MAC verifies (that decode refuses a bad alphabet as Malformed), and
    // when no MAC verifies we check the alphabet before saying BadSignature: the same outcome
    // as checking first, without a pass over the payload on the way to a valid session.
    let signing_input = &[header_segment, b".", payload_segment];
    let Some(key_index) = keys
        .iter()
        .position(|key| mac::verify_sha256(key.as_bytes(), signing_input, tag))
    else {
        if !base64::is_url_text(payload_segment) {
            return Err(Error::malformed(Layer::Base64, 0, "invalid base64url"));
        }
        return Err(Error::BadSignature);
    };
    base64::decode_url_to(payload_segment, payload)?;
    Ok(key_index)
}

/// Splits a compact JWS into its three segments and applies the size caps.
fn split<'t>(token: &'t str, limits: &Limits) -> Result<(&'t [u8], &'t [u8], &'t [u8])> {
    if token.len() > limits.max_cookie_len {
        return Err(Error::LimitExceeded(crate::error::Limit::CookieLen));
    }
    // `str::split` with a char finds each dot with a word-at-a-time search.
    let mut parts = token.split('.').map(str::as_bytes);
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::malformed(Layer::Jws, 0, "not three segments"));
    };
    if header.len() > MAX_HEADER_SEGMENT
        || signature.len() > MAX_SIGNATURE_SEGMENT
        || payload.len() > MAX_PAYLOAD_SEGMENT
    {
        return Err(Error::LimitExceeded(crate::error::Limit::CookieLen));
    }
    Ok((header, payload, signature))
}

/// Checks a protected header as joserfc's registry does for `algorithms=["HS256"]`.
fn check_header(segment: &[u8]) -> Result<()> {
    if segment == HEADER_SEGMENT.as_bytes() {
        return Ok(());
    }
    let bytes = base64::decode_url(segment)?;
    // A header is tiny (<= 384 bytes decoded); these caps keep its parse trivially bounded.
    let mut limits = Limits::DEFAULT;
    limits.max_depth = 4;
    limits.max_items = 64;
    limits.max_str_len = MAX_HEADER_SEGMENT;
    let header = json::read(&bytes, &limits)
        .map_err(|_| Error::malformed(Layer::Jws, 0, "header is not a JSON object"))?;
    check_header_fields(&header)
}

fn check_header_fields(header: &Document) -> Result<()> {
    // joserfc `check_crit_header`: an unknown critical name is refused; `b64` (RFC 7797) is
    // the only one it knows, and it changes the signing input: we refuse both outright.
    for (name, value) in header {
        let ok = match name {
            "alg" => true,
            "typ" | "cty" | "kid" | "x5t" | "x5t#S256" | "jku" | "x5u" => {
                matches!(value, Value::String(_))
            }
            "x5c" => match value {
                Value::Array(items) => items.iter().all(|v| matches!(v, Value::String(_))),
                _ => false,
            },
            "jwk" => matches!(value, Value::Document(_)),
            "crit" | "b64" => {
                return Err(Error::unsupported(Layer::Jws, 0, "crit/b64 header"));
            }
            _ => return Err(Error::unsupported(Layer::Jws, 0, "header name")),
        };
        if !ok {
            return Err(Error::malformed(
                Layer::Jws,
                0,
                "header value of the wrong type",
            ));
        }
    }
    match header.get("alg") {
        Some(Value::String(alg)) if alg == "HS256" => Ok(()),
        Some(Value::String(_)) => Err(Error::unsupported(Layer::Jws, 0, "algorithm")),
        Some(_) => Err(Error::malformed(Layer::Jws, 0, "alg is not a string")),
        None => Err(Error::malformed(Layer::Jws, 0, "missing alg")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> SecretKey {
        SecretKey::from(s)
    }

    #[test]
    fn jwt_header_segment_is_joserfc_header() {
        assert_eq!(
            base64::decode_url(HEADER_SEGMENT.as_bytes()).unwrap(),
            br#"{"typ":"JWT","alg":"HS256"}"#
        );
    }

    #[test]
    fn jwt_sign_verify_reports_key_index() {
        let keys = [key("first-key-0123456"), key("second-key-012345")];
        let token = sign(br#"{"a":1}"#, &keys[1]);
        let v = verify(&token, &keys, &Limits::DEFAULT).unwrap();
        assert_eq!(v.key_index, 1);
        assert_eq!(v.payload, br#"{"a":1}"#);
        assert_eq!(
            verify(&token, &keys[..1], &Limits::DEFAULT),
            Err(Error::BadSignature)
        );
    }

    #[test]
    fn jwt_rejects_wrong_segment_count() {
        let keys = [key("first-key-0123456")];
        for t in ["", "a", "a.b", "a.b.c.d", "a.b.c.d.e"] {
            assert!(matches!(
                verify(t, &keys, &Limits::DEFAULT),
                Err(Error::Malformed {
                    layer: Layer::Jws,
                    ..
                })
            ));
        }
    }

    #[test]
    fn jwt_bad_tag_shapes_are_bad_signature() {
        let keys = [key("first-key-0123456")];
        let token = sign(b"{}", &keys[0]);
        let (body, _) = token.rsplit_once('.').unwrap();
        for tag in ["", "AAAA", "!!!", "A"] {
            let t = alloc::format!("{body}.{tag}");
            assert_eq!(
                verify(&t, &keys, &Limits::DEFAULT),
                Err(Error::BadSignature)
            );
        }
    }

    #[test]
    fn jwt_bad_payload_alphabet_is_malformed_with_or_without_a_valid_mac() {
        let keys = [key("first-key-0123456")];
        let bad_base64 = Err(Error::malformed(Layer::Base64, 0, "invalid base64url"));
        // Signed by the key: refused when the payload is decoded, after the MAC.
        let mac =
            |input: &str| base64::encode_url(&mac::sha256(keys[0].as_bytes(), &[input.as_bytes()]));
        for payload in ["e30*", "e3 0", "e30=", "+30"] {
            let input = alloc::format!("{HEADER_SEGMENT}.{payload}");
            let signed = alloc::format!("{input}.{}", mac(&input));
            assert_eq!(
                verify(&signed, &keys, &Limits::DEFAULT),
                bad_base64,
                "{payload}"
            );
            // Not signed: still Malformed, as joserfc decodes the payload before the MAC.
            let forged = alloc::format!("{input}.{}", mac("other"));
            assert_eq!(
                verify(&forged, &keys, &Limits::DEFAULT),
                bad_base64,
                "{payload}"
            );
        }
        // A good alphabet under a wrong MAC is a bad signature, even when not canonical.
        for payload in ["e30", "e31", "e"] {
            let forged = alloc::format!("{HEADER_SEGMENT}.{payload}.{}", mac("other"));
            assert_eq!(
                verify(&forged, &keys, &Limits::DEFAULT),
                Err(Error::BadSignature),
                "{payload}"
            );
        }
    }

    #[test]
    fn jwt_oversized_header_segment_is_refused() {
        let keys = [key("first-key-0123456")];
        let t = alloc::format!("{}.e30.AAAA", "A".repeat(513));
        assert_eq!(
            verify(&t, &keys, &Limits::DEFAULT),
            Err(Error::LimitExceeded(crate::error::Limit::CookieLen))
        );
    }
}
