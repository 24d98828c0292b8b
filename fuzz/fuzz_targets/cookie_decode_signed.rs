#![no_main]
//! Any claims, signed with the second key, through `decode_cookie` (first byte odd: bsZ mode)
//! reach every inner layer. Oracle: never `BadSignature`; what decodes reports key 1 and rewrites;
//! `Codec::decode_view` gives the same session or the same error; both decodes' peak heap within
//! the bound.
use beaker_session_jwt::{jwt, Error, SecretKey};
use beaker_session_jwt_fuzz::{check_decode, jwt_config, K2};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (bool, &[u8])| {
    let config = jwt_config(input.0);
    match check_decode(&jwt::sign(input.1, &SecretKey::from(K2)), &config) {
        Ok(d) => assert_eq!(d.key_index, 1),
        Err(e) => assert_ne!(e, Error::BadSignature),
    }
});
