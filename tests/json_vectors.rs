//! `json::read_value` and `json::write` against CPython 3.11's `json` module, through the data
//! files `tests/data/make_json_vectors.py` writes into `tests/data/json/`.
//!
//! The files describe values in a typed form read here with serde_json (not with our reader):
//! `{"i": "123"}`, `{"f": "<ieee bits hex>"}`, `{"s": "..."}`, lists, `{"d": [[key, value], ...]}`.

use beaker_session_jwt::json::{self, Style};
use beaker_session_jwt::{Document, Error, Layer, Limits, Value};
use serde_json::Value as J;

const FLOATS: &str = include_str!("data/json/floats.json");
const SESSIONS: &str = include_str!("data/json/sessions.json");
const READ_CORPUS: &str = include_str!("data/json/read_corpus.json");

fn cases(file: &str) -> Vec<J> {
    let root: J = serde_json::from_str(file).expect("fixture is JSON");
    root["cases"].as_array().expect("cases").clone()
}

fn f64_from_hex(hex: &str) -> f64 {
    f64::from_bits(u64::from_str_radix(hex, 16).expect("hex bits"))
}

/// The `Value` a typed fixture value stands for, as our reader builds it.
fn expected(t: &J) -> Value {
    match t {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Array(items) => Value::Array(items.iter().map(expected).collect()),
        J::Object(o) => {
            if let Some(J::String(i)) = o.get("i") {
                Value::from(i.parse::<i64>().expect("i64"))
            } else if let Some(J::String(f)) = o.get("f") {
                Value::Double(f64_from_hex(f))
            } else if let Some(J::String(s)) = o.get("s") {
                Value::String(s.clone().into())
            } else if let Some(J::Array(entries)) = o.get("d") {
                let mut doc = Document::new();
                for e in entries {
                    let key = e[0].as_str().expect("key");
                    // Python dicts have unique keys: insert never replaces here.
                    assert!(doc.insert(key, expected(&e[1])).is_none());
                }
                Value::Document(doc)
            } else {
                panic!("bad typed value {t}")
            }
        }
        other => panic!("bad typed value {other}"),
    }
}

fn describe(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(120)]).into_owned()
}

/// `float.__repr__` for every fixture float (tricky values, every power of ten, random bit
/// patterns, decimal-looking values): byte-identical writes, and reading the text back gives
/// the same bits (NaN reads as Python's `float('nan')`, the canonical quiet NaN).
#[test]
fn json_floats_match_python_repr() {
    let cases = cases(FLOATS);
    assert!(cases.len() > 5000);
    let mut failures = Vec::new();
    for case in &cases {
        let d = f64_from_hex(case[0].as_str().unwrap());
        let python = case[1].as_str().unwrap();
        let written = json::write_value(&Value::Double(d), Style::Compact).unwrap();
        if written != python {
            failures.push(format!("{d:e}: wrote {written}, python {python}"));
        }
        let back = json::read_value(python.as_bytes(), &Limits::DEFAULT).unwrap();
        let want = if d.is_nan() { f64::NAN } else { d };
        if back != Value::Double(want) {
            failures.push(format!("{python}: read {back:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures: {:#?}",
        failures.len(),
        &failures[..failures.len().min(20)]
    );
}

/// Random sessions: `write` in each style is byte-identical to `json.dumps` with the same
/// options, and each of Python's three texts reads back to the session.
#[test]
fn json_sessions_match_python_dumps() {
    let cases = cases(SESSIONS);
    assert!(cases.len() > 200);
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let Value::Document(doc) = expected(&case["value"]) else {
            panic!("{name}: not a dict")
        };
        for (style, field) in [
            (Style::Python, "python"),
            (Style::Compact, "compact"),
            (Style::CompactAscii, "compact_ascii"),
        ] {
            let python = case[field].as_str().unwrap();
            assert_eq!(
                json::write(&doc, style).as_deref(),
                Ok(python),
                "{name} {field}"
            );
            assert_eq!(
                json::read(python.as_bytes(), &Limits::DEFAULT).as_ref(),
                Ok(&doc),
                "{name} {field}"
            );
            assert_eq!(
                json::read_str(python, &Limits::DEFAULT).as_ref(),
                Ok(&doc),
                "{name} {field}"
            );
        }
    }
}

/// `json.loads(bytes)` on hand-picked, mutated and random inputs (all encodings): what Python
/// accepts we accept with the same value, or refuse as `Unsupported` exactly where Python builds
/// an integer outside i64 or a lone surrogate; what Python refuses we refuse as `Malformed`, at
/// the same offset (Python's character position as UTF-8 bytes) whenever Python gives one.
#[test]
fn json_read_corpus_matches_python_loads() {
    let cases = cases(READ_CORPUS);
    assert!(cases.len() > 2500);
    let mut counts = [0usize; 3];
    let mut failures = Vec::new();
    for case in &cases {
        let bytes: Vec<u8> = (0..case["hex"].as_str().unwrap().len() / 2)
            .map(|i| {
                u8::from_str_radix(&case["hex"].as_str().unwrap()[2 * i..2 * i + 2], 16).unwrap()
            })
            .collect();
        let got = json::read_value(&bytes, &Limits::DEFAULT);
        let ok = match case["result"].as_str().unwrap() {
            "ok" => {
                counts[0] += 1;
                got.as_ref() == Ok(&expected(&case["value"]))
            }
            "unsupported" => {
                counts[1] += 1;
                matches!(
                    got,
                    Err(Error::Unsupported {
                        layer: Layer::Json,
                        ..
                    })
                )
            }
            "error" => {
                counts[2] += 1;
                match (got, case.get("offset").and_then(J::as_u64)) {
                    (
                        Err(Error::Malformed {
                            layer: Layer::Json,
                            offset,
                            ..
                        }),
                        Some(want),
                    ) => offset as u64 == want,
                    (
                        Err(Error::Malformed {
                            layer: Layer::Json, ..
                        }),
                        None,
                    ) => true,
                    _ => false,
                }
            }
            other => panic!("bad result {other}"),
        };
        if !ok {
            failures.push(format!(
                "{:?} python {} {:?}: got {:?}",
                describe(&bytes),
                case["result"],
                case.get("offset"),
                json::read_value(&bytes, &Limits::DEFAULT)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures: {:#?}",
        failures.len(),
        &failures[..failures.len().min(30)]
    );
    // The corpus exercises all three outcomes.
    assert!(counts.iter().all(|&n| n > 20), "{counts:?}");
}
