//! Python objects -> [`Session`]: Beaker-session-jwt's check that a legacy session "will
//! serialize again" (`bson.encode(loaded)` or `json.dumps(loaded)`, `beaker_session_jwt.py`
//! `_decrypt_data`), done while building the values the JWT payload will carry.
//!
//! Python 2 `str` rule: a byte string that is valid UTF-8 becomes a string, any other is bytes
//! (Python 3's unpickler would decode it as ASCII and fail on any byte >= 0x80).

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Error, GlobalName, Layer, Limit, Name, RefusedGlobal, Result};
use crate::json::float_repr;
use crate::limits::Limits;
use crate::pickle::datetime;
use crate::pickle::index::Index;
use crate::pickle::py::{recycle, Handle, Heap, Obj, Objects, Pickled};
use crate::session_bytes::SessionBytes;
use crate::value::{Document, Regex, Session, Str, Value};

/// The JWT payload a legacy session must fit (`bson_compress_jwt_payload`): what Python checks
/// with `bson.encode` or `json.dumps` before it accepts a legacy cookie.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// `bson_compress_jwt_payload = true`: what `bson.encode` accepts.
    Bson,
    /// `bson_compress_jwt_payload = false`: what `json.dumps` accepts (int, float, bool and None
    /// keys become strings as `json.dumps` writes them).
    Json,
}

impl Target {
    /// The target for a `bson_compress_jwt_payload` setting.
    pub(crate) fn for_bson_payload(bson_compress_jwt_payload: bool) -> Target {
        if bson_compress_jwt_payload {
            Target::Bson
        } else {
            Target::Json
        }
    }

    fn layer(self) -> Layer {
        match self {
            Target::Bson => Layer::Bson,
            Target::Json => Layer::Json,
        }
    }
}

impl Pickled {
    /// The session: the top-level dict, minus the string keys in `remove_keys`
    /// (`original_format_remove_keys`, applied first, as Python does), with every value
    /// converted for `target`.
    ///
    /// # Errors
    /// - [`Error::Unsupported`] in [`Layer::Pickle`] when the pickle's result is not a dict.
    /// - [`Error::Unwritable`] (layer [`Layer::Bson`] or [`Layer::Json`]) naming the top-level key
    ///   whose value (or key) the target cannot hold: a set, a date, an int beyond 64 bits, bytes
    ///   in JSON, a non-string key in BSON, a key with a NUL byte in BSON ...
    /// - [`Error::Placeholder`] naming the key and the refused global it holds.
    /// - [`Error::Malformed`] for a whitelisted object that never received its `BUILD` state,
    ///   or a container that contains itself.
    /// - [`Error::LimitExceeded`] as below.
    ///
    /// # Limits
    /// `max_depth` (nesting, the session being depth 1; at most [`Limits::MAX_DEPTH`]), `max_items`
    /// (values built: a memo reference counts its whole value again), `max_inflated_len`
    /// (string and bytes bytes built, counted the same way), `max_session_bytes` (each value's
    /// slot and heap blocks; a list's or dict's slots are charged before its block is made).
    pub fn into_session<S: AsRef<str>>(
        self,
        target: Target,
        remove_keys: &[S],
        limits: &Limits,
    ) -> Result<Session> {
        self.objects.into_session(target, remove_keys, limits)
    }
}

/// The vectors [`Objects::session_with`] works in (see [`Buffers`](super::py::Buffers)).
#[derive(Default)]
pub(crate) struct ConvertBuffers {
    on_path: Vec<bool>,
    open: Vec<Open<'static>>,
    sames: Vec<Same<'static>>,
}

impl ConvertBuffers {
    pub(crate) const fn new() -> ConvertBuffers {
        ConvertBuffers {
            on_path: Vec::new(),
            open: Vec::new(),
            sames: Vec::new(),
        }
    }

    /// Shrinks every vector to at most `retain` elements of capacity.
    pub(crate) fn trim(&mut self, retain: usize) {
        self.on_path.shrink_to(retain);
        self.open.shrink_to(retain);
        self.sames.shrink_to(retain);
    }
}

impl Objects<'_> {
    /// [`Pickled::into_session`].
    ///
    /// # Errors
    /// As [`Pickled::into_session`].
    ///
    /// # Limits
    /// As [`Pickled::into_session`].
    pub(crate) fn into_session<S: AsRef<str>>(
        self,
        target: Target,
        remove_keys: &[S],
        limits: &Limits,
    ) -> Result<Session> {
        self.session_with(target, remove_keys, limits, &mut ConvertBuffers::default())
    }

    /// [`Objects::into_session`] in the caller's buffers (emptied again when it returns).
    ///
    /// # Errors
    /// As [`Pickled::into_session`].
    ///
    /// # Limits
    /// As [`Pickled::into_session`].
    pub(crate) fn session_with<S: AsRef<str>>(
        &self,
        target: Target,
        remove_keys: &[S],
        limits: &Limits,
        buffers: &mut ConvertBuffers,
    ) -> Result<Session> {
        let root =
            self.heap
                .node(self.root)
                .ok_or(Error::malformed(Layer::Pickle, 0, "bad handle"))?;
        let Obj::Dict(entries) = &root.obj else {
            return Err(Error::unsupported(
                Layer::Pickle,
                root.at,
                "top-level value is not a dict",
            ));
        };
        let mut on_path = core::mem::take(&mut buffers.on_path);
        on_path.clear();
        on_path.resize(self.heap.len(), false);
        // The kept vectors are handed over whole: a `Vec<Open<'static>>` is a `Vec<Open<'h>>`
        // (their elements only borrow). Going back needs `recycle`, below.
        let mut open: Vec<Open<'_>> = core::mem::take(&mut buffers.open);
        open.clear();
        let mut sames: Vec<Same<'_>> = core::mem::take(&mut buffers.sames);
        sames.clear();
        let mut conv = Converter {
            heap: &self.heap,
            target,
            limits,
            items: 0,
            bytes: 0,
            budget: SessionBytes::new(limits),
            on_path,
            open,
            sames,
        };
        let session = conv.session(entries, remove_keys);
        let Converter {
            mut on_path,
            open,
            sames,
            ..
        } = conv;
        on_path.clear();
        buffers.on_path = on_path;
        buffers.open = recycle(open);
        buffers.sames = recycle(sames);
        session
    }
}

/// Why one value cannot be in the session.
enum Fault {
    Unwritable(&'static str),
    Placeholder(GlobalName),
    Fatal(Error),
}

impl From<Error> for Fault {
    fn from(e: Error) -> Fault {
        Fault::Fatal(e)
    }
}

impl Fault {
    fn at_key(self, target: Target, key: &str) -> Error {
        match self {
            Fault::Unwritable(what) => Error::Unwritable {
                layer: target.layer(),
                key: Name::new(key),
                what,
            },
            Fault::Placeholder(global) => {
                Error::Placeholder(RefusedGlobal::new(key, global.as_str()))
            }
            Fault::Fatal(e) => e,
        }
    }
}

/// Python's equality for the key types JSON accepts: what a dict compares (1 == 1.0 == True).
/// A converted key is this and the text it is written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Same<'h> {
    Str(&'h str),
    Int(i128),
    Float(u64),
    None,
}

/// A container whose items are being converted.
enum Open<'h> {
    Array {
        h: Handle,
        items: &'h [Handle],
        next: usize,
        out: Vec<Value>,
    },
    Doc {
        h: Handle,
        entries: &'h [(Handle, Handle)],
        next: usize,
        out: Vec<(Str, Value)>,
        /// The text of the key whose value is being converted.
        key: Option<Str>,
        /// Where this dict's keys start in [`Converter::sames`].
        start: usize,
    },
}

struct Converter<'h, 'a> {
    heap: &'h Heap<'a>,
    target: Target,
    limits: &'h Limits,
    items: usize,
    bytes: usize,
    /// What the session may still take (`max_session_bytes`).
    budget: SessionBytes,
    /// Containers being converted (a container met again inside itself is a cycle).
    on_path: Vec<bool>,
    /// Open containers, innermost last (kept between top-level values to reuse its buffer).
    open: Vec<Open<'h>>,
    /// How Python compares the keys converted so far of every open dict, innermost dict's
    /// last: the session's own keys, then each open dict's from its `start`.
    sames: Vec<Same<'h>>,
}

impl<'h, 'a> Converter<'h, 'a> {
    fn obj(&self, h: Handle) -> Result<&'h Obj<'a>, Fault> {
        self.heap.obj(h).ok_or(Fault::Fatal(Error::malformed(
            Layer::Pickle,
            0,
            "bad handle",
        )))
    }

    /// The pickle offset of `h`, for the error being reported about it. Every handle here
    /// comes from the heap; one it did not have would still give that error, at offset 0.
    fn at(&self, h: Handle) -> usize {
        self.heap.node(h).map_or(0, |n| n.at)
    }

    fn count(&mut self, bytes: usize) -> Result<(), Fault> {
        self.items = self.items.saturating_add(1);
        self.bytes = self.bytes.saturating_add(bytes);
        if self.items > self.limits.max_items {
            return Err(Error::LimitExceeded(Limit::Items).into());
        }
        if self.bytes > self.limits.max_inflated_len {
            return Err(Error::LimitExceeded(Limit::InflatedLen).into());
        }
        Ok(())
    }

    /// The session: the top-level dict's `entries` but those whose key is in `remove_keys`.
    fn session<S: AsRef<str>>(
        &mut self,
        entries: &'h [(Handle, Handle)],
        remove_keys: &[S],
    ) -> Result<Session> {
        let target = self.target;
        // The session itself, as every format charges its root, then its entries' block.
        self.budget.charge(None, 0)?;
        self.budget.reserve(entries.len(), true)?;
        let mut out = Vec::with_capacity(entries.len());
        for &(k, v) in entries {
            let text = self.text_of(k);
            if remove_keys
                .iter()
                .any(|r| text.is_some_and(|t| t == r.as_ref()))
            {
                continue;
            }
            let key = self.key(k).map_err(|f| f.at_key(target, &self.label(k)))?;
            let value = self.value(v, 2).map_err(|f| f.at_key(target, &key))?;
            self.budget.fill(Some(&key), &value)?;
            out.push((key, value));
        }
        Ok(dedupe(out, &self.sames))
    }

    /// A key's text when it is a string (how `remove_keys` and error messages see it).
    fn text_of(&self, h: Handle) -> Option<&'h str> {
        text(self.heap.obj(h)?)
    }

    /// How an error names a key that did not convert.
    fn label(&self, h: Handle) -> String {
        match self.heap.obj(h) {
            Some(Obj::Int(i)) => decimal(i.get()),
            Some(Obj::Int64(i)) => decimal((*i).into()),
            Some(Obj::Bool(b)) => String::from(if *b { "True" } else { "False" }),
            Some(Obj::None) => String::from("None"),
            Some(Obj::Float(f)) => float_repr(*f),
            Some(obj) => match self.text_of(h) {
                Some(t) => String::from(t),
                None => {
                    let mut label = String::from("<");
                    label.push_str(kind(obj));
                    label.push_str(" key>");
                    label
                }
            },
            None => String::new(),
        }
    }

    /// The text of key `h`; how Python compares it goes on [`Converter::sames`].
    fn key(&mut self, h: Handle) -> Result<Str, Fault> {
        let obj = self.obj(h)?;
        if let Some(text) = text(obj) {
            // A byte loop: keys are short, and `str::contains` costs a `memchr` call each.
            if self.target == Target::Bson && text.bytes().any(|b| b == 0) {
                return Err(Fault::Unwritable("key with a NUL byte"));
            }
            self.count(text.len())?;
            self.sames.push(Same::Str(text));
            return Ok(Str::from(text));
        }
        if let Obj::Placeholder(name) = obj {
            return Err(Fault::Placeholder(**name));
        }
        if self.target == Target::Bson {
            return Err(Fault::Unwritable("non-string dict key"));
        }
        // json.dumps: `keys must be str, int, float, bool or None`, written as JSON would.
        let (same, text) = match *obj {
            Obj::Int(i) => (Same::Int(i.get()), decimal(i.get())),
            Obj::Int64(i) => (Same::Int(i.into()), decimal(i.into())),
            Obj::Bool(b) => (
                Same::Int(b.into()),
                String::from(if b { "true" } else { "false" }),
            ),
            Obj::None => (Same::None, String::from("null")),
            Obj::Float(f) => (float_same(f), float_repr(f)),
            Obj::BigInt => return Err(Fault::Unwritable("int beyond 64 bits")),
            _ => return Err(Fault::Unwritable("dict key that JSON cannot hold")),
        };
        self.count(text.len())?;
        self.sames.push(same);
        Ok(Str::from(text))
    }

    /// The value of `h` at nesting `depth`, walked with an explicit stack of open containers
    /// (no recursion, whatever the nesting).
    fn value(&mut self, h: Handle, depth: usize) -> Result<Value, Fault> {
        let mut open = core::mem::take(&mut self.open);
        open.clear();
        let value = self.walk(h, depth, &mut open);
        self.open = open;
        value
    }

    fn walk(&mut self, h: Handle, depth: usize, open: &mut Vec<Open<'h>>) -> Result<Value, Fault> {
        let obj = self.obj(h)?;
        if !self.open_container(h, obj, depth, open)? {
            return self.scalar(h, obj);
        }
        loop {
            let inner = depth + open.len();
            // The innermost open container's next item (its key first, for a dict). A scalar
            // goes straight into the container; a container is opened, and handed to its
            // parent when it closes.
            let child = match open.last_mut() {
                None => return Err(bad_handle()),
                Some(Open::Array {
                    items, next, out, ..
                }) => match items.get(*next).copied() {
                    Some(child) => {
                        *next += 1;
                        let obj = self.obj(child)?;
                        if !is_container(obj) {
                            let value = self.scalar(child, obj)?;
                            self.budget.fill(None, &value)?;
                            out.push(value);
                            continue;
                        }
                        Some((child, obj))
                    }
                    None => None,
                },
                Some(Open::Doc {
                    entries,
                    next,
                    key,
                    out,
                    ..
                }) => match entries.get(*next).copied() {
                    Some((k, child)) => {
                        *next += 1;
                        let text = self.key(k)?;
                        let obj = self.obj(child)?;
                        if !is_container(obj) {
                            let value = self.scalar(child, obj)?;
                            self.budget.fill(Some(&text), &value)?;
                            out.push((text, value));
                            continue;
                        }
                        *key = Some(text);
                        Some((child, obj))
                    }
                    None => None,
                },
            };
            let value = match child {
                Some((child, obj)) => {
                    self.open_container(child, obj, inner, open)?;
                    continue;
                }
                // No items left: close the container.
                None => {
                    let value = match open.pop() {
                        Some(Open::Array { h, out, .. }) => {
                            self.leave(h);
                            Value::Array(out)
                        }
                        Some(Open::Doc { h, out, start, .. }) => {
                            self.leave(h);
                            // `start` is where this dict's keys began on `sames`.
                            let sames = self.sames.get(start..).ok_or_else(|| {
                                Fault::Fatal(Error::malformed(
                                    Layer::Pickle,
                                    0,
                                    "dict keys out of step",
                                ))
                            })?;
                            let doc = dedupe(out, sames);
                            self.sames.truncate(start);
                            Value::Document(doc)
                        }
                        None => return Err(bad_handle()),
                    };
                    if open.is_empty() {
                        return Ok(value);
                    }
                    value
                }
            };
            // Hand the finished value to the innermost open container.
            match open.last_mut() {
                Some(Open::Array { out, .. }) => {
                    self.budget.fill(None, &value)?;
                    out.push(value);
                }
                Some(Open::Doc { out, key, .. }) => {
                    if let Some(k) = key.take() {
                        self.budget.fill(Some(&k), &value)?;
                        out.push((k, value));
                    }
                }
                None => return Err(bad_handle()),
            }
        }
    }

    /// Opens `h` (its object `obj`) at nesting `depth` when it is a list, tuple or dict
    /// (`false`: it is not).
    fn open_container(
        &mut self,
        h: Handle,
        obj: &'h Obj<'a>,
        depth: usize,
        open: &mut Vec<Open<'h>>,
    ) -> Result<bool, Fault> {
        match obj {
            obj @ (Obj::Tuple(..) | Obj::List(_)) => {
                let items = match obj {
                    Obj::Tuple(items, _) => items.as_slice(),
                    Obj::List(items) => items.as_slice(),
                    _ => &[],
                };
                self.enter(h, depth)?;
                let slots = items.len().min(self.limits.max_items);
                self.budget.reserve(slots, false)?;
                let out = Vec::with_capacity(slots);
                open.push(Open::Array {
                    h,
                    items,
                    next: 0,
                    out,
                });
                Ok(true)
            }
            Obj::Dict(entries) => {
                self.enter(h, depth)?;
                let slots = entries.len().min(self.limits.max_items);
                self.budget.reserve(slots, true)?;
                let out = Vec::with_capacity(slots);
                open.push(Open::Doc {
                    h,
                    entries,
                    next: 0,
                    out,
                    key: None,
                    start: self.sames.len(),
                });
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// The value of `h` (its object `obj`), which is not a list, tuple or dict.
    fn scalar(&mut self, h: Handle, obj: &'h Obj<'a>) -> Result<Value, Fault> {
        // The most common value first, out of the match below.
        if let Obj::Str(s) = obj {
            self.count(s.len())?;
            return Ok(Value::String(Str::from(&**s)));
        }
        let bson = self.target == Target::Bson;
        let value = match obj {
            Obj::None => Value::Null,
            Obj::Bool(b) => Value::Bool(*b),
            Obj::Int(i) => Value::from(
                i64::try_from(i.get()).map_err(|_| Fault::Unwritable("int beyond 64 bits"))?,
            ),
            Obj::BigInt => return Err(Fault::Unwritable("int beyond 64 bits")),
            Obj::Float(f) => Value::Double(*f),
            Obj::Str(s) => Value::String(Str::from(&**s)),
            Obj::Str2(raw) => match core::str::from_utf8(raw) {
                Ok(s) => Value::String(Str::from(s)),
                Err(_) if bson => Value::Binary {
                    subtype: 0,
                    bytes: raw.to_vec(),
                },
                Err(_) => return Err(Fault::Unwritable("bytes")),
            },
            Obj::Bytes(b) if bson => Value::Binary {
                subtype: 0,
                bytes: b.to_vec(),
            },
            Obj::Binary { subtype, bytes } if bson => Value::Binary {
                subtype: *subtype,
                bytes: bytes.to_vec(),
            },
            Obj::Placeholder(name) => return Err(Fault::Placeholder(**name)),
            Obj::DateTime { wall_us, offset_us } if bson => Value::DateTime(
                datetime::utc_millis(*wall_us, *offset_us)
                    .ok_or(Fault::Unwritable("datetime out of range"))?,
            ),
            // Python keeps the `Int64` instance in both modes (json.dumps writes it as an int).
            Obj::Int64(i) => Value::Int64(*i),
            Obj::ObjectId(Some(id)) if bson => Value::ObjectId(*id),
            Obj::Regex(Some(r)) if bson => regex(&r.0, r.1)?,
            Obj::Decimal128(Some(d)) if bson => Value::Decimal128(*d),
            Obj::Timestamp(Some((time, increment))) if bson => Value::Timestamp {
                time: *time,
                increment: *increment,
            },
            Obj::ObjectId(None)
            | Obj::Regex(None)
            | Obj::Decimal128(None)
            | Obj::Timestamp(None) => {
                return Err(Error::malformed(
                    Layer::Pickle,
                    self.at(h),
                    "object never received its BUILD state",
                )
                .into())
            }
            other => return Err(Fault::Unwritable(kind(other))),
        };
        // The value's string, bytes or pattern has the object's length (measured on the
        // object: `Str::len` would check the inline text's UTF-8 again).
        self.count(obj.buffer_len())?;
        Ok(value)
    }

    /// Marks `h` as being converted, refusing a cycle and too deep a nesting.
    fn enter(&mut self, h: Handle, depth: usize) -> Result<(), Fault> {
        if depth > self.limits.max_depth.min(Limits::MAX_DEPTH) {
            return Err(Error::LimitExceeded(Limit::Depth).into());
        }
        match self.on_path.get_mut(h) {
            Some(flag) if !*flag => {
                *flag = true;
                self.count(0)
            }
            _ => {
                Err(Error::malformed(Layer::Pickle, self.at(h), "container contains itself").into())
            }
        }
    }

    fn leave(&mut self, h: Handle) {
        if let Some(flag) = self.on_path.get_mut(h) {
            *flag = false;
        }
    }
}

/// Whether [`Converter::open_container`] opens `obj`.
fn is_container(obj: &Obj<'_>) -> bool {
    matches!(obj, Obj::Tuple(..) | Obj::List(_) | Obj::Dict(_))
}

fn bad_handle() -> Fault {
    Fault::Fatal(Error::malformed(Layer::Pickle, 0, "bad handle"))
}

/// Up to this many entries, [`dedupe`] compares keys pairwise instead of using a map.
const SMALL_DICT: usize = 16;

/// Builds a document as Python would see it after writing and reading back: keys equal in
/// Python (`1`, `1.0`, `True`) merge first (first key, last value, as a dict does), then keys
/// that only become equal as text merge by [`Document::from_entries`] (as JSON reading does).
/// `sames[i]` is how Python compares the key of `entries[i]`.
fn dedupe(entries: Vec<(Str, Value)>, sames: &[Same<'_>]) -> Document {
    // String keys are equal in Python exactly when their texts are: `from_entries` alone
    // merges them. That is every dict of a BSON payload and most of a JSON one.
    let all_text = sames.iter().all(|s| matches!(s, Same::Str(_)));
    // Most other dicts are small and have no keys Python finds equal: comparing pairs there
    // is cheaper than a map, and allocates nothing.
    if all_text
        || (sames.len() <= SMALL_DICT
            && sames
                .iter()
                .enumerate()
                .all(|(i, same)| sames.iter().take(i).all(|s| s != same)))
    {
        return Document::from_entries(entries);
    }
    // The keys come from the pickle: `Index` keeps any choice of them O(n log² n).
    let mut seen: Index<Same<'_>, usize> = Index::new();
    let mut merged: Vec<(Str, Value)> = Vec::with_capacity(entries.len());
    for ((text, value), &same) in entries.into_iter().zip(sames) {
        match seen.insert_or_get(same, merged.len()) {
            // `i` is the position `merged` had when the key was pushed there.
            #[allow(clippy::indexing_slicing)]
            Some(&mut i) => merged[i].1 = value,
            None => merged.push((text, value)),
        }
    }
    Document::from_entries(merged)
}

/// What `bson.encode` stores for a `Regex`: the pattern (UTF-8, no NUL) and the flag letters
/// `ilmsux` it knows, in that order (`bson/__init__.py` `_encode_regex`).
fn regex(pattern: &[u8], flags: i128) -> Result<Value, Fault> {
    let pattern = core::str::from_utf8(pattern)
        .map_err(|_| Fault::Unwritable("regex pattern that is not UTF-8"))?;
    if pattern.contains('\0') {
        return Err(Fault::Unwritable("regex pattern with a NUL byte"));
    }
    const LETTERS: [(i128, char); 6] = [
        (2, 'i'),
        (4, 'l'),
        (8, 'm'),
        (16, 's'),
        (32, 'u'),
        (64, 'x'),
    ];
    let options = LETTERS
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|&(_, c)| c)
        .collect();
    Ok(Value::Regex(Box::new(Regex {
        pattern: Str::from(pattern),
        options,
    })))
}

/// `i` in decimal, as Python's `int.__repr__` and `json.dumps` write an int key (a `-` for
/// negatives, no leading zeros), without `core::fmt`'s integer `Display` and its padding.
fn decimal(i: i128) -> String {
    // |i128::MIN| has 39 digits.
    let mut digits = [0u8; 39];
    let mut rest = i.unsigned_abs();
    let mut start = digits.len();
    for slot in digits.iter_mut().rev() {
        // 64-bit division once the rest fits (every int of 64 bits or less from the start):
        // a 128-bit one is a call into compiler_builtins per digit.
        let (quotient, digit) = match u64::try_from(rest) {
            Ok(small) => (u128::from(small / 10), small % 10),
            Err(_) => (rest / 10, (rest % 10) as u64),
        };
        // `digit` is below 10, so the sum is an ASCII digit.
        *slot = b'0' + digit as u8;
        start -= 1;
        rest = quotient;
        if rest == 0 {
            break;
        }
    }
    let mut out = String::with_capacity(digits.len() + 1 - start);
    if i < 0 {
        out.push('-');
    }
    out.extend(digits.iter().skip(start).map(|&d| char::from(d)));
    out
}

fn float_same(f: f64) -> Same<'static> {
    // Python: 1.0 == 1 and -0.0 == 0 (same dict key). `as` saturates, so an integral float
    // round-trips through i128 exactly when it is in range (no `f64::fract` in `core`).
    let i = f as i128;
    if f.is_finite() && i as f64 == f && i != i128::MAX && i != i128::MIN {
        Same::Int(i)
    } else {
        Same::Float(f.to_bits())
    }
}

/// The text of a `str`, or of a Python 2 `str` that is UTF-8.
fn text<'h>(obj: &'h Obj<'_>) -> Option<&'h str> {
    match obj {
        Obj::Str(s) => Some(s),
        Obj::Str2(b) => core::str::from_utf8(b).ok(),
        _ => None,
    }
}

/// The Python type of a value no payload can hold, for [`Error::Unwritable`].
fn kind(obj: &Obj<'_>) -> &'static str {
    match obj {
        Obj::None => "None",
        Obj::Bool(_) => "bool",
        Obj::Int(_) | Obj::BigInt => "int",
        Obj::Float(_) => "float",
        Obj::Str(_) => "str",
        Obj::Str2(raw) if core::str::from_utf8(raw).is_ok() => "str",
        Obj::Str2(_) | Obj::Bytes(_) => "bytes",
        Obj::Tuple(..) => "tuple",
        Obj::List(_) => "list",
        Obj::Dict(_) => "dict",
        Obj::Set { frozen: false } => "set",
        Obj::Set { frozen: true } => "frozenset",
        Obj::Global(_) => "class or function",
        Obj::Placeholder(_) => "placeholder",
        Obj::Refused { what, .. } => what,
        Obj::Uuid => "uuid.UUID",
        Obj::TimeDelta(_) => "datetime.timedelta",
        Obj::TimeZone(_) => "datetime.timezone",
        Obj::DateTime { .. } => "datetime.datetime",
        Obj::Int64(_) => "bson.int64.Int64",
        Obj::ObjectId(_) => "bson.objectid.ObjectId",
        Obj::Binary { .. } => "bson.binary.Binary",
        Obj::Regex(_) => "bson.regex.Regex",
        Obj::Decimal128(_) => "bson.decimal128.Decimal128",
        Obj::Timestamp(_) => "bson.timestamp.Timestamp",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `{1: 'a', 1.0: 'b', True: 'c', -0.0: 'z', 0: 'y', '1': 's'}` is `{1: 'c', -0.0: 'y',
    /// '1': 's'}` in Python; `json.dumps` then writes `"1"` twice, and reading keeps the last.
    #[test]
    fn convert_numeric_keys_merge_like_python() {
        let p = b"\x80\x02}(K\x01X\x01\x00\x00\x00aG?\xf0\x00\x00\x00\x00\x00\x00X\x01\x00\x00\x00b\x88X\x01\x00\x00\x00c\
                  G\x80\x00\x00\x00\x00\x00\x00\x00X\x01\x00\x00\x00zK\x00X\x01\x00\x00\x00yX\x01\x00\x00\x001X\x01\x00\x00\x00su.";
        let limits = Limits::DEFAULT;
        let json = crate::pickle::read(p, &limits).unwrap().into_session(
            Target::Json,
            &[] as &[&str],
            &limits,
        );
        let got: Vec<(Str, Value)> = json.unwrap().into_entries();
        assert_eq!(
            got,
            [
                ("1".into(), Value::from("s")),
                ("-0.0".into(), Value::from("y"))
            ]
        );
        let bson = crate::pickle::read(p, &limits).unwrap().into_session(
            Target::Bson,
            &[] as &[&str],
            &limits,
        );
        assert!(
            matches!(bson, Err(Error::Unwritable { layer: Layer::Bson, key, .. }) if key.as_str() == "1")
        );
    }

    /// `{'k': {5000: 0, 4999: 1, ..., 1: 4999, 1.0: .., ..., 300.0: .., '1': .., ..., '50': ..}}`:
    /// the keys Python compares come from the pickle, in the order that moves the most
    /// (descending), at the largest cookie (64 KiB) with the limits raised. The float keys merge
    /// into the int keys equal to them (first key, last value), the string keys into the same
    /// text once written (first position, last value), as Python's `json.dumps` then `loads`.
    #[test]
    fn convert_hostile_mixed_keys_merge_like_python_at_the_largest_cookie() {
        use crate::pickle::opcodes::*;
        let mut limits = Limits::DEFAULT;
        limits.max_cookie_len = 64 * 1024;
        limits.max_inflated_len = 64 << 20;
        limits.max_session_bytes = 64 << 20;
        let n = 5_000u16;
        let int = |p: &mut Vec<u8>, i: i32| {
            p.push(BININT);
            p.extend_from_slice(&i.to_le_bytes());
        };
        let mut p = alloc::vec![
            PROTO,
            2,
            EMPTY_DICT,
            SHORT_BINUNICODE,
            1,
            b'k',
            EMPTY_DICT,
            MARK
        ];
        for i in 0..n {
            p.push(BININT2);
            p.extend_from_slice(&(n - i).to_le_bytes());
            int(&mut p, i.into());
        }
        for k in 1..=300u16 {
            p.push(BINFLOAT);
            p.extend_from_slice(&f64::from(k).to_be_bytes());
            int(&mut p, 100_000 + i32::from(k));
        }
        for k in 1..=50u16 {
            let text = decimal(k.into());
            p.extend_from_slice(&[SHORT_BINUNICODE, text.len() as u8]);
            p.extend_from_slice(text.as_bytes());
            int(&mut p, 200_000 + i32::from(k));
        }
        p.extend_from_slice(&[SETITEMS, SETITEM, STOP]);
        assert!(p.len() <= (64 * 1024 - 40) / 4 * 3, "{} bytes", p.len());
        let session = crate::pickle::read(&p, &limits)
            .unwrap()
            .into_session(Target::Json, &[] as &[&str], &limits)
            .unwrap();
        let Some(Value::Document(inner)) = session.get("k") else {
            panic!("not a document")
        };
        let want: Vec<(Str, Value)> = (1..=n)
            .rev()
            .map(|k| {
                let value = match k {
                    1..=50 => 200_000 + i64::from(k),
                    51..=300 => 100_000 + i64::from(k),
                    _ => i64::from(n - k),
                };
                (Str::from(decimal(k.into())), Value::from(value))
            })
            .collect();
        assert_eq!(inner.entries(), want.as_slice());
    }

    #[test]
    fn convert_int_keys_in_decimal() {
        use alloc::string::ToString;
        for i in [
            0,
            1,
            -1,
            9,
            10,
            -10,
            i128::from(i64::MAX),
            i128::from(i64::MIN),
            i128::from(u64::MAX),
            i128::from(u64::MAX) + 1,
            -i128::from(u64::MAX) - 1,
            i128::MAX,
            i128::MIN,
        ] {
            assert_eq!(decimal(i), i.to_string());
        }
    }

    #[test]
    fn convert_regex_flags_like_pymongo() {
        let v = regex(b"a", -1).ok().unwrap();
        assert_eq!(
            v,
            Value::Regex(Box::new(Regex {
                pattern: "a".into(),
                options: "ilmsux".into()
            }))
        );
        let v = regex(b"a", 1 | 2 | 128 | 256).ok().unwrap();
        assert_eq!(
            v,
            Value::Regex(Box::new(Regex {
                pattern: "a".into(),
                options: "i".into()
            }))
        );
    }
}
