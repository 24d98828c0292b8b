#![no_main]
//! `decode_cookie`, `read_original_format` (pickle), on a legacy cookie the harness signs with
//! the legacy key around the input (any pickle). Oracle: never `BadSignature`; what decodes is
//! `LegacyPickle` and migrates to a JWT that reads back equal; `Codec::decode_view` agrees;
//! both decodes' peak heap within the bound.
use beaker_session_jwt::{Error, Format};
use beaker_session_jwt_fuzz::{check_decode, config, legacy_cookie};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|pickle: &[u8]| {
    let config = config(Format::LegacyPickle);
    match check_decode(&legacy_cookie(pickle), &config) {
        Ok(d) => assert_eq!(d.format, Format::LegacyPickle),
        Err(e) => assert_ne!(e, Error::BadSignature),
    }
});
