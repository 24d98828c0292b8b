//! Bounded JSON reading and writing, compatible with Python's `json` module as
//! beaker-session-jwt 1.0.4 uses it (CPython 3.11 `Lib/json/__init__.py` `loads`/`dumps` with the
//! C scanner and encoder of `Modules/_json.c`, and `float.__repr__`).
//!
//! Reading follows `json.loads(bytes)`: the text encoding is detected the way
//! `json.detect_encoding` does (UTF-8 with or without a BOM, UTF-16 and UTF-32 in either byte
//! order), `NaN`, `Infinity` and `-Infinity` are read as doubles, a repeated object key keeps its
//! first position and its last value, and nothing but space, tab, LF and CR counts as whitespace.
//! Writing gives byte for byte what `json.dumps` gives in the three layouts of [`Style`].
//!
//! Where Python builds something a [`Value`] cannot hold, the text is refused with
//! [`Error::Unsupported`] — and only when the whole text is otherwise well-formed, so
//! [`Error::Malformed`] means exactly "Python's `json.loads` would raise too":
//! - an integer outside `i64` (Python reads any size up to its 4,300-digit limit);
//! - a lone surrogate, escaped (`"\ud800"`) or encoded (UTF-8 `ED A0 80`, or a lone UTF-16/32
//!   surrogate), which Python keeps in its `str` but a Rust `String` cannot hold.
//!
//! One job per file: `encoding` detects and decodes the text encoding, `read` parses,
//! `scan` finds the bytes a string run stops at (for both directions), `write` writes,
//! `float` formats a double as Python's `repr` with the digits of `shortest`, and `decimal`
//! reads a number's text as the nearest double.

mod decimal;
mod encoding;
mod float;
mod read;
mod scan;
mod shortest;
mod write;

#[cfg(feature = "legacy")]
pub(crate) use decimal::parse as parse_float;
#[cfg(feature = "legacy")]
pub(crate) use float::repr as float_repr;
pub(crate) use read::Stacks;

use alloc::borrow::Cow;
use alloc::string::String;

use crate::error::{Error, Layer, Result};
use crate::limits::Limits;
use crate::value::{Document, Value};
use read::{parse_on, read_value_in};
use write::Writer;

/// How to lay out written JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Style {
    /// joserfc's claims, `json.dumps(obj, ensure_ascii=False, separators=(",", ":"))`:
    /// non-ASCII written as is.
    Compact,
    /// joserfc's JWS header, `json.dumps(obj, ensure_ascii=True, separators=(",", ":"))`:
    /// every non-ASCII character (and DEL) written as a `\uXXXX` escape.
    CompactAscii,
    /// `json.dumps(obj)` defaults (Beaker's legacy `JsonSerializer`): separators `, ` and `: `,
    /// `ensure_ascii=True`.
    Python,
}

/// Reads a JSON text whose top level is an object, as `json.loads(bytes)` followed by joserfc's
/// `isinstance(claims, dict)` check.
///
/// The text may be UTF-8 (with or without a BOM), UTF-16 or UTF-32, detected as
/// `json.detect_encoding` does. Offsets in errors count bytes of the input for UTF-8 input, and
/// bytes of its UTF-8 re-encoding for UTF-16/32 input.
///
/// ```
/// use beaker_session_jwt::{json, Limits, Value};
/// let doc = json::read(br#"{"a": 1, "b": [NaN, -0], "a": "x"}"#, &Limits::DEFAULT)?;
/// assert_eq!(doc.keys().collect::<Vec<_>>(), ["a", "b"]);
/// assert_eq!(doc.get("a"), Some(&Value::from("x")));
/// # Ok::<(), beaker_session_jwt::Error>(())
/// ```
///
/// # Errors
/// - [`Error::Malformed`] in [`Layer::Json`]: what Python's `json.loads` refuses (invalid
///   UTF-8/16/32, grammar, a raw control character in a string, trailing data, an integer over
///   4,300 digits).
/// - [`Error::Unsupported`] in [`Layer::Json`]: a well-formed text Python reads into something a
///   [`Value`] cannot hold (an integer outside `i64`, a lone surrogate), or whose top level is
///   not an object.
/// - [`Error::LimitExceeded`].
///
/// # Limits
/// `max_depth` (nesting of objects and arrays; the top-level object is depth 1), never more
/// than [`Limits::MAX_DEPTH`]; `max_items` (every value built, containers included);
/// `max_session_bytes` (each value's slot and heap blocks, charged as it is stored); `max_str_len`
/// (bytes of each decoded string or key). Memory is also bounded by the input: the parse keeps
/// at most one copy of it, plus a re-encoded copy for UTF-16/32 input. No recursion: nesting is
/// kept on a heap stack.
pub fn read(text: &[u8], limits: &Limits) -> Result<Document> {
    top_level_object(read_value(text, limits)?)
}

/// Reads any JSON value, as `json.loads(bytes)`.
///
/// # Errors
/// As [`read()`], except that any top-level value is accepted.
///
/// # Limits
/// As [`read()`].
pub fn read_value(text: &[u8], limits: &Limits) -> Result<Value> {
    read_value_in(text, limits, &mut Stacks::one_shot())
}

/// Reads a JSON text already decoded to a string, as `json.loads(str)` does — the path of Beaker's
/// legacy `JsonSerializer.loads`, which decodes the bytes as strict UTF-8 first. Unlike
/// [`read()`], a leading BOM (U+FEFF) is refused and no other encoding is detected.
///
/// # Errors
/// As [`read()`]; a leading BOM is [`Error::Malformed`] (Python: "Unexpected UTF-8 BOM").
///
/// # Limits
/// As [`read()`].
pub fn read_str(text: &str, limits: &Limits) -> Result<Document> {
    read_str_in(text, limits, &mut Stacks::one_shot())
}

/// [`read_str`] on stacks kept by the caller (a `Codec`): the same result, errors included.
pub(crate) fn read_str_in(text: &str, limits: &Limits, stacks: &mut Stacks) -> Result<Document> {
    if text.starts_with('\u{feff}') {
        return Err(Error::malformed(Layer::Json, 0, "unexpected utf-8 bom"));
    }
    top_level_object(parse_on(text, 0, limits, stacks, None)?)
}

/// Writes a document as JSON, byte for byte as Python's `json.dumps` in the given [`Style`].
///
/// ```
/// use beaker_session_jwt::{json, json::Style, Document, Value};
/// let mut doc = Document::new();
/// doc.insert("t", 1e-5);
/// doc.insert("é", vec![Value::Null, Value::from(true)]);
/// assert_eq!(json::write(&doc, Style::Compact)?, r#"{"t":1e-05,"é":[null,true]}"#);
/// assert_eq!(json::write(&doc, Style::Python)?, r#"{"t": 1e-05, "\u00e9": [null, true]}"#);
/// # Ok::<(), beaker_session_jwt::Error>(())
/// ```
///
/// Values are written as Python holds them after pymongo or the legacy reader built them:
/// `Null`, `Bool`, `Int32`, `Int64`, `Double` (as `float.__repr__`, with `NaN`, `Infinity`,
/// `-Infinity`), `String`, `Document` and `Array` map to JSON; `Symbol` is written as a string
/// and `Undefined` as `null`, because pymongo reads them as `str` and `None`.
///
/// # Errors
/// [`Error::Unwritable`] in [`Layer::Json`], naming the top-level key, for any other value
/// (binary, datetime, ObjectId, regex, code, timestamp, decimal128, min/max key, DBPointer):
/// Python's `json.dumps` raises `TypeError` for them. (`bson.code.Code` is a `str` subclass that
/// Python would write as its bare code text, dropping the scope; we refuse it instead.) Also
/// [`Error::Unwritable`] for nesting deeper than [`Limits::MAX_DEPTH`] (the top-level document is depth
/// 1), where `json.dumps` raises `RecursionError`.
///
/// # Limits
/// Nesting up to [`Limits::MAX_DEPTH`]. The output is bounded by the input (at most 12 bytes per input
/// byte, for `\uXXXX\uXXXX` escapes), and nesting is walked with a heap stack, not recursion.
pub fn write(doc: &Document, style: Style) -> Result<String> {
    let mut w = Writer::new(style);
    w.write_document(doc.iter().map(|(k, v)| (k, Cow::Borrowed(v))))?;
    Ok(w.out)
}

/// [`write()`] of a document given as its entries (so a caller can drop or change some without
/// copying the rest).
pub(crate) fn write_entries<'v>(
    entries: impl Iterator<Item = (&'v str, Cow<'v, Value>)>,
    style: Style,
) -> Result<String> {
    let mut w = Writer::new(style);
    w.write_document(entries)?;
    Ok(w.out)
}

/// Writes any value as JSON, as [`write()`] does. An [`Error::Unwritable`] names the top-level
/// key when `value` is a document, and the empty key otherwise.
///
/// # Errors
/// As [`write()`].
///
/// # Limits
/// As [`write()`].
pub fn write_value(value: &Value, style: Style) -> Result<String> {
    let mut w = Writer::new(style);
    match value {
        Value::Document(doc) => w.write_document(doc.iter().map(|(k, v)| (k, Cow::Borrowed(v))))?,
        other => w.write_tree(other, "", 0)?,
    }
    Ok(w.out)
}

fn top_level_object(value: Value) -> Result<Document> {
    match value {
        Value::Document(doc) => Ok(doc),
        // joserfc/jwt.py: `if not isinstance(claims, dict): raise InvalidPayloadError()`.
        _ => Err(Error::unsupported(
            Layer::Json,
            0,
            "top level is not an object",
        )),
    }
}

/// [`read()`] on stacks kept by the caller (a `Codec`): the same result, errors included.
pub(crate) fn read_in(text: &[u8], limits: &Limits, stacks: &mut Stacks) -> Result<Document> {
    top_level_object(read_value_in(text, limits, stacks)?)
}

#[cfg(test)]
pub(super) mod tests {
    //! The reading helpers the tests of every `json` file share, and the tests of the public
    //! surface.
    use super::*;
    use crate::value::Str;
    use alloc::string::ToString;
    use alloc::vec;

    pub(super) fn val(text: &str) -> Result<Value> {
        read_value(text.as_bytes(), &Limits::DEFAULT)
    }

    pub(super) fn ok(text: &str) -> Value {
        match val(text) {
            Ok(v) => v,
            Err(e) => panic!("{text:?}: {e}"),
        }
    }

    pub(super) fn malformed_at(text: &[u8]) -> usize {
        match read_value(text, &Limits::DEFAULT) {
            Err(Error::Malformed {
                layer: Layer::Json,
                offset,
                ..
            }) => offset,
            other => panic!("{text:?}: expected malformed, got {other:?}"),
        }
    }

    pub(super) fn is_unsupported(text: &[u8]) -> bool {
        matches!(
            read_value(text, &Limits::DEFAULT),
            Err(Error::Unsupported {
                layer: Layer::Json,
                ..
            })
        )
    }

    pub(super) fn doc(entries: &[(&str, Value)]) -> Document {
        Document::from_entries(
            entries
                .iter()
                .map(|(k, v)| (Str::from(*k), v.clone()))
                .collect(),
        )
    }

    pub(super) fn s(text: &str) -> Value {
        Value::from(text)
    }

    #[test]
    fn json_read_requires_top_level_object() {
        for text in ["[]", "1", "\"x\"", "null"] {
            assert!(matches!(
                read(text.as_bytes(), &Limits::DEFAULT),
                Err(Error::Unsupported {
                    layer: Layer::Json,
                    ..
                })
            ));
        }
        assert_eq!(read(b"{}", &Limits::DEFAULT), Ok(Document::new()));
        assert!(matches!(
            read(b"[", &Limits::DEFAULT),
            Err(Error::Malformed { .. })
        ));
    }

    #[test]
    fn json_read_str_refuses_bom() {
        assert!(matches!(
            read_str("\u{feff}{}", &Limits::DEFAULT),
            Err(Error::Malformed { offset: 0, .. })
        ));
        assert_eq!(
            read_str("{\"é\": [1.5]}", &Limits::DEFAULT),
            Ok(doc(&[("é", Value::Array(vec![Value::Double(1.5)]))]))
        );
        // No encoding detection: NUL bytes are just invalid JSON.
        assert!(read_str("{\0}\0", &Limits::DEFAULT).is_err());
    }

    #[test]
    fn json_round_trips_python_output() {
        let text = r#"{"_accessed_time": 1700000000.123456, "_creation_time": 1700000000.0, "user": {"id": 42, "name": "Zo\u00eb \ud83d\ude00", "roles": ["a", "b"]}, "n": -9223372036854775808, "f": [NaN, Infinity, -Infinity, -0.0, 1e-05], "t": true, "z": null}"#;
        let d = match read(text.as_bytes(), &Limits::DEFAULT) {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(
            d.get("user").and_then(|u| match u {
                Value::Document(u) => u.get("name").cloned(),
                _ => None,
            }),
            Some(s("Zoë 😀"))
        );
        assert_eq!(write(&d, Style::Python).as_deref(), Ok(text));
    }

    #[test]
    fn json_error_display_names_layer() {
        let e = val("[1,]").err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("json: expecting value at byte 3"));
    }
}
