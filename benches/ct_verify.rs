//! dudect-style timing check of JWT verification (Reparaz, Balasch, Verbauwhede, "Dude, is my
//! code constant time?", 2017): two classes of forged tokens whose tag is the true tag with
//! its first byte changed, or with its last byte changed, are verified in random interleaved
//! order; Welch's t-test compares the two timing distributions, raw and cropped at several
//! percentiles as dudect does. |t| above 4.5 would be evidence of a timing difference.
//!
//! A control runs the same experiment on an early-exit byte comparison, which does leak where
//! the first difference is, to show the measurement can see a difference of that size.
//!
//! Not a CI gate (timing on a shared machine is noisy): run it by hand, with the samples per
//! class in `CT_SAMPLES` (default 1,000,000):
//! `cargo bench --bench ct_verify`.

use std::hint::black_box;
use std::time::Instant;

use base64ct::{Base64UrlUnpadded, Encoding};
use beaker_session_jwt::{decode_cookie, encode_cookie, Config, Error, Session};

/// xorshift64*: the class of each measurement, independent of anything measured.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// Welford's running mean and variance.
#[derive(Default)]
struct Stats {
    n: f64,
    mean: f64,
    m2: f64,
}

impl Stats {
    fn push(&mut self, x: f64) {
        self.n += 1.0;
        let d = x - self.mean;
        self.mean += d / self.n;
        self.m2 += d * (x - self.mean);
    }

    fn var(&self) -> f64 {
        self.m2 / (self.n - 1.0)
    }
}

/// Welch's t statistic of two samples.
fn welch_t(a: &Stats, b: &Stats) -> f64 {
    (a.mean - b.mean) / (a.var() / a.n + b.var() / b.n).sqrt()
}

/// Measures `run(class)` for `samples` per class in random order and prints Welch's t on the
/// raw timings and on those under pooled percentiles. Returns the largest |t|.
fn experiment(name: &str, samples: usize, mut run: impl FnMut(usize) -> bool) -> f64 {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut times: [Vec<u64>; 2] = [Vec::with_capacity(samples), Vec::with_capacity(samples)];
    // Warm up caches and branch predictors.
    for i in 0..10_000 {
        black_box(run(i % 2));
    }
    while times[0].len() < samples || times[1].len() < samples {
        let class = (rng.next() >> 63) as usize;
        let start = Instant::now();
        let ok = black_box(run(black_box(class)));
        let ns = start.elapsed().as_nanos() as u64;
        assert!(!ok, "a forged tag verified");
        if times[class].len() < samples {
            times[class].push(ns);
        }
    }
    let mut pooled: Vec<u64> = times.iter().flatten().copied().collect();
    pooled.sort_unstable();
    let mut worst = 0f64;
    println!("{name}: {samples} samples per class");
    for pct in [100.0, 99.0, 90.0, 75.0, 50.0] {
        let idx = ((pooled.len() - 1) as f64 * pct / 100.0) as usize;
        let cut = pooled[idx];
        let mut stats = [Stats::default(), Stats::default()];
        for (class, ts) in times.iter().enumerate() {
            for &t in ts.iter().filter(|&&t| t <= cut) {
                stats[class].push(t as f64);
            }
        }
        let t = welch_t(&stats[0], &stats[1]);
        worst = worst.max(t.abs());
        println!(
            "  timings <= p{pct:<3} ({cut:>6} ns): mean first-byte {:>8.1} ns, last-byte {:>8.1} ns, Welch t = {t:+.2}",
            stats[0].mean, stats[1].mean
        );
    }
    println!(
        "  max |t| = {worst:.2} ({})",
        if worst > 4.5 {
            "DIFFERENCE DETECTED"
        } else {
            "no evidence of a difference"
        }
    );
    worst
}

/// Compares byte by byte and stops at the first difference: the leak the control must see.
fn early_exit_eq(a: &[u8], b: &[u8]) -> bool {
    for (x, y) in a.iter().zip(b) {
        if black_box(x) != black_box(y) {
            return false;
        }
    }
    a.len() == b.len()
}

fn main() {
    let samples = std::env::var("CT_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let mut config = Config::new(["ct-verify-bench-key-0001"]).expect("a valid key");
    config.bson_compress_jwt_payload = false;
    let mut session = Session::new();
    session.insert("user_id", 42);
    session.insert("_accessed_time", 1_700_000_000.0);
    let token = encode_cookie(&session, &config).expect("writable");
    let (body, tag_text) = token.rsplit_once('.').expect("three segments");
    let tag = Base64UrlUnpadded::decode_vec(tag_text).expect("our own tag");
    let forged = |at: usize| {
        let mut t = tag.clone();
        t[at] ^= 0x01;
        (
            format!("{body}.{}", Base64UrlUnpadded::encode_string(&t)),
            t,
        )
    };
    let (first, first_tag) = forged(0);
    let (last, last_tag) = forged(tag.len() - 1);
    let tokens = [first.as_str(), last.as_str()];
    experiment(
        "decode_cookie (JSON claims), tag wrong in first vs last byte",
        samples,
        // `true` when the forged token is not refused as one: `experiment` asserts it never is.
        |class| decode_cookie(tokens[class], &config, 0.0) != Err(Error::BadSignature),
    );
    let tags = [first_tag, last_tag];
    experiment(
        "control: early-exit compare, first vs last byte",
        samples,
        |class| early_exit_eq(&tag, &tags[class]),
    );
}
