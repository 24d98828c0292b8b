//! Base85 exactly as Python's `base64.b85encode` / `base64.b85decode` (CPython 3.11
//! `Lib/base64.py`, alphabet of RFC 1924 §4): same padding of the last group, same accepted
//! inputs, same errors reported at the same positions.
//!
//! Python's rules, which this module copies:
//! - Encoding takes 4 bytes at a time, big-endian, and writes 5 digits, most significant first.
//!   A last group of 1 to 3 bytes is padded with zero bytes, encoded, and only its first
//!   `len + 1` digits are kept (`pad=False`, the default the session writer uses).
//! - Decoding takes 5 characters at a time. A last group of 1 to 4 characters is padded with
//!   `~` (digit 84), decoded, and only its first `len - 1` bytes are kept: a 1-character tail
//!   produces no byte, but it is still checked (`"|"`, `"}"` and `"~"` alone overflow).
//! - Groups are checked in order. Within a group, any byte outside the alphabet wins:
//!   `bad base85 character at position N` names the first one. Otherwise a group whose value
//!   passes 2^32 − 1 fails with `base85 overflow in hunk starting at byte N`, N being the
//!   offset of the group's first character.
//! - Nothing is skipped: whitespace, `"` and `'` are bad characters like any other. The empty
//!   input decodes to nothing.

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Error, Layer, Result};

/// Digit value → character: `0-9` are digits 0–9, `A-Z` 10–35, `a-z` 36–61, and the 23
/// symbols 62–84.
const ALPHABET: &[u8; 85] = b"\
    0123456789\
    ABCDEFGHIJKLMNOPQRSTUVWXYZ\
    abcdefghijklmnopqrstuvwxyz\
    !#$%&()*+-;<=>?@^_`{|}~";

/// Marks a byte outside the alphabet in [`DIGIT`]. Every digit is below 128, so `__` is the
/// only entry with the high bit set.
const __: u8 = 0xFF;

/// Character → digit value, or `__` for a byte outside the alphabet.
#[rustfmt::skip]
const DIGIT: [u8; 256] = [
//    0    1    2    3    4    5    6    7    8    9    A    B    C    D    E    F
     __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __, // 0x00  control
     __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __, // 0x10  control
     __,  62,  __,  63,  64,  65,  66,  __,  67,  68,  69,  70,  __,  71,  __,  __, // 0x20   !"#$%&'()*+,-./
      0,   1,   2,   3,   4,   5,   6,   7,   8,   9,  __,  72,  73,  74,  75,  76, // 0x30  0123456789:;<=>?
     77,  10,  11,  12,  13,  14,  15,  16,  17,  18,  19,  20,  21,  22,  23,  24, // 0x40  @ABCDEFGHIJKLMNO
     25,  26,  27,  28,  29,  30,  31,  32,  33,  34,  35,  __,  __,  __,  78,  79, // 0x50  PQRSTUVWXYZ[\]^_
     80,  36,  37,  38,  39,  40,  41,  42,  43,  44,  45,  46,  47,  48,  49,  50, // 0x60  `abcdefghijklmno
     51,  52,  53,  54,  55,  56,  57,  58,  59,  60,  61,  81,  82,  83,  84,  __, // 0x70  pqrstuvwxyz{|}~ DEL
     __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __, // 0x80  non-ASCII
     __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __, // 0x90  non-ASCII
     __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __, // 0xA0  non-ASCII
     __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __, // 0xB0  non-ASCII
     __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __, // 0xC0  non-ASCII
     __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __, // 0xD0  non-ASCII
     __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __, // 0xE0  non-ASCII
     __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __,  __, // 0xF0  non-ASCII
];

/// The digit Python pads a short last group with before decoding it (`b'~' * padding`).
const PAD_CHAR: u8 = b'~';

/// Encodes `data` like Python's `base64.b85encode(data)` (with the default `pad=False`).
///
/// The result is `5 * (len / 4)` characters plus `len % 4 + 1` more when `len % 4 != 0`.
///
/// For example `b"hello"` is `"Xk~0{Zv"`, and [`decode`] reads it back.
///
/// # Errors
/// None: every byte string has an encoding.
///
/// # Limits
/// None apply: the output is 5/4 of the input's length (rounded up), and the input is the
/// caller's own.
#[cfg_attr(not(fuzzing), allow(dead_code))] // an entry point of the fuzz targets
pub fn encode(data: &[u8]) -> String {
    let mut out = String::new();
    encode_to(data, &mut out);
    out
}

/// [`encode`], appending to `out`.
pub(crate) fn encode_to(data: &[u8], out: &mut String) {
    // `len / 4 * 5` cannot overflow for a real slice (at most isize::MAX bytes); saturating
    // only removes the panicking path.
    let capacity = (data.len() / 4).saturating_mul(5).saturating_add(5);
    out.reserve(capacity);
    let mut rest = data;
    while let Some((group, tail)) = rest.split_first_chunk::<4>() {
        push_digits(out, u32::from_be_bytes(*group), 5);
        rest = tail;
    }
    if !rest.is_empty() {
        // _85encode: pad with b'\0' to 4 bytes, encode, drop `padding` characters.
        let mut group = [0u8; 4];
        for (slot, byte) in group.iter_mut().zip(rest) {
            *slot = *byte;
        }
        push_digits(out, u32::from_be_bytes(group), rest.len() + 1);
    }
}

/// Decodes `text` like Python's `base64.b85decode(text)`: same output for every input Python
/// accepts, and an error for every input Python refuses.
///
/// # Errors
/// [`Error::Malformed`] in [`Layer::Base85`], with the `offset` Python reports:
/// - a byte outside the alphabet (whitespace included): the position of the first such byte
///   in the first group that has one;
/// - a group worth more than 2^32 − 1 (a short last group counts as padded with `~`): the
///   position of the group's first character.
///
/// When both occur, the earlier group decides; within one group a bad byte wins.
///
/// # Limits
/// None apply: the output is at most 4/5 of the input's length (`4 * (len / 5)` bytes plus
/// `len % 5 - 1` for a tail), allocated once, and the work is linear. Bound the input (the
/// cookie layer applies `max_cookie_len`) to bound the output.
pub fn decode(text: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    decode_to(text, &mut out)?;
    Ok(out)
}

/// [`decode`] into `out` (cleared first, its capacity reused); on error `out` is left empty.
pub(crate) fn decode_to(text: &[u8], out: &mut Vec<u8>) -> Result<()> {
    out.clear();
    let result = decode_groups(text, out);
    if result.is_err() {
        out.clear();
    }
    result
}

fn decode_groups(text: &[u8], out: &mut Vec<u8>) -> Result<()> {
    let tail_len = text.len() % 5;
    let capacity = (text.len() / 5) * 4 + tail_len.saturating_sub(1);
    out.reserve_exact(capacity);
    // Whole groups straight into the buffer (no capacity check per group).
    out.resize(text.len() / 5 * 4, 0);
    let groups = text.chunks_exact(5);
    let rest = groups.remainder();
    for (i, (group, slot)) in groups.zip(out.chunks_exact_mut(4)).enumerate() {
        if let (Ok(group), Ok(slot)) = (<&[u8; 5]>::try_from(group), <&mut [u8; 4]>::try_from(slot))
        {
            *slot = group_value(group, i * 5)?.to_be_bytes();
        }
    }
    let start = text.len() - rest.len();
    if !rest.is_empty() {
        // b85decode: pad with b'~' to 5 characters, decode, drop `padding` bytes. A
        // 1-character tail keeps no byte but is still checked, as in Python.
        let mut group = [PAD_CHAR; 5];
        for (slot, byte) in group.iter_mut().zip(rest) {
            *slot = *byte;
        }
        let bytes = group_value(&group, start)?.to_be_bytes();
        out.extend(bytes.iter().take(rest.len() - 1));
    }
    Ok(())
}

/// Appends the first `keep` of the 5 digits of `word`, most significant first.
fn push_digits(out: &mut String, word: u32, keep: usize) {
    let mut digits = [0u8; 5];
    let mut rest = word;
    for slot in digits.iter_mut().rev() {
        #[allow(clippy::indexing_slicing)] // rest % 85 < 85 == ALPHABET.len()
        let digit = ALPHABET[(rest % 85) as usize];
        *slot = digit;
        rest /= 85;
    }
    for &digit in digits.iter().take(keep) {
        out.push(char::from(digit));
    }
}

/// The value of one 5-character group starting at byte `start` of the input.
fn group_value(group: &[u8; 5], start: usize) -> Result<u32> {
    #[allow(clippy::indexing_slicing)] // a u8 index is < 256 == DIGIT.len()
    let digits = group.map(|c| DIGIT[usize::from(c)]);
    // Only `__` has the high bit set.
    if let Some(first_bad) = digits.iter().position(|&d| d & 0x80 != 0) {
        return Err(Error::malformed(
            Layer::Base85,
            start + first_bad,
            "bad base85 character",
        ));
    }
    // 85^5 - 1 < 2^33: the sum cannot overflow a u64.
    let value = digits.iter().fold(0u64, |acc, &d| acc * 85 + u64::from(d));
    u32::try_from(value)
        .map_err(|_| Error::malformed(Layer::Base85, start, "base85 overflow in hunk"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use proptest::prelude::*;

    /// Python-generated vectors (`tests/data/codecs/make_codecs.py`).
    const VECTORS: &str = include_str!("../tests/data/codecs/base85.txt");

    fn unhex(field: &str) -> Vec<u8> {
        if field == "-" {
            return Vec::new();
        }
        assert!(field.len() % 2 == 0, "odd hex field {field:?}");
        (0..field.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&field[i..i + 2], 16).unwrap())
            .collect()
    }

    fn vector_lines() -> impl Iterator<Item = Vec<&'static str>> {
        VECTORS
            .lines()
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(|line| line.split(' ').collect())
    }

    #[test]
    fn base85_table_is_the_inverse_of_the_alphabet() {
        for (value, &c) in ALPHABET.iter().enumerate() {
            assert_eq!(usize::from(DIGIT[usize::from(c)]), value, "{}", c as char);
        }
        let valid = DIGIT.iter().filter(|&&d| d != __).count();
        assert_eq!(valid, 85);
        assert!(DIGIT.iter().all(|&d| d == __ || d < 85));
    }

    #[test]
    fn base85_encode_matches_python_vectors() {
        let mut checked = 0;
        for fields in vector_lines().filter(|f| f[0] == "encode") {
            let data = unhex(fields[1]);
            let expected = if fields[2] == "-" { "" } else { fields[2] };
            assert_eq!(encode(&data), expected, "encode {}", fields[1]);
            checked += 1;
        }
        assert!(checked > 300, "only {checked} encode vectors");
    }

    #[test]
    fn base85_decode_matches_python_vectors() {
        let (mut ok, mut bad, mut overflow) = (0, 0, 0);
        for fields in vector_lines().filter(|f| f[0] == "decode") {
            let text = unhex(fields[1]);
            let got = decode(&text);
            let offset: usize = fields[3].parse().unwrap_or(usize::MAX);
            match fields[2] {
                "ok" => {
                    assert_eq!(got, Ok(unhex(fields[3])), "decode {}", fields[1]);
                    ok += 1;
                }
                "bad" => {
                    assert_eq!(
                        got,
                        Err(Error::malformed(
                            Layer::Base85,
                            offset,
                            "bad base85 character"
                        )),
                        "decode {}",
                        fields[1]
                    );
                    bad += 1;
                }
                "overflow" => {
                    assert_eq!(
                        got,
                        Err(Error::malformed(
                            Layer::Base85,
                            offset,
                            "base85 overflow in hunk"
                        )),
                        "decode {}",
                        fields[1]
                    );
                    overflow += 1;
                }
                other => panic!("unknown verdict {other}"),
            }
        }
        assert!(
            ok > 500 && bad > 300 && overflow > 100,
            "{ok} {bad} {overflow}"
        );
    }

    #[test]
    fn base85_one_character_tail_is_checked_but_yields_nothing() {
        assert_eq!(decode(b"0"), Ok(vec![]));
        assert_eq!(decode(b"{"), Ok(vec![]));
        assert_eq!(decode(b"Xk~0{0"), Ok(b"hell".to_vec()));
        assert_eq!(decode(b"Xk~0{{"), Ok(b"hell".to_vec()));
        for c in [b'|', b'}', b'~'] {
            assert_eq!(
                decode(&[b'0', b'0', b'0', b'0', b'0', c]),
                Err(Error::malformed(
                    Layer::Base85,
                    5,
                    "base85 overflow in hunk"
                ))
            );
        }
    }

    #[test]
    fn base85_overflow_boundary() {
        assert_eq!(decode(b"|NsC0"), Ok(vec![0xFF; 4]));
        assert!(matches!(
            decode(b"|NsC1"),
            Err(Error::Malformed {
                layer: Layer::Base85,
                offset: 0,
                ..
            })
        ));
        assert!(matches!(
            decode(b"00000~~~~~"),
            Err(Error::Malformed {
                layer: Layer::Base85,
                offset: 5,
                ..
            })
        ));
    }

    #[test]
    fn base85_bad_character_beats_overflow_in_the_same_group_only() {
        // Same group: the bad byte is reported even though it comes after `~`.
        assert_eq!(
            decode(b"~~~~ "),
            Err(Error::malformed(Layer::Base85, 4, "bad base85 character"))
        );
        // Earlier group overflows: that is reported before a later bad byte.
        assert_eq!(
            decode(b"~~~~~ "),
            Err(Error::malformed(
                Layer::Base85,
                0,
                "base85 overflow in hunk"
            ))
        );
    }

    #[test]
    fn base85_whitespace_and_non_ascii_are_not_skipped() {
        for (text, at) in [
            (&b" "[..], 0),
            (b"00000\n", 5),
            (b"0000\t", 4),
            (b"00\xC3\xA9", 2),
        ] {
            assert_eq!(
                decode(text),
                Err(Error::malformed(Layer::Base85, at, "bad base85 character"))
            );
        }
    }

    #[test]
    fn base85_empty_round_trips() {
        assert_eq!(encode(b""), "");
        assert_eq!(decode(b""), Ok(vec![]));
    }

    #[test]
    fn base85_decoded_length_is_at_most_four_fifths() {
        for len in 0..40 {
            let text = vec![b'0'; len];
            let out = decode(&text).unwrap();
            assert!(out.len() * 5 <= len * 4, "{len} -> {}", out.len());
            assert!(out.capacity() <= len * 4 / 5 + 1);
        }
    }

    proptest! {
        /// Decoding what we encode gives the bytes back.
        #[test]
        fn base85_decode_inverts_encode(data in proptest::collection::vec(any::<u8>(), 0..300)) {
            prop_assert_eq!(decode(encode(&data).as_bytes()), Ok(data));
        }

        /// Whatever text decodes, re-encoding its output decodes to the same bytes
        /// (decode ∘ encode ∘ decode == decode), for texts mostly inside the alphabet.
        #[test]
        fn base85_reencode_is_stable(
            text in proptest::collection::vec(
                prop_oneof![
                    20 => proptest::sample::select(ALPHABET.to_vec()),
                    1 => any::<u8>(),
                ],
                0..60,
            )
        ) {
            if let Ok(bytes) = decode(&text) {
                prop_assert_eq!(decode(encode(&bytes).as_bytes()), Ok(bytes));
            }
        }

        /// Arbitrary bytes never panic, and an error always points inside the input.
        #[test]
        fn base85_errors_point_inside_the_input(text in proptest::collection::vec(any::<u8>(), 0..40)) {
            match decode(&text) {
                Ok(bytes) => prop_assert!(bytes.len() * 5 <= text.len() * 4),
                Err(Error::Malformed { layer: Layer::Base85, offset, .. }) => {
                    prop_assert!(offset < text.len())
                }
                Err(other) => prop_assert!(false, "unexpected error {:?}", other),
            }
        }
    }
}
