//! The one error type: a category a caller can match on, the layer that refused, and a static reason.
//!
//! The error is `Copy` and never allocates. It never holds cookie bytes or key material and never
//! says which key failed. A decode that returns an error returns nothing else: no partial session.
//!
//! Every parser helper returns through a `Result` holding it, so it is kept small: at most 40
//! bytes on 64-bit targets and 32 on 32-bit ones (a test holds it there). The names it carries
//! (a session key, a key path, an option, a refused pickle global) are inline and truncated to
//! fit: [`Name::CAPACITY`] bytes each, [`RefusedGlobal::CAPACITY`] for a key and a global
//! together.

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
    /// it survived `original_format_remove_keys`. Names the top-level session key holding it and
    /// the refused global.
    Placeholder(RefusedGlobal),
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

/// A short name carried inside an [`Error`] without allocating: a session key, a key path or an
/// option name, truncated on a character boundary to [`Name::CAPACITY`] bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Name(Text<{ Name::CAPACITY }>);

impl Name {
    /// The most bytes a `Name` keeps. The variants that carry a `Name` also carry a
    /// `&'static str` (16 bytes on 64-bit targets), so this sets the size of every [`Error`]:
    /// 21 keeps it at 40 bytes there, and at 32 on 32-bit targets.
    pub const CAPACITY: usize = 21;

    /// Copies `s`, cut at the last character boundary that fits.
    pub fn new(s: &str) -> Name {
        let mut name = Name::EMPTY;
        name.push_str(s);
        name
    }

    /// The empty name.
    pub(crate) const EMPTY: Name = Name(Text::EMPTY);

    /// Appends as much of `s` as fits, cut at a character boundary as [`Name::new`] cuts.
    pub(crate) fn push_str(&mut self, s: &str) {
        self.0.push(s, Name::CAPACITY);
    }

    /// The kept text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
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

/// The names an [`Error::Placeholder`] carries: the top-level session key holding the
/// placeholder and `module.name` of the refused global, kept together in one
/// [`RefusedGlobal::CAPACITY`]-byte buffer so that the error stays as small as one carrying a
/// single [`Name`].
///
/// The key keeps what the global leaves, but no less than half the buffer (when it is that long)
/// and no more than [`Name::CAPACITY`] (as a key is everywhere else); the global keeps the rest.
/// Both are cut on character boundaries.
///
/// ```
/// use beaker_session_jwt::RefusedGlobal;
/// let refused = RefusedGlobal::new("evil", "os.system");
/// assert_eq!((refused.key(), refused.global()), ("evil", "os.system"));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RefusedGlobal {
    /// The key's bytes, then the global's.
    text: Text<{ RefusedGlobal::CAPACITY }>,
    /// Where the key ends in `text` (a character boundary, at most `text.len`).
    key_len: u8,
}

impl RefusedGlobal {
    /// The most bytes a `RefusedGlobal` keeps of the key and the global together.
    pub const CAPACITY: usize = 29;

    /// Copies `key` and `global`, each cut at a character boundary so that both fit.
    pub fn new(key: &str, global: &str) -> RefusedGlobal {
        let cap = RefusedGlobal::CAPACITY;
        let key_room = cap
            .saturating_sub(global.len())
            .max(cap / 2)
            .min(Name::CAPACITY);
        let mut text = Text::EMPTY;
        text.push(key, key_room);
        let key_len = text.len;
        text.push(global, cap);
        RefusedGlobal { text, key_len }
    }

    /// The top-level session key holding the placeholder.
    pub fn key(&self) -> &str {
        self.split().0
    }

    /// `module.name` of the refused global.
    pub fn global(&self) -> &str {
        self.split().1
    }

    fn split(&self) -> (&str, &str) {
        let bytes = self.text.bytes();
        let (key, global) = bytes.split_at(usize::from(self.key_len).min(bytes.len()));
        (utf8(key), utf8(global))
    }
}

impl fmt::Debug for RefusedGlobal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefusedGlobal")
            .field("key", &self.key())
            .field("global", &self.global())
            .finish()
    }
}

/// What a legacy pickle's inert placeholder stands for (`module.name` of a refused global,
/// `persistent id`, `extension code`), kept until the session key holding it is known and an
/// [`Error::Placeholder`] names both: as many bytes as a [`RefusedGlobal`] can hold.
#[cfg(feature = "legacy")]
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct GlobalName(Text<{ RefusedGlobal::CAPACITY }>);

#[cfg(feature = "legacy")]
impl GlobalName {
    /// Copies `s`, cut at the last character boundary that fits.
    pub(crate) fn new(s: &str) -> GlobalName {
        let mut text = Text::EMPTY;
        text.push(s, RefusedGlobal::CAPACITY);
        GlobalName(text)
    }

    pub(crate) fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

#[cfg(feature = "legacy")]
impl fmt::Debug for GlobalName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// Up to `N` bytes of text stored inline: the storage behind [`Name`], [`RefusedGlobal`] and
/// (feature `legacy`) `GlobalName`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Text<const N: usize> {
    /// `len` bytes of UTF-8 (only ever copied from a `&str`, whole characters at a time), then
    /// zeros, which equality and hashing rely on.
    buf: [u8; N],
    len: u8,
}

// `Text::len` is a `u8`.
const _: () = assert!(Name::CAPACITY <= 255 && RefusedGlobal::CAPACITY <= 255);

impl<const N: usize> Text<N> {
    const EMPTY: Text<N> = Text {
        buf: [0; N],
        len: 0,
    };

    /// Appends the longest prefix of `s` that ends on a character boundary and leaves the text at
    /// most `limit` bytes long (and at most `N`).
    fn push(&mut self, s: &str, limit: usize) {
        let start = usize::from(self.len);
        let mut take = s.len().min(limit.min(N).saturating_sub(start));
        while !s.is_char_boundary(take) {
            take -= 1;
        }
        for (dst, b) in self.buf.iter_mut().skip(start).zip(s.bytes().take(take)) {
            *dst = b;
        }
        // At most `N`, which fits a `u8` (asserted above).
        self.len = (start + take) as u8;
    }

    /// The kept bytes: whole characters of the `str`s pushed.
    fn bytes(&self) -> &[u8] {
        self.buf.split_at(usize::from(self.len).min(N)).0
    }

    fn as_str(&self) -> &str {
        utf8(self.bytes())
    }
}

/// `bytes` as text. They are always valid UTF-8: [`Text::push`] copies whole characters of a
/// `str`, and [`RefusedGlobal`] splits its text where one `str` ended. So the empty text is
/// never returned: it stands in for the check `unsafe` code would skip.
fn utf8(bytes: &[u8]) -> &str {
    core::str::from_utf8(bytes).unwrap_or_default()
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
            Error::Placeholder(_) => Some(Layer::Pickle),
            Error::Expired => Some(Layer::Session),
            Error::Mismatch { .. } => Some(Layer::Serde),
            Error::BadSignature
            | Error::LimitExceeded(_)
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
            Error::Placeholder(refused) => write!(
                f,
                "pickle: session key {:?} holds a refused global {}",
                refused.key(),
                refused.global()
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
    fn error_size_is_bounded() {
        // Every parser helper returns through a `Result<_, Error>`: the error must stay small,
        // and an `Ok(())` must cost no more than the error itself.
        use core::mem::size_of;
        #[cfg(target_pointer_width = "64")]
        assert!(size_of::<Error>() <= 40, "{}", size_of::<Error>());
        #[cfg(target_pointer_width = "32")]
        assert!(size_of::<Error>() <= 32, "{}", size_of::<Error>());
        assert_eq!(size_of::<Result<()>>(), size_of::<Error>());
        assert_eq!(size_of::<Name>(), Name::CAPACITY + 1);
        assert_eq!(size_of::<RefusedGlobal>(), RefusedGlobal::CAPACITY + 2);
    }

    #[test]
    fn name_truncates_on_char_boundary() {
        let long = "é".repeat(40); // 80 bytes
        let n = Name::new(&long);
        assert_eq!(n.as_str().len(), Name::CAPACITY / 2 * 2);
        assert!(n.as_str().chars().all(|c| c == 'é'));
        assert_eq!(Name::new("abc").as_str(), "abc");
        assert_eq!(Name::new("").as_str(), "");
        let exact = "a".repeat(Name::CAPACITY);
        assert_eq!(Name::new(&exact).as_str(), exact);
        assert_eq!(Name::new(&(exact.clone() + "b")), Name::new(&exact));
        assert_eq!(alloc::format!("{:?}", Name::new("k")), "\"k\"");
    }

    #[test]
    fn refused_global_keeps_both_names() {
        let cap = RefusedGlobal::CAPACITY;
        let r = RefusedGlobal::new("evil", "builtins.__import__");
        assert_eq!((r.key(), r.global()), ("evil", "builtins.__import__"));
        let r = RefusedGlobal::new("", "os.system");
        assert_eq!((r.key(), r.global()), ("", "os.system"));
        // A long key is cut to what the global leaves, but not below half the buffer nor above
        // a `Name`'s capacity; the global keeps the rest.
        let long_key = "k".repeat(40);
        let r = RefusedGlobal::new(&long_key, "os.system");
        assert_eq!((r.key().len(), r.global()), (cap - 9, "os.system"));
        let r = RefusedGlobal::new(&long_key, "os");
        assert_eq!((r.key().len(), r.global()), (Name::CAPACITY, "os"));
        let long_global = "g".repeat(40);
        let r = RefusedGlobal::new(&long_key, &long_global);
        assert_eq!(r.key().len(), cap / 2);
        assert_eq!(r.global().len(), cap - cap / 2);
        let r = RefusedGlobal::new("evil", &long_global);
        assert_eq!((r.key(), r.global().len()), ("evil", cap - 4));
        // Cuts fall on character boundaries.
        let wide = "é".repeat(40);
        let r = RefusedGlobal::new(&wide, &wide);
        assert!(r.key().chars().chain(r.global().chars()).all(|c| c == 'é'));
        assert!(r.key().len() + r.global().len() <= cap);
        assert_eq!(
            alloc::format!("{r:?}"),
            alloc::format!(
                "RefusedGlobal {{ key: {:?}, global: {:?} }}",
                r.key(),
                r.global()
            )
        );
    }

    #[test]
    fn error_display_names_what_it_carries() {
        assert_eq!(
            Error::Placeholder(RefusedGlobal::new("evil", "os.system")).to_string(),
            "pickle: session key \"evil\" holds a refused global os.system"
        );
        assert_eq!(
            Error::Unwritable {
                layer: Layer::Bson,
                key: Name::new("when"),
                what: "datetime out of range",
            }
            .to_string(),
            "bson: cannot write datetime out of range in session key \"when\""
        );
        assert_eq!(
            Error::UnknownOption {
                name: Name::new("timout"),
                suggestion: Some("timeout"),
            }
            .to_string(),
            "config: unknown option \"timout\" (did you mean \"timeout\"?)"
        );
        assert_eq!(
            Error::Mismatch {
                key: Name::new("profile.age"),
                what: "missing field",
            }
            .to_string(),
            "serde: missing field at key \"profile.age\""
        );
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
