#![no_main]
//! `zlib::inflate` on any bytes against zlib-rs (a port of C zlib) as the strict oracle, with
//! the default `max_inflated_len` and with a small one (64 × the last byte, to meet the bound). Oracle: accepts and refuses what zlib does, with zlib's output, and stops
//! where zlib passes the limit; the one documented exception of the default (miniz_oxide)
//! build: a single-code literal/length or distance code longer than 1 bit, which it may
//! accept. Run it in both builds: default, and `--features fast-zlib` (our decoder, no
//! exception).
use beaker_session_jwt::Limits;
use beaker_session_jwt_fuzz::assert_inflate_matches_zlib;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    assert_inflate_matches_zlib(data, Limits::DEFAULT.max_inflated_len);
    assert_inflate_matches_zlib(data, 64 * usize::from(data.last().copied().unwrap_or(0)));
});
