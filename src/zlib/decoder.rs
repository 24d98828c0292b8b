//! A one-shot zlib/deflate decoder (RFC 1950 around RFC 1951) that accepts and refuses exactly
//! what C zlib's `inflate.c`/`inftrees.c` accept and refuse, tuned for the small streams of
//! session cookies.
//!
//! The whole stream is one slice and the output is one `Vec` holding all output so far, so
//! there is no window, no streaming state machine and no resumption: back-references read the
//! output directly, and "distance too far back" means a distance longer than the output so far.
//!
//! Decoding tables follow zlib and libdeflate: a primary table indexed by the next
//! [`LIT_BITS`] (literal/length) or [`DIST_BITS`] (distance) bits, with subtables for longer
//! codes. Each entry packs what a symbol means (literal byte, length or distance base and its
//! extra-bit count, end of block, subtable pointer) with its code length, so a symbol costs one
//! or two lookups. A table is written only where the code puts entries (a complete code covers
//! every slot; only the codes zlib allows to be incomplete clear their table first), and the
//! fixed-Huffman tables are built at compile time.
//!
//! zlib's refusal rules, as `inflate.c` and `inftrees.c` apply them (so Python's
//! `zlib.decompress` agrees): block type 3; stored length and its complement disagreeing; more
//! than 286 literal/length or 30 distance codes; an over-subscribed or incomplete code length
//! code; a repeat (16) with no previous length, or any repeat past the declared code count; no
//! code for end-of-block; an over-subscribed literal/length or distance code, or an incomplete
//! one unless it is a single code of length 1 (or, for distances, no code at all); a code that
//! hits an unused table slot; literal/length symbols 286 and 287, distance symbols 30 and 31; a
//! distance past the start of the output; a wrong Adler-32.
//!
//! Bounded: time is linear in the input and the output; memory is the output (at most `max`
//! bytes, reserved exactly, never amortized past the bound) plus the boxed tables (about
//! 9 KB). No recursion.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::{adler_mismatch, check_header, first_buffer, grow, Inflate};
use crate::error::{Error, Layer, Limit, Result};

/// Index bits of the literal/length primary table.
const LIT_BITS: u32 = 10;
/// Index bits of the distance primary table.
const DIST_BITS: u32 = 8;
/// Index bits of the code length table (code length codes are at most 7 bits: no subtables).
const CODELEN_BITS: u32 = 7;
const LIT_MASK: u64 = (1 << LIT_BITS) - 1;
const DIST_MASK: u64 = (1 << DIST_BITS) - 1;
const CODELEN_MASK: u64 = (1 << CODELEN_BITS) - 1;

/// Largest literal/length table, primary plus subtables: `enough 288 10 15` (zlib's
/// `examples/enough.c`; libdeflate's `LITLEN_ENOUGH` for 10 table bits).
const LIT_SIZE: usize = 1334;
/// Largest distance table: `enough 32 8 15`.
const DIST_SIZE: usize = 402;
const CODELEN_SIZE: usize = 1 << CODELEN_BITS;

/// Longest code (RFC 1951).
const MAX_CODE_LEN: usize = 15;
/// Most literal/length and distance code lengths a dynamic header may declare (zlib: "too many
/// length or distance symbols" past these).
const MAX_LIT_CODES: usize = 286;
const MAX_DIST_CODES: usize = 30;
/// Room for one code's symbols in canonical order (at most 288), a power of two for masking.
const SORTED_SIZE: usize = 512;
/// Order of the code length code lengths in a dynamic block header (RFC 1951, 3.2.7).
const CODELEN_ORDER: [u8; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

// Table entry layout (u32):
//   bits  0..=4   bits to drop: the code length (a subtable entry holds the whole length)
//   bits  8..=11  extra bits after the code (lengths, distances), or a subtable's index bits
//   bits 12..=15  kind flags; none set means an invalid code
//   bits 16..=31  literal byte, length or distance base, code length symbol, subtable offset
const LEN_FIELD: u32 = 0x1F;
const LITERAL: u32 = 1 << 12;
const MATCH: u32 = 1 << 13;
const END: u32 = 1 << 14;
const SUBTABLE: u32 = 1 << 15;

/// Length bases and extra bits of symbols 257..=285 (RFC 1951, 3.2.5).
const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
/// Distance bases and extra bits of symbols 0..=29.
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

/// What each literal/length symbol decodes to (without its code length). 286 and 287 stay
/// invalid: zlib's "invalid literal/length code".
static LIT_MEANING: [u32; 288] = lit_meaning();
/// What each distance symbol decodes to. 30 and 31 stay invalid: "invalid distance code".
static DIST_MEANING: [u32; 32] = dist_meaning();
/// Code length symbols decode to themselves.
static CODELEN_MEANING: [u32; 19] = codelen_meaning();
/// The fixed-Huffman tables (RFC 1951, 3.2.6): every code fits the primary table.
static FIXED_LIT: [u32; LIT_SIZE] = fixed_lit();
static FIXED_DIST: [u32; DIST_SIZE] = fixed_dist();

// Const tables: an out-of-range index here fails the build, not a run.
#[allow(clippy::indexing_slicing)]
const fn lit_meaning() -> [u32; 288] {
    let mut t = [0u32; 288];
    let mut sym = 0;
    while sym < 256 {
        t[sym] = LITERAL | (sym as u32) << 16;
        sym += 1;
    }
    t[256] = END;
    let mut i = 0;
    while i < 29 {
        t[257 + i] = MATCH | (LENGTH_EXTRA[i] as u32) << 8 | (LENGTH_BASE[i] as u32) << 16;
        i += 1;
    }
    t
}

// Const tables: an out-of-range index here fails the build, not a run.
#[allow(clippy::indexing_slicing)]
const fn dist_meaning() -> [u32; 32] {
    let mut t = [0u32; 32];
    let mut i = 0;
    while i < 30 {
        t[i] = MATCH | (DIST_EXTRA[i] as u32) << 8 | (DIST_BASE[i] as u32) << 16;
        i += 1;
    }
    t
}

// Const tables: an out-of-range index here fails the build, not a run.
#[allow(clippy::indexing_slicing)]
const fn codelen_meaning() -> [u32; 19] {
    let mut t = [0u32; 19];
    let mut i = 0;
    while i < 19 {
        t[i] = LITERAL | (i as u32) << 16;
        i += 1;
    }
    t
}

/// `code`'s low `len` bits in reverse order: deflate sends Huffman codes most significant bit
/// first into a least-significant-first bit stream.
const fn reverse(code: u32, len: u32) -> u32 {
    code.reverse_bits() >> (32 - len)
}

// Const tables: an out-of-range index here fails the build, not a run.
#[allow(clippy::indexing_slicing)]
const fn fixed_lit() -> [u32; LIT_SIZE] {
    let mut t = [0u32; LIT_SIZE];
    let mut i = 0u32;
    while i < 1 << LIT_BITS {
        // RFC 1951, 3.2.6: 256-279 are 7-bit codes 0..=23; 0-143 8-bit 0x30..=0xBF; 280-287
        // 8-bit 0xC0..=0xC7; 144-255 9-bit 0x190..=0x1FF.
        let c7 = reverse(i & 0x7F, 7);
        let c8 = reverse(i & 0xFF, 8);
        let c9 = reverse(i & 0x1FF, 9);
        let (sym, len) = if c7 < 24 {
            (256 + c7, 7)
        } else if c8 >= 0x30 && c8 < 0xC0 {
            (c8 - 0x30, 8)
        } else if c8 >= 0xC0 && c8 < 0xC8 {
            (280 + c8 - 0xC0, 8)
        } else {
            (144 + c9 - 0x190, 9)
        };
        t[i as usize] = LIT_MEANING_CONST[sym as usize] | len;
        i += 1;
    }
    t
}

/// [`LIT_MEANING`] for const evaluation (a const fn cannot read a static).
const LIT_MEANING_CONST: [u32; 288] = lit_meaning();
const DIST_MEANING_CONST: [u32; 32] = dist_meaning();

// Const tables: an out-of-range index here fails the build, not a run.
#[allow(clippy::indexing_slicing)]
const fn fixed_dist() -> [u32; DIST_SIZE] {
    let mut t = [0u32; DIST_SIZE];
    let mut i = 0u32;
    while i < 1 << DIST_BITS {
        // 32 five-bit codes; 30 and 31 decode as invalid, as in zlib.
        t[i as usize] = DIST_MEANING_CONST[reverse(i & 0x1F, 5) as usize] | 5;
        i += 1;
    }
    t
}

/// The decoder: dynamic-block tables kept across blocks and streams (nothing in them needs
/// clearing between uses).
pub(super) struct Decoder {
    tables: Box<Tables>,
}

struct Tables {
    lit: [u32; LIT_SIZE],
    dist: [u32; DIST_SIZE],
    codelen: [u32; CODELEN_SIZE],
    /// Code lengths of one dynamic header: literal/length then distance, as zlib reads them.
    lens: [u8; MAX_LIT_CODES + MAX_DIST_CODES],
    /// Scratch for [`build`]: symbols in canonical order.
    sorted: [u16; SORTED_SIZE],
}

/// Which zlib code a table is for: the code length code must be complete; literal/length and
/// distance codes may be incomplete only as one code of length 1.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CodeKind {
    CodeLengths,
    LitLen,
    Dist,
}

/// The input as a little-endian bit stream with a 64-bit buffer.
#[derive(Clone, Copy)]
struct Bits<'a> {
    data: &'a [u8],
    /// Next byte to load into `buf`.
    pos: usize,
    /// Loaded bits, next bit lowest. Bits at and above `count` may hold the following input
    /// bytes (loaded early by a word refill); they are loaded again at the same place, so ORing
    /// them back in changes nothing.
    buf: u64,
    /// Valid bits in `buf`.
    count: u32,
}

impl<'a> Bits<'a> {
    fn new(data: &'a [u8], pos: usize) -> Bits<'a> {
        Bits {
            data,
            pos,
            buf: 0,
            count: 0,
        }
    }

    /// Loads input until 56 to 63 bits are valid or the input is used up.
    #[inline(always)]
    fn refill(&mut self) {
        let word = self
            .data
            .get(self.pos..)
            .and_then(|rest| rest.first_chunk::<8>());
        if let Some(&word) = word {
            // libdeflate's branchless refill: load whole bytes up to 56..=63 valid bits.
            self.buf |= u64::from_le_bytes(word) << self.count;
            self.pos += ((63 - self.count) >> 3) as usize;
            self.count |= 56;
        } else {
            // Below 56, so `count` stays at most 63 (the word refill shifts by it).
            while self.count < 56 {
                match self.data.get(self.pos) {
                    Some(&byte) => {
                        self.buf |= u64::from(byte) << self.count;
                        self.pos += 1;
                        self.count += 8;
                    }
                    None => break,
                }
            }
        }
    }

    /// Drops `n` valid bits (`n <= count`).
    #[inline(always)]
    fn drop_bits(&mut self, n: u32) {
        self.buf >>= n;
        self.count -= n;
    }

    /// Takes `n <= 32` bits after a refill; a stream that ends first is truncated.
    #[inline(always)]
    fn take(&mut self, n: u32) -> Result<u32> {
        if n > self.count {
            return Err(self.truncated());
        }
        let value = (self.buf & ((1u64 << n) - 1)) as u32;
        self.drop_bits(n);
        Ok(value)
    }

    /// Byte offset of the next unread bit.
    #[inline(always)]
    fn offset(&self) -> usize {
        self.pos.saturating_sub((self.count / 8) as usize)
    }

    #[inline(always)]
    fn truncated(&self) -> Error {
        Error::malformed(Layer::Zlib, self.data.len(), "truncated stream")
    }

    #[inline(always)]
    fn invalid(&self, what: &'static str) -> Error {
        Error::malformed(Layer::Zlib, self.offset(), what)
    }

    /// Drops the bits up to the next byte boundary and returns its offset; the buffer is
    /// emptied so the caller reads bytes directly.
    fn align(&mut self) -> usize {
        let at = self.offset();
        self.pos = at;
        self.buf = 0;
        self.count = 0;
        at
    }
}

impl Inflate for Decoder {
    fn new() -> Decoder {
        let tables = Box::new(Tables {
            lit: [0; LIT_SIZE],
            dist: [0; DIST_SIZE],
            codelen: [0; CODELEN_SIZE],
            lens: [0; MAX_LIT_CODES + MAX_DIST_CODES],
            sorted: [0; SORTED_SIZE],
        });
        Decoder { tables }
    }

    fn run(&mut self, data: &[u8], out: &mut Vec<u8>, max: usize) -> Result<usize> {
        check_header(data)?;
        // `out` is the output buffer: its length never passes `max` (what it already holds
        // is reused, so a reused buffer needs no clearing), and `at` is the output so far.
        out.truncate(max);
        first_buffer(data, out, max);
        let mut at = 0usize;
        let mut bits = Bits::new(data, 2);
        loop {
            bits.refill();
            let header = bits.take(3)?;
            match header >> 1 {
                0 => stored(&mut bits, out, &mut at, max)?,
                1 => codes(&mut bits, &FIXED_LIT, &FIXED_DIST, out, &mut at, max)?,
                2 => {
                    dynamic_tables(&mut bits, &mut self.tables)?;
                    let tables = &*self.tables;
                    codes(&mut bits, &tables.lit, &tables.dist, out, &mut at, max)?;
                }
                _ => return Err(bits.invalid("invalid block type")),
            }
            if header & 1 != 0 {
                break;
            }
        }
        let end = bits.align();
        let trailer = data
            .get(end..end.saturating_add(4))
            .and_then(|t| <[u8; 4]>::try_from(t).ok())
            .ok_or_else(|| bits.truncated())?;
        let output = out.get(..at).ok_or_else(|| broken(end))?;
        if u32::from_be_bytes(trailer) != adler32(output) {
            return Err(adler_mismatch(end.saturating_add(4)));
        }
        Ok(at)
    }
}

/// Adler-32 (RFC 1950, 8.2) of `data`, eight bytes per step: for bytes `x0..x7`,
/// `b += 8a + 8x0 + 7x1 + ... + x7` and `a += x0 + ... + x7`, the two sums taken with
/// multiplications over 16-bit lanes of one `u64`.
fn adler32(data: &[u8]) -> u32 {
    const MOD: u64 = 65521;
    const LOW_BYTES: u64 = 0x00FF_00FF_00FF_00FF;
    const ONES: u64 = 0x0001_0001_0001_0001;
    // Lane j of the product's top lane takes weight 7 - 2j (pairs) or 1 (even bytes).
    const WEIGHTS: u64 = 0x0007_0005_0003_0001;
    let (mut a, mut b) = (1u64, 0u64);
    // 5552 bytes (zlib's NMAX, a multiple of 8) keep `a` and `b` far below u64::MAX; every
    // lane of the products stays below 2^16 (at most 16 * 510), so no lane carries into the next.
    for block in data.chunks(5552) {
        let mut rest = block;
        while let Some((word, tail)) = rest.split_first_chunk::<8>() {
            rest = tail;
            let x = u64::from_le_bytes(*word);
            let evens = x & LOW_BYTES;
            let pairs = evens + ((x >> 8) & LOW_BYTES);
            let sum = pairs.wrapping_mul(ONES) >> 48;
            let weighted = (pairs.wrapping_mul(WEIGHTS) >> 48) + (evens.wrapping_mul(ONES) >> 48);
            b += 8 * a + weighted;
            a += sum;
        }
        for &byte in rest {
            a += u64::from(byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16 | a) as u32
}

/// Makes `out` at least `at + n` bytes long, or refuses if that passes `max`: doubling,
/// capped at `max`, allocated exactly so the buffer never passes the bound.
#[cold]
fn make_room(out: &mut Vec<u8>, at: usize, n: usize, max: usize) -> Result<()> {
    let need = at
        .checked_add(n)
        .filter(|&end| end <= max)
        .ok_or(Error::LimitExceeded(Limit::InflatedLen))?;
    grow(out, out.len().saturating_mul(2).max(need).min(max));
    Ok(())
}

/// Copies a stored block (RFC 1951, 3.2.4).
fn stored(bits: &mut Bits<'_>, out: &mut Vec<u8>, at: &mut usize, max: usize) -> Result<()> {
    let start = bits.align();
    let data = bits.data;
    let Some((&[a, b, c, d], available)) = data.get(start..).and_then(<[u8]>::split_first_chunk)
    else {
        return Err(bits.truncated());
    };
    let (len, nlen) = (u16::from_le_bytes([a, b]), u16::from_le_bytes([c, d]));
    if len != !nlen {
        return Err(Error::malformed(
            Layer::Zlib,
            start,
            "invalid stored block lengths",
        ));
    }
    let len = usize::from(len);
    // The part of the block the input holds is held to the limit first, so a truncated block
    // that would also pass the limit is a limit refusal.
    if len.min(available.len()) > max.saturating_sub(*at) {
        return Err(Error::LimitExceeded(Limit::InflatedLen));
    }
    let Some(block) = available.get(..len) else {
        return Err(bits.truncated());
    };
    let end = *at + len;
    if out.len() < end {
        make_room(out, *at, len, max)?;
    }
    out.get_mut(*at..end)
        .ok_or_else(|| broken(start))?
        .copy_from_slice(block);
    *at = end;
    bits.pos = start + 4 + len;
    Ok(())
}

/// Reads a dynamic block header (RFC 1951, 3.2.7) and builds its tables, refusing what zlib's
/// `inflate.c` refuses, with its messages.
fn dynamic_tables(bits: &mut Bits<'_>, tables: &mut Tables) -> Result<()> {
    bits.refill();
    let nlit = bits.take(5)? as usize + 257;
    let ndist = bits.take(5)? as usize + 1;
    let ncode = bits.take(4)? as usize + 4;
    if nlit > MAX_LIT_CODES || ndist > MAX_DIST_CODES {
        return Err(bits.invalid("too many length or distance symbols"));
    }
    let mut codelen_lens = [0u8; 19];
    for &sym in CODELEN_ORDER.iter().take(ncode) {
        // 19 fields of 3 bits: at most 57 bits, so refill before each.
        bits.refill();
        let len = bits.take(3)?;
        *codelen_lens
            .get_mut(usize::from(sym))
            .ok_or_else(|| broken(bits.offset()))? = len as u8;
    }
    build(
        &codelen_lens,
        &CODELEN_MEANING,
        &mut tables.codelen,
        CODELEN_BITS,
        CodeKind::CodeLengths,
        &mut tables.sorted,
    )
    .map_err(|()| bits.invalid("invalid code lengths set"))?;

    let total = nlit + ndist;
    // At most 286 + 30 (checked above): the whole of `tables.lens`.
    let lens = tables
        .lens
        .get_mut(..total)
        .ok_or_else(|| broken(bits.offset()))?;
    // Zeroed once, so runs of zeros (codes 17 and 18, most of a small block's lengths) only
    // move `have`.
    lens.fill(0);
    let mut have = 0usize;
    while have < total {
        // A code (at most 7 bits) and its extra bits (at most 7).
        if bits.count < 14 {
            bits.refill();
        }
        let entry = lookup(&tables.codelen, bits.buf & CODELEN_MASK);
        let n = entry & LEN_FIELD;
        if n > bits.count {
            return Err(bits.truncated());
        }
        bits.drop_bits(n);
        let sym = entry >> 16;
        if sym < 16 {
            *lens.get_mut(have).ok_or_else(|| broken(bits.offset()))? = sym as u8;
            have += 1;
            continue;
        }
        let (value, repeat) = match sym {
            16 => {
                let Some(&prev) = have.checked_sub(1).and_then(|i| lens.get(i)) else {
                    return Err(bits.invalid("invalid bit length repeat"));
                };
                (prev, 3 + bits.take(2)? as usize)
            }
            17 => (0, 3 + bits.take(3)? as usize),
            _ => (0, 11 + bits.take(7)? as usize),
        };
        let Some(run) = lens.get_mut(have..have + repeat) else {
            return Err(bits.invalid("invalid bit length repeat"));
        };
        if value != 0 {
            for slot in run {
                *slot = value;
            }
        }
        have += repeat;
    }
    let (lit_lens, dist_lens) = lens.split_at(nlit);
    if lit_lens.get(256) == Some(&0) {
        return Err(bits.invalid("invalid code -- missing end-of-block"));
    }
    build(
        lit_lens,
        &LIT_MEANING,
        &mut tables.lit,
        LIT_BITS,
        CodeKind::LitLen,
        &mut tables.sorted,
    )
    .map_err(|()| bits.invalid("invalid literal/lengths set"))?;
    build(
        dist_lens,
        &DIST_MEANING,
        &mut tables.dist,
        DIST_BITS,
        CodeKind::Dist,
        &mut tables.sorted,
    )
    .map_err(|()| bits.invalid("invalid distances set"))?;
    Ok(())
}

/// The table entry of an invalid code: no kind flag set, so every decode loop refuses it.
const INVALID: u32 = 0;

/// The primary-table entry for the low bits of `buf` (`index` is masked to the table bits).
///
/// Every table is at least as long as its primary part, so the compiler drops the bounds
/// check. A slot past the end, which [`build`] never points to, would read as [`INVALID`]:
/// the stream is refused, never decoded wrongly.
#[inline(always)]
fn lookup(table: &[u32], index: u64) -> u32 {
    table.get(index as usize).copied().unwrap_or(INVALID)
}

/// Follows a subtable pointer with the bits after the primary index. [`build`] checks that
/// every subtable fits its table; a slot past the end would read as [`INVALID`], as in
/// [`lookup`].
#[inline(always)]
fn subtable(table: &[u32], pointer: u32, buf: u64, root: u32) -> u32 {
    let bits = (pointer >> 8) & 0xF;
    let index = (pointer >> 16) as usize + ((buf >> root) & ((1 << bits) - 1)) as usize;
    table.get(index).copied().unwrap_or(INVALID)
}

/// Builds a decoding table from code lengths, as zlib's `inflate_table` does (canonical codes,
/// bit-reversed, subtables sized to the codes they hold), refusing over-subscribed and
/// incomplete codes by zlib's rule. `meaning[sym]` is what symbol `sym` decodes to.
///
/// The primary table is filled as libdeflate fills it: codes in order of length, each written
/// once into a table as wide as its length, the table doubled (copied onto its upper half)
/// whenever the length grows, so each slot costs a copy rather than a strided store.
fn build(
    lens: &[u8],
    meaning: &[u32],
    table: &mut [u32],
    root: u32,
    kind: CodeKind,
    sorted: &mut [u16; SORTED_SIZE],
) -> core::result::Result<(), ()> {
    let mut count = [0u16; MAX_CODE_LEN + 1];
    for &len in lens {
        if let Some(c) = count.get_mut(usize::from(len & 15)) {
            *c += 1;
        }
    }
    // The longest code length in use; 0 when no symbol has a code.
    let max = (1..=MAX_CODE_LEN)
        .rev()
        .find(|&len| count.get(len).is_some_and(|&c| c != 0))
        .unwrap_or(0);
    let root_size = 1usize << root;
    let primary = table.get_mut(..root_size).ok_or(())?;
    if max == 0 {
        // zlib: no symbols at all is accepted; any code then read is invalid. A code length code
        // with no symbols decodes only zero lengths, so the block is always refused (zlib: for
        // missing end-of-block, or a truncation): refuse it now.
        if kind == CodeKind::CodeLengths {
            return Err(());
        }
        primary.fill(0);
        return Ok(());
    }
    // Over-subscribed or incomplete (inftrees.c).
    let mut left: i32 = 1;
    for &c in count.iter().skip(1) {
        left = (left << 1) - i32::from(c);
        if left < 0 {
            return Err(());
        }
    }
    if left > 0 {
        if kind == CodeKind::CodeLengths || max != 1 {
            return Err(());
        }
        // One code of length 1: the other slots stay invalid.
        primary.fill(0);
    }

    // Symbols sorted by code length, then by symbol (canonical order).
    // `offsets[len]`: where the codes of `len` bits start (`offsets[1] == 0`).
    let mut offsets = [0u16; MAX_CODE_LEN + 2];
    let mut next = 0u16;
    for (o, &c) in offsets.iter_mut().skip(2).zip(count.iter().skip(1)) {
        next += c;
        *o = next;
    }
    for (sym, &len) in lens.iter().enumerate() {
        if len != 0 {
            // Lengths are at most 15 and offsets at most 288: the masks change no value and
            // let the compiler drop the bounds checks.
            if let Some(o) = offsets.get_mut(usize::from(len & 15)) {
                if let Some(slot) = sorted.get_mut(usize::from(*o) & (SORTED_SIZE - 1)) {
                    *slot = sym as u16;
                }
                *o += 1;
            }
        }
    }
    // Each `offsets[len]` has moved to the start of the next length: `offsets[15]` is the
    // number of symbols with a code.
    let used = usize::from(*offsets.get(MAX_CODE_LEN).ok_or(())?);

    let root_mask = root_size - 1;
    // The primary table filled so far: `1 << width` slots.
    let mut width = 0u32;
    // The bit-reversed canonical code of the current symbol.
    let mut code = 0usize;
    // Codes that fit the primary table, one length at a time.
    let mut index = 0usize;
    for len in 1..=root.min(max as u32) {
        // An `Err` below is a broken invariant of this function, not of the input; the
        // stream is refused either way.
        let end = usize::from(*offsets.get(len as usize).ok_or(())?);
        let group = sorted.get(index..end).ok_or(())?;
        if group.is_empty() {
            continue;
        }
        double_to(table, &mut width, len)?;
        for &sym in group {
            let entry = *meaning.get(usize::from(sym)).ok_or(())? | len;
            *table.get_mut(code).ok_or(())? = entry;
            code = next_code(code, len);
        }
        index = end;
    }
    double_to(table, &mut width, root)?;

    // Longer codes: subtables. The subtable being filled: its primary slot, offset and index
    // bits.
    let mut sub_low = usize::MAX;
    let mut sub_start = 0usize;
    let mut sub_bits = 0u32;
    let mut next_free = root_size;
    for (index, &sym) in sorted.get(..used).ok_or(())?.iter().enumerate().skip(index) {
        let sym = usize::from(sym);
        let len = u32::from(*lens.get(sym).ok_or(())?);
        let entry = *meaning.get(sym).ok_or(())? | len;
        let low = code & root_mask;
        if low != sub_low {
            // A new subtable: as big as the codes sharing this prefix need (inftrees.c).
            sub_low = low;
            sub_start = next_free;
            // Codes of each length still to place (zlib's `count[len]` as it is used up):
            // those of this length from `index` on, and all longer ones.
            let remaining = |l: u32| -> Option<i32> {
                if l == len {
                    Some(i32::from(*offsets.get(l as usize)?) - index as i32)
                } else {
                    Some(i32::from(*count.get(l as usize)?))
                }
            };
            let mut bits = len - root;
            let mut room: i32 = 1 << bits;
            while bits + root < max as u32 {
                room -= remaining(bits + root).ok_or(())?;
                if room <= 0 {
                    break;
                }
                bits += 1;
                room <<= 1;
            }
            sub_bits = bits;
            next_free += 1 << bits;
            if next_free > table.len() {
                return Err(());
            }
            *table.get_mut(low).ok_or(())? = SUBTABLE | bits << 8 | (sub_start as u32) << 16;
        }
        let mut i = code >> root;
        while i < 1 << sub_bits {
            *table.get_mut(sub_start + i).ok_or(())? = entry;
            i += 1 << (len - root);
        }
        code = next_code(code, len);
    }
    Ok(())
}

/// The bit-reversed canonical code after `code` among codes of `len` bits (inftrees.c's
/// increment, without its loop): clear the ones above the highest zero bit and set that bit.
#[inline(always)]
fn next_code(code: usize, len: u32) -> usize {
    let zeros = !code & ((1 << len) - 1);
    if zeros == 0 {
        0
    } else {
        let incr = 1usize << (usize::BITS - 1 - zeros.leading_zeros());
        (code & (incr - 1)) | incr
    }
}

/// Doubles the filled part of the primary table (`1 << width` slots) until it is
/// `1 << target` slots: each code written so far then fills every slot its bits select.
/// `Err` only if the table is shorter than `1 << target` slots, which [`build`] checks first.
fn double_to(table: &mut [u32], width: &mut u32, target: u32) -> core::result::Result<(), ()> {
    while *width < target {
        let size = 1usize << *width;
        table
            .get_mut(..2 * size)
            .ok_or(())?
            .copy_within(..size, size);
        *width += 1;
    }
    Ok(())
}

/// A write that did not fit the output buffer, left for [`codes`] to make room for.
enum Pending {
    End,
    Literal(u8),
    Match { length: usize, distance: usize },
}

/// Decodes one Huffman-coded block with the given tables, up to its end-of-block code.
fn codes(
    bits: &mut Bits<'_>,
    lit: &[u32; LIT_SIZE],
    dist: &[u32; DIST_SIZE],
    out: &mut Vec<u8>,
    at: &mut usize,
    max: usize,
) -> Result<()> {
    // Local copies, so the hot loop keeps them in registers.
    let mut local = *bits;
    let mut here = *at;
    loop {
        if fast(&mut local, lit, dist, out, &mut here)? {
            break;
        }
        match decode(&mut local, lit, dist, out, &mut here)? {
            Pending::End => break,
            Pending::Literal(byte) => {
                make_room(out, here, 1, max)?;
                *out.get_mut(here).ok_or_else(|| broken(local.offset()))? = byte;
                here += 1;
            }
            Pending::Match { length, distance } => {
                make_room(out, here, length, max)?;
                if !copy_match(out, here, distance, length) {
                    return Err(broken(local.offset()));
                }
                here += length;
            }
        }
    }
    *bits = local;
    *at = here;
    Ok(())
}

/// Longest match plus the slack of an 8-byte copy: room the fast loop needs per symbol.
const FAST_ROOM: usize = 258 + 8;

/// The fast loop (libdeflate's design): while at least 8 input bytes remain and `buf` has
/// [`FAST_ROOM`] bytes free, a refill below 48 bits gives 56, enough for any symbol with its
/// extra bits, so no step checks for the end of input or of the buffer. Returns true at the end of
/// the block; false when either margin runs out or on a code it leaves to [`decode`] (an
/// invalid one), without consuming it.
#[inline(always)]
fn fast(
    bits: &mut Bits<'_>,
    lit: &[u32; LIT_SIZE],
    dist: &[u32; DIST_SIZE],
    buf: &mut [u8],
    at: &mut usize,
) -> Result<bool> {
    let data = bits.data;
    let (mut pos, mut bitbuf, mut count) = (bits.pos, bits.buf, bits.count);
    let mut here = *at;
    let Some(limit) = buf.len().checked_sub(FAST_ROOM) else {
        return Ok(false);
    };
    let mut done = false;
    while here <= limit {
        if count < 48 {
            let Some(&word) = data.get(pos..).and_then(|rest| rest.first_chunk::<8>()) else {
                break;
            };
            bitbuf |= u64::from_le_bytes(word) << count;
            pos += ((63 - count) >> 3) as usize;
            count |= 56;
        }

        let mut entry = lookup(lit, bitbuf & LIT_MASK);
        if entry & SUBTABLE != 0 {
            entry = subtable(lit, entry, bitbuf, LIT_BITS);
        }
        let n = entry & LEN_FIELD;
        if entry & LITERAL != 0 {
            bitbuf >>= n;
            count -= n;
            if let Some(slot) = buf.get_mut(here) {
                *slot = (entry >> 16) as u8;
            }
            here += 1;
            // Literals come in runs: a second one needs no refill (at least 33 bits are left)
            // and has room (`FAST_ROOM` is more than 2).
            let mut entry = lookup(lit, bitbuf & LIT_MASK);
            if entry & SUBTABLE != 0 {
                entry = subtable(lit, entry, bitbuf, LIT_BITS);
            }
            if entry & LITERAL != 0 {
                let n = entry & LEN_FIELD;
                bitbuf >>= n;
                count -= n;
                if let Some(slot) = buf.get_mut(here) {
                    *slot = (entry >> 16) as u8;
                }
                here += 1;
            }
            continue;
        }
        if entry & MATCH == 0 {
            if entry & END != 0 {
                bitbuf >>= n;
                count -= n;
                done = true;
            }
            // An invalid code: left for `decode` to report.
            break;
        }
        let extra = (entry >> 8) & 0xF;
        bitbuf >>= n;
        let length = (entry >> 16) as usize + (bitbuf & ((1 << extra) - 1)) as usize;
        bitbuf >>= extra;
        count -= n + extra;

        let mut entry = lookup(dist, bitbuf & DIST_MASK);
        if entry & SUBTABLE != 0 {
            entry = subtable(dist, entry, bitbuf, DIST_BITS);
        }
        if entry & MATCH == 0 {
            bits.pos = pos;
            bits.buf = bitbuf;
            bits.count = count;
            return Err(bits.invalid("invalid distance code"));
        }
        let n = entry & LEN_FIELD;
        let extra = (entry >> 8) & 0xF;
        bitbuf >>= n;
        let distance = (entry >> 16) as usize + (bitbuf & ((1 << extra) - 1)) as usize;
        bitbuf >>= extra;
        count -= n + extra;
        if distance > here {
            bits.pos = pos;
            bits.buf = bitbuf;
            bits.count = count;
            return Err(bits.invalid("invalid distance too far back"));
        }
        // `here <= limit` leaves room for any match: `false` would be a broken invariant.
        if !copy_match(buf, here, distance, length) {
            bits.pos = pos;
            bits.buf = bitbuf;
            bits.count = count;
            return Err(broken(bits.offset()));
        }
        here += length;
    }
    bits.pos = pos;
    bits.buf = bitbuf;
    bits.count = count;
    *at = here;
    Ok(done)
}

/// Decodes symbols into `buf` from `at` until the end of the block or a write that does not
/// fit in `buf`, checking every step against the end of the input.
#[inline(always)]
fn decode(
    bits: &mut Bits<'_>,
    lit: &[u32; LIT_SIZE],
    dist: &[u32; DIST_SIZE],
    buf: &mut [u8],
    at: &mut usize,
) -> Result<Pending> {
    let mut here = *at;
    let pending = loop {
        // 48 bits cover the longest match: 15 + 5 extra + 15 + 13 extra; a refill gives 56.
        if bits.count < 48 {
            bits.refill();
        }
        let mut entry = lookup(lit, bits.buf & LIT_MASK);
        if entry & SUBTABLE != 0 {
            entry = subtable(lit, entry, bits.buf, LIT_BITS);
        }
        let n = entry & LEN_FIELD;
        if n > bits.count {
            return Err(bits.truncated());
        }
        if entry & LITERAL != 0 {
            bits.drop_bits(n);
            let byte = (entry >> 16) as u8;
            match buf.get_mut(here) {
                Some(slot) => *slot = byte,
                None => break Pending::Literal(byte),
            }
            here += 1;
            continue;
        }
        if entry & MATCH == 0 {
            if entry & END != 0 {
                bits.drop_bits(n);
                break Pending::End;
            }
            return Err(bits.invalid("invalid literal/length code"));
        }
        bits.drop_bits(n);
        let length = (entry >> 16) as usize + bits.take((entry >> 8) & 0xF)? as usize;

        let mut entry = lookup(dist, bits.buf & DIST_MASK);
        if entry & SUBTABLE != 0 {
            entry = subtable(dist, entry, bits.buf, DIST_BITS);
        }
        let n = entry & LEN_FIELD;
        if n > bits.count {
            return Err(bits.truncated());
        }
        if entry & MATCH == 0 {
            return Err(bits.invalid("invalid distance code"));
        }
        bits.drop_bits(n);
        let distance = (entry >> 16) as usize + bits.take((entry >> 8) & 0xF)? as usize;
        if distance > here {
            return Err(bits.invalid("invalid distance too far back"));
        }
        if !copy_match(buf, here, distance, length) {
            break Pending::Match { length, distance };
        }
        here += length;
    };
    *at = here;
    Ok(pending)
}

/// Writes `length` bytes copied from `distance` bytes back at `buf[at..]` (`1 <= distance <=
/// at`, which the callers check); the source may overlap what is being written (a run). False,
/// writing nothing, if `buf` is too short (or the distance is out of range).
#[inline(always)]
fn copy_match(buf: &mut [u8], at: usize, distance: usize, length: usize) -> bool {
    let end = at + length;
    if end > buf.len() {
        return false;
    }
    let Some(start) = at.checked_sub(distance).filter(|_| distance != 0) else {
        return false;
    };
    if distance >= 8 && end + 8 <= buf.len() {
        // Eight bytes at a time: each word read was written at least 8 bytes earlier; the
        // bytes written past `end` are overwritten later or cut off at the end.
        let (mut from, mut to) = (start, at);
        while to < end {
            let word = buf
                .get(from..from + 8)
                .and_then(|w| <[u8; 8]>::try_from(w).ok());
            if let (Some(word), Some(dest)) = (word, buf.get_mut(to..to + 8)) {
                dest.copy_from_slice(&word);
            }
            from += 8;
            to += 8;
        }
    } else if distance < 8 && end + 8 <= buf.len() {
        // A short period: eight bytes of the pattern, stored at steps of the largest multiple
        // of the period that fits in eight bytes (so every store continues the pattern).
        let mut pattern = [0u8; 8];
        let Some(period) = buf.get(start..at) else {
            return false;
        };
        for (slot, &byte) in pattern.iter_mut().zip(period.iter().cycle()) {
            *slot = byte;
        }
        // The largest multiple of the period within eight bytes (8 for 1, 2 and 4).
        let step = match distance {
            3 | 6 => 6,
            5 => 5,
            7 => 7,
            _ => 8,
        };
        let mut to = at;
        while to < end {
            if let Some(dest) = buf.get_mut(to..to + 8) {
                dest.copy_from_slice(&pattern);
            }
            to += step;
        }
    } else if distance >= length {
        buf.copy_within(start..start + length, at);
    } else if distance == 1 {
        let Some(&byte) = buf.get(start) else {
            return false;
        };
        if let Some(run) = buf.get_mut(at..end) {
            run.fill(byte);
        }
    } else {
        // An overlapping copy near the end of `buf`: one period at a time, each read from
        // bytes already written (`at <= end <= buf.len()` is checked above).
        let mut to = at;
        while to < end {
            let n = distance.min(end - to);
            buf.copy_within(to - distance..to - distance + n, to);
            to += n;
        }
    }
    true
}

/// A decoder invariant did not hold (a bug, never the input's doing): the stream is refused
/// rather than decoded wrongly.
#[cold]
fn broken(offset: usize) -> Error {
    Error::malformed(Layer::Zlib, offset, "internal decoder error")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limits;
    use alloc::vec;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    /// A little-endian bit writer for hand-built deflate streams.
    #[derive(Default)]
    struct W {
        out: Vec<u8>,
        acc: u64,
        n: u32,
    }

    impl W {
        /// `n` bits of `v`, least significant first (header fields, extra bits).
        fn bits(&mut self, v: u32, n: u32) -> &mut W {
            self.acc |= u64::from(v) << self.n;
            self.n += n;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
            self
        }

        /// A Huffman code, most significant bit first.
        fn code(&mut self, code: u32, len: u32) -> &mut W {
            self.bits(reverse(code, len), len)
        }

        /// Pads to a byte and returns the deflate bytes.
        fn finish(&mut self) -> Vec<u8> {
            if self.n > 0 {
                self.bits(0, 8 - self.n);
            }
            core::mem::take(&mut self.out)
        }
    }

    /// Canonical codes for `lens` (RFC 1951, 3.2.2).
    fn canonical(lens: &[u8]) -> Vec<u32> {
        let mut count = [0u32; 16];
        for &l in lens {
            count[l as usize] += 1;
        }
        count[0] = 0;
        let mut next = [0u32; 16];
        let mut code = 0;
        for len in 1..16 {
            code = (code + count[len - 1]) << 1;
            next[len] = code;
        }
        lens.iter()
            .map(|&l| {
                let c = next[l as usize];
                next[l as usize] += 1;
                c
            })
            .collect()
    }

    /// A complete code length code: symbols 0..=15 of 5 bits, 16 and 17 of 2 bits.
    const CL_REPEATS: [u8; 19] = [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 2, 2, 0];

    /// A dynamic block header: `nlit`/`ndist` as declared, the code length code `cl`, then the
    /// code length items `(symbol, extra value, extra bits)`.
    fn header(
        w: &mut W,
        last: bool,
        nlit: u32,
        ndist: u32,
        cl: &[u8; 19],
        items: &[(u8, u32, u32)],
    ) {
        w.bits(u32::from(last), 1).bits(2, 2);
        w.bits(nlit - 257, 5).bits(ndist - 1, 5).bits(15, 4);
        for &sym in &CODELEN_ORDER {
            w.bits(u32::from(cl[sym as usize]), 3);
        }
        let codes = canonical(cl);
        for &(sym, extra, n) in items {
            w.code(codes[sym as usize], u32::from(cl[sym as usize]));
            w.bits(extra, n);
        }
    }

    /// A dynamic block header giving `lit` and `dist` lengths one by one.
    fn lens_header(w: &mut W, last: bool, lit: &[u8], dist: &[u8]) {
        let items: Vec<_> = lit.iter().chain(dist).map(|&l| (l, 0, 0)).collect();
        header(
            w,
            last,
            lit.len() as u32,
            dist.len() as u32,
            &CL_REPEATS,
            &items,
        );
    }

    /// Lengths for `n` symbols, all zero but the listed ones.
    fn lens(n: usize, set: &[(usize, u8)]) -> Vec<u8> {
        let mut v = vec![0; n];
        for &(sym, len) in set {
            v[sym] = len;
        }
        v
    }

    /// A zlib stream around `body`, with the Adler-32 of `expected`.
    fn zlib(body: &[u8], expected: &[u8]) -> Vec<u8> {
        let mut s = vec![0x78, 0x9C];
        s.extend_from_slice(body);
        let adler = miniz_oxide::mz_adler32_oxide(1, expected);
        s.extend_from_slice(&adler.to_be_bytes());
        s
    }

    fn inflate(stream: &[u8], max: usize) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let limits = Limits {
            max_inflated_len: max,
            ..Limits::DEFAULT
        };
        super::super::inflate_with(&mut Decoder::new(), stream, &mut out, &limits)?;
        Ok(out)
    }

    fn refused(stream: &[u8]) -> &'static str {
        match inflate(stream, 1 << 20) {
            Err(Error::Malformed {
                layer: Layer::Zlib,
                what,
                ..
            }) => what,
            other => panic!("not refused: {other:?}"),
        }
    }

    /// Fixed-Huffman code of a literal/length symbol (RFC 1951, 3.2.6).
    fn fixed(w: &mut W, sym: u32) -> &mut W {
        match sym {
            0..=143 => w.code(0x30 + sym, 8),
            144..=255 => w.code(0x190 + sym - 144, 9),
            256..=279 => w.code(sym - 256, 7),
            _ => w.code(0xC0 + sym - 280, 8),
        }
    }

    /// A fixed block writing `text` as literals.
    fn fixed_block(w: &mut W, last: bool, text: &[u8]) {
        w.bits(u32::from(last), 1).bits(1, 2);
        for &b in text {
            fixed(w, u32::from(b));
        }
        fixed(w, 256);
    }

    #[test]
    fn decoder_adler32_matches_miniz_oxide() {
        let mut data = Vec::new();
        let mut state = 1u32;
        for len in (0..40).chain([255, 256, 5551, 5552, 5553, 11104, 11105, 70_000]) {
            data.clear();
            for _ in 0..len {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                data.push((state >> 16) as u8);
            }
            assert_eq!(
                adler32(&data),
                miniz_oxide::mz_adler32_oxide(1, &data),
                "{len}"
            );
            let ff = vec![0xFF; len];
            assert_eq!(adler32(&ff), miniz_oxide::mz_adler32_oxide(1, &ff), "{len}");
        }
    }

    #[test]
    fn decoder_refuses_block_type_3() {
        let body = W::default().bits(1, 1).bits(3, 2).finish();
        assert_eq!(refused(&zlib(&body, b"")), "invalid block type");
    }

    #[test]
    fn decoder_refuses_stored_length_mismatch() {
        let mut body = W::default().bits(1, 1).bits(0, 2).finish();
        body.extend_from_slice(&[2, 0, 0xFD, 0xFE, b'a', b'b']);
        assert_eq!(refused(&zlib(&body, b"ab")), "invalid stored block lengths");
        body[4] = 0xFF;
        assert_eq!(inflate(&zlib(&body, b"ab"), 10), Ok(b"ab".to_vec()));
    }

    #[test]
    fn decoder_refuses_too_many_length_or_distance_symbols() {
        for (nlit, ndist) in [(287, 1), (288, 1), (257, 31), (257, 32)] {
            let body = W::default()
                .bits(1, 1)
                .bits(2, 2)
                .bits(nlit - 257, 5)
                .bits(ndist - 1, 5)
                .bits(15, 4)
                .bits(0, 32)
                .finish();
            assert_eq!(
                refused(&zlib(&body, b"")),
                "too many length or distance symbols"
            );
        }
    }

    #[test]
    fn decoder_refuses_bad_code_length_codes() {
        // Over-subscribed: three codes of length 1.
        let mut cl = [0u8; 19];
        cl[0] = 1;
        cl[1] = 1;
        cl[2] = 1;
        let mut w = W::default();
        header(&mut w, true, 257, 1, &cl, &[]);
        assert_eq!(refused(&zlib(&w.finish(), b"")), "invalid code lengths set");
        // Incomplete: a single code (allowed for distances, never here), and no code at all.
        for cl in [[0u8; 19], {
            let mut c = [0u8; 19];
            c[1] = 1;
            c
        }] {
            let mut w = W::default();
            header(&mut w, true, 257, 1, &cl, &[]);
            assert_eq!(refused(&zlib(&w.finish(), b"")), "invalid code lengths set");
        }
    }

    #[test]
    fn decoder_refuses_repeat_with_no_previous_length() {
        let mut w = W::default();
        header(&mut w, true, 257, 1, &CL_REPEATS, &[(16, 0, 2)]);
        assert_eq!(
            refused(&zlib(&w.finish(), b"")),
            "invalid bit length repeat"
        );
    }

    #[test]
    fn decoder_refuses_repeat_past_the_declared_codes() {
        // 257 + 1 = 258 lengths: 25 runs of 10 zeros fit, a 26th does not.
        let mut items = vec![(17, 7, 3); 25];
        items.push((17, 7, 3));
        let mut w = W::default();
        header(&mut w, true, 257, 1, &CL_REPEATS, &items);
        assert_eq!(
            refused(&zlib(&w.finish(), b"")),
            "invalid bit length repeat"
        );
        // A repeat crossing from literal/length into distance lengths is fine (zlib reads them
        // as one list): 255 zeros, end-of-block 1, then 1 repeated for 257 and two distances.
        let mut items = vec![(17, 7, 3); 25];
        items.extend([(0, 0, 0); 6]);
        items.extend([(1, 0, 0), (16, 0, 2)]);
        let mut w = W::default();
        header(&mut w, true, 258, 2, &CL_REPEATS, &items);
        // Literal/length 256 and 257 of 1 bit, distances 0 and 1 of 1 bit: a complete block.
        w.code(0, 1);
        assert_eq!(inflate(&zlib(&w.finish(), b""), 10), Ok(vec![]));
    }

    #[test]
    fn decoder_refuses_missing_end_of_block() {
        let mut w = W::default();
        lens_header(&mut w, true, &lens(257, &[(0, 1), (1, 1)]), &[1]);
        assert_eq!(
            refused(&zlib(&w.finish(), b"")),
            "invalid code -- missing end-of-block"
        );
    }

    #[test]
    fn decoder_refuses_over_subscribed_and_incomplete_codes_like_zlib() {
        let cases: [(Vec<u8>, Vec<u8>, &str); 4] = [
            (
                lens(257, &[(0, 1), (1, 1), (256, 1)]),
                vec![1],
                "invalid literal/lengths set",
            ),
            (
                lens(257, &[(0, 1), (256, 2)]),
                vec![1],
                "invalid literal/lengths set",
            ),
            (
                lens(257, &[(0, 1), (256, 1)]),
                vec![1, 1, 1],
                "invalid distances set",
            ),
            // One distance code longer than 1 bit: miniz_oxide accepts it, zlib does not.
            (
                lens(257, &[(0, 1), (256, 1)]),
                vec![2],
                "invalid distances set",
            ),
        ];
        for (lit, dist, what) in cases {
            let mut w = W::default();
            lens_header(&mut w, true, &lit, &dist);
            w.code(1, 1);
            assert_eq!(refused(&zlib(&w.finish(), b"")), what);
        }
    }

    #[test]
    fn decoder_accepts_one_code_of_length_1_and_refuses_its_unused_slot() {
        // Literal/length: only end-of-block, one bit.
        let lit = lens(257, &[(256, 1)]);
        let mut w = W::default();
        lens_header(&mut w, true, &lit, &[0]);
        w.code(0, 1);
        assert_eq!(inflate(&zlib(&w.finish(), b""), 10), Ok(vec![]));
        let mut w = W::default();
        lens_header(&mut w, true, &lit, &[0]);
        w.code(1, 1);
        assert_eq!(
            refused(&zlib(&w.finish(), b"")),
            "invalid literal/length code"
        );

        // Distance: one code of length 1 ('a' = 0, end = 10, length 3 = 11).
        let lit = lens(258, &[(b'a' as usize, 1), (256, 2), (257, 2)]);
        for (bit, result) in [(0, Ok(b"aaaa".to_vec())), (1, Err("invalid distance code"))] {
            let mut w = W::default();
            lens_header(&mut w, true, &lit, &[1]);
            w.code(0, 1).code(3, 2).code(bit, 1).code(2, 2);
            let got = inflate(&zlib(&w.finish(), b"aaaa"), 10);
            match result {
                Ok(v) => assert_eq!(got, Ok(v)),
                Err(what) => assert!(
                    matches!(got, Err(Error::Malformed { what: w, .. }) if w == what),
                    "{got:?}"
                ),
            }
        }
        // No distance code at all: fine until a match needs one.
        let mut w = W::default();
        lens_header(&mut w, true, &lit, &[0]);
        w.code(0, 1).code(2, 2);
        assert_eq!(inflate(&zlib(&w.finish(), b"a"), 10), Ok(b"a".to_vec()));
        let mut w = W::default();
        lens_header(&mut w, true, &lit, &[0]);
        w.code(0, 1).code(3, 2).bits(0, 8).code(2, 2);
        assert_eq!(refused(&zlib(&w.finish(), b"")), "invalid distance code");
    }

    #[test]
    fn decoder_refuses_fixed_symbols_286_287_and_distances_30_31() {
        for sym in [286, 287] {
            let mut w = W::default();
            w.bits(1, 1).bits(1, 2);
            fixed(&mut w, sym);
            w.bits(0, 16);
            assert_eq!(
                refused(&zlib(&w.finish(), b"")),
                "invalid literal/length code"
            );
        }
        for d in [30, 31] {
            let mut w = W::default();
            w.bits(1, 1).bits(1, 2);
            fixed(&mut w, u32::from(b'a'));
            fixed(&mut w, 257).code(d, 5);
            w.bits(0, 16);
            assert_eq!(refused(&zlib(&w.finish(), b"")), "invalid distance code");
        }
    }

    #[test]
    fn decoder_refuses_distance_too_far_back() {
        let mut w = W::default();
        w.bits(1, 1).bits(1, 2);
        fixed(&mut w, u32::from(b'a'));
        fixed(&mut w, 257).code(1, 5); // distance 2, one byte written
        fixed(&mut w, 256);
        assert_eq!(
            refused(&zlib(&w.finish(), b"")),
            "invalid distance too far back"
        );
    }

    #[test]
    fn decoder_copies_overlapping_runs_and_the_longest_distance() {
        // 'a' then length 258 at distance 1, twice.
        let mut w = W::default();
        w.bits(1, 1).bits(1, 2);
        fixed(&mut w, u32::from(b'a'));
        fixed(&mut w, 285).code(0, 5);
        fixed(&mut w, 285).code(0, 5);
        fixed(&mut w, 256);
        let run = vec![b'a'; 517];
        assert_eq!(inflate(&zlib(&w.finish(), &run), 517), Ok(run));
        // Period 3 (overlapping, not a byte run).
        let mut w = W::default();
        w.bits(1, 1).bits(1, 2);
        for &b in b"xyz" {
            fixed(&mut w, u32::from(b));
        }
        fixed(&mut w, 284).bits(30, 5).code(2, 5); // length 257, distance 3
        fixed(&mut w, 256);
        let text: Vec<u8> = b"xyz".iter().copied().cycle().take(260).collect();
        assert_eq!(inflate(&zlib(&w.finish(), &text), 1000), Ok(text));
        // A stored block of 32 KiB of varied bytes, then a match 32768 back.
        let data: Vec<u8> = (0..32768u32).map(|i| (i * 7 + i / 251) as u8).collect();
        let mut body = W::default().bits(0, 1).bits(0, 2).finish();
        body.extend_from_slice(&[0x00, 0x80, 0xFF, 0x7F]);
        body.extend_from_slice(&data);
        let mut w = W::default();
        w.bits(1, 1).bits(1, 2);
        fixed(&mut w, 285).code(29, 5).bits(8191, 13); // length 258, distance 24577 + 8191
        fixed(&mut w, 256);
        body.extend(w.finish());
        let mut expected = data.clone();
        expected.extend_from_slice(&data[..258]);
        assert_eq!(inflate(&zlib(&body, &expected), 40_000), Ok(expected));
    }

    #[test]
    fn decoder_output_of_exactly_max_passes_and_max_plus_one_does_not() {
        let mut w = W::default();
        fixed_block(&mut w, false, b"hello");
        let mut body = w.bits(1, 1).bits(0, 2).finish();
        body.extend_from_slice(&[3, 0, 0xFC, 0xFF, b'a', b'b', b'c']);
        let stream = zlib(&body, b"helloabc");
        assert_eq!(inflate(&stream, 8), Ok(b"helloabc".to_vec()));
        for max in [0, 1, 5, 6, 7] {
            assert_eq!(
                inflate(&stream, max),
                Err(Error::LimitExceeded(Limit::InflatedLen)),
                "{max}"
            );
        }
        // A match crossing the bound.
        let mut w = W::default();
        w.bits(1, 1).bits(1, 2);
        fixed(&mut w, u32::from(b'a'));
        fixed(&mut w, 260).code(0, 5); // length 6
        fixed(&mut w, 256);
        let stream = zlib(&w.finish(), b"aaaaaaa");
        assert_eq!(inflate(&stream, 7), Ok(b"aaaaaaa".to_vec()));
        assert_eq!(
            inflate(&stream, 6),
            Err(Error::LimitExceeded(Limit::InflatedLen))
        );
    }

    /// Stored, fixed and dynamic blocks in one stream.
    fn mixed_stream() -> (Vec<u8>, Vec<u8>) {
        let mut w = W::default();
        fixed_block(&mut w, false, b"fixed ");
        // Dynamic: 'd' = 0, 'y' = 10, end = 11.
        let lit = lens(257, &[(b'd' as usize, 1), (b'y' as usize, 2), (256, 2)]);
        lens_header(&mut w, false, &lit, &[0]);
        w.code(0, 1).code(2, 2).code(0, 1).code(3, 2);
        let mut body = w.bits(1, 1).bits(0, 2).finish();
        body.extend_from_slice(&[7, 0, 0xF8, 0xFF]);
        body.extend_from_slice(b" stored");
        let expected = b"fixed dyd stored".to_vec();
        (zlib(&body, &expected), expected)
    }

    #[test]
    fn decoder_reads_stored_fixed_and_dynamic_blocks_in_one_stream() {
        let (stream, expected) = mixed_stream();
        assert_eq!(inflate(&stream, 100), Ok(expected.clone()));
        // miniz_oxide agrees.
        assert_eq!(
            miniz_oxide::inflate::decompress_to_vec_zlib(&stream).ok(),
            Some(expected)
        );
    }

    #[test]
    fn decoder_refuses_every_truncation() {
        let (mixed, _) = mixed_stream();
        let text: Vec<u8> = (0..3000u32)
            .map(|i| b"session cart 0123"[(i * i % 17) as usize])
            .collect();
        let streams = [
            mixed,
            crate::zlib::deflate(&text),
            crate::zlib::deflate(b"a"),
            miniz_oxide::deflate::compress_to_vec_zlib(&text, 0),
            miniz_oxide::deflate::compress_to_vec_zlib(&text, 1),
        ];
        for stream in &streams {
            assert!(inflate(stream, 1 << 20).is_ok());
            for cut in 0..stream.len() {
                assert_eq!(
                    inflate(&stream[..cut], 1 << 20),
                    Err(Error::malformed(Layer::Zlib, cut, "truncated stream")),
                    "cut at {cut} of {}",
                    stream.len()
                );
            }
        }
    }

    #[test]
    fn decoder_fixed_tables_match_built_ones() {
        let mut lit = [0u8; 288];
        lit[..144].fill(8);
        lit[144..256].fill(9);
        lit[256..280].fill(7);
        lit[280..].fill(8);
        let mut table = [0u32; LIT_SIZE];
        let mut sorted = [0u16; SORTED_SIZE];
        build(
            &lit,
            &LIT_MEANING,
            &mut table,
            LIT_BITS,
            CodeKind::LitLen,
            &mut sorted,
        )
        .unwrap();
        assert_eq!(table[..1 << LIT_BITS], FIXED_LIT[..1 << LIT_BITS]);
        let mut table = [0u32; DIST_SIZE];
        build(
            &[5; 32],
            &DIST_MEANING,
            &mut table,
            DIST_BITS,
            CodeKind::Dist,
            &mut sorted,
        )
        .unwrap();
        assert_eq!(table[..1 << DIST_BITS], FIXED_DIST[..1 << DIST_BITS]);
    }

    /// Random bytes deflated by miniz_oxide (levels 0 to 9) and by our encoder, plus single-byte
    /// mutations of those streams.
    fn stream_strategy() -> impl Strategy<Value = (Vec<u8>, Option<(usize, u8)>)> {
        (
            proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), any::<u8>()], 0..2000),
            0u8..11,
            proptest::option::of((any::<usize>(), any::<u8>())),
        )
            .prop_map(|(data, level, mutation)| {
                let stream = if level == 10 {
                    crate::zlib::deflate(&data)
                } else {
                    miniz_oxide::deflate::compress_to_vec_zlib(&data, level)
                };
                (stream, mutation)
            })
    }

    proptest! {
        /// Our output equals miniz_oxide's whenever miniz_oxide accepts the stream (with its
        /// checksum) and the stream holds no incomplete code (which zlib, and we, refuse).
        #[test]
        fn decoder_matches_miniz_oxide((mut stream, mutation) in stream_strategy()) {
            if let Some((at, xor)) = mutation {
                let at = at % stream.len();
                stream[at] ^= xor.max(1);
            }
            let ours = inflate(&stream, 1 << 20);
            match miniz_oxide::inflate::decompress_to_vec_zlib(&stream) {
                Ok(theirs) => match ours {
                    Ok(ours) => prop_assert_eq!(ours, theirs),
                    // miniz_oxide accepts a single code longer than 1 bit; zlib does not.
                    Err(Error::Malformed { what, .. }) => prop_assert!(
                        what == "invalid distances set" || what == "invalid literal/lengths set",
                        "{}", what
                    ),
                    Err(other) => prop_assert!(false, "{:?}", other),
                },
                Err(_) => prop_assert!(ours.is_err(), "we accepted what miniz_oxide refused"),
            }
        }
    }
}
