//! Compact JWS with HS256 (RFC 7515, RFC 7518 §3.2), as joserfc 1.8.0 writes and reads it.
//!
//! Writing: the header is always `{"typ":"JWT","alg":"HS256"}` (joserfc's `jwt.encode` puts
//! `typ` first), signed with the first key. Reading follows `joserfc.jws.deserialize_compact`
//! with `algorithms=["HS256"]`: three segments; size caps on the header (512) and signature
//! (1024) segments; strict, canonical base64url; a header that is a JSON object naming
//! `alg: "HS256"`, with only registered header names whose values joserfc's validators accept
//! (`jku`/`x5u` start with `http://` or `https://`, `x5c` is a list of strings, `jwk` an
//! object, the others strings), and neither `crit` nor `b64`; then the MAC, tried with each key
//! in order. The payload is not decoded before a MAC verifies.

use alloc::string::String;
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
#[cfg_attr(not(fuzzing), allow(dead_code))] // an entry point of the fuzz targets
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verified {
    /// The decoded payload bytes (the JSON claims), not yet parsed.
    pub payload: Vec<u8>,
    /// Index in the key list of the key that verified the MAC.
    pub key_index: usize,
}

/// Signs `payload` (the claims JSON) with `key`, returning the compact JWS.
pub fn sign(payload: &[u8], key: &SecretKey) -> String {
    // One buffer for the whole token: header, payload segment, tag segment.
    let len = (HEADER_SEGMENT.len() + 1)
        .saturating_add(base64::encoded_url_len(payload.len()))
        .saturating_add(1 + TAG_SEGMENT_LEN);
    let mut out = String::with_capacity(len);
    out.push_str(HEADER_SEGMENT);
    out.push('.');
    base64::encode_url_to(payload, &mut out);
    let tag = mac::sha256(key.as_bytes(), &[out.as_bytes()]);
    out.push('.');
    base64::encode_url_to(&tag, &mut out);
    out
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
/// - [`Error::Malformed`] in [`Layer::Jws`] (not three segments, header not a JSON object or
///   without `alg`, a header value joserfc's validator refuses) or [`Layer::Base64`] (a
///   segment that is not canonical base64url);
/// - [`Error::Unsupported`] in [`Layer::Jws`]: an algorithm other than `HS256`, `crit`, `b64`,
///   or a header name joserfc does not register;
/// - [`Error::LimitExceeded`] with `CookieLen` for segments beyond joserfc's size caps or the
///   token beyond `limits.max_cookie_len`;
/// - [`Error::BadSignature`] when no key verifies.
///
/// # Limits
/// `max_cookie_len` (the whole token); the header segment is at most 512 characters (384
/// bytes of JSON), which bounds its parse.
#[cfg_attr(not(fuzzing), allow(dead_code))] // an entry point of the fuzz targets
pub fn verify(token: &str, keys: &[SecretKey], limits: &Limits) -> Result<Verified> {
    if token.len() > limits.max_cookie_len {
        return Err(Error::LimitExceeded(crate::error::Limit::CookieLen));
    }
    let mut payload = Vec::new();
    let key_index = verify_to(token, keys, &mut payload)?;
    Ok(Verified { payload, key_index })
}

/// [`verify`] of a token the caller has bounded (a cookie decode admits the value first:
/// `cookie::CookieValue`), decoding the payload into `payload` (cleared first, its capacity
/// reused) and returning the index of the key that verified. Allocates nothing before a MAC
/// verifies (when the header is the one we write), and nothing after it when `payload` is
/// large enough.
pub(crate) fn verify_to(token: &str, keys: &[SecretKey], payload: &mut Vec<u8>) -> Result<usize> {
    payload.clear();
    let (header_segment, payload_segment, signature_segment) = split(token)?;
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

/// Splits a compact JWS into its three segments and applies joserfc's size caps.
fn split(token: &str) -> Result<(&[u8], &[u8], &[u8])> {
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
    // A header segment is at most 512 characters, so at most 384 bytes of JSON: no header can
    // nest or hold more than 384 of anything, and these caps never refuse one Python reads
    // (joserfc accepts a `jwk` of any shape); the input length is what bounds the parse.
    let mut limits = Limits::DEFAULT;
    limits.max_depth = MAX_HEADER_SEGMENT;
    limits.max_items = MAX_HEADER_SEGMENT;
    limits.max_str_len = MAX_HEADER_SEGMENT;
    let header = json::read(&bytes, &limits)
        .map_err(|_| Error::malformed(Layer::Jws, 0, "header is not a JSON object"))?;
    check_header_fields(&header)
}

/// What joserfc's validator for a registered header name accepts (`joserfc/registry.py`).
#[derive(Clone, Copy)]
enum Rule {
    /// `is_str`.
    Str,
    /// `is_url`: a str starting with `http://` or `https://` (case-sensitive; nothing after
    /// the scheme is checked).
    Url,
    /// `is_list_str`: a list whose items are all str (not checked to be base64).
    ListStr,
    /// `is_jwk`: any JSON object.
    Jwk,
    /// Registered, but refused by us whatever its value (SECURITY.md).
    Refused,
}

/// joserfc 1.8.0 `JWS_HEADER_REGISTRY`: every name a JWS header may carry (any other name is
/// refused, `strict_check_header` being on) and the rule for its value, with joserfc's
/// validator in the comment.
#[rustfmt::skip]
const REGISTRY: [(&str, Rule); 12] = [
    ("alg",      Rule::Str),      // is_str, required; then only HS256 is allowed
    ("jku",      Rule::Url),      // is_url
    ("jwk",      Rule::Jwk),      // is_jwk
    ("kid",      Rule::Str),      // is_str
    ("x5u",      Rule::Url),      // is_url
    ("x5c",      Rule::ListStr),  // is_list_str
    ("x5t",      Rule::Str),      // is_str
    ("x5t#S256", Rule::Str),      // is_str
    ("typ",      Rule::Str),      // is_str
    ("cty",      Rule::Str),      // is_str
    ("crit",     Rule::Refused),  // is_list_str, names that must be present and registered
    ("b64",      Rule::Refused),  // is_bool; RFC 7797 unencoded payload when false
];

impl Rule {
    fn accepts(self, value: &Value) -> bool {
        match (self, value) {
            (Rule::Str, Value::String(_)) | (Rule::Jwk, Value::Document(_)) => true,
            (Rule::Url, Value::String(s)) => s.starts_with("http://") || s.starts_with("https://"),
            (Rule::ListStr, Value::Array(items)) => {
                items.iter().all(|v| matches!(v, Value::String(_)))
            }
            _ => false,
        }
    }
}

/// The checks of joserfc's `decode_header`, `JWSRegistry.check_header` and `get_alg`, in
/// joserfc's order, so a header wrong in two ways is refused with the error Python gives first.
fn check_header_fields(header: &Document) -> Result<()> {
    // `decode_header`: MissingAlgorithmError before anything else.
    let Some(alg) = header.get("alg") else {
        return Err(Error::malformed(Layer::Jws, 0, "missing alg"));
    };
    // joserfc reads `b64` (RFC 7797) and checks `crit` before any other value; `b64` changes
    // the signing input and an unknown critical name must be refused: we refuse both outright.
    if header.contains_key("crit") || header.contains_key("b64") {
        return Err(Error::unsupported(Layer::Jws, 0, "crit/b64 header"));
    }
    // `check_registry_header` (InvalidHeaderValueError) before `check_supported_header`
    // (UnsupportedHeaderError), each over the whole header.
    let mut unregistered = false;
    for (name, value) in header {
        match REGISTRY.iter().find(|(registered, _)| *registered == name) {
            Some((_, rule)) if !rule.accepts(value) => {
                return Err(Error::malformed(
                    Layer::Jws,
                    0,
                    "header value of the wrong type",
                ));
            }
            Some(_) => {}
            None => unregistered = true,
        }
    }
    if unregistered {
        return Err(Error::unsupported(Layer::Jws, 0, "header name"));
    }
    // `get_alg`: alg is a str by now.
    match alg {
        Value::String(alg) if alg == "HS256" => Ok(()),
        _ => Err(Error::unsupported(Layer::Jws, 0, "algorithm")),
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
    fn jwt_header_values_are_checked_as_joserfc_checks_them() {
        let check = |text: &str| {
            let header = json::read(text.as_bytes(), &Limits::DEFAULT).unwrap();
            check_header_fields(&header)
        };
        let wrong = Err(Error::malformed(
            Layer::Jws,
            0,
            "header value of the wrong type",
        ));
        let unknown = Err(Error::unsupported(Layer::Jws, 0, "header name"));
        for ok in [
            r#"{"alg":"HS256","jku":"https://a/jwks","x5u":"http://"}"#,
            r#"{"alg":"HS256","x5c":["not base64!",""],"jwk":{"k":[[[[1]]]]}}"#,
            r#"{"kid":1,"alg":"HS256","kid":"last value wins"}"#,
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
        for (text, expected) in [
            (r#"{"alg":"HS256","jku":"HTTP://a"}"#, &wrong),
            (r#"{"alg":"HS256","x5u":"ftp://a"}"#, &wrong),
            (r#"{"alg":"HS256","x5c":["a",1]}"#, &wrong),
            (r#"{"alg":"HS256","jwk":[]}"#, &wrong),
            // joserfc checks every value before it looks for unregistered names or the alg.
            (r#"{"foo":1,"kid":2,"alg":"HS256"}"#, &wrong),
            (r#"{"alg":"RS256","kid":2}"#, &wrong),
            (r#"{"alg":"HS256","foo":1}"#, &unknown),
        ] {
            assert_eq!(&check(text), expected, "{text}");
        }
        assert_eq!(
            check(r#"{"crit":[]}"#),
            Err(Error::malformed(Layer::Jws, 0, "missing alg"))
        );
        assert_eq!(
            check(r#"{"alg":"HS256","b64":true}"#),
            Err(Error::unsupported(Layer::Jws, 0, "crit/b64 header"))
        );
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
