//! A forged cookie is refused without a single heap allocation and without decoding its
//! payload: the cost is the signature's base64url and one HMAC per configured key.
//! Counted with a per-thread counting allocator, so other test threads cannot disturb it.
//! This asserts counts, never time.

#[path = "../benches/common/counting.rs"]
mod counting;

use beaker_session_jwt::{decode_cookie, Codec, Config, Error, Serializer};
use counting::{measure, Counting};

#[global_allocator]
static ALLOC: Counting = Counting;

const NOW: f64 = 1_700_000_000.0;
const KEYS: [&str; 2] = ["bench-key-one-0123456789", "bench-key-two-0123456789"];

fn config(bsz: bool, legacy: Option<Serializer>) -> Config {
    let mut c = Config::new(KEYS).unwrap();
    c.bson_compress_jwt_payload = bsz;
    if let Some(s) = legacy {
        c.read_original_format = true;
        c.original_format_validate_key = Some("bench-legacy-validate-key".into());
        c.original_format_data_serializer = s;
    }
    c
}

/// The forged cookies of `benches/data` (the large cookie of each format, one signature
/// character changed), with the config they are read with.
fn forged() -> Vec<(&'static str, &'static str, Config)> {
    vec![
        (
            "jwt_bsz",
            include_str!("../benches/data/jwt_bsz/forged.cookie"),
            config(true, None),
        ),
        (
            "jwt_json",
            include_str!("../benches/data/jwt_json/forged.cookie"),
            config(false, None),
        ),
        (
            "legacy_pickle",
            include_str!("../benches/data/legacy_pickle/forged.cookie"),
            config(true, Some(Serializer::Pickle)),
        ),
        (
            "legacy_json",
            include_str!("../benches/data/legacy_json/forged.cookie"),
            config(true, Some(Serializer::Json)),
        ),
    ]
}

fn assert_no_alloc(name: &str, f: impl FnOnce() -> Result<(), Error>) {
    let (result, usage) = measure(f);
    assert_eq!(result, Err(Error::BadSignature), "{name}");
    assert_eq!(usage.allocs, 0, "{name}: {usage:?}");
}

#[test]
fn rejection_of_forged_cookies_allocates_nothing() {
    for (name, cookie, config) in forged() {
        assert_no_alloc(name, || decode_cookie(cookie, &config, NOW).map(|_| ()));
        let mut codec = Codec::new();
        assert_no_alloc(name, || {
            codec.decode_cookie(cookie, &config, NOW).map(|_| ())
        });
        assert_no_alloc(name, || codec.decode_view(cookie, &config, NOW).map(|_| ()));
    }
}

#[test]
fn rejection_of_a_tampered_payload_or_an_unknown_key_allocates_nothing() {
    let good = include_str!("../benches/data/jwt_bsz/large.cookie");
    let config = config(true, None);
    // A payload character changed: same length, same alphabet, the MAC no longer matches.
    let at = good.find('.').unwrap() + 100;
    let mut tampered = good.to_string();
    let c = if &good[at..=at] == "A" { "B" } else { "A" };
    tampered.replace_range(at..=at, c);
    assert_no_alloc("tampered payload", || {
        decode_cookie(&tampered, &config, NOW).map(|_| ())
    });
    let mut other_keys = Config::new(["some-other-key-0123456789"]).unwrap();
    other_keys.bson_compress_jwt_payload = true;
    assert_no_alloc("unknown key", || {
        decode_cookie(good, &other_keys, NOW).map(|_| ())
    });
}

#[test]
fn rejection_after_warm_up_leaves_the_codec_usable() {
    // A warm codec (buffers grown by a good cookie) refuses a forged one without allocating,
    // then decodes the good one again.
    let good = include_str!("../benches/data/jwt_bsz/large.cookie");
    let config = config(true, None);
    let mut codec = Codec::new();
    let expected = codec.decode_cookie(good, &config, NOW).unwrap();
    let (_, cookie, _) = &forged()[0];
    assert_no_alloc("warm codec", || {
        codec.decode_cookie(cookie, &config, NOW).map(|_| ())
    });
    assert_eq!(codec.decode_cookie(good, &config, NOW).unwrap(), expected);
}
