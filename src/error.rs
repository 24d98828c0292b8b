//! The one error type: a category a caller can match on, the layer that refused, and a static reason.
//!
//! The error is `Copy` and never allocates. It never holds cookie bytes or key material and never
//! says which key failed. A decode that returns an error returns nothing else: no partial session.

use core::fmt;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Why a cookie, a value or a configuration was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Input breaks the grammar of `layer` at byte `offset` of that layer's input.
    Malformed {
        /// The layer whose grammar was broken.
        layer: Layer,
        /// Byte offset into that layer's own input.
        offset: usize,
        /// A static description (for people; match on the variant and `layer`, not on this).
        what: &'static str,
    },
    /// Well-formed but refused: an algorithm other than HS256, a pickle opcode outside the
    /// whitelist, a value the target format cannot hold.
    Unsupported {
        /// The layer that refused.
        layer: Layer,
        /// Byte offset into that layer's own input (0 when writing).
        offset: usize,
        /// A static description.
        what: &'static str,
    },
    /// A session value cannot be written in the configured format; names the top-level session key
    /// so an operator knows what to list in `original_format_remove_keys`.
    Unwritable {
        /// The layer that cannot write the value.
        layer: Layer,
        /// The top-level session key holding the value (truncated to [`Name::CAPACITY`] bytes);
        /// for [`Layer::Serde`], the key path of the field, as in [`Error::Mismatch`].
        key: Name,
        /// What kind of value it is.
        what: &'static str,
    },
    /// A legacy pickle named a global outside the whitelist and the inert placeholder standing for
    /// it survived `original_format_remove_keys`.
    Placeholder {
        /// The top-level session key holding the placeholder.
        key: Name,
        /// `module.name` of the refused global (truncated to [`Name::CAPACITY`] bytes).
        global: Name,
    },
    /// No configured key verified the MAC. Carries nothing else, on purpose.
    BadSignature,
    /// The session's `_accessed_time` is older than the configured `timeout` (or, in strict time
    /// mode, missing, mistyped or in the future).
    Expired,
    /// A [`Limits`](crate::Limits) bound was hit; says which one.
    LimitExceeded(Limit),
    /// The configuration cannot be used (no keys, an empty or weak key, a bad option value).
    Config(&'static str),
    /// A `session.*` / `beaker.session.*` option this crate does not know (a typo would
    /// otherwise disable a setting silently). Names it, and the nearest known option when one
    /// is close.
    UnknownOption {
        /// The option as given, without its `session.` / `beaker.session.` prefix (truncated
        /// to [`Name::CAPACITY`] bytes).
        name: Name,
        /// The known option nearest to `name`, when one is close enough to be a likely typo.
        suggestion: Option<&'static str>,
    },
    /// (feature `serde`) A session value does not fit the Rust type it is read into: a wrong
    /// type, an integer out of the field's range, a missing field, an unknown enum variant.
    /// Writing a Rust value that has no session form is [`Error::Unwritable`] in [`Layer::Serde`].
    Mismatch {
        /// Where: the key path, keys and array indexes joined by `.` (`profile.age`,
        /// `roles.2`; empty for the value itself), truncated to [`Name::CAPACITY`] bytes.
        key: Name,
        /// What did not fit (for people; match on the variant, not on this).
        what: &'static str,
    },
    /// The random number source could not give a new session id.
    Random,
}

/// The layer of the cookie format that produced an [`Error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Layer {
    /// The cookie value or `Cookie:` header itself.
    Cookie,
    /// Compact JWS structure and header.
    Jws,
    /// base64 / base64url.
    Base64,
    /// Python `base64.b85decode` alphabet.
    Base85,
    /// zlib inflate / deflate.
    Zlib,
    /// BSON documents.
    Bson,
    /// JSON (JWS header, claims, legacy json serializer).
    Json,
    /// Legacy pickle payloads.
    Pickle,
    /// The legacy `SignedCookie` HMAC-SHA1 framing.
    LegacyMac,
    /// Session-level checks (timestamps).
    Session,
    /// (feature `serde`) A session read into, or written from, the caller's own types.
    Serde,
}

/// Which [`Limits`](crate::Limits) field was exceeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Limit {
    /// `Limits::max_cookie_len`.
    CookieLen,
    /// `Limits::max_write_len`.
    WriteLen,
    /// `Limits::max_inflated_len`.
    InflatedLen,
    /// `Limits::max_depth`.
    Depth,
    /// `Limits::max_items`.
    Items,
    /// `Limits::max_str_len`.
    StrLen,
    /// `Limits::max_memo`.
    Memo,
    /// `Limits::max_session_bytes`.
    SessionBytes,
}

/// A short name carried inside an [`Error`] without allocating: a session key or a pickle
/// global, truncated on a character boundary to [`Name::CAPACITY`] bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Name {
    buf: [u8; Name::CAPACITY],
    len: u8,
}

impl Name {
    /// The most bytes a `Name` keeps.
    pub const CAPACITY: usize = 48;

    /// Copies `s`, cut at the last character boundary that fits.
    pub fn new(s: &str) -> Name {
        let mut end = s.len().min(Self::CAPACITY);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        let mut buf = [0u8; Self::CAPACITY];
        let src = s.as_bytes().get(..end).unwrap_or_default();
        if let Some(dst) = buf.get_mut(..end) {
            dst.copy_from_slice(src);
        }
        Name {
            buf,
            len: end as u8,
        }
    }

    /// The kept text.
    pub fn as_str(&self) -> &str {
        let bytes = self.buf.get(..usize::from(self.len)).unwrap_or_default();
        // `new` only copies whole characters of a `str`.
        core::str::from_utf8(bytes).unwrap_or_default()
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Layer {
    fn as_str(self) -> &'static str {
        match self {
            Layer::Cookie => "cookie",
            Layer::Jws => "jws",
            Layer::Base64 => "base64",
            Layer::Base85 => "base85",
            Layer::Zlib => "zlib",
            Layer::Bson => "bson",
            Layer::Json => "json",
            Layer::Pickle => "pickle",
            Layer::LegacyMac => "legacy",
            Layer::Session => "session",
            Layer::Serde => "serde",
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Limit {
    /// The name of the [`Limits`](crate::Limits) field.
    pub fn field(self) -> &'static str {
        match self {
            Limit::CookieLen => "max_cookie_len",
            Limit::WriteLen => "max_write_len",
            Limit::InflatedLen => "max_inflated_len",
            Limit::Depth => "max_depth",
            Limit::Items => "max_items",
            Limit::StrLen => "max_str_len",
            Limit::Memo => "max_memo",
            Limit::SessionBytes => "max_session_bytes",
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.field())
    }
}

impl Error {
    /// The layer that refused, where the error has one.
    pub fn layer(&self) -> Option<Layer> {
        match *self {
            Error::Malformed { layer, .. }
            | Error::Unsupported { layer, .. }
            | Error::Unwritable { layer, .. } => Some(layer),
            Error::Placeholder { .. } => Some(Layer::Pickle),
            Error::BadSignature => None,
            Error::Expired => Some(Layer::Session),
            Error::Mismatch { .. } => Some(Layer::Serde),
            Error::LimitExceeded(_)
            | Error::Config(_)
            | Error::UnknownOption { .. }
            | Error::Random => None,
        }
    }

    pub(crate) const fn malformed(layer: Layer, offset: usize, what: &'static str) -> Error {
        Error::Malformed {
            layer,
            offset,
            what,
        }
    }

    pub(crate) const fn unsupported(layer: Layer, offset: usize, what: &'static str) -> Error {
        Error::Unsupported {
            layer,
            offset,
            what,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Malformed {
                layer,
                offset,
                what,
            } => write!(f, "{layer}: {what} at byte {offset}"),
            Error::Unsupported {
                layer,
                offset,
                what,
            } => write!(f, "{layer}: unsupported {what} at byte {offset}"),
            Error::Unwritable { layer, key, what } => {
                write!(f, "{layer}: cannot write {what} in session key {key:?}")
            }
            Error::Placeholder { key, global } => write!(
                f,
                "pickle: session key {key:?} holds a refused global {global}"
            ),
            Error::BadSignature => f.write_str("signature did not verify"),
            Error::Expired => f.write_str("session expired"),
            Error::LimitExceeded(limit) => write!(f, "limit exceeded: {limit}"),
            Error::Config(what) => write!(f, "config: {what}"),
            Error::UnknownOption { name, suggestion } => {
                write!(f, "config: unknown option {name:?}")?;
                match suggestion {
                    Some(known) => write!(f, " (did you mean {known:?}?)"),
                    None => Ok(()),
                }
            }
            Error::Mismatch { key, what } => write!(f, "serde: {what} at key {key:?}"),
            Error::Random => f.write_str("no randomness for a new session id"),
        }
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn name_truncates_on_char_boundary() {
        let long = "é".repeat(40); // 80 bytes
        let n = Name::new(&long);
        assert_eq!(n.as_str().len(), 48);
        assert!(n.as_str().chars().all(|c| c == 'é'));
        assert_eq!(Name::new("abc").as_str(), "abc");
    }

    #[test]
    fn error_display_is_static_pieces() {
        assert_eq!(
            Error::malformed(Layer::Bson, 17, "truncated document").to_string(),
            "bson: truncated document at byte 17"
        );
        assert_eq!(Error::BadSignature.to_string(), "signature did not verify");
        assert_eq!(
            Error::LimitExceeded(Limit::Depth).to_string(),
            "limit exceeded: max_depth"
        );
    }
}
