//! The text arguments of protocol-0 opcodes (`INT`, `LONG`, `FLOAT`, `STRING`, `UNICODE`, memo
//! indices), in the forms Python's pickler writes them (`Lib/pickle.py`, `save_*` for `bin=0`).
//!
//! Python's unpickler is looser (`int(x, 0)` takes `0x1f` and `1_000`); only a key holder could
//! send such a pickle, so those forms are refused rather than copied.

use alloc::string::String;
use alloc::vec::Vec;

use crate::pickle::py::{Obj, Wide};
use crate::reader::Reader;

/// `[+-]?[0-9]+` as an int ([`Obj::BigInt`] beyond 128 bits).
pub(crate) fn decimal(line: &[u8]) -> Option<Obj<'static>> {
    let (negative, digits) = match line.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, line),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut value: Option<i128> = Some(0);
    for d in digits {
        let digit = i128::from(d - b'0');
        value = value.and_then(|v| v.checked_mul(10)).and_then(|v| {
            if negative {
                v.checked_sub(digit)
            } else {
                v.checked_add(digit)
            }
        });
    }
    Some(value.map_or(Obj::BigInt, |v| Obj::Int(Wide::new(v))))
}

/// The `INT` line: `00` / `01` are False / True (Python 2's bools in protocol 0), else a decimal.
pub(crate) fn int_line(line: &[u8]) -> Option<Obj<'static>> {
    match line {
        b"00" => Some(Obj::Bool(false)),
        b"01" => Some(Obj::Bool(true)),
        _ => decimal(line),
    }
}

/// The `LONG` line: a decimal with Python 2's optional trailing `L`.
pub(crate) fn long_line(line: &[u8]) -> Option<Obj<'static>> {
    decimal(line.strip_suffix(b"L").unwrap_or(line))
}

/// A memo index line (`PUT`, `GET`): plain decimal digits.
pub(crate) fn index_line(line: &[u8]) -> Option<u64> {
    if line.is_empty() || !line.iter().all(u8::is_ascii_digit) {
        return None;
    }
    line.iter().try_fold(0u64, |v, d| {
        v.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

/// The `FLOAT` line: Python's `repr(float)` (`1.5`, `1e+20`, `inf`, `nan`).
pub(crate) fn float_line(line: &[u8]) -> Option<f64> {
    let text = core::str::from_utf8(line).ok()?;
    if text.is_empty()
        || !text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    {
        return None;
    }
    crate::json::parse_float(text)
}

/// The `STRING` line: a quoted Python 2 `repr(str)`, decoded like `codecs.escape_decode`.
pub(crate) fn string_line(line: &[u8]) -> Option<Vec<u8>> {
    let (&first, rest) = line.split_first()?;
    let (&last, body) = rest.split_last()?;
    if first != last || !matches!(first, b'\'' | b'"') {
        return None;
    }
    escape_decode(body)
}

/// CPython `_PyBytes_DecodeEscape`: `\\ \' \" \a \b \f \n \r \t \v`, `\ooo`, `\xhh`; an unknown
/// escape keeps its backslash; a trailing backslash or a short `\x` is an error.
fn escape_decode(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    let mut it = body.iter().copied().peekable();
    while let Some(c) = it.next() {
        if c != b'\\' {
            out.push(c);
            continue;
        }
        let e = it.next()?;
        match e {
            b'\n' => {}
            b'\\' | b'\'' | b'"' => out.push(e),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                for _ in 0..2 {
                    match it.peek() {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            it.next();
                        }
                        _ => break,
                    }
                }
                // CPython stores the low byte of an escape above \377.
                out.push(v.to_le_bytes()[0]);
            }
            b'x' => {
                let hi = hex_digit(it.next()?)?;
                let lo = hex_digit(it.next()?)?;
                out.push(hi << 4 | lo);
            }
            _ => {
                out.push(b'\\');
                out.push(e);
            }
        }
    }
    Some(out)
}

/// The `UNICODE` line: `raw-unicode-escape`. Bytes are Latin-1 code points; `\uXXXX` and
/// `\UXXXXXXXX` are escapes (a backslash before any other byte is kept with it, which is why
/// an even run of backslashes does not escape). Surrogates are refused: Rust strings cannot
/// hold them (Python would keep a lone one).
pub(crate) fn raw_unicode_escape(line: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(line.len());
    let mut r = Reader::new(line);
    while let Some(c) = r.byte() {
        if c != b'\\' {
            out.push(char::from(c));
            continue;
        }
        let width = match r.peek() {
            Some(b'u') => 4,
            Some(b'U') => 8,
            Some(other) => {
                out.push('\\');
                out.push(char::from(other));
                r.byte();
                continue;
            }
            None => {
                out.push('\\');
                break;
            }
        };
        r.byte(); // the `u` or `U`
        let code = r
            .take(width)?
            .iter()
            .try_fold(0u32, |v, &d| Some(v << 4 | u32::from(hex_digit(d)?)))?;
        out.push(char::from_u32(code)?);
    }
    Some(out)
}

fn hex_digit(d: u8) -> Option<u8> {
    match d {
        b'0'..=b'9' => Some(d - b'0'),
        b'a'..=b'f' => Some(d - b'a' + 10),
        b'A'..=b'F' => Some(d - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(line: &[u8]) -> Option<i128> {
        match decimal(line)? {
            Obj::Int(i) => Some(i.get()),
            _ => None,
        }
    }

    #[test]
    fn text_decimal_forms() {
        assert_eq!(int(b"0"), Some(0));
        assert_eq!(int(b"-17"), Some(-17));
        assert_eq!(int(b"+5"), Some(5));
        assert_eq!(
            int(b"170141183460469231731687303715884105727"),
            Some(i128::MAX)
        );
        assert_eq!(
            int(b"-170141183460469231731687303715884105728"),
            Some(i128::MIN)
        );
        assert!(matches!(
            decimal(b"170141183460469231731687303715884105728"),
            Some(Obj::BigInt)
        ));
        for bad in [&b""[..], b"-", b"0x10", b"1_000", b" 1", b"1.0"] {
            assert!(decimal(bad).is_none(), "{bad:?}");
        }
        assert!(matches!(int_line(b"01"), Some(Obj::Bool(true))));
        assert!(matches!(int_line(b"00"), Some(Obj::Bool(false))));
        assert!(matches!(long_line(b"12L"), Some(Obj::Int(i)) if i.get() == 12));
        assert_eq!(index_line(b"42"), Some(42));
        assert_eq!(index_line(b"99999999999999999999999"), None);
    }

    #[test]
    fn text_float_forms() {
        assert_eq!(float_line(b"1.5"), Some(1.5));
        assert_eq!(float_line(b"1e+20"), Some(1e20));
        assert_eq!(float_line(b"-inf"), Some(f64::NEG_INFINITY));
        assert!(float_line(b"nan").is_some_and(f64::is_nan));
        assert!(float_line(b"1 ").is_none());
        assert!(float_line(b"").is_none());
    }

    #[test]
    fn text_string_escapes_like_escape_decode() {
        assert_eq!(
            string_line(b"'a\\'b\\n\\x00\\xff\\101\\q'").unwrap(),
            b"a'b\n\x00\xffA\\q"
        );
        assert_eq!(string_line(b"\"it's\"").unwrap(), b"it's");
        assert!(string_line(b"'abc").is_none());
        assert!(string_line(b"'a\\'").is_none(), "trailing backslash");
        assert!(string_line(b"'\\x4'").is_none());
        assert!(string_line(b"'").is_none());
    }

    #[test]
    fn text_raw_unicode_escape() {
        assert_eq!(
            raw_unicode_escape(b"caf\xe9 \\u20ac \\U0001f600").unwrap(),
            "café € 😀"
        );
        assert_eq!(raw_unicode_escape(b"a\\\\u0041").unwrap(), "a\\\\u0041");
        assert_eq!(raw_unicode_escape(b"end\\").unwrap(), "end\\");
        assert!(raw_unicode_escape(b"\\ud800").is_none());
        assert!(raw_unicode_escape(b"\\u12").is_none());
        assert!(raw_unicode_escape(b"\\U00110000").is_none());
    }
}
