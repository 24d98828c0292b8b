//! BSON bytes -> `Document`, validating like the BSON corpus `decodeErrors`.

use crate::error::{Error, Layer, Result};
use crate::limits::Limits;
use crate::value::Document;

/// Reads one BSON document that spans all of `bytes`.
///
/// # Errors
/// [`Error::Malformed`] in [`Layer::Bson`]; [`Error::LimitExceeded`].
///
/// # Limits
/// `max_depth`, `max_items`, `max_str_len`.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Document> {
    let _ = (bytes, limits);
    Err(Error::unsupported(Layer::Bson, 0, "UNFINISHED STUB"))
}
