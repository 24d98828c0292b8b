#![no_main]
//! `pickle::read` then `into_session` (BSON payload) on any bytes. Oracle: a session read from
//! a pickle is written by `pickle::write` and reads back to the same session.
use beaker_session_jwt::{pickle, pickle::Target, Limits};
use beaker_session_jwt_fuzz::{assert_pickle_rereads, REMOVE_KEY};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let read = pickle::read(data, &Limits::DEFAULT);
    if let Ok(s) = read.and_then(|p| p.into_session(Target::Bson, &[REMOVE_KEY], &Limits::DEFAULT))
    {
        assert_pickle_rereads(&s, Target::Bson);
    }
});
