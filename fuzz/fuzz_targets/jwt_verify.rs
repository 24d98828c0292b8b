#![no_main]
//! `jwt::verify` on any token with the fixed keys. Oracle: a token that verifies and carries
//! our header is exactly what `jwt::sign` writes for its payload (base64url is canonical).
use beaker_session_jwt::{jwt, Limits, SecretKey};
use beaker_session_jwt_fuzz::{K1, K2};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|token: &str| {
    let keys = [SecretKey::from(K1), SecretKey::from(K2)];
    if let Ok(v) = jwt::verify(token, &keys, &Limits::DEFAULT) {
        if token.starts_with(jwt::HEADER_SEGMENT) {
            assert_eq!(jwt::sign(&v.payload, &keys[v.key_index]), token);
        }
    }
});
