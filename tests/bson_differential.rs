//! Differential property tests of `bson::read` / `bson::write` against the `bson` crate (v3),
//! an independent BSON implementation.
//!
//! Without the `bson` feature the properties compare bytes (the `bson` crate's own parse and
//! re-encode against ours); with it (`cargo test --features bson --test bson_differential`)
//! they also compare values through `interop::bson`.
//!
//! Where we read as pymongo does and the `bson` crate does not, its side is converted first: a
//! symbol is a string and undefined is null (pymongo's `bson.decode`), and a datetime outside
//! the years 1 to 9999, which it reads, we refuse (pymongo raises `InvalidBSON`), so documents
//! are generated within those years and the refusal has a property of its own.

use beaker_session_jwt::bson as ours;
use beaker_session_jwt::{CodeWithScope, DbPointer, Document, Limits, Regex, Value};
use proptest::prelude::*;
use proptest::sample::Index;

/// The earliest and latest datetimes (ms) pymongo reads: Python's `datetime` years 1 to 9999.
const DATETIME_MIN_MS: i64 = -62_135_596_800_000;
const DATETIME_MAX_MS: i64 = 253_402_300_799_999;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        ..ProptestConfig::default()
    }
}

/// A key: any text without NUL (BSON keys are C strings).
fn key() -> impl Strategy<Value = String> {
    "[^\u{0}]{0,6}"
}

/// Any text, NULs included (length-prefixed strings may hold them).
fn text() -> impl Strategy<Value = String> {
    "\\PC{0,8}|[\u{0}a\u{e9}\u{2603}\u{1F600}]{0,4}"
}

/// Regex options in the alphabetical order the spec requires and both writers produce.
fn options() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec!['i', 'l', 'm', 's', 'u', 'x']),
        0..4,
    )
    .prop_map(|mut letters| {
        letters.sort_unstable();
        letters.into_iter().collect()
    })
}

/// Every `Value` variant without children.
fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<u64>().prop_map(|bits| Value::Double(f64::from_bits(bits))),
        text().prop_map(Value::from),
        (any::<u8>(), prop::collection::vec(any::<u8>(), 0..12))
            .prop_map(|(subtype, bytes)| Value::Binary { subtype, bytes }),
        Just(Value::Undefined),
        any::<[u8; 12]>().prop_map(Value::ObjectId),
        any::<bool>().prop_map(Value::Bool),
        prop_oneof![
            Just(DATETIME_MIN_MS),
            Just(DATETIME_MAX_MS),
            DATETIME_MIN_MS..=DATETIME_MAX_MS,
        ]
        .prop_map(Value::DateTime),
        Just(Value::Null),
        (key(), options()).prop_map(|(pattern, options)| Value::Regex(Box::new(Regex {
            pattern: pattern.into(),
            options: options.into()
        }))),
        (text(), any::<[u8; 12]>()).prop_map(|(namespace, id)| Value::DbPointer(Box::new(
            DbPointer {
                namespace: namespace.into(),
                id
            }
        ))),
        text().prop_map(|s| Value::JavaScript(s.into())),
        text().prop_map(|s| Value::Symbol(s.into())),
        any::<i32>().prop_map(Value::Int32),
        any::<(u32, u32)>().prop_map(|(time, increment)| Value::Timestamp { time, increment }),
        any::<i64>().prop_map(Value::Int64),
        any::<[u8; 16]>().prop_map(Value::Decimal128),
        Just(Value::MinKey),
        Just(Value::MaxKey),
    ]
}

fn entries(
    inner: impl Strategy<Value = Value>,
    max: usize,
) -> impl Strategy<Value = Vec<(beaker_session_jwt::Str, Value)>> {
    prop::collection::vec(
        (key().prop_map(beaker_session_jwt::Str::from), inner),
        0..max,
    )
}

/// Any value, containers nested up to four levels.
fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 5, |inner| {
        prop_oneof![
            entries(inner.clone(), 5).prop_map(|e| Value::Document(Document::from_entries(e))),
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            (text(), entries(inner, 3)).prop_map(|(code, e)| Value::JavaScriptWithScope(Box::new(
                CodeWithScope {
                    code: code.into(),
                    scope: Document::from_entries(e),
                }
            ))),
        ]
    })
}

fn document() -> impl Strategy<Value = Document> {
    entries(value(), 8).prop_map(Document::from_entries)
}

#[derive(Clone, Debug)]
enum Mutation {
    Replace(Index, u8),
    Insert(Index, u8),
    Delete(Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Replace(i, b)),
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<Index>().prop_map(Mutation::Delete),
    ]
}

fn mutate(bytes: &mut Vec<u8>, mutations: &[Mutation], fix_length: bool) {
    for m in mutations {
        if bytes.is_empty() {
            break;
        }
        match m {
            Mutation::Replace(i, b) => {
                let at = i.index(bytes.len());
                bytes[at] = *b;
            }
            Mutation::Insert(i, b) => bytes.insert(i.index(bytes.len() + 1), *b),
            Mutation::Delete(i) => {
                bytes.remove(i.index(bytes.len()));
            }
        }
    }
    if fix_length && bytes.len() >= 4 {
        let len = (bytes.len() as i32).to_le_bytes();
        bytes[..4].copy_from_slice(&len);
    }
}

/// A `bson` crate value as we read it: regex options in alphabetical order, as our writer
/// writes them (the `bson` crate writes them as held); a symbol as a string and undefined as
/// null, as pymongo reads them.
fn sort_regex_options(value: &mut ::bson::Bson) {
    match value {
        ::bson::Bson::Symbol(s) => *value = ::bson::Bson::String(core::mem::take(s)),
        ::bson::Bson::Undefined => *value = ::bson::Bson::Null,
        ::bson::Bson::RegularExpression(re) => {
            let mut letters: Vec<char> = re.options.as_str().chars().collect();
            letters.sort_unstable();
            let sorted: String = letters.into_iter().collect();
            re.options = sorted
                .try_into()
                .expect("options held no NUL before sorting");
        }
        ::bson::Bson::Document(d) => sort_document_regexes(d),
        ::bson::Bson::JavaScriptCodeWithScope(cws) => sort_document_regexes(&mut cws.scope),
        ::bson::Bson::Array(items) => items.iter_mut().for_each(sort_regex_options),
        _ => {}
    }
}

/// `doc` with every regex's option letters sorted (what the bson crate reads them as).
#[cfg(feature = "bson")]
fn with_sorted_regex_options(doc: &Document) -> Document {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Regex(regex) => {
                let Regex { pattern, options } = &**regex;
                let mut letters: Vec<char> = options.chars().collect();
                letters.sort_unstable();
                Value::Regex(Box::new(Regex {
                    pattern: pattern.clone(),
                    options: letters.into_iter().collect(),
                }))
            }
            Value::Document(d) => Value::Document(with_sorted_regex_options(d)),
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            Value::JavaScriptWithScope(cws) => {
                let CodeWithScope { code, scope } = &**cws;
                Value::JavaScriptWithScope(Box::new(CodeWithScope {
                    code: code.clone(),
                    scope: with_sorted_regex_options(scope),
                }))
            }
            other => other.clone(),
        }
    }
    doc.iter().map(|(k, v)| (k, sorted(v))).collect()
}

/// What `doc`, once written, reads back as: symbols are strings and undefined is null.
fn as_read(doc: &Document) -> Document {
    fn read_as(value: &Value) -> Value {
        match value {
            Value::Symbol(s) => Value::String(s.clone()),
            Value::Undefined => Value::Null,
            Value::Document(d) => Value::Document(as_read(d)),
            Value::Array(items) => Value::Array(items.iter().map(read_as).collect()),
            Value::JavaScriptWithScope(cws) => {
                let CodeWithScope { code, scope } = &**cws;
                Value::JavaScriptWithScope(Box::new(CodeWithScope {
                    code: code.clone(),
                    scope: as_read(scope),
                }))
            }
            other => other.clone(),
        }
    }
    doc.iter().map(|(k, v)| (k, read_as(v))).collect()
}

fn sort_document_regexes(doc: &mut ::bson::Document) {
    for (_, value) in doc.iter_mut() {
        sort_regex_options(value);
    }
}

/// When both readers accept `bytes`, they read the same document: re-encoded, both give the
/// same canonical bytes, and (feature `bson`) the values are equal through the interop
/// conversion. Returns whether both accepted.
fn both_agree(bytes: &[u8]) -> Result<bool, TestCaseError> {
    let mine = ours::read(bytes, &Limits::default());
    let theirs = ::bson::Document::from_reader(bytes);
    let (Ok(mine), Ok(mut theirs)) = (mine, theirs) else {
        return Ok(false);
    };
    // Symbols and undefined as we (and pymongo) read them.
    sort_document_regexes(&mut theirs);
    #[cfg(feature = "bson")]
    {
        // The bson crate sorts regex options as it reads them; we keep them as stored (and
        // sort them when writing, as the byte comparison below checks).
        use beaker_session_jwt::interop::bson::from_bson_document;
        prop_assert_eq!(
            &from_bson_document(&theirs),
            &with_sorted_regex_options(&mine)
        );
    }
    let their_bytes = theirs
        .to_vec()
        .map_err(|e| TestCaseError::fail(format!("bson crate re-encode: {e}")))?;
    let my_bytes = ours::write(&mine)
        .map_err(|e| TestCaseError::fail(format!("our re-encode of what we read: {e}")))?;
    prop_assert_eq!(my_bytes, their_bytes);
    Ok(true)
}

fn tiny_limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_depth = 2;
    limits.max_items = 4;
    limits.max_str_len = 3;
    limits
}

proptest! {
    #![proptest_config(config())]

    /// The `bson` crate parses what we write and re-encodes it to the same bytes, and we read
    /// back the document we wrote.
    #[test]
    fn bson_differential_bson_crate_reads_our_bytes(doc in document()) {
        let bytes = ours::write(&doc).expect("generated documents are writable");
        let parsed = ::bson::Document::from_reader(bytes.as_slice())
            .map_err(|e| TestCaseError::fail(format!("bson crate refused our bytes: {e}")))?;
        prop_assert_eq!(parsed.to_vec().expect("bson crate re-encode"), bytes.clone());
        prop_assert_eq!(ours::read(&bytes, &Limits::default()).expect("our own bytes"), as_read(&doc));
    }

    /// Our bytes equal the `bson` crate's for the same document, and its bytes read back to our
    /// value (interop conversion).
    #[cfg(feature = "bson")]
    #[test]
    fn bson_differential_write_matches_bson_crate(doc in document()) {
        use beaker_session_jwt::interop::bson::{from_bson_document, to_bson_document};
        let theirs = to_bson_document(&doc).to_vec().expect("bson crate encode");
        prop_assert_eq!(ours::write(&doc).expect("generated documents are writable"), theirs.clone());
        prop_assert_eq!(ours::read(&theirs, &Limits::default()).expect("bson crate bytes"), as_read(&doc));
        prop_assert_eq!(from_bson_document(&to_bson_document(&doc)), doc);
    }

    /// Arbitrary bytes (with and without a matching length prefix): our reader never panics,
    /// even with tiny limits, and where both readers accept they agree.
    #[test]
    fn bson_differential_arbitrary_bytes(mut bytes in prop::collection::vec(any::<u8>(), 0..48), fix in any::<bool>()) {
        mutate(&mut bytes, &[], fix);
        let _ = ours::read(&bytes, &tiny_limits());
        both_agree(&bytes)?;
    }

    /// Valid documents with a few bytes replaced, inserted or deleted (the top-level length
    /// fixed up or not): our reader never panics, and where both readers accept they agree.
    #[test]
    fn bson_differential_mutated_bytes(
        doc in document(),
        mutations in prop::collection::vec(mutation(), 1..4),
        fix in any::<bool>(),
    ) {
        let mut bytes = ours::write(&doc).expect("generated documents are writable");
        mutate(&mut bytes, &mutations, fix);
        let _ = ours::read(&bytes, &tiny_limits());
        both_agree(&bytes)?;
    }

    /// A datetime the `bson` crate reads is refused where pymongo refuses it (outside years
    /// 1 to 9999), by `read` and `view` alike, and never written.
    #[test]
    fn bson_differential_datetimes_outside_python_years_are_refused(
        ms in prop_oneof![
            any::<i64>(),
            (DATETIME_MIN_MS - 2)..=(DATETIME_MIN_MS + 1),
            (DATETIME_MAX_MS - 1)..=(DATETIME_MAX_MS + 2),
        ],
    ) {
        let mut doc = ::bson::Document::new();
        doc.insert("t", ::bson::DateTime::from_millis(ms));
        let bytes = doc.to_vec().expect("bson crate encode");
        let in_range = (DATETIME_MIN_MS..=DATETIME_MAX_MS).contains(&ms);
        let read = ours::read(&bytes, &Limits::default());
        prop_assert_eq!(read.is_ok(), in_range, "{:?}", read);
        if !in_range {
            let refused = matches!(
                read,
                Err(beaker_session_jwt::Error::Unsupported {
                    layer: beaker_session_jwt::Layer::Bson,
                    offset: 7,
                    ..
                })
            );
            prop_assert!(refused, "{:?}", read);
        }
        prop_assert_eq!(ours::view(&bytes, &Limits::default()).err(), read.clone().err());
        let mut written = Document::new();
        written.insert("t", Value::DateTime(ms));
        prop_assert_eq!(ours::write(&written).map(|b| b == bytes).is_ok(), in_range);
        if let Ok(doc) = read {
            prop_assert!(both_agree(&bytes)?);
            prop_assert_eq!(doc.get("t"), Some(&Value::DateTime(ms)));
        }
    }
}
