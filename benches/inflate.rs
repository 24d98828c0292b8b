//! The inflate step alone, on the zlib streams inside the bench's bsZ cookies (written by the
//! Python package: C zlib at level 9): the library's `zlib::Inflater` (miniz_oxide in the
//! default build, our own decoder with `--features fast-zlib`) against miniz_oxide called
//! directly and zlib-rs (a dev-dependency: the tests' strict oracle). Each with its state and
//! output buffer reused, as a `Codec` reuses them.
//!
//! IDs: `inflate/<backend>/<size>`, backend `library_default` (the default build's
//! `Inflater`) or `library_fast_zlib` (with the feature), `miniz_oxide` or `zlib_rs`.
//!
//! The library's inflate is an internal layer, public only where the crate exposes those for
//! its fuzz targets (`--cfg fuzzing`), so its rows need that flag:
//! `RUSTFLAGS="--cfg fuzzing" cargo bench --bench inflate [--features fast-zlib]`. Without it
//! the bench measures miniz_oxide and zlib-rs only. Under that flag miniz_oxide skips its own
//! Adler-32 check (the library checks it itself), so the `miniz_oxide` row is then a little
//! fast.

mod common;

use std::hint::black_box;
use std::time::Duration;

use base64ct::{Base64UrlUnpadded, Encoding};
use beaker_session_jwt::{json, Limits};
use criterion::{criterion_group, criterion_main, Criterion};
use miniz_oxide::inflate::core::inflate_flags::{
    TINFL_FLAG_PARSE_ZLIB_HEADER, TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
};
use miniz_oxide::inflate::core::{decompress, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;

use common::{Fmt, SIZES};

/// The library's inflate in this build.
#[cfg(fuzzing)]
const LIBRARY: &str = if cfg!(feature = "fast-zlib") {
    "library_fast_zlib"
} else {
    "library_default"
};

/// The zlib stream of a bsZ cookie: the payload segment (the signature is not checked), the
/// `bsZ` claim, base85.
fn stream(size: &str) -> Vec<u8> {
    let payload = Fmt::JwtBsz.cookie(size).split('.').nth(1).unwrap();
    let payload = Base64UrlUnpadded::decode_vec(payload).unwrap();
    let claims = json::read(&payload, &Limits::DEFAULT).unwrap();
    base85_decode(claims.get("bsZ").and_then(|v| v.as_str()).unwrap())
}

/// `base64.b85decode` of well-formed text.
fn base85_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8; 85] =
        b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";
    let mut out = Vec::new();
    for chunk in text.as_bytes().chunks(5) {
        let mut word: u32 = 0;
        for i in 0..5 {
            let c = chunk.get(i).copied().unwrap_or(b'~');
            let digit = ALPHABET.iter().position(|&a| a == c).unwrap() as u32;
            word = word.wrapping_mul(85).wrapping_add(digit);
        }
        out.extend_from_slice(&word.to_be_bytes()[..chunk.len() - 1]);
    }
    out
}

/// miniz_oxide with a reused state into a reused buffer already as long as the output (the
/// fastest way to call it: no growth, no wrapping window).
fn miniz(input: &[u8], state: &mut DecompressorOxide, out: &mut [u8]) -> usize {
    state.init();
    let flags = TINFL_FLAG_PARSE_ZLIB_HEADER | TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let (status, _, written) = decompress(state, input, out, 0, flags);
    assert_eq!(status, TINFLStatus::Done);
    written
}

fn zlib_rs(input: &[u8], state: &mut zlib_rs::Inflate, out: &mut [u8]) -> usize {
    state.reset(true);
    let status = state.decompress(input, out, zlib_rs::InflateFlush::Finish);
    assert!(matches!(status, Ok(zlib_rs::Status::StreamEnd)));
    state.total_out() as usize
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("inflate");
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    for size in SIZES {
        let input = stream(size);
        // The reference output: what zlib-rs (C zlib's port) inflates the stream to.
        let mut state = zlib_rs::Inflate::new(true, 15);
        let mut reference = vec![0u8; Limits::DEFAULT.max_inflated_len];
        let len = zlib_rs(&input, &mut state, &mut reference);
        reference.truncate(len);

        #[cfg(fuzzing)]
        {
            let limits = Limits::DEFAULT;
            let mut inflater = beaker_session_jwt::zlib::Inflater::new();
            let mut library = Vec::new();
            inflater
                .inflate_into(&input, &mut library, &limits)
                .unwrap();
            assert_eq!(library, reference);
            group.bench_function(format!("{LIBRARY}/{size}"), |b| {
                b.iter(|| {
                    inflater
                        .inflate_into(black_box(&input), &mut library, &limits)
                        .unwrap()
                })
            });
        }

        let mut state = Box::<DecompressorOxide>::default();
        let mut out = vec![0u8; len];
        assert_eq!(miniz(&input, &mut state, &mut out), len);
        assert_eq!(out, reference);
        group.bench_function(format!("miniz_oxide/{size}"), |b| {
            b.iter(|| miniz(black_box(&input), &mut state, &mut out))
        });

        let mut state = zlib_rs::Inflate::new(true, 15);
        let mut out = vec![0u8; len];
        assert_eq!(zlib_rs(&input, &mut state, &mut out), len);
        assert_eq!(out, reference);
        group.bench_function(format!("zlib_rs/{size}"), |b| {
            b.iter(|| zlib_rs(black_box(&input), &mut state, &mut out))
        });
    }
    group.finish();
}

criterion_group!(inflate, benches);
criterion_main!(inflate);
