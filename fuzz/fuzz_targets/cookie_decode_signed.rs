#![no_main]
//! Any claims, signed with the second key, through `decode_cookie` (first byte odd: bsZ mode)
//! reach every inner layer. Oracle: never `BadSignature`; what decodes reports key 1 and rewrites;
//! `Codec::decode_view` gives the same session or the same error.
use beaker_session_jwt::{decode_cookie, jwt, Error, SecretKey};
use beaker_session_jwt_fuzz::{assert_rewrites, assert_view_agrees, jwt_config, K2, NOW};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (bool, &[u8])| {
    let config = jwt_config(input.0);
    let cookie = jwt::sign(input.1, &SecretKey::from(K2));
    let decoded = decode_cookie(&cookie, &config, NOW);
    assert_view_agrees(&cookie, &config, &decoded);
    match decoded {
        Ok(d) if d.key_index == 1 => assert_rewrites(&d.session, &config),
        other => assert!(matches!(other, Err(e) if e != Error::BadSignature)),
    }
});
