//! Where pymongo 4.20.1's `bson.decode` (default options, as beaker-session-jwt 1.0.4 reads the
//! `bsZ` claim) converts or refuses what the BSON spec allows, `bson::read` and `bson::view` do
//! the same: a symbol reads as a string, undefined as null, and a UTC datetime outside the
//! years 1 to 9999 is refused (`InvalidBSON`, "year 10000 is out of range").
//!
//! The expectations are written here; `bson_pymongo_agrees_with_the_table` checks them against
//! pymongo live (skipped with `BEAKER_SKIP_PYTHON=1`).

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use beaker_session_jwt::{bson, CodeWithScope, Document, Error, Layer, Limits, Value};
use serde_json::{json, Value as Json};

const DATETIME_MIN_MS: i64 = -62_135_596_800_000;
const DATETIME_MAX_MS: i64 = 253_402_300_799_999;

/// A document around `body`.
fn doc(body: &[u8]) -> Vec<u8> {
    let mut out = i32::try_from(body.len() + 5)
        .unwrap()
        .to_le_bytes()
        .to_vec();
    out.extend_from_slice(body);
    out.push(0);
    out
}

/// One element: type, key, NUL, value bytes.
fn el(tag: u8, key: &str, value: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend_from_slice(key.as_bytes());
    out.push(0);
    out.extend_from_slice(value);
    out
}

/// A length-prefixed string value.
fn sv(s: &[u8]) -> Vec<u8> {
    let mut out = i32::try_from(s.len() + 1).unwrap().to_le_bytes().to_vec();
    out.extend_from_slice(s);
    out.push(0);
    out
}

fn datetime(ms: i64) -> Vec<u8> {
    el(0x09, "t", &ms.to_le_bytes())
}

fn code_with_scope(code: &[u8], scope: &[u8]) -> Vec<u8> {
    let code = sv(code);
    let mut out = i32::try_from(4 + code.len() + scope.len())
        .unwrap()
        .to_le_bytes()
        .to_vec();
    out.extend_from_slice(&code);
    out.extend_from_slice(scope);
    out
}

/// (name, BSON, what pymongo and we read: `Some(document)` or `None` for a refusal).
fn cases() -> Vec<(&'static str, Vec<u8>, Option<Document>)> {
    let one = |k: &str, v: Value| {
        let mut d = Document::new();
        d.insert(k, v);
        Some(d)
    };
    let mut out = vec![
        (
            "symbol",
            doc(&el(0x0E, "s", &sv(b"x\0y"))),
            one("s", Value::from("x\0y")),
        ),
        (
            "empty symbol",
            doc(&el(0x0E, "s", &sv(b""))),
            one("s", Value::from("")),
        ),
        ("symbol not UTF-8", doc(&el(0x0E, "s", &sv(b"\xff"))), None),
        ("undefined", doc(&el(0x06, "u", &[])), one("u", Value::Null)),
        (
            "symbol and undefined in an array",
            doc(&el(
                0x04,
                "a",
                &doc(&[el(0x0E, "0", &sv(b"s")), el(0x06, "1", &[])].concat()),
            )),
            one("a", Value::Array(vec![Value::from("s"), Value::Null])),
        ),
        (
            "symbol and undefined in a code-with-scope scope",
            doc(&el(
                0x0F,
                "c",
                &code_with_scope(
                    b"f",
                    &doc(&[el(0x0E, "s", &sv(b"s")), el(0x06, "u", &[])].concat()),
                ),
            )),
            one(
                "c",
                Value::JavaScriptWithScope(Box::new(CodeWithScope {
                    code: "f".into(),
                    scope: {
                        let mut s = Document::new();
                        s.insert("s", "s");
                        s.insert("u", Value::Null);
                        s
                    },
                })),
            ),
        ),
        (
            "datetime out of range in a code-with-scope scope",
            doc(&el(
                0x0F,
                "c",
                &code_with_scope(b"f", &doc(&datetime(DATETIME_MAX_MS + 1))),
            )),
            None,
        ),
        (
            "datetime out of range in an array",
            doc(&el(0x04, "a", &doc(&datetime(DATETIME_MIN_MS - 1)))),
            None,
        ),
    ];
    for ms in [DATETIME_MIN_MS, -1, 0, DATETIME_MAX_MS] {
        out.push((
            "datetime in range",
            doc(&datetime(ms)),
            one("t", Value::DateTime(ms)),
        ));
    }
    for ms in [
        DATETIME_MIN_MS - 1,
        DATETIME_MAX_MS + 1,
        -(1 << 62),
        1 << 62,
        i64::MIN,
        i64::MAX,
    ] {
        out.push(("datetime out of range", doc(&datetime(ms)), None));
    }
    out
}

#[test]
fn bson_pymongo_conversions_and_refusals() {
    for (name, bytes, expected) in cases() {
        let read = bson::read(&bytes, &Limits::default());
        let view = bson::view(&bytes, &Limits::default());
        match expected {
            Some(doc) => {
                assert_eq!(read.as_ref(), Ok(&doc), "{name}");
                assert_eq!(view.and_then(|v| v.to_document()), Ok(doc), "{name}");
            }
            None => {
                let err = read.expect_err(name);
                assert!(
                    matches!(
                        err,
                        Error::Malformed {
                            layer: Layer::Bson,
                            ..
                        } | Error::Unsupported {
                            layer: Layer::Bson,
                            ..
                        }
                    ),
                    "{name}: {err:?}"
                );
                assert_eq!(view.err(), Some(err), "{name}");
            }
        }
    }
}

/// Python's answer for each case, in a form compared with our `Value`s below.
const PYMONGO: &str = r#"
import bson, datetime, json, sys
from bson.code import Code
EPOCH = datetime.datetime(1970, 1, 1)
def typed(v):
    if v is None: return None
    if isinstance(v, Code): return {"code": str(v), "scope": typed(v.scope)}
    if isinstance(v, str): return {"str": v}
    if isinstance(v, datetime.datetime):
        d = v - EPOCH
        return {"ms": (d.days * 86400 + d.seconds) * 1000 + d.microseconds // 1000}
    if isinstance(v, list): return [typed(x) for x in v]
    if isinstance(v, dict): return {"doc": [[k, typed(x)] for k, x in v.items()]}
    raise TypeError(type(v).__name__)
out = []
for h in json.load(sys.stdin):
    try:
        out.append({"ok": typed(bson.decode(bytes.fromhex(h)))})
    except Exception as e:
        out.append({"error": type(e).__name__})
print(json.dumps(out))
"#;

fn typed(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::String(s) => json!({"str": s.as_str()}),
        Value::DateTime(ms) => json!({"ms": ms}),
        Value::Array(items) => Json::Array(items.iter().map(typed).collect()),
        Value::Document(d) => typed_doc(d),
        Value::JavaScriptWithScope(cws) => {
            json!({"code": cws.code.as_str(), "scope": typed_doc(&cws.scope)})
        }
        other => panic!("no typed form for {other:?}"),
    }
}

fn typed_doc(doc: &Document) -> Json {
    json!({"doc": doc.iter().map(|(k, v)| json!([k, typed(v)])).collect::<Vec<_>>()})
}

#[test]
fn bson_pymongo_agrees_with_the_table() {
    let Some(python) = common::pyenv::python("bson_pymongo_agrees_with_the_table") else {
        return;
    };
    let cases = cases();
    let hexes: Vec<String> = cases
        .iter()
        .map(|(_, bytes, _)| bytes.iter().map(|b| format!("{b:02x}")).collect())
        .collect();
    let mut child = Command::new(python)
        .arg("-c")
        .arg(PYMONGO)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run python");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(serde_json::to_string(&hexes).unwrap().as_bytes())
        .expect("write to python");
    let out = child.wait_with_output().expect("python output");
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<Json> = serde_json::from_slice(&out.stdout).expect("python JSON");
    assert_eq!(answers.len(), cases.len());
    for ((name, _, expected), answer) in cases.iter().zip(&answers) {
        match expected {
            Some(doc) => assert_eq!(answer, &json!({"ok": typed_doc(doc)}), "{name}"),
            None => assert_eq!(answer, &json!({"error": "InvalidBSON"}), "{name}"),
        }
    }
}
