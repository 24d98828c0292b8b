//! base64url without padding (JWS segments, RFC 7515 §2) and standard padded base64 (legacy
//! Beaker cookies): a thin, strict layer over `base64ct`.
//!
//! Decoding is canonical: padding in base64url, characters outside the alphabet and non-zero
//! trailing bits are refused (joserfc refuses them too). The JWS signature is decoded by
//! base64ct, constant-time with respect to the data. [`decode_url_to`] and [`decode_std_to`]
//! decode a payload only after its MAC verified: that text is the signed, client-readable
//! session, not a secret, so a table lookup per character (several times faster) is used there,
//! accepting exactly what base64ct accepts (tested against it). Encoding base64url
//! ([`encode_url_to`]) is a table lookup too, pushed into a `String` char by char, and gives
//! base64ct's output (tested against it).

use alloc::string::String;
use alloc::vec::Vec;
#[cfg(any(feature = "legacy", feature = "serde"))]
use base64ct::Base64;
use base64ct::{Base64UrlUnpadded, Encoding};

use crate::error::{Error, Layer, Result};

/// Encodes `bytes` as unpadded base64url.
pub(crate) fn encode_url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(encoded_url_len(bytes.len()));
    encode_url_to(bytes, &mut out);
    out
}

/// Length of the unpadded base64url of `n` bytes.
pub(crate) fn encoded_url_len(n: usize) -> usize {
    // 4 characters per 3 bytes, rounded up, without padding.
    (n / 3).saturating_mul(4).saturating_add(match n % 3 {
        0 => 0,
        1 => 2,
        _ => 3,
    })
}

/// The base64url alphabet (RFC 4648 §5), by digit value.
const URL_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Appends the unpadded base64url of `bytes` to `out`, as base64ct encodes it (tested against
/// it). Written char by char into the `String`, so the text is known to be UTF-8 by its type,
/// with no conversion that could fail. What is encoded (a JWS payload, a tag) is sent to the
/// client as it is, so a table lookup per character is fine here.
pub(crate) fn encode_url_to(bytes: &[u8], out: &mut String) {
    out.reserve(encoded_url_len(bytes.len()));
    // One `push` per character: an ASCII `char` is one byte appended, where `extend` with an
    // array of chars goes through a generic iterator path several times slower.
    let mut push = |v: u32| {
        #[allow(clippy::indexing_slicing)] // masked to < 64 == URL_ALPHABET.len()
        out.push(char::from(URL_ALPHABET[(v & 0x3F) as usize]));
    };
    let mut groups = bytes.chunks_exact(3);
    for group in &mut groups {
        if let [a, b, c] = *group {
            let v = u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c);
            push(v >> 18);
            push(v >> 12);
            push(v >> 6);
            push(v);
        }
    }
    match *groups.remainder() {
        [a] => {
            let v = u32::from(a) << 16;
            push(v >> 18);
            push(v >> 12);
        }
        [a, b] => {
            let v = u32::from(a) << 16 | u32::from(b) << 8;
            push(v >> 18);
            push(v >> 12);
            push(v >> 6);
        }
        _ => {}
    }
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

/// Decodes unpadded, canonical base64url into `out` (cleared first; its capacity is reused).
///
/// # Errors
/// As [`decode_url`]; `out` is left empty.
pub(crate) fn decode_url_to(text: &[u8], out: &mut Vec<u8>) -> Result<()> {
    out.clear();
    if decode_table(text, out, &URL_DIGITS).is_none() {
        out.clear();
        return Err(Error::malformed(Layer::Base64, 0, "invalid base64url"));
    }
    Ok(())
}

/// True when every byte of `text` is in the base64url alphabet (one table lookup per byte, no
/// early exit: the loop has no branch per byte).
pub(crate) fn is_url_text(text: &[u8]) -> bool {
    text.iter().fold(0u8, |acc, &b| acc | url_digit(b)) & 0x80 == 0
}

/// Marks a byte outside the alphabet in [`URL_DIGITS`].
const INVALID: u8 = 0xFF;

/// The value of each base64url character (RFC 4648 §5); [`INVALID`] for every other byte.
const URL_DIGITS: [u8; 256] = digits(URL_ALPHABET);

/// The value of each standard base64 character (RFC 4648 §4); [`INVALID`] for every other
/// byte, `=` included.
#[cfg(feature = "legacy")]
const STD_DIGITS: [u8; 256] =
    digits(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");

#[allow(clippy::indexing_slicing)] // i < 64 == alphabet.len(); a u8 index is < 256
const fn digits(alphabet: &[u8; 64]) -> [u8; 256] {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
}

fn url_digit(b: u8) -> u8 {
    #[allow(clippy::indexing_slicing)] // a u8 index is < 256 == URL_DIGITS.len()
    URL_DIGITS[usize::from(b)]
}

/// Table-driven strict unpadded base64 over `table` (zero trailing bits), as base64ct's
/// unpadded encodings accept it. `None` for anything it refuses.
fn decode_table(text: &[u8], out: &mut Vec<u8>, table: &[u8; 256]) -> Option<()> {
    #[allow(clippy::indexing_slicing)] // a u8 index is < 256 == table.len()
    let digit = |b: u8| table[usize::from(b)];
    let quads = text.chunks_exact(4);
    let tail = quads.remainder();
    let tail_bytes = match tail.len() {
        0 => 0,
        2 => 1,
        3 => 2,
        _ => return None,
    };
    let whole = text.len() / 4;
    out.resize(whole.checked_mul(3)?.checked_add(tail_bytes)?, 0);
    let mut bad = 0u8;
    for (quad, dst) in quads.zip(out.chunks_exact_mut(3)) {
        if let ([a, b, c, d], [x, y, z]) = (quad, dst) {
            let (a, b, c, d) = (digit(*a), digit(*b), digit(*c), digit(*d));
            // INVALID is the only value with the high bit set.
            bad |= a | b | c | d;
            let v = u32::from(a) << 18 | u32::from(b) << 12 | u32::from(c) << 6 | u32::from(d);
            *x = (v >> 16) as u8;
            *y = (v >> 8) as u8;
            *z = v as u8;
        }
    }
    let last = out.get_mut(whole.saturating_mul(3)..)?;
    match (tail, last) {
        ([], []) => {}
        ([a, b], [x]) => {
            let (a, b) = (digit(*a), digit(*b));
            // Canonical: the 4 bits past the last byte are zero.
            bad |= a | b | u8::from(b & 0x0F != 0) << 7;
            *x = a << 2 | b >> 4;
        }
        ([a, b, c], [x, y]) => {
            let (a, b, c) = (digit(*a), digit(*b), digit(*c));
            bad |= a | b | c | u8::from(c & 0x03 != 0) << 7;
            *x = a << 2 | b >> 4;
            *y = b << 4 | c >> 2;
        }
        _ => return None,
    }
    (bad & 0x80 == 0).then_some(())
}

/// Decodes standard padded base64 into `out` (cleared first; its capacity is reused), as
/// base64ct's `Base64` accepts it (padding required, canonical trailing bits), by table: it
/// reads a legacy cookie's payload only after its MAC verified.
///
/// # Errors
/// [`Error::Malformed`] in [`Layer::Base64`]; `out` is left empty.
#[cfg(feature = "legacy")]
pub(crate) fn decode_std_to(text: &[u8], out: &mut Vec<u8>) -> Result<()> {
    out.clear();
    let body = if text.len() % 4 != 0 {
        None
    } else if let Some(body) = text.strip_suffix(b"==") {
        Some(body)
    } else {
        Some(text.strip_suffix(b"=").unwrap_or(text))
    };
    if body
        .and_then(|b| decode_table(b, out, &STD_DIGITS))
        .is_none()
    {
        out.clear();
        return Err(Error::malformed(Layer::Base64, 0, "invalid base64"));
    }
    Ok(())
}

/// Encodes `bytes` as standard padded base64 (Python `base64.b64encode`).
#[cfg(any(feature = "legacy", feature = "serde"))]
pub(crate) fn encode_std(bytes: &[u8]) -> String {
    Base64::encode_string(bytes)
}

/// Decodes standard padded base64 (what Python's `b64encode` writes).
///
/// # Errors
/// [`Error::Malformed`] in [`Layer::Base64`].
#[cfg(any(feature = "legacy", feature = "serde"))]
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
    fn base64_url_encode_matches_base64ct() {
        let bytes: Vec<u8> = (0..300u32).map(|i| (i * 151 + 7) as u8).collect();
        for n in 0..bytes.len() {
            let want = Base64UrlUnpadded::encode_string(&bytes[..n]);
            assert_eq!(encode_url(&bytes[..n]), want, "{n}");
            assert_eq!(want.len(), encoded_url_len(n), "{n}");
            let mut appended = String::from("x.");
            encode_url_to(&bytes[..n], &mut appended);
            assert_eq!(appended, alloc::format!("x.{want}"), "{n}");
        }
    }

    #[test]
    #[cfg(feature = "legacy")]
    fn base64_decode_to_reuses_and_matches_decode() {
        let mut out = alloc::vec![9u8; 100];
        for text in [&b""[..], b"-_8", b"aGVsbG8", b"aGVsbG8h", b"aGVsbG8hIQ"] {
            decode_url_to(text, &mut out).unwrap();
            assert_eq!(out, decode_url(text).unwrap());
        }
        assert!(decode_url_to(b"-_9", &mut out).is_err());
        assert!(out.is_empty());
        decode_std_to(b"+/8=", &mut out).unwrap();
        assert_eq!(out, b"\xfb\xff");
        assert!(decode_std_to(b"+/8", &mut out).is_err());
        assert!(out.is_empty());
    }

    /// Every text of 0..=`max_len` characters over `chars`.
    fn texts_over(chars: &[u8], max_len: usize) -> Vec<Vec<u8>> {
        let mut texts: Vec<Vec<u8>> = alloc::vec![Vec::new()];
        let mut last: Vec<Vec<u8>> = texts.clone();
        for _ in 0..max_len {
            let next: Vec<Vec<u8>> = last
                .iter()
                .flat_map(|t| chars.iter().map(move |&c| [t.as_slice(), &[c]].concat()))
                .collect();
            texts.extend(next.iter().cloned());
            last = next;
        }
        texts
    }

    #[test]
    #[cfg(feature = "legacy")]
    fn base64_std_table_decoder_agrees_with_base64ct() {
        let mut out = Vec::new();
        for t in texts_over(b"AQgw+/9=-_ ", 5) {
            let expected = core::str::from_utf8(&t)
                .ok()
                .and_then(|s| Base64::decode_vec(s).ok());
            let got = decode_std_to(&t, &mut out).ok().map(|()| out.clone());
            assert_eq!(got, expected, "{t:?}");
        }
        for n in 0..100usize {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 151 + n) as u8).collect();
            decode_std_to(encode_std(&bytes).as_bytes(), &mut out).unwrap();
            assert_eq!(out, bytes);
        }
    }

    #[test]
    fn base64_table_decoder_agrees_with_base64ct() {
        let mut out = Vec::new();
        // Every 1..=4-character text over a small alphabet with edge characters.
        for t in texts_over(b"AQgw-_9=+/. \x80", 4) {
            let expected = core::str::from_utf8(&t)
                .ok()
                .and_then(|s| Base64UrlUnpadded::decode_vec(s).ok());
            let got = decode_url_to(&t, &mut out).ok().map(|()| out.clone());
            assert_eq!(got, expected, "{t:?}");
        }
        for n in 0..200usize {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 151 + n) as u8).collect();
            decode_url_to(encode_url(&bytes).as_bytes(), &mut out).unwrap();
            assert_eq!(out, bytes);
        }
    }

    #[test]
    #[cfg(feature = "legacy")]
    fn base64_std_round_trip() {
        assert_eq!(encode_std(b"\xfb\xff"), "+/8=");
        assert_eq!(decode_std(b"+/8=").unwrap(), b"\xfb\xff");
        assert!(decode_std(b"+/8").is_err());
    }
}
