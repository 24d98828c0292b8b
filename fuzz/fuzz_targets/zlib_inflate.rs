#![no_main]
//! `zlib::inflate` on any bytes with the default limits. Oracle: the output never passes
//! `max_inflated_len`, and our own deflate of it inflates back to it.
use beaker_session_jwt::{zlib, Limits};
use beaker_session_jwt_fuzz::deflate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::DEFAULT;
    if let Ok(out) = zlib::inflate(data, &limits) {
        assert!(out.len() <= limits.max_inflated_len);
        let again = zlib::inflate(&deflate(&out), &limits);
        assert_eq!(again.as_ref(), Ok(&out));
    }
});
