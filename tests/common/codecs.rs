//! The crate's internal layers (base85, zlib, the JWS, legacy cookies) as a test needs them to
//! build or take apart a cookie: small independent implementations (and the crate's own
//! dependencies), or the public API with a [`Config`], never the crate's private modules.

use base64ct::{Base64UrlUnpadded, Encoding};
use beaker_session_jwt::{decode_cookie, encode_cookie, Config, Error, Session};
use hmac::{Hmac, Mac};

/// Python's `base64.b85encode` alphabet.
const B85: &[u8; 85] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";

/// `base64.b85encode(data)` (no padding).
pub fn base85_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len() / 4 * 5 + 5);
    for chunk in data.chunks(4) {
        let mut group = [0u8; 4];
        group[..chunk.len()].copy_from_slice(chunk);
        let mut word = u32::from_be_bytes(group);
        let mut digits = [0u8; 5];
        for d in digits.iter_mut().rev() {
            *d = B85[(word % 85) as usize];
            word /= 85;
        }
        out.extend(digits[..chunk.len() + 1].iter().map(|&d| char::from(d)));
    }
    out
}

/// `base64.b85decode(text)`, or `None` where Python raises.
pub fn base85_decode(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 5 * 4 + 4);
    for chunk in text.chunks(5) {
        let mut word: u64 = 0;
        for i in 0..5 {
            let c = chunk.get(i).copied().unwrap_or(b'~');
            word = word * 85 + B85.iter().position(|&a| a == c)? as u64;
        }
        let bytes = u32::try_from(word).ok()?.to_be_bytes();
        out.extend_from_slice(&bytes[..chunk.len() - 1]);
    }
    Some(out)
}

/// `zlib.compress(data, 9)` as the crate writes it: miniz_oxide's level 9.
pub fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 9)
}

/// `zlib.decompress(stream)`, or `None` where it fails.
pub fn inflate(stream: &[u8]) -> Option<Vec<u8>> {
    miniz_oxide::inflate::decompress_to_vec_zlib(stream).ok()
}

/// The HS256 JWS the Python package writes: its fixed header, `payload`, HMAC-SHA256 under
/// `key`.
pub fn jwt_sign(payload: &[u8], key: &[u8]) -> String {
    let header = Base64UrlUnpadded::encode_string(br#"{"typ":"JWT","alg":"HS256"}"#);
    let body = Base64UrlUnpadded::encode_string(payload);
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).expect("any key length");
    mac.update(format!("{header}.{body}").as_bytes());
    let tag = Base64UrlUnpadded::encode_string(&mac.finalize().into_bytes());
    format!("{header}.{body}.{tag}")
}

/// A legacy cookie read as a server configured with `config` reads it: [`decode_cookie`] with
/// `read_original_format` on and no timeout (a legacy cookie is never a well-formed JWS, so it
/// always reaches the legacy reader).
pub fn legacy_decode(value: &str, config: &Config) -> Result<Session, Error> {
    let mut config = config.clone();
    config.read_original_format = true;
    config.timeout = None;
    decode_cookie(value, &config, 0.0).map(|d| d.session)
}

/// A legacy cookie written as a server configured with `config` writes it: [`encode_cookie`]
/// with `write_original_format` on.
pub fn legacy_encode(session: &Session, config: &Config) -> Result<String, Error> {
    let mut config = config.clone();
    config.write_original_format = true;
    encode_cookie(session, &config)
}
