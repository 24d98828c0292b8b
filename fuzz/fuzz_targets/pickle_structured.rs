#![no_main]
//! `pickle::read` then `into_session` on structure-aware pickles: arbitrary opcode sequences
//! from the whitelist and outside it, with well-shaped arguments. Oracle: as `pickle_read`.
use beaker_session_jwt::{pickle, pickle::Target, Limits};
use beaker_session_jwt_fuzz::{assert_pickle_rereads, PickleProgram, REMOVE_KEY};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|program: PickleProgram| {
    let read = pickle::read(&program.0, &Limits::DEFAULT);
    if let Ok(s) = read.and_then(|p| p.into_session(Target::Bson, &[REMOVE_KEY], &Limits::DEFAULT))
    {
        assert_pickle_rereads(&s, Target::Bson);
    }
});
