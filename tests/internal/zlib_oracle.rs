//! `zlib::inflate`, whichever backend the build runs (miniz_oxide by default, our decoder with
//! `fast-zlib`), against zlib-rs, a port of C zlib, as the strict oracle: on the Python-checked
//! vectors and on mutated streams, it accepts and refuses what zlib does, with the same output,
//! and stops at the same limit. The one documented exception (`src/zlib/mod.rs`): the default
//! build accepts a literal/length or distance code made of a single code longer than 1 bit.

use std::prelude::rust_2021::*;
use std::{format, panic, vec};

use proptest::prelude::*;
use zlib_rs::{InflateError, InflateFlush, Status};

use crate::zlib::tests::{lcg_text, unspec};
use crate::{zlib, Error, Layer, Limit, Limits};

/// `zlib.decompress` vectors made by `tests/data/codecs/make_codecs.py`.
const VECTORS: &str = include_str!("../data/codecs/zlib.txt");

/// What zlib-rs says about a stream.
#[derive(Debug, PartialEq)]
enum Verdict {
    Inflated(Vec<u8>),
    /// More than the limit.
    TooLong,
    /// Refused, with zlib's message.
    Refused(&'static str),
}

/// Inflates like Python's `zlib.decompress` (zlib framing, 32 KiB window, bytes after the end
/// ignored), into a buffer one byte longer than `max`.
fn oracle(data: &[u8], max: usize) -> Verdict {
    let mut state = zlib_rs::Inflate::new(true, 15);
    let mut out = vec![0u8; max + 1];
    let status = state.decompress(data, &mut out, InflateFlush::NoFlush);
    let written = usize::try_from(state.total_out()).unwrap();
    match status {
        _ if written > max => Verdict::TooLong,
        Ok(Status::StreamEnd) => {
            out.truncate(written);
            Verdict::Inflated(out)
        }
        // Room left and no end: the input ran out.
        Ok(Status::Ok | Status::BufError) => Verdict::Refused("incomplete or truncated stream"),
        Err(InflateError::NeedDict { .. }) => Verdict::Refused("need dictionary"),
        Err(_) => Verdict::Refused(state.error_message().unwrap_or("error")),
    }
}

fn limits(max: usize) -> Limits {
    Limits {
        max_inflated_len: max,
        ..Limits::default()
    }
}

/// zlib refuses it as an incomplete (or over-subscribed) literal/length or distance code: the
/// refusal the default build may not share (module docs of `src/zlib/mod.rs`).
fn incomplete_code(message: &str) -> bool {
    matches!(
        message,
        "invalid literal/lengths set" | "invalid distances set"
    )
}

/// Our verdict against the oracle's; the message says what differed. A refusal is a refusal:
/// a stream that both passes the limit and breaks the format may be refused for either, by
/// whichever fault the decoder reaches first, so only streams zlib reads whole must match to
/// the byte and to the limit.
fn compare(data: &[u8], max: usize) -> Result<(), String> {
    let ours = zlib::inflate(data, &limits(max));
    let theirs = oracle(data, max);
    let refused = |r: &Result<Vec<u8>, Error>| {
        matches!(
            r,
            Err(Error::Malformed {
                layer: Layer::Zlib,
                ..
            }) | Err(Error::Unsupported {
                layer: Layer::Zlib,
                ..
            }) | Err(Error::LimitExceeded(Limit::InflatedLen))
        )
    };
    let agree = match &theirs {
        Verdict::Inflated(out) => ours.as_ref() == Ok(out),
        Verdict::TooLong => refused(&ours),
        // The default build's one documented difference; with `fast-zlib`, none.
        Verdict::Refused(m) if !cfg!(feature = "fast-zlib") && incomplete_code(m) => {
            ours.is_ok() || refused(&ours)
        }
        Verdict::Refused(_) => refused(&ours),
    };
    if agree {
        return Ok(());
    }
    Err(format!(
        "ours {:?}, zlib {}",
        ours.map(|v| v.len()),
        match &theirs {
            Verdict::Inflated(v) => format!("{} bytes", v.len()),
            other => format!("{other:?}"),
        }
    ))
}

/// zlib-rs agrees with Python on every vector (so it is a fair oracle), and so do we, but for
/// the four incomplete-code streams that only `fast-zlib` refuses.
#[test]
fn zlib_oracle_agrees_with_python_and_with_us_on_the_vectors() {
    let max = 1 << 20;
    let (mut ok, mut err, mut lax, mut lax_accepted) = (0, 0, 0, 0);
    for line in VECTORS.lines() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split(' ').collect();
        let stream = unspec(fields[1]);
        let theirs = oracle(&stream, max);
        match fields[2] {
            "ok" => {
                assert_eq!(theirs, Verdict::Inflated(unspec(fields[3])), "{line}");
                ok += 1;
            }
            "err" => {
                assert!(matches!(theirs, Verdict::Refused(_)), "{line}: {theirs:?}");
                err += 1;
            }
            "err-lax" => {
                assert!(
                    matches!(theirs, Verdict::Refused(m) if incomplete_code(m)),
                    "{line}: {theirs:?}"
                );
                lax += 1;
                lax_accepted += usize::from(zlib::inflate(&stream, &limits(max)).is_ok());
            }
            other => panic!("unknown verdict {other}"),
        }
        compare(&stream, max).unwrap_or_else(|e| panic!("{}: {e}", fields[1]));
    }
    assert!(ok > 500 && err > 1000 && lax == 4, "{ok} {err} {lax}");
    let expected = if cfg!(feature = "fast-zlib") { 0 } else { 4 };
    assert_eq!(lax_accepted, expected);
}

/// What zlib writes (zlib-rs, bytewise C zlib: what Python writes) at every level, we read.
#[test]
fn zlib_reads_what_c_zlib_writes_at_every_level() {
    for len in [0usize, 1, 47, 300, 1041, 5335, 40_000, 100_000] {
        let data = lcg_text(len as u64 + 7, len);
        for level in 0..=9 {
            let mut state = zlib_rs::Deflate::new(level, true, 15);
            let mut stream = vec![0u8; zlib_rs::compress_bound(len)];
            let status = state.compress(&data, &mut stream, zlib_rs::DeflateFlush::Finish);
            assert_eq!(status, Ok(Status::StreamEnd));
            stream.truncate(usize::try_from(state.total_out()).unwrap());
            assert_eq!(
                zlib::inflate(&stream, &limits(len)).as_ref(),
                Ok(&data),
                "len {len} level {level}"
            );
            compare(&stream, len.saturating_sub(1)).unwrap();
        }
    }
}

/// Streams to mutate: zlib-rs's (C zlib's) at a random level, or miniz_oxide's (ours).
fn stream_strategy() -> impl Strategy<Value = Vec<u8>> {
    (
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..600),
            (any::<u64>(), 0usize..3000).prop_map(|(seed, len)| lcg_text(seed, len)),
            proptest::collection::vec(0u8..3, 0..2000),
        ],
        0i32..=10,
    )
        .prop_map(|(data, level)| {
            if level == 10 {
                return zlib::deflate(&data);
            }
            let mut state = zlib_rs::Deflate::new(level, true, 15);
            let mut stream = vec![0u8; zlib_rs::compress_bound(data.len())];
            let _ = state.compress(&data, &mut stream, zlib_rs::DeflateFlush::Finish);
            stream.truncate(usize::try_from(state.total_out()).unwrap());
            stream
        })
}

/// A mutation: bytes to flip, set or cut at positions taken modulo the stream's length.
#[derive(Clone, Debug)]
enum Edit {
    Xor(usize, u8),
    Set(usize, u8),
    Cut(usize),
    Append(Vec<u8>),
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<usize>(), 1u8..=255).prop_map(|(at, x)| Edit::Xor(at, x)),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Edit::Set(at, b)),
        1 => any::<usize>().prop_map(Edit::Cut),
        1 => proptest::collection::vec(any::<u8>(), 1..8).prop_map(Edit::Append),
    ]
}

fn apply(stream: &mut Vec<u8>, edit: &Edit) {
    let len = stream.len().max(1);
    match edit {
        Edit::Xor(at, x) => {
            if let Some(b) = stream.get_mut(at % len) {
                *b ^= x;
            }
        }
        Edit::Set(at, v) => {
            if let Some(b) = stream.get_mut(at % len) {
                *b = *v;
            }
        }
        Edit::Cut(at) => stream.truncate(at % len),
        Edit::Append(tail) => stream.extend_from_slice(tail),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// A stream with up to three mutations, past its header as often as in it: we accept
    /// and refuse what zlib does, with zlib's output, and stop at the limit where it does.
    #[test]
    fn zlib_matches_the_oracle_on_mutated_streams(
        stream in stream_strategy(),
        edits in proptest::collection::vec(edit_strategy(), 0..4),
        max in prop_oneof![Just(1usize << 20), 0usize..4000],
    ) {
        let mut stream = stream;
        for edit in &edits {
            apply(&mut stream, edit);
        }
        if let Err(e) = compare(&stream, max) {
            prop_assert!(false, "{}: {}", e, stream.iter().map(|b| format!("{b:02x}")).collect::<String>());
        }
    }

    /// Arbitrary deflate data after a valid header: the same verdicts.
    #[test]
    fn zlib_matches_the_oracle_on_random_bodies(
        body in proptest::collection::vec(any::<u8>(), 0..300),
        max in 0usize..2000,
    ) {
        let mut stream = vec![0x78, 0x9C];
        stream.extend_from_slice(&body);
        if let Err(e) = compare(&stream, max) {
            prop_assert!(false, "{}: {}", e, stream.iter().map(|b| format!("{b:02x}")).collect::<String>());
        }
    }
}
