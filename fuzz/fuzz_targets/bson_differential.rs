#![no_main]
//! Our `bson::read` against the `bson` crate on any bytes. Where both accept, the values must
//! agree (checked inside `bson_differential`); where only one side accepts, outside the two
//! known, documented classes, the panic message says which side and why the other refused.
use beaker_session_jwt_fuzz::{bson_differential, Verdict};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| match bson_differential(data) {
    verdict @ (Verdict::OnlyWeAccept(_) | Verdict::OnlyTheyAccept(_)) => {
        panic!("readers disagree: {verdict:?}")
    }
    _ => {}
});
