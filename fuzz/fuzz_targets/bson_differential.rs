#![no_main]
//! Our `bson::read` against the `bson` crate on any bytes: where both accept, values agree; where
//! one side only accepts (outside three documented `Verdict`s), the panic says which and why.
use beaker_session_jwt_fuzz::{bson_differential, Verdict};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let verdict = bson_differential(data);
    if matches!(
        verdict,
        Verdict::OnlyWeAccept(_) | Verdict::OnlyTheyAccept(_)
    ) {
        panic!("readers disagree: {verdict:?}");
    }
});
