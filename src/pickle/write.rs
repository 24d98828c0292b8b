//! The protocol-2 pickle writer: the opcodes CPython 3's `pickle.dumps(session, 2)` writes for
//! a session read from a beaker-session-jwt cookie (`Lib/pickle.py`, `save_*`), so that
//! `pickle.loads` gives back the same session with the same BSON types.
//!
//! Differences from Python's bytes, none of which change what `pickle.loads` returns: only
//! globals and the `'latin1'` string are memoized (Python memoizes every string and container),
//! every non-empty container is one `MARK ... SETITEMS`/`APPENDS` batch, and an `Int64` beyond 32
//! bits is written as a plain int (pymongo writes any Python int beyond 32 bits as BSON int64
//! anyway, and the cookie then loads without pymongo).

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Error, Layer, Name, Result};
use crate::pickle::datetime;
use crate::pickle::ops::*;
use crate::value::{Document, Str, Value};

/// Writes `doc` as a protocol-2 pickle.
///
/// How each value is written: double `float`; string and symbol `str`; document `dict`; array
/// `list`; binary subtype 0 `bytes` (`_codecs.encode(text, 'latin1')`, or `bytes()` when empty);
/// other binary `bson.binary.Binary`; null and undefined `None` (pymongo reads undefined as
/// None); bool; datetime a naive `datetime.datetime` in UTC; int32 `int`; int64 `bson.int64.Int64`
/// when it fits 32 bits, else `int`; objectid, regex, timestamp, decimal128 their pymongo class,
/// with the state pymongo pickles.
///
/// # Errors
/// [`Error::Unwritable`] in [`Layer::Pickle`], naming the top-level key, for a value whose
/// Python class is not in the reader's whitelist (dbpointer, javascript, javascript with scope,
/// minkey, maxkey) and for a datetime outside years 1..=9999.
///
/// # Limits
/// None needed: the output is linear in the size of `doc`, and nesting is walked with an
/// explicit stack (no recursion).
pub fn write(doc: &Document) -> Result<Vec<u8>> {
    let mut w = Writer {
        out: Vec::new(),
        memo: Vec::new(),
    };
    w.out.extend_from_slice(&[PROTO, 2]);
    let mut stack: Vec<Frame<'_>> = Vec::new();
    let mut key = "";
    w.open_dict(doc, &mut stack);
    loop {
        let step = match stack.last_mut() {
            None => break,
            Some(Frame::Dict(it)) => it.next().map(|(k, v)| (Some(k.as_str()), v)),
            Some(Frame::List(it)) => it.next().map(|v| (None, v)),
        };
        match step {
            Some((k, v)) => {
                if let Some(k) = k {
                    if stack.len() == 1 {
                        key = k;
                    }
                }
                k.map_or(Ok(()), |k| w.text(k))
                    .and_then(|()| w.value(v, &mut stack))
                    .map_err(|what| Error::Unwritable {
                        layer: Layer::Pickle,
                        key: Name::new(key),
                        what,
                    })?;
            }
            None => {
                let closing = match stack.pop() {
                    Some(Frame::Dict(_)) => SETITEMS,
                    _ => APPENDS,
                };
                w.out.push(closing);
            }
        }
    }
    w.out.push(STOP);
    Ok(w.out)
}

/// A container being written; its `MARK` is already out.
enum Frame<'a> {
    Dict(core::slice::Iter<'a, (Str, Value)>),
    List(core::slice::Iter<'a, Value>),
}

/// What is memoized: a global, or the `'latin1'` string.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Memo {
    Global(&'static str, &'static str),
    Latin1,
}

struct Writer {
    out: Vec<u8>,
    memo: Vec<Memo>,
}

impl Writer {
    fn open_dict<'a>(&mut self, doc: &'a Document, stack: &mut Vec<Frame<'a>>) {
        self.out.push(EMPTY_DICT);
        if !doc.is_empty() {
            self.out.push(MARK);
            stack.push(Frame::Dict(doc.entries().iter()));
        }
    }

    fn value<'a>(
        &mut self,
        v: &'a Value,
        stack: &mut Vec<Frame<'a>>,
    ) -> core::result::Result<(), &'static str> {
        match v {
            Value::Double(f) => {
                self.out.push(BINFLOAT);
                self.out.extend_from_slice(&f.to_be_bytes());
            }
            Value::String(s) | Value::Symbol(s) => self.text(s)?,
            Value::Document(d) => self.open_dict(d, stack),
            Value::Array(items) => {
                self.out.push(EMPTY_LIST);
                if !items.is_empty() {
                    self.out.push(MARK);
                    stack.push(Frame::List(items.iter()));
                }
            }
            Value::Binary { subtype: 0, bytes } => self.bytes(bytes)?,
            Value::Binary { subtype, bytes } => {
                self.global("bson.binary", "Binary");
                self.bytes(bytes)?;
                self.int((*subtype).into());
                self.out.extend_from_slice(&[TUPLE2, NEWOBJ, EMPTY_DICT]);
                self.name("_Binary__subtype");
                self.int((*subtype).into());
                self.out.extend_from_slice(&[SETITEM, BUILD]);
            }
            Value::Null | Value::Undefined => self.out.push(NONE),
            Value::Bool(b) => self.out.push(if *b { NEWTRUE } else { NEWFALSE }),
            Value::ObjectId(id) => {
                self.new_object("bson.objectid", "ObjectId");
                self.bytes(id)?;
                self.out.push(BUILD);
            }
            Value::DateTime(ms) => {
                let state = datetime::datetime_bytes(*ms).ok_or("datetime out of range")?;
                self.global("datetime", "datetime");
                self.bytes(&state)?;
                self.out.extend_from_slice(&[TUPLE1, REDUCE]);
            }
            Value::Regex(regex) => {
                let (pattern, options) = (&regex.pattern, &regex.options);
                self.new_object("bson.regex", "Regex");
                self.out.extend_from_slice(&[EMPTY_DICT, MARK]);
                self.name("flags");
                self.int(regex_flags(options));
                self.name("pattern");
                self.text(pattern)?;
                self.out.extend_from_slice(&[SETITEMS, BUILD]);
            }
            Value::Int32(i) => self.int((*i).into()),
            Value::Int64(i) => match i32::try_from(*i) {
                // A small Int64 must stay Int64 to round-trip as BSON int64.
                Ok(small) => {
                    self.global("bson.int64", "Int64");
                    self.int(small.into());
                    self.out
                        .extend_from_slice(&[TUPLE1, NEWOBJ, EMPTY_DICT, BUILD]);
                }
                Err(_) => self.int((*i).into()),
            },
            Value::Timestamp { time, increment } => {
                self.new_object("bson.timestamp", "Timestamp");
                self.out.extend_from_slice(&[EMPTY_DICT, MARK]);
                self.name("_Timestamp__inc");
                self.int((*increment).into());
                self.name("_Timestamp__time");
                self.int((*time).into());
                self.out.extend_from_slice(&[SETITEMS, BUILD]);
            }
            Value::Decimal128(bid) => {
                let (low, high) = bid.split_at(8);
                let half = |b: &[u8]| <[u8; 8]>::try_from(b).map(u64::from_le_bytes).unwrap_or(0);
                self.new_object("bson.decimal128", "Decimal128");
                self.int(half(high).into());
                self.int(half(low).into());
                self.out.extend_from_slice(&[TUPLE2, BUILD]);
            }
            Value::DbPointer(_) => return Err("dbpointer (pymongo's DBRef is not whitelisted)"),
            Value::JavaScript(_) | Value::JavaScriptWithScope(_) => {
                return Err("javascript (pymongo's Code is not whitelisted)")
            }
            Value::MinKey | Value::MaxKey => return Err("minkey/maxkey (not whitelisted)"),
        }
        Ok(())
    }

    /// `BINUNICODE` of session text, which may be too long for its 4-byte length.
    fn text(&mut self, s: &str) -> core::result::Result<(), &'static str> {
        let len = u32::try_from(s.len()).map_err(|_| "string of 4 GiB or more")?;
        self.out.push(BINUNICODE);
        self.out.extend_from_slice(&len.to_le_bytes());
        self.out.extend_from_slice(s.as_bytes());
        Ok(())
    }

    /// `BINUNICODE` of one of the writer's own short names (`'latin1'`, `'flags'` ...).
    fn name(&mut self, s: &'static str) {
        self.out.push(BINUNICODE);
        // The names are literals of under 20 bytes.
        self.out.extend_from_slice(&(s.len() as u32).to_le_bytes());
        self.out.extend_from_slice(s.as_bytes());
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
            self.out
                .extend_from_slice(bytes.get(..n).unwrap_or_default());
        }
    }

    /// Python 3's protocol-2 `bytes`: `_codecs.encode(text, 'latin1')`, or `bytes()` if empty.
    fn bytes(&mut self, b: &[u8]) -> core::result::Result<(), &'static str> {
        if b.is_empty() {
            self.global("__builtin__", "bytes");
            self.out.extend_from_slice(&[EMPTY_TUPLE, REDUCE]);
            return Ok(());
        }
        self.global("_codecs", "encode");
        let text: String = b.iter().map(|&c| char::from(c)).collect();
        self.text(&text)?;
        if !self.get(Memo::Latin1) {
            self.name("latin1");
            self.put(Memo::Latin1);
        }
        self.out.extend_from_slice(&[TUPLE2, REDUCE]);
        Ok(())
    }

    /// `GLOBAL module name`, memoized.
    fn global(&mut self, module: &'static str, name: &'static str) {
        let memo = Memo::Global(module, name);
        if self.get(memo) {
            return;
        }
        self.out.push(GLOBAL);
        for part in [module, name] {
            self.out.extend_from_slice(part.as_bytes());
            self.out.push(b'\n');
        }
        self.put(memo);
    }

    /// `cls.__new__(cls)` for a pymongo class whose state follows.
    fn new_object(&mut self, module: &'static str, name: &'static str) {
        self.global(module, name);
        self.out.extend_from_slice(&[EMPTY_TUPLE, NEWOBJ]);
    }

    /// Writes `BINGET` if `memo` was put; says whether it did.
    fn get(&mut self, memo: Memo) -> bool {
        match self.memo.iter().position(|m| *m == memo) {
            Some(i) => {
                // At most a dozen distinct memo entries exist (globals and 'latin1').
                self.out.extend_from_slice(&[BINGET, i as u8]);
                true
            }
            None => false,
        }
    }

    fn put(&mut self, memo: Memo) {
        self.out.extend_from_slice(&[BINPUT, self.memo.len() as u8]);
        self.memo.push(memo);
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
            memo: Vec::new(),
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
        // pickle.dumps({'b': b'\x00\xff'}, 2) minus Python's extra BINPUTs.
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
            b"\x80\x02}(X\x01\x00\x00\x00bc_codecs\nencode\nq\x00X\x03\x00\x00\x00\x00\xc3\xbf\
            X\x06\x00\x00\x00latin1q\x01\x86Ru.";
        assert_eq!(got, want);
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
