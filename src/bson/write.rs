//! `Document` -> canonical BSON bytes (<https://bsonspec.org/spec.html>), refusing what
//! pymongo's `bson.encode` refuses.
//!
//! The writer is iterative (an explicit stack of open containers), so a deep value cannot make
//! it recurse.

use alloc::collections::BinaryHeap;
use alloc::vec::Vec;

use super::read::{DATETIME_MAX_MS, DATETIME_MIN_MS};
use crate::error::{Error, Layer, Name, Result};
use crate::limits::Limits;
use crate::value::{CodeWithScope, DbPointer, Document, Regex, Str, Value};

/// Writes a document as canonical BSON.
///
/// Keys keep their order (a top-level `_id` is not moved first; that is the caller's choice),
/// array elements are keyed `"0"`, `"1"`, ..., regex option letters are written in alphabetical
/// order as the spec requires (pymongo also writes them sorted), an old-binary (subtype 2) value
/// gets its inner length, and every other value is written exactly as held.
///
/// # Errors
/// [`Error::Unwritable`] in [`Layer::Bson`], naming the top-level session key whose value cannot
/// be written:
/// - a key containing a NUL byte (pymongo: "Key names must not contain the NULL byte");
/// - a regex pattern or options containing a NUL byte (pymongo: "regex patterns must not contain
///   the NULL byte"; options are a C string too);
/// - nesting deeper than [`Limits::MAX_DEPTH`] levels (pymongo raises `RecursionError` before that);
/// - a datetime before 0001-01-01 or after 9999-12-31, which no Python `datetime` holds and
///   pymongo's `bson.decode` (and [`read`](super::read())) refuses: a cookie holding one could
///   not be read back by either;
/// - a string, binary value or document longer than the int32 length BSON can declare. For a
///   top-level document that is too large, the key named is its last one.
///
/// # Limits
/// None: the output is about the size of the value in memory. Nesting is capped at
/// [`Limits::MAX_DEPTH`]. The cookie layer bounds the written cookie with `Limits::max_write_len`.
pub fn write(doc: &Document) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    write_to(doc, &[], &mut out)?;
    Ok(out)
}

/// [`write`] into `out` (cleared first, its capacity reused), leaving out the top-level
/// entries whose key is in `skip` (what a JWT write drops). On error `out` is left empty.
pub(crate) fn write_to(doc: &Document, skip: &[&str], out: &mut Vec<u8>) -> Result<()> {
    out.clear();
    let result = write_entries(doc, skip, out);
    if result.is_err() {
        out.clear();
    }
    result
}

fn write_entries(doc: &Document, skip: &[&str], out: &mut Vec<u8>) -> Result<()> {
    let mut top_key = "";
    let mut stack = Vec::new();
    open(
        out,
        &mut stack,
        Items::Document(doc.entries().iter()),
        None,
        top_key,
    )?;
    loop {
        let depth = stack.len();
        let next = match stack.last_mut().map(|open| &mut open.items) {
            Some(Items::Document(entries)) => {
                entries.next().map(|(k, v)| (Key::Name(k.as_str()), v))
            }
            Some(Items::Array(values)) => values.next().map(|(i, v)| (Key::Index(i), v)),
            None => return Ok(()),
        };
        let Some((key, value)) = next else {
            close(out, &mut stack, top_key)?;
            continue;
        };
        if let (1, Key::Name(name)) = (depth, key) {
            if skip.contains(&name) {
                continue;
            }
            top_key = name;
        }
        out.push(value.bson_type());
        match key {
            Key::Name(name) => cstring(out, name, top_key, "key containing a NUL byte")?,
            Key::Index(i) => {
                decimal(out, i);
                out.push(0);
            }
        }
        match value {
            Value::Document(d) => {
                let items = Items::Document(d.entries().iter());
                open(out, &mut stack, items, None, top_key)?;
            }
            Value::Array(a) => {
                let items = Items::Array(a.iter().enumerate());
                open(out, &mut stack, items, None, top_key)?;
            }
            Value::JavaScriptWithScope(cws) => {
                let CodeWithScope { code, scope } = &**cws;
                let total_at = out.len();
                out.extend_from_slice(&[0; 4]);
                string(out, code, top_key)?;
                let items = Items::Document(scope.entries().iter());
                open(out, &mut stack, items, Some(total_at), top_key)?;
            }
            scalar => write_scalar(out, scalar, top_key)?,
        }
    }
}

/// The element types without children.
fn write_scalar(out: &mut Vec<u8>, value: &Value, top_key: &str) -> Result<()> {
    match value {
        Value::Double(d) => out.extend_from_slice(&d.to_le_bytes()),
        Value::String(s) | Value::JavaScript(s) | Value::Symbol(s) => string(out, s, top_key)?,
        Value::Binary { subtype, bytes } => {
            let len = int32_len(bytes.len(), top_key, "binary value too long for BSON")?;
            if *subtype == 0x02 {
                // Old binary repeats the length inside, as pymongo writes it.
                let outer = int32_len(
                    bytes.len().saturating_add(4),
                    top_key,
                    "binary value too long for BSON",
                )?;
                out.extend_from_slice(&outer.to_le_bytes());
                out.push(*subtype);
                out.extend_from_slice(&len.to_le_bytes());
            } else {
                out.extend_from_slice(&len.to_le_bytes());
                out.push(*subtype);
            }
            out.extend_from_slice(bytes);
        }
        Value::ObjectId(id) => out.extend_from_slice(id),
        Value::Bool(b) => out.push(u8::from(*b)),
        Value::DateTime(ms) if !(DATETIME_MIN_MS..=DATETIME_MAX_MS).contains(ms) => {
            return Err(unwritable(top_key, "datetime outside years 1..=9999"));
        }
        Value::DateTime(ms) | Value::Int64(ms) => out.extend_from_slice(&ms.to_le_bytes()),
        Value::Regex(regex) => {
            let Regex { pattern, options } = &**regex;
            cstring(out, pattern, top_key, "regex pattern containing a NUL byte")?;
            // The spec: "Options are identified by characters, which must be stored in
            // alphabetical order" (pymongo writes its flags in that order too).
            // A heap sort: O(n log n) for any options string, and a fraction of the code
            // size of `sort_unstable`.
            let letters = BinaryHeap::from_iter(options.chars()).into_sorted_vec();
            if letters.contains(&'\0') {
                return Err(unwritable(top_key, "regex options containing a NUL byte"));
            }
            let mut buf = [0u8; 4];
            for c in letters {
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            out.push(0);
        }
        Value::DbPointer(pointer) => {
            let DbPointer { namespace, id } = &**pointer;
            string(out, namespace, top_key)?;
            out.extend_from_slice(id);
        }
        Value::Int32(i) => out.extend_from_slice(&i.to_le_bytes()),
        Value::Timestamp { time, increment } => {
            // Little-endian u64 with the increment as the low half.
            let raw = (u64::from(*time) << 32) | u64::from(*increment);
            out.extend_from_slice(&raw.to_le_bytes());
        }
        Value::Decimal128(bytes) => out.extend_from_slice(bytes),
        Value::Undefined | Value::Null | Value::MinKey | Value::MaxKey => {}
        Value::Document(_) | Value::Array(_) | Value::JavaScriptWithScope(_) => {
            return Err(unwritable(top_key, "container written as a scalar"));
        }
    }
    Ok(())
}

/// The children of an open container still to write.
enum Items<'a> {
    Document(core::slice::Iter<'a, (Str, Value)>),
    Array(core::iter::Enumerate<core::slice::Iter<'a, Value>>),
}

/// An element's key: a document's name or an array's index.
#[derive(Clone, Copy)]
enum Key<'a> {
    Name(&'a str),
    Index(usize),
}

/// An open container: its children, where its length goes, and for a code-with-scope scope
/// where the element's total length goes.
struct Open<'a> {
    items: Items<'a>,
    len_at: usize,
    total_at: Option<usize>,
}

fn open<'a>(
    out: &mut Vec<u8>,
    stack: &mut Vec<Open<'a>>,
    items: Items<'a>,
    total_at: Option<usize>,
    top_key: &str,
) -> Result<()> {
    if stack.len() >= Limits::MAX_DEPTH {
        return Err(unwritable(top_key, "nesting deeper than the BSON maximum"));
    }
    stack.push(Open {
        items,
        len_at: out.len(),
        total_at,
    });
    out.extend_from_slice(&[0; 4]);
    Ok(())
}

/// Writes the terminator of the innermost container and fills in its length(s).
fn close(out: &mut Vec<u8>, stack: &mut Vec<Open<'_>>, top_key: &str) -> Result<()> {
    out.push(0);
    let done = stack
        .pop()
        .ok_or(unwritable(top_key, "no open container to close"))?;
    patch_len(out, done.len_at, top_key)?;
    if let Some(total_at) = done.total_at {
        patch_len(out, total_at, top_key)?;
    }
    Ok(())
}

/// Fills the int32 at `at` with the number of bytes from `at` to the end of `out`.
fn patch_len(out: &mut [u8], at: usize, top_key: &str) -> Result<()> {
    let len = int32_len(
        out.len().saturating_sub(at),
        top_key,
        "document too large for BSON",
    )?;
    // `open` reserved the 4 bytes at `at`.
    let slot = out
        .get_mut(at..at.saturating_add(4))
        .ok_or(unwritable(top_key, "length slot outside the output"))?;
    slot.copy_from_slice(&len.to_le_bytes());
    Ok(())
}

/// A length BSON can declare: at most `i32::MAX`.
fn int32_len(len: usize, top_key: &str, what: &'static str) -> Result<i32> {
    i32::try_from(len).map_err(|_| unwritable(top_key, what))
}

/// int32 length (counting the NUL), bytes, NUL. Embedded NULs are fine here.
fn string(out: &mut Vec<u8>, s: &str, top_key: &str) -> Result<()> {
    let len = int32_len(
        s.len().saturating_add(1),
        top_key,
        "string too long for BSON",
    )?;
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(s.as_bytes());
    out.push(0);
    Ok(())
}

/// A C string: the bytes and a NUL, so the bytes may not hold one.
fn cstring(out: &mut Vec<u8>, s: &str, top_key: &str, what: &'static str) -> Result<()> {
    if s.as_bytes().contains(&0) {
        return Err(unwritable(top_key, what));
    }
    out.extend_from_slice(s.as_bytes());
    out.push(0);
    Ok(())
}

/// Appends `n` in decimal (an array key).
fn decimal(out: &mut Vec<u8>, n: usize) {
    // Least significant digit first; 20 digits hold `u64::MAX`.
    let mut digits = [0u8; 20];
    let mut len = 0;
    let mut rest = n;
    for d in &mut digits {
        *d = b'0' + (rest % 10) as u8;
        len += 1;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend(digits.iter().take(len).rev());
}

fn unwritable(top_key: &str, what: &'static str) -> Error {
    Error::Unwritable {
        layer: Layer::Bson,
        key: Name::new(top_key),
        what,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bson::read;
    use alloc::boxed::Box;
    use alloc::string::String;
    use alloc::vec;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| alloc::format!("{b:02x}")).collect()
    }

    fn unwritable_key(doc: &Document) -> (String, &'static str) {
        match write(doc) {
            Err(Error::Unwritable {
                layer: Layer::Bson,
                key,
                what,
            }) => (key.as_str().into(), what),
            other => panic!("expected Unwritable, got {other:?}"),
        }
    }

    #[test]
    fn bson_writes_like_pymongo() {
        // bson.encode({"a": 1, "_id": 2}).hex() is '15000000105f69640002000000106100010000
        // 0000': pymongo moves a top-level _id first. We keep the order; the layer that owns the
        // session decides.
        let mut d = Document::new();
        d.insert("a", 1i32);
        d.insert("_id", 2i32);
        assert_eq!(
            hex(&write(&d).unwrap()),
            "1500000010610001000000105f6964000200000000"
        );
        // bson.encode({"arr": list(range(12))}): multi-digit array keys.
        let mut d = Document::new();
        d.insert("arr", Value::Array((0..12).map(Value::Int32).collect()));
        assert_eq!(
            hex(&write(&d).unwrap()),
            "6500000004617272005b0000001030000000000010310001000000103200020000001033000300000010\
             3400040000001035000500000010360006000000103700070000001038000800000010390009000000\
             103130000a000000103131000b0000000000"
        );
        // bson.encode({"x": Binary(b"\xff\xff", 2)}): old binary repeats its length inside.
        let mut d = Document::new();
        d.insert(
            "x",
            Value::Binary {
                subtype: 2,
                bytes: vec![0xFF, 0xFF],
            },
        );
        assert_eq!(
            hex(&write(&d).unwrap()),
            "13000000057800060000000202000000ffff00"
        );
        // bson.encode({"x": Code("a\0b")}): NUL inside a length-prefixed string is fine.
        let mut d = Document::new();
        d.insert("x", Value::JavaScript("a\0b".into()));
        assert_eq!(hex(&write(&d).unwrap()), "100000000d7800040000006100620000");
    }

    #[test]
    fn bson_writes_empty_document() {
        assert_eq!(write(&Document::new()).unwrap(), vec![5, 0, 0, 0, 0]);
    }

    #[test]
    fn bson_sorts_regex_options() {
        // bson.encode({"x": Regex("ab", "mixg")}) gives options "imx" (pymongo also drops the
        // letters it does not know; we keep them, sorted).
        let mut d = Document::new();
        d.insert(
            "x",
            Value::Regex(Box::new(Regex {
                pattern: "ab".into(),
                options: "mixg".into(),
            })),
        );
        assert_eq!(hex(&write(&d).unwrap()), "100000000b780061620067696d780000");
    }

    #[test]
    fn bson_refuses_nul_in_keys_naming_the_top_level_key() {
        // pymongo: InvalidDocument "Key names must not contain the NULL byte".
        let mut d = Document::new();
        d.insert("ok", 1i32);
        d.insert("a\0b", 1i32);
        assert_eq!(
            unwritable_key(&d),
            ("a\0b".into(), "key containing a NUL byte")
        );
        let mut inner = Document::new();
        inner.insert("x\0", Value::Null);
        let mut d = Document::new();
        d.insert("first", 1i32);
        d.insert(
            "outer",
            Value::Array(vec![Value::Null, Value::Document(inner)]),
        );
        assert_eq!(
            unwritable_key(&d),
            ("outer".into(), "key containing a NUL byte")
        );
        let mut scope = Document::new();
        scope.insert("\0", Value::Null);
        let mut d = Document::new();
        d.insert(
            "code",
            Value::JavaScriptWithScope(Box::new(CodeWithScope {
                code: Str::new(),
                scope,
            })),
        );
        assert_eq!(unwritable_key(&d).0, "code");
    }

    #[test]
    fn bson_refuses_nul_in_regex() {
        // pymongo: InvalidDocument "regex patterns must not contain the NULL byte".
        for (pattern, options, what) in [
            ("a\0b", "", "regex pattern containing a NUL byte"),
            ("ab", "i\0", "regex options containing a NUL byte"),
        ] {
            let mut d = Document::new();
            d.insert(
                "re",
                Value::Regex(Box::new(Regex {
                    pattern: pattern.into(),
                    options: options.into(),
                })),
            );
            assert_eq!(unwritable_key(&d), ("re".into(), what));
        }
    }

    #[test]
    fn bson_refuses_nesting_beyond_max_nesting() {
        let deep = |levels: usize| {
            let mut d = Document::new();
            for _ in 1..levels {
                let mut outer = Document::new();
                outer.insert("a", Value::Document(d));
                d = outer;
            }
            d
        };
        let fits = write(&deep(Limits::MAX_DEPTH)).unwrap();
        let limits = Limits {
            max_depth: Limits::MAX_DEPTH,
            ..Limits::DEFAULT
        };
        assert_eq!(read(&fits, &limits).unwrap(), deep(Limits::MAX_DEPTH));
        assert_eq!(
            unwritable_key(&deep(Limits::MAX_DEPTH + 1)),
            ("a".into(), "nesting deeper than the BSON maximum")
        );
    }

    #[test]
    fn bson_lengths_over_i32_max_are_errors() {
        assert_eq!(int32_len(i32::MAX as usize, "k", "w"), Ok(i32::MAX));
        assert_eq!(
            int32_len(i32::MAX as usize + 1, "k", "w"),
            Err(unwritable("k", "w"))
        );
        assert_eq!(int32_len(usize::MAX, "", "w"), Err(unwritable("", "w")));
    }

    #[test]
    fn bson_decimal_array_keys() {
        for n in [0usize, 9, 10, 99, 100, 12345, usize::MAX] {
            let mut out = Vec::new();
            decimal(&mut out, n);
            assert_eq!(out, alloc::format!("{n}").into_bytes());
        }
    }
}
