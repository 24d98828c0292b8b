#![no_main]
//! `zlib::deflate` on any bytes against miniz_oxide's level 9 (with `--features fast-zlib`,
//! inputs up to 16 KiB take our own encoder). Oracle: the same bytes as
//! `miniz_oxide::deflate::compress_to_vec_zlib(data, 9)`, and they inflate back to `data`.
use beaker_session_jwt::{zlib, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ours = zlib::deflate(data);
    assert_eq!(ours, miniz_oxide::deflate::compress_to_vec_zlib(data, 9));
    let limits = Limits::DEFAULT;
    if data.len() <= limits.max_inflated_len {
        assert_eq!(zlib::inflate(&ours, &limits).as_deref(), Ok(data));
    }
});
