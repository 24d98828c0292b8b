//! The byte scanner both directions share: where a run of characters that need no escaping
//! ends.

/// Where the first byte in `bytes` that ends a run of plain string characters is: `"`, `\`
/// or a control character (below 0x20) — what the reader stops at and what `json.dumps`
/// escapes — and, with `ASCII` (`ensure_ascii`), also DEL and every byte of a non-ASCII
/// character. Eight bytes at a time (SWAR): in each 64-bit word, a byte's high bit is set in
/// `(x - 0x01..) & !x` when the byte of `x` is zero, and in `(w - 0x20..) & !w` when the byte
/// of `w` is below 0x20; a borrow can only set bits above a byte that truly matched, so the
/// lowest bit set marks the first match.
pub(super) fn find_special<const ASCII: bool>(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    const QUOTES: u64 = u64::from_le_bytes([b'"'; 8]);
    const BACKSLASHES: u64 = u64::from_le_bytes([b'\\'; 8]);
    const SPACES: u64 = u64::from_le_bytes([0x20; 8]);
    const DELS: u64 = u64::from_le_bytes([0x7F; 8]);
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0usize;
    for chunk in &mut chunks {
        // Little-endian: the first byte is the lowest.
        let word = chunk
            .iter()
            .rev()
            .fold(0u64, |word, &b| (word << 8) | u64::from(b));
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
