//! A one-shot level-9 zlib encoder for small inputs that writes, byte for byte, what
//! miniz_oxide writes (`compress_to_vec_zlib(data, 9)`), without miniz_oxide's per-stream reset.
//!
//! miniz_oxide's `CompressorOxide::reset` zeroes about 310 KB of tables and buffers for every
//! stream (hash 64 KB, chains 64 KB, window 33 KB, LZ code buffer 64 KB, output buffer 85 KB):
//! for a session of a few hundred bytes that is most of the work. This encoder runs the same
//! parse and the same Huffman construction over state that needs no clearing:
//! - the hash heads are tagged with a per-stream base, so entries of earlier streams read as
//!   empty (the table is cleared only when the base would overflow, once per ~4 GB of input);
//! - the chain links are written for every position before they are read;
//! - matches are read from the input slice itself (no window copy).
//!
//! It covers one miniz_oxide block only: inputs up to [`MAX_LEN`], where miniz_oxide neither
//! splits blocks nor wraps its window. Longer inputs go to miniz_oxide itself. The tests compare
//! the output with miniz_oxide's byte for byte.
//!
//! Every table index is bounded by construction (hash values are masked to the table size,
//! positions are below the input length, symbols below their alphabet size); indexing goes
//! through `get`, and a miss, which cannot happen, ends the stream early and reports failure
//! so the caller falls back to stored blocks rather than panicking.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;

/// Longest input this encoder takes. miniz_oxide flushes a block early past 31 KiB of input
/// and wraps its 32 KiB window past 32,510 bytes; 16 KiB keeps well clear of both.
pub(super) const MAX_LEN: usize = 16 * 1024;

/// miniz_oxide's hash: 15 bits over three bytes.
const HASH_BITS: u32 = 15;
const HASH_SIZE: usize = 1 << HASH_BITS;
const HASH_MASK: u32 = (1 << HASH_BITS) - 1;
const HASH_SHIFT: u32 = HASH_BITS.div_ceil(3);

const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
/// Level 9: `NUM_PROBES[9] = 768`, so `1 + (768 + 2) / 3` probes for a short current match and
/// `1 + (768 / 4 + 2) / 3` for one of 32 bytes or more.
const MAX_PROBES: [u32; 2] = [257, 65];

/// zlib header miniz_oxide writes at level 9: deflate, 32 KiB window, FLEVEL 3.
const ZLIB_HEADER: [u8; 2] = [0x78, 0xDA];

const LITLEN_SYMBOLS: usize = 288;
const DIST_SYMBOLS: usize = 32;
const CODELEN_SYMBOLS: usize = 19;
/// Order in which code length code lengths are written (RFC 1951, 3.2.7).
const CODELEN_ORDER: [u8; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// A match item in the LZ list: this bit set, length in bits 16..25, distance in bits 0..16.
const MATCH_FLAG: u32 = 1 << 31;

/// Encoder state kept across streams; nothing in it needs clearing between them.
pub(super) struct Encoder {
    /// Hash head per 3-byte hash: `base + position` of the latest position with that hash.
    head: Box<[u32]>,
    /// This stream's tag: head entries below it belong to earlier streams.
    base: u32,
    /// Chain link per position: the previous position with the same hash, 0 for none (as in
    /// miniz_oxide, position 0 is never a match source).
    prev: Vec<u16>,
    /// The parse: literals (the byte) and matches (`MATCH_FLAG | len << 16 | dist`).
    items: Vec<u32>,
    /// Symbol counts: literal/length, distance, code length.
    lit_count: [u16; LITLEN_SYMBOLS],
    dist_count: [u16; DIST_SYMBOLS],
    /// The run-length packed code lengths of a dynamic block header.
    packed: Vec<u8>,
}

/// One Huffman code: lengths and bit-reversed codes, per symbol.
struct Code<const N: usize> {
    sizes: [u8; N],
    codes: [u16; N],
}

impl<const N: usize> Code<N> {
    fn new() -> Code<N> {
        Code {
            sizes: [0; N],
            codes: [0; N],
        }
    }

    /// Writes `sym`'s code; false, writing nothing, if `sym` has no code (an internal bound
    /// failed: every symbol the parse uses has one).
    #[must_use]
    fn put(&self, out: &mut Bits<'_>, sym: usize) -> bool {
        match (self.sizes.get(sym), self.codes.get(sym)) {
            (Some(&size), Some(&code)) if size != 0 => {
                out.put(u32::from(code), u32::from(size));
                true
            }
            _ => false,
        }
    }
}

impl Encoder {
    pub(super) fn new() -> Encoder {
        Encoder {
            head: vec![0u32; HASH_SIZE].into_boxed_slice(),
            base: 1,
            prev: Vec::new(),
            items: Vec::new(),
            lit_count: [0; LITLEN_SYMBOLS],
            dist_count: [0; DIST_SYMBOLS],
            packed: Vec::new(),
        }
    }

    /// Writes the zlib stream of `data` (at most [`MAX_LEN`] bytes) to `out` (cleared first).
    /// False if `data` is too long or an internal bound failed; `out` is then to be discarded.
    pub(super) fn compress(&mut self, data: &[u8], out: &mut Vec<u8>) -> bool {
        out.clear();
        if data.len() > MAX_LEN {
            return false;
        }
        self.start(data.len());
        if !self.link(data) || !self.parse(data) {
            return false;
        }
        let mut bits = Bits {
            out,
            buf: 0,
            len: 0,
        };
        bits.out.extend_from_slice(&ZLIB_HEADER);
        // BFINAL: the one block is the last.
        bits.put(1, 1);
        let ok = if data.len() < 48 {
            self.write_static(&mut bits)
        } else {
            self.write_dynamic(&mut bits)
        };
        if !ok {
            return false;
        }
        // miniz_oxide's test: stored if the compressed block's whole bytes plus one reach the
        // input length (inputs over 32 bytes).
        let block_bytes = bits.whole_bytes().saturating_sub(ZLIB_HEADER.len());
        if data.len() > 32 && block_bytes + 1 >= data.len() {
            bits.out.truncate(ZLIB_HEADER.len());
            bits.out.reserve(data.len() + 9);
            bits.buf = 1;
            bits.len = 1;
            bits.put(0, 2);
            bits.pad();
            let len = data.len() as u32;
            bits.put(len & 0xFFFF, 16);
            bits.put(!len & 0xFFFF, 16);
            bits.pad();
            bits.out.extend_from_slice(data);
        }
        bits.pad();
        bits.out.extend_from_slice(&adler32(data).to_be_bytes());
        true
    }

    /// Prepares the tables for a stream of `len` bytes: a fresh tag, links and counts.
    fn start(&mut self, len: usize) {
        // Tags of this stream run from `base` to `base + len`; keep them clear of overflow.
        // (Saturating: a length past `u32::MAX` only resets the tags, as any long one does.)
        let needed = u32::try_from(len).unwrap_or(u32::MAX).saturating_add(1);
        if self.base.checked_add(needed).is_none() {
            self.head.fill(0);
            self.base = 1;
        }
        self.prev.clear();
        self.prev.resize(len, 0);
        self.items.clear();
        self.lit_count = [0; LITLEN_SYMBOLS];
        self.dist_count = [0; DIST_SYMBOLS];
    }

    /// Links every position with three bytes after it into its hash chain, in order: the same
    /// chains miniz_oxide builds as its lookahead fills.
    fn link(&mut self, data: &[u8]) -> bool {
        let base = self.base;
        for (pos, w) in data.windows(MIN_MATCH).enumerate() {
            let (Some(&b0), Some(&b1), Some(&b2)) = (w.first(), w.get(1), w.get(2)) else {
                return false;
            };
            let hash = ((u32::from(b0) << (2 * HASH_SHIFT))
                ^ (u32::from(b1) << HASH_SHIFT)
                ^ u32::from(b2))
                & HASH_MASK;
            let Some(slot) = self.head.get_mut(hash as usize) else {
                return false;
            };
            // An entry of an earlier stream (below `base`) reads as "none".
            let prev = slot.saturating_sub(base);
            // `pos < MAX_LEN <= u16::MAX` and `base + pos` cannot overflow (see `start`).
            *slot = base + pos as u32;
            let Some(link) = self.prev.get_mut(pos) else {
                return false;
            };
            *link = prev as u16;
        }
        // Saturating, as in `start`: the next `start` resets the tags when they run out.
        self.base = self
            .base
            .saturating_add(u32::try_from(data.len()).unwrap_or(u32::MAX))
            .saturating_add(1);
        true
    }

    /// miniz_oxide's `compress_normal` with lazy matching at level 9, over the whole input.
    fn parse(&mut self, data: &[u8]) -> bool {
        let n = data.len();
        let mut pos = 0usize;
        let mut saved_lit = 0u8;
        let mut saved_dist = 0u32;
        let mut saved_len = 0u32;
        while pos < n {
            let lookahead = (n - pos).min(MAX_MATCH);
            let start_len = if saved_len != 0 {
                saved_len
            } else {
                MIN_MATCH as u32 - 1
            };
            let (mut dist, mut len) = self.find_match(data, pos, lookahead as u32, start_len);
            if (len == MIN_MATCH as u32 && dist >= 8 * 1024) || pos == dist as usize {
                dist = 0;
                len = 0;
            }
            let Some(&cur) = data.get(pos) else {
                return false;
            };
            let mut advance = 1usize;
            if saved_len != 0 {
                if len > saved_len {
                    self.literal(saved_lit);
                    if len >= 128 {
                        self.record(len, dist);
                        saved_len = 0;
                        advance = len as usize;
                    } else {
                        saved_lit = cur;
                        saved_dist = dist;
                        saved_len = len;
                    }
                } else {
                    self.record(saved_len, saved_dist);
                    advance = saved_len as usize - 1;
                    saved_len = 0;
                }
            } else if dist == 0 {
                self.literal(cur);
            } else if len >= 128 {
                self.record(len, dist);
                advance = len as usize;
            } else {
                saved_lit = cur;
                saved_dist = dist;
                saved_len = len;
            }
            if advance == 0 || advance > lookahead {
                return false;
            }
            pos += advance;
        }
        // A pending lazy match is always settled before the input ends.
        saved_len == 0
    }

    /// miniz_oxide's `find_match`: walks the chain of `pos` for a match longer than `len`, at
    /// most `max_len` bytes, and returns (distance, length); distance 0 if none was found.
    fn find_match(&self, data: &[u8], pos: usize, max_len: u32, len: u32) -> (u32, u32) {
        let max_len = max_len.min(MAX_MATCH as u32);
        let mut best_len = len.max(1);
        let mut best_dist = 0u32;
        if max_len <= best_len {
            return (best_dist, best_len);
        }
        let mut probes = if best_len < 32 {
            MAX_PROBES[0]
        } else {
            MAX_PROBES[1]
        };
        let Some(s01) = read_u16(data, pos) else {
            return (best_dist, best_len);
        };
        let Some(mut c01) = read_u16(data, pos + best_len as usize - 1) else {
            return (best_dist, best_len);
        };
        let mut probe = pos;
        loop {
            // Up to three links per probe, as miniz_oxide counts them.
            let mut found = false;
            while !found {
                probes -= 1;
                if probes == 0 {
                    return (best_dist, best_len);
                }
                for _ in 0..3 {
                    // `probe <= pos < prev.len()`; a link past the end would end the chain.
                    let Some(&next) = self.prev.get(probe) else {
                        return (best_dist, best_len);
                    };
                    let next = usize::from(next);
                    // `next < probe <= pos`: chains only point back.
                    if next == 0 || next >= pos {
                        return (best_dist, best_len);
                    }
                    probe = next;
                    if read_u16(data, probe + best_len as usize - 1) == Some(c01) {
                        found = true;
                        break;
                    }
                }
            }
            if read_u16(data, probe) != Some(s01) {
                continue;
            }
            let dist = (pos - probe) as u32;
            let found_len = common_prefix(data, probe, pos, max_len as usize) as u32;
            if found_len > best_len {
                best_dist = dist;
                best_len = found_len;
                if best_len >= max_len {
                    return (best_dist, best_len);
                }
                let Some(c) = read_u16(data, pos + best_len as usize - 1) else {
                    return (best_dist, best_len);
                };
                c01 = c;
            }
        }
    }

    fn literal(&mut self, byte: u8) {
        self.items.push(u32::from(byte));
        if let Some(c) = self.lit_count.get_mut(usize::from(byte)) {
            *c = c.wrapping_add(1);
        }
    }

    fn record(&mut self, len: u32, dist: u32) {
        self.items.push(MATCH_FLAG | (len << 16) | dist);
        let (lsym, _, _) = len_symbol(len);
        let (dsym, _, _) = dist_symbol(dist);
        if let Some(c) = self.lit_count.get_mut(lsym) {
            *c = c.wrapping_add(1);
        }
        if let Some(c) = self.dist_count.get_mut(dsym) {
            *c = c.wrapping_add(1);
        }
    }

    /// A fixed-Huffman block (miniz_oxide writes one for inputs under 48 bytes).
    fn write_static(&self, bits: &mut Bits<'_>) -> bool {
        let mut lit = Code::<LITLEN_SYMBOLS>::new();
        for (i, s) in lit.sizes.iter_mut().enumerate() {
            *s = match i {
                0..=143 => 8,
                144..=255 => 9,
                256..=279 => 7,
                _ => 8,
            };
        }
        let mut dist = Code::<DIST_SYMBOLS>::new();
        dist.sizes = [5; DIST_SYMBOLS];
        assign_codes(&mut lit, 15);
        assign_codes(&mut dist, 15);
        bits.put(0b01, 2);
        self.write_items(bits, &lit, &dist)
    }

    /// A dynamic-Huffman block, header packed as miniz_oxide's `start_dynamic_block` does.
    fn write_dynamic(&mut self, bits: &mut Bits<'_>) -> bool {
        let mut lit_count = self.lit_count;
        // End of block.
        if let Some(c) = lit_count.get_mut(256) {
            *c = 1;
        }
        let mut lit = Code::<LITLEN_SYMBOLS>::new();
        let mut dist = Code::<DIST_SYMBOLS>::new();
        if !build(&lit_count, &mut lit, 15) || !build(&self.dist_count, &mut dist, 15) {
            return false;
        }
        // Codes sent: literal/length symbols up to 286 and distance symbols up to 30, less the
        // unused ones at the end (at least 257 and 1).
        let unused = |sizes: &[u8], from: usize, to: usize| {
            sizes
                .iter()
                .take(to)
                .skip(from)
                .rev()
                .take_while(|&&s| s == 0)
                .count()
        };
        let num_lit = 286 - unused(&lit.sizes, 257, 286);
        let num_dist = 30 - unused(&dist.sizes, 1, 30);

        let to_pack = lit
            .sizes
            .iter()
            .take(num_lit)
            .chain(dist.sizes.iter().take(num_dist));

        let mut packed = core::mem::take(&mut self.packed);
        packed.clear();
        let mut cl_count = [0u16; CODELEN_SYMBOLS];
        let mut rle = Rle {
            zeros: 0,
            repeats: 0,
            prev: 0xFF,
        };
        for &size in to_pack {
            if size == 0 {
                rle.flush_repeats(&mut packed, &mut cl_count);
                rle.zeros += 1;
                if rle.zeros == 138 {
                    rle.flush_zeros(&mut packed, &mut cl_count);
                }
            } else {
                rle.flush_zeros(&mut packed, &mut cl_count);
                if size != rle.prev {
                    rle.flush_repeats(&mut packed, &mut cl_count);
                    bump(&mut cl_count, usize::from(size));
                    packed.push(size);
                } else {
                    rle.repeats += 1;
                    if rle.repeats == 6 {
                        rle.flush_repeats(&mut packed, &mut cl_count);
                    }
                }
            }
            rle.prev = size;
        }
        if rle.repeats != 0 {
            rle.flush_repeats(&mut packed, &mut cl_count);
        } else {
            rle.flush_zeros(&mut packed, &mut cl_count);
        }
        let mut cl = Code::<CODELEN_SYMBOLS>::new();
        if !build(&cl_count, &mut cl, 7) {
            return false;
        }

        bits.put(2, 2);
        bits.put((num_lit - 257) as u32, 5);
        bits.put((num_dist - 1) as u32, 5);
        // The code length code's lengths in the order the header sends them.
        let mut ordered = [0u8; CODELEN_SYMBOLS];
        for (size, &sym) in ordered.iter_mut().zip(CODELEN_ORDER.iter()) {
            let Some(&s) = cl.sizes.get(usize::from(sym)) else {
                return false;
            };
            *size = s;
        }
        let used = ordered.iter().rev().skip_while(|&&s| s == 0).count();
        // miniz_oxide: `max(4, (18 - trailing zeros) + 1)`, i.e. at least 4 even if all are 0.
        let num_cl = used.max(4);
        bits.put((num_cl - 4) as u32, 4);
        for &size in ordered.iter().take(num_cl) {
            bits.put(u32::from(size), 3);
        }
        let mut it = packed.iter();
        while let Some(&sym) = it.next() {
            if !cl.put(bits, usize::from(sym)) {
                return false;
            }
            let extra = match sym {
                16 => 2,
                17 => 3,
                18 => 7,
                _ => continue,
            };
            let Some(&value) = it.next() else {
                return false;
            };
            bits.put(u32::from(value), extra);
        }
        self.packed = packed;
        self.write_items(bits, &lit, &dist)
    }

    /// Writes the parse and the end-of-block code.
    fn write_items(
        &self,
        bits: &mut Bits<'_>,
        lit: &Code<LITLEN_SYMBOLS>,
        dist: &Code<DIST_SYMBOLS>,
    ) -> bool {
        for &item in &self.items {
            if item & MATCH_FLAG == 0 {
                if !lit.put(bits, item as usize) {
                    return false;
                }
            } else {
                let len = (item >> 16) & 0x1FF;
                let d = item & 0xFFFF;
                let (lsym, lextra, lvalue) = len_symbol(len);
                let (dsym, dextra, dvalue) = dist_symbol(d);
                if !lit.put(bits, lsym) {
                    return false;
                }
                bits.put(lvalue, lextra);
                if !dist.put(bits, dsym) {
                    return false;
                }
                bits.put(dvalue, dextra);
            }
        }
        lit.put(bits, 256)
    }
}

/// Run-length state of miniz_oxide's code length packing.
struct Rle {
    zeros: u32,
    repeats: u32,
    prev: u8,
}

impl Rle {
    fn flush_repeats(&mut self, packed: &mut Vec<u8>, count: &mut [u16; CODELEN_SYMBOLS]) {
        if self.repeats != 0 {
            if self.repeats < 3 {
                for _ in 0..self.repeats {
                    bump(count, usize::from(self.prev));
                    packed.push(self.prev);
                }
            } else {
                bump(count, 16);
                packed.push(16);
                packed.push((self.repeats - 3) as u8);
            }
            self.repeats = 0;
        }
    }

    fn flush_zeros(&mut self, packed: &mut Vec<u8>, count: &mut [u16; CODELEN_SYMBOLS]) {
        if self.zeros != 0 {
            if self.zeros < 3 {
                for _ in 0..self.zeros {
                    bump(count, 0);
                    packed.push(0);
                }
            } else if self.zeros <= 10 {
                bump(count, 17);
                packed.push(17);
                packed.push((self.zeros - 3) as u8);
            } else {
                bump(count, 18);
                packed.push(18);
                packed.push((self.zeros - 11) as u8);
            }
            self.zeros = 0;
        }
    }
}

fn bump(count: &mut [u16], sym: usize) {
    if let Some(c) = count.get_mut(sym) {
        *c = c.wrapping_add(1);
    }
}

/// miniz_oxide's `optimize_table` for a dynamic table: code lengths from `count` (limited to
/// `limit` bits), then canonical codes. False if an internal bound failed.
fn build<const N: usize>(count: &[u16; N], code: &mut Code<N>, limit: usize) -> bool {
    // (frequency, symbol) of the used symbols, sorted by frequency then symbol: the order of
    // miniz_oxide's stable radix sort over symbols taken in index order.
    let mut syms = [(0u16, 0u16); N];
    let mut used = 0usize;
    for (i, &c) in count.iter().enumerate() {
        if c != 0 {
            if let Some(slot) = syms.get_mut(used) {
                *slot = (c, i as u16);
                used += 1;
            }
        }
    }
    let Some(syms) = syms.get_mut(..used) else {
        return false;
    };
    syms.sort_unstable();
    let mut keys = [0u16; N];
    let Some(keys) = keys.get_mut(..used) else {
        return false;
    };
    for (k, &(c, _)) in keys.iter_mut().zip(syms.iter()) {
        *k = c;
    }
    if !minimum_redundancy(keys) {
        return false;
    }
    let mut num_codes = [0i32; 33];
    for &k in keys.iter() {
        match num_codes.get_mut(usize::from(k)) {
            Some(c) => *c += 1,
            None => return false,
        }
    }
    if enforce_max_code_size(&mut num_codes, keys.len(), limit).is_none() {
        return false;
    }
    code.sizes = [0; N];
    let mut last = syms.len();
    for (size, &n) in num_codes.iter().enumerate().take(limit + 1).skip(1) {
        let Some(first) = last.checked_sub(n as usize) else {
            return false;
        };
        let Some(group) = syms.get(first..last) else {
            return false;
        };
        for &(_, sym) in group {
            let Some(s) = code.sizes.get_mut(usize::from(sym)) else {
                return false;
            };
            *s = size as u8;
        }
        last = first;
    }
    assign_codes(code, limit);
    true
}

/// Canonical, bit-reversed codes for the lengths in `code.sizes`.
fn assign_codes<const N: usize>(code: &mut Code<N>, limit: usize) {
    let mut num_codes = [0u32; 16];
    for &s in &code.sizes {
        if let Some(c) = num_codes.get_mut(usize::from(s)) {
            *c += 1;
        }
    }
    // `next_code[i] = (next_code[i - 1] + num_codes[i - 1]) << 1` for lengths 2..=limit.
    let mut next_code = [0u32; 16];
    let mut j = 0u32;
    let lengths = limit.min(15).saturating_sub(1);
    for (n, &prev) in next_code
        .iter_mut()
        .skip(2)
        .zip(num_codes.iter().skip(1))
        .take(lengths)
    {
        j = (j + prev) << 1;
        *n = j;
    }
    for (size, out) in code.sizes.iter().zip(code.codes.iter_mut()) {
        if *size == 0 {
            *out = 0;
            continue;
        }
        let Some(next) = next_code.get_mut(usize::from(*size)) else {
            continue;
        };
        let c = *next;
        *next += 1;
        *out = (c as u16).reverse_bits() >> (16 - u32::from(*size));
    }
}

/// Moffat and Katajainen's in-place minimum-redundancy code lengths, as miniz_oxide runs it:
/// `keys` (frequencies, ascending) become code lengths. False if an internal bound failed.
fn minimum_redundancy(keys: &mut [u16]) -> bool {
    minimum_redundancy_in(keys).is_some()
}

/// [`minimum_redundancy`]; every index stays below `keys.len()`, so `None` is a broken
/// invariant, never an input's doing.
fn minimum_redundancy_in(keys: &mut [u16]) -> Option<()> {
    let n = keys.len();
    match n {
        0 => return Some(()),
        1 => {
            *keys.first_mut()? = 1;
            return Some(());
        }
        _ => {}
    }
    let k = |keys: &[u16], i: usize| keys.get(i).copied();
    let set = |keys: &mut [u16], i: usize, v: u16| -> Option<()> {
        *keys.get_mut(i)? = v;
        Some(())
    };
    set(keys, 0, k(keys, 0)?.wrapping_add(k(keys, 1)?))?;
    let mut root = 0usize;
    let mut leaf = 2usize;
    for next in 1..n - 1 {
        if leaf >= n || k(keys, root)? < k(keys, leaf)? {
            set(keys, next, k(keys, root)?)?;
            set(keys, root, next as u16)?;
            root += 1;
        } else {
            set(keys, next, k(keys, leaf)?)?;
            leaf += 1;
        }
        if leaf >= n || (root < next && k(keys, root)? < k(keys, leaf)?) {
            set(keys, next, k(keys, next)?.wrapping_add(k(keys, root)?))?;
            set(keys, root, next as u16)?;
            root += 1;
        } else {
            set(keys, next, k(keys, next)?.wrapping_add(k(keys, leaf)?))?;
            leaf += 1;
        }
    }
    set(keys, n - 2, 0)?;
    for next in (0..n - 2).rev() {
        let parent = usize::from(k(keys, next)?);
        if parent >= n {
            return None;
        }
        set(keys, next, k(keys, parent)? + 1)?;
    }
    let mut avbl = 1i64;
    let mut used = 0i64;
    let mut dpth = 0u16;
    let mut root = n as i64 - 2;
    let mut next = n as i64 - 1;
    while avbl > 0 {
        while root >= 0 && k(keys, root as usize)? == dpth {
            used += 1;
            root -= 1;
        }
        while avbl > used {
            if next < 0 {
                return None;
            }
            set(keys, next as usize, dpth)?;
            next -= 1;
            avbl -= 1;
        }
        avbl = 2 * used;
        dpth += 1;
        used = 0;
    }
    Some(())
}

/// miniz_oxide's `enforce_max_code_size`: folds lengths over `limit` back under it. `None`
/// only for a `limit` past the table (the callers pass 7 or 15).
fn enforce_max_code_size(num_codes: &mut [i32; 33], list_len: usize, limit: usize) -> Option<()> {
    if list_len <= 1 {
        return Some(());
    }
    let over: i32 = num_codes.get(limit + 1..)?.iter().sum();
    *num_codes.get_mut(limit)? += over;
    let total = num_codes
        .get(1..=limit)?
        .iter()
        .rev()
        .enumerate()
        .fold(0u32, |total, (i, &x)| total + ((x as u32) << i));
    for _ in (1u32 << limit)..total {
        *num_codes.get_mut(limit)? -= 1;
        // The longest length below `limit` in use gives one code to two one bit longer.
        if let Some(i) = (1..limit)
            .rev()
            .find(|&i| num_codes.get(i).is_some_and(|&c| c != 0))
        {
            *num_codes.get_mut(i)? -= 1;
            *num_codes.get_mut(i + 1)? += 2;
        }
    }
    Some(())
}

/// (symbol, extra bit count, extra bits) of match length `len` (3..=258), RFC 1951 3.2.5.
fn len_symbol(len: u32) -> (usize, u32, u32) {
    let x = len.saturating_sub(3) & 0xFF;
    if x < 8 {
        return (257 + x as usize, 0, 0);
    }
    if x == 255 {
        return (285, 0, 0);
    }
    // x in 8..=254: four symbols per power of two, `log2(x) - 2` extra bits.
    let log = 31 - x.leading_zeros();
    let extra = log - 2;
    let sym = 257 + 4 * (log - 1) + ((x >> extra) & 3);
    (sym as usize, extra, x & ((1 << extra) - 1))
}

/// (symbol, extra bit count, extra bits) of distance `dist` (1..=32768), RFC 1951 3.2.5.
fn dist_symbol(dist: u32) -> (usize, u32, u32) {
    let x = dist.saturating_sub(1) & 0x7FFF;
    if x < 4 {
        return (x as usize, 0, 0);
    }
    // Two symbols per power of two, `log2(x) - 1` extra bits.
    let log = 31 - x.leading_zeros();
    let extra = log - 1;
    let sym = 2 * log + ((x >> extra) & 1);
    (sym as usize, extra, x & ((1 << extra) - 1))
}

fn read_u16(data: &[u8], pos: usize) -> Option<u16> {
    let b = data.get(pos..pos.checked_add(2)?)?;
    Some(u16::from_le_bytes([*b.first()?, *b.get(1)?]))
}

/// Length of the common prefix of `data[a..]` and `data[b..]` (`a < b`), at most `max`.
fn common_prefix(data: &[u8], a: usize, b: usize, max: usize) -> usize {
    let (Some(x), Some(y)) = (data.get(a..), data.get(b..)) else {
        return 0;
    };
    let max = max.min(y.len());
    let mut i = 0;
    while i + 8 <= max {
        let word = |s: &[u8]| s.get(i..).and_then(<[u8]>::first_chunk::<8>).copied();
        let (Some(p), Some(q)) = (word(x), word(y)) else {
            break;
        };
        let p = u64::from_le_bytes(p);
        let q = u64::from_le_bytes(q);
        let diff = p ^ q;
        if diff != 0 {
            return i + (diff.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < max && x.get(i) == y.get(i) {
        i += 1;
    }
    i
}

/// Adler-32 (RFC 1950).
fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    // Largest n with 255 n (n + 1) / 2 + (n + 1) (MOD - 1) < 2^32.
    const CHUNK: usize = 5552;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(CHUNK) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

/// LSB-first bit writer: 32 bits at a time go to `out`.
struct Bits<'a> {
    out: &'a mut Vec<u8>,
    buf: u64,
    len: u32,
}

impl Bits<'_> {
    /// Appends the low `len` bits of `bits` (`len <= 16`).
    fn put(&mut self, bits: u32, len: u32) {
        self.buf |= u64::from(bits) << self.len;
        self.len += len;
        if self.len >= 32 {
            self.out.extend_from_slice(&(self.buf as u32).to_le_bytes());
            self.buf >>= 32;
            self.len -= 32;
        }
    }

    /// Whole bytes written so far, counting those still in the buffer.
    fn whole_bytes(&self) -> usize {
        self.out.len() + (self.len / 8) as usize
    }

    /// Pads with zero bits to a byte boundary and writes out the buffer.
    fn pad(&mut self) {
        let bytes = self.len.div_ceil(8);
        self.out
            .extend(self.buf.to_le_bytes().iter().take(bytes as usize));
        self.buf = 0;
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use miniz_oxide::deflate::compress_to_vec_zlib;
    use proptest::prelude::*;

    /// Length code bases for symbols 257..=285 (RFC 1951, 3.2.5).
    const LEN_BASE: [u16; 29] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
        131, 163, 195, 227, 258,
    ];
    const LEN_EXTRA: [u8; 29] = [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
    ];
    /// Distance code bases for symbols 0..=29.
    const DIST_BASE: [u16; 30] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
        2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
    ];
    const DIST_EXTRA: [u8; 30] = [
        0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12,
        13, 13,
    ];

    /// Session-like text: keys, numbers and punctuation from a small alphabet of words.
    fn words(seed: u64, len: usize) -> Vec<u8> {
        const WORDS: [&[u8]; 12] = [
            b"_accessed_time",
            b"user_id",
            b"\x02csrf\x00",
            b"\x10cart\x00",
            b"0123456789abcdef",
            b"\x00\x00\x00",
            b"flash",
            b"\x01",
            b"items",
            b"\xff\xfe",
            b"session",
            b" ",
        ];
        let mut state = seed;
        let mut out = Vec::new();
        while out.len() < len {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            out.extend_from_slice(WORDS[((state >> 33) % 12) as usize]);
        }
        out.truncate(len);
        out
    }

    fn ours(encoder: &mut Encoder, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        assert!(encoder.compress(data, &mut out));
        out
    }

    #[test]
    fn encoder_symbols_match_rfc_1951_tables() {
        for len in 3u32..=258 {
            let i = LEN_BASE.iter().rposition(|&b| u32::from(b) <= len).unwrap();
            let want = (
                257 + i,
                u32::from(LEN_EXTRA[i]),
                len - u32::from(LEN_BASE[i]),
            );
            assert_eq!(len_symbol(len), want, "{len}");
        }
        for dist in 1u32..=32768 {
            let i = DIST_BASE
                .iter()
                .rposition(|&b| u32::from(b) <= dist)
                .unwrap();
            let want = (i, u32::from(DIST_EXTRA[i]), dist - u32::from(DIST_BASE[i]));
            assert_eq!(dist_symbol(dist), want, "{dist}");
        }
    }

    #[test]
    fn encoder_writes_what_miniz_oxide_writes_at_edge_lengths() {
        let mut encoder = Encoder::new();
        let lens = [
            0,
            1,
            2,
            3,
            4,
            31,
            32,
            33,
            47,
            48,
            49,
            257,
            258,
            259,
            4096,
            8192,
            8193,
            12_000,
            MAX_LEN - 1,
            MAX_LEN,
        ];
        for len in lens {
            for data in [
                words(len as u64, len),
                vec![0u8; len],
                (0..len).map(|i| (i * 7 % 251) as u8).collect(),
                (0..len)
                    .map(|i| (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) as u8 >> 3)
                    .collect(),
                (0..len)
                    .map(|i| ((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as u8)
                    .collect(),
            ] {
                assert_eq!(
                    ours(&mut encoder, &data),
                    compress_to_vec_zlib(&data, 9),
                    "{len}"
                );
            }
        }
    }

    #[test]
    fn encoder_refuses_input_over_max_len() {
        let mut out = vec![1, 2, 3];
        assert!(!Encoder::new().compress(&vec![0u8; MAX_LEN + 1], &mut out));
        assert!(out.is_empty());
    }

    #[test]
    fn encoder_tag_overflow_clears_the_table() {
        let mut encoder = Encoder::new();
        let first = words(1, 3000);
        assert_eq!(ours(&mut encoder, &first), compress_to_vec_zlib(&first, 9));
        // The next stream's tags would pass u32::MAX: the table is cleared and the stale
        // entries of `first` (same text) must not leak into the next streams.
        encoder.base = u32::MAX - 100;
        for _ in 0..3 {
            assert_eq!(ours(&mut encoder, &first), compress_to_vec_zlib(&first, 9));
        }
        assert!(encoder.base < 10_000);
    }

    #[test]
    fn encoder_adler32_matches_known_values() {
        assert_eq!(adler32(b""), 1);
        // Python: zlib.adler32(b"Wikipedia").
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        let big = vec![0xFFu8; 100_000];
        let stream = compress_to_vec_zlib(&big, 1);
        let trailer: [u8; 4] = stream[stream.len() - 4..].try_into().unwrap();
        assert_eq!(adler32(&big), u32::from_be_bytes(trailer));
    }

    proptest! {
        /// Byte for byte what miniz_oxide writes, on random bytes.
        #[test]
        fn encoder_matches_miniz_oxide_on_random_bytes(
            data in proptest::collection::vec(any::<u8>(), 0..2000),
        ) {
            let mut encoder = Encoder::new();
            prop_assert_eq!(ours(&mut encoder, &data), compress_to_vec_zlib(&data, 9));
        }

        /// Byte for byte what miniz_oxide writes, on repetitive text of every length, through
        /// one reused encoder (stale chains of earlier streams must not matter).
        #[test]
        fn encoder_matches_miniz_oxide_on_text_with_reuse(
            streams in proptest::collection::vec((any::<u64>(), 0..MAX_LEN), 1..4),
        ) {
            let mut encoder = Encoder::new();
            for (seed, len) in streams {
                let data = words(seed, len);
                prop_assert_eq!(ours(&mut encoder, &data), compress_to_vec_zlib(&data, 9));
            }
        }

        /// Byte for byte what miniz_oxide writes, on few-symbol input (long matches, lazy
        /// evaluation, 258-byte runs).
        #[test]
        fn encoder_matches_miniz_oxide_on_low_entropy(
            data in proptest::collection::vec(0u8..3, 0..5000),
        ) {
            let mut encoder = Encoder::new();
            prop_assert_eq!(ours(&mut encoder, &data), compress_to_vec_zlib(&data, 9));
        }
    }
}
