//! Shared by the legacy test files: the configs the fixtures were made with, and the typed-value
//! format of `tests/data/legacy/*.json` (see `make_legacy.py`).
#![allow(dead_code)] // each test file uses part of it

use beaker_session_jwt::{
    Config, Document, Error, Layer, Regex, SecretKey, Serializer, Session, Value,
};
use serde_json::{json, Value as Json};

pub const JWT_KEY: &str = "jwt-secret-key-0123456789";
pub const LEGACY_KEY: &str = "legacy-validate-key-0123456789";

/// The config a fixture entry was read or written with.
pub fn config(mode: &str, serializer: &str, remove_keys: &[String]) -> Config {
    let mut c = Config::new([JWT_KEY]).unwrap();
    c.read_original_format = true;
    c.write_original_format = true;
    c.original_format_validate_key = Some(SecretKey::from(LEGACY_KEY));
    c.bson_compress_jwt_payload = match mode {
        "bson" => true,
        "json" => false,
        other => panic!("mode {other}"),
    };
    c.original_format_data_serializer = match serializer {
        "pickle" => Serializer::Pickle,
        "json" => Serializer::Json,
        other => panic!("serializer {other}"),
    };
    c.original_format_remove_keys = remove_keys.to_vec();
    c
}

/// The config of a fixture entry.
pub fn entry_config(e: &Json) -> Config {
    let remove: Vec<String> = e["remove_keys"]
        .as_array()
        .map(|a| a.iter().map(|k| k.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default();
    config(
        e["mode"].as_str().unwrap(),
        e["serializer"].as_str().unwrap(),
        &remove,
    )
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A typed value from the fixture format.
pub fn typed(v: &Json) -> Value {
    let a = v.as_array().unwrap_or_else(|| panic!("typed value {v}"));
    let tag = a[0].as_str().unwrap();
    match tag {
        "double" => Value::Double(f64::from_bits(
            u64::from_str_radix(a[1].as_str().unwrap(), 16).unwrap(),
        )),
        "string" => Value::String(a[1].as_str().unwrap().to_owned().into()),
        "doc" => Value::Document(typed_entries(&a[1])),
        "array" => Value::Array(a[1].as_array().unwrap().iter().map(typed).collect()),
        "binary" => Value::Binary {
            subtype: a[1].as_u64().unwrap() as u8,
            bytes: hex(a[2].as_str().unwrap()),
        },
        "oid" => Value::ObjectId(hex(a[1].as_str().unwrap()).try_into().unwrap()),
        "bool" => Value::Bool(a[1].as_bool().unwrap()),
        "datetime" => Value::DateTime(a[1].as_i64().unwrap()),
        "null" => Value::Null,
        "undefined" => Value::Undefined,
        "regex" => Value::Regex(Box::new(Regex {
            pattern: a[1].as_str().unwrap().to_owned().into(),
            options: a[2].as_str().unwrap().to_owned().into(),
        })),
        "int32" => Value::Int32(a[1].as_i64().unwrap() as i32),
        "int64" => Value::Int64(a[1].as_i64().unwrap()),
        "timestamp" => Value::Timestamp {
            time: a[1].as_u64().unwrap() as u32,
            increment: a[2].as_u64().unwrap() as u32,
        },
        "decimal128" => Value::Decimal128(hex(a[1].as_str().unwrap()).try_into().unwrap()),
        other => panic!("typed tag {other}"),
    }
}

fn typed_entries(v: &Json) -> Document {
    Document::from_entries(
        v.as_array()
            .unwrap()
            .iter()
            .map(|kv| {
                (
                    beaker_session_jwt::Str::from(kv[0].as_str().unwrap()),
                    typed(&kv[1]),
                )
            })
            .collect(),
    )
}

/// A typed `["doc", ...]` as a session.
pub fn typed_session(v: &Json) -> Session {
    match typed(v) {
        Value::Document(d) => d,
        other => panic!("not a doc: {other:?}"),
    }
}

/// A value in the fixture format (for writing `rust_written.json`).
pub fn to_typed(v: &Value) -> Json {
    match v {
        Value::Double(f) => json!(["double", format!("{:016x}", f.to_bits())]),
        Value::String(s) => json!(["string", s.as_str()]),
        Value::Document(d) => json!([
            "doc",
            d.iter()
                .map(|(k, v)| json!([k, to_typed(v)]))
                .collect::<Vec<_>>()
        ]),
        Value::Array(a) => json!(["array", a.iter().map(to_typed).collect::<Vec<_>>()]),
        Value::Binary { subtype, bytes } => json!(["binary", subtype, to_hex(bytes)]),
        Value::ObjectId(id) => json!(["oid", to_hex(id)]),
        Value::Bool(b) => json!(["bool", b]),
        Value::DateTime(ms) => json!(["datetime", ms]),
        Value::Null => json!(["null"]),
        Value::Undefined => json!(["undefined"]),
        Value::Regex(regex) => {
            let Regex { pattern, options } = &**regex;
            json!(["regex", pattern.as_str(), options.as_str()])
        }
        Value::Int32(i) => json!(["int32", i]),
        Value::Int64(i) => json!(["int64", i]),
        Value::Timestamp { time, increment } => json!(["timestamp", time, increment]),
        Value::Decimal128(b) => json!(["decimal128", to_hex(b)]),
        other => panic!("no fixture form for {other:?}"),
    }
}

fn layer(name: &str) -> Layer {
    match name {
        "Bson" => Layer::Bson,
        "Json" => Layer::Json,
        "Pickle" => Layer::Pickle,
        "Zlib" => Layer::Zlib,
        "Base64" => Layer::Base64,
        "LegacyMac" => Layer::LegacyMac,
        other => panic!("layer {other}"),
    }
}

/// Checks one decode result against an entry's `expect`; returns a description of a mismatch.
pub fn check(e: &Json, got: Result<Session, Error>) -> Option<String> {
    let name = e["name"].as_str().unwrap();
    let expect = &e["expect"];
    if let Some(session) = expect.get("session") {
        let want = typed_session(session);
        return match got {
            Ok(s) if s == want => None,
            Ok(s) => Some(format!(
                "{name}: session differs\n  got  {s:?}\n  want {want:?}"
            )),
            Err(err) => Some(format!("{name}: want a session, got {err:?}")),
        };
    }
    let kind = expect["error"].as_str().unwrap();
    let key = expect.get("key").and_then(Json::as_str);
    let ok = match (&got, kind) {
        (
            Err(Error::Unwritable {
                layer: l, key: k, ..
            }),
            "Unwritable",
        ) => Some(k.as_str()) == key && *l == layer(expect["layer"].as_str().unwrap()),
        (Err(Error::Placeholder(refused)), "Placeholder") => {
            Some(refused.key()) == key && Some(refused.global()) == expect["global"].as_str()
        }
        (Err(Error::BadSignature), "BadSignature") => true,
        (Err(Error::LimitExceeded(limit)), "LimitExceeded") => {
            format!("{limit:?}") == expect["limit"].as_str().unwrap()
        }
        (Err(Error::Malformed { layer: l, .. }), "Malformed")
        | (Err(Error::Unsupported { layer: l, .. }), "Unsupported") => {
            *l == layer(expect["layer"].as_str().unwrap())
        }
        _ => false,
    };
    (!ok).then(|| format!("{name}: want {expect}, got {got:?}"))
}
