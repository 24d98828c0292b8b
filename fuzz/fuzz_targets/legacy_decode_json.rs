#![no_main]
//! `legacy::decode`, json serializer, on any zlib stream (hostile deflate included), signed with
//! the legacy key; first byte odd: BSON JWT payload, even: JSON. Oracle: what decodes migrates
//! to a JWT that reads back to the same session; the decode's peak heap within the bound.
use beaker_session_jwt::{legacy, Format};
use beaker_session_jwt_fuzz::{assert_rewrites, legacy_config, legacy_cookie, memory};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (bool, &[u8])| {
    let config = legacy_config(Format::LegacyJson, input.0);
    let cookie = legacy_cookie(input.1);
    let decoded = memory::bounded(&config, "legacy::decode", || legacy::decode(&cookie, &config));
    if let Ok(session) = decoded {
        assert_rewrites(&session, &config);
    }
});
