//! Text encodings: `json.detect_encoding` and `bytes.decode(encoding, 'surrogatepass')`.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Error, Layer, Result};

/// The input as UTF-8 text.
pub(super) struct Decoded<'a> {
    pub(super) text: Cow<'a, str>,
    /// Input bytes before `text` (a UTF-8 BOM), added to every offset.
    pub(super) base: usize,
    /// Offset in `text` of the first lone surrogate Python would have kept; `text` holds U+FFFD
    /// in its place.
    pub(super) lone_surrogate: Option<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Utf16 { big_endian: bool },
    Utf32 { big_endian: bool },
}

/// `json.detect_encoding`: a BOM first (UTF-32 before UTF-16, whose BOM is a prefix of
/// UTF-32-LE's), then the pattern of zero bytes in the first four (or two) bytes. Returns the
/// encoding and the text after the BOM, if any.
fn detect_encoding(b: &[u8]) -> (Encoding, &[u8]) {
    use Encoding::*;
    const BOMS: [(&[u8], Encoding); 5] = [
        (&[0x00, 0x00, 0xFE, 0xFF], Utf32 { big_endian: true }),
        (&[0xFF, 0xFE, 0x00, 0x00], Utf32 { big_endian: false }),
        (&[0xFE, 0xFF], Utf16 { big_endian: true }),
        (&[0xFF, 0xFE], Utf16 { big_endian: false }),
        (&[0xEF, 0xBB, 0xBF], Utf8),
    ];
    for (bom, encoding) in BOMS {
        if let Some(body) = b.strip_prefix(bom) {
            return (encoding, body);
        }
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
    (encoding, b)
}

/// `bytes` decoded as `json.loads(bytes)` decodes them.
pub(super) fn decode(bytes: &[u8]) -> Result<Decoded<'_>> {
    let (encoding, body) = detect_encoding(bytes);
    let bom = bytes.len() - body.len();
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
        match owned.get_mut(at..at.saturating_add(3)) {
            Some(seq) if matches!(*seq, [0xED, 0xA0..=0xBF, 0x80..=0xBF]) => {
                seq.copy_from_slice("\u{fffd}".as_bytes());
            }
            _ => return Err(Error::malformed(Layer::Json, base + at, "invalid utf-8")),
        }
        let next = at.saturating_add(3);
        // `owned[at..next]` was matched just above, so `next` is within `owned`.
        let rest = owned
            .get(next..)
            .ok_or_else(|| Error::malformed(Layer::Json, base + at, "invalid utf-8"))?;
        match core::str::from_utf8(rest) {
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
    if body.len() % 2 != 0 {
        let at = bom + body.len() - 1;
        return Err(Error::malformed(Layer::Json, at, "truncated utf-16"));
    }
    // The even and the odd bytes, paired: every byte is in exactly one unit.
    let pairs = body.iter().step_by(2).zip(body.iter().skip(1).step_by(2));
    let units = pairs.map(|(&a, &b)| {
        if big_endian {
            u16::from_be_bytes([a, b])
        } else {
            u16::from_le_bytes([a, b])
        }
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
        let unit = <[u8; 4]>::try_from(unit)
            .map_err(|_| Error::malformed(Layer::Json, bom + i * 4, "truncated utf-32"))?;
        let code = if big_endian {
            u32::from_be_bytes(unit)
        } else {
            u32::from_le_bytes(unit)
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

#[cfg(test)]
mod tests {
    use super::super::read_value;
    use super::super::tests::{doc, is_unsupported, malformed_at, ok, s};
    use crate::error::Error;
    use crate::limits::Limits;
    use crate::value::Value;
    use alloc::vec;
    use alloc::vec::Vec;

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
}
