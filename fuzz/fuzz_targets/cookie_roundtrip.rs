#![no_main]
//! An arbitrary session that its format can carry, written by `encode_cookie` (refused only for
//! length), decodes to the same session (as pymongo reads it: `as_read`) and format.
use beaker_session_jwt::{decode_cookie, encode_cookie, Error, Limit};
use beaker_session_jwt_fuzz::{as_read, roundtrip_config, FormatSession, NOW};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: FormatSession| {
    let FormatSession(format, session) = input;
    let (config, want) = (roundtrip_config(format), Ok((as_read(&session), format)));
    match encode_cookie(&session, &config).map(|c| decode_cookie(&c, &config, NOW)) {
        Err(e) => assert_eq!(e, Error::LimitExceeded(Limit::WriteLen)),
        Ok(d) => assert_eq!(d.map(|d| (d.session, d.format)), want),
    }
});
