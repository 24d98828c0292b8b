#![no_main]
//! `decode_cookie`, `bson_compress_jwt_payload = true`, on a bsZ cookie the harness signs with
//! key 0 around the input: first byte % 3 picks what the rest is (0 the bsZ text, 1 the zlib
//! stream, 2 the BSON; `bsz_claims`). Oracle: never `BadSignature`; what decodes reports key 0
//! and rewrites; `Codec::decode_view` agrees; both decodes' peak heap within the bound.
use beaker_session_jwt::{Error, Format};
use beaker_session_jwt_fuzz::{bsz_claims, check_decode, config, jwt_cookie};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u8, &[u8])| {
    let config = config(Format::JwtBson);
    match check_decode(&jwt_cookie(&bsz_claims(input.0, input.1)), &config) {
        Ok(d) => assert_eq!((d.key_index, d.format), (0, Format::JwtBson)),
        Err(e) => assert_ne!(e, Error::BadSignature),
    }
});
