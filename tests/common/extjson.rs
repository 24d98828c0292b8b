//! Our `Value`s as MongoDB canonical Extended JSON (the form `bson.json_util` writes with
//! `CANONICAL_JSON_OPTIONS`), and the comparison the interop tests use.
//!
//! Spec: <https://github.com/mongodb/specifications/blob/master/source/extended-json/extended-json.md>.
//! Written here, independently of `beaker_session_jwt::interop::bson`, so these tests need no
//! crate feature and check that module rather than lean on it. Only `Decimal128`'s string form
//! comes from the `bson` crate (a dev-dependency).
//!
//! The comparison normalizes exactly two things, both spellings of one value:
//! - `$numberDouble`: compared by bit pattern (Python writes `repr(float)`, e.g. `1e+20`, we
//!   write Rust's `{:?}`); every NaN equals every NaN, since Python's `repr` drops the payload.
//! - `$numberDecimal`: compared as the 16 bytes the string parses to, when both parse.
//!
//! Object key order is not compared here (`serde_json::Value` maps are sorted); the tests check
//! top-level key order separately against the key list Python reports.

use std::fmt::Write as _;
use std::str::FromStr;

use base64ct::{Base64, Encoding};
use beaker_session_jwt::{CodeWithScope, DbPointer, Document, Regex, Session, Value};
use serde_json::Value as Json;

/// Canonical Extended JSON text of a session, keys in the session's order.
pub fn session_text(session: &Session) -> String {
    let mut out = String::new();
    write_document(&mut out, session);
    out
}

/// Canonical Extended JSON of a session (key order not kept; see the module docs).
pub fn session(session: &Session) -> Json {
    serde_json::from_str(&session_text(session)).expect("we write valid JSON")
}

/// Canonical Extended JSON of one value.
pub fn value(v: &Value) -> Json {
    let mut out = String::new();
    write_value(&mut out, v);
    serde_json::from_str(&out).expect("we write valid JSON")
}

fn write_str(out: &mut String, s: &str) {
    out.push_str(&serde_json::to_string(s).expect("strings serialize"));
}

fn write_document(out: &mut String, doc: &Document) {
    out.push('{');
    for (i, (key, value)) in doc.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(out, key);
        out.push(':');
        write_value(out, value);
    }
    out.push('}');
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Python-parsable text of a double (`float()` reads all of these).
pub fn double_text(d: f64) -> String {
    if d.is_nan() {
        "NaN".to_string()
    } else if d == f64::INFINITY {
        "Infinity".to_string()
    } else if d == f64::NEG_INFINITY {
        "-Infinity".to_string()
    } else {
        format!("{d:?}")
    }
}

fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Double(d) => {
            out.push_str("{\"$numberDouble\":");
            write_str(out, &double_text(*d));
            out.push('}');
        }
        Value::String(s) => write_str(out, s),
        Value::Document(doc) => write_document(out, doc),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Binary { subtype, bytes } => {
            let _ = write!(
                out,
                "{{\"$binary\":{{\"base64\":\"{}\",\"subType\":\"{subtype:02x}\"}}}}",
                Base64::encode_string(bytes)
            );
        }
        Value::Undefined => out.push_str("{\"$undefined\":true}"),
        Value::ObjectId(id) => {
            let _ = write!(out, "{{\"$oid\":\"{}\"}}", hex(id));
        }
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::DateTime(ms) => {
            let _ = write!(out, "{{\"$date\":{{\"$numberLong\":\"{ms}\"}}}}");
        }
        Value::Null => out.push_str("null"),
        Value::Regex(regex) => {
            let Regex { pattern, options } = &**regex;
            out.push_str("{\"$regularExpression\":{\"pattern\":");
            write_str(out, pattern);
            out.push_str(",\"options\":");
            write_str(out, options);
            out.push_str("}}");
        }
        Value::DbPointer(pointer) => {
            let DbPointer { namespace, id } = &**pointer;
            out.push_str("{\"$dbPointer\":{\"$ref\":");
            write_str(out, namespace);
            let _ = write!(out, ",\"$id\":{{\"$oid\":\"{}\"}}}}}}", hex(id));
        }
        Value::JavaScript(code) => {
            out.push_str("{\"$code\":");
            write_str(out, code);
            out.push('}');
        }
        Value::Symbol(s) => {
            out.push_str("{\"$symbol\":");
            write_str(out, s);
            out.push('}');
        }
        Value::JavaScriptWithScope(cws) => {
            let CodeWithScope { code, scope } = &**cws;
            out.push_str("{\"$code\":");
            write_str(out, code);
            out.push_str(",\"$scope\":");
            write_document(out, scope);
            out.push('}');
        }
        Value::Int32(i) => {
            let _ = write!(out, "{{\"$numberInt\":\"{i}\"}}");
        }
        Value::Timestamp { time, increment } => {
            let _ = write!(out, "{{\"$timestamp\":{{\"t\":{time},\"i\":{increment}}}}}");
        }
        Value::Int64(i) => {
            let _ = write!(out, "{{\"$numberLong\":\"{i}\"}}");
        }
        Value::Decimal128(bytes) => {
            out.push_str("{\"$numberDecimal\":");
            write_str(out, &bson::Decimal128::from_bytes(*bytes).to_string());
            out.push('}');
        }
        Value::MinKey => out.push_str("{\"$minKey\":1}"),
        Value::MaxKey => out.push_str("{\"$maxKey\":1}"),
    }
}

/// The bits of a `$numberDouble` string (any NaN maps to one canonical NaN).
fn double_bits(s: &str) -> Option<u64> {
    let d = match s {
        "NaN" | "-NaN" => return Some(f64::NAN.to_bits()),
        "Infinity" => f64::INFINITY,
        "-Infinity" => f64::NEG_INFINITY,
        _ => s.parse::<f64>().ok()?,
    };
    Some(if d.is_nan() {
        f64::NAN.to_bits()
    } else {
        d.to_bits()
    })
}

/// `j` with `$numberDouble` and `$numberDecimal` spelled canonically (see the module docs).
pub fn normalize(j: &Json) -> Json {
    match j {
        Json::Object(map) => {
            if map.len() == 1 {
                if let Some(Json::String(s)) = map.get("$numberDouble") {
                    if let Some(bits) = double_bits(s) {
                        return serde_json::json!({"$numberDouble": format!("bits:{bits:016x}")});
                    }
                }
                if let Some(Json::String(s)) = map.get("$numberDecimal") {
                    if let Ok(d) = bson::Decimal128::from_str(s) {
                        return serde_json::json!({"$numberDecimal": format!("bytes:{}", hex(&d.bytes()))});
                    }
                }
            }
            Json::Object(map.iter().map(|(k, v)| (k.clone(), normalize(v))).collect())
        }
        Json::Array(items) => Json::Array(items.iter().map(normalize).collect()),
        other => other.clone(),
    }
}

/// The first place where `a` and `b` differ after [`normalize`], as `path: a != b`.
pub fn difference(a: &Json, b: &Json) -> Option<String> {
    first_difference(&normalize(a), &normalize(b), "$")
}

fn first_difference(a: &Json, b: &Json, path: &str) -> Option<String> {
    match (a, b) {
        (Json::Object(x), Json::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) => {
                        if let Some(d) = first_difference(v, w, &format!("{path}.{k}")) {
                            return Some(d);
                        }
                    }
                    None => return Some(format!("{path}.{k}: only on the left ({v})")),
                }
            }
            y.keys()
                .find(|k| !x.contains_key(*k))
                .map(|k| format!("{path}.{k}: only on the right ({})", y[k]))
        }
        (Json::Array(x), Json::Array(y)) => {
            if x.len() != y.len() {
                return Some(format!("{path}: {} items != {} items", x.len(), y.len()));
            }
            x.iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (v, w))| first_difference(v, w, &format!("{path}[{i}]")))
        }
        _ if a == b => None,
        _ => Some(format!("{path}: {a} != {b}")),
    }
}

/// The key path of every entry of every document in `session`, depth first in order: array
/// items by index, a code-with-scope's scope under `"$scope"`. `oracle.py` lists the same for
/// Python's dict, so comparing the two checks key order at every depth.
pub fn key_paths(session: &Session) -> Vec<Json> {
    let mut out = Vec::new();
    walk_document(session, &mut Vec::new(), &mut out);
    out
}

fn walk_document(doc: &Document, prefix: &mut Vec<Json>, out: &mut Vec<Json>) {
    for (k, v) in doc.iter() {
        prefix.push(Json::String(k.to_string()));
        out.push(Json::Array(prefix.clone()));
        walk_value(v, prefix, out);
        prefix.pop();
    }
}

fn walk_value(v: &Value, prefix: &mut Vec<Json>, out: &mut Vec<Json>) {
    match v {
        Value::Document(d) => walk_document(d, prefix, out),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                prefix.push(Json::from(i));
                walk_value(item, prefix, out);
                prefix.pop();
            }
        }
        Value::JavaScriptWithScope(cws) => {
            let CodeWithScope { scope, .. } = &**cws;
            prefix.push(Json::from("$scope"));
            walk_document(scope, prefix, out);
            prefix.pop();
        }
        _ => {}
    }
}

/// The first place two key-path lists part, for a failure message.
pub fn paths_difference(ours: &[Json], python: &[Json]) -> Option<String> {
    let at = ours.iter().zip(python).position(|(a, b)| a != b);
    match at {
        Some(i) => Some(format!("entry {i}: ours {}, Python {}", ours[i], python[i])),
        None if ours.len() != python.len() => {
            Some(format!("{} entries, Python {}", ours.len(), python.len()))
        }
        None => None,
    }
}

/// The top-level keys of a JSON object text, in the order they are written (for checking
/// key order against a vector's expected `.json`, which `serde_json::Value` would sort).
pub fn top_level_keys(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut depth = 0usize;
    let mut string_start = None;
    let mut last_string = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if let Some(start) = string_start {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                string_start = None;
                last_string = Some((start, i + 1));
            }
            continue;
        }
        match c {
            '"' => string_start = Some(i),
            '{' | '[' => depth += 1,
            '}' | ']' => depth = depth.saturating_sub(1),
            ':' if depth == 1 => {
                if let Some((a, b)) = last_string {
                    keys.push(serde_json::from_str(&text[a..b]).expect("a JSON string"));
                }
            }
            _ if c.is_whitespace() => continue,
            _ => {}
        }
        if c != ':' && !c.is_whitespace() {
            last_string = None;
        }
    }
    keys
}

/// Parses canonical Extended JSON into our values: the inverse of [`session`], used to check
/// that this module and Python's spelling agree. Key order is `serde_json`'s (sorted).
pub fn session_from(json: &Json) -> Session {
    match value_from(json) {
        Value::Document(doc) => doc,
        other => panic!("not an Extended JSON document: {other:?}"),
    }
}

fn text<'a>(j: &'a Json, what: &str) -> &'a str {
    j.as_str()
        .unwrap_or_else(|| panic!("{what} is not a string: {j}"))
}

fn oid(j: &Json) -> [u8; 12] {
    let hex = text(j, "$oid");
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect();
    bytes.try_into().expect("12 bytes")
}

fn value_from(j: &Json) -> Value {
    let map = match j {
        Json::String(s) => return Value::String(s.clone().into()),
        Json::Bool(b) => return Value::Bool(*b),
        Json::Null => return Value::Null,
        Json::Array(items) => return Value::Array(items.iter().map(value_from).collect()),
        Json::Number(n) => panic!("a bare number is not canonical Extended JSON: {n}"),
        Json::Object(map) => map,
    };
    let field = |name: &str| {
        map.get(name)
            .unwrap_or_else(|| panic!("{name} missing in {j}"))
    };
    let mut names: Vec<&str> = map.keys().map(String::as_str).collect();
    names.sort_unstable();
    match names.as_slice() {
        ["$numberInt"] => Value::Int32(
            text(field("$numberInt"), "$numberInt")
                .parse()
                .expect("i32"),
        ),
        ["$numberLong"] => Value::Int64(
            text(field("$numberLong"), "$numberLong")
                .parse()
                .expect("i64"),
        ),
        ["$numberDouble"] => Value::Double(match text(field("$numberDouble"), "$numberDouble") {
            "NaN" | "-NaN" => f64::NAN,
            "Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            s => s.parse().expect("f64"),
        }),
        ["$numberDecimal"] => Value::Decimal128(
            bson::Decimal128::from_str(text(field("$numberDecimal"), "$numberDecimal"))
                .expect("decimal")
                .bytes(),
        ),
        ["$binary"] => {
            let b = field("$binary");
            Value::Binary {
                subtype: u8::from_str_radix(text(&b["subType"], "subType"), 16).expect("hex"),
                bytes: Base64::decode_vec(text(&b["base64"], "base64")).expect("base64"),
            }
        }
        ["$oid"] => Value::ObjectId(oid(field("$oid"))),
        ["$date"] => Value::DateTime(
            text(&field("$date")["$numberLong"], "$date")
                .parse()
                .expect("i64"),
        ),
        ["$regularExpression"] => {
            let r = field("$regularExpression");
            Value::Regex(Box::new(Regex {
                pattern: text(&r["pattern"], "pattern").to_string().into(),
                options: text(&r["options"], "options").to_string().into(),
            }))
        }
        ["$code"] => Value::JavaScript(text(field("$code"), "$code").to_string().into()),
        ["$code", "$scope"] => Value::JavaScriptWithScope(Box::new(CodeWithScope {
            code: text(field("$code"), "$code").to_string().into(),
            scope: session_from(field("$scope")),
        })),
        ["$timestamp"] => {
            let t = field("$timestamp");
            Value::Timestamp {
                time: t["t"]
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .expect("t"),
                increment: t["i"]
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .expect("i"),
            }
        }
        ["$minKey"] => Value::MinKey,
        ["$maxKey"] => Value::MaxKey,
        ["$symbol"] => Value::Symbol(text(field("$symbol"), "$symbol").to_string().into()),
        ["$undefined"] => Value::Undefined,
        ["$dbPointer"] => {
            let p = field("$dbPointer");
            Value::DbPointer(Box::new(DbPointer {
                namespace: text(&p["$ref"], "$ref").to_string().into(),
                id: oid(&p["$id"]["$oid"]),
            }))
        }
        _ => {
            let mut doc = Document::new();
            for (k, v) in map {
                doc.insert(k.as_str(), value_from(v));
            }
            Value::Document(doc)
        }
    }
}
