//! Python's float text, one implementation for every path that writes it: `json::write`
//! (claims, the legacy JSON serializer) and a float dict key of a legacy pickle converted for a
//! JSON payload, where `json.dumps` writes the key as the float's `repr`.
//!
//! Both are checked against `json.dumps(x)` of CPython 3.11 over two corpora: the floats of
//! `tests/data/json/floats.json` (tricky values, powers of ten, random bit patterns) and
//! `tests/data/floats/floats.json` (`make_floats.py` there: exact ties between two shortest
//! candidates, every power of two, subnormals, random bit patterns).

use beaker_session_jwt::json::{self, Style};
use beaker_session_jwt::Value;
use serde_json::Value as J;

const JSON_FLOATS: &str = include_str!("data/json/floats.json");
const FLOATS: &str = include_str!("data/floats/floats.json");

/// Every `(double, json.dumps text)` of both corpora.
fn corpus() -> Vec<(f64, String)> {
    let mut out = Vec::new();
    for file in [JSON_FLOATS, FLOATS] {
        let root: J = serde_json::from_str(file).expect("fixture is JSON");
        for case in root["cases"].as_array().expect("cases") {
            let hex = case[0].as_str().expect("bits");
            let bits = u64::from_str_radix(hex, 16).expect("hex bits");
            let text = case[1].as_str().expect("text");
            out.push((f64::from_bits(bits), String::from(text)));
        }
    }
    out
}

fn report(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} failures: {:#?}",
        failures.len(),
        &failures[..failures.len().min(20)]
    );
}

#[test]
fn float_corpus_has_ties() {
    let root: J = serde_json::from_str(FLOATS).expect("fixture is JSON");
    assert!(root["ties"].as_u64().expect("ties") > 2000);
    assert!(corpus().len() > 12_000);
}

#[test]
fn float_json_write_matches_python() {
    let mut failures = Vec::new();
    for (d, python) in corpus() {
        let written = json::write_value(&Value::Double(d), Style::Compact).expect("a double");
        if written != python {
            failures.push(format!(
                "{:016x}: wrote {written}, python {python}",
                d.to_bits()
            ));
        }
    }
    report(&failures);
}

/// The issue's example, end to end in both paths.
#[cfg(feature = "legacy")]
#[test]
fn float_halfway_key_goes_to_even_digit() {
    // 1979347788748715.25, exactly halfway between ...715.2 and ...715.3.
    let x = 1979347788748715.0 + 0.25;
    assert_eq!(pickle_key(x).as_deref(), Ok("1979347788748715.2"));
    let mut doc = beaker_session_jwt::Document::new();
    doc.insert("k", x);
    assert_eq!(
        json::write(&doc, Style::Python).as_deref(),
        Ok(r#"{"k": 1979347788748715.2}"#)
    );
}

/// `{x: None}` as a protocol-2 pickle, converted for a JSON payload: the session's one key.
#[cfg(feature = "legacy")]
fn pickle_key(x: f64) -> Result<String, beaker_session_jwt::Error> {
    use beaker_session_jwt::pickle::{self, Target};
    #[path = "../src/pickle/opcodes.rs"]
    mod opcodes;
    use beaker_session_jwt::Limits;
    let mut p = vec![opcodes::PROTO, 2, opcodes::EMPTY_DICT, opcodes::BINFLOAT];
    p.extend(x.to_be_bytes());
    p.extend([opcodes::NONE, opcodes::SETITEM, opcodes::STOP]);
    let limits = Limits::DEFAULT;
    let session = pickle::read(&p, &limits)?.into_session(Target::Json, &[] as &[&str], &limits)?;
    let keys: Vec<&str> = session.keys().collect();
    assert_eq!(keys.len(), 1, "{x:e}");
    assert_eq!(session.get(keys[0]), Some(&Value::Null));
    Ok(String::from(keys[0]))
}

#[cfg(feature = "legacy")]
#[test]
fn float_pickle_key_matches_python() {
    let mut failures = Vec::new();
    for (d, python) in corpus() {
        match pickle_key(d) {
            Ok(key) if key == python => {}
            Ok(key) => failures.push(format!("{:016x}: key {key}, python {python}", d.to_bits())),
            Err(e) => failures.push(format!("{:016x}: {e}", d.to_bits())),
        }
    }
    report(&failures);
}
