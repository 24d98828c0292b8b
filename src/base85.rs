//! Base85 exactly as Python's `base64.b85encode` / `base64.b85decode` (RFC 1924 alphabet).

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Error, Layer, Result};

/// Encodes like `base64.b85encode(data)` (no `pad`).
pub fn encode(data: &[u8]) -> String {
    let _ = data;
    String::new()
}

/// Decodes like `base64.b85decode(text)`.
///
/// # Errors
/// [`Error::Malformed`] in [`Layer::Base85`].
pub fn decode(text: &[u8]) -> Result<Vec<u8>> {
    let _ = text;
    Err(Error::unsupported(Layer::Base85, 0, "UNFINISHED STUB"))
}
