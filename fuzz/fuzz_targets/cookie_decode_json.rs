#![no_main]
//! `decode_cookie`, `bson_compress_jwt_payload = false`, on a JWT the harness signs with key 0
//! around the input (any claims bytes). Oracle: never `BadSignature`; what decodes reports key
//! 0 and rewrites; `Codec::decode_view` agrees; both decodes' peak heap within the bound.
use beaker_session_jwt::{Error, Format};
use beaker_session_jwt_fuzz::{check_decode, config, jwt_cookie};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|claims: &[u8]| {
    let config = config(Format::JwtJson);
    match check_decode(&jwt_cookie(claims), &config) {
        Ok(d) => assert_eq!((d.key_index, d.format), (0, Format::JwtJson)),
        Err(e) => assert_ne!(e, Error::BadSignature),
    }
});
