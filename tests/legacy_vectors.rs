//! Legacy Beaker cookies against the real Python packages, through committed fixtures
//! (`tests/data/legacy/make_legacy.py`): what beaker-session-jwt 1.0.4 / Beaker 1.14.1 write, the
//! Python 2 pickles old deployments hold, hostile pickles, and what our writer produces.

mod common;
mod legacy_support;

use beaker_session_jwt::{Error, Limit, SecretKey, Session, Value};
use common::codecs::{legacy_decode, legacy_encode};
use legacy_support::{check, config, entry_config, to_typed, typed_session};
use serde_json::Value as Json;

const PYTHON_COOKIES: &str = include_str!("data/legacy/python_cookies.json");
const RUST_SESSIONS: &str = include_str!("data/legacy/rust_sessions.json");
const RUST_WRITTEN: &str = include_str!("data/legacy/rust_written.json");

fn entries(text: &str) -> Vec<Json> {
    serde_json::from_str::<Json>(text)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn run(entries: &[Json], prefix: &str) -> usize {
    let mut failures = Vec::new();
    let mut n = 0;
    for e in entries
        .iter()
        .filter(|e| e["name"].as_str().unwrap().starts_with(prefix))
    {
        n += 1;
        let got = legacy_decode(e["cookie"].as_str().unwrap(), &entry_config(e));
        failures.extend(check(e, got));
    }
    assert!(
        failures.is_empty(),
        "{} of {n} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    n
}

/// Cookies written by `JWTCookieSession(write_original_format=True)`: every value type, the
/// pymongo classes of a rollout, refused types by key, remove_keys, int keys, protocols 0..=5.
#[test]
fn legacy_reads_python_written_cookies() {
    let all = entries(PYTHON_COOKIES);
    let n: usize = [
        "plain_",
        "beaker_only_",
        "empty_",
        "bytes_",
        "rollout_",
        "refused_",
        "bigint_",
        "int_keys_",
        "nul_",
        "aware_",
        "remove_keys_",
        "not_a_dict",
        "protocol_",
    ]
    .iter()
    .map(|p| run(&all, p))
    .sum();
    assert!(n >= 90, "{n}");
}

/// Hand-assembled Python 2 pickles (cPickle, protocols 2 and 0): UTF-8 `str` as text, other
/// `str` as bytes, datetimes from their 10-byte state, OrderedDict, ObjectId with a str id.
#[test]
fn legacy_reads_python_2_pickles() {
    let all = entries(PYTHON_COOKIES);
    assert!(run(&all, "py2_") >= 14);
    assert_eq!(run(&all, "dup_int_bool_keys_json"), 1);
}

/// Pickles that run code in Python (os.system, eval, getattr chains, INST/OBJ, NEWOBJ+BUILD,
/// persistent ids, extension codes): refused by key and global, or dropped by remove_keys.
#[test]
fn legacy_refuses_hostile_pickles_by_key() {
    assert_eq!(run(&entries(PYTHON_COOKIES), "hostile_"), 45);
}

/// Quotes are stripped; a signature that is upper case, flipped, short, over other data or
/// under another key is refused.
#[test]
fn legacy_checks_signature() {
    let all = entries(PYTHON_COOKIES);
    assert_eq!(
        run(&all, "quoted") + run(&all, "sig_") + run(&all, "payload_") + run(&all, "wrong_key"),
        7
    );
}

/// The MAC is checked before anything is decoded: a value that is not base64 at all but carries
/// a wrong signature is `BadSignature`, not a base64 error.
#[test]
fn legacy_mac_is_checked_before_decoding() {
    let c = config("bson", "pickle", &[]);
    let bogus = format!("{}{}", "0".repeat(40), "!!not base64!!");
    assert_eq!(legacy_decode(&bogus, &c), Err(Error::BadSignature));
    // An empty value (once its quotes are stripped) is refused before either format is tried.
    assert_eq!(
        legacy_decode("", &c).unwrap_err().layer(),
        Some(beaker_session_jwt::Layer::Cookie)
    );
    assert_eq!(
        legacy_decode("\"\"", &c).unwrap_err().layer(),
        Some(beaker_session_jwt::Layer::Cookie)
    );
    assert_eq!(legacy_decode("é", &c), Err(Error::BadSignature));
    assert_eq!(legacy_decode(&"é".repeat(30), &c), Err(Error::BadSignature));
}

#[test]
fn legacy_decode_refuses_values_over_max_cookie_len() {
    let mut c = config("bson", "pickle", &[]);
    c.limits.max_cookie_len = 50;
    assert_eq!(
        legacy_decode(&"a".repeat(51), &c),
        Err(Error::LimitExceeded(Limit::CookieLen))
    );
}

#[test]
fn legacy_needs_a_validate_key() {
    let mut c = config("bson", "pickle", &[]);
    c.original_format_validate_key = None;
    assert!(matches!(legacy_decode("x", &c), Err(Error::Config(_))));
    assert!(matches!(
        legacy_encode(&Session::new(), &c),
        Err(Error::Config(_))
    ));
    c.original_format_validate_key = Some(SecretKey::from("short"));
    assert!(
        matches!(legacy_encode(&Session::new(), &c), Err(Error::Config(_))),
        "weak keys refused"
    );
}

#[test]
fn legacy_encode_refuses_over_max_write_len() {
    let mut c = config("bson", "pickle", &[]);
    let mut s = Session::new();
    s.insert("big", "x".repeat(4000));
    assert_eq!(
        legacy_encode(&s, &c).unwrap_err(),
        Error::LimitExceeded(Limit::WriteLen)
    );
    c.limits.max_write_len = 10_000;
    assert!(legacy_encode(&s, &c).is_ok());
}

#[test]
fn legacy_encode_names_the_key_of_an_unpicklable_value() {
    let c = config("bson", "pickle", &[]);
    let mut s = Session::new();
    s.insert("a", 1);
    s.insert("code", Value::JavaScript("f()".into()));
    assert!(matches!(
        legacy_encode(&s, &c),
        Err(Error::Unwritable { layer: beaker_session_jwt::Layer::Pickle, key, .. }) if key.as_str() == "code"
    ));
    let mut s = Session::new();
    s.insert("when", Value::DateTime(i64::MAX));
    assert!(matches!(
        legacy_encode(&s, &c),
        Err(Error::Unwritable { .. })
    ));
}

/// Our writer: each session of `rust_sessions.json` is written exactly as committed in
/// `rust_written.json` (which `check_rust_pickles.py` verified with Python's `_decrypt_data`),
/// and reads back to itself. `BLESS_LEGACY=1 cargo test --test legacy_vectors` rewrites
/// `rust_written.json`; run `check_rust_pickles.py` after.
#[test]
fn legacy_writer_output_is_committed_and_round_trips() {
    let written = entries(RUST_WRITTEN);
    let mut out = Vec::new();
    let mut n = 0;
    for e in entries(RUST_SESSIONS)
        .iter()
        .filter(|e| e["serializer"] == "pickle")
    {
        let name = e["name"].as_str().unwrap();
        let c = config(e["mode"].as_str().unwrap(), "pickle", &[]);
        let session = typed_session(&e["session"]);
        let cookie = legacy_encode(&session, &c).unwrap();
        assert_eq!(
            legacy_decode(&cookie, &c).as_ref(),
            Ok(&session),
            "{name} round trip"
        );
        out.push(serde_json::json!({
            "name": name, "mode": e["mode"], "serializer": "pickle",
            "session": to_typed(&Value::Document(session)), "cookie": cookie,
        }));
        n += 1;
    }
    if std::env::var_os("BLESS_LEGACY").is_some() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/legacy/rust_written.json"
        );
        std::fs::write(path, serde_json::to_string_pretty(&out).unwrap() + "\n").unwrap();
        return;
    }
    assert_eq!(n, 6);
    let changed: Vec<&str> = out
        .iter()
        .filter(|o| !written.contains(o))
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert!(
        changed.is_empty() && out.len() == written.len(),
        "writer output changed for {changed:?}: bless, then re-run check_rust_pickles.py"
    );
}
