//! (feature `serde`) The official BSON corpus against our serde impls: every valid case's
//! Extended JSON reads as the value its `canonical_bson` holds (decoded by the `bson` crate), we
//! write its canonical Extended JSON (with JSON-native numbers unwrapped, see
//! `src/interop/serde.rs`), and the `parseErrors` are refused.
//!
//! The corpus is read from the folder named by `BSON_CORPUS_DIR` and is never copied into this
//! repository (its licence, CC BY-NC-SA, forbids that). So every test is `#[ignore]`d: a plain
//! `cargo test` lists them as ignored, not as passed. CI sets `BSON_CORPUS_DIR` and runs them
//! with `cargo test --all-features --test serde_corpus -- --include-ignored`; run that way with
//! the variable unset, or set to a folder that does not exist, the tests fail.
#![cfg(feature = "serde")]

use std::path::PathBuf;

use beaker_session_jwt::{CodeWithScope, DbPointer, Document, Regex, Value};
use bson::Bson;
use serde_json::Value as Json;

/// The corpus folder. Asked to run (`--ignored` / `--include-ignored`) without it: fail, never
/// pass having checked nothing.
fn corpus_dir() -> PathBuf {
    let Some(dir) = std::env::var_os("BSON_CORPUS_DIR") else {
        panic!(
            "serde_corpus: BSON_CORPUS_DIR is not set (set it to a checkout of \
             specifications/source/bson-corpus/tests to run the corpus)"
        );
    };
    let dir = PathBuf::from(dir);
    assert!(
        dir.is_dir(),
        "BSON_CORPUS_DIR={} is not a folder",
        dir.display()
    );
    dir
}

/// Every corpus file, parsed.
fn corpus() -> Vec<(String, Json)> {
    let dir = corpus_dir();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("BSON_CORPUS_DIR is readable")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 25, "the corpus looks incomplete");
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).unwrap();
            (name, serde_json::from_str(&text).unwrap())
        })
        .collect()
}

fn cases<'a>(file: &'a Json, kind: &str) -> impl Iterator<Item = &'a Json> {
    file.get(kind)
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn from_doc(d: &bson::Document) -> Document {
    Document::from_entries(
        d.iter()
            .map(|(k, v)| (beaker_session_jwt::Str::from(k.as_str()), from_bson(v)))
            .collect(),
    )
}

/// The `bson` crate's value as ours, independently of our serde code.
fn from_bson(b: &Bson) -> Value {
    match b {
        Bson::Double(d) => Value::Double(*d),
        Bson::String(s) => Value::String(s.clone().into()),
        Bson::Array(a) => Value::Array(a.iter().map(from_bson).collect()),
        Bson::Document(d) => Value::Document(from_doc(d)),
        Bson::Boolean(v) => Value::Bool(*v),
        Bson::Null => Value::Null,
        Bson::RegularExpression(r) => Value::Regex(Box::new(Regex {
            pattern: r.pattern.as_str().to_owned().into(),
            options: r.options.as_str().to_owned().into(),
        })),
        Bson::JavaScriptCode(c) => Value::JavaScript(c.clone().into()),
        Bson::JavaScriptCodeWithScope(c) => Value::JavaScriptWithScope(Box::new(CodeWithScope {
            code: c.code.clone().into(),
            scope: from_doc(&c.scope),
        })),
        Bson::Int32(i) => Value::Int32(*i),
        Bson::Int64(i) => Value::Int64(*i),
        Bson::Timestamp(t) => Value::Timestamp {
            time: t.time,
            increment: t.increment,
        },
        Bson::Binary(bin) => Value::Binary {
            subtype: u8::from(bin.subtype),
            bytes: bin.bytes.clone(),
        },
        Bson::ObjectId(id) => Value::ObjectId(id.bytes()),
        Bson::DateTime(d) => Value::DateTime(d.timestamp_millis()),
        Bson::Symbol(s) => Value::Symbol(s.clone().into()),
        Bson::Decimal128(d) => Value::Decimal128(d.bytes()),
        Bson::Undefined => Value::Undefined,
        Bson::MaxKey => Value::MaxKey,
        Bson::MinKey => Value::MinKey,
        Bson::DbPointer(_) => {
            // The bson crate keeps these fields private; read them off its own Extended JSON.
            let json = b.clone().into_canonical_extjson();
            let body = &json["$dbPointer"];
            let id = hex(body["$id"]["$oid"].as_str().unwrap());
            Value::DbPointer(Box::new(DbPointer {
                namespace: body["$ref"].as_str().unwrap().to_owned().into(),
                id: id.try_into().unwrap(),
            }))
        }
    }
}

fn canonical_value(case: &Json) -> Value {
    let bytes = hex(case["canonical_bson"].as_str().unwrap());
    let doc = bson::Document::from_reader(&mut bytes.as_slice()).unwrap();
    Value::Document(from_doc(&doc))
}

fn read(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(text)
}

/// Canonical Extended JSON with the numbers we write natively unwrapped: `$numberInt`, a
/// `$numberLong` outside the i32 range (except under `$date`), a finite `$numberDouble`.
fn native(json: &Json) -> Json {
    match json {
        Json::Array(items) => Json::Array(items.iter().map(native).collect()),
        Json::Object(map) if map.len() == 1 => {
            let (key, inner) = map.iter().next().unwrap();
            let text = inner.as_str().unwrap_or_default();
            match key.as_str() {
                "$numberInt" => Json::from(text.parse::<i32>().unwrap()),
                "$numberLong" => match text.parse::<i64>().unwrap() {
                    n if i32::try_from(n).is_err() => Json::from(n),
                    _ => json.clone(),
                },
                "$numberDouble" => match text.parse::<f64>().unwrap() {
                    d if d.is_finite() => Json::from(d),
                    _ => json.clone(),
                },
                "$date" => json.clone(),
                _ => Json::Object(map.iter().map(|(k, v)| (k.clone(), native(v))).collect()),
            }
        }
        Json::Object(map) => {
            Json::Object(map.iter().map(|(k, v)| (k.clone(), native(v))).collect())
        }
        other => other.clone(),
    }
}

/// An `Int64` that fits i32 is a plain number in relaxed Extended JSON and reads as `Int32`.
fn relaxed(v: Value) -> Value {
    match v {
        Value::Int64(i) => Value::from(i),
        Value::Array(items) => Value::Array(items.into_iter().map(relaxed).collect()),
        Value::Document(d) => Value::Document(relaxed_doc(d)),
        Value::JavaScriptWithScope(cws) => {
            let CodeWithScope { code, scope } = *cws;
            Value::JavaScriptWithScope(Box::new(CodeWithScope {
                code,
                scope: relaxed_doc(scope),
            }))
        }
        other => other,
    }
}

fn relaxed_doc(d: Document) -> Document {
    Document::from_entries(
        d.into_entries()
            .into_iter()
            .map(|(k, v)| (k, relaxed(v)))
            .collect(),
    )
}

fn is_lossy(case: &Json) -> bool {
    case.get("lossy").and_then(Json::as_bool).unwrap_or(false)
}

#[test]
#[ignore = "needs BSON_CORPUS_DIR (the official BSON corpus; CI sets it and runs --include-ignored)"]
fn serde_corpus_canonical_extjson_reads_as_canonical_bson() {
    let mut checked = 0;
    for (name, file) in corpus() {
        for case in cases(&file, "valid").filter(|c| !is_lossy(c)) {
            let text = case["canonical_extjson"].as_str().unwrap();
            let got = read(text).unwrap_or_else(|e| panic!("{name}: {text}: {e}"));
            assert_eq!(got, canonical_value(case), "{name}: {text}");
            checked += 1;
        }
    }
    assert!(checked > 500, "only {checked} cases");
}

#[test]
#[ignore = "needs BSON_CORPUS_DIR (the official BSON corpus; CI sets it and runs --include-ignored)"]
fn serde_corpus_writes_canonical_extjson() {
    let mut checked = 0;
    for (name, file) in corpus() {
        for case in cases(&file, "valid") {
            let text = case["canonical_extjson"].as_str().unwrap();
            let expected: Json = serde_json::from_str(text).unwrap();
            let ours = serde_json::to_value(canonical_value(case)).unwrap();
            // Rendered, so that -0.0 and 0.0 differ.
            assert_eq!(
                ours.to_string(),
                native(&expected).to_string(),
                "{name}: {text}"
            );
            checked += 1;
        }
    }
    assert!(checked > 500, "only {checked} cases");
}

#[test]
#[ignore = "needs BSON_CORPUS_DIR (the official BSON corpus; CI sets it and runs --include-ignored)"]
fn serde_corpus_degenerate_and_relaxed_extjson_read() {
    let mut checked = 0;
    for (name, file) in corpus() {
        for case in cases(&file, "valid").filter(|c| !is_lossy(c)) {
            let expected = canonical_value(case);
            if let Some(text) = case.get("degenerate_extjson").and_then(Json::as_str) {
                let got = read(text).unwrap_or_else(|e| panic!("{name}: {text}: {e}"));
                assert_eq!(got, expected, "{name}: {text}");
                checked += 1;
            }
            if let Some(text) = case.get("relaxed_extjson").and_then(Json::as_str) {
                let got = read(text).unwrap_or_else(|e| panic!("{name}: {text}: {e}"));
                assert_eq!(relaxed(got), relaxed(expected.clone()), "{name}: {text}");
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} cases");
}

#[test]
#[ignore = "needs BSON_CORPUS_DIR (the official BSON corpus; CI sets it and runs --include-ignored)"]
fn serde_corpus_decimal128_parse_errors_refused() {
    let mut checked = 0;
    for (name, file) in corpus() {
        if !name.starts_with("decimal128") {
            continue;
        }
        for case in cases(&file, "parseErrors") {
            let text = case["string"].as_str().unwrap();
            let json = serde_json::json!({ "d": { "$numberDecimal": text } }).to_string();
            assert!(read(&json).is_err(), "{name}: accepted {text:?}");
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} cases");
}

/// `top.json` and `binary.json` parse errors, except the NUL-byte ones: a `Value` may hold NUL
/// in keys and regexes (Python `dict`s can); the BSON writer refuses them, not serde.
#[test]
#[ignore = "needs BSON_CORPUS_DIR (the official BSON corpus; CI sets it and runs --include-ignored)"]
fn serde_corpus_extjson_parse_errors_refused() {
    let mut checked = 0;
    for (name, file) in corpus() {
        if name != "top.json" && name != "binary.json" {
            continue;
        }
        for case in cases(&file, "parseErrors") {
            let description = case["description"].as_str().unwrap();
            if description.starts_with("Null byte") {
                continue;
            }
            let text = case["string"].as_str().unwrap();
            assert!(
                read(text).is_err(),
                "{name}: {description}: accepted {text}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 45, "only {checked} cases");
}
