#![no_main]
//! `legacy::decode`, json serializer, on any JSON text (deflated, then signed with the legacy
//! key); first byte odd: BSON JWT payload, even: JSON. Oracle: what decodes migrates to a JWT
//! that reads back to the same session.
use beaker_session_jwt::{legacy, zlib, Format};
use beaker_session_jwt_fuzz::{assert_rewrites, legacy_config, legacy_cookie};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (bool, &[u8])| {
    let config = legacy_config(Format::LegacyJson, input.0);
    if let Ok(session) = legacy::decode(&legacy_cookie(&zlib::deflate(input.1)), &config) {
        assert_rewrites(&session, &config);
    }
});
