//! Parsing: `Modules/_json.c` `scan_once_unicode`, `_parse_object_unicode`,
//! `_parse_array_unicode`, `scanstring_unicode`, `_match_number_unicode`, iteratively.

use alloc::string::String;
use alloc::vec::Vec;

use super::encoding::decode;
use super::float;
use super::scan::find_special;
use crate::error::{Error, Layer, Limit, Result};
use crate::limits::Limits;
use crate::session_bytes::SessionBytes;
use crate::stack::{push_with, take_from};
use crate::value::{Document, Str, Value};

/// `sys.int_info.str_digits_check_threshold`'s default (`sys.set_int_max_str_digits`): Python
/// 3.11 refuses to read a longer integer with `ValueError`, so we call it malformed too.
const PYTHON_INT_MAX_STR_DIGITS: usize = 4300;

/// An open container waiting for its next element. Its elements so far sit on the shared
/// stacks ([`Stacks::values`], [`Stacks::entries`]) from `start` on, and move into one
/// exact-size `Vec` when it closes.
enum Frame {
    Array {
        start: usize,
    },
    /// The last entry on [`Stacks::entries`] is the one whose value is being read: its key,
    /// and `null` until the value is complete.
    Object {
        start: usize,
    },
}

/// Where a string's characters are once its escapes are undone.
enum Unescaped {
    /// `text[start..end]`: the string had no escape.
    Text { start: usize, end: usize },
    /// The stacks' `scratch` buffer.
    Scratch,
}

/// The stacks a parse builds on. A [`Codec`](crate::Codec) keeps them between decodes (empty,
/// capacity kept up to [`Stacks::RETAIN`] elements each), so a warm decode does not grow them
/// again; the one-shot readers start from empty ones.
pub(crate) struct Stacks {
    /// The open containers, outermost first. Bounded by the depth limit.
    frames: Vec<Frame>,
    /// The elements of the open arrays, outermost first. Bounded by `max_items`.
    values: Vec<Value>,
    /// The entries of the open objects, outermost first. Bounded by `max_items`.
    entries: Vec<(Str, Value)>,
    /// The last string that had escapes, unescaped (reused from string to string).
    scratch: String,
    /// Kept by a `Codec`: the outermost container is copied out instead of taking the stack's
    /// own buffer, so the capacity stays for the next decode.
    kept: bool,
}

impl Stacks {
    /// Empty stacks whose capacity a `Codec` keeps between decodes.
    pub(crate) const fn new() -> Stacks {
        Stacks {
            frames: Vec::new(),
            values: Vec::new(),
            entries: Vec::new(),
            scratch: String::new(),
            kept: true,
        }
    }

    /// Empty stacks for one parse.
    pub(super) const fn one_shot() -> Stacks {
        Stacks {
            frames: Vec::new(),
            values: Vec::new(),
            entries: Vec::new(),
            scratch: String::new(),
            kept: false,
        }
    }

    /// Elements (and scratch bytes, times 16) kept between decodes, per stack: about 50 KB in
    /// all, more than a typical session keeps open at once; bigger stacks are shrunk back.
    const RETAIN: usize = 256;

    fn clear(&mut self) {
        self.frames.clear();
        self.values.clear();
        self.entries.clear();
        self.scratch.clear();
    }

    fn trim(&mut self) {
        self.frames.shrink_to(Stacks::RETAIN);
        self.values.shrink_to(Stacks::RETAIN);
        self.entries.shrink_to(Stacks::RETAIN);
        self.scratch.shrink_to(Stacks::RETAIN * 16);
    }
}

impl Default for Stacks {
    fn default() -> Stacks {
        Stacks::new()
    }
}

/// `json.loads(bytes)` on `stacks`: decodes the text, then parses it.
pub(super) fn read_value_in(text: &[u8], limits: &Limits, stacks: &mut Stacks) -> Result<Value> {
    let decoded = decode(text)?;
    let unsupported = decoded
        .lone_surrogate
        .map(|at| Error::unsupported(Layer::Json, decoded.base + at, "lone surrogate"));
    parse_on(&decoded.text, decoded.base, limits, stacks, unsupported)
}

/// Parses `text` on `stacks`, leaving them empty (and trimmed) whatever the outcome.
pub(super) fn parse_on(
    text: &str,
    base: usize,
    limits: &Limits,
    stacks: &mut Stacks,
    unsupported: Option<Error>,
) -> Result<Value> {
    stacks.clear();
    let mut parser = Parser::new(text, base, limits, stacks);
    parser.unsupported = unsupported;
    let result = parser.parse_text();
    stacks.clear();
    stacks.trim();
    result
}

struct Parser<'t, 's> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    /// Added to every reported offset (a skipped BOM).
    base: usize,
    /// `max_depth`, never more than [`Limits::MAX_DEPTH`].
    max_depth: usize,
    max_items: usize,
    max_str_len: usize,
    items: usize,
    /// What the values may still take (`max_session_bytes`).
    budget: SessionBytes,
    /// The first well-formed-but-unrepresentable construct, reported once the whole text parsed.
    unsupported: Option<Error>,
    stacks: &'s mut Stacks,
}

impl<'t, 's> Parser<'t, 's> {
    fn new(text: &'t str, base: usize, limits: &Limits, stacks: &'s mut Stacks) -> Parser<'t, 's> {
        Parser {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            base,
            max_depth: limits.max_depth.min(Limits::MAX_DEPTH),
            max_items: limits.max_items,
            max_str_len: limits.max_str_len,
            items: 0,
            budget: SessionBytes::new(limits),
            unsupported: None,
            stacks,
        }
    }

    fn malformed(&self, at: usize, what: &'static str) -> Error {
        Error::malformed(Layer::Json, self.base.saturating_add(at), what)
    }

    fn defer_unsupported(&mut self, at: usize, what: &'static str) {
        if self.unsupported.is_none() {
            let at = self.base.saturating_add(at);
            self.unsupported = Some(Error::unsupported(Layer::Json, at, what));
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    fn byte_at(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    /// JSON whitespace only: Python's `WHITESPACE = r'[ \t\n\r]*'`.
    #[inline]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// `json.loads`: one value, optional whitespace, then the end ("Extra data" otherwise).
    fn parse_text(mut self) -> Result<Value> {
        let value = self.parse_value()?;
        self.skip_ws();
        if self.pos != self.bytes.len() {
            return Err(self.malformed(self.pos, "extra data"));
        }
        match self.unsupported {
            Some(e) => Err(e),
            None => Ok(value),
        }
    }

    #[inline]
    fn count_item(&mut self) -> Result<()> {
        self.items = self.items.saturating_add(1);
        if self.items > self.max_items {
            return Err(Error::LimitExceeded(Limit::Items));
        }
        Ok(())
    }

    /// Consumes the `{` or `[` at `pos`, opening nesting level `depth`.
    fn open(&mut self, depth: usize) -> Result<()> {
        if depth > self.max_depth {
            return Err(Error::LimitExceeded(Limit::Depth));
        }
        self.count_item()?;
        self.pos += 1;
        self.skip_ws();
        Ok(())
    }

    /// One value starting at `pos` (after optional whitespace), with everything nested in it.
    fn parse_value(&mut self) -> Result<Value> {
        'value: loop {
            self.skip_ws();
            let mut value = match self.peek() {
                Some(b'"') => {
                    self.count_item()?;
                    Value::String(self.parse_string()?)
                }
                Some(b'{') => {
                    self.open(self.stacks.frames.len().saturating_add(1))?;
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                        Value::Document(Document::new())
                    } else {
                        let key = self.parse_key()?;
                        let start = self.stacks.entries.len();
                        push_with(&mut self.stacks.entries, || (key, Value::Null));
                        self.stacks.frames.push(Frame::Object { start });
                        continue 'value;
                    }
                }
                Some(b'[') => {
                    self.open(self.stacks.frames.len().saturating_add(1))?;
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        Value::Array(Vec::new())
                    } else {
                        let start = self.stacks.values.len();
                        self.stacks.frames.push(Frame::Array { start });
                        continue 'value;
                    }
                }
                _ => {
                    self.count_item()?;
                    self.parse_scalar()?
                }
            };
            // `value` is complete: hand it to the open container, closing as many as end here.
            loop {
                let outermost = self.stacks.frames.len() == 1;
                self.skip_ws();
                let next = self.peek();
                let stacks = &mut *self.stacks;
                let Some(frame) = stacks.frames.last_mut() else {
                    self.budget.charge_value(None, &value)?;
                    return Ok(value);
                };
                match frame {
                    Frame::Array { start } => {
                        self.budget.charge_value(None, &value)?;
                        push_with(&mut stacks.values, || value);
                        match next {
                            Some(b',') => {
                                self.pos += 1;
                                continue 'value;
                            }
                            Some(b']') => {
                                self.pos += 1;
                                let take = outermost && !stacks.kept;
                                value = Value::Array(take_from(&mut stacks.values, *start, take));
                            }
                            _ => return Err(self.malformed(self.pos, "expecting ',' delimiter")),
                        }
                    }
                    Frame::Object { start } => {
                        // The key waits with `null` in its value slot (see the key's push);
                        // anything else there would be a bug, refused rather than lost.
                        match stacks.entries.last_mut() {
                            Some((key, slot @ Value::Null)) => {
                                self.budget.charge_value(Some(key), &value)?;
                                *slot = value;
                            }
                            _ => return Err(self.malformed(self.pos, "value without a key")),
                        }
                        match next {
                            Some(b',') => {
                                self.pos += 1;
                                self.skip_ws();
                                let key = self.parse_key()?;
                                push_with(&mut self.stacks.entries, || (key, Value::Null));
                                continue 'value;
                            }
                            Some(b'}') => {
                                self.pos += 1;
                                // A dict keeps a repeated key's first position and last value.
                                let take = outermost && !stacks.kept;
                                let entries = take_from(&mut stacks.entries, *start, take);
                                value = Value::Document(Document::from_entries(entries));
                            }
                            _ => return Err(self.malformed(self.pos, "expecting ',' delimiter")),
                        }
                    }
                }
                self.stacks.frames.pop();
            }
        }
    }

    /// `"key"`, whitespace, `:` — leaves `pos` after the colon.
    #[inline]
    fn parse_key(&mut self) -> Result<Str> {
        if self.peek() != Some(b'"') {
            return Err(self.malformed(
                self.pos,
                "expecting property name enclosed in double quotes",
            ));
        }
        let key = self.parse_string()?;
        if self.peek() != Some(b':') {
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.malformed(self.pos, "expecting ':' delimiter"));
            }
        }
        self.pos += 1;
        Ok(key)
    }

    /// A literal or a number at `pos`.
    fn parse_scalar(&mut self) -> Result<Value> {
        let start = self.pos;
        let rest = self
            .bytes
            .get(start..)
            .ok_or_else(|| self.malformed(start, "expecting value"))?;
        let literal =
            |word: &'static [u8], value: Value| rest.starts_with(word).then_some((word, value));
        let found = match rest.first() {
            Some(b'n') => literal(b"null", Value::Null),
            Some(b't') => literal(b"true", Value::Bool(true)),
            Some(b'f') => literal(b"false", Value::Bool(false)),
            Some(b'N') => literal(b"NaN", Value::Double(f64::NAN)),
            Some(b'I') => literal(b"Infinity", Value::Double(f64::INFINITY)),
            Some(b'-') if rest.starts_with(b"-Infinity") => {
                Some((&b"-Infinity"[..], Value::Double(f64::NEG_INFINITY)))
            }
            Some(b'-' | b'0'..=b'9') => return self.parse_number(),
            _ => None,
        };
        match found {
            Some((word, value)) => {
                self.pos += word.len();
                Ok(value)
            }
            None => Err(self.malformed(start, "expecting value")),
        }
    }

    fn skip_digits(&self, mut at: usize) -> usize {
        while let Some(b'0'..=b'9') = self.byte_at(at) {
            at += 1;
        }
        at
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`, longest match: `1.` and `1e` stop before
    /// the `.` / `e` (which then fail as extra data), as `_match_number_unicode` does.
    fn parse_number(&mut self) -> Result<Value> {
        let start = self.pos;
        let mut at = start;
        let negative = self.byte_at(at) == Some(b'-');
        if negative {
            at += 1;
        }
        let int_start = at;
        // The integer part's value, exact while it has at most `EXACT_DIGITS` digits.
        let mut magnitude = 0u64;
        match self.byte_at(at) {
            Some(b'0') => at += 1,
            Some(b'1'..=b'9') => {
                while let Some(digit @ b'0'..=b'9') = self.byte_at(at) {
                    magnitude = magnitude
                        .wrapping_mul(10)
                        .wrapping_add(u64::from(digit - b'0'));
                    at += 1;
                }
            }
            _ => return Err(self.malformed(start, "expecting value")),
        }
        let int_digits = at - int_start;
        let mut is_float = false;
        if self.byte_at(at) == Some(b'.') && matches!(self.byte_at(at + 1), Some(b'0'..=b'9')) {
            at = self.skip_digits(at + 2);
            is_float = true;
        }
        if let Some(b'e' | b'E') = self.byte_at(at) {
            let mut exp = at + 1;
            if let Some(b'+' | b'-') = self.byte_at(exp) {
                exp += 1;
            }
            if let Some(b'0'..=b'9') = self.byte_at(exp) {
                at = self.skip_digits(exp + 1);
                is_float = true;
            }
        }
        self.pos = at;
        /// Up to 18 digits, an integer is below 10^18 < 2^63: the digits' value fits `i64`
        /// with either sign and needs no overflow check.
        const EXACT_DIGITS: usize = 18;
        if !is_float && int_digits <= EXACT_DIGITS {
            if let Ok(i) = i64::try_from(magnitude) {
                // `-0` is the integer 0. A Python int that fits 32 bits is Int32, as pymongo
                // writes it.
                return Ok(Value::from(if negative { -i } else { i }));
            }
        }
        let number = self
            .text
            .get(start..at)
            .ok_or_else(|| self.malformed(start, "number"))?;
        if is_float {
            return float::parse(number)
                .map(Value::Double)
                .ok_or_else(|| self.malformed(start, "number"));
        }
        if int_digits > PYTHON_INT_MAX_STR_DIGITS {
            return Err(self.malformed(start, "integer over python's 4300-digit limit"));
        }
        match number.parse::<i64>() {
            Ok(i) => Ok(Value::from(i)),
            Err(_) => {
                self.defer_unsupported(start, "integer outside i64");
                Ok(Value::Null)
            }
        }
    }

    /// Four hex digits at `at` (either case), for the `\u` escape whose `u` is at `at - 1`.
    /// Like `scanstring_unicode`, a text that ends right after the digits is an invalid escape
    /// (not an unterminated string).
    fn hex4(&self, at: usize) -> Result<u32> {
        let end = at.saturating_add(4);
        let digits = self
            .bytes
            .get(at..end)
            .filter(|_| end < self.bytes.len())
            .ok_or_else(|| self.malformed(at - 1, "invalid \\uXXXX escape"))?;
        let mut code = 0u32;
        for &d in digits {
            let nibble = char::from(d)
                .to_digit(16)
                .ok_or_else(|| self.malformed(at - 1, "invalid \\uXXXX escape"))?;
            code = (code << 4) | nibble;
        }
        Ok(code)
    }

    /// The string whose opening quote is at `pos`, as a [`Str`] (inline up to its capacity,
    /// else one exact-size allocation); leaves `pos` after the closing quote.
    ///
    /// The common case, a string with no escape, is one scan to the closing quote and one copy
    /// of the text between the quotes (already valid UTF-8: the whole text was checked once);
    /// anything else goes through [`Parser::parse_string_escaped`], from the opening quote.
    #[inline]
    fn parse_string(&mut self) -> Result<Str> {
        let start = self.pos + 1;
        // No text after the quote: no closing quote either.
        let run = self.bytes.get(start..).and_then(find_special::<false>);
        if let Some(run) = run {
            let end = start + run;
            if self.byte_at(end) == Some(b'"') && run <= self.max_str_len {
                // The run ends at an ASCII byte, so both ends are character boundaries.
                if let Some(text) = self.text.get(start..end) {
                    self.pos = end + 1;
                    return Ok(Str::from(text));
                }
            }
        }
        self.parse_string_escaped(run)
    }

    /// [`Parser::parse_string`] for a string with escapes, too long, or malformed; `first_run`
    /// is where the scan from the opening quote found its first special byte.
    #[cold]
    #[inline(never)]
    fn parse_string_escaped(&mut self, first_run: Option<usize>) -> Result<Str> {
        let unescaped = self.scan_string(first_run)?;
        Ok(Str::from(self.unescaped(&unescaped)?))
    }

    fn unescaped(&self, unescaped: &Unescaped) -> Result<&str> {
        match *unescaped {
            // `scan_string` cut `start..end` at ASCII bytes of `text`.
            Unescaped::Text { start, end } => self
                .text
                .get(start..end)
                .ok_or_else(|| self.malformed(start, "string")),
            Unescaped::Scratch => Ok(&self.stacks.scratch),
        }
    }

    /// Reads the string whose opening quote is at `pos` and leaves `pos` after its closing
    /// quote. A string without escapes stays where it is in the text; one with escapes is
    /// unescaped into `scratch`, its unescaped runs copied whole. `first_run` is
    /// [`find_special`] of the text after the opening quote (already run by the caller).
    fn scan_string(&mut self, first_run: Option<usize>) -> Result<Unescaped> {
        let text: &'t str = self.text;
        let max_len = self.max_str_len;
        let open = self.pos;
        let mut run_start = open + 1;
        let mut escaped = false;
        let mut found = first_run;
        loop {
            let run = found.ok_or_else(|| self.malformed(open, "unterminated string"))?;
            let at = run_start + run;
            // The run ends at an ASCII byte, so both ends are character boundaries.
            let piece = text
                .get(run_start..at)
                .ok_or_else(|| self.malformed(run_start, "unterminated string"))?;
            match self.byte_at(at) {
                Some(b'"') => {
                    self.pos = at + 1;
                    if escaped {
                        push_checked(&mut self.stacks.scratch, piece, max_len)?;
                        return Ok(Unescaped::Scratch);
                    }
                    if piece.len() > max_len {
                        return Err(Error::LimitExceeded(Limit::StrLen));
                    }
                    return Ok(Unescaped::Text {
                        start: run_start,
                        end: at,
                    });
                }
                Some(b'\\') => {
                    if self.byte_at(at + 1).is_none() {
                        return Err(self.malformed(open, "unterminated string"));
                    }
                    if !escaped {
                        escaped = true;
                        self.stacks.scratch.clear();
                    }
                    let mut buf = [0u8; 4];
                    let (c, next) = self.parse_escape(at)?;
                    let encoded: &str = c.encode_utf8(&mut buf);
                    push_checked(&mut self.stacks.scratch, piece, max_len)?;
                    push_checked(&mut self.stacks.scratch, encoded, max_len)?;
                    run_start = next;
                    found = self.bytes.get(run_start..).and_then(find_special::<false>);
                }
                // strict=True: "Invalid control character at".
                _ => return Err(self.malformed(at, "invalid control character")),
            }
        }
    }

    /// The escape whose backslash is at `at`: the character and where the string resumes.
    fn parse_escape(&mut self, at: usize) -> Result<(char, usize)> {
        let simple = match self.byte_at(at + 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => return self.parse_unicode_escape(at),
            Some(_) => return Err(self.malformed(at, "invalid \\escape")),
            None => return Err(self.malformed(at, "unterminated string")),
        };
        Ok((simple, at + 2))
    }

    /// `\uXXXX`, joined with a following `\uXXXX` when the two make a surrogate pair. A lone
    /// surrogate (Python keeps it) becomes U+FFFD and defers [`Error::Unsupported`].
    fn parse_unicode_escape(&mut self, at: usize) -> Result<(char, usize)> {
        let code = self.hex4(at + 2)?;
        let next = at + 6;
        if (0xD800..0xDC00).contains(&code)
            && self.byte_at(next) == Some(b'\\')
            && self.byte_at(next + 1) == Some(b'u')
        {
            let low = self.hex4(next + 2)?;
            if (0xDC00..0xE000).contains(&low) {
                let joined = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                if let Some(c) = char::from_u32(joined) {
                    return Ok((c, next + 6));
                }
            }
        }
        match char::from_u32(code) {
            Some(c) => Ok((c, next)),
            None => {
                self.defer_unsupported(at, "lone surrogate");
                Ok(('\u{fffd}', next))
            }
        }
    }
}

/// Appends `piece` to `out` unless that makes `out` longer than `max_len` bytes.
fn push_checked(out: &mut String, piece: &str, max_len: usize) -> Result<()> {
    if out.len().saturating_add(piece.len()) > max_len {
        return Err(Error::LimitExceeded(Limit::StrLen));
    }
    out.push_str(piece);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{doc, is_unsupported, malformed_at, ok, s, val};
    use super::super::{read, read_in, read_value};
    use super::*;
    use alloc::format;
    use alloc::vec;

    #[test]
    fn json_reads_literals() {
        assert_eq!(ok("null"), Value::Null);
        assert_eq!(ok("true"), Value::Bool(true));
        assert_eq!(ok(" false "), Value::Bool(false));
        assert_eq!(ok("NaN"), Value::Double(f64::NAN));
        assert_eq!(ok("Infinity"), Value::Double(f64::INFINITY));
        assert_eq!(ok("-Infinity"), Value::Double(f64::NEG_INFINITY));
        for bad in [
            "nul",
            "tru",
            "nan",
            "infinity",
            "-NaN",
            "+Infinity",
            "None",
            "True",
        ] {
            assert_eq!(malformed_at(bad.as_bytes()), 0, "{bad}");
        }
        assert_eq!(malformed_at(b"nullx"), 4);
    }

    #[test]
    fn json_integers_pick_int32_then_int64() {
        assert_eq!(ok("0"), Value::Int32(0));
        assert_eq!(ok("2147483647"), Value::Int32(i32::MAX));
        assert_eq!(ok("-2147483648"), Value::Int32(i32::MIN));
        assert_eq!(ok("2147483648"), Value::Int64(1 << 31));
        assert_eq!(ok("-2147483649"), Value::Int64(-(1 << 31) - 1));
        assert_eq!(ok("9223372036854775807"), Value::Int64(i64::MAX));
        assert_eq!(ok("-9223372036854775808"), Value::Int64(i64::MIN));
    }

    #[test]
    fn json_minus_zero_is_integer_zero() {
        assert_eq!(ok("-0"), Value::Int32(0));
        assert_eq!(ok("-0.0"), Value::Double(-0.0));
        assert_eq!(ok("-0e0"), Value::Double(-0.0));
    }

    #[test]
    fn json_integer_outside_i64_is_unsupported() {
        assert!(is_unsupported(b"9223372036854775808"));
        assert!(is_unsupported(b"-9223372036854775809"));
        assert!(is_unsupported(b"{\"a\": [123456789012345678901234567890]}"));
        // Reported only when the text is otherwise well-formed, as Python reads big ints.
        assert_eq!(malformed_at(b"[123456789012345678901234567890,]"), 32);
        // Python's int_max_str_digits: 4300 digits is a (big) int, 4301 a ValueError.
        let mut digits = "7".repeat(4300);
        assert!(is_unsupported(digits.as_bytes()));
        digits.insert(0, '-');
        assert!(is_unsupported(digits.as_bytes()));
        digits.push('7');
        assert_eq!(malformed_at(digits.as_bytes()), 0);
        digits.push_str(".5");
        assert_eq!(ok(&digits), Value::Double(f64::NEG_INFINITY));
    }

    #[test]
    fn json_number_grammar_is_pythons() {
        // Each stops where Python's `_match_number_unicode` stops, then fails as extra data.
        assert_eq!(malformed_at(b"01"), 1);
        assert_eq!(malformed_at(b"-01"), 2);
        assert_eq!(malformed_at(b"1."), 1);
        assert_eq!(malformed_at(b"1.e5"), 1);
        assert_eq!(malformed_at(b"1e"), 1);
        assert_eq!(malformed_at(b"1e+"), 1);
        assert_eq!(malformed_at(b"1.0E-"), 3);
        assert_eq!(malformed_at(b"0x10"), 1);
        assert_eq!(malformed_at(b"1_000"), 1);
        assert_eq!(malformed_at(b"[01]"), 2);
        // Not numbers at all.
        for bad in ["-", "+1", ".5", "-.5", "- 1", "\u{661}"] {
            assert_eq!(malformed_at(bad.as_bytes()), 0, "{bad}");
        }
    }

    #[test]
    fn json_string_escapes() {
        assert_eq!(ok(r#""\"\\\/\b\f\n\r\t""#), s("\"\\/\u{8}\u{c}\n\r\t"));
        assert_eq!(ok(r#""\u00e9\u00E9\u0000\uffff""#), s("éé\0\u{ffff}"));
        assert_eq!(ok(r#""a\u0041b""#), s("aAb"));
        assert_eq!(ok("\"plain é 😀\""), s("plain é 😀"));
        assert_eq!(malformed_at(br#""\x""#), 1);
        assert_eq!(malformed_at(br#""\U00e9""#), 1);
        assert_eq!(malformed_at(br#""\'""#), 1);
        assert_eq!(malformed_at(br#""\uabcg""#), 2);
        assert_eq!(malformed_at(br#""ab\u12"#), 4);
        assert_eq!(malformed_at(br#""ab\"#), 0);
        assert_eq!(malformed_at(br#""abc"#), 0);
        assert_eq!(malformed_at(br#"["a", "b"#), 6);
    }

    #[test]
    fn json_surrogate_pair_escape_joins() {
        assert_eq!(ok(r#""\ud83d\ude00""#), s("😀"));
        assert_eq!(ok(r#""\uD83D\uDE00x""#), s("😀x"));
        assert_eq!(ok(r#""\udbff\udfff""#), s("\u{10ffff}"));
    }

    #[test]
    fn json_lone_surrogate_escape_is_unsupported() {
        for text in [
            r#""\ud83d""#,
            r#""\ude00""#,
            r#""\ud83dx""#,
            r#""\ud83d\u0041""#,
            r#""\ude00\ud83d""#,
            r#"{"\ud800": 1}"#,
        ] {
            assert!(is_unsupported(text.as_bytes()), "{text}");
        }
        // Only once the text is otherwise well-formed: Python refuses these too.
        assert_eq!(malformed_at(br#""\ud83d"x"#), 8);
        assert_eq!(malformed_at(br#""\ud83d\uzzzz""#), 8);
    }

    #[test]
    fn json_raw_control_character_refused() {
        assert_eq!(malformed_at(b"\"a\x00\""), 2);
        assert_eq!(malformed_at(b"\"\x1f\""), 1);
        assert_eq!(malformed_at(b"\"a\nb\""), 2);
        assert_eq!(malformed_at(b"{\"k\tk\": 1}"), 3);
        // DEL, C1 controls and U+2028 are not controls to Python's strict scanner.
        assert_eq!(ok("\"\x7f\u{85}\u{2028}\""), s("\x7f\u{85}\u{2028}"));
    }

    #[test]
    fn json_whitespace_is_only_space_tab_lf_cr() {
        assert_eq!(
            ok(" \t\n\r[ \t\n\r1 \t\n\r, \t\n\r{ \"a\" \r: \n2 \t} ]\r\n"),
            Value::Array(vec![Value::Int32(1), doc(&[("a", Value::Int32(2))]).into()])
        );
        for bad in ["\x0c{}", "\x0b1", "\u{a0}1", "\u{2003}1", "\u{85}1"] {
            assert_eq!(malformed_at(bad.as_bytes()), 0, "{bad:?}");
        }
        assert_eq!(malformed_at(b""), 0);
        assert_eq!(malformed_at(b"  "), 2);
    }

    #[test]
    fn json_trailing_data_refused() {
        assert_eq!(malformed_at(b"{}x"), 2);
        assert_eq!(malformed_at(b"{} {}"), 3);
        assert_eq!(malformed_at(b"1 2"), 2);
        assert_eq!(malformed_at(b"{}\x00"), 2);
        assert_eq!(ok("{}  \n"), Value::Document(Document::new()));
    }

    #[test]
    fn json_structure_errors() {
        assert_eq!(malformed_at(b"[1,]"), 3);
        assert_eq!(malformed_at(b"[,1]"), 1);
        assert_eq!(malformed_at(b"[1 2]"), 3);
        assert_eq!(malformed_at(b"["), 1);
        assert_eq!(malformed_at(b"[1"), 2);
        assert_eq!(malformed_at(b"]"), 0);
        assert_eq!(malformed_at(b"{\"a\":1,}"), 7);
        assert_eq!(malformed_at(b"{,}"), 1);
        assert_eq!(malformed_at(b"{\"a\" 1}"), 5);
        assert_eq!(malformed_at(b"{1:2}"), 1);
        assert_eq!(malformed_at(b"{'a':2}"), 1);
        assert_eq!(malformed_at(b"{\"a\":"), 5);
        assert_eq!(malformed_at(b"{\"a\":1"), 6);
        assert_eq!(malformed_at(b"{\"a\":1]"), 6);
        assert_eq!(malformed_at(b"[1}"), 2);
    }

    #[test]
    fn json_duplicate_keys_first_position_last_value() {
        let d = read(
            br#"{"a": 1, "b": 2, "a": 3, "c": {"x": 1, "x": [2]}}"#,
            &Limits::DEFAULT,
        );
        let expected = doc(&[
            ("a", Value::Int32(3)),
            ("b", Value::Int32(2)),
            (
                "c",
                doc(&[("x", Value::Array(vec![Value::Int32(2)]))]).into(),
            ),
        ]);
        assert_eq!(d, Ok(expected));
    }

    fn nested(depth: usize) -> String {
        let mut t = "[".repeat(depth);
        t.push_str(&"]".repeat(depth));
        t
    }

    #[test]
    fn json_depth_trips_at_max_plus_one() {
        let mut limits = Limits::DEFAULT;
        limits.max_depth = 3;
        assert!(read_value(nested(3).as_bytes(), &limits).is_ok());
        assert_eq!(
            read_value(nested(4).as_bytes(), &limits),
            Err(Error::LimitExceeded(Limit::Depth))
        );
        assert!(read(br#"{"a": {"b": {}}}"#, &limits).is_ok());
        assert_eq!(
            read(br#"{"a": {"b": {"c": {}}}}"#, &limits),
            Err(Error::LimitExceeded(Limit::Depth))
        );
        assert_eq!(
            read(br#"{"a": [{"c": 1}]}"#, &limits),
            Ok(doc(&[(
                "a",
                Value::Array(vec![doc(&[("c", 1.into())]).into()])
            )]))
        );
        assert_eq!(
            read(br#"{"a": [{"c": []}]}"#, &limits),
            Err(Error::LimitExceeded(Limit::Depth))
        );
        limits.max_depth = 0;
        assert_eq!(read_value(b"1", &limits), Ok(Value::Int32(1)));
        assert_eq!(
            read(b"{}", &limits),
            Err(Error::LimitExceeded(Limit::Depth))
        );
        assert_eq!(
            Limits::DEFAULT.max_depth,
            64,
            "the next assertion assumes the default"
        );
        assert!(read_value(nested(64).as_bytes(), &Limits::DEFAULT).is_ok());
        assert_eq!(
            read_value(nested(65).as_bytes(), &Limits::DEFAULT),
            Err(Error::LimitExceeded(Limit::Depth))
        );
    }

    #[test]
    fn json_huge_depth_limit_is_capped_at_max_depth() {
        let mut limits = Limits::DEFAULT;
        limits.max_depth = usize::MAX;
        limits.max_items = usize::MAX;
        // Python's json.loads stops at 993 levels (RecursionError); 1000 always reads.
        assert!(read_value(nested(Limits::MAX_DEPTH).as_bytes(), &limits).is_ok());
        let deep = [
            "{\"a\":".repeat(Limits::MAX_DEPTH),
            "1".into(),
            "}".repeat(Limits::MAX_DEPTH),
        ]
        .concat();
        assert!(read_value(deep.as_bytes(), &limits).is_ok());
        assert_eq!(
            read_value(nested(Limits::MAX_DEPTH + 1).as_bytes(), &limits),
            Err(Error::LimitExceeded(Limit::Depth))
        );
        let open = "[".repeat(1_000_000);
        assert_eq!(
            read_value(open.as_bytes(), &limits),
            Err(Error::LimitExceeded(Limit::Depth))
        );
        // Below the cap, a malformed deep text fails without recursing or building deep values.
        limits.max_depth = 900;
        let unclosed = ["[1, {\"k\": ".repeat(450), "x".into()].concat();
        assert_eq!(malformed_at_with(unclosed.as_bytes(), &limits), 450 * 10);
    }

    fn malformed_at_with(text: &[u8], limits: &Limits) -> usize {
        match read_value(text, limits) {
            Err(Error::Malformed { offset, .. }) => offset,
            other => panic!("expected malformed, got {other:?}"),
        }
    }

    #[test]
    fn json_items_limit_counts_every_value() {
        let mut limits = Limits::DEFAULT;
        limits.max_items = 4;
        // The document, the array and two elements.
        assert!(read(br#"{"a": [1, 2]}"#, &limits).is_ok());
        assert_eq!(
            read(br#"{"a": [1, 2, 3]}"#, &limits),
            Err(Error::LimitExceeded(Limit::Items))
        );
        assert_eq!(
            read(br#"{"a": [1, []]}"#, &limits),
            Ok(doc(&[(
                "a",
                Value::Array(vec![1.into(), Value::Array(vec![])])
            )]))
        );
        assert_eq!(
            read(br#"{"a": [1, [], {}]}"#, &limits),
            Err(Error::LimitExceeded(Limit::Items))
        );
        assert_eq!(
            read(br#"{"a": 1, "b": 2, "c": "3", "d": null}"#, &limits),
            Err(Error::LimitExceeded(Limit::Items))
        );
        limits.max_items = 0;
        assert_eq!(
            read_value(b"1", &limits),
            Err(Error::LimitExceeded(Limit::Items))
        );
    }

    #[test]
    fn json_str_len_limit_on_decoded_bytes() {
        let mut limits = Limits::DEFAULT;
        limits.max_str_len = 4;
        assert_eq!(read_value(br#""abcd""#, &limits), Ok(s("abcd")));
        assert_eq!(read_value("\"éé\"".as_bytes(), &limits), Ok(s("éé")));
        // Escapes count as what they decode to.
        assert_eq!(read_value(br#""\u00e9\u00e9""#, &limits), Ok(s("éé")));
        assert_eq!(read_value(br#""\n\n\n\n""#, &limits), Ok(s("\n\n\n\n")));
        for text in [
            &br#""abcde""#[..],
            "\"ééa\"".as_bytes(),
            br#""\u00e9\u00e9a""#,
            br#""abc\u00e9""#,
            br#""\n\n\n\nx""#,
            br#"{"abcde": 1}"#,
            br#"{"a\nbcd": 1}"#,
        ] {
            assert_eq!(
                read_value(text, &limits),
                Err(Error::LimitExceeded(Limit::StrLen)),
                "{text:?}"
            );
        }
    }

    #[test]
    fn json_escaped_strings_do_not_leak_into_each_other() {
        let doc = ok(r#"{"a\nb": "\u00e9t\u00e9", "plain": "x\ty", "\"q\"": ["\/", "z"]}"#);
        let want = Value::Document(Document::from_entries(vec![
            (Str::from("a\nb"), s("été")),
            (Str::from("plain"), s("x\ty")),
            (Str::from("\"q\""), Value::Array(vec![s("/"), s("z")])),
        ]));
        assert_eq!(doc, want);
    }

    #[test]
    fn json_nested_containers_keep_their_own_elements() {
        let doc =
            ok(r#"{"a": [1, {"b": [2, 3], "c": {}}, [], [[4]]], "d": {"e": [5], "f": 6}, "g": 7}"#);
        let inner = Document::from_entries(vec![
            (
                Str::from("b"),
                Value::Array(vec![Value::Int32(2), Value::Int32(3)]),
            ),
            (Str::from("c"), Value::Document(Document::new())),
        ]);
        let a = Value::Array(vec![
            Value::Int32(1),
            Value::Document(inner),
            Value::Array(vec![]),
            Value::Array(vec![Value::Array(vec![Value::Int32(4)])]),
        ]);
        let d = Document::from_entries(vec![
            (Str::from("e"), Value::Array(vec![Value::Int32(5)])),
            (Str::from("f"), Value::Int32(6)),
        ]);
        let want = Value::Document(Document::from_entries(vec![
            (Str::from("a"), a),
            (Str::from("d"), Value::Document(d)),
            (Str::from("g"), Value::Int32(7)),
        ]));
        assert_eq!(doc, want);
        let mut a2 = Document::new();
        a2.insert("a", vec![Value::Int32(2)]);
        let want = Value::Array(vec![
            Value::Array(vec![Value::Int32(1)]),
            Value::Document(a2),
            Value::Int32(3),
        ]);
        assert_eq!(ok(r#"[[1], {"a": [2]}, 3]"#), want);
        // Long strings are scanned a word at a time; specials found in any lane.
        let long = "é".repeat(40) + "0123456789abcdef";
        let text = format!("{{\"{long}\": \"{long}\\n{long}\"}}");
        let mut want = Document::new();
        want.insert(long.clone(), format!("{long}\n{long}"));
        assert_eq!(ok(&text), Value::Document(want));
    }

    #[test]
    fn json_integers_short_and_long_read_alike() {
        // Up to 18 digits the digits are summed while scanned; longer ones go through
        // `str::parse`. Both sides of the split, the i32 and i64 limits, and -0.
        let mut cases: Vec<String> = [
            "0",
            "-0",
            "7",
            "-7",
            "2147483647",
            "2147483648",
            "-2147483648",
            "-2147483649",
            "99999999999999999",
            "999999999999999999",
            "-999999999999999999",
            "1000000000000000000",
            "-1000000000000000000",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "-9223372036854775809",
            "18446744073709551616",
            "123456789012345678901234567890",
        ]
        .iter()
        .map(|t| String::from(*t))
        .collect();
        cases.push("9".repeat(PYTHON_INT_MAX_STR_DIGITS));
        for text in &cases {
            let want = match text.parse::<i64>() {
                Ok(i) => Ok(Value::from(i)),
                Err(_) => Err(Error::unsupported(Layer::Json, 0, "integer outside i64")),
            };
            assert_eq!(val(text), want, "{text}");
            let at = |offset: usize, v: &Result<Value>, wrap: fn(Value) -> Value| match v {
                Ok(v) => Ok(wrap(v.clone())),
                Err(_) => Err(Error::unsupported(
                    Layer::Json,
                    offset,
                    "integer outside i64",
                )),
            };
            let one = |v| Value::Array(vec![v]);
            let two = |v| Value::Array(vec![Value::Null, v]);
            assert_eq!(val(&format!("[{text}]")), at(1, &want, one), "[{text}]");
            assert_eq!(
                val(&format!("[null, {text} ]")),
                at(7, &want, two),
                "{text}"
            );
        }
        assert_eq!(ok("-0"), Value::Int32(0));
        assert_eq!(ok("2147483648"), Value::Int64(2_147_483_648));
        assert_eq!(ok("-2147483648"), Value::Int32(i32::MIN));
        assert_eq!(ok("-9223372036854775808"), Value::Int64(i64::MIN));
        // A fraction or an exponent makes a float, even of a short integer part.
        for (text, want) in [
            ("1e5", 1e5),
            ("1E+2", 100.0),
            ("-0.0", -0.0),
            ("-0e0", -0.0),
            ("10.5e-3", 0.0105),
            ("123456789012345678.5", 123_456_789_012_345_680.0),
            ("1e400", f64::INFINITY),
        ] {
            assert_eq!(val(text), Ok(Value::Double(want)), "{text}");
        }
        // Not numbers, or numbers followed by extra data.
        assert_eq!(malformed_at(b"01"), 1);
        assert_eq!(malformed_at(b"-"), 0);
        assert_eq!(malformed_at(b"-a"), 0);
        assert_eq!(malformed_at(b"1."), 1);
        assert_eq!(malformed_at(b"1e"), 1);
        assert_eq!(malformed_at(b"[1e+]"), 2);
        assert_eq!(
            malformed_at(format!("1{}", "0".repeat(PYTHON_INT_MAX_STR_DIGITS)).as_bytes()),
            0
        );
    }

    #[test]
    fn json_plain_strings_at_word_boundaries() {
        // Strings without escapes are cut straight out of the text; an escape, a control
        // character or a missing quote at any position of the first words goes the slow way.
        for len in 0..=26 {
            let plain = "a".repeat(len);
            assert_eq!(ok(&format!("\"{plain}\"")), s(&plain), "{len}");
            assert_eq!(
                ok(&format!("{{\"{plain}\" : \"{plain}\"}}")),
                doc(&[(plain.as_str(), s(&plain))]).into(),
                "{len}"
            );
            // An escape at the end of the text part (a word's last byte, or the next word's
            // first).
            assert_eq!(ok(&format!("\"{plain}\\n\"")), s(&format!("{plain}\n")));
            assert_eq!(ok(&format!("\"{plain}\\\"x\"")), s(&format!("{plain}\"x")));
            // A raw control character there is malformed at its offset.
            assert_eq!(malformed_at(format!("\"{plain}\t\"").as_bytes()), len + 1);
            assert_eq!(malformed_at(format!("[\"{plain}").as_bytes()), 1);
        }
        // Multibyte UTF-8 across word boundaries, inline and on the heap.
        for pad in 0..8 {
            let text = format!("{}é€😀{}", "x".repeat(pad), "y".repeat(pad));
            assert_eq!(
                ok(&format!("[\"{text}\", \"{text}\"]")),
                Value::Array(vec![s(&text), s(&text)])
            );
        }
        // The length limit applies to plain strings and keys as to escaped ones.
        let mut limits = Limits::DEFAULT;
        limits.max_str_len = 8;
        assert_eq!(read_value(b"\"12345678\"", &limits), Ok(s("12345678")));
        for text in [
            &b"\"123456789\""[..],
            b"{\"123456789\": 1}",
            b"{\"k\": \"123456789\"}",
        ] {
            assert_eq!(
                read_value(text, &limits),
                Err(Error::LimitExceeded(Limit::StrLen))
            );
        }
        // Whitespace between a key and its colon.
        assert_eq!(ok("{\"a\" \t\r\n: 1}"), doc(&[("a", 1.into())]).into());
        assert_eq!(malformed_at(b"{\"a\" 1}"), 5);
    }

    #[test]
    fn json_kept_stacks_read_like_fresh_ones() {
        let mut stacks = Stacks::new();
        let texts: [&[u8]; 8] = [
            br#"{"a": [1, {"b": "x"}], "c": {"d": [[], {}]}}"#,
            br#"{"a": [1, {"b": "x"#,
            br#"{"k": "\u00e9\n", "l": [1, 2, 3, {"m": null}]}"#,
            br#"{"a": 1, "a": 2, "b": [3], "a": 3}"#,
            br#"[1, 2]"#,
            br#"{"deep": [[[[[[1]]]]]], "n": 9223372036854775808}"#,
            b"{}",
            br#"{"big": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]}"#,
        ];
        for _ in 0..2 {
            for text in texts {
                assert_eq!(
                    read_in(text, &Limits::DEFAULT, &mut stacks),
                    read(text, &Limits::DEFAULT)
                );
                assert!(stacks.frames.is_empty() && stacks.values.is_empty());
                assert!(stacks.entries.is_empty() && stacks.scratch.is_empty());
            }
        }
        // Capacity is kept, up to its cap.
        let wide = format!("{{\"a\": [{}0]}}", "0, ".repeat(10 * Stacks::RETAIN));
        assert!(read_in(wide.as_bytes(), &Limits::DEFAULT, &mut stacks).is_ok());
        assert!(stacks.values.capacity() <= Stacks::RETAIN);
        assert!(stacks.values.capacity() > 0);
    }

    #[test]
    fn json_kept_stacks_match_one_shot_on_read_corpus() {
        // The 2,881 inputs of `tests/json_vectors.rs` (checked there against Python, one-shot)
        // read in a row on one set of kept stacks, errors included, give the same results.
        let corpus: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/data/json/read_corpus.json")).unwrap();
        let cases = corpus["cases"].as_array().unwrap();
        assert!(cases.len() > 2500);
        let mut stacks = Stacks::new();
        for case in cases {
            let hex = case["hex"].as_str().unwrap();
            let bytes: Vec<u8> = (0..hex.len() / 2)
                .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
                .collect();
            let kept = read_value_in(&bytes, &Limits::DEFAULT, &mut stacks);
            assert_eq!(kept, read_value(&bytes, &Limits::DEFAULT), "{hex}");
        }
    }
}
