//! `Arbitrary` (feature `arbitrary`): sessions drawn from random bytes hold only what a session
//! read from a cookie can hold and Python can read, stay within the documented bounds, and come
//! back from a cookie: as themselves in bsZ mode, and (their JSON part) as Python's `json` reads
//! it in JSON-claims mode; drawn `Limits` are ones `Config::validate` accepts.
#![cfg(feature = "arbitrary")]

use arbitrary::{Arbitrary, Unstructured};
use beaker_session_jwt::{
    charged_bytes, decode_cookie, encode_cookie, Config, Document, Error, Format, Layer, Limits,
    Session, Value,
};

const KEY: &str = "arbitrary-test-key-0001";
const NOW: f64 = 1_700_000_000.0;
/// Smallest and largest datetimes Python's `datetime` holds (years 1 and 9999), in ms.
const DATETIME_MIN_MS: i64 = -62_135_596_800_000;
const DATETIME_MAX_MS: i64 = 253_402_300_799_999;
/// The documented bounds: levels counting the session, entries per document or array.
const MAX_DEPTH: usize = 5;
const MAX_LEN: usize = 64;

/// splitmix64: deterministic bytes without another dev-dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// Fixed edge inputs, then `n` random ones of 0 to 4096 bytes (libFuzzer's default
/// `-max_len`), a third of them over a 4-byte alphabet (which draws more containers and
/// repeated keys).
fn inputs(seed: u64, n: usize) -> Vec<Vec<u8>> {
    let mut all = vec![
        Vec::new(),
        vec![0; 64],
        vec![0xff; 4096],
        vec![0x10; 4096],
        b"{\"user\": \"alice\", \"roles\": [\"admin\"]}".to_vec(),
    ];
    let mut rng = Rng(seed);
    for i in 0..n {
        let len = (rng.next() % 4097) as usize;
        let mut bytes = rng.bytes(len);
        if i % 3 == 0 {
            bytes.iter_mut().for_each(|b| *b &= 0x03);
        }
        all.push(bytes);
    }
    all
}

fn config(bsz: bool) -> Config {
    let mut c = Config::new([KEY]).unwrap();
    c.bson_compress_jwt_payload = bsz;
    // Room for the largest drawn sessions (Beaker's write cap is 4064), and no more depth than
    // the documented bound.
    c.limits.max_write_len = 1 << 20;
    c.limits.max_cookie_len = 1 << 20;
    c.limits.max_depth = MAX_DEPTH;
    c
}

/// What was drawn, across a run: which `Value` kinds, and the deepest session.
#[derive(Default)]
struct Seen {
    kinds: std::collections::BTreeSet<&'static str>,
    depth: usize,
}

/// Checks the documented rules for one drawn document at `depth` (the session is 1).
fn check_document(doc: &Document, depth: usize, top: bool, seen: &mut Seen) {
    assert!(depth <= MAX_DEPTH, "depth {depth}");
    assert!(doc.len() <= MAX_LEN, "{} entries", doc.len());
    seen.depth = seen.depth.max(depth);
    for (key, value) in doc {
        assert!(!key.contains('\0'), "NUL in key {key:?}");
        if top {
            assert!(
                !["_expires", "_path", "_domain", "bsZ"].contains(&key),
                "reserved session key {key:?}"
            );
        }
        check_value(value, depth, seen);
    }
}

/// Checks one drawn value held at `depth`.
fn check_value(value: &Value, depth: usize, seen: &mut Seen) {
    seen.kinds.insert(value.kind());
    match value {
        Value::Symbol(_) | Value::Undefined => panic!("drew a deprecated {}", value.kind()),
        Value::DateTime(ms) => assert!((DATETIME_MIN_MS..=DATETIME_MAX_MS).contains(ms), "{ms}"),
        Value::Regex(re) => {
            assert!(!re.pattern.contains('\0'));
            let mut letters = "ilmsux".chars();
            assert!(
                re.options.chars().all(|c| letters.any(|l| l == c)),
                "options {:?}",
                re.options
            );
        }
        Value::Document(d) => check_document(d, depth + 1, false, seen),
        Value::JavaScriptWithScope(cws) => check_document(&cws.scope, depth + 1, false, seen),
        Value::Array(items) => {
            assert!(depth < MAX_DEPTH, "array at depth {}", depth + 1);
            assert!(items.len() <= MAX_LEN, "{} items", items.len());
            seen.depth = seen.depth.max(depth + 1);
            for item in items {
                check_value(item, depth + 1, seen);
            }
        }
        _ => {}
    }
}

/// True for what Python's `json.dumps` writes (and we write in JSON-claims mode).
fn is_json(value: &Value) -> bool {
    match value {
        Value::Null
        | Value::Bool(_)
        | Value::Int32(_)
        | Value::Int64(_)
        | Value::Double(_)
        | Value::String(_) => true,
        Value::Array(items) => items.iter().all(is_json),
        Value::Document(d) => d.iter().all(|(_, v)| is_json(v)),
        _ => false,
    }
}

/// True for a top-level entry JSON-claims mode writes: JSON, or a datetime under `exp`, `iat`
/// or `nbf` (joserfc's `convert_claims` writes whole seconds).
fn writes_as_json(key: &str, value: &Value) -> bool {
    is_json(value) || (is_time_claim(key) && matches!(value, Value::DateTime(_)))
}

fn is_time_claim(key: &str) -> bool {
    matches!(key, "exp" | "iat" | "nbf")
}

/// The part of `session` JSON-claims mode writes: entries and elements of other types left out.
fn json_part(session: &Session) -> Session {
    session
        .iter()
        .filter(|(k, v)| writes_as_json(k, v))
        .map(|(k, v)| (k, json_value_part(v)))
        .collect()
}

fn json_value_part(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .filter(|v| is_json(v))
                .map(json_value_part)
                .collect(),
        ),
        Value::Document(d) => Value::Document(
            d.iter()
                .filter(|(_, v)| is_json(v))
                .map(|(k, v)| (k, json_value_part(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// What a JSON-claims cookie of `session` (all JSON) reads back as, as Python's `json.loads`
/// reads it: an integer as `Int32` when it fits, one NaN, time claims as whole seconds.
fn json_as_read(session: &Session) -> Session {
    session
        .iter()
        .map(|(k, v)| match v {
            Value::DateTime(ms) if is_time_claim(k) => (k, Value::from(ms.div_euclid(1000))),
            _ => (k, json_value_as_read(v)),
        })
        .collect()
}

fn json_value_as_read(value: &Value) -> Value {
    match value {
        Value::Int64(i) => Value::from(*i),
        Value::Double(d) if d.is_nan() => Value::Double(f64::NAN),
        Value::Array(items) => Value::Array(items.iter().map(json_value_as_read).collect()),
        Value::Document(d) => {
            Value::Document(d.iter().map(|(k, v)| (k, json_value_as_read(v))).collect())
        }
        other => other.clone(),
    }
}

#[test]
fn arbitrary_sessions_keep_the_documented_rules_and_bounds() {
    let mut seen = Seen::default();
    for bytes in inputs(1, 3000) {
        let session = Session::arbitrary(&mut Unstructured::new(&bytes)).unwrap();
        check_document(&session, 1, true, &mut seen);
        // Never much larger than the input: under 64 bytes of session per input byte, plus
        // the `Null`s of containers left open when the input runs out.
        assert!(
            charged_bytes(&session) <= 64 * bytes.len() + 64 * 56 * MAX_DEPTH,
            "{} bytes drew a session charging {}",
            bytes.len(),
            charged_bytes(&session)
        );
        let value = Value::arbitrary(&mut Unstructured::new(&bytes)).unwrap();
        // A drawn value, held by a session, keeps the session within the depth bound.
        check_value(&value, 1, &mut seen);
    }
    // Every kind but the deprecated two is drawn, and the depth bound is reached.
    assert_eq!(seen.kinds.len(), 19, "{:?}", seen.kinds);
    assert_eq!(seen.depth, MAX_DEPTH);
}

#[test]
fn arbitrary_empty_input_draws_an_empty_session_and_null() {
    let empty: &[u8] = &[];
    assert_eq!(
        Session::arbitrary(&mut Unstructured::new(empty)).unwrap(),
        Session::new()
    );
    assert_eq!(
        Value::arbitrary(&mut Unstructured::new(empty)).unwrap(),
        Value::Null
    );
}

#[test]
fn arbitrary_sessions_round_trip_in_bsz_mode() {
    let c = config(true);
    for bytes in inputs(2, 1500) {
        let session = Session::arbitrary(&mut Unstructured::new(&bytes)).unwrap();
        let cookie = encode_cookie(&session, &c).unwrap();
        let decoded = decode_cookie(&cookie, &c, NOW).unwrap();
        assert_eq!(decoded.format, Format::JwtBson);
        // Exactly itself: no symbol or undefined to normalise.
        assert_eq!(decoded.session, session);
    }
}

#[test]
fn arbitrary_sessions_round_trip_in_json_claims_mode() {
    let c = config(false);
    let mut whole = 0;
    for bytes in inputs(3, 1500) {
        let session = Session::arbitrary(&mut Unstructured::new(&bytes)).unwrap();
        // The whole session writes exactly when every top-level entry is JSON; otherwise the
        // error names a key holding something `json.dumps` refuses.
        match encode_cookie(&session, &c) {
            Ok(cookie) => {
                assert!(session.iter().all(|(k, v)| writes_as_json(k, v)));
                let decoded = decode_cookie(&cookie, &c, NOW).unwrap();
                assert_eq!(decoded.session, json_as_read(&session));
                whole += 1;
            }
            Err(Error::Unwritable {
                layer: Layer::Json,
                key,
                ..
            }) => {
                let value = session.get(key.as_str()).unwrap();
                assert!(!writes_as_json(key.as_str(), value), "{key}: {value:?}");
            }
            Err(e) => panic!("{e:?}"),
        }
        let part = json_part(&session);
        let cookie = encode_cookie(&part, &c).unwrap();
        let decoded = decode_cookie(&cookie, &c, NOW).unwrap();
        assert_eq!(decoded.format, Format::JwtJson);
        assert_eq!(decoded.session, json_as_read(&part));
    }
    // Some whole sessions are all JSON (the empty and the `Null`-only ones at least).
    assert!(whole > 0);
}

#[test]
fn arbitrary_limits_are_valid_and_plausible() {
    let d = Limits::DEFAULT;
    let mut rng = Rng(4);
    for len in (0..64).chain((0..500).map(|_| 64)) {
        let bytes = rng.bytes(len);
        let l = Limits::arbitrary(&mut Unstructured::new(&bytes)).unwrap();
        for (got, default) in [
            (l.max_cookie_len, d.max_cookie_len),
            (l.max_write_len, d.max_write_len),
            (l.max_inflated_len, d.max_inflated_len),
            (l.max_depth, d.max_depth),
            (l.max_items, d.max_items),
            (l.max_str_len, d.max_str_len),
            (l.max_memo, d.max_memo),
            (l.max_session_bytes, d.max_session_bytes),
        ] {
            assert!(
                (1..=2 * default).contains(&got),
                "{got} for default {default}"
            );
        }
        let mut c = Config::new([KEY]).unwrap();
        c.limits = l;
        c.validate().unwrap();
    }
    let empty: &[u8] = &[];
    let ones = Limits::arbitrary(&mut Unstructured::new(empty)).unwrap();
    assert_eq!((ones.max_depth, ones.max_cookie_len), (1, 1));
}

/// Drawn limits and a drawn session together, as a structured fuzz target would take them: a
/// cookie written with room to spare reads back under the drawn limits as itself, or is refused
/// with the limit it exceeds, never anything else.
#[test]
fn arbitrary_limits_decode_a_session_or_name_a_limit() {
    let roomy = config(true);
    let (mut read, mut refused) = (0, 0);
    for bytes in inputs(5, 1500) {
        let mut u = Unstructured::new(&bytes);
        let limits = Limits::arbitrary(&mut u).unwrap();
        let session = Session::arbitrary(&mut u).unwrap();
        let cookie = encode_cookie(&session, &roomy).unwrap();
        let mut c = config(true);
        c.limits = limits;
        match decode_cookie(&cookie, &c, NOW) {
            Ok(decoded) => {
                assert_eq!(decoded.session, session);
                read += 1;
            }
            Err(Error::LimitExceeded(_)) => refused += 1,
            Err(e) => panic!("{e:?} under {limits:?}"),
        }
    }
    assert!(read > 0 && refused > 0, "read {read}, refused {refused}");
}
