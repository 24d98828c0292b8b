//! Bounded JSON reading and writing, compatible with Python's `json` module as
//! beaker-session-jwt 1.0.4 uses it (CPython 3.11 `Lib/json/__init__.py` `loads`/`dumps` with the
//! C scanner and encoder of `Modules/_json.c`, and `float.__repr__`).
//!
//! Reading follows `json.loads(bytes)`: the text encoding is detected the way
//! `json.detect_encoding` does (UTF-8 with or without a BOM, UTF-16 and UTF-32 in either byte
//! order), `NaN`, `Infinity` and `-Infinity` are read as doubles, a repeated object key keeps its
//! first position and its last value, and nothing but space, tab, LF and CR counts as whitespace.
//! Writing gives byte for byte what `json.dumps` gives in the three layouts of [`Style`].
//!
//! Where Python builds something a [`Value`] cannot hold, the text is refused with
//! [`Error::Unsupported`] — and only when the whole text is otherwise well-formed, so
//! [`Error::Malformed`] means exactly "Python's `json.loads` would raise too":
//! - an integer outside `i64` (Python reads any size up to its 4,300-digit limit);
//! - a lone surrogate, escaped (`"\ud800"`) or encoded (UTF-8 `ED A0 80`, or a lone UTF-16/32
//!   surrogate), which Python keeps in its `str` but a Rust `String` cannot hold.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Error, Layer, Limit, Name, Result};
use crate::limits::Limits;
use crate::session_bytes::SessionBytes;
use crate::stack::{push_with, take_from};
use crate::value::{Document, Str, Value};

/// How to lay out written JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Style {
    /// joserfc's claims, `json.dumps(obj, ensure_ascii=False, separators=(",", ":"))`:
    /// non-ASCII written as is.
    Compact,
    /// joserfc's JWS header, `json.dumps(obj, ensure_ascii=True, separators=(",", ":"))`:
    /// every non-ASCII character (and DEL) written as a `\uXXXX` escape.
    CompactAscii,
    /// `json.dumps(obj)` defaults (Beaker's legacy `JsonSerializer`): separators `, ` and `: `,
    /// `ensure_ascii=True`.
    Python,
}

/// `sys.int_info.str_digits_check_threshold`'s default (`sys.set_int_max_str_digits`): Python
/// 3.11 refuses to read a longer integer with `ValueError`, so we call it malformed too.
const PYTHON_INT_MAX_STR_DIGITS: usize = 4300;

/// Reads a JSON text whose top level is an object, as `json.loads(bytes)` followed by joserfc's
/// `isinstance(claims, dict)` check.
///
/// The text may be UTF-8 (with or without a BOM), UTF-16 or UTF-32, detected as
/// `json.detect_encoding` does. Offsets in errors count bytes of the input for UTF-8 input, and
/// bytes of its UTF-8 re-encoding for UTF-16/32 input.
///
/// ```
/// use beaker_session_jwt::{json, Limits, Value};
/// let doc = json::read(br#"{"a": 1, "b": [NaN, -0], "a": "x"}"#, &Limits::DEFAULT)?;
/// assert_eq!(doc.keys().collect::<Vec<_>>(), ["a", "b"]);
/// assert_eq!(doc.get("a"), Some(&Value::from("x")));
/// # Ok::<(), beaker_session_jwt::Error>(())
/// ```
///
/// # Errors
/// - [`Error::Malformed`] in [`Layer::Json`]: what Python's `json.loads` refuses (invalid
///   UTF-8/16/32, grammar, a raw control character in a string, trailing data, an integer over
///   4,300 digits).
/// - [`Error::Unsupported`] in [`Layer::Json`]: a well-formed text Python reads into something a
///   [`Value`] cannot hold (an integer outside `i64`, a lone surrogate), or whose top level is
///   not an object.
/// - [`Error::LimitExceeded`].
///
/// # Limits
/// `max_depth` (nesting of objects and arrays; the top-level object is depth 1), never more
/// than [`Limits::MAX_DEPTH`]; `max_items` (every value built, containers included);
/// `max_session_bytes` (each value's slot and heap blocks, charged as it is stored); `max_str_len`
/// (bytes of each decoded string or key). Memory is also bounded by the input: the parse keeps
/// at most one copy of it, plus a re-encoded copy for UTF-16/32 input. No recursion: nesting is
/// kept on a heap stack.
pub fn read(text: &[u8], limits: &Limits) -> Result<Document> {
    top_level_object(read_value(text, limits)?)
}

/// Reads any JSON value, as `json.loads(bytes)`.
///
/// # Errors
/// As [`read()`], except that any top-level value is accepted.
///
/// # Limits
/// As [`read()`].
pub fn read_value(text: &[u8], limits: &Limits) -> Result<Value> {
    read_value_in(text, limits, &mut Stacks::one_shot())
}

/// Reads a JSON text already decoded to a string, as `json.loads(str)` does — the path of Beaker's
/// legacy `JsonSerializer.loads`, which decodes the bytes as strict UTF-8 first. Unlike
/// [`read()`], a leading BOM (U+FEFF) is refused and no other encoding is detected.
///
/// # Errors
/// As [`read()`]; a leading BOM is [`Error::Malformed`] (Python: "Unexpected UTF-8 BOM").
///
/// # Limits
/// As [`read()`].
pub fn read_str(text: &str, limits: &Limits) -> Result<Document> {
    read_str_in(text, limits, &mut Stacks::one_shot())
}

/// [`read_str`] on stacks kept by the caller (a `Codec`): the same result, errors included.
pub(crate) fn read_str_in(text: &str, limits: &Limits, stacks: &mut Stacks) -> Result<Document> {
    if text.starts_with('\u{feff}') {
        return Err(Error::malformed(Layer::Json, 0, "unexpected utf-8 bom"));
    }
    top_level_object(parse_on(text, 0, limits, stacks, None)?)
}

/// Writes a document as JSON, byte for byte as Python's `json.dumps` in the given [`Style`].
///
/// ```
/// use beaker_session_jwt::{json, json::Style, Document, Value};
/// let mut doc = Document::new();
/// doc.insert("t", 1e-5);
/// doc.insert("é", vec![Value::Null, Value::from(true)]);
/// assert_eq!(json::write(&doc, Style::Compact)?, r#"{"t":1e-05,"é":[null,true]}"#);
/// assert_eq!(json::write(&doc, Style::Python)?, r#"{"t": 1e-05, "\u00e9": [null, true]}"#);
/// # Ok::<(), beaker_session_jwt::Error>(())
/// ```
///
/// Values are written as Python holds them after pymongo or the legacy reader built them:
/// `Null`, `Bool`, `Int32`, `Int64`, `Double` (as `float.__repr__`, with `NaN`, `Infinity`,
/// `-Infinity`), `String`, `Document` and `Array` map to JSON; `Symbol` is written as a string
/// and `Undefined` as `null`, because pymongo reads them as `str` and `None`.
///
/// # Errors
/// [`Error::Unwritable`] in [`Layer::Json`], naming the top-level key, for any other value
/// (binary, datetime, ObjectId, regex, code, timestamp, decimal128, min/max key, DBPointer):
/// Python's `json.dumps` raises `TypeError` for them. (`bson.code.Code` is a `str` subclass that
/// Python would write as its bare code text, dropping the scope; we refuse it instead.) Also
/// [`Error::Unwritable`] for nesting deeper than [`Limits::MAX_DEPTH`] (the top-level document is depth
/// 1), where `json.dumps` raises `RecursionError`.
///
/// # Limits
/// Nesting up to [`Limits::MAX_DEPTH`]. The output is bounded by the input (at most 12 bytes per input
/// byte, for `\uXXXX\uXXXX` escapes), and nesting is walked with a heap stack, not recursion.
pub fn write(doc: &Document, style: Style) -> Result<String> {
    let mut w = Writer::new(style);
    w.write_document(doc.iter().map(|(k, v)| (k, Cow::Borrowed(v))))?;
    Ok(w.out)
}

/// [`write()`] of a document given as its entries (so a caller can drop or change some without
/// copying the rest).
pub(crate) fn write_entries<'v>(
    entries: impl Iterator<Item = (&'v str, Cow<'v, Value>)>,
    style: Style,
) -> Result<String> {
    let mut w = Writer::new(style);
    w.write_document(entries)?;
    Ok(w.out)
}

/// Writes any value as JSON, as [`write()`] does. An [`Error::Unwritable`] names the top-level
/// key when `value` is a document, and the empty key otherwise.
///
/// # Errors
/// As [`write()`].
///
/// # Limits
/// As [`write()`].
pub fn write_value(value: &Value, style: Style) -> Result<String> {
    let mut w = Writer::new(style);
    match value {
        Value::Document(doc) => w.write_document(doc.iter().map(|(k, v)| (k, Cow::Borrowed(v))))?,
        other => w.write_tree(other, "", 0)?,
    }
    Ok(w.out)
}

fn top_level_object(value: Value) -> Result<Document> {
    match value {
        Value::Document(doc) => Ok(doc),
        // joserfc/jwt.py: `if not isinstance(claims, dict): raise InvalidPayloadError()`.
        _ => Err(Error::unsupported(
            Layer::Json,
            0,
            "top level is not an object",
        )),
    }
}

fn lone_surrogate(offset: usize) -> Error {
    Error::unsupported(Layer::Json, offset, "lone surrogate")
}

// ---------------------------------------------------------------------------------------------
// Text encodings: `json.detect_encoding` and `bytes.decode(encoding, 'surrogatepass')`.

/// The input as UTF-8 text.
struct Decoded<'a> {
    text: Cow<'a, str>,
    /// Input bytes before `text` (a UTF-8 BOM), added to every offset.
    base: usize,
    /// Offset in `text` of the first lone surrogate Python would have kept; `text` holds U+FFFD
    /// in its place.
    lone_surrogate: Option<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Utf16 { big_endian: bool },
    Utf32 { big_endian: bool },
}

/// `json.detect_encoding`: a BOM first (UTF-32 before UTF-16, whose BOM is a prefix of
/// UTF-32-LE's), then the pattern of zero bytes in the first four (or two) bytes. Returns the
/// encoding and how many BOM bytes to skip.
fn detect_encoding(b: &[u8]) -> (Encoding, usize) {
    use Encoding::*;
    if b.starts_with(&[0x00, 0x00, 0xFE, 0xFF]) {
        return (Utf32 { big_endian: true }, 4);
    }
    if b.starts_with(&[0xFF, 0xFE, 0x00, 0x00]) {
        return (Utf32 { big_endian: false }, 4);
    }
    if b.starts_with(&[0xFE, 0xFF]) {
        return (Utf16 { big_endian: true }, 2);
    }
    if b.starts_with(&[0xFF, 0xFE]) {
        return (Utf16 { big_endian: false }, 2);
    }
    if b.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return (Utf8, 3);
    }
    let encoding = match *b {
        [0, b1, _, _, ..] => {
            if b1 != 0 {
                Utf16 { big_endian: true }
            } else {
                Utf32 { big_endian: true }
            }
        }
        [_, 0, b2, b3, ..] => {
            if b2 != 0 || b3 != 0 {
                Utf16 { big_endian: false }
            } else {
                Utf32 { big_endian: false }
            }
        }
        [0, _] => Utf16 { big_endian: true },
        [_, 0] => Utf16 { big_endian: false },
        _ => Utf8,
    };
    (encoding, 0)
}

fn decode(bytes: &[u8]) -> Result<Decoded<'_>> {
    let (encoding, bom) = detect_encoding(bytes);
    let body = bytes.get(bom..).unwrap_or_default();
    match encoding {
        Encoding::Utf8 => decode_utf8(body, bom),
        Encoding::Utf16 { big_endian } => decode_utf16(body, bom, big_endian),
        Encoding::Utf32 { big_endian } => decode_utf32(body, bom, big_endian),
    }
}

/// UTF-8 with `surrogatepass`: an encoded surrogate (`ED A0..BF 80..BF`) is what Python keeps as a
/// lone surrogate; it becomes U+FFFD (also three bytes, so offsets stay put). Anything else that
/// is not UTF-8 is malformed.
fn decode_utf8(body: &[u8], base: usize) -> Result<Decoded<'_>> {
    let first = match core::str::from_utf8(body) {
        Ok(text) => {
            return Ok(Decoded {
                text: Cow::Borrowed(text),
                base,
                lone_surrogate: None,
            })
        }
        Err(e) => e.valid_up_to(),
    };
    let mut owned: Vec<u8> = Vec::from(body);
    let mut at = first;
    loop {
        match owned.get(at..at.saturating_add(3)) {
            Some([0xED, 0xA0..=0xBF, 0x80..=0xBF]) => {
                if let Some(seq) = owned.get_mut(at..at.saturating_add(3)) {
                    seq.copy_from_slice("\u{fffd}".as_bytes());
                }
            }
            _ => return Err(Error::malformed(Layer::Json, base + at, "invalid utf-8")),
        }
        let next = at.saturating_add(3);
        match core::str::from_utf8(owned.get(next..).unwrap_or_default()) {
            Ok(_) => break,
            Err(e) => at = next.saturating_add(e.valid_up_to()),
        }
    }
    let text = String::from_utf8(owned)
        .map_err(|_| Error::malformed(Layer::Json, base + first, "invalid utf-8"))?;
    Ok(Decoded {
        text: Cow::Owned(text),
        base,
        lone_surrogate: Some(first),
    })
}

/// UTF-16 with `surrogatepass`: pairs join, a lone surrogate becomes U+FFFD and is noted, an odd
/// trailing byte is malformed ("truncated data").
fn decode_utf16(body: &[u8], bom: usize, big_endian: bool) -> Result<Decoded<'static>> {
    let units = body.chunks_exact(2);
    if !units.remainder().is_empty() {
        let at = bom + body.len() - 1;
        return Err(Error::malformed(Layer::Json, at, "truncated utf-16"));
    }
    let units = units.map(|u| match *u {
        [a, b] if big_endian => u16::from_be_bytes([a, b]),
        [a, b] => u16::from_le_bytes([a, b]),
        _ => 0,
    });
    let mut text = String::with_capacity(body.len().saturating_add(body.len() / 2));
    let mut lone = None;
    for unit in char::decode_utf16(units) {
        let c = unit.unwrap_or_else(|_| {
            lone.get_or_insert(text.len());
            '\u{fffd}'
        });
        text.push(c);
    }
    Ok(Decoded {
        text: Cow::Owned(text),
        base: 0,
        lone_surrogate: lone,
    })
}

/// UTF-32 with `surrogatepass`: a surrogate code unit becomes U+FFFD and is noted (two of them
/// never join, as in Python); a unit above U+10FFFF or a length not a multiple of 4 is malformed.
fn decode_utf32(body: &[u8], bom: usize, big_endian: bool) -> Result<Decoded<'static>> {
    let units = body.chunks_exact(4);
    if !units.remainder().is_empty() {
        let at = bom + body.len() - units.remainder().len();
        return Err(Error::malformed(Layer::Json, at, "truncated utf-32"));
    }
    let mut text = String::with_capacity(body.len());
    let mut lone = None;
    for (i, unit) in units.enumerate() {
        let code = match *unit {
            [a, b, c, d] if big_endian => u32::from_be_bytes([a, b, c, d]),
            [a, b, c, d] => u32::from_le_bytes([a, b, c, d]),
            _ => 0,
        };
        let c = match char::from_u32(code) {
            Some(c) => c,
            None if (0xD800..0xE000).contains(&code) => {
                lone.get_or_insert(text.len());
                '\u{fffd}'
            }
            None => {
                let at = bom + i * 4;
                return Err(Error::malformed(
                    Layer::Json,
                    at,
                    "utf-32 code point out of range",
                ));
            }
        };
        text.push(c);
    }
    Ok(Decoded {
        text: Cow::Owned(text),
        base: 0,
        lone_surrogate: lone,
    })
}

// ---------------------------------------------------------------------------------------------
// Parsing: `Modules/_json.c` `scan_once_unicode`, `_parse_object_unicode`, `_parse_array_unicode`,
// `scanstring_unicode`, `_match_number_unicode`, iteratively.

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
    const fn one_shot() -> Stacks {
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

/// [`read()`] on stacks kept by the caller (a `Codec`): the same result, errors included.
pub(crate) fn read_in(text: &[u8], limits: &Limits, stacks: &mut Stacks) -> Result<Document> {
    top_level_object(read_value_in(text, limits, stacks)?)
}

fn read_value_in(text: &[u8], limits: &Limits, stacks: &mut Stacks) -> Result<Value> {
    let decoded = decode(text)?;
    let unsupported = decoded
        .lone_surrogate
        .map(|at| lone_surrogate(decoded.base + at));
    parse_on(&decoded.text, decoded.base, limits, stacks, unsupported)
}

/// Parses `text` on `stacks`, leaving them empty (and trimmed) whatever the outcome.
fn parse_on(
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
        let rest = self.bytes.get(start..).unwrap_or_default();
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
            // `float(text)`: core's parser rounds correctly and overflows to infinity, as
            // Python does (`1e400` is `inf`, `1e-400` is `0.0`).
            return number
                .parse::<f64>()
                .map(Value::Double)
                .map_err(|_| self.malformed(start, "number"));
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
        let tail = self.bytes.get(start..).unwrap_or_default();
        let run = find_special::<false>(tail);
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
        Ok(Str::from(self.unescaped(&unescaped)))
    }

    fn unescaped(&self, unescaped: &Unescaped) -> &str {
        match *unescaped {
            Unescaped::Text { start, end } => self.text.get(start..end).unwrap_or_default(),
            Unescaped::Scratch => &self.stacks.scratch,
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
                    let tail = self.bytes.get(run_start..).unwrap_or_default();
                    found = find_special::<false>(tail);
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

/// Where the first byte in `bytes` that ends a run of plain string characters is: `"`, `\`
/// or a control character (below 0x20) — what the reader stops at and what `json.dumps`
/// escapes — and, with `ASCII` (`ensure_ascii`), also DEL and every byte of a non-ASCII
/// character. Eight bytes at a time (SWAR): in each 64-bit word, a byte's high bit is set in
/// `(x - 0x01..) & !x` when the byte of `x` is zero, and in `(w - 0x20..) & !w` when the byte
/// of `w` is below 0x20; a borrow can only set bits above a byte that truly matched, so the
/// lowest bit set marks the first match.
fn find_special<const ASCII: bool>(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    const QUOTES: u64 = u64::from_le_bytes([b'"'; 8]);
    const BACKSLASHES: u64 = u64::from_le_bytes([b'\\'; 8]);
    const SPACES: u64 = u64::from_le_bytes([0x20; 8]);
    const DELS: u64 = u64::from_le_bytes([0x7F; 8]);
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0usize;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).unwrap_or_default());
        let quote = word ^ QUOTES;
        let backslash = word ^ BACKSLASHES;
        let mut found = (quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (word.wrapping_sub(SPACES) & !word);
        if ASCII {
            let del = word ^ DELS;
            found |= (del.wrapping_sub(ONES) & !del) | word;
        }
        found &= HIGH;
        if found != 0 {
            // At most 63 / 8 = 7.
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20 || (ASCII && b >= 0x7F))
        .map(|i| at + i)
}

// ---------------------------------------------------------------------------------------------
// Writing: `Modules/_json.c` `encoder_listencode_*`, `py_encode_basestring(_ascii)`.

/// An open container being written.
enum Open<'v> {
    Array(core::slice::Iter<'v, Value>, bool),
    Object(core::slice::Iter<'v, (Str, Value)>, bool),
}

struct Writer {
    out: String,
    ascii: bool,
    item_sep: &'static str,
    key_sep: &'static str,
}

impl Writer {
    fn new(style: Style) -> Writer {
        let (ascii, item_sep, key_sep) = match style {
            Style::Compact => (false, ",", ":"),
            Style::CompactAscii => (true, ",", ":"),
            Style::Python => (true, ", ", ": "),
        };
        Writer {
            out: String::new(),
            ascii,
            item_sep,
            key_sep,
        }
    }

    /// A top-level document: each entry's errors name its key.
    fn write_document<'v>(
        &mut self,
        entries: impl Iterator<Item = (&'v str, Cow<'v, Value>)>,
    ) -> Result<()> {
        self.out.push('{');
        for (i, (key, value)) in entries.enumerate() {
            if i > 0 {
                self.out.push_str(self.item_sep);
            }
            self.write_str(key);
            self.out.push_str(self.key_sep);
            self.write_tree(&value, key, 1)?;
        }
        self.out.push('}');
        Ok(())
    }

    /// `root`, nested `outer` containers deep, and everything nested in it; errors name
    /// `top_key`.
    fn write_tree(&mut self, root: &Value, top_key: &str, outer: usize) -> Result<()> {
        let mut stack: Vec<Open<'_>> = Vec::new();
        let mut next = Some(root);
        loop {
            if let Some(value) = next.take() {
                let opens = matches!(value, Value::Document(_) | Value::Array(_));
                if opens && outer.saturating_add(stack.len()) >= Limits::MAX_DEPTH {
                    // json.dumps raises RecursionError.
                    return Err(Error::Unwritable {
                        layer: Layer::Json,
                        key: Name::new(top_key),
                        what: "nesting deeper than 1000",
                    });
                }
                match value {
                    Value::Document(d) => {
                        self.out.push('{');
                        stack.push(Open::Object(d.entries().iter(), true));
                    }
                    Value::Array(a) => {
                        self.out.push('[');
                        stack.push(Open::Array(a.iter(), true));
                    }
                    scalar => self.write_scalar(scalar, top_key)?,
                }
            }
            let Some(open) = stack.last_mut() else {
                return Ok(());
            };
            match open {
                Open::Array(items, first) => match items.next() {
                    Some(v) => {
                        if !core::mem::replace(first, false) {
                            self.out.push_str(self.item_sep);
                        }
                        next = Some(v);
                    }
                    None => {
                        self.out.push(']');
                        stack.pop();
                    }
                },
                Open::Object(entries, first) => match entries.next() {
                    Some((k, v)) => {
                        if !core::mem::replace(first, false) {
                            self.out.push_str(self.item_sep);
                        }
                        self.write_str(k);
                        self.out.push_str(self.key_sep);
                        next = Some(v);
                    }
                    None => {
                        self.out.push('}');
                        stack.pop();
                    }
                },
            }
        }
    }

    fn write_scalar(&mut self, value: &Value, top_key: &str) -> Result<()> {
        match value {
            Value::Null | Value::Undefined => self.out.push_str("null"),
            Value::Bool(true) => self.out.push_str("true"),
            Value::Bool(false) => self.out.push_str("false"),
            Value::Int32(i) => push_display(&mut self.out, i),
            Value::Int64(i) => push_display(&mut self.out, i),
            Value::Double(d) => write_float(&mut self.out, *d),
            Value::String(s) | Value::Symbol(s) => self.write_str(s),
            other => {
                return Err(Error::Unwritable {
                    layer: Layer::Json,
                    key: Name::new(top_key),
                    what: other.kind(),
                })
            }
        }
        Ok(())
    }

    /// A quoted string: `py_encode_basestring` (only `"`, `\` and C0 controls escaped) or, with
    /// `ensure_ascii`, `py_encode_basestring_ascii` (also DEL and every non-ASCII character, as
    /// lowercase `\uXXXX`, astral characters as a surrogate pair).
    fn write_str(&mut self, s: &str) {
        self.out.reserve(s.len().saturating_add(2));
        self.out.push('"');
        let mut rest = s;
        loop {
            let found = if self.ascii {
                find_special::<true>(rest.as_bytes())
            } else {
                find_special::<false>(rest.as_bytes())
            };
            // `at` is an ASCII byte or the first byte of a character: a character boundary.
            let Some((plain, tail)) = found.and_then(|at| rest.split_at_checked(at)) else {
                break;
            };
            self.out.push_str(plain);
            let mut chars = tail.chars();
            let Some(c) = chars.next() else {
                break;
            };
            rest = chars.as_str();
            match c {
                '"' => self.out.push_str("\\\""),
                '\\' => self.out.push_str("\\\\"),
                '\n' => self.out.push_str("\\n"),
                '\r' => self.out.push_str("\\r"),
                '\t' => self.out.push_str("\\t"),
                '\u{8}' => self.out.push_str("\\b"),
                '\u{c}' => self.out.push_str("\\f"),
                _ => {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        push_u_escape(&mut self.out, *unit);
                    }
                }
            }
        }
        self.out.push_str(rest);
        self.out.push('"');
    }
}

fn push_u_escape(out: &mut String, unit: u16) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push_str("\\u");
    for shift in [12u16, 8, 4, 0] {
        let nibble = usize::from((unit >> shift) & 0xF);
        out.push(char::from(HEX.get(nibble).copied().unwrap_or(b'0')));
    }
}

fn push_display(out: &mut String, value: impl core::fmt::Display) {
    use core::fmt::Write;
    // Writing into a String cannot fail.
    let _ = write!(out, "{value}");
}

/// A fixed buffer for one formatted float: `{:e}` of an f64 with at most 17 significant digits
/// is at most 24 bytes (`2.2250738585072014e-308`).
struct FloatBuf {
    buf: [u8; 32],
    len: usize,
}

impl FloatBuf {
    fn new() -> FloatBuf {
        FloatBuf {
            buf: [0; 32],
            len: 0,
        }
    }

    fn as_str(&self) -> &str {
        let bytes = self.buf.get(..self.len).unwrap_or_default();
        core::str::from_utf8(bytes).unwrap_or_default()
    }
}

impl core::fmt::Write for FloatBuf {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(core::fmt::Error)?;
        let dst = self.buf.get_mut(self.len..end).ok_or(core::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The significant digits and decimal exponent of core's `d.ddde[-]x` notation.
struct Sci {
    digits: [u8; 20],
    len: usize,
    exponent: i32,
}

impl Sci {
    fn parse(text: &str) -> Sci {
        let (mantissa, exponent) = text.split_once('e').unwrap_or((text, "0"));
        let mut sci = Sci {
            digits: [0; 20],
            len: 0,
            exponent: exponent.parse().unwrap_or(0),
        };
        for b in mantissa.bytes().filter(u8::is_ascii_digit) {
            if let Some(slot) = sci.digits.get_mut(sci.len) {
                *slot = b;
                sci.len += 1;
            }
        }
        sci
    }

    fn digits(&self) -> &str {
        let bytes = self.digits.get(..self.len).unwrap_or_default();
        core::str::from_utf8(bytes).unwrap_or("0")
    }
}

/// The digits Python's `repr` chooses for finite `x >= 0`: the shortest that round-trip and, of
/// those, the closest to `x`, a tie going to the even digit (David Gay's `dtoa` mode 0).
fn shortest_digits(x: f64) -> Sci {
    use core::fmt::Write;
    // core's `{:e}` gives the shortest round-trip digits, but breaks an exact tie between two
    // of them upwards (1979347788748715.25 -> ...715.3, Python ...715.2). core's fixed-precision
    // `{:.N$e}` rounds the exact value half-to-even: when that string of the same length also
    // round-trips, it is the closest one, and it is Python's.
    let mut short = FloatBuf::new();
    if write!(short, "{x:e}").is_err() {
        return Sci::parse("0e0");
    }
    let shortest = Sci::parse(short.as_str());
    let mut exact = FloatBuf::new();
    let precision = shortest.len.saturating_sub(1);
    if write!(exact, "{x:.precision$e}").is_ok() && exact.as_str().parse::<f64>() == Ok(x) {
        return Sci::parse(exact.as_str());
    }
    shortest
}

/// `float.__repr__` (`PyOS_double_to_string(x, 'r', 0, Py_DTSF_ADD_DOT_0)`), as `json.dumps`
/// writes it: positional when the decimal exponent is in -4..16 (`0.0001`, `123.0`), else
/// exponent form with a signed exponent of at least two digits (`1e+16`, `1e-05`, `1.5e+300`);
/// and `NaN` / `Infinity` / `-Infinity`.
fn write_float(out: &mut String, d: f64) {
    if d.is_nan() {
        return out.push_str("NaN");
    }
    if d.is_infinite() {
        return out.push_str(if d > 0.0 { "Infinity" } else { "-Infinity" });
    }
    // The magnitude by clearing the sign bit: `f64::abs` is in `core` only since Rust 1.85.
    let sci = shortest_digits(f64::from_bits(d.to_bits() & !(1 << 63)));
    let digits = sci.digits();
    if d.is_sign_negative() {
        out.push('-');
    }
    // Python's `decpt`: the value is 0.DIGITS × 10^decpt.
    let decpt = sci.exponent.saturating_add(1);
    if decpt <= -4 || decpt > 16 {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let sign = if sci.exponent < 0 { '-' } else { '+' };
        out.push('e');
        out.push(sign);
        let magnitude = sci.exponent.unsigned_abs();
        if magnitude < 10 {
            out.push('0');
        }
        push_display(out, magnitude);
    } else if decpt <= 0 {
        out.push_str("0.");
        for _ in decpt..0 {
            out.push('0');
        }
        out.push_str(digits);
    } else {
        let point = decpt.unsigned_abs() as usize;
        if point >= digits.len() {
            out.push_str(digits);
            for _ in digits.len()..point {
                out.push('0');
            }
            out.push_str(".0");
        } else {
            let (int, frac) = digits.split_at(point);
            out.push_str(int);
            out.push('.');
            out.push_str(frac);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{CodeWithScope, DbPointer, Regex};
    use alloc::boxed::Box;
    use alloc::format;
    use alloc::string::ToString;
    use alloc::vec;

    fn val(text: &str) -> Result<Value> {
        read_value(text.as_bytes(), &Limits::DEFAULT)
    }

    fn ok(text: &str) -> Value {
        match val(text) {
            Ok(v) => v,
            Err(e) => panic!("{text:?}: {e}"),
        }
    }

    fn malformed_at(text: &[u8]) -> usize {
        match read_value(text, &Limits::DEFAULT) {
            Err(Error::Malformed {
                layer: Layer::Json,
                offset,
                ..
            }) => offset,
            other => panic!("{text:?}: expected malformed, got {other:?}"),
        }
    }

    fn is_unsupported(text: &[u8]) -> bool {
        matches!(
            read_value(text, &Limits::DEFAULT),
            Err(Error::Unsupported {
                layer: Layer::Json,
                ..
            })
        )
    }

    fn doc(entries: &[(&str, Value)]) -> Document {
        Document::from_entries(
            entries
                .iter()
                .map(|(k, v)| (Str::from(*k), v.clone()))
                .collect(),
        )
    }

    fn s(text: &str) -> Value {
        Value::from(text)
    }

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
    fn json_floats_round_correctly() {
        assert_eq!(ok("0.1"), Value::Double(0.1));
        assert_eq!(ok("1E+2"), Value::Double(100.0));
        assert_eq!(ok("1e01"), Value::Double(10.0));
        assert_eq!(ok("1e400"), Value::Double(f64::INFINITY));
        assert_eq!(ok("-1e400"), Value::Double(f64::NEG_INFINITY));
        assert_eq!(ok("1e-400"), Value::Double(0.0));
        assert_eq!(ok("5e-324"), Value::Double(5e-324));
        assert_eq!(ok("2.4703282292062328e-324"), Value::Double(5e-324));
        assert_eq!(ok("2.4703282292062327e-324"), Value::Double(0.0));
        assert_eq!(ok("1.7976931348623157e308"), Value::Double(f64::MAX));
        assert_eq!(ok("9007199254740993.0"), Value::Double(9007199254740992.0));
        assert_eq!(
            ok("123456789012345680.0"),
            Value::Double(123456789012345680.0)
        );
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

    #[test]
    fn json_read_requires_top_level_object() {
        for text in ["[]", "1", "\"x\"", "null"] {
            assert!(matches!(
                read(text.as_bytes(), &Limits::DEFAULT),
                Err(Error::Unsupported {
                    layer: Layer::Json,
                    ..
                })
            ));
        }
        assert_eq!(read(b"{}", &Limits::DEFAULT), Ok(Document::new()));
        assert!(matches!(
            read(b"[", &Limits::DEFAULT),
            Err(Error::Malformed { .. })
        ));
    }

    #[test]
    fn json_utf8_bom_accepted_once() {
        assert_eq!(
            ok("\u{feff}{\"a\": 1}"),
            doc(&[("a", Value::Int32(1))]).into()
        );
        assert_eq!(malformed_at("\u{feff}".as_bytes()), 3);
        assert_eq!(malformed_at("\u{feff}\u{feff}{}".as_bytes()), 3);
        assert_eq!(malformed_at("\u{feff}{}x".as_bytes()), 5);
    }

    #[test]
    fn json_read_str_refuses_bom() {
        assert!(matches!(
            read_str("\u{feff}{}", &Limits::DEFAULT),
            Err(Error::Malformed { offset: 0, .. })
        ));
        assert_eq!(
            read_str("{\"é\": [1.5]}", &Limits::DEFAULT),
            Ok(doc(&[("é", Value::Array(vec![Value::Double(1.5)]))]))
        );
        // No encoding detection: NUL bytes are just invalid JSON.
        assert!(read_str("{\0}\0", &Limits::DEFAULT).is_err());
    }

    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let units = bom.then_some(0xFEFF).into_iter().chain(text.encode_utf16());
        for u in units {
            out.extend_from_slice(&if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        out
    }

    fn utf32(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let units = bom
            .then_some(0xFEFF)
            .into_iter()
            .chain(text.chars().map(u32::from));
        for u in units {
            out.extend_from_slice(&if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        out
    }

    #[test]
    fn json_utf16_and_utf32_detected() {
        let text = "{\"a\": \"é😀\", \"b\": [1]}";
        let expected: Value =
            doc(&[("a", s("é😀")), ("b", Value::Array(vec![Value::Int32(1)]))]).into();
        for big_endian in [true, false] {
            for bom in [true, false] {
                let u16 = utf16(text, big_endian, bom);
                assert_eq!(read_value(&u16, &Limits::DEFAULT), Ok(expected.clone()));
                let u32 = utf32(text, big_endian, bom);
                assert_eq!(read_value(&u32, &Limits::DEFAULT), Ok(expected.clone()));
            }
        }
        // json.detect_encoding on short inputs: `1` as UTF-16 (2 bytes) and UTF-32 (4 bytes).
        assert_eq!(ok("1\0"), Value::Int32(1));
        assert_eq!(read_value(b"\x001", &Limits::DEFAULT), Ok(Value::Int32(1)));
        assert_eq!(
            read_value(b"1\0\0\0", &Limits::DEFAULT),
            Ok(Value::Int32(1))
        );
        assert_eq!(
            read_value(b"\0\0\x001", &Limits::DEFAULT),
            Ok(Value::Int32(1))
        );
        // Three bytes are always UTF-8.
        assert_eq!(malformed_at(b"1\x002"), 1);
    }

    #[test]
    fn json_utf16_and_utf32_errors() {
        // Odd UTF-16 length and short UTF-32 are truncated data.
        assert_eq!(malformed_at(b"\xff\xfe{\x00}"), 4);
        assert_eq!(malformed_at(b"\"\x00\x00\x00a\x00\x00\x00\"\x00\x00"), 8);
        // A UTF-32 unit above U+10FFFF.
        assert_eq!(
            malformed_at(b"\"\x00\x00\x00\x00\x00\x11\x00\"\x00\x00\x00"),
            4
        );
        // Lone surrogates Python keeps (surrogatepass) are unsupported here.
        assert!(is_unsupported(b"\xff\xfe\"\x00\x00\xd8\"\x00"));
        assert!(is_unsupported(b"\"\x00\x00\xdc\x00\xd8\"\x00"));
        assert!(is_unsupported(
            b"\x00\x00\x00\"\x00\x00\xd8\x00\x00\x00\x00\""
        ));
        // ... unless the text is malformed anyway.
        assert!(matches!(
            read_value(b"\xff\xfe\"\x00\x00\xd8", &Limits::DEFAULT),
            Err(Error::Malformed { .. })
        ));
    }

    #[test]
    fn json_invalid_utf8_malformed() {
        assert_eq!(malformed_at(b"\"\xff\""), 1);
        assert_eq!(malformed_at(b"{\"a\": \"\xc3\"}"), 7);
        assert_eq!(malformed_at(b"\"\xc0\x80\""), 1);
        assert_eq!(malformed_at(b"\"\xf4\x90\x80\x80\""), 1);
        assert_eq!(malformed_at(b"\"\xed\xa0\""), 1);
        // After an encoded surrogate, later invalid bytes are still found.
        assert_eq!(malformed_at(b"\"\xed\xa0\x80\xff\""), 4);
    }

    #[test]
    fn json_encoded_surrogate_unsupported() {
        // Python's surrogatepass keeps ED A0 80 as '\ud800' and a CESU-8 pair as two lone
        // surrogates.
        assert!(is_unsupported(b"\"\xed\xa0\x80\""));
        assert!(is_unsupported(b"\"\xed\xa0\xbd\xed\xb8\x80\""));
        assert!(is_unsupported(b"\xef\xbb\xbf{\"\xed\xbf\xbf\": 1}"));
        assert_eq!(malformed_at(b"\xed\xa0\x80"), 0);
        assert_eq!(malformed_at(b"[\"\xed\xa0\x80\""), 6);
    }

    #[test]
    fn json_error_offsets_count_bom_bytes() {
        assert!(matches!(
            read_value(b"\xef\xbb\xbf\"\xed\xa0\x80\"", &Limits::DEFAULT),
            Err(Error::Unsupported { offset: 4, .. })
        ));
        assert!(matches!(
            read_value(br#"[1, "\ud800"]"#, &Limits::DEFAULT),
            Err(Error::Unsupported { offset: 5, .. })
        ));
        assert!(matches!(
            read_value(b"[1, 99999999999999999999]", &Limits::DEFAULT),
            Err(Error::Unsupported { offset: 4, .. })
        ));
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
    fn json_string_scan_finds_first_special_byte() {
        let naive = |b: &[u8], ascii: bool| {
            b.iter()
                .position(|&c| c == b'"' || c == b'\\' || c < 0x20 || (ascii && c >= 0x7F))
        };
        // Every byte value as filler and as the one byte placed at a few positions, in
        // texts shorter than, as long as and longer than one eight-byte word.
        for len in [0usize, 1, 7, 8, 9, 16, 19] {
            for filler in 0..=255u8 {
                for byte in 0..=255u8 {
                    for at in [0usize, 3, 7, 8, 15, 18].into_iter().filter(|&a| a < len) {
                        let mut buf = [filler; 19];
                        if let Some(b) = buf.get_mut(at) {
                            *b = byte;
                        }
                        let text = buf.get(..len).unwrap_or_default();
                        assert_eq!(find_special::<false>(text), naive(text, false), "{text:?}");
                        assert_eq!(find_special::<true>(text), naive(text, true), "{text:?}");
                    }
                }
            }
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

    fn write_both(value: &Value) -> (String, String, String) {
        let w = |style| match write_value(value, style) {
            Ok(s) => s,
            Err(e) => panic!("{value:?}: {e}"),
        };
        (w(Style::Compact), w(Style::CompactAscii), w(Style::Python))
    }

    #[test]
    fn json_write_styles() {
        let d = doc(&[
            (
                "a",
                Value::Array(vec![1.into(), 2.into(), doc(&[("b", Value::Null)]).into()]),
            ),
            ("é", Value::Bool(true)),
            ("e", Value::Array(vec![])),
            ("f", Document::new().into()),
            ("g", Value::Int64(-5)),
        ]);
        let (compact, ascii, python) = write_both(&d.clone().into());
        assert_eq!(
            compact,
            r#"{"a":[1,2,{"b":null}],"é":true,"e":[],"f":{},"g":-5}"#
        );
        assert_eq!(
            ascii,
            r#"{"a":[1,2,{"b":null}],"\u00e9":true,"e":[],"f":{},"g":-5}"#
        );
        assert_eq!(
            python,
            r#"{"a": [1, 2, {"b": null}], "\u00e9": true, "e": [], "f": {}, "g": -5}"#
        );
        assert_eq!(write(&d, Style::Python), Ok(python));
        assert_eq!(write(&Document::new(), Style::Python).as_deref(), Ok("{}"));
        assert_eq!(
            write_value(&Value::Array(vec![]), Style::Python).as_deref(),
            Ok("[]")
        );
        assert_eq!(write_value(&s("x"), Style::Compact).as_deref(), Ok("\"x\""));
    }

    fn repr(d: f64) -> String {
        let mut out = String::new();
        write_float(&mut out, d);
        out
    }

    #[test]
    fn json_write_floats_like_python_repr() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (123.0, "123.0"),
            (0.1, "0.1"),
            (-1.5, "-1.5"),
            (0.0001, "0.0001"),
            (0.00012, "0.00012"),
            (0.00001, "1e-05"),
            (2.5e-5, "2.5e-05"),
            (1e-7, "1e-07"),
            (1e15, "1000000000000000.0"),
            (9999999999999998.0, "9999999999999998.0"),
            (1e16, "1e+16"),
            (1.5e300, "1.5e+300"),
            (1e22, "1e+22"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (-f64::MIN_POSITIVE, "-2.2250738585072014e-308"),
            (123456789012345680.0, "1.2345678901234568e+17"),
            (1234567890123456.8, "1234567890123456.8"),
            (0.30000000000000004, "0.30000000000000004"),
            // Exact ties between two shortest candidates go to the even digit, as in Python.
            (1979347788748715.0 + 0.25, "1979347788748715.2"),
            (1979347788748715.0 + 0.75, "1979347788748715.8"),
            (-1125899906842625.0 - 0.25, "-1125899906842625.2"),
            (f64::NAN, "NaN"),
            (-f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for &(d, expected) in cases {
            assert_eq!(repr(d), expected, "{d:e}");
        }
    }

    #[test]
    fn json_write_escapes() {
        let text: String = (0u32..0x82)
            .filter_map(char::from_u32)
            .chain("é\u{2028}\u{feff}😀\u{ffff}".chars())
            .collect();
        let (compact, ascii, python) = write_both(&s(&text));
        let controls = "\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f";
        let printable = " !\\\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
        assert_eq!(
            compact,
            [
                "\"",
                controls,
                printable,
                "\u{7f}\u{80}\u{81}é\u{2028}\u{feff}😀\u{ffff}\""
            ]
            .concat()
        );
        let escaped_tail = "\\u007f\\u0080\\u0081\\u00e9\\u2028\\ufeff\\ud83d\\ude00\\uffff\"";
        assert_eq!(ascii, ["\"", controls, printable, escaped_tail].concat());
        assert_eq!(python, ascii);
        // Keys are escaped the same way.
        let d = doc(&[("k\"\n😀", Value::Null)]);
        assert_eq!(
            write(&d, Style::Compact).as_deref(),
            Ok("{\"k\\\"\\n😀\":null}")
        );
        assert_eq!(
            write(&d, Style::Python).as_deref(),
            Ok("{\"k\\\"\\n\\ud83d\\ude00\": null}")
        );
    }

    #[test]
    fn json_write_unwritable_names_top_key() {
        let bad = Value::DateTime(0);
        let d = doc(&[
            ("ok", 1.into()),
            (
                "deep",
                Value::Array(vec![doc(&[("inner", bad.clone())]).into()]),
            ),
        ]);
        let err = write(&d, Style::Python);
        assert_eq!(
            err,
            Err(Error::Unwritable {
                layer: Layer::Json,
                key: Name::new("deep"),
                what: "datetime"
            })
        );
        assert_eq!(
            write_value(&Value::Array(vec![bad]), Style::Compact),
            Err(Error::Unwritable {
                layer: Layer::Json,
                key: Name::new(""),
                what: "datetime"
            })
        );
        for v in [
            Value::Binary {
                subtype: 0,
                bytes: vec![1],
            },
            Value::ObjectId([0; 12]),
            Value::Regex(Box::new(Regex {
                pattern: "a".into(),
                options: Str::new(),
            })),
            Value::JavaScript("f()".into()),
            Value::JavaScriptWithScope(Box::new(CodeWithScope {
                code: "f()".into(),
                scope: Document::new(),
            })),
            Value::Timestamp {
                time: 1,
                increment: 2,
            },
            Value::Decimal128([0; 16]),
            Value::MinKey,
            Value::MaxKey,
            Value::DbPointer(Box::new(DbPointer {
                namespace: "db.c".into(),
                id: [0; 12],
            })),
        ] {
            let d = doc(&[("k", v.clone())]);
            assert!(
                matches!(write(&d, Style::Compact), Err(Error::Unwritable { what, .. }) if what == v.kind()),
                "{v:?}"
            );
        }
    }

    #[test]
    fn json_write_symbol_and_undefined_as_pymongo_reads_them() {
        let d = doc(&[("s", Value::Symbol("x".into())), ("u", Value::Undefined)]);
        assert_eq!(
            write(&d, Style::Compact).as_deref(),
            Ok(r#"{"s":"x","u":null}"#)
        );
    }

    #[test]
    fn json_write_nesting_is_capped_at_max_depth() {
        let mut v = Value::Null;
        for _ in 0..Limits::MAX_DEPTH {
            v = Value::Array(vec![v]);
        }
        let text = write_value(&v, Style::Compact).map(|t| t.len());
        assert_eq!(text, Ok(4 + 2 * Limits::MAX_DEPTH));
        let too_deep = Value::Array(vec![v]);
        let unwritable = Err(Error::Unwritable {
            layer: Layer::Json,
            key: Name::new(""),
            what: "nesting deeper than 1000",
        });
        assert_eq!(write_value(&too_deep, Style::Compact), unwritable);
        // In a document, the document itself is the first level.
        let Value::Array(inner) = too_deep else {
            unreachable!()
        };
        let d = doc(&[("deep", Value::Array(inner))]);
        assert!(matches!(
            write(&d, Style::Python),
            Err(Error::Unwritable { key, .. }) if key.as_str() == "deep"
        ));
    }

    #[test]
    fn json_round_trips_python_output() {
        let text = r#"{"_accessed_time": 1700000000.123456, "_creation_time": 1700000000.0, "user": {"id": 42, "name": "Zo\u00eb \ud83d\ude00", "roles": ["a", "b"]}, "n": -9223372036854775808, "f": [NaN, Infinity, -Infinity, -0.0, 1e-05], "t": true, "z": null}"#;
        let d = match read(text.as_bytes(), &Limits::DEFAULT) {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(
            d.get("user").and_then(|u| match u {
                Value::Document(u) => u.get("name").cloned(),
                _ => None,
            }),
            Some(s("Zoë 😀"))
        );
        assert_eq!(write(&d, Style::Python).as_deref(), Ok(text));
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
        // Not numbers, or numbers followed by extra data, as before.
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
            serde_json::from_str(include_str!("../tests/data/json/read_corpus.json")).unwrap();
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

    #[test]
    fn json_error_display_names_layer() {
        let e = val("[1,]").err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("json: expecting value at byte 3"));
    }
}
