#![no_main]
//! `decode_cookie` on any value, `bson_compress_jwt_payload = false`, fixed keys. Oracle: a cookie that
//! decodes is written again (as a JWT) and reads back to the same session; `Codec::decode_view`
//! gives the same session or the same error.
use beaker_session_jwt::{decode_cookie, Format};
use beaker_session_jwt_fuzz::{assert_rewrites, assert_view_agrees, config, NOW};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|value: &str| {
    let config = config(Format::JwtJson);
    let decoded = decode_cookie(value, &config, NOW);
    assert_view_agrees(value, &config, &decoded);
    if let Ok(decoded) = decoded {
        assert_rewrites(&decoded.session, &config);
    }
});
