//! Every input a fuzz target ever stopped on, kept as `tests/data/regress/<layer>_<what>.bin`
//! (loaded with `include_bytes!`) with a test whose `///` line says what it caught.
//!
//! The inputs below were found by the `bson_differential` target: each is a place where our
//! BSON reader and the `bson` crate disagree and we follow pymongo on purpose. They are the
//! minimal forms of the fuzzer's inputs, checked against pymongo 4.20.1. The long runs
//! (`docs/reports/fuzz-campaigns.md`) have found no input to keep here.

use beaker_session_jwt::{bson, Document, Error, Layer, Limits, Regex, Value};

const ARRAY_KEY_NOT_UTF8: &[u8] = include_bytes!("data/regress/bson_array_key_not_utf8.bin");
const REGEX_OPTIONS_UNSORTED: &[u8] =
    include_bytes!("data/regress/bson_regex_options_unsorted.bin");
const TRAILING_BYTE: &[u8] = include_bytes!("data/regress/bson_trailing_byte.bin");

/// Caught an array key that is not UTF-8 (`{"a": [null]}` keyed `b"\xcc"`): the `bson` crate
/// refuses it, pymongo skips array keys unchecked and reads `{'a': [None]}`, and so must we.
#[test]
fn regress_bson_array_key_not_utf8() {
    let mut want = Document::new();
    want.insert("a", Value::Array(vec![Value::Null]));
    assert_eq!(bson::read(ARRAY_KEY_NOT_UTF8, &Limits::DEFAULT), Ok(want));
}

/// Caught regex options stored out of order (`"mi"`): the `bson` crate sorts them as it reads,
/// we keep them as stored (pymongo reads the same flags), and our writer stores them sorted.
#[test]
fn regress_bson_regex_options_unsorted() {
    let doc = bson::read(REGEX_OPTIONS_UNSORTED, &Limits::DEFAULT).unwrap();
    let stored = Value::Regex(Box::new(Regex {
        pattern: "x".into(),
        options: "mi".into(),
    }));
    assert_eq!(doc.get("r"), Some(&stored));
    let written = bson::write(&doc).unwrap();
    assert_eq!(written, b"\x0d\x00\x00\x00\x0br\x00x\x00im\x00\x00");
}

/// Caught a byte after the document: `bson::Document::from_reader` stops at the declared
/// length and accepts it, pymongo's `bson.decode` refuses it ("bad eoo"), and so must we.
#[test]
fn regress_bson_trailing_byte() {
    assert!(matches!(
        bson::read(TRAILING_BYTE, &Limits::DEFAULT),
        Err(Error::Malformed {
            layer: Layer::Bson,
            ..
        })
    ));
}
