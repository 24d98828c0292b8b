//! base64url without padding (JWS segments, RFC 7515 §2) and standard padded base64 (legacy
//! Beaker cookies): a thin, strict layer over `base64ct`.
//!
//! Decoding is constant-time with respect to the data and canonical: padding in base64url,
//! characters outside the alphabet and non-zero trailing bits are refused (joserfc refuses
//! them too).

use alloc::string::String;
use alloc::vec::Vec;
use base64ct::{Base64, Base64UrlUnpadded, Encoding};

use crate::error::{Error, Layer, Result};

/// Encodes `bytes` as unpadded base64url.
pub(crate) fn encode_url(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// Decodes unpadded, canonical base64url.
///
/// # Errors
/// [`Error::Malformed`] in [`Layer::Base64`].
pub(crate) fn decode_url(text: &[u8]) -> Result<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(as_str(text)?)
        .map_err(|_| Error::malformed(Layer::Base64, 0, "invalid base64url"))
}

/// Decodes unpadded, canonical base64url into `out`, returning the decoded slice.
///
/// # Errors
/// [`Error::Malformed`] in [`Layer::Base64`], also when `out` is too small.
pub(crate) fn decode_url_into<'o>(text: &[u8], out: &'o mut [u8]) -> Result<&'o [u8]> {
    Base64UrlUnpadded::decode(text, out)
        .map(|s| -> &[u8] { s })
        .map_err(|_| Error::malformed(Layer::Base64, 0, "invalid base64url"))
}

/// Encodes `bytes` as standard padded base64 (Python `base64.b64encode`).
pub(crate) fn encode_std(bytes: &[u8]) -> String {
    Base64::encode_string(bytes)
}

/// Decodes standard padded base64 (what Python's `b64encode` writes).
///
/// # Errors
/// [`Error::Malformed`] in [`Layer::Base64`].
pub(crate) fn decode_std(text: &[u8]) -> Result<Vec<u8>> {
    Base64::decode_vec(as_str(text)?)
        .map_err(|_| Error::malformed(Layer::Base64, 0, "invalid base64"))
}

fn as_str(text: &[u8]) -> Result<&str> {
    core::str::from_utf8(text)
        .map_err(|e| Error::malformed(Layer::Base64, e.valid_up_to(), "non-ascii"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_url_round_trip_and_strictness() {
        assert_eq!(encode_url(b"\xfb\xff"), "-_8");
        assert_eq!(decode_url(b"-_8").unwrap(), b"\xfb\xff");
        assert!(decode_url(b"-_8=").is_err(), "padding refused");
        assert!(decode_url(b"+/8").is_err(), "standard alphabet refused");
        assert!(
            decode_url(b"-_9").is_err(),
            "non-zero trailing bits refused"
        );
        assert!(decode_url(b"a").is_err(), "impossible length refused");
    }

    #[test]
    fn base64_std_round_trip() {
        assert_eq!(encode_std(b"\xfb\xff"), "+/8=");
        assert_eq!(decode_std(b"+/8=").unwrap(), b"\xfb\xff");
        assert!(decode_std(b"+/8").is_err());
    }
}
