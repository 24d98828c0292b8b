//! (feature `serde`) `Serialize` / `Deserialize` for [`Value`] and [`Document`] (so for
//! [`Session`](crate::Session)): JSON-native types map to serde's data model, every other BSON
//! type to its MongoDB canonical Extended JSON v2 wrapper
//! (<https://github.com/mongodb/specifications/blob/master/source/extended-json/extended-json.md>),
//! written exactly as the `bson` crate's `Bson::into_canonical_extjson` writes it.
//!
//! # Mapping
//!
//! | `Value`                              | serialized as (serde data model)  | serde_json text                                                       |
//! |--------------------------------------|-----------------------------------|-----------------------------------------------------------------------|
//! | `Document`                           | map, insertion order              | `{"k": ..}`                                                           |
//! | `Array`                              | seq                               | `[..]`                                                                |
//! | `String`                             | str                               | `"s"`                                                                 |
//! | `Int32`                              | i32                               | `5`                                                                   |
//! | `Int64` outside the `i32` range      | i64                               | `5000000000`                                                          |
//! | `Int64` inside the `i32` range       | map (see why below)               | `{"$numberLong": "5"}`                                                |
//! | `Double`, finite                     | f64                               | `1.5`, `1.0`, `-0.0`                                                  |
//! | `Double`, NaN or infinite            | map (JSON has no such number)     | `{"$numberDouble": "NaN"}` (or `"-NaN"`, `"Infinity"`, `"-Infinity"`) |
//! | `Bool`                               | bool                              | `true`                                                                |
//! | `Null`                               | unit                              | `null`                                                                |
//! | `ObjectId`                           | map                               | `{"$oid": "<24 lowercase hex>"}`                                      |
//! | `DateTime`                           | map                               | `{"$date": {"$numberLong": "<ms>"}}`                                  |
//! | `Binary` (every subtype, also 0)     | map                               | `{"$binary": {"base64": "<padded std>", "subType": "<2 hex>"}}`       |
//! | `Regex`                              | map                               | `{"$regularExpression": {"pattern": "..", "options": ".."}}`          |
//! | `Timestamp`                          | map                               | `{"$timestamp": {"t": <u32>, "i": <u32>}}`                            |
//! | `Decimal128`                         | map                               | `{"$numberDecimal": "<IEEE 754-2008 string form>"}`                   |
//! | `JavaScript`                         | map                               | `{"$code": ".."}`                                                     |
//! | `JavaScriptWithScope`                | map                               | `{"$code": "..", "$scope": {..}}`                                     |
//! | `Symbol`                             | map                               | `{"$symbol": ".."}`                                                   |
//! | `DbPointer`                          | map                               | `{"$dbPointer": {"$ref": "..", "$id": {"$oid": ".."}}}`               |
//! | `Undefined`                          | map                               | `{"$undefined": true}`                                                |
//! | `MinKey` / `MaxKey`                  | map                               | `{"$minKey": 1}` / `{"$maxKey": 1}`                                   |
//!
//! Reading (the deserializer must be self-describing: `deserialize_any`):
//!
//! | input (serde data model)              | `Value`                                              |
//! |---------------------------------------|------------------------------------------------------|
//! | map                                   | `Document` (order kept; a repeated key keeps its first position and its last value, as Python's `dict` does) |
//! | map that is an Extended JSON wrapper  | the type above; also `{"$numberInt": ".."}` → `Int32`, `{"$numberLong": ".."}` → `Int64`, `{"$numberDouble": ".."}` → `Double`, `{"$uuid": "8-4-4-4-12 hex"}` → `Binary` subtype 4, `{"$date": "<RFC 3339, at most ms>"}` → `DateTime` |
//! | seq                                   | `Array`                                              |
//! | integer                               | `Int32` when it fits, else `Int64` (above `i64::MAX` is an error) |
//! | float                                 | `Double`                                             |
//! | str / char                            | `String`                                             |
//! | bool                                  | `Bool`                                               |
//! | unit / none                           | `Null` (`some(x)` and newtypes read `x`)             |
//! | bytes                                 | `Binary` subtype 0                                   |
//!
//! A map is a wrapper when its *first* key is one of `$oid $date $binary $uuid
//! $regularExpression $timestamp $numberDecimal $numberInt $numberLong $numberDouble $code
//! $scope $symbol $dbPointer $undefined $minKey $maxKey`; it must then be exactly that wrapper
//! (keys in any order inside, nothing missing, repeated or extra, right types and values), or
//! deserialization fails. Other keys starting with `$` (`$ref`, `$regex`, `$type`, ...) are
//! plain document keys, as the spec's query-operator cases require. Legacy (v1) forms are not
//! read: `{"$date": <number>}` is refused, as the corpus's `top.json` requires, and
//! `{"$binary": "..", "$type": ".."}` is refused as a malformed `$binary`. NUL bytes in keys,
//! patterns and options are accepted, as everywhere in [`Value`]; the BSON writer refuses them.
//!
//! # Why the exceptions
//! Every `Value` that serializes comes back equal (bitwise for doubles) through serde_json
//! text, so session data keeps its exact BSON types:
//! - a small `Int64` (pymongo's `Int64`, written back as BSON 0x12) would otherwise read back as
//!   `Int32`, so it keeps the `$numberLong` wrapper;
//! - NaN and infinities would otherwise become `null`;
//! - a `Document` whose first key is a wrapper keyword would read back as another type (or not
//!   at all), so serializing it is an error instead.
//!
//! What is not kept: a NaN's payload bits (it reads back as the default quiet NaN with the same
//! sign; Extended JSON has no notation for payloads), non-canonical Decimal128 encodings
//! (NaN payloads, coefficients above 10^34 - 1, which read as zero, as the spec says), and the
//! order of regex options, which are written and read in alphabetical order as the spec requires
//! (pymongo and the `bson` crate always write them sorted).
//! serde_json parses floats exactly only with its `float_roundtrip` feature.
//!
//! # Limits
//! Nesting depth and input size are the deserializer's business (serde_json stops at 128
//! levels). This module adds no allocation beyond the values it builds: sequence and map
//! capacity hints are capped at [`PREALLOC_CAP`] elements, and every wrapper is validated as it
//! is read. The errors raised here never echo input text (the deserializer's own type errors
//! may quote a scalar).

use alloc::borrow::{Cow, ToOwned};
use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use core::marker::PhantomData;

use ::serde::de::{
    self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Unexpected, Visitor,
};
use ::serde::ser::{self, SerializeMap, Serializer};
use ::serde::{Deserialize, Serialize};

use crate::base64;
use crate::civil::{days_from_civil, days_in_month};
use crate::value::{CodeWithScope, DbPointer, Document, Regex, Str, Value};

/// Most elements preallocated from a deserializer's size hint (a hint is not a promise).
const PREALLOC_CAP: usize = 256;

const OID: &str = "$oid";
const DATE: &str = "$date";
const BINARY: &str = "$binary";
const UUID: &str = "$uuid";
const REGEX: &str = "$regularExpression";
const TIMESTAMP: &str = "$timestamp";
const DECIMAL: &str = "$numberDecimal";
const INT: &str = "$numberInt";
const LONG: &str = "$numberLong";
const DOUBLE: &str = "$numberDouble";
const CODE: &str = "$code";
const SCOPE: &str = "$scope";
const SYMBOL: &str = "$symbol";
const DB_POINTER: &str = "$dbPointer";
const UNDEFINED: &str = "$undefined";
const MIN_KEY: &str = "$minKey";
const MAX_KEY: &str = "$maxKey";

/// First keys that make a map an Extended JSON wrapper.
const KEYWORDS: [&str; 17] = [
    OID, DATE, BINARY, UUID, REGEX, TIMESTAMP, DECIMAL, INT, LONG, DOUBLE, CODE, SCOPE, SYMBOL,
    DB_POINTER, UNDEFINED, MIN_KEY, MAX_KEY,
];

fn is_keyword(key: &str) -> bool {
    KEYWORDS.contains(&key)
}

// ---------------------------------------------------------------------------------------------
// Serialize
// ---------------------------------------------------------------------------------------------

impl Serialize for Value {
    /// See the module docs for the mapping.
    ///
    /// # Errors
    /// The serializer's error, also for a nested [`Document`] whose first key is an Extended
    /// JSON wrapper keyword.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Double(d) if d.is_finite() => s.serialize_f64(*d),
            Value::Double(d) => Entry(DOUBLE, non_finite_text(*d)).serialize(s),
            Value::String(v) => s.serialize_str(v),
            Value::Document(d) => d.serialize(s),
            Value::Array(items) => s.collect_seq(items),
            Value::Binary { subtype, bytes } => {
                let subtype = [*subtype];
                let body = Entry2(
                    "base64",
                    base64::encode_std(bytes),
                    "subType",
                    Text(Hex(&subtype)),
                );
                Entry(BINARY, body).serialize(s)
            }
            Value::Undefined => Entry(UNDEFINED, true).serialize(s),
            Value::ObjectId(id) => Entry(OID, Text(Hex(id))).serialize(s),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::DateTime(ms) => Entry(DATE, Entry(LONG, Text(ms))).serialize(s),
            Value::Null => s.serialize_unit(),
            Value::Regex(regex) => {
                let options = sorted(&regex.options);
                Entry(REGEX, Entry2("pattern", &regex.pattern, "options", options)).serialize(s)
            }
            Value::DbPointer(pointer) => {
                let DbPointer { namespace, id } = &**pointer;
                let body = Entry2("$ref", namespace, "$id", Entry(OID, Text(Hex(id))));
                Entry(DB_POINTER, body).serialize(s)
            }
            Value::JavaScript(code) => Entry(CODE, code).serialize(s),
            Value::Symbol(v) => Entry(SYMBOL, v).serialize(s),
            Value::JavaScriptWithScope(cws) => {
                Entry2(CODE, &cws.code, SCOPE, &cws.scope).serialize(s)
            }
            Value::Int32(i) => s.serialize_i32(*i),
            Value::Timestamp { time, increment } => {
                Entry(TIMESTAMP, Entry2("t", time, "i", increment)).serialize(s)
            }
            Value::Int64(i) if i32::try_from(*i).is_ok() => Entry(LONG, Text(i)).serialize(s),
            Value::Int64(i) => s.serialize_i64(*i),
            Value::Decimal128(bytes) => Entry(DECIMAL, decimal128_to_string(bytes)).serialize(s),
            Value::MinKey => Entry(MIN_KEY, 1i32).serialize(s),
            Value::MaxKey => Entry(MAX_KEY, 1i32).serialize(s),
        }
    }
}

impl Serialize for Document {
    /// A map in insertion order.
    ///
    /// # Errors
    /// The serializer's error when the first key is an Extended JSON wrapper keyword (the
    /// output would read back as another type), or when the serializer fails.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.keys().next().is_some_and(is_keyword) {
            return Err(ser::Error::custom(
                "a document whose first key is an Extended JSON keyword cannot be serialized \
                 unambiguously",
            ));
        }
        let mut map = s.serialize_map(Some(self.len()))?;
        for (key, value) in self {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// A one-entry map.
struct Entry<V>(&'static str, V);

impl<V: Serialize> Serialize for Entry<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry(self.0, &self.1)?;
        map.end()
    }
}

/// A two-entry map, in this order.
struct Entry2<A, B>(&'static str, A, &'static str, B);

impl<A: Serialize, B: Serialize> Serialize for Entry2<A, B> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry(self.0, &self.1)?;
        map.serialize_entry(self.2, &self.3)?;
        map.end()
    }
}

/// Serializes a `Display` value as a string.
struct Text<T>(T);

impl<T: fmt::Display> Serialize for Text<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// Lowercase hex of some bytes.
struct Hex<'a>(&'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// Regex options in alphabetical order, as the Extended JSON spec requires of both forms (the
/// corpus's "flags not alphabetized" case reads `mix` as `imx`).
fn sorted(options: &str) -> Cow<'_, str> {
    if options
        .chars()
        .zip(options.chars().skip(1))
        .all(|(a, b)| a <= b)
    {
        return Cow::Borrowed(options);
    }
    let mut chars: Vec<char> = options.chars().collect();
    chars.sort_unstable();
    Cow::Owned(chars.into_iter().collect())
}

/// The `$numberDouble` text of a NaN or an infinity (the sign of a NaN is kept as `-NaN`, as
/// the `bson` crate writes it).
fn non_finite_text(d: f64) -> &'static str {
    match (d.is_nan(), d.is_sign_negative()) {
        (true, false) => "NaN",
        (true, true) => "-NaN",
        (false, false) => "Infinity",
        (false, true) => "-Infinity",
    }
}

// ---------------------------------------------------------------------------------------------
// Deserialize
// ---------------------------------------------------------------------------------------------

impl<'de> Deserialize<'de> for Value {
    /// Reads any self-describing input; see the module docs for the mapping.
    ///
    /// # Errors
    /// The deserializer's error for an integer above `i64::MAX`, an enum, or a malformed
    /// Extended JSON wrapper.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

impl<'de> Deserialize<'de> for Document {
    /// Reads a map that is not an Extended JSON wrapper.
    ///
    /// # Errors
    /// As for [`Value`], and when the input is not a plain map.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Document, D::Error> {
        match d.deserialize_map(ValueVisitor)? {
            Value::Document(doc) => Ok(doc),
            other => Err(de::Error::invalid_type(
                Unexpected::Other(other.kind()),
                &"a document",
            )),
        }
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a session value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        i64::try_from(v)
            .map(Value::from)
            .map_err(|_| E::custom("integer outside the i64 range"))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        i64::try_from(v)
            .map(Value::from)
            .map_err(|_| E::custom("integer above i64::MAX"))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        i64::try_from(v)
            .map(Value::from)
            .map_err(|_| E::custom("integer above i64::MAX"))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Double(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(Str::from(v)))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(Str::from(v)))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Binary {
            subtype: 0,
            bytes: v.to_vec(),
        })
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Value, E> {
        Ok(Value::Binary {
            subtype: 0,
            bytes: v,
        })
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(PREALLOC_CAP));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let Some(first) = map.next_key::<Str>()? else {
            return Ok(Value::Document(Document::new()));
        };
        if is_keyword(&first) {
            return read_wrapper(&first, map);
        }
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(PREALLOC_CAP));
        let value: Value = map.next_value()?;
        entries.push((first, value));
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Value::Document(Document::from_entries(entries)))
    }
}

/// Reads the rest of a map whose first key, `key`, is one of [`KEYWORDS`].
fn read_wrapper<'de, A: MapAccess<'de>>(key: &str, mut map: A) -> Result<Value, A::Error> {
    let value = match key {
        OID => Value::ObjectId(parse_hex(&map.next_value::<String>()?).ok_or_else(|| bad(OID))?),
        SYMBOL => Value::Symbol(map.next_value()?),
        INT => Value::Int32(parse_int(&map.next_value::<String>()?).ok_or_else(|| bad(INT))?),
        LONG => Value::Int64(parse_int(&map.next_value::<String>()?).ok_or_else(|| bad(LONG))?),
        DOUBLE => {
            Value::Double(parse_double(&map.next_value::<String>()?).ok_or_else(|| bad(DOUBLE))?)
        }
        DECIMAL => Value::Decimal128(
            decimal128_from_str(&map.next_value::<String>()?).ok_or_else(|| bad(DECIMAL))?,
        ),
        BINARY => {
            let (text, subtype): (String, String) =
                map.next_value_seed(Fields2::new(BINARY, ["base64", "subType"]))?;
            Value::Binary {
                subtype: parse_subtype(&subtype).ok_or_else(|| bad(BINARY))?,
                bytes: base64::decode_std(text.as_bytes()).map_err(|_| bad(BINARY))?,
            }
        }
        UUID => Value::Binary {
            subtype: 4,
            bytes: parse_uuid(&map.next_value::<String>()?)
                .ok_or_else(|| bad(UUID))?
                .to_vec(),
        },
        REGEX => {
            let (pattern, options): (String, String) =
                map.next_value_seed(Fields2::new(REGEX, ["pattern", "options"]))?;
            let options = sorted(&options).into_owned();
            Value::Regex(Box::new(Regex {
                pattern: Str::from(pattern),
                options: Str::from(options),
            }))
        }
        TIMESTAMP => {
            let (time, increment) = map.next_value_seed(Fields2::new(TIMESTAMP, ["t", "i"]))?;
            Value::Timestamp { time, increment }
        }
        DATE => match map.next_value()? {
            // `{"$numberLong": ..}` is the only wrapper that reads as Int64.
            Value::Int64(ms) => Value::DateTime(ms),
            Value::String(text) => Value::DateTime(parse_rfc3339(&text).ok_or_else(|| bad(DATE))?),
            // The corpus (top.json) refuses `{"$date": 42}`: a number is neither form.
            _ => return Err(bad(DATE)),
        },
        CODE => {
            let code: Str = map.next_value()?;
            match map.next_key::<String>()? {
                None => return Ok(Value::JavaScript(code)),
                Some(k) if k == SCOPE => Value::JavaScriptWithScope(Box::new(CodeWithScope {
                    code,
                    scope: map.next_value()?,
                })),
                Some(_) => return Err(bad(CODE)),
            }
        }
        SCOPE => {
            let scope: Document = map.next_value()?;
            match map.next_key::<String>()? {
                Some(k) if k == CODE => Value::JavaScriptWithScope(Box::new(CodeWithScope {
                    code: map.next_value()?,
                    scope,
                })),
                _ => return Err(bad(SCOPE)),
            }
        }
        DB_POINTER => {
            let (namespace, id): (Str, Value) =
                map.next_value_seed(Fields2::new(DB_POINTER, ["$ref", "$id"]))?;
            match id {
                Value::ObjectId(id) => Value::DbPointer(Box::new(DbPointer { namespace, id })),
                _ => return Err(bad(DB_POINTER)),
            }
        }
        UNDEFINED => match map.next_value()? {
            true => Value::Undefined,
            false => return Err(bad(UNDEFINED)),
        },
        MIN_KEY => {
            map.next_value::<One>()?;
            Value::MinKey
        }
        MAX_KEY => {
            map.next_value::<One>()?;
            Value::MaxKey
        }
        _ => return Err(bad(key)),
    };
    match map.next_key::<IgnoredAny>()? {
        None => Ok(value),
        Some(_) => Err(de::Error::custom(format_args!(
            "Extended JSON {key} wrapper has an extra key"
        ))),
    }
}

/// The error for a wrapper whose value has the wrong shape (no input text is echoed).
fn bad<E: de::Error>(keyword: &str) -> E {
    E::custom(format_args!("malformed Extended JSON {keyword} value"))
}

/// Reads a map with exactly the two keys `names` (in any order) into `(X, Y)`.
struct Fields2<X, Y> {
    keyword: &'static str,
    names: [&'static str; 2],
    marker: PhantomData<fn() -> (X, Y)>,
}

impl<X, Y> Fields2<X, Y> {
    fn new(keyword: &'static str, names: [&'static str; 2]) -> Self {
        Fields2 {
            keyword,
            names,
            marker: PhantomData,
        }
    }
}

impl<'de, X: Deserialize<'de>, Y: Deserialize<'de>> DeserializeSeed<'de> for Fields2<X, Y> {
    type Value = (X, Y);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(X, Y), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, X: Deserialize<'de>, Y: Deserialize<'de>> Visitor<'de> for Fields2<X, Y> {
    type Value = (X, Y);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b] = self.names;
        write!(
            f,
            "an Extended JSON {} body with keys {a} and {b}",
            self.keyword
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(X, Y), A::Error> {
        let [a, b] = self.names;
        let (mut x, mut y) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            if key == a && x.is_none() {
                x = Some(map.next_value()?);
            } else if key == b && y.is_none() {
                y = Some(map.next_value()?);
            } else {
                return Err(de::Error::custom(format_args!(
                    "Extended JSON {} body has an unknown or repeated key",
                    self.keyword
                )));
            }
        }
        match (x, y) {
            (Some(x), Some(y)) => Ok((x, y)),
            (None, _) => Err(de::Error::missing_field(a)),
            (_, None) => Err(de::Error::missing_field(b)),
        }
    }
}

/// The integer 1 (the value of `$minKey` and `$maxKey`), and nothing else.
struct One;

impl<'de> Deserialize<'de> for One {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<One, D::Error> {
        d.deserialize_any(One)
    }
}

impl Visitor<'_> for One {
    type Value = One;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the integer 1")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<One, E> {
        match v {
            1 => Ok(One),
            _ => Err(E::invalid_value(Unexpected::Signed(v), &self)),
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<One, E> {
        match v {
            1 => Ok(One),
            _ => Err(E::invalid_value(Unexpected::Unsigned(v), &self)),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Strict text forms
// ---------------------------------------------------------------------------------------------

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Exactly `2 * N` hex digits (either case).
fn parse_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.as_bytes();
    if text.len() != N.checked_mul(2)? {
        return None;
    }
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        let [high, low] = pair else { return None };
        *byte = hex_digit(*high)? << 4 | hex_digit(*low)?;
    }
    Some(out)
}

/// A binary subtype: one or two hex digits (the spec's `subType`).
fn parse_subtype(text: &str) -> Option<u8> {
    match text.as_bytes() {
        [low] => hex_digit(*low),
        [high, low] => Some(hex_digit(*high)? << 4 | hex_digit(*low)?),
        _ => None,
    }
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`: hyphens exactly there, hex everywhere else.
fn parse_uuid(text: &str) -> Option<[u8; 16]> {
    let text = text.as_bytes();
    if text.len() != 36 {
        return None;
    }
    let mut digits = [0u8; 32];
    let mut n = 0usize;
    for (i, &c) in text.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if c != b'-' {
                return None;
            }
        } else {
            *digits.get_mut(n)? = c;
            n += 1;
        }
    }
    parse_hex(core::str::from_utf8(&digits).ok()?)
}

/// `-?[0-9]+` in range (no `+`, no spaces: what `$numberInt` / `$numberLong` hold).
fn parse_int<T: core::str::FromStr>(text: &str) -> Option<T> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A `$numberDouble`: `NaN`, `-NaN`, `Infinity`, `-Infinity` (exact case), or a decimal
/// number `-?digits[.digits][(e|E)[+|-]digits]` (no `+`, no `inf`, no spaces).
fn parse_double(text: &str) -> Option<f64> {
    match text {
        "NaN" => return Some(f64::NAN),
        "-NaN" => return Some(-f64::NAN),
        "Infinity" => return Some(f64::INFINITY),
        "-Infinity" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    let body = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (body.get(..at)?, Some(body.get(at + 1..)?)),
        None => (body, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    if int.len() + frac.len() == 0 || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    if let Some(exp) = exponent {
        let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
        if exp.is_empty() || !all_digits(exp) {
            return None;
        }
    }
    text.parse().ok()
}

/// RFC 3339 `YYYY-MM-DDTHH:MM:SS[.s{1,3}](Z|±HH:MM)` as milliseconds since the epoch: the
/// relaxed `$date` form, which has at most millisecond precision.
fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from.checked_add(len)?)?;
        digits.iter().try_fold(0i64, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
        })
    };
    let at = |i: usize, allowed: &[u8]| b.get(i).is_some_and(|c| allowed.contains(c));
    if !(at(4, b"-") && at(7, b"-") && at(10, b"Tt") && at(13, b":") && at(16, b":")) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let mut rest = b.get(19..)?;
    let mut millis = 0i64;
    if let Some((b'.', tail)) = rest.split_first() {
        let count = tail.iter().take_while(|c| c.is_ascii_digit()).count();
        if !(1..=3).contains(&count) {
            return None;
        }
        let frac = tail.get(..count)?;
        for i in 0..3 {
            millis = millis * 10 + frac.get(i).map_or(0, |&c| i64::from(c - b'0'));
        }
        rest = tail.get(count..)?;
    }
    let offset_minutes = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let two = |x: u8, y: u8| -> Option<i64> {
                (x.is_ascii_digit() && y.is_ascii_digit())
                    .then(|| i64::from(x - b'0') * 10 + i64::from(y - b'0'))
            };
            let (h, m) = (two(*h1, *h2)?, two(*m1, *m2)?);
            if h > 23 || m > 59 {
                return None;
            }
            if *sign == b'-' {
                -(h * 60 + m)
            } else {
                h * 60 + m
            }
        }
        _ => return None,
    };
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds = ((days * 24 + hour) * 60 + minute) * 60 + second - offset_minutes * 60;
    Some(seconds * 1000 + millis)
}

// ---------------------------------------------------------------------------------------------
// Decimal128 <-> string (BSON Decimal128 spec: bson-decimal128/decimal128.md, IEEE 754-2008 BID)
// ---------------------------------------------------------------------------------------------

const DECIMAL_BIAS: i64 = 6176;
/// Smallest exponent (the spec's "tiny", below its subnormal "min").
const DECIMAL_TINY: i64 = -6176;
const DECIMAL_MAX_EXP: i64 = 6111;
const DECIMAL_MAX_DIGITS: u32 = 34;
const DECIMAL_MAX_COEFFICIENT: u128 = 10u128.pow(34) - 1;
const DECIMAL_NAN: u128 = 0x7C << 120;
const DECIMAL_INFINITY: u128 = 0x78 << 120;

/// The spec's "to string" of 16 little-endian BID bytes, exactly as the `bson` crate's
/// `Decimal128::to_string` writes it (NaN never signed; an out-of-range coefficient is zero).
fn decimal128_to_string(bytes: &[u8; 16]) -> String {
    let bits = u128::from_le_bytes(*bytes);
    let negative = bits >> 127 == 1;
    // Bits 126..122: 11111 is NaN (of any sign and payload), 11110 is infinity.
    match (bits >> 122) & 0x1F {
        0x1F => return "NaN".to_owned(),
        0x1E if negative => return "-Infinity".to_owned(),
        0x1E => return "Infinity".to_owned(),
        _ => {}
    }
    let (biased, coefficient) = if (bits >> 125) & 0b11 == 0b11 {
        // The "11" form implies a coefficient of 0b100 << 111 or more: above the maximum.
        ((bits >> 111) & 0x3FFF, 0)
    } else {
        ((bits >> 113) & 0x3FFF, bits & ((1u128 << 113) - 1))
    };
    let coefficient = if coefficient > DECIMAL_MAX_COEFFICIENT {
        0
    } else {
        coefficient
    };
    // 14 bits (0..=16383), so the cast is exact.
    let exponent = biased as i64 - DECIMAL_BIAS;
    // 1 to 34 ASCII digits (the coefficient is at most `DECIMAL_MAX_COEFFICIENT`).
    let digits = coefficient.to_string();
    let adjusted = exponent + digits.len() as i64 - 1;

    let mut out = String::with_capacity(digits.len() + 8);
    if negative {
        out.push('-');
    }
    if exponent <= 0 && adjusted >= -6 {
        // Plain notation. `exponent` is in -6176..=0, so the cast is exact.
        let frac_len = exponent.unsigned_abs() as usize;
        if frac_len == 0 {
            out.push_str(&digits);
        } else if frac_len >= digits.len() {
            out.push_str("0.");
            out.extend(core::iter::repeat('0').take(frac_len - digits.len()));
            out.push_str(&digits);
        } else {
            let int_len = digits.len() - frac_len;
            out.extend(digits.chars().take(int_len));
            out.push('.');
            out.extend(digits.chars().skip(int_len));
        }
    } else {
        // Scientific notation; `adjusted` is never 0 here.
        let mut rest = digits.chars();
        out.extend(rest.next());
        let rest = rest.as_str();
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push('E');
        if adjusted > 0 {
            out.push('+');
        }
        out.push_str(&adjusted.to_string());
    }
    out
}

/// The spec's "from string": `[+|-](digits[.[digits]] | .digits)[(e|E)[+|-]digits]`, or
/// `inf`, `infinity`, `nan` in any case (signed too). Values that need more than 34 digits or
/// an exponent outside -6176..=6111 are rounded only when that is exact (dropping or adding
/// trailing zeros, clamping a zero's exponent); an inexact rounding is refused, as the `bson`
/// crate and the corpus `parseErrors` do. Memory is constant; time is linear in `text`.
fn decimal128_from_str(text: &str) -> Option<[u8; 16]> {
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    let sign = u128::from(negative) << 127;
    if body.eq_ignore_ascii_case("nan") {
        return Some((sign | DECIMAL_NAN).to_le_bytes());
    }
    if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
        return Some((sign | DECIMAL_INFINITY).to_le_bytes());
    }

    let mut coefficient: u128 = 0;
    let mut kept: u32 = 0; // significant digits in `coefficient`
    let mut dropped: i64 = 0; // zero digits past the 34th significant one
    let mut frac_len: i64 = 0;
    let mut any_digit = false;
    let mut seen_point = false;
    let mut rest = body.as_bytes();
    while let Some((&c, tail)) = rest.split_first() {
        match c {
            b'0'..=b'9' => {
                any_digit = true;
                if seen_point {
                    frac_len = frac_len.saturating_add(1);
                }
                let digit = u128::from(c - b'0');
                if kept == 0 && digit == 0 {
                    // A leading zero.
                } else if kept < DECIMAL_MAX_DIGITS {
                    coefficient = coefficient.checked_mul(10)?.checked_add(digit)?;
                    kept += 1;
                } else if digit == 0 {
                    dropped = dropped.saturating_add(1);
                } else {
                    return None; // inexact rounding
                }
            }
            b'.' if !seen_point => seen_point = true,
            _ => break,
        }
        rest = tail;
    }
    if !any_digit {
        return None;
    }
    let mut exponent: i64 = 0;
    if let Some((&c, tail)) = rest.split_first() {
        if c != b'e' && c != b'E' {
            return None;
        }
        let (exp_negative, digits) = match tail.split_first() {
            Some((b'-', d)) => (true, d),
            Some((b'+', d)) => (false, d),
            _ => (false, tail),
        };
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        // Saturates far outside any exponent that could still matter.
        for &d in digits {
            exponent = exponent
                .saturating_mul(10)
                .saturating_add(i64::from(d - b'0'));
        }
        if exp_negative {
            exponent = -exponent;
        }
    }
    let mut exponent = exponent.saturating_sub(frac_len).saturating_add(dropped);

    if coefficient == 0 {
        exponent = exponent.clamp(DECIMAL_TINY, DECIMAL_MAX_EXP);
    } else {
        if exponent < DECIMAL_TINY {
            // Drop trailing zeros to bring the exponent up; refuse if any is not zero.
            let delta = u32::try_from(DECIMAL_TINY - exponent).ok()?;
            if delta > kept {
                return None;
            }
            let scale = 10u128.checked_pow(delta)?;
            if coefficient % scale != 0 {
                return None;
            }
            coefficient /= scale;
            exponent = DECIMAL_TINY;
        }
        if exponent > DECIMAL_MAX_EXP {
            // Add trailing zeros to bring the exponent down ("clamped").
            let delta = u32::try_from(exponent - DECIMAL_MAX_EXP).ok()?;
            if kept.checked_add(delta)? > DECIMAL_MAX_DIGITS {
                return None;
            }
            coefficient = coefficient.checked_mul(10u128.checked_pow(delta)?)?;
            exponent = DECIMAL_MAX_EXP;
        }
    }
    let biased = u128::try_from(exponent + DECIMAL_BIAS).ok()?;
    Some((sign | biased << 113 | coefficient).to_le_bytes())
}

impl Serialize for Str {
    /// As the `str` it holds.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Str {
    /// From any string.
    fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Str, D::Error> {
        struct StrVisitor;
        impl Visitor<'_> for StrVisitor {
            type Value = Str;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Str, E> {
                Ok(Str::from(v))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Str, E> {
                Ok(Str::from(v))
            }
        }
        d.deserialize_str(StrVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> String {
        decimal128_to_string(&decimal128_from_str(text).unwrap())
    }

    #[test]
    fn serde_decimal128_string_forms() {
        assert_eq!(dec("0"), "0");
        assert_eq!(dec("-0"), "-0");
        assert_eq!(dec("1.05E+3"), "1.05E+3");
        assert_eq!(dec("0.000001"), "0.000001");
        assert_eq!(dec("0.0000001"), "1E-7");
        assert_eq!(dec("-100E-10"), "-1.00E-8");
        assert_eq!(dec("1E6112"), "1.0E+6112");
        assert_eq!(dec("10E-6177"), "1E-6176");
        assert_eq!(dec("0E+2147483647"), "0E+6111");
        assert_eq!(dec("-nan"), "NaN");
        assert_eq!(dec("-inf"), "-Infinity");
        assert!(decimal128_from_str("1E-6177").is_none());
        assert!(decimal128_from_str("1e").is_none());
        assert!(decimal128_from_str(".").is_none());
        assert!(decimal128_from_str("sNaN").is_none());
    }

    #[test]
    fn serde_rfc3339_dates() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2012-12-24T12:15:30.501Z"),
            Some(1_356_351_330_501)
        );
        assert_eq!(
            parse_rfc3339("2012-12-24T12:15:30.5Z"),
            Some(1_356_351_330_500)
        );
        assert_eq!(parse_rfc3339("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_rfc3339("1969-12-31T23:59:59.999Z"), Some(-1));
        assert_eq!(parse_rfc3339("2000-02-29T00:00:00Z"), Some(951_782_400_000));
        assert_eq!(parse_rfc3339("1900-02-29T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("2012-12-24T12:15:30.5015Z"), None);
        assert_eq!(parse_rfc3339("2012-12-24T12:15:60Z"), None);
        assert_eq!(parse_rfc3339("2012-12-24 12:15:30Z"), None);
        assert_eq!(parse_rfc3339("2012-12-24T12:15:30"), None);
    }

    #[test]
    fn serde_strict_scalar_texts() {
        assert_eq!(parse_int::<i32>("-2147483648"), Some(i32::MIN));
        assert_eq!(parse_int::<i32>("2147483648"), None);
        assert_eq!(parse_int::<i32>("+1"), None);
        assert_eq!(parse_int::<i64>(""), None);
        assert_eq!(
            parse_double("1.2345678921232E+18"),
            Some(1.234_567_892_123_2e18)
        );
        assert_eq!(
            parse_double("-0.0").map(f64::to_bits),
            Some((-0.0f64).to_bits())
        );
        assert_eq!(parse_double("inf"), None);
        assert_eq!(parse_double("+1.0"), None);
        assert_eq!(parse_double("1e"), None);
        assert_eq!(parse_double("."), None);
        assert_eq!(parse_subtype("80"), Some(0x80));
        assert_eq!(parse_subtype("4"), Some(4));
        assert_eq!(parse_subtype("004"), None);
        assert_eq!(parse_hex::<2>("aB09"), Some([0xab, 0x09]));
        assert_eq!(parse_hex::<2>("aB0"), None);
        assert!(parse_uuid("73ffd264-44b3-4c69-90e8-e7d1dfc035d4").is_some());
        assert!(parse_uuid("73ff-d26444b-34c6-990e8e-7d1dfc035d4").is_none());
    }
}
