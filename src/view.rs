//! `SessionView`: a verified session read in place, for callers that need a few keys
//! ([`Codec::decode_view`](crate::Codec::decode_view)).

use crate::bson::{DocumentView, ValueRef};
use crate::config::TimeMode;
use crate::cookie::{self, Format};
use crate::error::Result;
use crate::time;
use crate::value::{Document, Session, Value};

/// A verified, decoded session that borrows the codec's inflated BSON.
///
/// For a `bsZ` cookie, keys are looked up in the BSON (validated in full when the view was
/// made) and then among the other JWT claims, which the BSON fields override, as Python's
/// `payload.update(...)` does. For other formats the session is held decoded.
#[derive(Clone, Debug)]
pub struct SessionView<'a> {
    fields: Option<DocumentView<'a>>,
    claims: Document,
    format: Format,
    key_index: usize,
}

/// One value of a [`SessionView`].
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Field<'a> {
    /// A value of the session's BSON, borrowed.
    Bson(ValueRef<'a>),
    /// A value already decoded: a JWT claim outside `bsZ`, or any value of a cookie in
    /// another format.
    Value(&'a Value),
}

impl<'a> SessionView<'a> {
    pub(crate) fn new(
        fields: Option<DocumentView<'a>>,
        claims: Document,
        format: Format,
        key_index: usize,
    ) -> SessionView<'a> {
        SessionView {
            fields,
            claims,
            format,
            key_index,
        }
    }

    /// The format the cookie came in.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Index of the key that verified it, as [`Decoded::key_index`](crate::Decoded::key_index).
    pub fn key_index(&self) -> usize {
        self.key_index
    }

    /// The value under `key`, as the decoded session would hold it.
    ///
    /// # Limits
    /// One pass over the top-level elements; allocates nothing.
    pub fn get(&self, key: &str) -> Option<Field<'_>> {
        if let Some(v) = self.fields.as_ref().and_then(|f| f.get(key)) {
            return Some(Field::Bson(v));
        }
        self.claims.get(key).map(Field::Value)
    }

    /// True when `key` is in the session.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The whole session, exactly what [`decode_cookie`](crate::decode_cookie) returns for
    /// the same cookie.
    ///
    /// # Errors
    /// None for a view made by [`Codec::decode_view`](crate::Codec::decode_view) (the bytes
    /// were validated); the `Result` only keeps every path free of panics.
    ///
    /// # Limits
    /// Those the cookie was decoded under.
    pub fn to_session(&self) -> Result<Session> {
        match &self.fields {
            Some(fields) => Ok(cookie::merge(self.claims.clone(), fields.to_document()?)),
            None => Ok(self.claims.clone()),
        }
    }

    pub(crate) fn check_timeout(&self, timeout: u64, now: f64, mode: TimeMode) -> Result<()> {
        let accessed = match self.get("_accessed_time") {
            None => None,
            Some(Field::Value(v)) => Some(v.clone()),
            Some(Field::Bson(v)) => Some(v.to_value()?),
        };
        time::check_accessed(accessed.as_ref(), timeout, now, mode)
    }
}

impl<'a> Field<'a> {
    /// The string, if this is a `String`.
    pub fn as_str(&self) -> Option<&'a str> {
        match *self {
            Field::Bson(v) => v.as_str(),
            Field::Value(v) => v.as_str(),
        }
    }

    /// The integer, if this is an `Int32` or an `Int64`.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Field::Bson(v) => v.as_i64(),
            Field::Value(Value::Int32(i)) => Some(i64::from(*i)),
            Field::Value(Value::Int64(i)) => Some(*i),
            Field::Value(_) => None,
        }
    }

    /// The value as a number, as [`Value::as_f64`].
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Field::Bson(v) => v.as_f64(),
            Field::Value(v) => v.as_f64(),
        }
    }

    /// The boolean, if this is a `Bool`.
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Field::Bson(v) => v.as_bool(),
            Field::Value(Value::Bool(b)) => Some(*b),
            Field::Value(_) => None,
        }
    }

    /// An owned copy.
    ///
    /// # Errors
    /// As [`SessionView::to_session`].
    pub fn to_value(&self) -> Result<Value> {
        match *self {
            Field::Bson(v) => v.to_value(),
            Field::Value(v) => Ok(v.clone()),
        }
    }
}
