//! `Str`: the immutable text of a session (keys and string values), stored inline up to
//! [`Str::INLINE_CAP`] bytes so that decoding a typical session does not allocate once per key
//! and per short string.
//!
//! A session's keys (`_id`, `_accessed_time`, `user_id`…) and most of its strings are short, so
//! most need no heap block at all. Longer text is one exact-size heap allocation.
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
    Inline(Inline),
    Heap(Box<str>),
}

// The layout below needs no tag byte: `Repr::Heap` is told apart by a value of `Inline::len`
// that no length has. A `Str` is as small as a `String`, and so is an `Option<Str>`.
const _: () = assert!(core::mem::size_of::<Str>() == 24);
const _: () = assert!(core::mem::size_of::<Option<Str>>() == 24);

/// Inline text: `repr(C)`, so that the length is the first byte of the `Str` and the text
/// follows it, filling the rest of the first word and the whole second and third words.
/// `Str::from` computes the three words in registers from loads of the source text (see
/// [`text_words`]) and writes each at a fixed offset, the second and third with one store each.
/// A `Str` (or a `Value` holding one) is moved right after it is built, for every key and
/// string of a decoded session: the moving loads can then be served from the store buffer.
/// Text copied to variable offsets and read back at fixed ones would stall each such load
/// instead (store forwarding needs a store that covers the load).
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(C)]
struct Inline {
    len: Len,
    /// `len` bytes of text (valid UTF-8: only ever copied from a `&str`), then zeros, which
    /// equality relies on. The last byte is always zero: the cap is 22.
    bytes: [u8; Str::INLINE_CAP + 1],
}

/// The length of an inline text: an enum rather than a `u8` so that the values 23..=255 are
/// free for the compiler to mark `Repr::Heap` (and `Option::None`) with.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
#[rustfmt::skip]
enum Len {
    L0, L1, L2, L3, L4, L5, L6, L7, L8, L9, L10, L11,
    L12, L13, L14, L15, L16, L17, L18, L19, L20, L21, L22,
}

impl Len {
    /// The length `n`, when text of `n` bytes fits inline.
    #[inline]
    #[rustfmt::skip]
    fn of(n: usize) -> Option<Len> {
        use Len::*;
        Some(match n {
            0 => L0, 1 => L1, 2 => L2, 3 => L3, 4 => L4, 5 => L5, 6 => L6, 7 => L7,
            8 => L8, 9 => L9, 10 => L10, 11 => L11, 12 => L12, 13 => L13, 14 => L14,
            15 => L15, 16 => L16, 17 => L17, 18 => L18, 19 => L19, 20 => L20, 21 => L21,
            22 => L22,
            _ => return None,
        })
    }

    fn get(self) -> usize {
        usize::from(self as u8)
    }
}

impl Str {
    /// Text of at most this many bytes is stored inline (the whole `Str` is 24 bytes, as a
    /// `String` is).
    pub const INLINE_CAP: usize = 22;

    /// The empty text.
    pub const fn new() -> Str {
        Str(Repr::Inline(Inline {
            len: Len::L0,
            bytes: [0; Str::INLINE_CAP + 1],
        }))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline(inline) => {
                // Always valid: the bytes were copied from a `&str` (see `inline`), so the
                // empty text is never returned.
                core::str::from_utf8(inline.text()).unwrap_or_default()
            }
            Repr::Heap(text) => text,
        }
    }

    /// The text's bytes (no UTF-8 check needed).
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline(inline) => inline.text(),
            Repr::Heap(text) => text.as_bytes(),
        }
    }

    /// True when the text is stored inline (no heap block).
    pub fn is_inline(&self) -> bool {
        matches!(self.0, Repr::Inline(_))
    }

    /// The inline form of `text`, when it fits.
    #[inline]
    fn inline(text: &str) -> Option<Str> {
        let len = Len::of(text.len())?;
        let [w0, w1, w2] = text_words(text.as_bytes());
        // Three fixed-size writes: the low 7 bytes of `w0` (after `len`, they fill the first
        // word of the `Str`), then `w1` and `w2` as its second and third words.
        let mut bytes = [0; Str::INLINE_CAP + 1];
        let (first, rest) = bytes.split_at_mut(7);
        let (second, third) = rest.split_at_mut(8);
        let [b0, b1, b2, b3, b4, b5, b6, _] = w0.to_le_bytes();
        first.copy_from_slice(&[b0, b1, b2, b3, b4, b5, b6]);
        second.copy_from_slice(&w1.to_le_bytes());
        third.copy_from_slice(&w2.to_le_bytes());
        Some(Str(Repr::Inline(Inline { len, bytes })))
    }
}

impl Inline {
    /// The text's bytes.
    fn text(&self) -> &[u8] {
        // `len` is at most `INLINE_CAP`, one less than `bytes` holds: the split never panics.
        self.bytes.split_at(self.len.get()).0
    }
}

/// `src` (at most 22 bytes) as three little-endian words holding its bytes 0..7, 7..15 and
/// 15..23, zero past its end. Read with at most three loads of 8 bytes (or two of 4) from
/// `src`, the last overlapping the one before and shifted right past the bytes already read:
/// no byte is moved alone but in texts of up to 3 bytes, and nothing goes through memory.
#[inline]
fn text_words(src: &[u8]) -> [u64; 3] {
    let n = src.len();
    if n >= 15 {
        [word_at(src, 0), word_at(src, 7), word_from(src, 15)]
    } else if n >= 8 {
        [word_at(src, 0), word_from(src, 7), 0]
    } else if n >= 4 {
        let low = half_at(src, 0);
        // For `n == 4` the shift is the whole width: no byte is left, so 0.
        let high = half_at(src, n - 4)
            .checked_shr(8 * (8 - n) as u32)
            .unwrap_or(0);
        [u64::from(low) | u64::from(high) << 32, 0, 0]
    } else {
        let mut word = 0;
        for (i, b) in src.iter().enumerate() {
            word |= u64::from(*b) << (8 * i);
        }
        [word, 0, 0]
    }
}

/// The 8 bytes of `src` at `at` as a little-endian word (0 when out of range, which the caller
/// never asks for).
#[inline]
fn word_at(src: &[u8], at: usize) -> u64 {
    src.get(at..at.saturating_add(8))
        .and_then(|s| <[u8; 8]>::try_from(s).ok())
        .map_or(0, u64::from_le_bytes)
}

/// The 4 bytes of `src` at `at` as a little-endian half word (0 when out of range, which the
/// caller never asks for).
#[inline]
fn half_at(src: &[u8], at: usize) -> u32 {
    src.get(at..at.saturating_add(4))
        .and_then(|s| <[u8; 4]>::try_from(s).ok())
        .map_or(0, u32::from_le_bytes)
}

/// The bytes of `src` from `from` to its end (0 to 8 of them; `src` at least 8 bytes long) as a
/// little-endian word: its last 8 bytes, shifted right past those before `from`.
#[inline]
fn word_from(src: &[u8], from: usize) -> u64 {
    let n = src.len();
    let before = (from + 8).saturating_sub(n);
    // When `from` is the end the shift is the whole width: no byte is left, so 0.
    word_at(src, n.saturating_sub(8))
        .checked_shr(8 * before as u32)
        .unwrap_or(0)
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
            Repr::Inline(_) => String::from(text.as_str()),
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
            (Repr::Inline(a), Repr::Inline(b)) => a == b,
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
    use alloc::vec;
    use alloc::vec::Vec;

    #[test]
    #[cfg(target_pointer_width = "64")] // a 32-bit `String` is 12 bytes; a `Str` stays 24
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

    /// The bytes a `Hash` impl feeds its hasher, to compare two hashes exactly.
    #[derive(Default)]
    struct Fed(Vec<u8>);

    impl Hasher for Fed {
        fn finish(&self) -> u64 {
            0
        }
        fn write(&mut self, bytes: &[u8]) {
            self.0.extend_from_slice(bytes);
        }
    }

    fn fed<T: Hash + ?Sized>(value: &T) -> Vec<u8> {
        let mut hasher = Fed::default();
        value.hash(&mut hasher);
        hasher.0
    }

    /// Texts of exactly `n` bytes: distinct ASCII bytes (so a misplaced byte shows), and, when
    /// `n` allows, ASCII ending in a 2-, 3- or 4-byte character (whose last bytes land in the
    /// last word), and NUL bytes (which look like the zero padding).
    fn texts_of_len(n: usize) -> Vec<String> {
        let ascii: String = ('a'..='z').chain('A'..='Z').take(n).collect();
        let mut texts = vec![ascii.clone()];
        for tail in ['é', '€', '𝄞'] {
            if let Some(head) = ascii.get(..n.wrapping_sub(tail.len_utf8())) {
                texts.push(String::from(head) + tail.encode_utf8(&mut [0; 4]));
            }
        }
        texts.push("\0".repeat(n));
        texts
    }

    #[test]
    fn str_copies_and_compares_every_inline_length() {
        // Every length the word reads handle (0-3 bytewise, 4-7, 8-14, 15-22) and the first
        // heap ones: the text round-trips through every constructor; equal texts built twice
        // are equal and hash alike, and as their `str`; a text differing in any one byte, or
        // one byte shorter, or one NUL longer, compares unequal.
        for n in 0..=Str::INLINE_CAP + 2 {
            for text in texts_of_len(n) {
                let text = text.as_str();
                assert_eq!(text.len(), n);
                let s = Str::from(text);
                assert_eq!(s.as_str(), text, "{n}");
                assert_eq!(s.as_bytes(), text.as_bytes(), "{n}");
                assert_eq!(s.len(), n);
                assert_eq!(s.is_inline(), n <= Str::INLINE_CAP, "{n}");
                for again in [
                    Str::from(String::from(text)),
                    Str::from(Box::<str>::from(text)),
                    Str::from_iter(text.chars()),
                    s.clone(),
                ] {
                    assert_eq!(again.as_str(), text, "{n}");
                    assert_eq!(again.is_inline(), s.is_inline(), "{n}");
                    assert!(again == s, "{n} {text:?}");
                    assert_eq!(again.cmp(&s), Ordering::Equal);
                    assert_eq!(fed(&again), fed(&s), "{n}");
                }
                assert_eq!(fed(&s), fed(text), "{n}");

                let mut bytes = Vec::from(text.as_bytes());
                for i in 0..n {
                    let kept = bytes[i];
                    bytes[i] = if kept == b'!' { b'?' } else { b'!' };
                    // Replacing one byte of a multibyte character is not UTF-8: skip those.
                    if let Ok(other) = core::str::from_utf8(&bytes) {
                        let other = Str::from(other);
                        assert!(other != s, "{n} {i} {text:?}");
                        assert_ne!(fed(&other), fed(&s), "{n} {i}");
                        assert_eq!(other.cmp(&s), other.as_str().cmp(text), "{n} {i}");
                    }
                    bytes[i] = kept;
                }
                // The same text but for the last byte of its last (multibyte) character.
                let mut chars = text.chars();
                if let Some(last) = chars.next_back().filter(|c| !c.is_ascii()) {
                    let next = char::from_u32(u32::from(last) + 1).unwrap();
                    let other =
                        Str::from(String::from(chars.as_str()) + next.encode_utf8(&mut [0; 4]));
                    assert_eq!(other.len(), n);
                    assert!(other != s && other > s, "{n} {text:?}");
                    assert_ne!(fed(&other), fed(&s), "{n}");
                }
                // Str against Str (the inline fast path), not against the `str`.
                if let Some(shorter) = text.get(..n.saturating_sub(1)).filter(|_| n > 0) {
                    let shorter = Str::from(shorter);
                    assert!(shorter != s && shorter < s, "{n}");
                }
                let longer = Str::from(String::from(text) + "\0");
                assert!(longer != s && longer > s, "{n}");
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
