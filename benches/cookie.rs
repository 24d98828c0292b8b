//! End-to-end cookie benches: decode and encode per format and size, key rotation, forged
//! signatures, on the cookies the Python package wrote (`benches/data`).
//!
//! IDs: `decode/<format>/<size>`, `encode/<format>/<size>` (one-shot functions),
//! `codec_decode/...`, `codec_encode/...` (a reused [`Codec`]), `view/jwt_bsz/<size>`
//! (borrowed reading of two keys), `decode_rotated/<format>/medium` (signed by the second key),
//! `decode_forged/<format>/large` (no key verifies). `benches/compare.py` reads them back.

mod common;

use std::hint::black_box;
use std::time::Duration;

use beaker_session_jwt::{decode_cookie, encode_cookie, Codec, Error};
use criterion::{criterion_group, criterion_main, Criterion};

use common::{FORMATS, NOW, SIZES};

fn decode(c: &mut Criterion) {
    let mut g = c.benchmark_group("decode");
    for fmt in FORMATS {
        let config = fmt.config();
        for size in SIZES {
            let cookie = fmt.cookie(size);
            decode_cookie(cookie, &config, NOW).expect("bench cookie decodes");
            g.bench_function(format!("{}/{size}", fmt.id()), |b| {
                b.iter(|| decode_cookie(black_box(cookie), &config, NOW))
            });
        }
    }
    g.finish();
}

fn encode(c: &mut Criterion) {
    let mut g = c.benchmark_group("encode");
    for fmt in FORMATS {
        let config = fmt.config();
        for size in SIZES {
            let session = decode_cookie(fmt.cookie(size), &config, NOW)
                .expect("bench cookie decodes")
                .session;
            encode_cookie(&session, &config).expect("bench session encodes");
            g.bench_function(format!("{}/{size}", fmt.id()), |b| {
                b.iter(|| encode_cookie(black_box(&session), &config))
            });
        }
    }
    g.finish();
}

fn codec(c: &mut Criterion) {
    let mut codec = Codec::new();
    let mut g = c.benchmark_group("codec_decode");
    for fmt in FORMATS {
        let config = fmt.config();
        for size in SIZES {
            let cookie = fmt.cookie(size);
            g.bench_function(format!("{}/{size}", fmt.id()), |b| {
                b.iter(|| codec.decode_cookie(black_box(cookie), &config, NOW))
            });
        }
    }
    g.finish();
    let mut g = c.benchmark_group("codec_encode");
    for fmt in FORMATS {
        let config = fmt.config();
        for size in SIZES {
            let session = decode_cookie(fmt.cookie(size), &config, NOW)
                .expect("bench cookie decodes")
                .session;
            g.bench_function(format!("{}/{size}", fmt.id()), |b| {
                b.iter(|| codec.encode_cookie(black_box(&session), &config))
            });
        }
    }
    g.finish();
    // Borrowed reading: verify, inflate, validate the BSON, read two keys.
    let mut g = c.benchmark_group("view");
    let config = common::Fmt::JwtBsz.config();
    for size in SIZES {
        let cookie = common::Fmt::JwtBsz.cookie(size);
        let view = codec.decode_view(cookie, &config, NOW).expect("view");
        assert!(view.get("user_id").is_some() && view.get("_accessed_time").is_some());
        g.bench_function(format!("jwt_bsz/{size}"), |b| {
            b.iter(|| {
                let view = codec.decode_view(black_box(cookie), &config, NOW).ok()?;
                Some((
                    view.get("user_id")?.as_i64()?,
                    view.get("_accessed_time")?.as_f64()?,
                ))
            })
        });
    }
    g.finish();
}

fn rotated_and_forged(c: &mut Criterion) {
    let mut g = c.benchmark_group("decode_rotated");
    for fmt in FORMATS.into_iter().filter(|f| !f.is_legacy()) {
        let config = fmt.config();
        let cookie = fmt.cookie("medium_rotated");
        assert_eq!(
            decode_cookie(cookie, &config, NOW)
                .expect("rotated")
                .key_index,
            1
        );
        g.bench_function(format!("{}/medium", fmt.id()), |b| {
            b.iter(|| decode_cookie(black_box(cookie), &config, NOW))
        });
    }
    g.finish();
    let mut g = c.benchmark_group("decode_forged");
    for fmt in FORMATS {
        let config = fmt.config();
        let cookie = fmt.cookie("forged");
        assert_eq!(
            decode_cookie(cookie, &config, NOW),
            Err(Error::BadSignature)
        );
        g.bench_function(format!("{}/large", fmt.id()), |b| {
            b.iter(|| decode_cookie(black_box(cookie), &config, NOW))
        });
    }
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = decode, encode, codec, rotated_and_forged
}
criterion_main!(benches);
