//! `Document` -> BSON bytes.

use alloc::vec::Vec;

use crate::error::{Error, Layer, Result};
use crate::value::Document;

/// Writes a document as BSON.
///
/// # Errors
/// [`Error::Unwritable`] for a key with a NUL byte.
pub fn write(doc: &Document) -> Result<Vec<u8>> {
    let _ = doc;
    Err(Error::unsupported(Layer::Bson, 0, "UNFINISHED STUB"))
}
