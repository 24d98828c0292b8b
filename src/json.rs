//! Bounded JSON reading and writing, compatible with Python's `json` module.

use alloc::string::String;

use crate::error::{Error, Layer, Result};
use crate::limits::Limits;
use crate::value::{Document, Value};

/// How to lay out written JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Style {
    /// joserfc's claims: separators `,` and `:`, non-ASCII written as is.
    Compact,
    /// `json.dumps(obj)` defaults: separators `, ` and `: `, `ensure_ascii=True`.
    Python,
}

/// Reads a JSON text whose top level is an object.
///
/// # Errors
/// [`Error::Malformed`] / [`Error::Unsupported`] in [`Layer::Json`], [`Error::LimitExceeded`].
///
/// # Limits
/// `max_depth`, `max_items`, `max_str_len`.
pub fn read(text: &[u8], limits: &Limits) -> Result<Document> {
    let _ = (text, limits);
    Err(Error::unsupported(Layer::Json, 0, "UNFINISHED STUB"))
}

/// Reads any JSON value.
///
/// # Errors
/// As [`read`].
///
/// # Limits
/// As [`read`].
pub fn read_value(text: &[u8], limits: &Limits) -> Result<Value> {
    let _ = (text, limits);
    Err(Error::unsupported(Layer::Json, 0, "UNFINISHED STUB"))
}

/// Writes a document as JSON.
///
/// # Errors
/// [`Error::Unwritable`] for a value JSON cannot hold (datetime, binary, ...).
pub fn write(doc: &Document, style: Style) -> Result<String> {
    let _ = (doc, style);
    Err(Error::unsupported(Layer::Json, 0, "UNFINISHED STUB"))
}
