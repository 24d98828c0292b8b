//! (feature `bson`) [`Value`] / [`Document`] <-> the `bson` crate's `Bson` / `Document`
//! (<https://docs.rs/bson/3>), one variant onto the same variant, nothing converted.
//!
//! Both ways are lossless for every value [`crate::bson::write`] accepts. The one value the `bson`
//! crate cannot hold is a regex whose pattern or options contain a NUL byte (its `CString`
//! refuses one, and BSON cannot store one); [`to_bson`] gives that the Extended JSON shape
//! `{"$regularExpression": {"pattern": .., "options": ..}}` as a plain document, which keeps the
//! text but comes back from [`from_bson`] as a document.
//!
//! The conversions recurse once per nesting level: a value read by this crate is at most
//! [`Limits::MAX_DEPTH`](crate::Limits::MAX_DEPTH) levels deep.

use alloc::boxed::Box;
use alloc::string::String;

use ::bson::raw::CString;
use ::bson::spec::BinarySubtype;

use crate::value::{CodeWithScope, DbPointer, Document, Regex, Str, Value};

/// Converts a value to the `bson` crate's `Bson`, variant for variant.
///
/// A Binary keeps its subtype byte (subtype 2 holds the bytes after the inner length, as in both
/// crates). Regex options are kept as stored (not sorted). A regex holding a NUL byte becomes a
/// document (see the module docs).
///
/// # Errors
/// None.
///
/// # Limits
/// Recursion as deep as `value` is nested.
pub fn to_bson(value: &Value) -> ::bson::Bson {
    use ::bson::Bson;
    match value {
        Value::Double(d) => Bson::Double(*d),
        Value::String(s) => Bson::String(String::from(s)),
        Value::Document(d) => Bson::Document(to_bson_document(d)),
        Value::Array(a) => Bson::Array(a.iter().map(to_bson).collect()),
        Value::Binary { subtype, bytes } => Bson::Binary(::bson::Binary {
            subtype: BinarySubtype::from(*subtype),
            bytes: bytes.clone(),
        }),
        Value::Undefined => Bson::Undefined,
        Value::ObjectId(id) => Bson::ObjectId(::bson::oid::ObjectId::from_bytes(*id)),
        Value::Bool(b) => Bson::Boolean(*b),
        Value::DateTime(ms) => Bson::DateTime(::bson::DateTime::from_millis(*ms)),
        Value::Null => Bson::Null,
        Value::Regex(regex) => {
            let Regex { pattern, options } = &**regex;
            match (
                CString::try_from(pattern.as_str()),
                CString::try_from(options.as_str()),
            ) {
                (Ok(pattern), Ok(options)) => {
                    Bson::RegularExpression(::bson::Regex { pattern, options })
                }
                _ => {
                    let mut body = ::bson::Document::new();
                    body.insert("pattern", pattern.as_str());
                    body.insert("options", options.as_str());
                    let mut shape = ::bson::Document::new();
                    shape.insert("$regularExpression", body);
                    Bson::Document(shape)
                }
            }
        }
        Value::DbPointer(pointer) => db_pointer_to_bson(&pointer.namespace, &pointer.id),
        Value::JavaScript(code) => Bson::JavaScriptCode(String::from(code)),
        Value::Symbol(s) => Bson::Symbol(String::from(s)),
        Value::JavaScriptWithScope(cws) => {
            Bson::JavaScriptCodeWithScope(::bson::JavaScriptCodeWithScope {
                code: String::from(&cws.code),
                scope: to_bson_document(&cws.scope),
            })
        }
        Value::Int32(i) => Bson::Int32(*i),
        Value::Timestamp { time, increment } => Bson::Timestamp(::bson::Timestamp {
            time: *time,
            increment: *increment,
        }),
        Value::Int64(i) => Bson::Int64(*i),
        Value::Decimal128(bytes) => Bson::Decimal128(::bson::Decimal128::from_bytes(*bytes)),
        Value::MinKey => Bson::MinKey,
        Value::MaxKey => Bson::MaxKey,
    }
}

/// Converts a `Bson` value to ours, variant for variant.
///
/// # Errors
/// None.
///
/// # Limits
/// Recursion as deep as `value` is nested.
pub fn from_bson(value: &::bson::Bson) -> Value {
    use ::bson::Bson;
    match value {
        Bson::Double(d) => Value::Double(*d),
        Bson::String(s) => Value::String(Str::from(s)),
        Bson::Array(a) => Value::Array(a.iter().map(from_bson).collect()),
        Bson::Document(d) => Value::Document(from_bson_document(d)),
        Bson::Boolean(b) => Value::Bool(*b),
        Bson::Null => Value::Null,
        Bson::RegularExpression(re) => Value::Regex(Box::new(Regex {
            pattern: Str::from(re.pattern.as_str()),
            options: Str::from(re.options.as_str()),
        })),
        Bson::JavaScriptCode(code) => Value::JavaScript(Str::from(code)),
        Bson::JavaScriptCodeWithScope(cws) => Value::JavaScriptWithScope(Box::new(CodeWithScope {
            code: Str::from(&cws.code),
            scope: from_bson_document(&cws.scope),
        })),
        Bson::Int32(i) => Value::Int32(*i),
        Bson::Int64(i) => Value::Int64(*i),
        Bson::Timestamp(ts) => Value::Timestamp {
            time: ts.time,
            increment: ts.increment,
        },
        Bson::Binary(b) => Value::Binary {
            subtype: u8::from(b.subtype),
            bytes: b.bytes.clone(),
        },
        Bson::ObjectId(id) => Value::ObjectId(id.bytes()),
        Bson::DateTime(dt) => Value::DateTime(dt.timestamp_millis()),
        Bson::Symbol(s) => Value::Symbol(Str::from(s)),
        Bson::Decimal128(d) => Value::Decimal128(d.bytes()),
        Bson::Undefined => Value::Undefined,
        Bson::MaxKey => Value::MaxKey,
        Bson::MinKey => Value::MinKey,
        Bson::DbPointer(_) => db_pointer_from_bson(value),
    }
}

/// Converts a document to the `bson` crate's `Document`, keeping key order.
///
/// # Errors
/// None.
///
/// # Limits
/// Recursion as deep as `doc` is nested.
pub fn to_bson_document(doc: &Document) -> ::bson::Document {
    let mut out = ::bson::Document::new();
    for (key, value) in doc {
        out.insert(key, to_bson(value));
    }
    out
}

/// Converts a `bson` crate `Document` to ours, keeping key order.
///
/// # Errors
/// None.
///
/// # Limits
/// Recursion as deep as `doc` is nested.
pub fn from_bson_document(doc: &::bson::Document) -> Document {
    Document::from_entries(
        doc.iter()
            .map(|(key, value)| (Str::from(key), from_bson(value)))
            .collect(),
    )
}

/// The `bson` crate keeps a DBPointer's fields private and offers no constructor, so the value
/// goes through its own reader: `{"": DBPointer}` as BSON bytes.
fn db_pointer_to_bson(namespace: &str, id: &[u8; 12]) -> ::bson::Bson {
    let mut doc = Document::new();
    doc.insert(
        "",
        Value::DbPointer(Box::new(DbPointer {
            namespace: Str::from(namespace),
            id: *id,
        })),
    );
    let parsed = crate::bson::write(&doc)
        .ok()
        .and_then(|bytes| ::bson::Document::from_reader(bytes.as_slice()).ok())
        .and_then(|mut parsed| parsed.remove(""));
    match parsed {
        Some(pointer @ ::bson::Bson::DbPointer(_)) => pointer,
        // Unreachable (a String namespace and 12 bytes always make a valid DBPointer); if the
        // `bson` crate ever refused one, keep the data in the shape pymongo reads it as: a DBRef.
        _ => {
            let mut dbref = ::bson::Document::new();
            dbref.insert("$ref", namespace);
            dbref.insert("$id", ::bson::oid::ObjectId::from_bytes(*id));
            ::bson::Bson::Document(dbref)
        }
    }
}

/// Reads a DBPointer's private fields back by writing it with the `bson` crate (the element
/// `{"": DBPointer}`: 4-byte length, type, empty key, string, 12-byte id, terminator).
fn db_pointer_from_bson(pointer: &::bson::Bson) -> Value {
    let mut doc = ::bson::Document::new();
    doc.insert("", pointer.clone());
    let fields = doc.to_vec().ok().and_then(|bytes| {
        let len = usize::try_from(u32::from_le_bytes(bytes.get(6..10)?.try_into().ok()?)).ok()?;
        let namespace_end = 10usize.checked_add(len)?.checked_sub(1)?;
        let namespace = core::str::from_utf8(bytes.get(10..namespace_end)?).ok()?;
        let id: [u8; 12] = bytes
            .get(namespace_end.checked_add(1)?..namespace_end.checked_add(13)?)?
            .try_into()
            .ok()?;
        Some(Value::DbPointer(Box::new(DbPointer {
            namespace: Str::from(namespace),
            id,
        })))
    });
    // Unreachable: the `bson` crate always writes a DBPointer it holds. Null stands in rather
    // than a panic.
    fields.unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Error, Layer};
    use alloc::vec;

    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z in ms: the datetimes `bson::write`
    /// writes (those pymongo reads), the same bounds as `bson/read.rs`.
    const DATETIME_MIN_MS: i64 = -62_135_596_800_000;
    const DATETIME_MAX_MS: i64 = 253_402_300_799_999;

    fn every_type() -> Document {
        let mut scope = Document::new();
        scope.insert("y", Value::Int32(2));
        let mut inner = Document::new();
        inner.insert("a", Value::Int64(1));
        let mut d = Document::new();
        d.insert("double", Value::Double(-0.0));
        d.insert("nan", Value::Double(f64::from_bits(0x7FF8_0000_0000_0012)));
        d.insert("string", Value::from("h\u{e9}\0llo"));
        d.insert("doc", Value::Document(inner));
        d.insert("arr", Value::Array(vec![Value::Null, Value::from("x")]));
        for subtype in [0u8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x0A, 0x7F, 0x80, 0xFF] {
            d.insert(
                alloc::format!("bin{subtype}"),
                Value::Binary {
                    subtype,
                    bytes: vec![subtype, 1, 2],
                },
            );
        }
        d.insert("undefined", Value::Undefined);
        d.insert("oid", Value::ObjectId([7; 12]));
        d.insert("bool", Value::Bool(true));
        d.insert("dt", Value::DateTime(i64::MIN));
        d.insert("null", Value::Null);
        d.insert(
            "re",
            Value::Regex(Box::new(Regex {
                pattern: "^a.*".into(),
                options: "xmi".into(),
            })),
        );
        d.insert(
            "dbp",
            Value::DbPointer(Box::new(DbPointer {
                namespace: "db.c\0x\u{2603}".into(),
                id: [0xAB; 12],
            })),
        );
        d.insert("code", Value::JavaScript("x+1".into()));
        d.insert("sym", Value::Symbol("s".into()));
        d.insert(
            "cws",
            Value::JavaScriptWithScope(Box::new(CodeWithScope {
                code: "y".into(),
                scope,
            })),
        );
        d.insert("i32", Value::Int32(i32::MIN));
        d.insert(
            "ts",
            Value::Timestamp {
                time: u32::MAX,
                increment: 1,
            },
        );
        d.insert("i64", Value::Int64(i64::MAX));
        d.insert("dec", Value::Decimal128([0x11; 16]));
        d.insert("min", Value::MinKey);
        d.insert("max", Value::MaxKey);
        d.insert("nul\0key", Value::Null);
        d
    }

    #[test]
    fn interop_round_trips_every_type() {
        let d = every_type();
        assert_eq!(from_bson_document(&to_bson_document(&d)), d);
    }

    #[test]
    fn interop_bytes_match_the_bson_crate() {
        let mut d = every_type();
        d.remove("nul\0key");
        // Our writer sorts regex options; the `bson` crate writes them as held.
        d.insert(
            "re",
            Value::Regex(Box::new(Regex {
                pattern: "^a.*".into(),
                options: "imx".into(),
            })),
        );
        // `every_type`'s i64::MIN converts both ways, but no Python `datetime` holds it, so our
        // writer refuses it (below); the bytes compared carry the extremes pymongo reads.
        d.insert("dt", Value::DateTime(DATETIME_MIN_MS));
        d.insert("dt_max", Value::DateTime(DATETIME_MAX_MS));
        let ours = crate::bson::write(&d).unwrap();
        let theirs = to_bson_document(&d).to_vec().unwrap();
        assert_eq!(ours, theirs);
        let parsed = ::bson::Document::from_reader(ours.as_slice()).unwrap();
        assert_eq!(from_bson_document(&parsed), d);
    }

    #[test]
    fn interop_datetime_outside_years_1_to_9999_is_held_but_not_written() {
        for ms in [i64::MIN, DATETIME_MIN_MS - 1, DATETIME_MAX_MS + 1, i64::MAX] {
            let mut d = Document::new();
            d.insert("dt", Value::DateTime(ms));
            // The `bson` crate holds and writes any i64; the conversion keeps it.
            let theirs = to_bson_document(&d);
            assert_eq!(from_bson_document(&theirs), d);
            assert!(theirs.to_vec().is_ok());
            assert!(matches!(
                crate::bson::write(&d),
                Err(Error::Unwritable { layer: Layer::Bson, key, .. }) if key.as_str() == "dt"
            ));
        }
    }

    #[test]
    fn interop_variants_map_one_to_one() {
        use ::bson::Bson;
        let d = every_type();
        let b = to_bson_document(&d);
        assert!(matches!(b.get("sym"), Some(Bson::Symbol(_))));
        assert!(matches!(b.get("undefined"), Some(Bson::Undefined)));
        assert!(matches!(b.get("dbp"), Some(Bson::DbPointer(_))));
        assert!(matches!(b.get("i64"), Some(Bson::Int64(1..))));
        assert!(matches!(
            b.get("bin2"),
            Some(Bson::Binary(::bson::Binary {
                subtype: BinarySubtype::BinaryOld,
                ..
            }))
        ));
        match b.get("ts") {
            Some(Bson::Timestamp(ts)) => assert_eq!((ts.time, ts.increment), (u32::MAX, 1)),
            other => panic!("{other:?}"),
        }
        match b.get("re") {
            Some(Bson::RegularExpression(re)) => assert_eq!(re.options.as_str(), "xmi"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn interop_regex_with_nul_keeps_its_text_as_a_document() {
        let v = Value::Regex(Box::new(Regex {
            pattern: "a\0b".into(),
            options: "i".into(),
        }));
        let b = to_bson(&v);
        let Value::Document(shape) = from_bson(&b) else {
            panic!("{b:?}")
        };
        let Some(Value::Document(body)) = shape.get("$regularExpression") else {
            panic!("{shape:?}")
        };
        assert_eq!(body.get("pattern"), Some(&Value::from("a\0b")));
        assert_eq!(body.get("options"), Some(&Value::from("i")));
    }
}
