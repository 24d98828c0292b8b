//! A validated, borrowed view of a BSON document (<https://bsonspec.org/spec.html>): read a few
//! keys of a session without building the whole tree or copying its strings.
//!
//! [`view()`] runs the same reader as [`read`](super::read()) — every check, every bound, the
//! same error for the same bytes — but builds nothing. Lookups then walk the validated bytes.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::read;
use crate::error::{Error, Layer, Result};
use crate::limits::Limits;
use crate::reader::Reader;
use crate::value::{CodeWithScope, DbPointer, Document, Regex, Str, Value};

/// Validates `bytes` exactly as [`read`](super::read()) does and returns a view of it.
///
/// ```
/// use beaker_session_jwt::{bson, Document, Limits};
/// let mut doc = Document::new();
/// doc.insert("user", "alice");
/// doc.insert("n", 7);
/// let bytes = bson::write(&doc)?;
/// let view = bson::view(&bytes, &Limits::default())?;
/// assert_eq!(view.get("user").and_then(|v| v.as_str()), Some("alice"));
/// assert_eq!(view.to_document()?, doc);
/// # Ok::<(), beaker_session_jwt::Error>(())
/// ```
///
/// # Errors
/// As [`read`](super::read()): the same error, at the same offset, for every input.
///
/// # Limits
/// As [`read`](super::read()). Validation allocates one small stack of open containers
/// (nothing per element); lookups allocate nothing.
pub fn view<'a>(bytes: &'a [u8], limits: &Limits) -> Result<DocumentView<'a>> {
    read::check(bytes, limits)?;
    Ok(DocumentView { bytes })
}

/// A validated BSON document, borrowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocumentView<'a> {
    /// The whole document: length, elements, terminator.
    bytes: &'a [u8],
}

/// A validated BSON array, borrowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArrayView<'a> {
    bytes: &'a [u8],
}

/// One value of a viewed document: [`Value`] with borrowed strings, bytes and containers.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum ValueRef<'a> {
    /// BSON 0x01.
    Double(f64),
    /// BSON 0x02, and the deprecated symbol (0x0E), which pymongo reads as a `str`.
    String(&'a str),
    /// BSON 0x03.
    Document(DocumentView<'a>),
    /// BSON 0x04.
    Array(ArrayView<'a>),
    /// BSON 0x05 (for subtype 2, the bytes after the inner length).
    Binary {
        /// The BSON binary subtype.
        subtype: u8,
        /// The bytes.
        bytes: &'a [u8],
    },
    /// BSON 0x07.
    ObjectId([u8; 12]),
    /// BSON 0x08.
    Bool(bool),
    /// BSON 0x09, milliseconds since the Unix epoch, within years 1..=9999.
    DateTime(i64),
    /// BSON 0x0A, and the deprecated undefined (0x06), which pymongo reads as `None`.
    Null,
    /// BSON 0x0B.
    Regex {
        /// The pattern.
        pattern: &'a str,
        /// The option letters, as stored.
        options: &'a str,
    },
    /// BSON 0x0C.
    DbPointer {
        /// The collection namespace.
        namespace: &'a str,
        /// The referenced ObjectId.
        id: [u8; 12],
    },
    /// BSON 0x0D.
    JavaScript(&'a str),
    /// BSON 0x0F.
    JavaScriptWithScope {
        /// The code.
        code: &'a str,
        /// The scope document.
        scope: DocumentView<'a>,
    },
    /// BSON 0x10.
    Int32(i32),
    /// BSON 0x11.
    Timestamp {
        /// Seconds since the epoch (the high 32 bits).
        time: u32,
        /// The ordinal (the low 32 bits).
        increment: u32,
    },
    /// BSON 0x12.
    Int64(i64),
    /// BSON 0x13, its 16 little-endian bytes.
    Decimal128([u8; 16]),
    /// BSON 0xFF.
    MinKey,
    /// BSON 0x7F.
    MaxKey,
}

impl<'a> DocumentView<'a> {
    /// The value under `key`; for a key written more than once, the last value (pymongo's
    /// rule, as [`Document::from_entries`]).
    ///
    /// # Limits
    /// One pass over this document's elements (not into nested ones); allocates nothing.
    pub fn get(&self, key: &str) -> Option<ValueRef<'a>> {
        let mut found = None;
        for (k, v) in Elements::new(self.bytes) {
            if k == key.as_bytes() {
                found = Some(v);
            }
        }
        found
    }

    /// True when `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        Elements::new(self.bytes).any(|(k, _)| k == key.as_bytes())
    }

    /// The elements in stored order, a repeated key as often as it was written (unlike
    /// [`Document`], which keeps one entry per key: use [`DocumentView::to_document`] for that).
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, ValueRef<'a>)> + 'a {
        // Keys were checked to be UTF-8 when the view was made.
        Elements::new(self.bytes).filter_map(|(k, v)| core::str::from_utf8(k).ok().map(|k| (k, v)))
    }

    /// The document's bytes (length prefix to terminator).
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// An owned copy, exactly what [`read`](super::read()) returns for these bytes.
    ///
    /// # Errors
    /// None for a view made by [`view()`] (the bytes were validated); the `Result` only keeps
    /// every path free of panics.
    ///
    /// # Limits
    /// Those the view was validated under.
    pub fn to_document(&self) -> Result<Document> {
        match read::read_validated(self.bytes, false)? {
            Value::Document(doc) => Ok(doc),
            _ => Err(wrong_kind()),
        }
    }
}

impl<'a> ArrayView<'a> {
    /// The elements in order.
    pub fn iter(&self) -> impl Iterator<Item = ValueRef<'a>> + 'a {
        Elements::new(self.bytes).map(|(_, v)| v)
    }

    /// The element at `index` (a walk over the ones before it).
    pub fn get(&self, index: usize) -> Option<ValueRef<'a>> {
        self.iter().nth(index)
    }

    /// The number of elements (a walk over them).
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// True when the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// An owned copy, exactly what [`read`](super::read()) holds for this array.
    ///
    /// # Errors
    /// As [`DocumentView::to_document`].
    pub fn to_vec(&self) -> Result<Vec<Value>> {
        match read::read_validated(self.bytes, true)? {
            Value::Array(values) => Ok(values),
            _ => Err(wrong_kind()),
        }
    }
}

impl<'a> ValueRef<'a> {
    /// The string, if this is a `String`.
    pub fn as_str(&self) -> Option<&'a str> {
        match *self {
            ValueRef::String(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, if this is an `Int32` or an `Int64`.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            ValueRef::Int32(i) => Some(i64::from(i)),
            ValueRef::Int64(i) => Some(i),
            _ => None,
        }
    }

    /// The value as a number, as [`Value::as_f64`].
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            ValueRef::Double(d) => Some(d),
            ValueRef::Int32(i) => Some(f64::from(i)),
            // As `Value::as_f64`: exact below 2^53, which timestamps are.
            ValueRef::Int64(i) => Some(i as f64),
            _ => None,
        }
    }

    /// The boolean, if this is a `Bool`.
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            ValueRef::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// An owned copy.
    ///
    /// # Errors
    /// As [`DocumentView::to_document`].
    pub fn to_value(&self) -> Result<Value> {
        Ok(match *self {
            ValueRef::Document(d) => Value::Document(d.to_document()?),
            ValueRef::Array(a) => Value::Array(a.to_vec()?),
            ValueRef::JavaScriptWithScope { code, scope } => {
                Value::JavaScriptWithScope(Box::new(CodeWithScope {
                    code: Str::from(code),
                    scope: scope.to_document()?,
                }))
            }
            scalar => read::scalar_value(scalar)?,
        })
    }

    /// The owned value of a type without children; `None` for a container.
    #[inline]
    pub(crate) fn scalar_to_value(self) -> Option<Value> {
        Some(match self {
            ValueRef::Double(d) => Value::Double(d),
            ValueRef::String(s) => Value::String(Str::from(s)),
            ValueRef::Binary { subtype, bytes } => Value::Binary {
                subtype,
                bytes: bytes.to_vec(),
            },
            ValueRef::ObjectId(id) => Value::ObjectId(id),
            ValueRef::Bool(b) => Value::Bool(b),
            ValueRef::DateTime(ms) => Value::DateTime(ms),
            ValueRef::Null => Value::Null,
            ValueRef::Regex { pattern, options } => Value::Regex(Box::new(Regex {
                pattern: Str::from(pattern),
                options: Str::from(options),
            })),
            ValueRef::DbPointer { namespace, id } => Value::DbPointer(Box::new(DbPointer {
                namespace: Str::from(namespace),
                id,
            })),
            ValueRef::JavaScript(s) => Value::JavaScript(Str::from(s)),
            ValueRef::Int32(i) => Value::Int32(i),
            ValueRef::Timestamp { time, increment } => Value::Timestamp { time, increment },
            ValueRef::Int64(i) => Value::Int64(i),
            ValueRef::Decimal128(d) => Value::Decimal128(d),
            ValueRef::MinKey => Value::MinKey,
            ValueRef::MaxKey => Value::MaxKey,
            ValueRef::Document(_) | ValueRef::Array(_) | ValueRef::JavaScriptWithScope { .. } => {
                return None
            }
        })
    }
}

/// What reading validated bytes again gives if it builds another kind of container than the
/// one asked for (it cannot: the reader builds the root it is told to).
fn wrong_kind() -> Error {
    Error::malformed(Layer::Bson, 0, "container of the wrong kind")
}

/// Walks the elements of a validated container: raw key bytes and value. Any inconsistency
/// (impossible after validation) ends the walk instead of panicking.
struct Elements<'a> {
    r: Reader<'a>,
}

impl<'a> Elements<'a> {
    fn new(bytes: &'a [u8]) -> Elements<'a> {
        let mut r = Reader::new(bytes);
        // The length prefix; a container too short for one has no elements.
        if r.take_array::<4>().is_none() {
            r.rest();
        }
        Elements { r }
    }

    fn next_element(&mut self) -> Option<(&'a [u8], ValueRef<'a>)> {
        let r = &mut self.r;
        let tag = r.byte()?;
        if tag == 0 {
            return None;
        }
        let key = r.take_until(0)?;
        let value = match tag {
            0x01 => ValueRef::Double(f64::from_le_bytes(r.take_array()?)),
            0x02 => ValueRef::String(string(r)?),
            0x03 => ValueRef::Document(DocumentView {
                bytes: container(r)?,
            }),
            0x04 => ValueRef::Array(ArrayView {
                bytes: container(r)?,
            }),
            0x0F => {
                let mut element = Reader::new(container(r)?);
                element.take_array::<4>()?;
                let code = string(&mut element)?;
                ValueRef::JavaScriptWithScope {
                    code,
                    scope: DocumentView {
                        bytes: element.rest(),
                    },
                }
            }
            0x05 => {
                let len = length(r.take_array()?)?;
                let subtype = r.byte()?;
                let data = r.take(len)?;
                let bytes = if subtype == 0x02 {
                    let mut old = Reader::new(data);
                    old.take_array::<4>()?;
                    old.rest()
                } else {
                    data
                };
                ValueRef::Binary { subtype, bytes }
            }
            0x06 => ValueRef::Null,
            0x07 => ValueRef::ObjectId(r.take_array()?),
            0x08 => ValueRef::Bool(r.take_array::<1>()? == [1]),
            0x09 => ValueRef::DateTime(i64::from_le_bytes(r.take_array()?)),
            0x0A => ValueRef::Null,
            0x0B => {
                let pattern = r.take_until(0)?;
                let options = r.take_until(0)?;
                ValueRef::Regex {
                    pattern: core::str::from_utf8(pattern).ok()?,
                    options: core::str::from_utf8(options).ok()?,
                }
            }
            0x0C => {
                let namespace = string(r)?;
                ValueRef::DbPointer {
                    namespace,
                    id: r.take_array()?,
                }
            }
            0x0D => ValueRef::JavaScript(string(r)?),
            0x0E => ValueRef::String(string(r)?),
            0x10 => ValueRef::Int32(i32::from_le_bytes(r.take_array()?)),
            0x11 => {
                let raw = u64::from_le_bytes(r.take_array()?);
                ValueRef::Timestamp {
                    time: (raw >> 32) as u32,
                    increment: raw as u32,
                }
            }
            0x12 => ValueRef::Int64(i64::from_le_bytes(r.take_array()?)),
            0x13 => ValueRef::Decimal128(r.take_array()?),
            0x7F => ValueRef::MaxKey,
            0xFF => ValueRef::MinKey,
            _ => return None,
        };
        Some((key, value))
    }
}

impl<'a> Iterator for Elements<'a> {
    type Item = (&'a [u8], ValueRef<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let item = self.next_element();
        if item.is_none() {
            // Stay ended.
            self.r.rest();
        }
        item
    }
}

/// A validated int32 length (never negative).
#[inline]
fn length(le: [u8; 4]) -> Option<usize> {
    usize::try_from(i32::from_le_bytes(le)).ok()
}

/// The bytes of the container (length prefix to terminator) next in `r`.
#[inline]
fn container<'a>(r: &mut Reader<'a>) -> Option<&'a [u8]> {
    let len = length(r.peek_array()?)?;
    r.take(len)
}

/// A length-prefixed string (length counting the NUL, bytes, NUL).
#[inline]
fn string<'a>(r: &mut Reader<'a>) -> Option<&'a str> {
    let len = length(r.take_array()?)?;
    let (_nul, text) = r.take(len)?.split_last()?;
    core::str::from_utf8(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bson::{read, write};
    use crate::error::{Error, Layer};
    use alloc::vec;

    fn sample() -> Document {
        let mut inner = Document::new();
        inner.insert("x", 1);
        inner.insert("s", "deep");
        let mut doc = Document::new();
        doc.insert("s", "h\u{e9}llo");
        doc.insert("n", 7);
        doc.insert("big", Value::Int64(1 << 40));
        doc.insert("d", 1.5);
        doc.insert("inner", inner.clone());
        doc.insert(
            "list",
            vec![Value::from("a"), Value::Document(inner), Value::Null],
        );
        doc.insert(
            "bin",
            Value::Binary {
                subtype: 2,
                bytes: vec![1, 2, 3],
            },
        );
        doc.insert(
            "cws",
            Value::JavaScriptWithScope(Box::new(CodeWithScope {
                code: "y".into(),
                scope: Document::new(),
            })),
        );
        doc.insert(
            "re",
            Value::Regex(Box::new(Regex {
                pattern: "^a".into(),
                options: "i".into(),
            })),
        );
        doc.insert("t", true);
        doc
    }

    #[test]
    fn bson_view_gets_every_key_as_read_does() {
        let doc = sample();
        let bytes = write(&doc).unwrap();
        let view = view(&bytes, &Limits::default()).unwrap();
        for (key, value) in doc.iter() {
            assert_eq!(view.get(key).unwrap().to_value().unwrap(), *value, "{key}");
        }
        assert_eq!(view.get("s").unwrap().as_str(), Some("h\u{e9}llo"));
        assert_eq!(view.get("big").unwrap().as_i64(), Some(1 << 40));
        assert_eq!(view.get("t").unwrap().as_bool(), Some(true));
        assert!(view.get("missing").is_none());
        assert_eq!(
            view.to_document().unwrap(),
            read(&bytes, &Limits::default()).unwrap()
        );
        let Some(ValueRef::Array(list)) = view.get("list") else {
            panic!("list")
        };
        assert_eq!(list.len(), 3);
        assert_eq!(list.get(0).unwrap().as_str(), Some("a"));
        assert_eq!(view.iter().count(), doc.len());
    }

    #[test]
    fn bson_view_last_value_wins_for_repeated_keys() {
        // {"a": 1, "b": 2, "a": 3}
        let bytes = [
            26, 0, 0, 0, 0x10, b'a', 0, 1, 0, 0, 0, 0x10, b'b', 0, 2, 0, 0, 0, 0x10, b'a', 0, 3, 0,
            0, 0, 0,
        ];
        let view = view(&bytes, &Limits::default()).unwrap();
        assert_eq!(view.get("a"), Some(ValueRef::Int32(3)));
        assert_eq!(view.iter().count(), 3);
        assert_eq!(
            view.to_document().unwrap(),
            read(&bytes, &Limits::default()).unwrap()
        );
    }

    #[test]
    fn bson_view_reads_deprecated_types_and_datetimes_as_read_does() {
        // {"s": Symbol("x"), "u": Undefined, "t": DateTime(t)}, for t at and past the bounds.
        for (ms, readable) in [
            (read::DATETIME_MIN_MS, true),
            (read::DATETIME_MAX_MS, true),
            (read::DATETIME_MIN_MS - 1, false),
            (read::DATETIME_MAX_MS + 1, false),
        ] {
            let mut bytes = vec![28, 0, 0, 0, 0x0E, b's', 0, 2, 0, 0, 0, b'x', 0];
            bytes.extend_from_slice(&[0x06, b'u', 0, 0x09, b't', 0]);
            bytes.extend_from_slice(&ms.to_le_bytes());
            bytes.push(0);
            assert_eq!(bytes.len(), 28);
            let got = view(&bytes, &Limits::default());
            match read(&bytes, &Limits::default()) {
                Ok(doc) => {
                    assert!(readable, "{ms}");
                    let got = got.unwrap();
                    assert_eq!(got.get("s"), Some(ValueRef::String("x")));
                    assert_eq!(got.get("u"), Some(ValueRef::Null));
                    assert_eq!(got.get("t"), Some(ValueRef::DateTime(ms)));
                    assert_eq!(got.to_document().unwrap(), doc);
                    assert_eq!(doc.get("s"), Some(&Value::from("x")));
                    assert_eq!(doc.get("u"), Some(&Value::Null));
                }
                Err(e) => {
                    assert!(!readable, "{ms}");
                    assert_eq!(got.unwrap_err(), e);
                }
            }
        }
    }

    #[test]
    fn bson_view_refuses_what_read_refuses() {
        let good = write(&sample()).unwrap();
        let tight = Limits {
            max_items: 5,
            ..Limits::default()
        };
        assert_eq!(
            view(&good, &tight).unwrap_err(),
            read(&good, &tight).unwrap_err()
        );
        // Every truncation and every single-byte change gives the same verdict as `read`.
        for cut in 0..good.len() {
            let bytes = &good[..cut];
            assert_eq!(
                view(bytes, &Limits::default()).err(),
                read(bytes, &Limits::default()).err()
            );
        }
        for at in 0..good.len() {
            for delta in [1u8, 0x80, 0xFF] {
                let mut bytes = good.clone();
                bytes[at] = bytes[at].wrapping_add(delta);
                let got = view(&bytes, &Limits::default());
                match read(&bytes, &Limits::default()) {
                    Ok(doc) => assert_eq!(got.unwrap().to_document().unwrap(), doc),
                    Err(e) => assert_eq!(got.unwrap_err(), e, "byte {at} + {delta}"),
                }
            }
        }
        assert!(matches!(
            view(b"\x05\x00\x00\x00", &Limits::default()),
            Err(Error::Malformed {
                layer: Layer::Bson,
                ..
            })
        ));
    }
}
