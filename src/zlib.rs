//! Bounded zlib inflate and level-9 deflate (RFC 1950), through miniz_oxide.

use alloc::vec::Vec;

use crate::error::{Error, Layer, Result};
use crate::limits::Limits;

/// Inflates a zlib stream, refusing output beyond `limits.max_inflated_len`.
///
/// # Errors
/// [`Error::Malformed`] in [`Layer::Zlib`]; [`Error::LimitExceeded`] with `InflatedLen`.
///
/// # Limits
/// `max_inflated_len`.
pub fn inflate(data: &[u8], limits: &Limits) -> Result<Vec<u8>> {
    let _ = (data, limits);
    Err(Error::unsupported(Layer::Zlib, 0, "UNFINISHED STUB"))
}

/// Deflates at level 9 with a zlib header, like `zlib.compress(data, 9)`.
pub fn deflate(data: &[u8]) -> Vec<u8> {
    let _ = data;
    Vec::new()
}
