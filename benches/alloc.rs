//! Allocation report: heap allocations and peak heap per operation, on the bench cookies,
//! counted by a counting global allocator (`benches/common/counting.rs`). Prints a Markdown
//! table; `benches/compare.py` includes it. Run with `cargo bench --bench alloc`.
//!
//! "cold" is the first call of a fresh `Codec` (what the one-shot functions do every time);
//! "warm" is a later call of the same `Codec`. Peak heap is the most bytes live at once during
//! the call above what was live before it, the returned value included.

mod common;

use beaker_session_jwt::{decode_cookie, encode_cookie, Codec, Error};
use common::counting::{measure, Counting, Usage};
use common::{Fmt, FORMATS, NOW, SIZES};

#[global_allocator]
static ALLOC: Counting = Counting;

fn row(op: &str, id: &str, cold: Usage, warm: Usage) {
    println!(
        "| {op} | {id} | {} | {} | {} | {} |",
        cold.allocs, cold.peak, warm.allocs, warm.peak
    );
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to parse.
    println!("| operation | cookie | allocs (one-shot) | peak bytes (one-shot) | allocs (warm Codec) | peak bytes (warm Codec) |");
    println!("|---|---|---:|---:|---:|---:|");
    for fmt in FORMATS {
        let config = fmt.config();
        for size in SIZES {
            let cookie = fmt.cookie(size);
            let (_, cold) = measure(|| decode_cookie(cookie, &config, NOW).expect("decodes"));
            let mut codec = Codec::new();
            codec.decode_cookie(cookie, &config, NOW).expect("decodes");
            let (_, warm) = measure(|| codec.decode_cookie(cookie, &config, NOW).expect("decodes"));
            row("decode", &format!("{}/{size}", fmt.id()), cold, warm);
        }
    }
    for fmt in FORMATS {
        let config = fmt.config();
        for size in SIZES {
            let session = decode_cookie(fmt.cookie(size), &config, NOW)
                .expect("decodes")
                .session;
            let (_, cold) = measure(|| encode_cookie(&session, &config).expect("encodes"));
            let mut codec = Codec::new();
            codec.encode_cookie(&session, &config).expect("encodes");
            let (_, warm) = measure(|| codec.encode_cookie(&session, &config).expect("encodes"));
            row("encode", &format!("{}/{size}", fmt.id()), cold, warm);
        }
    }
    let config = Fmt::JwtBsz.config();
    for size in SIZES {
        let cookie = Fmt::JwtBsz.cookie(size);
        let read_two = |codec: &mut Codec| {
            let view = codec.decode_view(cookie, &config, NOW).expect("views");
            let a = view.get("user_id").and_then(|v| v.as_i64());
            let b = view.get("_accessed_time").and_then(|v| v.as_f64());
            (a, b)
        };
        let (_, cold) = measure(|| read_two(&mut Codec::new()));
        let mut codec = Codec::new();
        read_two(&mut codec);
        let (_, warm) = measure(|| read_two(&mut codec));
        row("view (2 keys)", &format!("jwt_bsz/{size}"), cold, warm);
    }
    for fmt in FORMATS {
        let config = fmt.config();
        let cookie = fmt.cookie("forged");
        let (r, cold) = measure(|| decode_cookie(cookie, &config, NOW).map(|_| ()));
        assert_eq!(r, Err(Error::BadSignature));
        let mut codec = Codec::new();
        codec
            .decode_cookie(fmt.cookie("large"), &config, NOW)
            .expect("decodes");
        let (_, warm) = measure(|| codec.decode_cookie(cookie, &config, NOW).map(|_| ()));
        row("forged", &format!("{}/large", fmt.id()), cold, warm);
    }
}
