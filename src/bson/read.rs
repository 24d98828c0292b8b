//! BSON bytes -> `Document` (<https://bsonspec.org/spec.html>), refusing everything the BSON
//! corpus lists under `decodeErrors` and reading the rest as pymongo's `bson.decode` does.
//!
//! The reader is iterative (an explicit stack of open containers), so no input can make it
//! recurse; nesting is bounded by `Limits::max_depth` and by [`Limits::MAX_DEPTH`]. It validates and
//! reports what it finds to a [`Sink`]: [`read`] builds owned values from the reports, and
//! [`view`](super::view()) builds nothing, so both accept and refuse exactly the same bytes.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::view::ValueRef;
use crate::error::{Error, Layer, Limit, Result};
use crate::limits::Limits;
use crate::reader::Reader;
use crate::session_bytes::{self, SessionBytes};
use crate::stack::{push_with, take_from};
use crate::value::{CodeWithScope, DbPointer, Document, Regex, Str, Value};

/// The earliest BSON datetime pymongo reads: 0001-01-01T00:00:00Z, Python's `datetime.min`,
/// in milliseconds since the Unix epoch.
pub(crate) const DATETIME_MIN_MS: i64 = -62_135_596_800_000;
/// The latest BSON datetime pymongo reads: 9999-12-31T23:59:59.999Z (`datetime.max` has
/// microseconds that milliseconds cannot reach).
pub(crate) const DATETIME_MAX_MS: i64 = 253_402_300_799_999;

/// The smallest document: a length and a terminator.
const MIN_DOCUMENT_LEN: usize = 5;

/// The smallest code-with-scope: total length, empty string (length + NUL), empty document.
const MIN_CODE_WITH_SCOPE_LEN: usize = 4 + 5 + MIN_DOCUMENT_LEN;

/// Reads one BSON document that spans all of `bytes`.
///
/// Every element type of the BSON spec is read as pymongo 4's `bson.decode` reads it with its
/// default options (what beaker-session-jwt 1.0.4 calls): into its own [`Value`] variant (an
/// int64 stays an Int64, a regex keeps its option letters as stored), except the two deprecated
/// types pymongo converts, a symbol (0x0E) read as a [`Value::String`] and undefined (0x06) as
/// [`Value::Null`]. Where the spec leaves room, pymongo decides too: a repeated key keeps its
/// first position and its last value ([`Document::from_entries`]), the keys of an array are
/// skipped without being checked (not even for UTF-8), as `bson/__init__.py` `_get_array` does,
/// and a UTC datetime must fall in the years Python's `datetime` holds, 1 to 9999.
///
/// # Errors
/// - [`Error::Malformed`] in [`Layer::Bson`], at the offending byte offset, for anything the
///   BSON corpus refuses: a declared length that disagrees with the bytes (document, string,
///   binary, old binary's inner length, code-with-scope), a missing NUL terminator, a key or
///   string that is not UTF-8, a truncated fixed-width value, a boolean other than 0 or 1,
///   bytes after the document.
/// - [`Error::Unsupported`] in [`Layer::Bson`] for an element type byte the spec does not
///   define, and, at its 8 bytes, for a datetime before 0001-01-01 or after 9999-12-31
///   (pymongo raises `InvalidBSON`, "year 0 is out of range").
/// - [`Error::LimitExceeded`] when a bound below is hit.
///
/// # Limits
/// - `max_depth` (and at most [`Limits::MAX_DEPTH`]): nesting of documents, arrays and code-with-scope
///   scopes, the top-level document being level 1 ([`Limit::Depth`]).
/// - `max_items`: elements across the whole document, every level counted ([`Limit::Items`]).
/// - `max_session_bytes`: what the built document would take, each element charged before it
///   is built (its slot, its key's and its own heap block), the same for [`view`](super::view())
///   which builds nothing ([`Limit::SessionBytes`]).
/// - `max_str_len`: bytes of any one key, string, code, symbol, regex part, DBPointer
///   namespace or binary value ([`Limit::StrLen`]); array keys are skipped, never stored.
///
/// Nothing is allocated before the bytes it stands for have been seen: memory is bounded by the
/// size of `bytes` plus one [`Value`] per element, and the elements by `max_items` and
/// `max_session_bytes`.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Document> {
    read_in(bytes, limits, &mut Stacks::default())
}

/// [`read`] with the build stacks kept by the caller (a `Codec`), so a warm decode does not
/// grow them again. They are empty when this returns, whatever the outcome.
pub(crate) fn read_in(bytes: &[u8], limits: &Limits, stacks: &mut Stacks) -> Result<Document> {
    stacks.clear();
    let result = walk(bytes, limits, false, Build { stacks, done: None });
    // An error can leave elements of the containers still open: never kept.
    stacks.clear();
    stacks.trim();
    match result? {
        Value::Document(doc) => Ok(doc),
        _ => Err(malformed(0, "container of the wrong kind")),
    }
}

/// Reads a validated container's bytes again into owned values: a document, or an array when
/// `array`. Used by the view to copy out a part it already validated.
pub(crate) fn read_validated(bytes: &[u8], array: bool) -> Result<Value> {
    // The bytes passed every check under the caller's limits once; the part of them read here
    // cannot nest deeper or hold more than the whole did.
    let mut limits = Limits::DEFAULT;
    limits.max_depth = Limits::MAX_DEPTH;
    limits.max_items = usize::MAX;
    limits.max_str_len = usize::MAX;
    limits.max_session_bytes = usize::MAX;
    let mut stacks = Stacks::default();
    let build = Build {
        stacks: &mut stacks,
        done: None,
    };
    walk(bytes, &limits, array, build)
}

/// Validates one BSON document that spans all of `bytes` exactly as [`read`] does (same
/// errors, same offsets, same limits), building nothing.
pub(crate) fn check(bytes: &[u8], limits: &Limits) -> Result<()> {
    walk(bytes, limits, false, Check)
}

/// Runs the reader over a container spanning all of `bytes` (a document, or an array when
/// `array`), reporting to `sink`.
fn walk<'a, S: Sink<'a>>(bytes: &'a [u8], limits: &Limits, array: bool, sink: S) -> Result<S::Out> {
    let walker = Walker {
        input: bytes,
        limits,
        max_depth: limits.max_depth.min(Limits::MAX_DEPTH),
        items: 0,
        budget: SessionBytes::new(limits),
    };
    let declared = walker.length(&Reader::new(bytes), "truncated document length")?;
    if declared < MIN_DOCUMENT_LEN {
        return Err(malformed(0, "document length below the minimum of 5"));
    }
    if declared != bytes.len() {
        return Err(malformed(
            0,
            "document length does not match the input length",
        ));
    }
    walker.run(sink, array)
}

/// What a container is opened as.
#[derive(Clone, Copy)]
pub(crate) enum Open<'a> {
    Document,
    Array,
    /// The scope of a code-with-scope element whose code is given.
    Scope(&'a str),
}

/// Receives what the reader validated, in document order: containers opening and closing,
/// and the scalars between. `key` is `None` inside arrays (their keys are skipped unchecked).
pub(crate) trait Sink<'a> {
    /// What a whole walk gives.
    type Out;
    fn open(&mut self, key: Option<&'a str>, kind: Open<'a>);
    fn scalar(&mut self, key: Option<&'a str>, value: ValueRef<'a>) -> Result<()>;
    /// Closes the innermost container (its terminator ends at `at`).
    fn close(&mut self, at: usize) -> Result<()>;
    /// The result, once the root has closed.
    fn finish(self) -> Result<Self::Out>;
}

/// Validates only.
struct Check;

impl<'a> Sink<'a> for Check {
    type Out = ();
    fn open(&mut self, _: Option<&'a str>, _: Open<'a>) {}
    fn scalar(&mut self, _: Option<&'a str>, _: ValueRef<'a>) -> Result<()> {
        Ok(())
    }
    fn close(&mut self, _: usize) -> Result<()> {
        Ok(())
    }
    fn finish(self) -> Result<()> {
        Ok(())
    }
}

/// Builds owned values.
///
/// The elements of every open container wait on two shared stacks (one for document entries,
/// one for array items); when a container closes, its run is moved into one exact-size `Vec`.
/// So a container costs one allocation, whatever its length, and keys and short strings none
/// (see [`Str`]).
struct Build<'s> {
    stacks: &'s mut Stacks,
    done: Option<Value>,
}

/// The stacks a build works on; a `Codec` keeps them between decodes (empty, capacity kept up
/// to [`Stacks::RETAIN`] elements).
#[derive(Default)]
pub(crate) struct Stacks {
    frames: Vec<Frame>,
    entries: Vec<(Str, Value)>,
    items: Vec<Value>,
}

impl Stacks {
    pub(crate) const fn new() -> Stacks {
        Stacks {
            frames: Vec::new(),
            entries: Vec::new(),
            items: Vec::new(),
        }
    }

    /// Capacity kept between decodes, per stack (at most about 50 KB in all): more than the
    /// elements open at once in a typical session; a bigger document's stacks are shrunk back.
    const RETAIN: usize = 256;

    fn clear(&mut self) {
        self.frames.clear();
        self.entries.clear();
        self.items.clear();
    }

    fn trim(&mut self) {
        self.frames.shrink_to(Stacks::RETAIN);
        self.entries.shrink_to(Stacks::RETAIN);
        self.items.shrink_to(Stacks::RETAIN);
    }
}

/// Where a container goes once its terminator is read.
enum Slot {
    /// An element of the enclosing container (or the root); `None` as key inside an array.
    Element(Option<Str>),
    /// The scope of a code-with-scope element.
    Scope { key: Option<Str>, code: Str },
}

/// An open container being built: its elements are those of the matching shared stack from
/// `start` on.
struct Frame {
    array: bool,
    start: usize,
    slot: Slot,
}

impl<'a> Sink<'a> for Build<'_> {
    type Out = Value;

    fn open(&mut self, key: Option<&'a str>, kind: Open<'a>) {
        let key = key.map(Str::from);
        let (array, slot) = match kind {
            Open::Document => (false, Slot::Element(key)),
            Open::Array => (true, Slot::Element(key)),
            Open::Scope(code) => (
                false,
                Slot::Scope {
                    key,
                    code: Str::from(code),
                },
            ),
        };
        let start = if array {
            self.stacks.items.len()
        } else {
            self.stacks.entries.len()
        };
        self.stacks.frames.push(Frame { array, start, slot });
    }

    fn scalar(&mut self, key: Option<&'a str>, value: ValueRef<'a>) -> Result<()> {
        // The reader gives a key exactly for the elements of a document (built in place on
        // the stack, not moved through `attach`). The common types are pushed arm by arm, so
        // each `Value` is written straight into its slot instead of being built in a
        // temporary and copied (a store-forwarding stall per element).
        match key {
            Some(key) => {
                let entries = &mut self.stacks.entries;
                match value {
                    ValueRef::String(s) => {
                        push_with(entries, || (Str::from(key), Value::String(Str::from(s))))
                    }
                    ValueRef::Int32(i) => push_with(entries, || (Str::from(key), Value::Int32(i))),
                    ValueRef::DateTime(ms) => {
                        push_with(entries, || (Str::from(key), Value::DateTime(ms)))
                    }
                    ValueRef::Double(d) => {
                        push_with(entries, || (Str::from(key), Value::Double(d)))
                    }
                    ValueRef::Bool(b) => push_with(entries, || (Str::from(key), Value::Bool(b))),
                    other => {
                        let value = scalar_value(other)?;
                        push_with(entries, || (Str::from(key), value))
                    }
                }
            }
            None => {
                let items = &mut self.stacks.items;
                match value {
                    ValueRef::String(s) => push_with(items, || Value::String(Str::from(s))),
                    ValueRef::Int32(i) => push_with(items, || Value::Int32(i)),
                    ValueRef::DateTime(ms) => push_with(items, || Value::DateTime(ms)),
                    ValueRef::Double(d) => push_with(items, || Value::Double(d)),
                    ValueRef::Bool(b) => push_with(items, || Value::Bool(b)),
                    other => {
                        let value = scalar_value(other)?;
                        push_with(items, || value)
                    }
                }
            }
        }
        Ok(())
    }

    fn close(&mut self, at: usize) -> Result<()> {
        let frame = self
            .stacks
            .frames
            .pop()
            .ok_or(malformed(at, "no open document"))?;
        let value = if frame.array {
            Value::Array(take_from(&mut self.stacks.items, frame.start, false))
        } else {
            Value::Document(Document::from_entries(take_from(
                &mut self.stacks.entries,
                frame.start,
                false,
            )))
        };
        let (key, value) = match (frame.slot, value) {
            (Slot::Element(key), value) => (key, value),
            (Slot::Scope { key, code }, Value::Document(scope)) => (
                key,
                Value::JavaScriptWithScope(Box::new(CodeWithScope { code, scope })),
            ),
            _ => return Err(malformed(at, "container of the wrong kind")),
        };
        if self.stacks.frames.is_empty() {
            self.done = Some(value);
            return Ok(());
        }
        self.attach(key, value, at)
    }

    fn finish(self) -> Result<Value> {
        self.done.ok_or(malformed(0, "no document"))
    }
}

/// The owned value of a scalar (a container here would be a bug in the reader: refused).
pub(super) fn scalar_value(value: ValueRef<'_>) -> Result<Value> {
    value
        .scalar_to_value()
        .ok_or(malformed(0, "container as a scalar"))
}

/// What a scalar read as `value` holds outside its slot once built: exactly
/// [`session_bytes::heap_of`] of the `Value` it becomes.
fn heap_of_ref(value: &ValueRef<'_>) -> usize {
    use session_bytes::{boxed, bytes, text};
    match value {
        ValueRef::String(s) | ValueRef::JavaScript(s) => text(s.len()),
        ValueRef::Binary { bytes: b, .. } => bytes(b.len()),
        ValueRef::Regex { pattern, options } => boxed::<Regex>()
            .saturating_add(text(pattern.len()))
            .saturating_add(text(options.len())),
        ValueRef::DbPointer { namespace, .. } => {
            boxed::<DbPointer>().saturating_add(text(namespace.len()))
        }
        _ => 0,
    }
}

impl Build<'_> {
    /// Adds a finished value to the innermost open container.
    fn attach(&mut self, key: Option<Str>, value: Value, pos: usize) -> Result<()> {
        match (self.stacks.frames.last().map(|f| f.array), key) {
            (Some(false), Some(key)) => self.stacks.entries.push((key, value)),
            (Some(true), None) => self.stacks.items.push(value),
            _ => return Err(malformed(pos, "element outside a container")),
        }
        Ok(())
    }
}

struct Walker<'a, 'l> {
    input: &'a [u8],
    limits: &'l Limits,
    max_depth: usize,
    items: usize,
    /// What the built session would take, charged here so that a build and a validation
    /// refuse the same bytes at the same element.
    budget: SessionBytes,
}

/// An open container as the walker tracks it.
#[derive(Clone, Copy)]
struct Level<'a> {
    /// Its elements still to read: the window ends where its declared length puts the
    /// terminator, so no element can run into or past it.
    body: Reader<'a>,
    /// The byte at that terminator's offset (0 in a well-formed container).
    terminator: u8,
    array: bool,
}

impl<'a> Walker<'a, '_> {
    fn run<S: Sink<'a>>(mut self, mut sink: S, root_array: bool) -> Result<S::Out> {
        let kind = if root_array {
            Open::Array
        } else {
            Open::Document
        };
        // `walk` checked the top-level length against the input: the root spans all of it.
        let mut level = self.open(0, &mut sink, Reader::new(self.input), None, kind)?;
        // The containers around `level`, innermost last.
        let mut parents: Vec<Level<'a>> = Vec::with_capacity(8);
        loop {
            let tag_at = level.body.offset();
            let tag = match level.body.byte() {
                Some(0) => {
                    return Err(malformed(
                        tag_at,
                        "document terminator before its declared end",
                    ))
                }
                Some(tag) => tag,
                None => {
                    // At the offset the declared length gives the terminator.
                    if level.terminator != 0 {
                        return Err(malformed(tag_at, "document not NUL-terminated"));
                    }
                    sink.close(tag_at.saturating_add(1))?;
                    match parents.pop() {
                        Some(parent) => level = parent,
                        None => return sink.finish(),
                    }
                    continue;
                }
            };
            let key = if level.array {
                // bson/__init__.py `_get_array`: "Just skip the keys."
                self.cstring_bytes(&mut level.body)?;
                None
            } else {
                Some(self.cstring(&mut level.body)?)
            };
            self.items = self.items.saturating_add(1);
            if self.items > self.limits.max_items {
                return Err(Error::LimitExceeded(Limit::Items));
            }
            match tag {
                0x03 | 0x04 => {
                    let bytes = self.nested(&mut level.body, "truncated document length")?;
                    let kind = if tag == 0x03 {
                        Open::Document
                    } else {
                        Open::Array
                    };
                    let depth = parents.len().saturating_add(1);
                    let child = self.open(depth, &mut sink, bytes, key, kind)?;
                    parents.push(core::mem::replace(&mut level, child));
                }
                0x0F => {
                    let (code, scope) = self.code_with_scope(&mut level.body)?;
                    let depth = parents.len().saturating_add(1);
                    let child = self.open(depth, &mut sink, scope, key, Open::Scope(code))?;
                    parents.push(core::mem::replace(&mut level, child));
                }
                _ => {
                    let value = self.scalar(tag, tag_at, &mut level.body)?;
                    self.budget.charge(key.map(str::len), heap_of_ref(&value))?;
                    sink.scalar(key, value)?;
                }
            }
        }
    }

    /// The value of an element of a type without children, read from `r`.
    #[inline]
    fn scalar(&self, tag: u8, tag_at: usize, r: &mut Reader<'a>) -> Result<ValueRef<'a>> {
        Ok(match tag {
            0x01 => ValueRef::Double(f64::from_le_bytes(fixed(r)?)),
            0x02 => ValueRef::String(self.string(r)?),
            0x05 => self.binary(r)?,
            // pymongo reads the deprecated undefined as None.
            0x06 => ValueRef::Null,
            0x07 => ValueRef::ObjectId(fixed(r)?),
            0x08 => {
                let at = r.offset();
                match fixed(r)? {
                    [0] => ValueRef::Bool(false),
                    [1] => ValueRef::Bool(true),
                    _ => return Err(malformed(at, "boolean other than 0 or 1")),
                }
            }
            0x09 => {
                let at = r.offset();
                let ms = i64::from_le_bytes(fixed(r)?);
                // pymongo's default `DatetimeConversion.DATETIME` builds a `datetime` and
                // raises InvalidBSON ("year 0 is out of range") when it cannot.
                if !(DATETIME_MIN_MS..=DATETIME_MAX_MS).contains(&ms) {
                    return Err(Error::unsupported(
                        Layer::Bson,
                        at,
                        "datetime outside years 1..=9999",
                    ));
                }
                ValueRef::DateTime(ms)
            }
            0x0A => ValueRef::Null,
            0x0B => {
                let pattern = self.cstring(r)?;
                let options = self.cstring(r)?;
                ValueRef::Regex { pattern, options }
            }
            0x0C => {
                let namespace = self.string(r)?;
                let id = fixed(r)?;
                ValueRef::DbPointer { namespace, id }
            }
            0x0D => ValueRef::JavaScript(self.string(r)?),
            // pymongo reads the deprecated symbol as a str.
            0x0E => ValueRef::String(self.string(r)?),
            0x10 => ValueRef::Int32(i32::from_le_bytes(fixed(r)?)),
            0x11 => {
                // Little-endian u64: the increment is the low half, the time the high half.
                let raw = u64::from_le_bytes(fixed(r)?);
                ValueRef::Timestamp {
                    time: (raw >> 32) as u32,
                    increment: raw as u32,
                }
            }
            0x12 => ValueRef::Int64(i64::from_le_bytes(fixed(r)?)),
            0x13 => ValueRef::Decimal128(fixed(r)?),
            0x7F => ValueRef::MaxKey,
            0xFF => ValueRef::MinKey,
            _ => return Err(Error::unsupported(Layer::Bson, tag_at, "BSON element type")),
        })
    }

    /// A code-with-scope at `r`: its total length and code string, which with the scope
    /// document must fill that length exactly. Returns the code and the scope's bytes.
    fn code_with_scope(&self, r: &mut Reader<'a>) -> Result<(&'a str, Reader<'a>)> {
        let start = r.offset();
        let total = self.length(r, "truncated code with scope length")?;
        if total < MIN_CODE_WITH_SCOPE_LEN {
            return Err(malformed(start, "code with scope length below the minimum"));
        }
        let mut element = self.nested(r, "truncated code with scope length")?;
        // The total length, read above; at least MIN_CODE_WITH_SCOPE_LEN bytes are there.
        element
            .take_array::<4>()
            .ok_or(malformed(start, "truncated code with scope length"))?;
        let code = self.string(&mut element)?;
        let scope_at = element.offset();
        let scope_len = self.length(&element, "truncated scope length")?;
        if scope_len < MIN_DOCUMENT_LEN {
            return Err(malformed(
                scope_at,
                "document length below the minimum of 5",
            ));
        }
        if scope_len != element.left() {
            return Err(malformed(
                start,
                "code with scope length does not match its contents",
            ));
        }
        Ok((code, element))
    }

    /// The bytes of the container (document, array or code-with-scope) whose length prefix is
    /// next in `r`; `r` moves past them. They must fit before the enclosing terminator.
    #[inline]
    fn nested(&self, r: &mut Reader<'a>, what: &'static str) -> Result<Reader<'a>> {
        let at = r.offset();
        let len = self.length(r, what)?;
        if len < MIN_DOCUMENT_LEN {
            return Err(malformed(at, "document length below the minimum of 5"));
        }
        r.sub(len).ok_or(malformed(
            at,
            "nested length runs past the enclosing document",
        ))
    }

    /// Opens the container spanning `bytes` (length prefix, elements, terminator) as the
    /// child of `depth` open containers.
    fn open<S: Sink<'a>>(
        &mut self,
        depth: usize,
        sink: &mut S,
        mut bytes: Reader<'a>,
        key: Option<&'a str>,
        kind: Open<'a>,
    ) -> Result<Level<'a>> {
        if depth >= self.max_depth {
            return Err(Error::LimitExceeded(Limit::Depth));
        }
        let code = match kind {
            Open::Scope(code) => session_bytes::boxed::<CodeWithScope>()
                .saturating_add(session_bytes::text(code.len())),
            Open::Document | Open::Array => 0,
        };
        self.budget
            .charge(key.map(str::len), code.saturating_add(session_bytes::BLOCK))?;
        // The caller checked the declared length (at least MIN_DOCUMENT_LEN) against `bytes`.
        let at = bytes.offset();
        let too_short = malformed(at, "document length below the minimum of 5");
        bytes.take_array::<4>().ok_or(too_short)?;
        let body = bytes.sub(bytes.left().saturating_sub(1)).ok_or(too_short)?;
        let terminator = bytes.byte().ok_or(too_short)?;
        sink.open(key, kind);
        Ok(Level {
            body,
            terminator,
            array: matches!(kind, Open::Array),
        })
    }

    /// The non-negative int32 length prefix next in `r`, without moving `r`.
    ///
    /// A prefix is read whole even where fewer than 4 bytes are left before the enclosing
    /// terminator (it then runs into the bytes after it, which the input still holds): the
    /// length it declares cannot fit, and the check of that length against the window refuses
    /// it, so a cut-short prefix is reported as the corpus expects, at the same offset and
    /// with the same error as any length that does not fit.
    #[inline]
    fn length(&self, r: &Reader<'a>, what: &'static str) -> Result<usize> {
        let at = r.offset();
        let le = match r.peek_array::<4>() {
            Some(le) => le,
            None => self.prefix_past_window(at, what)?,
        };
        usize::try_from(i32::from_le_bytes(le)).map_err(|_| malformed(at, "negative length"))
    }

    /// [`Walker::length`], moving `r` past the prefix, or to the end of its window where the
    /// prefix runs past it (so the read of the bytes the length declares fails).
    #[inline]
    fn take_length(&self, r: &mut Reader<'a>, what: &'static str) -> Result<usize> {
        let at = r.offset();
        let le = match r.take_array::<4>() {
            Some(le) => le,
            None => {
                let le = self.prefix_past_window(at, what)?;
                r.rest();
                le
            }
        };
        usize::try_from(i32::from_le_bytes(le)).map_err(|_| malformed(at, "negative length"))
    }

    /// The 4 bytes at `at` in the whole input, for a length prefix that runs past its window
    /// (see [`Walker::length`]).
    #[cold]
    #[inline(never)]
    fn prefix_past_window(&self, at: usize, what: &'static str) -> Result<[u8; 4]> {
        let mut whole = Reader::new(self.input);
        whole
            .take(at)
            .and_then(|_| whole.peek_array::<4>())
            .ok_or(malformed(at, what))
    }

    /// The bytes of a NUL-terminated string whose NUL lies in `r`'s window; `r` moves past
    /// the NUL.
    #[inline]
    fn cstring_bytes(&self, r: &mut Reader<'a>) -> Result<&'a [u8]> {
        let at = r.offset();
        r.take_until(0).ok_or(malformed(
            at,
            "string not NUL-terminated within its document",
        ))
    }

    /// A NUL-terminated UTF-8 string (a key or a regex part).
    #[inline]
    fn cstring(&self, r: &mut Reader<'a>) -> Result<&'a str> {
        let at = r.offset();
        let bytes = self.cstring_bytes(r)?;
        self.text(bytes, at)
    }

    /// A length-prefixed string (int32 length counting its NUL, bytes, NUL) in `r`'s window.
    /// Embedded NULs are allowed, as the corpus requires.
    #[inline(always)] // the most common value's work, kept in `scalar`
    fn string(&self, r: &mut Reader<'a>) -> Result<&'a str> {
        let start = r.offset();
        let len = self.take_length(r, "truncated string length")?;
        if len == 0 {
            return Err(malformed(start, "string length below 1"));
        }
        let data_at = start.saturating_add(4);
        let data = r
            .take(len)
            .ok_or(malformed(data_at, "string length runs past its document"))?;
        let (nul, text) = data
            .split_last()
            .ok_or(malformed(start, "string length below 1"))?;
        if *nul != 0 {
            return Err(malformed(
                r.offset().saturating_sub(1),
                "string not NUL-terminated",
            ));
        }
        self.text(text, data_at)
    }

    /// Binary: int32 length, subtype, bytes. Subtype 2 (old binary) repeats the length inside,
    /// which must be 4 less than the outer one (pymongo: "lengths don't match").
    fn binary(&self, r: &mut Reader<'a>) -> Result<ValueRef<'a>> {
        let start = r.offset();
        let len = self.take_length(r, "truncated binary length")?;
        let subtype_at = start.saturating_add(4);
        let subtype = r
            .byte()
            .ok_or(malformed(subtype_at, "truncated binary subtype"))?;
        let data_at = start.saturating_add(5);
        let data = r
            .take(len)
            .ok_or(malformed(data_at, "binary length runs past its document"))?;
        let bytes = if subtype == 0x02 {
            let mut old = Reader::new(data);
            let inner = old
                .take_array::<4>()
                .and_then(|le| usize::try_from(i32::from_le_bytes(le)).ok())
                .ok_or(malformed(data_at, "old binary without its inner length"))?;
            if Some(inner) != len.checked_sub(4) {
                return Err(malformed(data_at, "old binary inner length does not match"));
            }
            old.rest()
        } else {
            data
        };
        if bytes.len() > self.limits.max_str_len {
            return Err(Error::LimitExceeded(Limit::StrLen));
        }
        Ok(ValueRef::Binary { subtype, bytes })
    }

    /// Checks the length bound and UTF-8.
    #[inline]
    fn text(&self, bytes: &'a [u8], at: usize) -> Result<&'a str> {
        if bytes.len() > self.limits.max_str_len {
            return Err(Error::LimitExceeded(Limit::StrLen));
        }
        core::str::from_utf8(bytes)
            .map_err(|e| malformed(at.saturating_add(e.valid_up_to()), "string is not UTF-8"))
    }
}

/// `N` bytes of a fixed-width value.
#[inline]
fn fixed<const N: usize>(r: &mut Reader<'_>) -> Result<[u8; N]> {
    let at = r.offset();
    r.take_array()
        .ok_or(malformed(at, "truncated fixed-width value"))
}

const fn malformed(offset: usize, what: &'static str) -> Error {
    Error::malformed(Layer::Bson, offset, what)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bson::write;
    use alloc::vec;

    fn hex(s: &str) -> Vec<u8> {
        let digits: Vec<u8> = s
            .bytes()
            .filter(u8::is_ascii_hexdigit)
            .map(|c| match c {
                b'0'..=b'9' => c - b'0',
                _ => (c | 0x20) - b'a' + 10,
            })
            .collect();
        digits.chunks(2).map(|p| p[0] << 4 | p[1]).collect()
    }

    /// A document around `body`: its length, the body, the terminator.
    fn doc(body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 5) as i32).to_le_bytes().to_vec();
        out.extend_from_slice(body);
        out.push(0);
        out
    }

    /// One element: type, key, NUL, value bytes.
    fn el(tag: u8, key: &[u8], value: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        out.extend_from_slice(key);
        out.push(0);
        out.extend_from_slice(value);
        out
    }

    /// A length-prefixed string value.
    fn sv(s: &[u8]) -> Vec<u8> {
        let mut out = ((s.len() + 1) as i32).to_le_bytes().to_vec();
        out.extend_from_slice(s);
        out.push(0);
        out
    }

    /// `levels` documents, each the only element (key "") of the one around it.
    fn nested(levels: usize) -> Vec<u8> {
        let inner = levels - 1;
        let mut out = Vec::with_capacity(7 * inner + 5);
        for i in 0..inner {
            out.extend_from_slice(&((5 + 7 * (inner - i)) as i32).to_le_bytes());
            out.extend_from_slice(&[0x03, 0x00]);
        }
        out.extend_from_slice(&[5, 0, 0, 0, 0]);
        out.extend(core::iter::repeat(0).take(inner));
        out
    }

    fn ok(bytes: &[u8]) -> Document {
        read(bytes, &Limits::default()).unwrap()
    }

    fn malformed_at(bytes: &[u8], offset: usize) {
        match read(bytes, &Limits::default()) {
            Err(Error::Malformed {
                layer: Layer::Bson,
                offset: got,
                ..
            }) => assert_eq!(got, offset, "{:?}", read(bytes, &Limits::default())),
            other => panic!("expected Malformed at {offset}, got {other:?}"),
        }
    }

    fn doc_of(entries: Vec<(&str, Value)>) -> Document {
        Document::from_entries(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    // bson.encode({...}) by pymongo 4.20.1; see the dict in each test.
    const PYMONGO_EVERY_TYPE: &str = "31010000016400000000000000f83f0273000700000068c3a96c6c6f00\
        03646f63000c0000001061000100000000046172720018000000103000010000000231000200000078000a\
        3200000562696e00020000000000010562696e34001000000004303132333435363738396162636465660562\
        696e3200060000000202000000ffff076f69640056e1fc72e0c917e9c47141610874000108660000096474\
        002edb20c88c0100000a6e000b7265005e612e2a622400696d000d636f64650004000000782b31000f637773\
        00160000000200000079000c00000010790002000000001069333200fbffffff117473002a00000015cd5b07\
        126936340007000000000000001262696700000000000001000013646563000f000000000000000000000000\
        003e30ff6d696e007f6d61780000";

    #[test]
    fn bson_reads_pymongo_every_type() {
        // {"d": 1.5, "s": "h\u00e9llo", "doc": {"a": 1}, "arr": [1, "x", None], "bin": b"\x00\x01",
        //  "bin4": Binary(b"0123456789abcdef", 4), "bin2": Binary(b"\xff\xff", 2),
        //  "oid": ObjectId("56e1fc72e0c917e9c4714161"), "t": True, "f": False,
        //  "dt": datetime(2024,1,2,3,4,5,678000), "n": None, "re": Regex("^a.*b$", "mi"),
        //  "code": Code("x+1"), "cws": Code("y", {"y": 2}), "i32": -5,
        //  "ts": Timestamp(123456789, 42), "i64": Int64(7), "big": 2**40,
        //  "dec": Decimal128("1.5"), "min": MinKey(), "max": MaxKey()}
        let bytes = hex(PYMONGO_EVERY_TYPE);
        let expected = doc_of(vec![
            ("d", Value::Double(1.5)),
            ("s", Value::from("h\u{e9}llo")),
            ("doc", Value::Document(doc_of(vec![("a", Value::Int32(1))]))),
            (
                "arr",
                Value::Array(vec![Value::Int32(1), Value::from("x"), Value::Null]),
            ),
            (
                "bin",
                Value::Binary {
                    subtype: 0,
                    bytes: vec![0, 1],
                },
            ),
            (
                "bin4",
                Value::Binary {
                    subtype: 4,
                    bytes: b"0123456789abcdef".to_vec(),
                },
            ),
            (
                "bin2",
                Value::Binary {
                    subtype: 2,
                    bytes: vec![0xFF, 0xFF],
                },
            ),
            (
                "oid",
                Value::ObjectId([
                    0x56, 0xE1, 0xFC, 0x72, 0xE0, 0xC9, 0x17, 0xE9, 0xC4, 0x71, 0x41, 0x61,
                ]),
            ),
            ("t", Value::Bool(true)),
            ("f", Value::Bool(false)),
            // datetime(2024,1,2,3,4,5,678000, tzinfo=utc).timestamp() * 1000
            ("dt", Value::DateTime(1_704_164_645_678)),
            ("n", Value::Null),
            (
                "re",
                Value::Regex(Box::new(Regex {
                    pattern: "^a.*b$".into(),
                    options: "im".into(),
                })),
            ),
            ("code", Value::JavaScript("x+1".into())),
            (
                "cws",
                Value::JavaScriptWithScope(Box::new(CodeWithScope {
                    code: "y".into(),
                    scope: doc_of(vec![("y", Value::Int32(2))]),
                })),
            ),
            ("i32", Value::Int32(-5)),
            (
                "ts",
                Value::Timestamp {
                    time: 123_456_789,
                    increment: 42,
                },
            ),
            ("i64", Value::Int64(7)),
            ("big", Value::Int64(1 << 40)),
            // Decimal128("1.5").bid: 15 x 10^-1, little-endian.
            (
                "dec",
                Value::Decimal128([15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x3E, 0x30]),
            ),
            ("min", Value::MinKey),
            ("max", Value::MaxKey),
        ]);
        assert_eq!(ok(&bytes), expected);
        assert_eq!(write(&expected).unwrap(), bytes);
    }

    #[test]
    fn bson_reads_pymongo_session() {
        // {"_accessed_time": 1700000000.25, "_creation_time": 1699999000.5, "user_id": 42,
        //  "name": "\u00c5sa \u2603", "cart": [{"sku": "A1", "qty": 2}, {"sku": "B2", "qty": 1}],
        //  "flash": []}
        let bytes = hex(
            "a6000000015f61636365737365645f74696d650000001040fc54d941015f6372656174696f6e5f74\
             696d650000002046fb54d94110757365725f6964002a000000026e616d650009000000c385736120e2\
             9883000463617274003f0000000330001a00000002736b750003000000413100107174790002000000\
             000331001a00000002736b750003000000423200107174790001000000000004666c61736800050000\
             000000",
        );
        let item = |sku: &str, qty: i32| {
            Value::Document(doc_of(vec![
                ("sku", Value::from(sku)),
                ("qty", Value::Int32(qty)),
            ]))
        };
        let expected = doc_of(vec![
            ("_accessed_time", Value::Double(1_700_000_000.25)),
            ("_creation_time", Value::Double(1_699_999_000.5)),
            ("user_id", Value::Int32(42)),
            ("name", Value::from("\u{c5}sa \u{2603}")),
            ("cart", Value::Array(vec![item("A1", 2), item("B2", 1)])),
            ("flash", Value::Array(vec![])),
        ]);
        assert_eq!(ok(&bytes), expected);
        assert_eq!(write(&expected).unwrap(), bytes);
    }

    #[test]
    fn bson_reads_symbol_as_string_and_undefined_as_null() {
        // pymongo 4.20.1: bson.decode reads a symbol as str and undefined as None (so
        // beaker-session-jwt's session holds a str and None, and writes them back as such).
        // A DBPointer is kept (pymongo makes a DBRef of it, which we have no type for).
        let id: Vec<u8> = (1..=12).collect();
        let mut dbp = sv(b"ns");
        dbp.extend_from_slice(&id);
        let array = doc(&[el(0x0E, b"0", &sv(b"a")), el(0x06, b"1", &[])].concat());
        let bytes = doc(&[
            el(0x0E, b"sym", &sv(b"s\0y")),
            el(0x06, b"u", &[]),
            el(0x0C, b"p", &dbp),
            el(0x04, b"arr", &array),
        ]
        .concat());
        let expected = doc_of(vec![
            ("sym", Value::from("s\0y")),
            ("u", Value::Null),
            (
                "p",
                Value::DbPointer(Box::new(DbPointer {
                    namespace: "ns".into(),
                    id: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
                })),
            ),
            ("arr", Value::Array(vec![Value::from("a"), Value::Null])),
        ]);
        assert_eq!(ok(&bytes), expected);
        let view = crate::bson::view(&bytes, &Limits::default()).unwrap();
        assert_eq!(view.get("sym"), Some(ValueRef::String("s\0y")));
        assert_eq!(view.get("u"), Some(ValueRef::Null));
        assert_eq!(view.to_document().unwrap(), expected);
        // The writer still writes the deprecated types it is given.
        let written = doc_of(vec![
            ("sym", Value::Symbol("s\0y".into())),
            ("u", Value::Undefined),
            (
                "p",
                Value::DbPointer(Box::new(DbPointer {
                    namespace: "ns".into(),
                    id: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
                })),
            ),
            (
                "arr",
                Value::Array(vec![Value::Symbol("a".into()), Value::Undefined]),
            ),
        ]);
        assert_eq!(write(&written).unwrap(), bytes);
    }

    #[test]
    fn bson_datetimes_outside_years_1_to_9999_are_refused_as_pymongo_does() {
        // pymongo 4.20.1, default options: bson.decode of a datetime below
        // -62135596800000 or above 253402300799999 raises InvalidBSON "year 0 is out of
        // range" / "year 10000 is out of range"; both bounds themselves read.
        let dt = |ms: i64| doc(&el(0x09, b"t", &ms.to_le_bytes()));
        for ms in [DATETIME_MIN_MS, 0, -1, DATETIME_MAX_MS] {
            assert_eq!(ok(&dt(ms)), doc_of(vec![("t", Value::DateTime(ms))]));
            assert_eq!(
                crate::bson::view(&dt(ms), &Limits::default())
                    .unwrap()
                    .get("t"),
                Some(ValueRef::DateTime(ms))
            );
        }
        let refused = |at| {
            Err::<Document, _>(Error::unsupported(
                Layer::Bson,
                at,
                "datetime outside years 1..=9999",
            ))
        };
        for ms in [DATETIME_MIN_MS - 1, DATETIME_MAX_MS + 1, i64::MIN, i64::MAX] {
            // The value's 8 bytes start after the length, the type byte and "t\0".
            assert_eq!(read(&dt(ms), &Limits::default()), refused(7), "{ms}");
            assert_eq!(
                crate::bson::view(&dt(ms), &Limits::default()).err(),
                refused(7).err(),
                "{ms}"
            );
            // In an array and in a code-with-scope's scope too (pymongo decodes both).
            let array = doc(&el(0x04, b"a", &dt(ms)));
            assert_eq!(read(&array, &Limits::default()), refused(14), "{ms}");
            let scope = dt(ms);
            let mut cws = ((4 + 6 + scope.len()) as i32).to_le_bytes().to_vec();
            cws.extend_from_slice(&sv(b"c"));
            cws.extend_from_slice(&scope);
            let code = doc(&el(0x0F, b"c", &cws));
            assert_eq!(
                read(&code, &Limits::default()).err(),
                crate::bson::view(&code, &Limits::default()).err(),
            );
            assert!(matches!(
                read(&code, &Limits::default()),
                Err(Error::Unsupported {
                    layer: Layer::Bson,
                    ..
                })
            ));
            // And we never write one (neither reader could read the cookie back).
            let mut d = Document::new();
            d.insert("ok", Value::DateTime(0));
            d.insert(
                "when",
                Value::Document(doc_of(vec![("t", Value::DateTime(ms))])),
            );
            assert!(matches!(
                write(&d),
                Err(Error::Unwritable { layer: Layer::Bson, key, .. }) if key.as_str() == "when"
            ));
        }
    }

    #[test]
    fn bson_reused_stacks_keep_nothing_from_a_failed_read() {
        // A document whose second element is cut short, inside an open nested document.
        let good = doc(&[
            el(0x02, b"a", &sv(b"x")),
            el(0x03, b"d", &doc(&el(0x10, b"i", &7i32.to_le_bytes()))),
        ]
        .concat());
        let mut bad = good.clone();
        let cut = bad.len() - 2;
        bad[cut] = 0x7F; // the nested document's terminator, once its int32 is on the stack
        let mut stacks = Stacks::new();
        let limits = Limits::DEFAULT;
        assert!(read_in(&bad, &limits, &mut stacks).is_err());
        assert!(stacks.frames.is_empty() && stacks.entries.is_empty() && stacks.items.is_empty());
        let again = read_in(&good, &limits, &mut stacks).unwrap();
        assert_eq!(again, read(&good, &limits).unwrap());
        assert_eq!(again.len(), 2);
        assert!(stacks.frames.is_empty() && stacks.entries.is_empty() && stacks.items.is_empty());
    }

    #[test]
    fn bson_duplicate_keys_keep_first_position_last_value() {
        // pymongo: bson.decode(...) == {'a': 3, 'b': 2}, in that order.
        let bytes = hex("1a000000 106100 01000000 106200 02000000 106100 03000000 00");
        let got = ok(&bytes);
        assert_eq!(
            got.iter().collect::<Vec<_>>(),
            vec![("a", &Value::Int32(3)), ("b", &Value::Int32(2))]
        );
    }

    #[test]
    fn bson_array_keys_are_skipped() {
        // pymongo reads {"a": [10]} from an array keyed b"\xff" (not UTF-8); keys may repeat or
        // be out of order.
        let arr = doc(&[
            el(0x10, b"\xff", &10i32.to_le_bytes()),
            el(0x10, b"7", &20i32.to_le_bytes()),
            el(0x10, b"7", &30i32.to_le_bytes()),
        ]
        .concat());
        let got = ok(&doc(&el(0x04, b"a", &arr)));
        assert_eq!(
            got.get("a"),
            Some(&Value::Array(vec![
                Value::Int32(10),
                Value::Int32(20),
                Value::Int32(30)
            ]))
        );
    }

    #[test]
    fn bson_timestamp_halves_and_bool_values() {
        let bytes = doc(&[
            el(0x11, b"ts", &hex("01000000 02000000")),
            el(0x08, b"t", &[1]),
            el(0x08, b"f", &[0]),
        ]
        .concat());
        let got = ok(&bytes);
        assert_eq!(
            got.get("ts"),
            Some(&Value::Timestamp {
                time: 2,
                increment: 1
            })
        );
        assert_eq!(got.get("t"), Some(&Value::Bool(true)));
        assert_eq!(got.get("f"), Some(&Value::Bool(false)));
    }

    #[test]
    fn bson_regex_options_are_kept_as_stored() {
        let bytes = doc(&el(0x0B, b"r", b"a\0xmig\0"));
        assert_eq!(
            ok(&bytes).get("r"),
            Some(&Value::Regex(Box::new(Regex {
                pattern: "a".into(),
                options: "xmig".into()
            })))
        );
    }

    #[test]
    fn bson_rejects_bad_document_length() {
        malformed_at(&[], 0);
        malformed_at(&[5, 0, 0], 0);
        malformed_at(&hex("04000000 00"), 0);
        malformed_at(&hex("ffffffff 00"), 0);
        malformed_at(&hex("06000000 00"), 0);
        malformed_at(&hex("05000000"), 0);
        // Trailing bytes after the document (pymongo: "bad eoo").
        malformed_at(&hex("05000000 00 00"), 0);
    }

    #[test]
    fn bson_rejects_misplaced_terminator() {
        // Terminator before the declared end.
        malformed_at(&hex("07000000 00 0000"), 4);
        // No terminator where the length says.
        malformed_at(&hex("05000000 01"), 4);
        malformed_at(&hex("08000000 0a6100 0a"), 7);
    }

    #[test]
    fn bson_rejects_bad_keys() {
        // Key runs into the terminator.
        malformed_at(&hex("08000000 0a 616263"), 5);
        // Not UTF-8: offset of the first bad byte.
        malformed_at(&doc(&el(0x0A, b"a\xff", &[])), 6);
        // A NUL inside a key just ends it early; what follows is then read as the value, and
        // the terminator turns up early.
        malformed_at(&hex("0d000000 10 7800 00 01000000 00"), 11);
    }

    #[test]
    fn bson_rejects_truncated_fixed_width() {
        for (tag, width) in [
            (0x01, 8),
            (0x07, 12),
            (0x08, 1),
            (0x09, 8),
            (0x10, 4),
            (0x11, 8),
            (0x12, 8),
            (0x13, 16),
        ] {
            let short = doc(&el(tag, b"k", &vec![0; width - 1]));
            malformed_at(&short, 7);
            let right = doc(&el(tag, b"k", &vec![0; width]));
            assert!(read(&right, &Limits::default()).is_ok(), "{tag:#x}");
        }
    }

    #[test]
    fn bson_rejects_bool_other_than_0_or_1() {
        malformed_at(&doc(&el(0x08, b"b", &[2])), 7);
        malformed_at(&doc(&el(0x08, b"b", &[0xFF])), 7);
    }

    #[test]
    fn bson_rejects_bad_strings() {
        for tag in [0x02, 0x0D, 0x0E] {
            // Length 0, negative, past the document, eating the terminator.
            malformed_at(&doc(&el(tag, b"a", &hex("00000000"))), 7);
            malformed_at(&doc(&el(tag, b"a", &hex("ffffffff"))), 7);
            malformed_at(&doc(&el(tag, b"a", &hex("10000000 6100"))), 11);
            malformed_at(&doc(&el(tag, b"a", &hex("03000000 6100"))), 11);
            // Not NUL-terminated, or NUL in the wrong place.
            malformed_at(&doc(&el(tag, b"a", &hex("02000000 6161"))), 12);
            malformed_at(&doc(&el(tag, b"a", &hex("01000000 00 00"))), 12);
            // Not UTF-8; a lone surrogate is not UTF-8 either (Python agrees).
            malformed_at(&doc(&el(tag, b"a", &sv(b"ab\xe9"))), 13);
            malformed_at(&doc(&el(tag, b"a", &sv(b"\xed\xa0\x80"))), 11);
            // Embedded NULs are fine.
            assert_eq!(
                ok(&doc(&el(tag, b"a", &sv(b"a\0b"))))
                    .get("a")
                    .and_then(|v| match v {
                        Value::String(s) | Value::JavaScript(s) => Some(s.as_str()),
                        _ => None,
                    }),
                Some("a\0b")
            );
        }
    }

    #[test]
    fn bson_rejects_bad_binary() {
        // Negative, past the document, missing subtype.
        malformed_at(&doc(&el(0x05, b"x", &hex("ffffffff 00"))), 7);
        malformed_at(&doc(&el(0x05, b"x", &hex("05000000 00 0102"))), 12);
        malformed_at(&doc(&el(0x05, b"x", &hex("00000000"))), 11);
        // Old binary: inner length must be 4 less than the outer one.
        malformed_at(&doc(&el(0x05, b"x", &hex("06000000 02 03000000 ffff"))), 12);
        malformed_at(&doc(&el(0x05, b"x", &hex("06000000 02 01000000 ffff"))), 12);
        malformed_at(&doc(&el(0x05, b"x", &hex("06000000 02 ffffffff ffff"))), 12);
        malformed_at(&doc(&el(0x05, b"x", &hex("02000000 02 ffff"))), 12);
        let empty_old = ok(&doc(&el(0x05, b"x", &hex("04000000 02 00000000"))));
        assert_eq!(
            empty_old.get("x"),
            Some(&Value::Binary {
                subtype: 2,
                bytes: vec![]
            })
        );
    }

    #[test]
    fn bson_rejects_bad_nested_lengths() {
        for tag in [0x03, 0x04] {
            // Eats the outer terminator; too short (leaks its terminator); below 5; negative.
            malformed_at(&doc(&el(tag, b"a", &hex("06000000 00"))), 7);
            malformed_at(&doc(&el(tag, b"a", &hex("05000000 0a3000 00"))), 11);
            malformed_at(&doc(&el(tag, b"a", &hex("04000000 00"))), 7);
            malformed_at(&doc(&el(tag, b"a", &hex("ffffffff 00"))), 7);
        }
    }

    #[test]
    fn bson_rejects_bad_code_with_scope() {
        let good = hex("16000000 02000000 6100 0c000000 10780001000000 00");
        let value = ok(&doc(&el(0x0F, b"c", &good)));
        assert_eq!(
            value.get("c"),
            Some(&Value::JavaScriptWithScope(Box::new(CodeWithScope {
                code: "a".into(),
                scope: doc_of(vec![("x", Value::Int32(1))])
            })))
        );
        let bad = |total: &str, code_len: &str, scope_len: &str, at: usize| {
            let body = hex(&[total, code_len, "6100", scope_len, "10780001000000 00"].concat());
            malformed_at(&doc(&el(0x0F, b"c", &body)), at);
        };
        // Total too long, too short, below the minimum, negative.
        bad("17000000", "02000000", "0c000000", 7);
        bad("15000000", "02000000", "0c000000", 7);
        bad("0d000000", "02000000", "0c000000", 7);
        bad("ffffffff", "02000000", "0c000000", 7);
        // Code string length wrong either way, or negative.
        bad("16000000", "01000000", "0c000000", 15);
        bad("16000000", "03000000", "0c000000", 17);
        bad("16000000", "ffffffff", "0c000000", 11);
        // Scope length disagreeing with the total.
        bad("16000000", "02000000", "0b000000", 7);
        bad("16000000", "02000000", "0d000000", 7);
    }

    #[test]
    fn bson_rejects_bad_regex_and_dbpointer() {
        // Pattern or options running into the terminator.
        malformed_at(&doc(&el(0x0B, b"r", b"abc")), 7);
        malformed_at(&doc(&el(0x0B, b"r", b"abc\0im")), 11);
        malformed_at(&doc(&el(0x0B, b"r", b"\xff\0\0")), 7);
        // DBPointer: short id, bad string.
        let mut short = sv(b"ns");
        short.extend_from_slice(&[1; 11]);
        malformed_at(&doc(&el(0x0C, b"p", &short)), 14);
        malformed_at(
            &doc(&el(0x0C, b"p", &[&hex("00000000")[..], &[1; 12]].concat())),
            7,
        );
    }

    #[test]
    fn bson_rejects_unknown_types_as_unsupported() {
        for tag in [0x14, 0x20, 0x7E, 0x80, 0xFE] {
            assert_eq!(
                read(&doc(&el(tag, b"", &[])), &Limits::default()),
                Err(Error::unsupported(Layer::Bson, 4, "BSON element type"))
            );
        }
    }

    #[test]
    fn limits_depth_trips_at_max_plus_one() {
        let depth = |max_depth| Limits {
            max_depth,
            ..Limits::DEFAULT
        };
        let limits = depth(3);
        assert!(read(&nested(3), &limits).is_ok());
        assert_eq!(
            read(&nested(4), &limits),
            Err(Error::LimitExceeded(Limit::Depth))
        );
        // Arrays and code-with-scope scopes count as levels too.
        let arr = doc(&el(0x04, b"a", &doc(&el(0x04, b"0", &doc(&[])))));
        assert!(read(&arr, &limits).is_ok());
        let limits = depth(2);
        assert_eq!(read(&arr, &limits), Err(Error::LimitExceeded(Limit::Depth)));
        let cws = doc(&el(0x0F, b"c", &hex("0e000000 01000000 00 05000000 00")));
        assert!(read(&cws, &limits).is_ok());
        let limits = depth(1);
        assert_eq!(read(&cws, &limits), Err(Error::LimitExceeded(Limit::Depth)));
        assert_eq!(
            read(&doc(&[]), &depth(0)),
            Err(Error::LimitExceeded(Limit::Depth))
        );
    }

    #[test]
    fn limits_depth_is_capped_at_max_nesting() {
        let limits = Limits {
            max_depth: usize::MAX,
            ..Limits::DEFAULT
        };
        assert!(read(&nested(Limits::MAX_DEPTH), &limits).is_ok());
        assert_eq!(
            read(&nested(Limits::MAX_DEPTH + 1), &limits),
            Err(Error::LimitExceeded(Limit::Depth))
        );
        // A hostile 200,000-level input is refused without recursion.
        assert_eq!(
            read(&nested(200_000), &limits),
            Err(Error::LimitExceeded(Limit::Depth))
        );
    }

    #[test]
    fn limits_items_trips_at_max_plus_one() {
        let items = |max_items| Limits {
            max_items,
            ..Limits::DEFAULT
        };
        let limits = items(3);
        // Nested elements count: a, a.0, a.1 = 3.
        let three = doc(&el(
            0x04,
            b"a",
            &doc(&[el(0x0A, b"0", &[]), el(0x0A, b"1", &[])].concat()),
        ));
        assert!(read(&three, &limits).is_ok());
        let four = doc(&[&three[4..three.len() - 1], &el(0x0A, b"b", &[])[..]].concat());
        assert_eq!(
            read(&four, &limits),
            Err(Error::LimitExceeded(Limit::Items))
        );
        assert!(read(&doc(&[]), &items(0)).is_ok());
        assert_eq!(
            read(&doc(&el(0x0A, b"", &[])), &items(0)),
            Err(Error::LimitExceeded(Limit::Items))
        );
    }

    #[test]
    fn limits_str_len_trips_at_max_plus_one() {
        let limits = Limits {
            max_str_len: 3,
            ..Limits::DEFAULT
        };
        let cases: [(Vec<u8>, Vec<u8>); 5] = [
            (
                doc(&el(0x02, b"k", &sv(b"abc"))),
                doc(&el(0x02, b"k", &sv(b"abcd"))),
            ),
            (doc(&el(0x0A, b"abc", &[])), doc(&el(0x0A, b"abcd", &[]))),
            (
                doc(&el(0x05, b"k", &hex("03000000 00 010203"))),
                doc(&el(0x05, b"k", &hex("04000000 00 01020304"))),
            ),
            (
                doc(&el(0x05, b"k", &hex("07000000 02 03000000 010203"))),
                doc(&el(0x05, b"k", &hex("08000000 02 04000000 01020304"))),
            ),
            (
                doc(&el(0x0B, b"k", b"abc\0imx\0")),
                doc(&el(0x0B, b"k", b"abc\0imxs\0")),
            ),
        ];
        for (fits, over) in cases {
            assert!(read(&fits, &limits).is_ok(), "{fits:02x?}");
            assert_eq!(
                read(&over, &limits),
                Err(Error::LimitExceeded(Limit::StrLen)),
                "{over:02x?}"
            );
        }
    }

    /// Every type reads back as written, except the two pymongo converts (symbol, undefined:
    /// `bson_reads_symbol_as_string_and_undefined_as_null`).
    #[test]
    fn bson_round_trips_every_type() {
        let mut scope = Document::new();
        scope.insert(
            "s",
            Value::Document(doc_of(vec![("deep", Value::Array(vec![]))])),
        );
        let mut all = Document::new();
        all.insert(
            "double",
            Value::Double(f64::from_bits(0x7FF8_0000_0000_0012)),
        );
        all.insert("neg0", Value::Double(-0.0));
        all.insert("string", Value::from("\u{0}\u{10FFFF}"));
        all.insert("doc", Value::Document(doc_of(vec![("", Value::Null)])));
        all.insert("array", Value::Array((0..12).map(Value::Int32).collect()));
        for subtype in [0u8, 2, 4, 0x80, 0xFF] {
            all.insert(
                alloc::format!("bin{subtype}"),
                Value::Binary {
                    subtype,
                    bytes: vec![subtype; 3],
                },
            );
        }
        all.insert("oid", Value::ObjectId([0xFF; 12]));
        all.insert("bool", Value::Bool(false));
        all.insert("dt", Value::DateTime(DATETIME_MIN_MS));
        all.insert("dt_max", Value::DateTime(DATETIME_MAX_MS));
        all.insert("null", Value::Null);
        all.insert(
            "regex",
            Value::Regex(Box::new(Regex {
                pattern: "\u{e9}".into(),
                options: "ilmsux".into(),
            })),
        );
        all.insert(
            "dbp",
            Value::DbPointer(Box::new(DbPointer {
                namespace: "".into(),
                id: [0; 12],
            })),
        );
        all.insert("js", Value::JavaScript("".into()));
        all.insert(
            "cws",
            Value::JavaScriptWithScope(Box::new(CodeWithScope {
                code: "c".into(),
                scope,
            })),
        );
        all.insert("i32", Value::Int32(i32::MAX));
        all.insert(
            "ts",
            Value::Timestamp {
                time: 0,
                increment: u32::MAX,
            },
        );
        all.insert("i64", Value::Int64(i64::MIN));
        all.insert("dec", Value::Decimal128([0xAA; 16]));
        all.insert("min", Value::MinKey);
        all.insert("max", Value::MaxKey);
        let bytes = write(&all).unwrap();
        assert_eq!(ok(&bytes), all);
        assert_eq!(write(&ok(&bytes)).unwrap(), bytes);
    }
}
