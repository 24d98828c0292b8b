//! The protocol-2 pickle writer: the opcodes CPython 3's `pickle.dumps(session, 2)` writes for
//! a session read from a beaker-session-jwt cookie (`Lib/pickle.py`, `save_*`), so that
//! `pickle.loads` gives back the same session with the same BSON types, in no more bytes than
//! Python's pickle of that session.
//!
//! Python memoizes every str, bytes, tuple, container, global and reduced object it writes
//! (`BINPUT`), and writes a later occurrence of the *same object* as a `BINGET`: the keys of
//! many dicts made from one literal, an interned string, a name such as `'_Binary__subtype'`.
//! A session has no object identities, so this writer shares by *value* what is immutable in
//! Python (str, bytes, `Binary`, datetime, `ObjectId`, `Int64`, `Timestamp`, `Decimal128`, and
//! globals): the first pass counts each such value, the second writes it once, puts it in the
//! memo when a later `BINGET` is shorter than writing it again, and gets it there after.
//! Python's memo indices are never smaller than ours (it memoizes a superset, in the same
//! order), so each `BINGET` and `BINPUT` here is no longer than Python's. Dicts and lists are
//! never shared: two equal lists must stay two lists for the Python code that mutates one.
//!
//! Other differences from Python's bytes, none of which change what `pickle.loads` returns:
//! a value is put only when it recurs (Python puts every object); every container of two or
//! more items is one `MARK ... SETITEMS`/`APPENDS` batch (Python batches by 1000) and a single
//! item is a `SETITEM`/`APPEND`, as in Python; a tuple read from a cookie is written as a list (the
//! session model has none; `EMPTY_LIST`...`APPENDS` is no longer than `TUPLEn` + `BINPUT`); a
//! regex's flags are a plain int (Python writes `re.RegexFlag(n)`); and an `Int64` beyond 32
//! bits is written as a plain int (pymongo writes any Python int beyond 32 bits as BSON int64
//! anyway, and the cookie then loads without pymongo).
//!
//! What this cannot match: a dict, list or tuple that a Python session holds twice by
//! reference (`{'a': x, 'b': x}`) is one `BINGET` in Python and written twice here, since the
//! session model cannot tell it from two equal values.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Error, Layer, Name, Result};
use crate::pickle::datetime;
use crate::pickle::opcodes::*;
use crate::value::{Document, Str, Value};

/// Writes `doc` as a protocol-2 pickle.
///
/// How each value is written: double `float`; string and symbol `str`; document `dict`; array
/// `list`; binary subtype 0 `bytes` (`_codecs.encode(text, 'latin1')`, or `bytes()` when empty);
/// other binary `bson.binary.Binary`; null and undefined `None` (pymongo reads undefined as
/// None); bool; datetime a naive `datetime.datetime` in UTC; int32 `int`; int64 `bson.int64.Int64`
/// when it fits 32 bits, else `int`; objectid, regex, timestamp, decimal128 their pymongo class,
/// with the state pymongo pickles. An equal str, bytes or immutable pymongo value met again is
/// a memo get when that is shorter (see the module docs), so the pickle is never longer than
/// Python's `pickle.dumps(session, 2)` of a session without shared dicts or lists.
///
/// # Errors
/// [`Error::Unwritable`] in [`Layer::Pickle`], naming the top-level key, for a value whose
/// Python class is not in the reader's whitelist (dbpointer, javascript, javascript with scope,
/// minkey, maxkey) and for a datetime outside years 1..=9999.
///
/// # Limits
/// None needed: time is O(n log n) and memory linear in the size of `doc` (two passes, each
/// value looked up once in an ordered memo), and nesting is walked with an explicit stack (no
/// recursion).
pub fn write(doc: &Document) -> Result<Vec<u8>> {
    let mut w = Writer {
        out: Vec::new(),
        uses: BTreeMap::new(),
        memo: BTreeMap::new(),
        counting: true,
    };
    w.pass(doc)?;
    w.out.clear();
    w.counting = false;
    w.pass(doc)?;
    Ok(w.out)
}

/// A container being written; its `MARK` (if any) is already out, `.1` closes it.
enum Frame<'a> {
    Dict(core::slice::Iter<'a, (Str, Value)>, u8),
    List(core::slice::Iter<'a, Value>, u8),
}

/// A value shared by value: its memo key. Ordered for the memo's `BTreeMap`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Memo<'a> {
    /// `GLOBAL module name`.
    Global(&'static str, &'static str),
    /// A `str`: session keys and strings, and the writer's own names (`'latin1'`, `'flags'` ...).
    Text(&'a str),
    /// A `bytes`.
    Bytes(&'a [u8]),
    /// A `bson.binary.Binary` of a subtype other than 0.
    Binary(u8, &'a [u8]),
    /// A `bson.objectid.ObjectId`.
    ObjectId(&'a [u8; 12]),
    /// A `datetime.datetime`, by its milliseconds.
    DateTime(i64),
    /// A `bson.int64.Int64` that fits 32 bits.
    Int64(i64),
    /// A `bson.timestamp.Timestamp`.
    Timestamp(u32, u32),
    /// A `bson.decimal128.Decimal128`.
    Decimal128(&'a [u8; 16]),
}

/// What a closure writing one value returns: the error text for [`Error::Unwritable`].
type Step = core::result::Result<(), &'static str>;

struct Writer<'a> {
    out: Vec<u8>,
    /// Counted by the first pass: how often each memo key is met (nested keys included).
    uses: BTreeMap<Memo<'a>, usize>,
    /// Filled by the second pass: the memo index each shared value was put at.
    memo: BTreeMap<Memo<'a>, u32>,
    /// The first pass: count, write everything in full, keep nothing.
    counting: bool,
}

impl<'a> Writer<'a> {
    /// One pass over `doc`: the whole pickle, `PROTO` to `STOP`.
    fn pass(&mut self, doc: &'a Document) -> Result<()> {
        self.out.extend_from_slice(&[PROTO, 2]);
        let mut stack: Vec<Frame<'a>> = Vec::new();
        let mut key = "";
        self.open_dict(doc, &mut stack);
        loop {
            let step = match stack.last_mut() {
                None => break,
                Some(Frame::Dict(it, _)) => it.next().map(|(k, v)| (Some(k.as_str()), v)),
                Some(Frame::List(it, _)) => it.next().map(|v| (None, v)),
            };
            match step {
                Some((k, v)) => {
                    if let Some(k) = k {
                        if stack.len() == 1 {
                            key = k;
                        }
                    }
                    k.map_or(Ok(()), |k| self.text(k))
                        .and_then(|()| self.value(v, &mut stack))
                        .map_err(|what| Error::Unwritable {
                            layer: Layer::Pickle,
                            key: Name::new(key),
                            what,
                        })?;
                }
                None => {
                    if let Some(Frame::Dict(_, closing) | Frame::List(_, closing)) = stack.pop() {
                        self.out.push(closing);
                    }
                }
            }
        }
        self.out.push(STOP);
        Ok(())
    }

    /// `EMPTY_DICT`, then `MARK` when two or more items follow (`_batch_setitems`: one item
    /// is a lone `SETITEM`).
    fn open_dict(&mut self, doc: &'a Document, stack: &mut Vec<Frame<'a>>) {
        self.out.push(EMPTY_DICT);
        let closing = match doc.len() {
            0 => return,
            1 => SETITEM,
            _ => {
                self.out.push(MARK);
                SETITEMS
            }
        };
        stack.push(Frame::Dict(doc.entries().iter(), closing));
    }

    /// `EMPTY_LIST`, then `MARK` when two or more items follow (`_batch_appends`).
    fn open_list(&mut self, items: &'a [Value], stack: &mut Vec<Frame<'a>>) {
        self.out.push(EMPTY_LIST);
        let closing = match items.len() {
            0 => return,
            1 => APPEND,
            _ => {
                self.out.push(MARK);
                APPENDS
            }
        };
        stack.push(Frame::List(items.iter(), closing));
    }

    fn value(&mut self, v: &'a Value, stack: &mut Vec<Frame<'a>>) -> Step {
        match v {
            Value::Double(f) => {
                self.out.push(BINFLOAT);
                self.out.extend_from_slice(&f.to_be_bytes());
            }
            Value::String(s) | Value::Symbol(s) => self.text(s)?,
            Value::Document(d) => self.open_dict(d, stack),
            Value::Array(items) => self.open_list(items, stack),
            Value::Binary { subtype: 0, bytes } => self.bytes(bytes)?,
            Value::Binary { subtype, bytes } => {
                self.shared(Memo::Binary(*subtype, bytes), |w| {
                    w.global("bson.binary", "Binary")?;
                    w.bytes(bytes)?;
                    w.int((*subtype).into());
                    w.out.extend_from_slice(&[TUPLE2, NEWOBJ, EMPTY_DICT]);
                    w.text("_Binary__subtype")?;
                    w.int((*subtype).into());
                    w.out.extend_from_slice(&[SETITEM, BUILD]);
                    Ok(())
                })?;
            }
            Value::Null | Value::Undefined => self.out.push(NONE),
            Value::Bool(b) => self.out.push(if *b { NEWTRUE } else { NEWFALSE }),
            Value::ObjectId(id) => {
                self.shared(Memo::ObjectId(id), |w| {
                    w.new_object("bson.objectid", "ObjectId")?;
                    w.bytes(id)?;
                    w.out.push(BUILD);
                    Ok(())
                })?;
            }
            Value::DateTime(ms) => {
                let state = datetime::datetime_bytes(*ms).ok_or("datetime out of range")?;
                self.shared(Memo::DateTime(*ms), |w| {
                    w.global("datetime", "datetime")?;
                    // Python's state is a new bytes object each time: not shared.
                    w.fresh_bytes(&state)?;
                    w.out.extend_from_slice(&[TUPLE1, REDUCE]);
                    Ok(())
                })?;
            }
            Value::Regex(regex) => {
                // Not shared: a pymongo Regex is mutable (its pattern and flags are plain
                // attributes).
                let (pattern, options) = (&regex.pattern, &regex.options);
                self.new_object("bson.regex", "Regex")?;
                self.out.extend_from_slice(&[EMPTY_DICT, MARK]);
                self.text("flags")?;
                self.int(regex_flags(options));
                self.text("pattern")?;
                self.text(pattern)?;
                self.out.extend_from_slice(&[SETITEMS, BUILD]);
            }
            Value::Int32(i) => self.int((*i).into()),
            Value::Int64(i) => match i32::try_from(*i) {
                // A small Int64 must stay Int64 to round-trip as BSON int64.
                Ok(small) => self.shared(Memo::Int64(*i), |w| {
                    w.global("bson.int64", "Int64")?;
                    w.int(small.into());
                    w.out
                        .extend_from_slice(&[TUPLE1, NEWOBJ, EMPTY_DICT, BUILD]);
                    Ok(())
                })?,
                Err(_) => self.int((*i).into()),
            },
            Value::Timestamp { time, increment } => {
                self.shared(Memo::Timestamp(*time, *increment), |w| {
                    w.new_object("bson.timestamp", "Timestamp")?;
                    w.out.extend_from_slice(&[EMPTY_DICT, MARK]);
                    w.text("_Timestamp__inc")?;
                    w.int((*increment).into());
                    w.text("_Timestamp__time")?;
                    w.int((*time).into());
                    w.out.extend_from_slice(&[SETITEMS, BUILD]);
                    Ok(())
                })?;
            }
            Value::Decimal128(bid) => {
                self.shared(Memo::Decimal128(bid), |w| {
                    // The 16 bytes are little-endian: the low 64 bits first.
                    let bits = u128::from_le_bytes(*bid);
                    let (low, high) = (bits as u64, (bits >> 64) as u64);
                    w.new_object("bson.decimal128", "Decimal128")?;
                    w.int(high.into());
                    w.int(low.into());
                    w.out.extend_from_slice(&[TUPLE2, BUILD]);
                    Ok(())
                })?;
            }
            Value::DbPointer(_) => return Err("dbpointer (pymongo's DBRef is not whitelisted)"),
            Value::JavaScript(_) | Value::JavaScriptWithScope(_) => {
                return Err("javascript (pymongo's Code is not whitelisted)")
            }
            Value::MinKey | Value::MaxKey => return Err("minkey/maxkey (not whitelisted)"),
        }
        Ok(())
    }

    /// A `str` (session text or one of the writer's names), shared by value.
    fn text(&mut self, s: &'a str) -> Step {
        self.shared(Memo::Text(s), |w| w.fresh_text(s))
    }

    /// `BINUNICODE` of `s`, which may be too long for its 4-byte length.
    fn fresh_text(&mut self, s: &str) -> Step {
        let len = u32::try_from(s.len()).map_err(|_| "string of 4 GiB or more")?;
        self.out.push(BINUNICODE);
        self.out.extend_from_slice(&len.to_le_bytes());
        self.out.extend_from_slice(s.as_bytes());
        Ok(())
    }

    /// Python's `save_long` for protocol 2: the shortest of BININT1, BININT2, BININT, LONG1.
    fn int(&mut self, i: i128) {
        if let Ok(b) = u8::try_from(i) {
            self.out.extend_from_slice(&[BININT1, b]);
        } else if let Ok(w) = u16::try_from(i) {
            self.out.push(BININT2);
            self.out.extend_from_slice(&w.to_le_bytes());
        } else if let Ok(d) = i32::try_from(i) {
            self.out.push(BININT);
            self.out.extend_from_slice(&d.to_le_bytes());
        } else {
            // Shortest two's complement: drop sign bytes while the next byte keeps the sign.
            let bytes = i.to_le_bytes();
            let fill = if i < 0 { 0xFF } else { 0 };
            let mut n = bytes.len();
            while n > 1
                && bytes.get(n - 1) == Some(&fill)
                && bytes.get(n - 2).is_some_and(|b| (b & 0x80 != 0) == (i < 0))
            {
                n -= 1;
            }
            self.out.extend_from_slice(&[LONG1, n as u8]);
            self.out.extend(bytes.iter().take(n));
        }
    }

    /// A `bytes`, shared by value.
    fn bytes(&mut self, b: &'a [u8]) -> Step {
        self.shared(Memo::Bytes(b), |w| w.fresh_bytes(b))
    }

    /// Python 3's protocol-2 `bytes`: `_codecs.encode(text, 'latin1')`, or `bytes()` if empty.
    fn fresh_bytes(&mut self, b: &[u8]) -> Step {
        if b.is_empty() {
            self.global("__builtin__", "bytes")?;
            self.out.extend_from_slice(&[EMPTY_TUPLE, REDUCE]);
            return Ok(());
        }
        self.global("_codecs", "encode")?;
        // Python decodes a new str for each bytes object: never got again.
        let text: String = b.iter().map(|&c| char::from(c)).collect();
        self.fresh_text(&text)?;
        self.text("latin1")?;
        self.out.extend_from_slice(&[TUPLE2, REDUCE]);
        Ok(())
    }

    /// `GLOBAL module name`, shared.
    fn global(&mut self, module: &'static str, name: &'static str) -> Step {
        self.shared(Memo::Global(module, name), |w| {
            w.out.push(GLOBAL);
            for part in [module, name] {
                w.out.extend_from_slice(part.as_bytes());
                w.out.push(b'\n');
            }
            Ok(())
        })
    }

    /// `cls.__new__(cls)` for a pymongo class whose state follows.
    fn new_object(&mut self, module: &'static str, name: &'static str) -> Step {
        self.global(module, name)?;
        self.out.extend_from_slice(&[EMPTY_TUPLE, NEWOBJ]);
        Ok(())
    }

    /// Writes the value `key` names: a memo get if it was put, else `write`, then a put when
    /// the gets that can follow are shorter than writing the value again each time.
    fn shared(&mut self, key: Memo<'a>, write: impl FnOnce(&mut Self) -> Step) -> Step {
        if self.counting {
            let n = self.uses.entry(key).or_insert(0);
            *n = n.saturating_add(1);
            return write(self);
        }
        if let Some(&index) = self.memo.get(&key) {
            self.memo_op(BINGET, LONG_BINGET, index);
            return Ok(());
        }
        let start = self.out.len();
        write(self)?;
        let size = self.out.len().saturating_sub(start);
        // The count may include copies inside a value that is itself got, never written:
        // then a put is wasted, but is still one Python writes too.
        let again = self.uses.get(&key).map_or(0, |n| n.saturating_sub(1));
        let Ok(index) = u32::try_from(self.memo.len()) else {
            return Ok(());
        };
        let op = if index < 256 { 2 } else { 5 };
        // Pays when `again` gets and one put are shorter than `again` more copies.
        if again.saturating_mul(size.saturating_sub(op)) > op {
            self.memo_op(BINPUT, LONG_BINPUT, index);
            self.memo.insert(key, index);
        }
        Ok(())
    }

    /// A memo put or get: the 1-byte-index opcode below 256, else the 4-byte one.
    fn memo_op(&mut self, short: u8, long: u8, index: u32) {
        match u8::try_from(index) {
            Ok(i) => self.out.extend_from_slice(&[short, i]),
            Err(_) => {
                self.out.push(long);
                self.out.extend_from_slice(&index.to_le_bytes());
            }
        }
    }
}

/// pymongo's `str_flags_to_int`: the letters `ilmsux` to `re` flag bits, others ignored.
fn regex_flags(options: &str) -> i128 {
    [
        ('i', 2),
        ('l', 4),
        ('m', 8),
        ('s', 16),
        ('u', 32),
        ('x', 64),
    ]
    .iter()
    .filter(|(c, _)| options.contains(*c))
    .map(|&(_, bit)| bit)
    .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_ints_like_save_long() {
        let mut w = Writer {
            out: Vec::new(),
            uses: BTreeMap::new(),
            memo: BTreeMap::new(),
            counting: false,
        };
        for i in [
            0,
            255,
            256,
            65_535,
            65_536,
            -1,
            i128::from(i32::MIN),
            1 << 31,
            -(1 << 31) - 1,
            1 << 40,
            -(1 << 63),
        ] {
            w.int(i);
        }
        let want: &[u8] = b"K\x00K\xffM\x00\x01M\xff\xffJ\x00\x00\x01\x00J\xff\xff\xff\xffJ\x00\x00\x00\x80\
            \x8a\x05\x00\x00\x00\x80\x00\x8a\x05\xff\xff\xff\x7f\xff\x8a\x06\x00\x00\x00\x00\x00\x01\
            \x8a\x08\x00\x00\x00\x00\x00\x00\x00\x80";
        assert_eq!(w.out, want);
    }

    #[test]
    fn write_bytes_like_python_protocol_2() {
        // pickle.dumps({'b': b'\x00\xff'}, 2) minus Python's BINPUTs (nothing is got again).
        let mut doc = Document::new();
        doc.insert(
            "b",
            Value::Binary {
                subtype: 0,
                bytes: alloc::vec![0, 0xFF],
            },
        );
        let got = write(&doc).unwrap();
        let want: &[u8] =
            b"\x80\x02}X\x01\x00\x00\x00bc_codecs\nencode\nX\x03\x00\x00\x00\x00\xc3\xbf\
            X\x06\x00\x00\x00latin1\x86Rs.";
        assert_eq!(got, want);
    }

    #[test]
    fn write_gets_repeated_strings_and_bytes_from_the_memo() {
        // [{'id': 'x'}, {'id': 'x'}, b'ab', b'ab', b'cd']: 'id' and 'x' put once, got after;
        // b'ab' put whole, and the global and 'latin1' put for the second bytes object.
        let mut item = Document::new();
        item.insert("id", "x");
        let bin = |b: &[u8]| Value::Binary {
            subtype: 0,
            bytes: b.to_vec(),
        };
        let mut doc = Document::new();
        doc.insert(
            "l",
            Value::Array(alloc::vec![
                Value::Document(item.clone()),
                Value::Document(item),
                bin(b"ab"),
                bin(b"ab"),
                bin(b"cd"),
            ]),
        );
        let got = write(&doc).unwrap();
        let want: &[u8] = b"\x80\x02}X\x01\x00\x00\x00l](}X\x02\x00\x00\x00idq\x00\
            X\x01\x00\x00\x00xq\x01s}h\x00h\x01s\
            c_codecs\nencode\nq\x02X\x02\x00\x00\x00abX\x06\x00\x00\x00latin1q\x03\x86Rq\x04\
            h\x04h\x02X\x02\x00\x00\x00cdh\x03\x86Res.";
        assert_eq!(got, want);
    }

    #[test]
    fn write_uses_long_memo_opcodes_past_255() {
        // 300 distinct strings, each twice: the 257th put and its get take 4-byte indices.
        let mut doc = Document::new();
        for i in 0..300 {
            let s = alloc::format!("value {i:03}");
            doc.insert(alloc::format!("a{i}").as_str(), s.as_str());
            doc.insert(alloc::format!("b{i}").as_str(), s.as_str());
        }
        let got = write(&doc).unwrap();
        let put = b"value 256r\x00\x01\x00\x00";
        let get = b"b256j\x00\x01\x00\x00";
        assert!(got.windows(put.len()).any(|w| w == put));
        assert!(got.windows(get.len()).any(|w| w == get));
    }

    #[test]
    fn write_refuses_classes_outside_the_whitelist() {
        let mut doc = Document::new();
        doc.insert("ok", 1);
        doc.insert(
            "code",
            Value::Array(alloc::vec![Value::JavaScript("f()".into())]),
        );
        assert!(matches!(
            write(&doc),
            Err(Error::Unwritable { layer: Layer::Pickle, key, .. }) if key.as_str() == "code"
        ));
    }
}
