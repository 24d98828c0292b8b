//! Legacy cookies with `original_format_data_serializer = json` (zlib-compressed JSON), against
//! cookies the real beaker-session-jwt 1.0.4 wrote (`tests/data/legacy/make_legacy.py`).
//!
//! These go through `decode_cookie`/`encode_cookie` (zlib and JSON inside).

mod common;
mod legacy_support;

use beaker_session_jwt::{Error, Limit, Value};
use common::codecs::{legacy_decode, legacy_encode};
use legacy_support::{check, config, entry_config, to_typed, typed_session};
use serde_json::Value as Json;

const JSON_COOKIES: &str = include_str!("data/legacy/json_cookies.json");
const RUST_SESSIONS: &str = include_str!("data/legacy/rust_sessions.json");

fn entries(text: &str) -> Vec<Json> {
    serde_json::from_str::<Json>(text)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// Python-written json-serializer cookies: sessions in both payload modes, remove_keys, int
/// keys, a NUL key in BSON mode; a BOM, UTF-16 text and non-zlib data refused as Python refuses
/// them; a 1 MB inflate bomb stopped at `max_inflated_len` (Python inflates it).
#[test]
fn legacy_json_reads_python_written_cookies() {
    let all = entries(JSON_COOKIES);
    let mut failures = Vec::new();
    for e in &all {
        let got = legacy_decode(e["cookie"].as_str().unwrap(), &entry_config(e));
        failures.extend(check(e, got));
    }
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
    assert_eq!(all.len(), 10);
}

/// Our json-serializer cookies read back to the same session. `BLESS_LEGACY=1` writes them to
/// `rust_written_json.json` for `check_rust_pickles.py rust_written_json.json` to check with
/// Python.
#[test]
fn legacy_json_writer_round_trips() {
    let mut out = Vec::new();
    for e in entries(RUST_SESSIONS)
        .iter()
        .filter(|e| e["serializer"] == "json")
    {
        let c = config(e["mode"].as_str().unwrap(), "json", &[]);
        let session = typed_session(&e["session"]);
        let cookie = legacy_encode(&session, &c).unwrap();
        assert_eq!(
            legacy_decode(&cookie, &c).as_ref(),
            Ok(&session),
            "{}",
            e["name"]
        );
        out.push(serde_json::json!({
            "name": e["name"], "mode": e["mode"], "serializer": "json",
            "session": to_typed(&Value::Document(session)), "cookie": cookie,
        }));
    }
    assert_eq!(out.len(), 1);
    if std::env::var_os("BLESS_LEGACY").is_some() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/legacy/rust_written_json.json"
        );
        std::fs::write(path, serde_json::to_string_pretty(&out).unwrap() + "\n").unwrap();
    }
}

/// Values JSON cannot hold are refused by key when writing, as `json.dumps` refuses them.
#[test]
fn legacy_json_writer_refuses_what_json_cannot_hold() {
    let c = config("json", "json", &[]);
    let mut s = beaker_session_jwt::Session::new();
    s.insert("ok", 1);
    s.insert("when", Value::DateTime(0));
    assert!(
        matches!(legacy_encode(&s, &c), Err(Error::Unwritable { key, .. }) if key.as_str() == "when")
    );
    // 6,000 pseudo-random characters: too much for 4064 even after zlib.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let noise: String = (0..6000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'0' + (state % 75) as u8)
        })
        .collect();
    let mut s = beaker_session_jwt::Session::new();
    s.insert("big", noise);
    assert_eq!(
        legacy_encode(&s, &c),
        Err(Error::LimitExceeded(Limit::WriteLen)).map(|()| String::new())
    );
}
