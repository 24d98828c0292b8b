#![no_main]
//! `legacy::decode`, pickle serializer, on any pickle signed with the legacy key (which the
//! threat model lets an attacker know); first byte odd: BSON JWT payload, even: JSON. Oracle:
//! the decode's peak heap within the bound; what decodes migrates to a JWT that reads back
//! equal, and one byte less of `max_session_bytes` than the session is charged refuses it.
use beaker_session_jwt::{legacy, Format};
use beaker_session_jwt_fuzz::{assert_charged, assert_rewrites, legacy_config, legacy_cookie};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (bool, &[u8])| {
    let config = legacy_config(Format::LegacyPickle, input.0);
    let cookie = legacy_cookie(input.1);
    let decoded = beaker_session_jwt_fuzz::memory::bounded(&config, "legacy::decode", || {
        legacy::decode(&cookie, &config)
    });
    if let Ok(session) = decoded {
        assert_rewrites(&session, &config);
        assert_charged(&session, &config.limits, |l| {
            let mut tight = config.clone();
            tight.limits = *l;
            legacy::decode(&cookie, &tight)
        });
    }
});
