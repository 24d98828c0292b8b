//! `Value` and `Document`: the one data model every codec reads into and writes from.
//!
//! `Value` has one variant per BSON element type (<https://bsonspec.org/spec.html>), so any
//! session a Python app wrote round-trips losslessly. A `Document` keeps insertion order; a
//! session is a `Document`. Keys and text are [`Str`]: inline up to 22 bytes, so decoding a
//! session does not allocate once per key and per short string.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

pub use crate::small_str::Str;

/// A session: a document of string keys to values, in insertion order.
///
/// ```
/// use beaker_session_jwt::{Session, Value};
/// let mut session = Session::new();
/// session.insert("user_id", 42);
/// session.insert("roles", vec!["admin", "editor"]);
/// session.insert("user_id", 43); // replaces in place, as a Python dict does
/// assert_eq!(session.keys().collect::<Vec<_>>(), ["user_id", "roles"]);
/// assert_eq!(session.get("user_id").and_then(Value::as_i64), Some(43));
/// assert_eq!(session.remove("roles").map(|v| v.kind()), Some("array"));
/// ```
pub type Session = Document;

/// One value of a session.
///
/// Equality compares doubles by their bits, so `NaN == NaN` and `0.0 != -0.0`: two values are
/// equal exactly when they encode to the same BSON.
#[derive(Clone, Debug)]
pub enum Value {
    /// BSON 0x01, Python `float`.
    Double(f64),
    /// BSON 0x02, Python `str`. Build one with `Value::from("text")` or `"text".into()`.
    String(Str),
    /// BSON 0x03, Python `dict`.
    Document(Document),
    /// BSON 0x04, Python `list` (and `tuple` when written).
    Array(Vec<Value>),
    /// BSON 0x05, Python `bytes` (subtype 0) or `bson.binary.Binary`.
    Binary {
        /// The BSON binary subtype.
        subtype: u8,
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// BSON 0x06 (deprecated); pymongo reads it as `None`.
    Undefined,
    /// BSON 0x07, `bson.objectid.ObjectId`.
    ObjectId([u8; 12]),
    /// BSON 0x08, Python `bool`.
    Bool(bool),
    /// BSON 0x09, milliseconds since the Unix epoch (UTC), Python `datetime.datetime`.
    DateTime(i64),
    /// BSON 0x0A, Python `None`.
    Null,
    /// BSON 0x0B, `bson.regex.Regex` (boxed: rare, and larger than the other payloads).
    Regex(Box<Regex>),
    /// BSON 0x0C (deprecated); pymongo reads it as a `DBRef` (boxed: rare, and larger than the
    /// other payloads).
    DbPointer(Box<DbPointer>),
    /// BSON 0x0D, `bson.code.Code` without scope.
    JavaScript(Str),
    /// BSON 0x0E (deprecated); pymongo reads it as `str`.
    Symbol(Str),
    /// BSON 0x0F, `bson.code.Code` with a scope (boxed: rare, and larger than the other
    /// payloads).
    JavaScriptWithScope(Box<CodeWithScope>),
    /// BSON 0x10, a Python `int` that fits 32 bits.
    Int32(i32),
    /// BSON 0x11, `bson.timestamp.Timestamp`.
    Timestamp {
        /// Seconds since the epoch (the high 32 bits).
        time: u32,
        /// The ordinal (the low 32 bits).
        increment: u32,
    },
    /// BSON 0x12, a Python `int` beyond 32 bits or `bson.int64.Int64`.
    Int64(i64),
    /// BSON 0x13, `bson.decimal128.Decimal128`, as its 16 little-endian bytes.
    Decimal128([u8; 16]),
    /// BSON 0xFF.
    MinKey,
    /// BSON 0x7F.
    MaxKey,
}

// Every payload fits 24 bytes beside the tag (`Binary`'s subtype shares the padding), so on a
// 64-bit target a `Value` is 32 bytes and a document entry `(Str, Value)` 56 (smaller on a
// 32-bit one). The session budget charges these figures on every target (`session_bytes`).
#[cfg(target_pointer_width = "64")]
const _: () = assert!(core::mem::size_of::<Value>() == 32);
#[cfg(target_pointer_width = "64")]
const _: () = assert!(core::mem::size_of::<(Str, Value)>() == 56);

/// The payload of [`Value::Regex`]: BSON 0x0B, `bson.regex.Regex`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Regex {
    /// The pattern.
    pub pattern: Str,
    /// The option letters, as stored.
    pub options: Str,
}

/// The payload of [`Value::DbPointer`]: BSON 0x0C (deprecated).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DbPointer {
    /// The collection namespace.
    pub namespace: Str,
    /// The referenced ObjectId.
    pub id: [u8; 12],
}

/// The payload of [`Value::JavaScriptWithScope`]: BSON 0x0F, `bson.code.Code` with a scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeWithScope {
    /// The code.
    pub code: Str,
    /// The scope document.
    pub scope: Document,
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (Double(a), Double(b)) => a.to_bits() == b.to_bits(),
            (String(a), String(b)) | (JavaScript(a), JavaScript(b)) | (Symbol(a), Symbol(b)) => {
                a == b
            }
            (Document(a), Document(b)) => a == b,
            (Array(a), Array(b)) => a == b,
            (
                Binary {
                    subtype: s1,
                    bytes: b1,
                },
                Binary {
                    subtype: s2,
                    bytes: b2,
                },
            ) => s1 == s2 && b1 == b2,
            (ObjectId(a), ObjectId(b)) => a == b,
            (Bool(a), Bool(b)) => a == b,
            (DateTime(a), DateTime(b)) | (Int64(a), Int64(b)) => a == b,
            (Regex(a), Regex(b)) => a == b,
            (DbPointer(a), DbPointer(b)) => a == b,
            (JavaScriptWithScope(a), JavaScriptWithScope(b)) => a == b,
            (Int32(a), Int32(b)) => a == b,
            (
                Timestamp {
                    time: t1,
                    increment: i1,
                },
                Timestamp {
                    time: t2,
                    increment: i2,
                },
            ) => t1 == t2 && i1 == i2,
            (Decimal128(a), Decimal128(b)) => a == b,
            (Undefined, Undefined) | (Null, Null) | (MinKey, MinKey) | (MaxKey, MaxKey) => true,
            _ => false,
        }
    }
}

impl Eq for Value {}

impl Value {
    /// The BSON element type byte of this value.
    pub fn bson_type(&self) -> u8 {
        match self {
            Value::Double(_) => 0x01,
            Value::String(_) => 0x02,
            Value::Document(_) => 0x03,
            Value::Array(_) => 0x04,
            Value::Binary { .. } => 0x05,
            Value::Undefined => 0x06,
            Value::ObjectId(_) => 0x07,
            Value::Bool(_) => 0x08,
            Value::DateTime(_) => 0x09,
            Value::Null => 0x0A,
            Value::Regex(_) => 0x0B,
            Value::DbPointer(_) => 0x0C,
            Value::JavaScript(_) => 0x0D,
            Value::Symbol(_) => 0x0E,
            Value::JavaScriptWithScope(_) => 0x0F,
            Value::Int32(_) => 0x10,
            Value::Timestamp { .. } => 0x11,
            Value::Int64(_) => 0x12,
            Value::Decimal128(_) => 0x13,
            Value::MinKey => 0xFF,
            Value::MaxKey => 0x7F,
        }
    }

    /// A static name for the kind of value, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Double(_) => "double",
            Value::String(_) => "string",
            Value::Document(_) => "document",
            Value::Array(_) => "array",
            Value::Binary { .. } => "binary",
            Value::Undefined => "undefined",
            Value::ObjectId(_) => "objectid",
            Value::Bool(_) => "bool",
            Value::DateTime(_) => "datetime",
            Value::Null => "null",
            Value::Regex(_) => "regex",
            Value::DbPointer(_) => "dbpointer",
            Value::JavaScript(_) => "javascript",
            Value::Symbol(_) => "symbol",
            Value::JavaScriptWithScope(_) => "javascript with scope",
            Value::Int32(_) => "int32",
            Value::Timestamp { .. } => "timestamp",
            Value::Int64(_) => "int64",
            Value::Decimal128(_) => "decimal128",
            Value::MinKey => "minkey",
            Value::MaxKey => "maxkey",
        }
    }

    /// The value as a number of seconds, if it is a double or an integer (how Beaker stores
    /// `_accessed_time` and `_creation_time`).
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Double(d) => Some(d),
            Value::Int32(i) => Some(f64::from(i)),
            // Precision loss above 2^53 matches Python's int/float comparison closely enough
            // for timestamps, which are far below it.
            Value::Int64(i) => Some(i as f64),
            _ => None,
        }
    }

    /// The string, if this is a `String`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// The integer, if this is an `Int32` or an `Int64`: a Python `int` is written as either,
    /// by size, so code reading one should accept both.
    ///
    /// ```
    /// use beaker_session_jwt::Value;
    /// assert_eq!(Value::Int32(7).as_i64(), Some(7));
    /// assert_eq!(Value::Int64(1 << 40).as_i64(), Some(1 << 40));
    /// assert_eq!(Value::Double(7.0).as_i64(), None); // no silent float truncation
    /// ```
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Int32(i) => Some(i64::from(i)),
            Value::Int64(i) => Some(i),
            _ => None,
        }
    }

    /// The boolean, if this is a `Bool` (no truthiness: `Int32(1)` is not `true`).
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The elements, if this is an `Array` (a Python `list` or `tuple`).
    ///
    /// ```
    /// use beaker_session_jwt::Value;
    /// let roles = Value::from(vec!["admin", "editor"]);
    /// let items = roles.as_array().unwrap_or_default();
    /// let names: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
    /// assert_eq!(names, ["admin", "editor"]);
    /// ```
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The elements, mutably, if this is an `Array`.
    pub fn as_array_mut(&mut self) -> Option<&mut Vec<Value>> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The document, if this is a `Document` (a Python `dict`).
    pub fn as_document(&self) -> Option<&Document> {
        match self {
            Value::Document(d) => Some(d),
            _ => None,
        }
    }

    /// The document, mutably, if this is a `Document`.
    pub fn as_document_mut(&mut self) -> Option<&mut Document> {
        match self {
            Value::Document(d) => Some(d),
            _ => None,
        }
    }

    /// Milliseconds since the Unix epoch (UTC), if this is a BSON `DateTime` (a Python
    /// `datetime.datetime`, which pymongo stores in UTC, truncated to the millisecond).
    ///
    /// Beaker's own `_creation_time` and `_accessed_time` are not datetimes but `Double`
    /// seconds: read those with [`Value::as_f64`].
    ///
    /// ```
    /// use beaker_session_jwt::Value;
    /// let at = Value::DateTime(1_700_000_000_123);
    /// assert_eq!(at.as_datetime_millis(), Some(1_700_000_000_123));
    /// assert_eq!(Value::Double(1_700_000_000.0).as_datetime_millis(), None);
    /// ```
    pub fn as_datetime_millis(&self) -> Option<i64> {
        match *self {
            Value::DateTime(ms) => Some(ms),
            _ => None,
        }
    }

    /// The bytes, if this is a `Binary` of any subtype (subtype 0 is a Python `bytes`; match
    /// on [`Value::Binary`] to see the subtype).
    pub fn as_binary(&self) -> Option<&[u8]> {
        match self {
            Value::Binary { bytes, .. } => Some(bytes),
            _ => None,
        }
    }

    /// The 12 bytes, if this is an `ObjectId`.
    pub fn as_object_id(&self) -> Option<[u8; 12]> {
        match *self {
            Value::ObjectId(id) => Some(id),
            _ => None,
        }
    }

    /// True for `Null` and for the deprecated `Undefined`, which pymongo also reads as `None`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null | Value::Undefined)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(Str::from(s))
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(Str::from(s))
    }
}

impl From<Str> for Value {
    fn from(s: Str) -> Value {
        Value::String(s)
    }
}

impl From<i32> for Value {
    fn from(i: i32) -> Value {
        Value::Int32(i)
    }
}

impl From<i8> for Value {
    /// An `Int32`, as pymongo writes a small Python `int`.
    fn from(i: i8) -> Value {
        Value::Int32(i32::from(i))
    }
}

impl From<i16> for Value {
    /// An `Int32`, as pymongo writes a small Python `int`.
    fn from(i: i16) -> Value {
        Value::Int32(i32::from(i))
    }
}

impl From<u8> for Value {
    /// An `Int32` (not a byte string: build [`Value::Binary`] for bytes).
    fn from(i: u8) -> Value {
        Value::Int32(i32::from(i))
    }
}

impl From<u16> for Value {
    /// An `Int32`, as pymongo writes a small Python `int`.
    fn from(i: u16) -> Value {
        Value::Int32(i32::from(i))
    }
}

impl From<u32> for Value {
    /// `Int32` when it fits, else `Int64`, as `Value::from(i64)`.
    fn from(i: u32) -> Value {
        Value::from(i64::from(i))
    }
}

impl From<i64> for Value {
    /// A Python `int`: `Int32` when it fits, as pymongo writes it, else `Int64`.
    fn from(i: i64) -> Value {
        match i32::try_from(i) {
            Ok(small) => Value::Int32(small),
            Err(_) => Value::Int64(i),
        }
    }
}

impl TryFrom<u64> for Value {
    type Error = core::num::TryFromIntError;

    /// `Int32` or `Int64` as `Value::from(i64)`. BSON has no unsigned
    /// 64-bit integer, and pymongo refuses a Python `int` above `i64::MAX`, so this is not a
    /// `From`: wrapping to a negative number would change the session's meaning.
    ///
    /// # Errors
    /// `TryFromIntError` above `i64::MAX`.
    fn try_from(i: u64) -> Result<Value, Self::Error> {
        i64::try_from(i).map(Value::from)
    }
}

impl TryFrom<usize> for Value {
    type Error = core::num::TryFromIntError;

    /// As `Value::try_from(u64)` (a `usize` may be 64 bits wide).
    ///
    /// # Errors
    /// `TryFromIntError` above `i64::MAX`.
    fn try_from(i: usize) -> Result<Value, Self::Error> {
        i64::try_from(i).map(Value::from)
    }
}

impl From<f64> for Value {
    fn from(d: f64) -> Value {
        Value::Double(d)
    }
}

impl From<f32> for Value {
    /// A `Double` (exact: every `f32` is an `f64`).
    fn from(d: f32) -> Value {
        Value::Double(f64::from(d))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<Document> for Value {
    fn from(d: Document) -> Value {
        Value::Document(d)
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    /// An `Array` of the converted elements. A `Vec<Value>` converts in place (`Value` into
    /// `Value` is the identity, and collecting into a same-layout `Vec` reuses its buffer). A
    /// `Vec<u8>` is an array of integers, like a Python `list`; bytes are [`Value::Binary`].
    ///
    /// ```
    /// use beaker_session_jwt::Value;
    /// assert_eq!(Value::from(vec![1u8, 2]), Value::Array(vec![Value::Int32(1), Value::Int32(2)]));
    /// assert_eq!(Value::from(vec![Value::Null]), Value::Array(vec![Value::Null]));
    /// ```
    fn from(v: Vec<T>) -> Value {
        Value::Array(v.into_iter().map(Into::into).collect())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    /// `None` is `Null` (Python's `None`); `Some(x)` is `x` converted.
    ///
    /// ```
    /// use beaker_session_jwt::Value;
    /// assert_eq!(Value::from(None::<i32>), Value::Null);
    /// assert_eq!(Value::from(Some("x")), Value::from("x"));
    /// ```
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

/// String keys to values, in insertion order. Inserting an existing key replaces its value in
/// place, as a Python `dict` does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    entries: Vec<(Str, Value)>,
}

impl Document {
    /// An empty document.
    pub const fn new() -> Document {
        Document {
            entries: Vec::new(),
        }
    }

    /// Builds a document from entries read off the wire, keeping Python's rule for duplicate
    /// keys: the first position, the last value. Runs in O(n) (expected, by hashing the keys);
    /// allocates only when there are more than 256 entries or a key repeats.
    pub fn from_entries(mut entries: Vec<(Str, Value)>) -> Document {
        // Most documents of a session are small: comparing each key with the ones before it
        // is cheaper there than hashing, and allocates nothing.
        if entries.len() <= SMALL_DOCUMENT {
            let unique = entries
                .iter()
                .enumerate()
                .all(|(i, (key, _))| entries.iter().take(i).all(|(k, _)| k != key));
            if unique {
                return Document { entries };
            }
        }
        if entries.len() <= HASHED_DOCUMENT {
            let mut table = [EMPTY_SLOT; 2 * HASHED_DOCUMENT];
            merge_repeated_keys(&mut entries, &mut table);
        } else {
            let slots = entries.len().saturating_mul(2).next_power_of_two();
            merge_repeated_keys(&mut entries, &mut alloc::vec![EMPTY_SLOT; slots]);
        }
        Document { entries }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries
            .iter()
            .find(|(k, _)| k.as_bytes() == key.as_bytes())
            .map(|(_, v)| v)
    }

    /// The value under `key`, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.entries
            .iter_mut()
            .find(|(k, _)| k.as_bytes() == key.as_bytes())
            .map(|(_, v)| v)
    }

    /// True when `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` to `value`: in place if present (returning the old value), else at the end.
    pub fn insert(&mut self, key: impl Into<Str>, value: impl Into<Value>) -> Option<Value> {
        let key = key.into();
        let value = value.into();
        match self.get_mut(&key) {
            Some(slot) => Some(core::mem::replace(slot, value)),
            None => {
                self.entries.push((key, value));
                None
            }
        }
    }

    /// Removes `key`, keeping the order of the rest.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let at = self
            .entries
            .iter()
            .position(|(k, _)| k.as_bytes() == key.as_bytes())?;
        Some(self.entries.remove(at).1)
    }

    /// The entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The entries, consuming the document.
    pub fn into_entries(self) -> Vec<(Str, Value)> {
        self.entries
    }

    /// The entries as a slice.
    pub fn entries(&self) -> &[(Str, Value)] {
        &self.entries
    }
}

/// Up to this many entries, [`Document::from_entries`] looks for repeated keys by comparing
/// pairs instead of hashing.
const SMALL_DOCUMENT: usize = 16;

/// Up to this many entries, [`Document::from_entries`] hashes the keys into a table on the
/// stack (twice as many slots), beyond it into one on the heap.
const HASHED_DOCUMENT: usize = 256;

/// A free slot of [`merge_repeated_keys`]'s table (slots hold entry positions).
const EMPTY_SLOT: usize = usize::MAX;

/// Python's rule for repeated keys, in place: each key stays at its first position with the
/// value of its last, later entries of the key are removed. `table` is an open-addressing
/// table (FNV-1a of the key bytes, linear probing) of free slots, a power of two more than
/// `entries.len()`: so a probe always ends at a free slot or at the key.
fn merge_repeated_keys(entries: &mut Vec<(Str, Value)>, table: &mut [usize]) {
    let mask = table.len().saturating_sub(1);
    // Positions to remove, found in increasing order.
    let mut removed = Vec::new();
    for i in 0..entries.len() {
        let (before, rest) = entries.split_at_mut(i);
        let Some((key, value)) = rest.first_mut() else {
            break;
        };
        let hash = key.as_bytes().iter().fold(0x811c_9dc5_u32, |h, &b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        });
        let mut slot = hash as usize & mask;
        // A probe visits every slot at most once; the table has more slots than entries, so
        // it ends at a free slot (a new key) or at this key's first position.
        for _ in 0..table.len() {
            let Some(cell) = table.get_mut(slot) else {
                break;
            };
            if *cell == EMPTY_SLOT {
                *cell = i;
                break;
            }
            match before.get_mut(*cell) {
                Some((first, first_value)) if *first == *key => {
                    *first_value = core::mem::replace(value, Value::Null);
                    removed.push(i);
                    break;
                }
                _ => slot = (slot + 1) & mask,
            }
        }
    }
    if removed.is_empty() {
        return;
    }
    let mut removed = removed.into_iter().peekable();
    let mut position = 0usize;
    entries.retain(|_| {
        let remove = removed.next_if_eq(&position).is_some();
        position += 1;
        !remove
    });
}

impl<K: Into<Str>, V: Into<Value>> FromIterator<(K, V)> for Document {
    /// Collects with [`Document::insert`] semantics (a repeated key keeps its first position).
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Document {
        let mut d = Document::new();
        for (k, v) in iter {
            d.insert(k, v);
        }
        d
    }
}

impl<'a> IntoIterator for &'a Document {
    type Item = (&'a str, &'a Value);
    type IntoIter = core::iter::Map<
        core::slice::Iter<'a, (Str, Value)>,
        fn(&'a (Str, Value)) -> (&'a str, &'a Value),
    >;
    fn into_iter(self) -> Self::IntoIter {
        fn pair(e: &(Str, Value)) -> (&str, &Value) {
            (e.0.as_str(), &e.1)
        }
        self.entries.iter().map(pair)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn value_double_equality_is_bitwise() {
        assert_eq!(Value::Double(f64::NAN), Value::Double(f64::NAN));
        assert_ne!(Value::Double(0.0), Value::Double(-0.0));
        assert_ne!(Value::Int32(1), Value::Int64(1));
    }

    #[test]
    fn document_from_entries_last_value_first_position() {
        let d = Document::from_entries(vec![
            ("a".into(), Value::Int32(1)),
            ("b".into(), Value::Int32(2)),
            ("a".into(), Value::Int32(3)),
            ("c".into(), Value::Int32(4)),
            ("a".into(), Value::Int32(5)),
        ]);
        let got: Vec<(&str, &Value)> = d.iter().collect();
        assert_eq!(
            got,
            vec![
                ("a", &Value::Int32(5)),
                ("b", &Value::Int32(2)),
                ("c", &Value::Int32(4))
            ]
        );
    }

    #[test]
    fn document_from_entries_agrees_with_insert_at_every_size() {
        // Pairwise (<= 16), stack-hashed (17..=256) and heap-hashed (> 256) checks, with and without
        // repeated keys (every `distinct`-th key repeats when distinct < n).
        for n in [0, 1, 15, 16, 17, 40, 255, 256, 257, 600] {
            for distinct in [n, n / 2 + 1, 3] {
                let entries: Vec<(Str, Value)> = (0..n)
                    .map(|i| {
                        let key = alloc::format!("key-{}", i % distinct.max(1));
                        (Str::from(key.as_str()), Value::Int32(i as i32))
                    })
                    .collect();
                let by_insert: Document = entries.iter().cloned().collect();
                let built = Document::from_entries(entries);
                assert_eq!(built, by_insert, "n={n} distinct={distinct}");
                assert_eq!(built.len(), distinct.min(n), "n={n} distinct={distinct}");
            }
        }
    }

    #[test]
    fn document_insert_replaces_in_place() {
        let mut d: Document = [("x", 1i32), ("y", 2)].into_iter().collect();
        assert_eq!(d.insert("x", 9i32), Some(Value::Int32(1)));
        assert_eq!(d.keys().collect::<Vec<_>>(), vec!["x", "y"]);
        assert_eq!(d.remove("x"), Some(Value::Int32(9)));
        assert_eq!(d.len(), 1);
    }
}
