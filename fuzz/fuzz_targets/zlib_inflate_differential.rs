#![no_main]
//! `zlib::inflate` (our decoder) against miniz_oxide on any bytes. Oracle: when both accept,
//! the outputs are equal. Where only one accepts (an incomplete Huffman code miniz_oxide takes
//! and zlib refuses; miniz_oxide skips its Adler-32 check under `cfg(fuzzing)`), no panic.
use beaker_session_jwt::{zlib, Limits};
use libfuzzer_sys::fuzz_target;
use miniz_oxide::inflate::decompress_to_vec_zlib_with_limit;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::DEFAULT;
    let ours = zlib::inflate(data, &limits);
    let theirs = decompress_to_vec_zlib_with_limit(data, limits.max_inflated_len);
    if let (Ok(ours), Ok(theirs)) = (ours, theirs) {
        assert_eq!(ours, theirs);
    }
});
