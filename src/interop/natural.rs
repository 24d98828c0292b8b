//! (feature `serde`) A session read into the caller's own types and written from them, with
//! the natural mapping of BSON onto serde's data model (<https://serde.rs/data-model.html>):
//! an integer is a number, a document a struct or a map, a datetime a [`DateTime`]. Where BSON
//! has a type a Python builtin stands for, the mapping follows pymongo's reader
//! (`bson/__init__.py`, `_ELEMENT_GETTER`): `Undefined` is `None`, `Symbol` is `str`.
//!
//! `Serialize` / `Deserialize` for [`Value`] itself are a different mapping, Extended JSON, so
//! that the CLI and text interop keep every BSON type; the functions here do not change it.
//!
//! # Mapping
//!
//! | BSON (`Value`)      | reads into (field types)                                              | written from                                                          |
//! |---------------------|-----------------------------------------------------------------------|-----------------------------------------------------------------------|
//! | `Int32`, `Int64`    | any integer (`i8` to `u128`, range-checked), `f64`, `f32`             | any integer: `Int32` when it fits, else `Int64`, as pymongo writes a Python `int`; above `i64::MAX` refused |
//! | `Double`            | `f64`, `f32`                                                          | `f64`, `f32`                                                          |
//! | `String`            | `String`, `&str`, `Str`, `char`, a unit enum variant                  | `str`, `char`, a unit enum variant (its name)                         |
//! | `Bool`              | `bool`                                                                | `bool`                                                                |
//! | `Null`, `Undefined` | `Option::None`, `()`, a unit struct                                   | `None`, `()`, a unit struct                                           |
//! | `Document`          | a struct, a map with string keys, [`Document`], an enum `{variant: content}` | a struct, a map with string keys, an enum variant with content as `{variant: content}` |
//! | `Array`             | `Vec`, `[T; N]`, a tuple, a tuple struct                              | `Vec`, a slice, an array, a tuple, a tuple struct                     |
//! | `DateTime`          | [`DateTime`]; any integer field, as milliseconds                      | [`DateTime`]                                                          |
//! | `ObjectId`          | [`ObjectId`]; `String`, as 24 lowercase hex digits                    | [`ObjectId`]                                                          |
//! | `Binary`            | `Vec<u8>` and `serde_bytes` types (any subtype)                       | `serialize_bytes` (`serde_bytes`): subtype 0, a Python `bytes`        |
//! | `Symbol`, `JavaScript` | `String` (the text)                                                | —                                                                     |
//! | every type          | [`Value`]: the same value (see below)                                 | [`Value`]: the same value                                             |
//!
//! A `Vec<u8>` field is written as an array of integers, as serde writes any `Vec`: use
//! `serde_bytes` (or a [`Value`] field) to write bytes. Map keys must be strings (BSON keys are,
//! and pymongo refuses others); a unit enum variant or a `char` also serves as a key.
//!
//! A type that describes itself to the deserializer (`deserialize_any`: [`Value`],
//! `serde_json::Value`, untagged and internally tagged enums, `#[serde(flatten)]`) sees the
//! natural form of `Double`, `String`, `Document`, `Array`, `Bool`, `Null` (and `Undefined`),
//! `Int32`, `Int64`, `Symbol` (a string) and `Binary` subtype 0 (bytes). Every other type comes
//! as its canonical Extended JSON wrapper, e.g. `{"$date": {"$numberLong": "1700000000000"}}`,
//! which [`DateTime`], [`ObjectId`] and [`Value`] read back as the type it stands for. So a
//! [`Value`] field keeps its value both ways, except where pymongo itself would not: an `Int64`
//! within the `i32` range reads as `Int32`, `Undefined` as `Null`, `Symbol` as `String`.
//!
//! Writing, a map whose first key starts with `$` is read through [`Value`]'s Extended JSON
//! reader, so that the wrapper a [`Value`] field serializes to becomes its BSON type again; a
//! map led by a wrapper keyword (`$oid`, `$date`, ...) that is not that wrapper is refused.

use alloc::vec::Vec;
use core::fmt::{self, Write as _};

use ::serde::de::value::{
    BorrowedStrDeserializer, MapAccessDeserializer, SeqDeserializer, StrDeserializer,
};
use ::serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};
use ::serde::ser::{self, Serialize};
use ::serde::Deserialize;

use crate::error::{Error, Layer, Name, Result};
use crate::value::{Document, Session, Str, Value};

/// The newtype-struct name by which [`DateTime`] tells this module's serializer and
/// deserializer that it stands for BSON `DateTime` (other formats see a plain newtype: a
/// number). The `$` keeps it from meaning anything to a format that prints names.
const DATETIME: &str = "$beaker_session_jwt::DateTime";

/// As [`DATETIME`], for [`ObjectId`] (other formats see a newtype around a hex string).
const OBJECT_ID: &str = "$beaker_session_jwt::ObjectId";

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/// (feature `serde`) Reads a whole session into `T` (a struct or a map), with the natural
/// mapping of the [module table](crate::interop::natural#mapping): an integer is a number, a
/// datetime a [`DateTime`], a missing `Option` field `None`. Strings can be borrowed (`&str`
/// fields).
///
/// ```
/// use beaker_session_jwt::{from_session, Session, Value};
/// use serde::Deserialize;
///
/// #[derive(Debug, PartialEq, Deserialize)]
/// struct Login {
///     user_id: u32,
///     roles: Vec<String>,
///     theme: Option<String>,
///     #[serde(rename = "_accessed_time")]
///     accessed: f64,
/// }
///
/// let mut session = Session::new();
/// session.insert("user_id", 1234i32);
/// session.insert("roles", vec!["admin", "editor"]);
/// session.insert("_accessed_time", 1_700_000_000.5);
/// let login: Login = from_session(&session)?;
/// assert_eq!(login.user_id, 1234);
/// assert_eq!(login.roles, ["admin", "editor"]);
/// assert_eq!(login.theme, None);
/// Ok::<(), beaker_session_jwt::Error>(())
/// ```
///
/// # Errors
/// [`Error::Mismatch`] naming the key path when a value does not fit its field (wrong type,
/// integer out of range, missing field, unknown variant, or whatever `T`'s `Deserialize`
/// refuses).
///
/// # Limits
/// None of its own: it walks the session once, and allocates only what `T` keeps. The session
/// is as deep and as large as the [`Limits`](crate::Limits) it was decoded under allowed.
pub fn from_session<'de, T: Deserialize<'de>>(session: &'de Session) -> Result<T> {
    let reader = DocReader {
        doc: session,
        path: &Path::Root,
        lend: Borrowed,
    };
    T::deserialize(reader).map_err(|e| e.at(&Path::Root).into_error())
}

/// (feature `serde`) Reads one value into `T`, with the mapping of [`from_session`].
///
/// ```
/// use beaker_session_jwt::{from_value, Value};
/// let n: u8 = from_value(&Value::Int64(200))?;
/// assert_eq!(n, 200);
/// assert!(from_value::<u8>(&Value::Int32(300)).is_err());
/// Ok::<(), beaker_session_jwt::Error>(())
/// ```
///
/// # Errors
/// As [`from_session`]; the key path starts inside `value`.
///
/// # Limits
/// As [`from_session`].
pub fn from_value<'de, T: Deserialize<'de>>(value: &'de Value) -> Result<T> {
    T::deserialize(Reader::new(value, &Path::Root)).map_err(|e| e.at(&Path::Root).into_error())
}

/// (feature `serde`) Writes `value` (a struct or a map) as a session, with the natural mapping
/// of the [module table](crate::interop::natural#mapping): an integer is `Int32` when it fits,
/// else `Int64`, a `None` is `Null`, a unit enum variant is its name.
///
/// ```
/// use beaker_session_jwt::{to_session, DateTime, Value};
/// use serde::Serialize;
///
/// #[derive(Serialize)]
/// struct Login<'a> { user_id: u64, username: &'a str, last_seen: DateTime }
///
/// let login = Login { user_id: 42, username: "alice", last_seen: DateTime(1_700_000_000_000) };
/// let session = to_session(&login)?;
/// assert_eq!(session.get("user_id"), Some(&Value::Int32(42)));
/// assert_eq!(session.get("last_seen"), Some(&Value::DateTime(1_700_000_000_000)));
/// Ok::<(), beaker_session_jwt::Error>(())
/// ```
///
/// # Errors
/// [`Error::Unwritable`] in [`Layer::Serde`] naming the key path for a value with no session
/// form: an integer above `i64::MAX`, a map key that is not a string, a `$`-led map that is not
/// the Extended JSON wrapper it names, or whatever `T`'s `Serialize` refuses; with an empty key
/// when `value` is not a struct or a map.
///
/// # Limits
/// None of its own: the session is as large as `value`. [`encode_cookie`](crate::encode_cookie)
/// applies the cookie's limits when it is written.
pub fn to_session<T: Serialize + ?Sized>(value: &T) -> Result<Session> {
    match to_value(value)? {
        Value::Document(doc) => Ok(doc),
        _ => Err(Fail::write("a session that is not a struct or a map").into_error()),
    }
}

/// (feature `serde`) Writes one value, with the mapping of [`to_session`]; put it in a session
/// with [`Document::insert`].
///
/// ```
/// use beaker_session_jwt::{to_value, Session, Value};
/// let mut session = Session::new();
/// session.insert("cart", to_value(&[3u32, 5])?);
/// assert_eq!(session.get("cart"), Some(&Value::from(vec![3, 5])));
/// Ok::<(), beaker_session_jwt::Error>(())
/// ```
///
/// # Errors
/// As [`to_session`], except that any value has a form here.
///
/// # Limits
/// As [`to_session`].
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value> {
    value
        .serialize(Writer::new(&Path::Root))
        .map_err(|e| e.at(&Path::Root).into_error())
}

impl Document {
    /// (feature `serde`) The value under `key` read into `T`, with the mapping of
    /// [`from_session`]; `Ok(None)` when the key is absent.
    ///
    /// ```
    /// use beaker_session_jwt::{Session, Value};
    /// let mut session = Session::new();
    /// session.insert("user_id", 42i32);
    /// let id: Option<u64> = session.get_as("user_id")?;
    /// assert_eq!(id, Some(42));
    /// assert_eq!(session.get_as::<u64>("missing")?, None);
    /// assert!(session.get_as::<String>("user_id").is_err());
    /// Ok::<(), beaker_session_jwt::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`from_session`]; the key path starts with `key`.
    ///
    /// # Limits
    /// As [`from_session`].
    pub fn get_as<'de, T: Deserialize<'de>>(&'de self, key: &str) -> Result<Option<T>> {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        let here = Path::Key(&Path::Root, key);
        T::deserialize(Reader::new(value, &here))
            .map(Some)
            .map_err(|e| e.at(&here).into_error())
    }
}

/// (feature `serde`) A BSON `DateTime` (a Python `datetime.datetime`): milliseconds since the
/// Unix epoch, UTC. Name it as a field's type to read and write BSON datetimes through
/// [`from_session`] and [`to_session`].
///
/// Other serde formats see the number of milliseconds (so JSON holds `1700000000000`); reading,
/// it also accepts the Extended JSON `{"$date": ...}` forms. Beaker's own `_creation_time`
/// and `_accessed_time` are not datetimes but `f64` seconds.
///
/// ```
/// use beaker_session_jwt::{from_session, DateTime, Session, Value};
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// struct Audit { last_login: DateTime }
///
/// let mut session = Session::new();
/// session.insert("last_login", Value::DateTime(1_709_210_096_789));
/// let audit: Audit = from_session(&session)?;
/// assert_eq!(audit.last_login, DateTime(1_709_210_096_789));
/// Ok::<(), beaker_session_jwt::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(pub i64);

/// (feature `serde`) A BSON `ObjectId` (`bson.objectid.ObjectId`): 12 bytes. Name it as a
/// field's type to read and write ObjectIds through [`from_session`] and [`to_session`].
///
/// Other serde formats see its 24 lowercase hex digits (its `Display`); reading, it also
/// accepts 12 bytes and the Extended JSON `{"$oid": ...}` form.
///
/// ```
/// use beaker_session_jwt::{from_value, ObjectId, Value};
/// let bytes = [0x65, 0xf0, 0xc0, 0xff, 0xee, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd];
/// let id: ObjectId = from_value(&Value::ObjectId(bytes))?;
/// assert_eq!(id, ObjectId(bytes));
/// assert_eq!(id.to_string(), "65f0c0ffee0123456789abcd");
/// Ok::<(), beaker_session_jwt::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectId(pub [u8; 12]);

impl From<DateTime> for Value {
    fn from(d: DateTime) -> Value {
        Value::DateTime(d.0)
    }
}

impl From<ObjectId> for Value {
    fn from(id: ObjectId) -> Value {
        Value::ObjectId(id.0)
    }
}

impl fmt::Display for ObjectId {
    /// 24 lowercase hex digits, as Python's `str(ObjectId(...))`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl Serialize for DateTime {
    fn serialize<S: ser::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(DATETIME, &self.0)
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> core::result::Result<DateTime, D::Error> {
        d.deserialize_newtype_struct(DATETIME, DateTimeVisitor)
    }
}

impl Serialize for ObjectId {
    fn serialize<S: ser::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(OBJECT_ID, &DisplayStr(self))
    }
}

impl<'de> Deserialize<'de> for ObjectId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> core::result::Result<ObjectId, D::Error> {
        d.deserialize_newtype_struct(OBJECT_ID, ObjectIdVisitor)
    }
}

/// Serializes a `Display` value as a string.
struct DisplayStr<'a, T>(&'a T);

impl<T: fmt::Display> Serialize for DisplayStr<'_, T> {
    fn serialize<S: ser::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        s.collect_str(self.0)
    }
}

struct DateTimeVisitor;

impl<'de> Visitor<'de> for DateTimeVisitor {
    type Value = DateTime;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a BSON datetime (milliseconds since the epoch)")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> core::result::Result<DateTime, E> {
        Ok(DateTime(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> core::result::Result<DateTime, E> {
        i64::try_from(v)
            .map(DateTime)
            .map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        d: D,
    ) -> core::result::Result<DateTime, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> core::result::Result<DateTime, A::Error> {
        // Extended JSON (our own `deserialize_any`, or JSON text): `Value`'s reader knows every
        // `$date` form.
        match Value::deserialize(MapAccessDeserializer::new(map))? {
            Value::DateTime(ms) => Ok(DateTime(ms)),
            other => Err(de::Error::invalid_type(
                Unexpected::Other(other.kind()),
                &self,
            )),
        }
    }
}

struct ObjectIdVisitor;

impl<'de> Visitor<'de> for ObjectIdVisitor {
    type Value = ObjectId;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a BSON ObjectId (12 bytes or 24 hex digits)")
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> core::result::Result<ObjectId, E> {
        <[u8; 12]>::try_from(v)
            .map(ObjectId)
            .map_err(|_| E::invalid_length(v.len(), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> core::result::Result<ObjectId, E> {
        parse_object_id(v)
            .map(ObjectId)
            .ok_or_else(|| E::invalid_value(Unexpected::Other("a string"), &self))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        d: D,
    ) -> core::result::Result<ObjectId, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> core::result::Result<ObjectId, A::Error> {
        match Value::deserialize(MapAccessDeserializer::new(map))? {
            Value::ObjectId(id) => Ok(ObjectId(id)),
            other => Err(de::Error::invalid_type(
                Unexpected::Other(other.kind()),
                &self,
            )),
        }
    }
}

/// The 12 bytes of 24 hex digits (either case, as `bson.ObjectId(str)` accepts).
fn parse_object_id(text: &str) -> Option<[u8; 12]> {
    fn digit(c: u8) -> Option<u8> {
        char::from(c)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    }
    let pairs = text.as_bytes().chunks_exact(2);
    if text.len() != 24 {
        return None;
    }
    let mut out = [0u8; 12];
    for (slot, pair) in out.iter_mut().zip(pairs) {
        let [hi, lo] = *pair else { return None };
        *slot = (digit(hi)? << 4) | digit(lo)?;
    }
    Some(out)
}

/// An ObjectId's 24 lowercase hex digits, on the stack. Only ASCII hex digits are written, so
/// the UTF-8 check cannot fail; if it did, that is an internal error, not an empty string.
fn object_id_hex<'b>(id: &[u8; 12], buf: &'b mut [u8; 24]) -> core::result::Result<&'b str, Fail> {
    /// The lowercase hex digit of the low nibble of `n`.
    fn hex(n: u8) -> u8 {
        match n & 0xF {
            d @ 0..=9 => b'0' + d,
            d => b'a' + (d - 10),
        }
    }
    for (pair, b) in buf.chunks_exact_mut(2).zip(id) {
        if let [hi, lo] = pair {
            *hi = hex(b >> 4);
            *lo = hex(*b);
        }
    }
    core::str::from_utf8(buf).map_err(|_| Fail::read("ObjectId hex digits are not UTF-8"))
}

// ---------------------------------------------------------------------------------------------
// Errors and key paths
// ---------------------------------------------------------------------------------------------

/// Where the value being read or written sits, as a chain on the stack (no allocation).
#[derive(Clone, Copy)]
enum Path<'p> {
    Root,
    Key(&'p Path<'p>, &'p str),
    Index(&'p Path<'p>, usize),
}

impl Path<'_> {
    fn render(&self, out: &mut PathText) {
        match *self {
            Path::Root => {}
            Path::Key(parent, key) => {
                parent.render(out);
                out.segment(format_args!("{key}"));
            }
            Path::Index(parent, i) => {
                parent.render(out);
                out.segment(format_args!("{i}"));
            }
        }
    }
}

/// A key path being rendered into a [`Name`] (cut on a character boundary at
/// [`Name::CAPACITY`] bytes, as every `Name` is).
struct PathText(Name);

impl PathText {
    fn segment(&mut self, text: fmt::Arguments<'_>) {
        if !self.0.as_str().is_empty() {
            let _ = self.write_str(".");
        }
        // A full `Name` only cuts the text; `write_str` never fails.
        let _ = self.write_fmt(text);
    }
}

impl fmt::Write for PathText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.push_str(s);
        Ok(())
    }
}

/// The error while reading or writing: serde needs one type that implements its error traits,
/// and the key path is only known on the way out, so [`Fail::at`] fills it in at the innermost
/// map or sequence that sees it; [`Fail::into_error`] makes the crate's [`Error`].
#[derive(Clone, Copy, Debug)]
struct Fail {
    write: bool,
    what: &'static str,
    /// A struct field named by `missing_field`, below the path where the error is caught.
    field: Option<&'static str>,
    key: Option<Name>,
}

impl Fail {
    const fn read(what: &'static str) -> Fail {
        Fail {
            write: false,
            what,
            field: None,
            key: None,
        }
    }

    const fn write(what: &'static str) -> Fail {
        Fail {
            write: true,
            what,
            field: None,
            key: None,
        }
    }

    /// Records `path` as the error's place, unless an inner level already did.
    fn at(mut self, path: &Path<'_>) -> Fail {
        if self.key.is_none() {
            let mut text = PathText(Name::EMPTY);
            path.render(&mut text);
            if let Some(field) = self.field {
                text.segment(format_args!("{field}"));
            }
            self.key = Some(text.0);
        }
        self
    }

    fn into_error(self) -> Error {
        // No path recorded: the error is about the value itself, whose path is empty.
        let key = self.key.unwrap_or(Name::EMPTY);
        if self.write {
            Error::Unwritable {
                layer: Layer::Serde,
                key,
                what: self.what,
            }
        } else {
            Error::Mismatch {
                key,
                what: self.what,
            }
        }
    }
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.into_error(), f)
    }
}

impl core::error::Error for Fail {}

/// The static text for a type a visitor refused (the visitor's own expectation is not static,
/// so it is dropped).
fn found(unexpected: &Unexpected<'_>) -> &'static str {
    match unexpected {
        Unexpected::Bool(_) => "invalid type: found bool",
        Unexpected::Unsigned(_) | Unexpected::Signed(_) => "invalid type: found integer",
        Unexpected::Float(_) => "invalid type: found double",
        Unexpected::Char(_) | Unexpected::Str(_) => "invalid type: found string",
        Unexpected::Bytes(_) => "invalid type: found binary",
        Unexpected::Unit | Unexpected::Option => "invalid type: found null",
        Unexpected::Seq => "invalid type: found array",
        Unexpected::Map => "invalid type: found document",
        Unexpected::NewtypeStruct
        | Unexpected::Enum
        | Unexpected::UnitVariant
        | Unexpected::NewtypeVariant
        | Unexpected::TupleVariant
        | Unexpected::StructVariant => "invalid type: found enum",
        Unexpected::Other(_) => "invalid type",
    }
}

impl de::Error for Fail {
    fn custom<T: fmt::Display>(_msg: T) -> Fail {
        // The message is not static; keeping it would allocate.
        Fail::read("refused by the type's Deserialize")
    }

    fn invalid_type(unexpected: Unexpected<'_>, _exp: &dyn de::Expected) -> Fail {
        Fail::read(found(&unexpected))
    }

    fn invalid_value(_unexpected: Unexpected<'_>, _exp: &dyn de::Expected) -> Fail {
        Fail::read("invalid value: out of the field's range, or refused by its type")
    }

    fn invalid_length(_len: usize, _exp: &dyn de::Expected) -> Fail {
        Fail::read("invalid length")
    }

    fn unknown_variant(_variant: &str, _expected: &'static [&'static str]) -> Fail {
        Fail::read("unknown enum variant")
    }

    fn unknown_field(_field: &str, _expected: &'static [&'static str]) -> Fail {
        Fail::read("unknown field")
    }

    fn missing_field(field: &'static str) -> Fail {
        Fail {
            field: Some(field),
            ..Fail::read("missing field")
        }
    }

    fn duplicate_field(field: &'static str) -> Fail {
        Fail {
            field: Some(field),
            ..Fail::read("duplicate field")
        }
    }
}

impl ser::Error for Fail {
    fn custom<T: fmt::Display>(_msg: T) -> Fail {
        Fail::write("refused by the type's Serialize")
    }
}

// ---------------------------------------------------------------------------------------------
// Reading: a serde Deserializer over &Value
// ---------------------------------------------------------------------------------------------

/// How strings and bytes reach a visitor: borrowed from the session (so `&str` fields work), or
/// copied, for the Extended JSON wrappers built on the fly, which do not live long enough.
trait Lend<'de, 'a>: Copy {
    type Key: Deserializer<'de, Error = Fail> + EnumAccess<'de, Error = Fail>;
    fn key(text: &'a str) -> Self::Key;
    fn visit_str<V: Visitor<'de>>(text: &'a str, v: V) -> core::result::Result<V::Value, Fail>;
    fn visit_bytes<V: Visitor<'de>>(bytes: &'a [u8], v: V) -> core::result::Result<V::Value, Fail>;
}

#[derive(Clone, Copy)]
struct Borrowed;

impl<'de> Lend<'de, 'de> for Borrowed {
    type Key = BorrowedStrDeserializer<'de, Fail>;

    fn key(text: &'de str) -> Self::Key {
        BorrowedStrDeserializer::new(text)
    }

    fn visit_str<V: Visitor<'de>>(text: &'de str, v: V) -> core::result::Result<V::Value, Fail> {
        v.visit_borrowed_str(text)
    }

    fn visit_bytes<V: Visitor<'de>>(
        bytes: &'de [u8],
        v: V,
    ) -> core::result::Result<V::Value, Fail> {
        v.visit_borrowed_bytes(bytes)
    }
}

#[derive(Clone, Copy)]
struct Copied;

impl<'de, 'a> Lend<'de, 'a> for Copied {
    type Key = StrDeserializer<'a, Fail>;

    fn key(text: &'a str) -> Self::Key {
        StrDeserializer::new(text)
    }

    fn visit_str<V: Visitor<'de>>(text: &'a str, v: V) -> core::result::Result<V::Value, Fail> {
        v.visit_str(text)
    }

    fn visit_bytes<V: Visitor<'de>>(bytes: &'a [u8], v: V) -> core::result::Result<V::Value, Fail> {
        v.visit_bytes(bytes)
    }
}

/// Reads one value.
struct Reader<'a, 'p, L> {
    value: &'a Value,
    path: &'p Path<'p>,
    lend: L,
}

impl<'a, 'p> Reader<'a, 'p, Borrowed> {
    fn new(value: &'a Value, path: &'p Path<'p>) -> Self {
        Reader {
            value,
            path,
            lend: Borrowed,
        }
    }
}

impl<'de, 'a, 'p, L: Lend<'de, 'a>> Reader<'a, 'p, L> {
    /// Hands the visitor the value's canonical Extended JSON wrapper, built with `Value`'s own
    /// `Serialize` so that the two mappings cannot drift apart.
    fn wrapper<V: Visitor<'de>>(self, visitor: V) -> core::result::Result<V::Value, Fail> {
        let wrapper = self
            .value
            .serialize(Writer::raw(self.path))
            .map_err(|_| Fail::read("a value with no unambiguous Extended JSON form"))?;
        Reader {
            value: &wrapper,
            path: self.path,
            lend: Copied,
        }
        .deserialize_any(visitor)
    }

    fn doc(self, doc: &'a Document) -> DocReader<'a, 'p, L> {
        DocReader {
            doc,
            path: self.path,
            lend: self.lend,
        }
    }
}

/// The integer hints: an integer, or a datetime's milliseconds.
macro_rules! integer_hints {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> core::result::Result<V::Value, Fail> {
            match *self.value {
                Value::DateTime(ms) => visitor.visit_i64(ms),
                _ => self.deserialize_any(visitor),
            }
        }
    )*};
}

impl<'de, 'a, 'p, L: Lend<'de, 'a>> Deserializer<'de> for Reader<'a, 'p, L> {
    type Error = Fail;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> core::result::Result<V::Value, Fail> {
        match self.value {
            Value::Double(d) => visitor.visit_f64(*d),
            Value::String(s) | Value::Symbol(s) => L::visit_str(s.as_str(), visitor),
            Value::Document(d) => self.doc(d).deserialize_any(visitor),
            Value::Array(items) => visitor.visit_seq(SeqReader::new(items, self.path, self.lend)),
            Value::Binary { subtype: 0, bytes } => L::visit_bytes(bytes, visitor),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Null | Value::Undefined => visitor.visit_unit(),
            Value::Int32(i) => visitor.visit_i32(*i),
            Value::Int64(i) => visitor.visit_i64(*i),
            Value::Binary { .. }
            | Value::ObjectId(_)
            | Value::DateTime(_)
            | Value::Regex(_)
            | Value::DbPointer(_)
            | Value::JavaScript(_)
            | Value::JavaScriptWithScope(_)
            | Value::Timestamp { .. }
            | Value::Decimal128(_)
            | Value::MinKey
            | Value::MaxKey => self.wrapper(visitor),
        }
    }

    integer_hints! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> core::result::Result<V::Value, Fail> {
        match self.value {
            Value::JavaScript(code) => L::visit_str(code.as_str(), visitor),
            Value::ObjectId(id) => visitor.visit_str(object_id_hex(id, &mut [0; 24])?),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> core::result::Result<V::Value, Fail> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> core::result::Result<V::Value, Fail> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> core::result::Result<V::Value, Fail> {
        match self.value {
            Value::Binary { bytes, .. } => L::visit_bytes(bytes, visitor),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> core::result::Result<V::Value, Fail> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> core::result::Result<V::Value, Fail> {
        match self.value {
            Value::Null | Value::Undefined => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> core::result::Result<V::Value, Fail> {
        // The named BSON types take only their own type: a number is not a datetime.
        match (name, self.value) {
            (DATETIME, Value::DateTime(ms)) => visitor.visit_i64(*ms),
            (DATETIME, _) => Err(Fail::read("invalid type: not a BSON datetime")),
            (OBJECT_ID, Value::ObjectId(id)) => visitor.visit_bytes(id),
            (OBJECT_ID, _) => Err(Fail::read("invalid type: not an ObjectId")),
            _ => visitor.visit_newtype_struct(self),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> core::result::Result<V::Value, Fail> {
        match self.value {
            // A `Vec<u8>` field reading bytes.
            Value::Binary { bytes, .. } => {
                visitor.visit_seq(SeqDeserializer::<_, Fail>::new(bytes.iter().copied()))
            }
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> core::result::Result<V::Value, Fail> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> core::result::Result<V::Value, Fail> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> core::result::Result<V::Value, Fail> {
        match self.value {
            Value::String(s) | Value::Symbol(s) => visitor.visit_enum(L::key(s.as_str())),
            Value::Document(d) => self.doc(d).deserialize_enum(name, variants, visitor),
            _ => Err(Fail::read(
                "invalid type: an enum is a string or a one-key document",
            )),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> core::result::Result<V::Value, Fail> {
        // Skipped without walking it: an ignored value cannot be wrong.
        visitor.visit_unit()
    }

    fn is_human_readable(&self) -> bool {
        // Python wrote the session; its strings are text, as in JSON.
        true
    }

    ::serde::forward_to_deserialize_any! {
        bool f32 f64 unit unit_struct map struct identifier
    }
}

/// Reads a document: the session itself, or a `Document` value.
struct DocReader<'a, 'p, L> {
    doc: &'a Document,
    path: &'p Path<'p>,
    lend: L,
}

impl<'de, 'a, 'p, L: Lend<'de, 'a>> Deserializer<'de> for DocReader<'a, 'p, L> {
    type Error = Fail;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> core::result::Result<V::Value, Fail> {
        visitor.visit_map(MapReader {
            entries: self.doc.entries().iter(),
            pending: None,
            path: self.path,
            lend: self.lend,
        })
    }

    fn deserialize_option<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> core::result::Result<V::Value, Fail> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> core::result::Result<V::Value, Fail> {
        match name {
            DATETIME => Err(Fail::read("invalid type: not a BSON datetime")),
            OBJECT_ID => Err(Fail::read("invalid type: not an ObjectId")),
            _ => visitor.visit_newtype_struct(self),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> core::result::Result<V::Value, Fail> {
        // Externally tagged, as serde_json writes a variant with content: `{variant: content}`.
        match self.doc.entries() {
            [(key, value)] => visitor.visit_enum(VariantReader {
                key: key.as_str(),
                value,
                path: self.path,
                lend: self.lend,
            }),
            _ => Err(Fail::read(
                "invalid type: an enum is a string or a one-key document",
            )),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> core::result::Result<V::Value, Fail> {
        visitor.visit_unit()
    }

    fn is_human_readable(&self) -> bool {
        true
    }

    ::serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

/// A document's entries, for a struct or a map.
struct MapReader<'a, 'p, L> {
    entries: core::slice::Iter<'a, (Str, Value)>,
    pending: Option<&'a (Str, Value)>,
    path: &'p Path<'p>,
    lend: L,
}

impl<'de, 'a, 'p, L: Lend<'de, 'a>> MapAccess<'de> for MapReader<'a, 'p, L> {
    type Error = Fail;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> core::result::Result<Option<K::Value>, Fail> {
        let Some(entry) = self.entries.next() else {
            return Ok(None);
        };
        self.pending = Some(entry);
        let key = entry.0.as_str();
        seed.deserialize(L::key(key))
            .map(Some)
            .map_err(|e| e.at(&Path::Key(self.path, key)))
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> core::result::Result<S::Value, Fail> {
        let Some((key, value)) = self.pending.take() else {
            return Err(Fail::read("a map value asked for before its key"));
        };
        let here = Path::Key(self.path, key.as_str());
        seed.deserialize(Reader {
            value,
            path: &here,
            lend: self.lend,
        })
        .map_err(|e| e.at(&here))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// An array's elements.
struct SeqReader<'a, 'p, L> {
    items: core::iter::Enumerate<core::slice::Iter<'a, Value>>,
    path: &'p Path<'p>,
    lend: L,
}

impl<'a, 'p, L> SeqReader<'a, 'p, L> {
    fn new(items: &'a [Value], path: &'p Path<'p>, lend: L) -> Self {
        SeqReader {
            items: items.iter().enumerate(),
            path,
            lend,
        }
    }
}

impl<'de, 'a, 'p, L: Lend<'de, 'a>> SeqAccess<'de> for SeqReader<'a, 'p, L> {
    type Error = Fail;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> core::result::Result<Option<S::Value>, Fail> {
        let Some((i, value)) = self.items.next() else {
            return Ok(None);
        };
        let here = Path::Index(self.path, i);
        seed.deserialize(Reader {
            value,
            path: &here,
            lend: self.lend,
        })
        .map(Some)
        .map_err(|e| e.at(&here))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// An enum variant with content, `{variant: content}`.
struct VariantReader<'a, 'p, L> {
    key: &'a str,
    value: &'a Value,
    path: &'p Path<'p>,
    lend: L,
}

impl<'de, 'a, 'p, L: Lend<'de, 'a>> EnumAccess<'de> for VariantReader<'a, 'p, L> {
    type Error = Fail;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> core::result::Result<(S::Value, Self), Fail> {
        let variant = seed
            .deserialize(L::key(self.key))
            .map_err(|e| e.at(&Path::Key(self.path, self.key)))?;
        Ok((variant, self))
    }
}

impl<'de, 'a, 'p, L: Lend<'de, 'a>> VariantAccess<'de> for VariantReader<'a, 'p, L> {
    type Error = Fail;

    fn unit_variant(self) -> core::result::Result<(), Fail> {
        // `{variant: null}`, as serde_json accepts.
        match self.value {
            Value::Null | Value::Undefined => Ok(()),
            _ => Err(
                Fail::read("invalid type: a unit variant's content must be null")
                    .at(&Path::Key(self.path, self.key)),
            ),
        }
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> core::result::Result<S::Value, Fail> {
        let here = Path::Key(self.path, self.key);
        seed.deserialize(Reader {
            value: self.value,
            path: &here,
            lend: self.lend,
        })
        .map_err(|e| e.at(&here))
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> core::result::Result<V::Value, Fail> {
        let here = Path::Key(self.path, self.key);
        Reader {
            value: self.value,
            path: &here,
            lend: self.lend,
        }
        .deserialize_seq(visitor)
        .map_err(|e| e.at(&here))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> core::result::Result<V::Value, Fail> {
        let here = Path::Key(self.path, self.key);
        Reader {
            value: self.value,
            path: &here,
            lend: self.lend,
        }
        .deserialize_map(visitor)
        .map_err(|e| e.at(&here))
    }
}

// ---------------------------------------------------------------------------------------------
// Writing: a serde Serializer into Value
// ---------------------------------------------------------------------------------------------

/// Builds a [`Value`]. `raw` builds maps as they come, with no Extended JSON reading: for the
/// inside of a `$`-led map, which is read as a whole when it ends, and for the wrappers
/// [`Reader::wrapper`] builds.
#[derive(Clone, Copy)]
struct Writer<'p> {
    path: &'p Path<'p>,
    raw: bool,
}

impl<'p> Writer<'p> {
    fn new(path: &'p Path<'p>) -> Self {
        Writer { path, raw: false }
    }

    fn raw(path: &'p Path<'p>) -> Self {
        Writer { path, raw: true }
    }

    /// `{variant: content}`, for an enum variant with content.
    fn variant<T: Serialize + ?Sized>(
        self,
        variant: &'static str,
        content: &T,
    ) -> core::result::Result<Value, Fail> {
        let here = Path::Key(self.path, variant);
        let value = content
            .serialize(Writer {
                path: &here,
                raw: self.raw,
            })
            .map_err(|e| e.at(&here))?;
        Ok(Value::Document(Document::from_entries(alloc::vec![(
            Str::from(variant),
            value
        )])))
    }
}

impl<'p> ser::Serializer for Writer<'p> {
    type Ok = Value;
    type Error = Fail;
    type SerializeSeq = SeqBuilder<'p>;
    type SerializeTuple = SeqBuilder<'p>;
    type SerializeTupleStruct = SeqBuilder<'p>;
    type SerializeTupleVariant = SeqBuilder<'p>;
    type SerializeMap = MapBuilder<'p>;
    type SerializeStruct = MapBuilder<'p>;
    type SerializeStructVariant = MapBuilder<'p>;

    fn serialize_bool(self, v: bool) -> core::result::Result<Value, Fail> {
        Ok(Value::Bool(v))
    }

    fn serialize_i8(self, v: i8) -> core::result::Result<Value, Fail> {
        Ok(Value::from(v))
    }

    fn serialize_i16(self, v: i16) -> core::result::Result<Value, Fail> {
        Ok(Value::from(v))
    }

    fn serialize_i32(self, v: i32) -> core::result::Result<Value, Fail> {
        Ok(Value::from(v))
    }

    fn serialize_i64(self, v: i64) -> core::result::Result<Value, Fail> {
        Ok(Value::from(v))
    }

    fn serialize_i128(self, v: i128) -> core::result::Result<Value, Fail> {
        i64::try_from(v)
            .map(Value::from)
            .map_err(|_| Fail::write("integer outside the i64 range"))
    }

    fn serialize_u8(self, v: u8) -> core::result::Result<Value, Fail> {
        Ok(Value::from(v))
    }

    fn serialize_u16(self, v: u16) -> core::result::Result<Value, Fail> {
        Ok(Value::from(v))
    }

    fn serialize_u32(self, v: u32) -> core::result::Result<Value, Fail> {
        Ok(Value::from(v))
    }

    fn serialize_u64(self, v: u64) -> core::result::Result<Value, Fail> {
        // pymongo refuses a Python int above i64::MAX ("MongoDB can only handle up to 8-byte
        // ints"); wrapping it would change the session's meaning.
        Value::try_from(v).map_err(|_| Fail::write("integer above i64::MAX"))
    }

    fn serialize_u128(self, v: u128) -> core::result::Result<Value, Fail> {
        i64::try_from(v)
            .map(Value::from)
            .map_err(|_| Fail::write("integer above i64::MAX"))
    }

    fn serialize_f32(self, v: f32) -> core::result::Result<Value, Fail> {
        Ok(Value::from(v))
    }

    fn serialize_f64(self, v: f64) -> core::result::Result<Value, Fail> {
        Ok(Value::from(v))
    }

    fn serialize_char(self, v: char) -> core::result::Result<Value, Fail> {
        Ok(Value::from(&*v.encode_utf8(&mut [0; 4])))
    }

    fn serialize_str(self, v: &str) -> core::result::Result<Value, Fail> {
        Ok(Value::from(v))
    }

    fn serialize_bytes(self, v: &[u8]) -> core::result::Result<Value, Fail> {
        // Subtype 0: a Python `bytes`.
        Ok(Value::Binary {
            subtype: 0,
            bytes: v.to_vec(),
        })
    }

    fn serialize_none(self) -> core::result::Result<Value, Fail> {
        Ok(Value::Null)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> core::result::Result<Value, Fail> {
        v.serialize(self)
    }

    fn serialize_unit(self) -> core::result::Result<Value, Fail> {
        Ok(Value::Null)
    }

    fn serialize_unit_struct(self, _name: &'static str) -> core::result::Result<Value, Fail> {
        Ok(Value::Null)
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> core::result::Result<Value, Fail> {
        Ok(Value::from(variant))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        v: &T,
    ) -> core::result::Result<Value, Fail> {
        let inner = v.serialize(self)?;
        match (name, inner) {
            (DATETIME, Value::Int32(ms)) => Ok(Value::DateTime(i64::from(ms))),
            (DATETIME, Value::Int64(ms)) => Ok(Value::DateTime(ms)),
            (OBJECT_ID, Value::String(hex)) => parse_object_id(&hex)
                .map(Value::ObjectId)
                .ok_or(Fail::write("an ObjectId that is not 24 hex digits")),
            (DATETIME | OBJECT_ID, _) => Err(Fail::write("a DateTime or ObjectId of another type")),
            (_, inner) => Ok(inner),
        }
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        v: &T,
    ) -> core::result::Result<Value, Fail> {
        self.variant(variant, v)
    }

    fn serialize_seq(self, len: Option<usize>) -> core::result::Result<SeqBuilder<'p>, Fail> {
        Ok(SeqBuilder::new(self, len.unwrap_or(0), None))
    }

    fn serialize_tuple(self, len: usize) -> core::result::Result<SeqBuilder<'p>, Fail> {
        Ok(SeqBuilder::new(self, len, None))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> core::result::Result<SeqBuilder<'p>, Fail> {
        Ok(SeqBuilder::new(self, len, None))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> core::result::Result<SeqBuilder<'p>, Fail> {
        Ok(SeqBuilder::new(self, len, Some(variant)))
    }

    fn serialize_map(self, len: Option<usize>) -> core::result::Result<MapBuilder<'p>, Fail> {
        Ok(MapBuilder::new(self, len.unwrap_or(0), None))
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> core::result::Result<MapBuilder<'p>, Fail> {
        Ok(MapBuilder::new(self, len, None))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> core::result::Result<MapBuilder<'p>, Fail> {
        Ok(MapBuilder::new(self, len, Some(variant)))
    }

    fn is_human_readable(&self) -> bool {
        true
    }
}

/// Wraps a finished container as `{variant: value}` when it is an enum variant's content.
fn in_variant(variant: Option<&'static str>, value: Value) -> Value {
    match variant {
        Some(name) => Value::Document(Document::from_entries(alloc::vec![(
            Str::from(name),
            value
        )])),
        None => value,
    }
}

/// Builds an array (also a tuple variant's content).
struct SeqBuilder<'p> {
    items: Vec<Value>,
    path: &'p Path<'p>,
    raw: bool,
    variant: Option<&'static str>,
}

impl<'p> SeqBuilder<'p> {
    fn new(writer: Writer<'p>, len: usize, variant: Option<&'static str>) -> Self {
        SeqBuilder {
            // The length of the caller's own collection, not of untrusted input.
            items: Vec::with_capacity(len),
            path: writer.path,
            raw: writer.raw,
            variant,
        }
    }

    fn push<T: Serialize + ?Sized>(&mut self, v: &T) -> core::result::Result<(), Fail> {
        let index = self.items.len();
        let outer = self.variant.map(|name| Path::Key(self.path, name));
        let parent = outer.as_ref().unwrap_or(self.path);
        let here = Path::Index(parent, index);
        let value = v
            .serialize(Writer {
                path: &here,
                raw: self.raw,
            })
            .map_err(|e| e.at(&here))?;
        self.items.push(value);
        Ok(())
    }

    fn finish(self) -> Value {
        in_variant(self.variant, Value::Array(self.items))
    }
}

impl ser::SerializeSeq for SeqBuilder<'_> {
    type Ok = Value;
    type Error = Fail;

    fn serialize_element<T: Serialize + ?Sized>(
        &mut self,
        v: &T,
    ) -> core::result::Result<(), Fail> {
        self.push(v)
    }

    fn end(self) -> core::result::Result<Value, Fail> {
        Ok(self.finish())
    }
}

impl ser::SerializeTuple for SeqBuilder<'_> {
    type Ok = Value;
    type Error = Fail;

    fn serialize_element<T: Serialize + ?Sized>(
        &mut self,
        v: &T,
    ) -> core::result::Result<(), Fail> {
        self.push(v)
    }

    fn end(self) -> core::result::Result<Value, Fail> {
        Ok(self.finish())
    }
}

impl ser::SerializeTupleStruct for SeqBuilder<'_> {
    type Ok = Value;
    type Error = Fail;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> core::result::Result<(), Fail> {
        self.push(v)
    }

    fn end(self) -> core::result::Result<Value, Fail> {
        Ok(self.finish())
    }
}

impl ser::SerializeTupleVariant for SeqBuilder<'_> {
    type Ok = Value;
    type Error = Fail;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> core::result::Result<(), Fail> {
        self.push(v)
    }

    fn end(self) -> core::result::Result<Value, Fail> {
        Ok(self.finish())
    }
}

/// Builds a document (also a struct variant's content).
struct MapBuilder<'p> {
    entries: Vec<(Str, Value)>,
    /// The key `serialize_key` gave, waiting for its value.
    pending: Option<Str>,
    path: &'p Path<'p>,
    raw: bool,
    /// The first key starts with `$`: build the rest raw and read the whole through `Value`'s
    /// Extended JSON reader at the end.
    extended: bool,
    variant: Option<&'static str>,
}

impl<'p> MapBuilder<'p> {
    fn new(writer: Writer<'p>, len: usize, variant: Option<&'static str>) -> Self {
        MapBuilder {
            // The length of the caller's own collection, not of untrusted input.
            entries: Vec::with_capacity(len),
            pending: None,
            path: writer.path,
            raw: writer.raw,
            extended: false,
            variant,
        }
    }

    fn push<T: Serialize + ?Sized>(&mut self, key: Str, v: &T) -> core::result::Result<(), Fail> {
        if self.entries.is_empty() && !self.raw && key.starts_with('$') {
            self.extended = true;
        }
        let outer = self.variant.map(|name| Path::Key(self.path, name));
        let parent = outer.as_ref().unwrap_or(self.path);
        let here = Path::Key(parent, &key);
        let value = v
            .serialize(Writer {
                path: &here,
                raw: self.raw || self.extended,
            })
            .map_err(|e| e.at(&here))?;
        self.entries.push((key, value));
        Ok(())
    }

    fn finish(self) -> core::result::Result<Value, Fail> {
        // A repeated key keeps its first position and its last value, as a Python dict built
        // from the same pairs would.
        let doc = Value::Document(Document::from_entries(self.entries));
        let value = if self.extended {
            // A `Value` field serialized itself as Extended JSON; read it back as the type it
            // stands for (a `$`-led plain document, such as a DBRef's `$ref`, stays one).
            Value::deserialize(Reader::new(&doc, self.path)).map_err(|_| {
                Fail::write("a map led by an Extended JSON keyword that is not that wrapper")
                    .at(self.path)
            })?
        } else {
            doc
        };
        Ok(in_variant(self.variant, value))
    }
}

impl ser::SerializeMap for MapBuilder<'_> {
    type Ok = Value;
    type Error = Fail;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> core::result::Result<(), Fail> {
        // Through the same writer, so a `char`, a unit variant or a newtype around a string
        // works as a key; anything else is refused, as pymongo refuses a non-str key.
        match key.serialize(Writer::new(self.path))? {
            Value::String(text) => {
                self.pending = Some(text);
                Ok(())
            }
            _ => Err(Fail::write("a map key that is not a string").at(self.path)),
        }
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> core::result::Result<(), Fail> {
        match self.pending.take() {
            Some(key) => self.push(key, v),
            None => Err(Fail::write("a map value without a key").at(self.path)),
        }
    }

    fn end(self) -> core::result::Result<Value, Fail> {
        self.finish()
    }
}

impl ser::SerializeStruct for MapBuilder<'_> {
    type Ok = Value;
    type Error = Fail;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> core::result::Result<(), Fail> {
        self.push(Str::from(key), v)
    }

    fn end(self) -> core::result::Result<Value, Fail> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for MapBuilder<'_> {
    type Ok = Value;
    type Error = Fail;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> core::result::Result<(), Fail> {
        self.push(Str::from(key), v)
    }

    fn end(self) -> core::result::Result<Value, Fail> {
        self.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_path_text_cuts_on_a_char_boundary() {
        let long = "é".repeat(40);
        let root = Path::Root;
        let outer = Path::Key(&root, "a");
        let inner = Path::Key(&outer, &long);
        let fail = Fail::read("x").at(&inner);
        let key = fail.key.unwrap();
        assert!(key.as_str().starts_with("a.é"));
        assert!(key.as_str().len() <= Name::CAPACITY);
    }

    #[test]
    fn natural_object_id_hex_round_trips() {
        let id = [
            0x65, 0xf0, 0xc0, 0xff, 0xee, 1, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd,
        ];
        let mut buf = [0; 24];
        let hex = object_id_hex(&id, &mut buf).unwrap();
        assert_eq!(hex, "65f0c0ffee0123456789abcd");
        assert_eq!(parse_object_id(hex), Some(id));
        assert_eq!(parse_object_id("65F0C0FFEE0123456789ABCD"), Some(id));
        assert_eq!(parse_object_id("65f0c0ffee0123456789abc"), None);
        assert_eq!(parse_object_id("65f0c0ffee0123456789abcg"), None);
        assert_eq!(parse_object_id("é5f0c0ffee0123456789abc"), None);
    }

    #[test]
    fn natural_first_error_place_wins() {
        let root = Path::Root;
        let inner = Path::Key(&root, "inner");
        let outer = Path::Key(&root, "outer");
        let fail = Fail::read("x").at(&inner).at(&outer);
        assert_eq!(fail.key.unwrap().as_str(), "inner");
    }
}
