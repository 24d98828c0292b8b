#![no_main]
//! `decode_cookie` on any value, `bson_compress_jwt_payload = true`, fixed keys. Oracle: a cookie that
//! decodes is written again (as a JWT) and reads back to the same session.
use beaker_session_jwt::{decode_cookie, Format};
use beaker_session_jwt_fuzz::{assert_rewrites, config, NOW};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|value: &str| {
    let config = config(Format::JwtBson);
    if let Ok(decoded) = decode_cookie(value, &config, NOW) {
        assert_rewrites(&decoded.session, &config);
    }
});
