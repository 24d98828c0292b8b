//! HMAC-SHA256 (JWS HS256) and HMAC-SHA1 (legacy Beaker `SignedCookie`) with constant-time
//! verification; the only file that touches key bytes.
//!
//! Specs: RFC 2104 (HMAC), RFC 7518 §3.2 (HS256), Beaker 1.14.1 `beaker/session.py`
//! `SignedCookie.value_decode`.

use hmac::{Hmac, Mac};

/// HMAC-SHA256 of `msg` under `key` (32 bytes).
pub(crate) fn sha256(key: &[u8], msg: &[&[u8]]) -> [u8; 32] {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<sha2::Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return [0; 32],
    };
    for part in msg {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// HMAC-SHA1 of `msg` under `key` (20 bytes).
#[cfg(feature = "legacy")]
pub(crate) fn sha1(key: &[u8], msg: &[u8]) -> [u8; 20] {
    let mut mac = match Hmac::<sha1::Sha1>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return [0; 20],
    };
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// Verifies an HMAC-SHA256 tag in constant time (the `subtle` comparison inside `hmac`).
pub(crate) fn verify_sha256(key: &[u8], msg: &[&[u8]], tag: &[u8]) -> bool {
    let mut mac = match Hmac::<sha2::Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return false,
    };
    for part in msg {
        mac.update(part);
    }
    mac.verify_slice(tag).is_ok()
}

/// Verifies an HMAC-SHA1 tag in constant time.
#[cfg(feature = "legacy")]
pub(crate) fn verify_sha1(key: &[u8], msg: &[u8], tag: &[u8]) -> bool {
    let mut mac = match Hmac::<sha1::Sha1>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return false,
    };
    mac.update(msg);
    mac.verify_slice(tag).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> alloc::string::String {
        bytes.iter().map(|b| alloc::format!("{b:02x}")).collect()
    }

    #[test]
    fn mac_rfc4231_case_2() {
        let tag = sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex(&tag),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(verify_sha256(
            b"Jefe",
            &[b"what do ya want for nothing?"],
            &tag
        ));
        let mut bad = tag;
        bad[31] ^= 1;
        assert!(!verify_sha256(
            b"Jefe",
            &[b"what do ya want for nothing?"],
            &bad
        ));
        assert!(!verify_sha256(
            b"Jefe",
            &[b"what do ya want for nothing?"],
            &tag[..31]
        ));
    }

    #[test]
    #[cfg(feature = "legacy")]
    fn mac_rfc2202_sha1_case_2() {
        let tag = sha1(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(hex(&tag), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
        assert!(verify_sha1(b"Jefe", b"what do ya want for nothing?", &tag));
    }
}
