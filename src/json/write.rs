//! Writing: `Modules/_json.c` `encoder_listencode_*`, `py_encode_basestring(_ascii)`.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use super::float::write_float;
use super::scan::find_special;
use super::Style;
use crate::error::{Error, Layer, Name, Result};
use crate::limits::Limits;
use crate::value::{Str, Value};

/// An open container being written.
enum Open<'v> {
    Array(core::slice::Iter<'v, Value>, bool),
    Object(core::slice::Iter<'v, (Str, Value)>, bool),
}

/// A JSON text being written in one [`Style`].
pub(super) struct Writer {
    /// The text so far.
    pub(super) out: String,
    ascii: bool,
    item_sep: &'static str,
    key_sep: &'static str,
}

impl Writer {
    pub(super) fn new(style: Style) -> Writer {
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
    pub(super) fn write_document<'v>(
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
    pub(super) fn write_tree(&mut self, root: &Value, top_key: &str, outer: usize) -> Result<()> {
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
            Value::Int32(i) => push_int(&mut self.out, i64::from(*i)),
            Value::Int64(i) => push_int(&mut self.out, *i),
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
    out.push_str("\\u");
    for shift in [12u16, 8, 4, 0] {
        // Below 16 after the mask, so the cast keeps every bit.
        let nibble = ((unit >> shift) & 0xF) as u8;
        let digit = if nibble < 10 {
            b'0' + nibble
        } else {
            b'a' + (nibble - 10)
        };
        out.push(char::from(digit));
    }
}

/// Appends `i` in decimal, as Python's `int.__repr__` (a `-` for negatives, no leading zeros):
/// without `core::fmt`, whose integer `Display` and its padding logic this path does not need.
fn push_int(out: &mut String, i: i64) {
    if i < 0 {
        out.push('-');
    }
    // At most 19 digits for |i64::MIN| = 9223372036854775808.
    let mut digits = [0u8; 20];
    let mut rest = i.unsigned_abs();
    let mut start = digits.len();
    for slot in digits.iter_mut().rev() {
        // `rest % 10` is below 10, so the sum is an ASCII digit.
        *slot = b'0' + (rest % 10) as u8;
        start -= 1;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for &d in digits.iter().skip(start) {
        out.push(char::from(d));
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{doc, s};
    use super::super::{write, write_value};
    use super::*;
    use crate::value::{CodeWithScope, DbPointer, Document, Regex};
    use alloc::boxed::Box;
    use alloc::vec;

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

    #[test]
    fn json_write_integers_in_decimal() {
        for i in [0, 7, -7, 10, -10, 1 << 40, i64::MAX, i64::MIN, i64::MIN + 1] {
            let want = alloc::format!("{i}");
            assert_eq!(
                write_value(&Value::Int64(i), Style::Compact),
                Ok(want),
                "{i}"
            );
        }
        for i in [0, 9, -9, i32::MAX, i32::MIN] {
            let want = alloc::format!("{i}");
            assert_eq!(
                write_value(&Value::Int32(i), Style::Python),
                Ok(want),
                "{i}"
            );
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
}
