//! `Str`: the immutable text of a session (keys and string values), stored inline up to
//! [`Str::INLINE_CAP`] bytes so that decoding a typical session does not allocate once per key
//! and per short string.
//!
//! A session's keys (`_id`, `_accessed_time`, `user_id`…) and most of its strings are short:
//! the large benchmark session has 283 keys and 140 strings, all keys and 137 strings at most
//! 22 bytes. With `String` each was one heap allocation (and one free); with `Str` they are
//! none. Longer text is one exact-size heap allocation, as before.
//!
//! No `unsafe`: the inline bytes are only ever written from a `&str`, and read back through
//! `core::str::from_utf8`, which for 22 bytes costs a few nanoseconds.

use alloc::boxed::Box;
use alloc::string::String;
use core::borrow::Borrow;
use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::ops::Deref;

/// Immutable UTF-8 text, inline up to [`Str::INLINE_CAP`] bytes, else one exact-size heap block.
///
/// Derefs to `str`, compares and hashes as its text, converts from `&str` and `String` and
/// into `String`.
///
/// ```
/// use beaker_session_jwt::Str;
/// let key = Str::from("user_id");
/// assert_eq!(key, "user_id");
/// assert_eq!(key.len(), 7);
/// assert!(key.is_inline());
/// let owned: String = key.into();
/// assert_eq!(owned, "user_id");
/// ```
#[derive(Clone)]
pub struct Str(Repr);

#[derive(Clone)]
enum Repr {
    /// `len` bytes of `bytes` are the text (valid UTF-8: only ever copied from a `&str`); the
    /// bytes after them are always zero, which equality relies on.
    Inline {
        len: u8,
        bytes: [u8; Str::INLINE_CAP],
    },
    Heap(Box<str>),
}

impl Str {
    /// Text of at most this many bytes is stored inline (the whole `Str` is 24 bytes, as a
    /// `String` is).
    pub const INLINE_CAP: usize = 22;

    /// The empty text.
    pub const fn new() -> Str {
        Str(Repr::Inline {
            len: 0,
            bytes: [0; Str::INLINE_CAP],
        })
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { len, bytes } => {
                let used = bytes.get(..usize::from(*len)).unwrap_or_default();
                // Always valid: the bytes were copied from a `&str` (see `inline`).
                core::str::from_utf8(used).unwrap_or_default()
            }
            Repr::Heap(text) => text,
        }
    }

    /// The text's bytes (no UTF-8 check needed).
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => bytes.get(..usize::from(*len)).unwrap_or_default(),
            Repr::Heap(text) => text.as_bytes(),
        }
    }

    /// True when the text is stored inline (no heap block).
    pub fn is_inline(&self) -> bool {
        matches!(self.0, Repr::Inline { .. })
    }

    /// The inline form of `text`, when it fits.
    #[inline]
    fn inline(text: &str) -> Option<Str> {
        let len = u8::try_from(text.len())
            .ok()
            .filter(|&n| usize::from(n) <= Str::INLINE_CAP)?;
        let mut bytes = [0; Str::INLINE_CAP];
        copy_short(&mut bytes, text.as_bytes());
        Some(Str(Repr::Inline { len, bytes }))
    }
}

/// Copies `src` (at most [`Str::INLINE_CAP`] bytes) to the start of `dst` with two
/// overlapping fixed-size moves (16, 8 or 4 bytes) instead of a `memcpy` call: keys and short
/// strings are copied once per element of every decoded session.
#[inline]
fn copy_short(dst: &mut [u8; Str::INLINE_CAP], src: &[u8]) {
    let n = src.len();
    if n >= 16 {
        copy_fixed::<16>(dst, src, 0);
        copy_fixed::<16>(dst, src, n - 16);
    } else if n >= 8 {
        copy_fixed::<8>(dst, src, 0);
        copy_fixed::<8>(dst, src, n - 8);
    } else if n >= 4 {
        copy_fixed::<4>(dst, src, 0);
        copy_fixed::<4>(dst, src, n - 4);
    } else {
        for (d, s) in dst.iter_mut().zip(src) {
            *d = *s;
        }
    }
}

/// `dst[at..at + N] = src[at..at + N]` (nothing when either is out of range, which the
/// caller never asks for).
#[inline]
fn copy_fixed<const N: usize>(dst: &mut [u8], src: &[u8], at: usize) {
    let end = at.saturating_add(N);
    if let (Some(d), Some(s)) = (dst.get_mut(at..end), src.get(at..end)) {
        d.copy_from_slice(s);
    }
}

impl Default for Str {
    fn default() -> Str {
        Str::new()
    }
}

impl Deref for Str {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Str {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<[u8]> for Str {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl Borrow<str> for Str {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Str {
    #[inline]
    fn from(text: &str) -> Str {
        Str::inline(text).unwrap_or_else(|| Str(Repr::Heap(Box::from(text))))
    }
}

impl From<&String> for Str {
    fn from(text: &String) -> Str {
        Str::from(text.as_str())
    }
}

impl From<String> for Str {
    /// Short text moves inline (the `String`'s block is freed); longer text keeps its block,
    /// shrunk to fit.
    fn from(text: String) -> Str {
        Str::inline(&text).unwrap_or_else(|| Str(Repr::Heap(text.into_boxed_str())))
    }
}

impl From<Box<str>> for Str {
    fn from(text: Box<str>) -> Str {
        Str::inline(&text).unwrap_or(Str(Repr::Heap(text)))
    }
}

impl From<char> for Str {
    fn from(c: char) -> Str {
        let mut buf = [0; 4];
        Str::from(&*c.encode_utf8(&mut buf))
    }
}

impl FromIterator<char> for Str {
    fn from_iter<I: IntoIterator<Item = char>>(iter: I) -> Str {
        Str::from(iter.into_iter().collect::<String>())
    }
}

impl From<Str> for String {
    fn from(text: Str) -> String {
        match text.0 {
            Repr::Heap(boxed) => boxed.into_string(),
            Repr::Inline { .. } => String::from(text.as_str()),
        }
    }
}

impl From<&Str> for String {
    fn from(text: &Str) -> String {
        String::from(text.as_str())
    }
}

impl PartialEq for Str {
    fn eq(&self, other: &Str) -> bool {
        match (&self.0, &other.0) {
            // The bytes past `len` are always zero (see `inline`), so two inline texts are
            // equal exactly when their whole arrays are: a fixed-size compare, no call.
            (Repr::Inline { len: a, bytes: x }, Repr::Inline { len: b, bytes: y }) => {
                a == b && x == y
            }
            _ => self.as_bytes() == other.as_bytes(),
        }
    }
}

impl Eq for Str {}

impl PartialEq<str> for Str {
    fn eq(&self, other: &str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<&str> for Str {
    fn eq(&self, other: &&str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<String> for Str {
    fn eq(&self, other: &String) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<Str> for str {
    fn eq(&self, other: &Str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<Str> for &str {
    fn eq(&self, other: &Str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<Str> for String {
    fn eq(&self, other: &Str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialOrd for Str {
    fn partial_cmp(&self, other: &Str) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Str {
    /// The order of the texts (byte order, as `str`'s).
    fn cmp(&self, other: &Str) -> Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl Hash for Str {
    /// Hashes as the `str` it holds, so `Borrow<str>` lookups work.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn str_is_the_size_of_a_string() {
        assert_eq!(core::mem::size_of::<Str>(), core::mem::size_of::<String>());
    }

    #[test]
    fn str_inline_up_to_cap_then_heap() {
        for n in 0..=40 {
            let text: String = "é".repeat(n / 2) + &"a".repeat(n % 2);
            let s = Str::from(text.as_str());
            assert_eq!(s, text.as_str());
            assert_eq!(s.as_str(), text);
            assert_eq!(s.len(), text.len());
            assert_eq!(s.is_inline(), text.len() <= Str::INLINE_CAP, "{n}");
            assert_eq!(Str::from(text.clone()), s);
            assert_eq!(String::from(s.clone()), text);
            assert_eq!(s.to_string(), text);
        }
    }

    #[test]
    fn str_copies_and_compares_every_inline_length() {
        // Every length the overlapping copies handle (0-3 bytewise, 4-7, 8-15, 16-22), with
        // distinct bytes so a misplaced byte shows; texts differing only in their last or
        // first byte must compare unequal, equal texts built twice equal.
        let all: String = ('a'..='z').collect();
        for n in 0..=Str::INLINE_CAP + 2 {
            let text = all.get(..n).unwrap();
            let s = Str::from(text);
            assert_eq!(s.as_str(), text, "{n}");
            assert_eq!(s, Str::from(String::from(text)), "{n}");
            if n > 0 {
                let mut last = String::from(text);
                last.pop();
                last.push('!');
                let mut first = String::from(text);
                first.replace_range(..1, "!");
                assert_ne!(s, Str::from(last.as_str()), "{n}");
                assert_ne!(s, Str::from(first.as_str()), "{n}");
                assert_ne!(s, Str::from(all.get(..n - 1).unwrap()), "{n}");
            }
        }
    }

    #[test]
    fn str_orders_and_compares_as_text() {
        let a = Str::from("abc");
        let long = Str::from("abc".repeat(10).as_str());
        assert!(a < long);
        assert_eq!(a.cmp(&Str::from("abc")), Ordering::Equal);
        assert_ne!(a, long);
        assert_eq!(Str::default(), "");
        assert_eq!(alloc::format!("{a:?}"), "\"abc\"");
    }
}
