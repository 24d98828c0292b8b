//! Bounded zlib inflate and level-9 deflate (RFC 1950 framing around RFC 1951 deflate), read
//! like Python's `zlib.decompress(data)` and written like `zlib.compress(data, 9)`. The default
//! build runs miniz_oxide for both; the opt-in `fast-zlib` feature runs our own decoder
//! (`src/zlib/decoder.rs`) and small-input encoder (`src/zlib/encoder.rs`) instead (see
//! [Backends](#backends)).
//!
//! Reading copies Python (CPython 3.11 `Modules/zlibmodule.c` over zlib 1.2/1.3), with one
//! addition: a hard bound on the output.
//! - The 2-byte header is checked here, in zlib's order, whatever the backend: check bits
//!   (`(CMF*256 + FLG) % 31 == 0`), method 8, window size at most 32 KiB (CINFO ≤ 7); a preset
//!   dictionary (FDICT) is refused, as Python refuses it (`Error 2`) when no `zdict` is given.
//! - The deflate data is refused where C zlib's `inflate.c` and `inftrees.c` refuse it (block
//!   type 3, stored lengths, code counts, over-subscribed and incomplete Huffman codes, bit
//!   length repeats, a missing end-of-block code, invalid symbols, distances past the start of
//!   the output), with one exception in the default build: miniz_oxide accepts a literal/length
//!   or distance code made of a single code longer than 1 bit, which zlib refuses as an
//!   incomplete code (`invalid literal/lengths set`, `invalid distances set`). Such a stream
//!   inflates to what its bits say; only a holder of the signing key can send one, and C zlib
//!   never writes one. Four of the 2,071 Python-checked vectors are of this kind; every other
//!   one is accepted or refused as Python does, with the same output, in both builds. With
//!   `fast-zlib` our decoder refuses those four as well (`tests/internal/zlib_oracle.rs` checks
//!   both builds against zlib-rs, a port of C zlib).
//! - The Adler-32 trailer is verified (also under `cfg(fuzzing)`, where miniz_oxide skips its
//!   own comparison: we compare its two checksums ourselves).
//! - Bytes after the end of the stream are ignored, as `zlib.decompress` ignores them. Only a
//!   holder of the signing key can put them there, and they never reach the output.
//! - A stream that ends early is refused (Python: `incomplete or truncated stream`), with the
//!   input length as the offset.
//! - Unlike Python, inflation stops before the output passes `Limits::max_inflated_len` and the
//!   whole decode is refused: a 64 MiB bomb costs at most the limit in memory and time.
//!
//! No output is ever handed back with an error. Error offsets inside the deflate data are where
//! the backend noticed the fault; the refusal, not the offset, is what matches Python.
//!
//! Deflate writes the same bytes in both builds: miniz_oxide's level 9
//! (`compress_to_vec_zlib(data, 9)`), so a cookie's bytes do not depend on the feature.
//!
//! # Backends
//! Default: miniz_oxide's inflate state machine (`DecompressorOxide`, boxed once per
//! [`Inflater`] and reset per stream) writing into an output buffer that grows by doubling up to
//! `max_inflated_len + 1` bytes, as its `decompress_to_vec_zlib_with_limit` does; and its level-9
//! compressor (`CompressorOxide`, boxed once per [`Deflater`] and reset per stream).
//!
//! `fast-zlib` (opt-in): our one-shot decoder, which accepts and refuses exactly what C zlib
//! does, and, for inputs up to 16 KiB, our encoder, which runs miniz_oxide's level-9 parse and
//! Huffman construction and writes the same bytes, but keeps its tables across streams instead
//! of clearing miniz_oxide's ~310 KB per stream; longer inputs still go to miniz_oxide. About
//! 1,900 more lines of safe Rust to audit; `benches/README.md` has what they gain per cookie.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use miniz_oxide::deflate::core::{
    compress_to_output, create_comp_flags_from_zip_params, CompressorOxide, TDEFLFlush, TDEFLStatus,
};
#[cfg(not(feature = "fast-zlib"))]
use miniz_oxide::inflate::core::inflate_flags::{
    TINFL_FLAG_PARSE_ZLIB_HEADER, TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
};
#[cfg(not(feature = "fast-zlib"))]
use miniz_oxide::inflate::core::{decompress, DecompressorOxide};
#[cfg(not(feature = "fast-zlib"))]
use miniz_oxide::inflate::TINFLStatus;

#[cfg(any(test, not(feature = "fast-zlib")))]
use crate::error::Limit;
use crate::error::{Error, Layer, Result};
use crate::limits::Limits;

#[cfg(feature = "fast-zlib")]
mod decoder;
#[cfg(feature = "fast-zlib")]
mod encoder;

/// The whole stream is in one slice (no `HAS_MORE_INPUT`), and the output buffer holds all the
/// output so far, so back-references read it directly (no wrapping window) and a distance past
/// the start of the output is refused.
#[cfg(not(feature = "fast-zlib"))]
const INFLATE_FLAGS: u32 = TINFL_FLAG_PARSE_ZLIB_HEADER | TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;

/// Smallest first output buffer: a session cookie inflates to a few hundred bytes at least.
const MIN_FIRST_BUFFER: usize = 256;

/// Grows `out` to its first size for inflating `data`: four times the input (a session's BSON
/// deflates about 2:1 to 4:1), at least [`MIN_FIRST_BUFFER`] and what `out` already holds, at
/// most `cap`.
fn first_buffer(data: &[u8], out: &mut Vec<u8>, cap: usize) {
    let first = data
        .len()
        .saturating_mul(4)
        .max(MIN_FIRST_BUFFER)
        .max(out.len())
        .min(cap);
    grow(out, first);
}

/// Inflates a zlib stream like Python's `zlib.decompress(data)`, refusing output beyond
/// `limits.max_inflated_len`.
///
/// Bytes after the end of the stream are ignored, as Python ignores them (see the
/// [module docs](self), which also name the one kind of stream the default build accepts and
/// C zlib refuses).
///
/// # Errors
/// - [`Error::Malformed`] in [`Layer::Zlib`]: a bad header (offset 0), a stream that ends
///   early (offset = input length), invalid deflate data, or a wrong Adler-32 checksum.
/// - [`Error::Unsupported`] in [`Layer::Zlib`]: a header asking for a preset dictionary.
/// - [`Error::LimitExceeded`] with [`Limit::InflatedLen`](crate::Limit::InflatedLen): the
///   stream inflates to more than `limits.max_inflated_len` bytes.
///
/// # Limits
/// `max_inflated_len` bounds the output; memory is at most `max_inflated_len + 1` bytes of
/// output buffer plus the inflate state (boxed: about 10.5 KB for miniz_oxide's, 9 KB with
/// `fast-zlib`), and time is linear in the input and that bounded output.
pub fn inflate(data: &[u8], limits: &Limits) -> Result<Vec<u8>> {
    Inflater::new().inflate(data, limits)
}

/// Like [`inflate`], but writes into `out` (cleared first) so its allocation can be reused.
///
/// On success `out` holds exactly the inflated bytes; on error `out` is left empty (its
/// capacity is kept).
///
/// # Errors
/// As [`inflate`].
///
/// # Limits
/// As [`inflate`]: `out` is grown to at most `max_inflated_len + 1` bytes (capacity it already
/// had is kept).
#[cfg_attr(not(fuzzing), allow(dead_code))] // an entry point of the fuzz targets
pub fn inflate_into(data: &[u8], out: &mut Vec<u8>, limits: &Limits) -> Result<()> {
    Inflater::new().inflate_into(data, out, limits)
}

/// Deflates `data` at level 9 with a zlib header and Adler-32 trailer, like Python's
/// `zlib.compress(data, 9)`: Python's `zlib.decompress` reads it back exactly. The bytes are
/// miniz_oxide's level 9 in every build; they may differ from C zlib's by a few (a different
/// but valid encoding).
///
/// # Errors
/// None.
///
/// # Limits
/// None apply: the input is the caller's own. Incompressible input is written as stored
/// blocks, so the output is never much longer than the input: the 6-byte zlib wrapper plus
/// 5 bytes of framing per block (about 0.02 %, measured on random data).
#[cfg_attr(not(fuzzing), allow(dead_code))] // an entry point of the fuzz targets
pub fn deflate(data: &[u8]) -> Vec<u8> {
    Deflater::new().deflate(data)
}

/// A reusable inflater: keeps the inflate state across calls (boxed once).
///
/// Each call reads one complete, independent zlib stream.
pub struct Inflater {
    engine: InflateEngine,
}

/// The backends the public types use: miniz_oxide by default, ours with `fast-zlib`.
#[cfg(not(feature = "fast-zlib"))]
type InflateEngine = MinizInflate;
#[cfg(feature = "fast-zlib")]
type InflateEngine = decoder::Decoder;
#[cfg(not(feature = "fast-zlib"))]
type DeflateEngine = MinizDeflate;
#[cfg(feature = "fast-zlib")]
type DeflateEngine = FastDeflate;

/// One inflate backend. Each runs [`check_header`] first; the buffer growth, the bound and the
/// error mapping are shared.
trait Inflate {
    fn new() -> Self;
    /// Inflates into `out` (used as the output buffer) and returns the output length.
    fn run(&mut self, data: &[u8], out: &mut Vec<u8>, max: usize) -> Result<usize>;
}

/// One level-9 deflate backend.
trait Deflate {
    fn new() -> Self;
    /// Compresses all of `data` into `out` (cleared); false if the backend did not end the
    /// stream.
    fn compress(&mut self, data: &[u8], out: &mut Vec<u8>) -> bool;
}

impl Inflater {
    /// A fresh inflater.
    pub fn new() -> Inflater {
        Inflater {
            engine: InflateEngine::new(),
        }
    }

    /// As the free function [`inflate`].
    ///
    /// # Errors
    /// As [`inflate`].
    ///
    /// # Limits
    /// As [`inflate`].
    pub fn inflate(&mut self, data: &[u8], limits: &Limits) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.inflate_into(data, &mut out, limits)?;
        Ok(out)
    }

    /// As the free function [`inflate_into`].
    ///
    /// # Errors
    /// As [`inflate`].
    ///
    /// # Limits
    /// As [`inflate_into`].
    pub fn inflate_into(&mut self, data: &[u8], out: &mut Vec<u8>, limits: &Limits) -> Result<()> {
        inflate_with(&mut self.engine, data, out, limits)
    }
}

/// [`Inflater::inflate_into`] on a given backend.
fn inflate_with<E: Inflate>(
    engine: &mut E,
    data: &[u8],
    out: &mut Vec<u8>,
    limits: &Limits,
) -> Result<()> {
    let result = engine.run(data, out, limits.max_inflated_len);
    match result {
        Ok(len) => out.truncate(len),
        // No partial output, ever.
        Err(_) => out.clear(),
    }
    result.map(|_| ())
}

/// miniz_oxide's inflate state machine, reset for each stream, over one output buffer that
/// holds the whole output (the default backend).
#[cfg(not(feature = "fast-zlib"))]
struct MinizInflate {
    state: Box<DecompressorOxide>,
}

#[cfg(not(feature = "fast-zlib"))]
impl Inflate for MinizInflate {
    fn new() -> MinizInflate {
        MinizInflate {
            state: Box::default(),
        }
    }

    fn run(&mut self, data: &[u8], out: &mut Vec<u8>, max: usize) -> Result<usize> {
        check_header(data)?;
        self.state.init();
        // The buffer never passes `max + 1`: one byte past the limit is how "more than max"
        // is told apart from "exactly max".
        let cap = max.saturating_add(1);
        out.truncate(cap);
        first_buffer(data, out, cap);

        let mut input = data;
        let mut read_total = 0usize;
        let mut out_pos = 0usize;
        loop {
            let (status, read, written) =
                decompress(&mut self.state, input, out, out_pos, INFLATE_FLAGS);
            out_pos = out_pos.saturating_add(written);
            read_total = read_total.saturating_add(read);
            // `read` never exceeds the input; should miniz_oxide ever say otherwise, the
            // stream is refused rather than read from the wrong place.
            input = input.get(read..).ok_or(Error::malformed(
                Layer::Zlib,
                read_total,
                "internal inflate error",
            ))?;
            match status {
                TINFLStatus::Done => {
                    if out_pos > max {
                        return Err(Error::LimitExceeded(Limit::InflatedLen));
                    }
                    // miniz_oxide skips its own Adler-32 comparison under `cfg(fuzzing)`;
                    // comparing here keeps fuzz builds as strict as release builds.
                    if self.state.adler32() != self.state.adler32_header() {
                        return Err(adler_mismatch(read_total));
                    }
                    return Ok(out_pos);
                }
                TINFLStatus::HasMoreOutput => {
                    if out.len() >= cap {
                        return Err(Error::LimitExceeded(Limit::InflatedLen));
                    }
                    // Doubling, capped at the limit (as miniz_oxide's `*_with_limit` does).
                    grow(out, out.len().saturating_mul(2).min(cap));
                }
                TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => {
                    return Err(Error::malformed(
                        Layer::Zlib,
                        data.len(),
                        "truncated stream",
                    ));
                }
                TINFLStatus::Adler32Mismatch => return Err(adler_mismatch(read_total)),
                _ => {
                    return Err(Error::malformed(
                        Layer::Zlib,
                        read_total,
                        "invalid deflate data",
                    ))
                }
            }
        }
    }
}

impl Default for Inflater {
    fn default() -> Self {
        Inflater::new()
    }
}

impl fmt::Debug for Inflater {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inflater").finish_non_exhaustive()
    }
}

/// A reusable level-9 deflater: keeps the compressor state across calls instead of allocating
/// it for each stream (miniz_oxide's ~310 KB, reset per stream; with `fast-zlib`, our encoder's
/// 128 KB hash table plus buffers sized to the largest input so far, and miniz_oxide's state
/// once an input over 16 KiB is seen).
pub struct Deflater {
    engine: DeflateEngine,
}

impl Deflater {
    /// A fresh level-9 zlib deflater.
    pub fn new() -> Deflater {
        Deflater {
            engine: DeflateEngine::new(),
        }
    }

    /// As the free function [`deflate`].
    ///
    /// # Errors
    /// None.
    ///
    /// # Limits
    /// As [`deflate`].
    pub fn deflate(&mut self, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        self.deflate_into(data, &mut out);
        out
    }

    /// As [`deflate`], writing into `out` (cleared first) so its allocation can be reused.
    ///
    /// # Errors
    /// None.
    ///
    /// # Limits
    /// As [`deflate`].
    pub fn deflate_into(&mut self, data: &[u8], out: &mut Vec<u8>) {
        deflate_with(&mut self.engine, data, out);
    }
}

/// [`Deflater::deflate_into`] on a given backend.
fn deflate_with<E: Deflate>(engine: &mut E, data: &[u8], out: &mut Vec<u8>) {
    out.clear();
    if !engine.compress(data, out) {
        out.clear();
        stored(data, out);
    }
}

/// miniz_oxide's level-9 compressor, reset for each stream (the default backend; with
/// `fast-zlib`, the backend for inputs over 16 KiB).
struct MinizDeflate {
    state: Box<CompressorOxide>,
    /// True once a stream was written: a new state is already as clean as `reset` leaves it,
    /// so a one-shot [`deflate`] clears the ~310 KB once, not twice.
    used: bool,
}

impl Deflate for MinizDeflate {
    fn new() -> MinizDeflate {
        MinizDeflate {
            // Level 9, positive window bits (zlib framing), default strategy: exactly what
            // miniz_oxide's `compress_to_vec_zlib(data, 9)` uses.
            state: Box::new(CompressorOxide::new(create_comp_flags_from_zip_params(
                9, 1, 0,
            ))),
            used: false,
        }
    }

    fn compress(&mut self, data: &[u8], out: &mut Vec<u8>) -> bool {
        if self.used {
            self.state.reset();
        }
        self.used = true;
        let (status, read) =
            compress_to_output(&mut self.state, data, TDEFLFlush::Finish, |chunk| {
                out.extend_from_slice(chunk);
                true
            });
        // With an output sink that always accepts, one `Finish` call consumes everything and
        // ends the stream. Should miniz_oxide ever say otherwise, the caller writes stored
        // blocks instead of panicking or returning a broken stream.
        status == TDEFLStatus::Done && read == data.len()
    }
}

/// `fast-zlib`: our small-input [`encoder`] up to [`encoder::MAX_LEN`] (miniz_oxide's bytes,
/// without clearing its tables per stream), miniz_oxide's compressor above.
#[cfg(feature = "fast-zlib")]
struct FastDeflate {
    small: encoder::Encoder,
    /// Created on the first input longer than [`encoder::MAX_LEN`].
    large: Option<MinizDeflate>,
}

#[cfg(feature = "fast-zlib")]
impl Deflate for FastDeflate {
    fn new() -> FastDeflate {
        FastDeflate {
            small: encoder::Encoder::new(),
            large: None,
        }
    }

    fn compress(&mut self, data: &[u8], out: &mut Vec<u8>) -> bool {
        if data.len() <= encoder::MAX_LEN {
            return self.small.compress(data, out);
        }
        self.large
            .get_or_insert_with(MinizDeflate::new)
            .compress(data, out)
    }
}

impl Default for Deflater {
    fn default() -> Self {
        Deflater::new()
    }
}

impl fmt::Debug for Deflater {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Deflater").finish_non_exhaustive()
    }
}

/// Checks the 2-byte zlib header in the order zlib's `inflate.c` does, so the refusal names
/// the same fault Python reports.
fn check_header(data: &[u8]) -> Result<()> {
    let (cmf, flg) = match *data {
        [cmf, flg, ..] => (cmf, flg),
        // zlib reads nothing until it has both bytes: "incomplete or truncated stream".
        _ => {
            return Err(Error::malformed(
                Layer::Zlib,
                data.len(),
                "truncated stream",
            ))
        }
    };
    if (u16::from(cmf) * 256 + u16::from(flg)) % 31 != 0 {
        return Err(Error::malformed(Layer::Zlib, 0, "incorrect header check"));
    }
    if cmf & 0x0F != 8 {
        return Err(Error::malformed(
            Layer::Zlib,
            0,
            "unknown compression method",
        ));
    }
    if cmf >> 4 > 7 {
        return Err(Error::malformed(Layer::Zlib, 0, "invalid window size"));
    }
    if flg & 0x20 != 0 {
        // zlib first reads the 4-byte dictionary id, then asks for the dictionary.
        if data.len() < 6 {
            return Err(Error::malformed(
                Layer::Zlib,
                data.len(),
                "truncated stream",
            ));
        }
        return Err(Error::unsupported(Layer::Zlib, 1, "preset dictionary"));
    }
    Ok(())
}

fn adler_mismatch(read_total: usize) -> Error {
    // The checksum is the last 4 bytes read.
    Error::malformed(
        Layer::Zlib,
        read_total.saturating_sub(4),
        "incorrect data check",
    )
}

/// Grows `out` to `len` bytes, allocating exactly (no amortized doubling past the limit).
fn grow(out: &mut Vec<u8>, len: usize) {
    if let Some(extra) = len.checked_sub(out.len()) {
        out.reserve_exact(extra);
        out.resize(len, 0);
    }
}

/// Writes `data` as a zlib stream of stored (uncompressed) blocks: the fallback of
/// [`Deflater::deflate_into`].
fn stored(data: &[u8], out: &mut Vec<u8>) {
    // CMF 0x78 (deflate, 32 KiB window), FLG 0x01 (level 0, no dictionary, check bits).
    out.extend_from_slice(&[0x78, 0x01]);
    // Blocks of 65,535 bytes (the most a stored block holds), then one of the rest: empty
    // input is one empty final block.
    let mut rest = data;
    loop {
        // The rest, or 65,535 bytes of it: a saturating conversion is the `min`.
        let len = u16::try_from(rest.len()).unwrap_or(u16::MAX);
        let (block, tail) = rest.split_at(usize::from(len));
        let last = tail.is_empty();
        out.push(u8::from(last));
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
        if last {
            break;
        }
        rest = tail;
    }
    let adler = miniz_oxide::mz_adler32_oxide(miniz_oxide::MZ_ADLER32_INIT, data);
    out.extend_from_slice(&adler.to_be_bytes());
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    /// `zlib.decompress` vectors made by `tests/data/codecs/make_codecs.py`.
    const VECTORS: &str = include_str!("../../tests/data/codecs/zlib.txt");
    /// Our own deflate output, checked by `make_codecs.py --check` against Python's zlib.
    const OURS: &str = include_str!("../../tests/data/codecs/deflate_ours.txt");
    /// zlib(zlib(64 MiB of zeros)), made by Python: 247 bytes whose inner stream is a bomb.
    const BOMB_64M: &[u8] = include_bytes!("../../tests/data/codecs/bomb_64m.zz");

    const WORDS: [&[u8]; 16] = [
        b"session",
        b"user_id",
        b"_accessed_time",
        b"_creation_time",
        b"cart",
        b"items",
        b"0123456789",
        b" ",
        b"\n",
        b"{",
        b"}",
        b":",
        b",",
        b"\"",
        b"flash",
        b"csrf",
    ];

    /// Same text as `lcg_text` in make_codecs.py (the zlib-rs oracle tests use it too).
    pub(crate) fn lcg_text(seed: u64, len: usize) -> Vec<u8> {
        let mut state = seed;
        let mut out = Vec::new();
        while out.len() < len {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            out.extend_from_slice(WORDS[((state >> 33) % 16) as usize]);
        }
        out.truncate(len);
        out
    }

    /// A vector field of `zlib.txt`: `lcg:SEED:LEN`, `-` (empty) or hex.
    pub(crate) fn unspec(field: &str) -> Vec<u8> {
        if let Some(rest) = field.strip_prefix("lcg:") {
            let (seed, len) = rest.split_once(':').unwrap();
            return lcg_text(seed.parse().unwrap(), len.parse().unwrap());
        }
        if field == "-" {
            return Vec::new();
        }
        (0..field.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&field[i..i + 2], 16).unwrap())
            .collect()
    }

    fn hex(data: &[u8]) -> alloc::string::String {
        use core::fmt::Write;
        let mut s = alloc::string::String::new();
        for b in data {
            write!(s, "{b:02x}").unwrap();
        }
        if s.is_empty() {
            s.push('-');
        }
        s
    }

    fn limits(max: usize) -> Limits {
        Limits {
            max_inflated_len: max,
            ..Limits::DEFAULT
        }
    }

    fn lines(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
        text.lines()
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(|line| line.split(' ').collect())
    }

    #[test]
    fn zlib_inflate_matches_python_vectors() {
        let big = limits(1 << 20);
        let (mut ok, mut err, mut lax) = (0, 0, 0);
        for fields in lines(VECTORS) {
            assert_eq!(fields[0], "inflate");
            let stream = unspec(fields[1]);
            let got = inflate(&stream, &big);
            match fields[2] {
                "ok" => {
                    assert_eq!(got, Ok(unspec(fields[3])), "inflate {}", fields[1]);
                    ok += 1;
                }
                "err" => {
                    assert!(
                        matches!(
                            got,
                            Err(Error::Malformed {
                                layer: Layer::Zlib,
                                ..
                            }) | Err(Error::Unsupported {
                                layer: Layer::Zlib,
                                ..
                            })
                        ),
                        "inflate {} gave {:?}, Python: {}",
                        fields[1],
                        got.map(|v| v.len()),
                        fields[3]
                    );
                    err += 1;
                }
                "err-lax" => {
                    // miniz_oxide (the default build) accepts an incomplete code set made
                    // of one code longer than 1 bit, which zlib refuses (module docs); our
                    // decoder (`fast-zlib`) refuses it, as Python does.
                    if cfg!(feature = "fast-zlib") {
                        assert!(got.is_err(), "inflate {} accepted", fields[1]);
                    } else {
                        assert!(got.is_ok(), "inflate {} now refused: {:?}", fields[1], got);
                    }
                    lax += 1;
                }
                other => panic!("unknown verdict {other}"),
            }
        }
        assert!(ok > 500 && err > 1000 && lax == 4, "{ok} {err} {lax}");
    }

    #[test]
    fn zlib_deflate_output_is_what_python_checked() {
        let mut checked = 0;
        let mut changed = alloc::string::String::new();
        for fields in lines(OURS) {
            let input = unspec(fields[1]);
            let stream = unspec(fields[2]);
            let ours = match fields[0] {
                "deflate" => deflate(&input),
                "stored" => {
                    let mut out = Vec::new();
                    stored(&input, &mut out);
                    out
                }
                other => panic!("unknown kind {other}"),
            };
            if ours == stream {
                assert_eq!(inflate(&stream, &limits(1 << 20)), Ok(input));
                checked += 1;
            } else {
                changed += &alloc::format!("{} {} {}\n", fields[0], fields[1], hex(&ours));
            }
        }
        // If miniz_oxide's output changes, put these lines in deflate_ours.txt and rerun
        // `make_codecs.py --check` so Python confirms it reads them.
        assert!(changed.is_empty(), "our deflate output changed:\n{changed}");
        assert!(checked >= 10, "{checked}");
    }

    #[test]
    fn zlib_reads_what_it_writes() {
        for len in [0usize, 1, 100, 5000, 70_000] {
            let data = lcg_text(len as u64, len);
            let stream = deflate(&data);
            assert_eq!(stream[0], 0x78);
            assert_eq!(inflate(&stream, &limits(len)), Ok(data), "{len}");
        }
    }

    /// `fast-zlib`'s deflate (our encoder up to 16 KiB) writes the default backend's bytes
    /// (miniz_oxide's), at the sizes around the switch to miniz_oxide too.
    #[cfg(feature = "fast-zlib")]
    #[test]
    fn zlib_fast_deflate_writes_the_default_backends_bytes() {
        let mut fast = FastDeflate::new();
        let mut miniz = MinizDeflate::new();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let max = encoder::MAX_LEN;
        for len in [0usize, 1, 47, 48, 100, 5000, max - 1, max, max + 1, 70_000] {
            for seed in 0..3 {
                let data = lcg_text(seed, len);
                deflate_with(&mut fast, &data, &mut a);
                deflate_with(&mut miniz, &data, &mut b);
                assert_eq!(a, b, "len {len} seed {seed}");
                assert_eq!(b, miniz_oxide::deflate::compress_to_vec_zlib(&data, 9));
            }
        }
    }

    #[test]
    fn zlib_limit_trips_at_max_plus_one_not_at_max() {
        let inputs = [
            b"".to_vec(),
            b"a".to_vec(),
            vec![0u8; 1000],
            lcg_text(3, 5000),
            lcg_text(4, 70_000),
        ];
        for data in &inputs {
            let n = data.len();
            let streams = [deflate(data), {
                let mut s = Vec::new();
                stored(data, &mut s);
                s
            }];
            for stream in &streams {
                assert_eq!(inflate(stream, &limits(n)).as_ref(), Ok(data), "len {n}");
                assert_eq!(
                    inflate(stream, &limits(n + 1)).as_ref(),
                    Ok(data),
                    "len {n}"
                );
                if n > 0 {
                    assert_eq!(
                        inflate(stream, &limits(n - 1)),
                        Err(Error::LimitExceeded(Limit::InflatedLen)),
                        "len {n}"
                    );
                }
            }
        }
        // Every limit around every length of a run (matches cut at each boundary).
        for n in 0..600 {
            let data = vec![b'x'; n];
            let stream = deflate(&data);
            for max in n.saturating_sub(3)..n + 3 {
                let got = inflate(&stream, &limits(max));
                if max >= n {
                    assert_eq!(got, Ok(data.clone()), "len {n} max {max}");
                } else {
                    assert_eq!(got, Err(Error::LimitExceeded(Limit::InflatedLen)));
                }
            }
        }
    }

    #[test]
    fn zlib_limit_zero_allows_only_empty_output() {
        assert_eq!(inflate(&deflate(b""), &limits(0)), Ok(vec![]));
        assert_eq!(
            inflate(&deflate(b"a"), &limits(0)),
            Err(Error::LimitExceeded(Limit::InflatedLen))
        );
    }

    #[test]
    fn zlib_refuses_64m_bomb_with_bounded_buffer() {
        // The outer layer is an ordinary stream; its output is the bomb.
        let bomb = inflate(BOMB_64M, &limits(1 << 20)).unwrap();
        assert!(bomb.len() < 70_000, "{}", bomb.len());
        let defaults = Limits::default();
        let mut out = Vec::new();
        assert_eq!(
            inflate_into(&bomb, &mut out, &defaults),
            Err(Error::LimitExceeded(Limit::InflatedLen))
        );
        assert!(out.is_empty(), "no partial output");
        assert!(
            out.capacity() <= defaults.max_inflated_len + 1,
            "buffer grew to {}",
            out.capacity()
        );
        assert_eq!(
            inflate(&bomb, &defaults),
            Err(Error::LimitExceeded(Limit::InflatedLen))
        );
    }

    #[test]
    fn zlib_refuses_bad_headers() {
        let stream = deflate(b"hello world");
        let body = &stream[2..];
        let with = |cmf: u8, flg: u8| {
            let mut s = vec![cmf, flg];
            s.extend_from_slice(body);
            inflate(&s, &Limits::default())
        };
        let malformed = |what| Err(Error::malformed(Layer::Zlib, 0, what));
        assert_eq!(with(0x78, 0x9D), malformed("incorrect header check"));
        assert_eq!(with(0x79, 0x18), malformed("unknown compression method"));
        assert_eq!(with(0x88, 0x98), malformed("invalid window size"));
        assert_eq!(
            with(0x78, 0xBB),
            Err(Error::unsupported(Layer::Zlib, 1, "preset dictionary"))
        );
        // Any FLEVEL is fine, as in zlib.
        assert_eq!(with(0x78, 0x01), Ok(b"hello world".to_vec()));
        assert_eq!(with(0x78, 0xDA), Ok(b"hello world".to_vec()));
    }

    #[test]
    fn zlib_refuses_bad_checksum_at_its_offset() {
        let mut stream = deflate(b"hello world");
        let at = stream.len() - 4;
        stream[at + 2] ^= 0x40;
        assert_eq!(
            inflate(&stream, &Limits::default()),
            Err(Error::malformed(Layer::Zlib, at, "incorrect data check"))
        );
    }

    #[test]
    fn zlib_refuses_every_truncation() {
        let data = lcg_text(5, 3000);
        let stream = deflate(&data);
        for cut in 0..stream.len() {
            assert_eq!(
                inflate(&stream[..cut], &Limits::default()),
                Err(Error::malformed(Layer::Zlib, cut, "truncated stream")),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn zlib_ignores_bytes_after_the_stream_like_python() {
        let stream = deflate(b"hello world");
        for extra in [&b"\0"[..], b"garbage", &stream] {
            let mut s = stream.clone();
            s.extend_from_slice(extra);
            assert_eq!(inflate(&s, &Limits::default()), Ok(b"hello world".to_vec()));
        }
    }

    #[test]
    fn zlib_refuses_empty_and_one_byte_input() {
        assert_eq!(
            inflate(b"", &Limits::default()),
            Err(Error::malformed(Layer::Zlib, 0, "truncated stream"))
        );
        assert_eq!(
            inflate(b"\x78", &Limits::default()),
            Err(Error::malformed(Layer::Zlib, 1, "truncated stream"))
        );
    }

    #[test]
    fn zlib_refuses_invalid_deflate_data() {
        // Block type 3 is reserved. Our decoder (`fast-zlib`) names the fault as zlib does.
        let what = if cfg!(feature = "fast-zlib") {
            "invalid block type"
        } else {
            "invalid deflate data"
        };
        assert!(matches!(
            inflate(&[0x78, 0x9C, 0x07, 0, 0, 0, 1], &Limits::default()),
            Err(Error::Malformed { layer: Layer::Zlib, what: w, .. }) if w == what
        ));
    }

    #[test]
    fn zlib_reused_state_and_buffer_give_the_same_results() {
        let mut inflater = Inflater::new();
        let mut deflater = Deflater::new();
        let mut out = vec![0xAA; 100_000];
        let mut stream = Vec::new();
        for (i, len) in [0usize, 1, 5000, 40, 70_000, 3].into_iter().enumerate() {
            let data = lcg_text(i as u64, len);
            deflater.deflate_into(&data, &mut stream);
            assert_eq!(stream, deflate(&data));
            inflater
                .inflate_into(&stream, &mut out, &Limits::default())
                .unwrap();
            assert_eq!(out, data);
            // A failure in between leaves nothing behind and does not poison the state.
            assert!(inflater
                .inflate_into(&stream[..stream.len() / 2], &mut out, &Limits::default())
                .is_err());
            assert!(out.is_empty());
        }
    }

    #[test]
    fn zlib_deflate_is_level_9_not_stored() {
        let data = lcg_text(11, 100_000);
        let stream = deflate(&data);
        assert_eq!(stream[0], 0x78);
        assert!(stream.len() < data.len() / 3, "{}", stream.len());
    }

    #[test]
    fn zlib_stored_fallback_splits_blocks_at_64k() {
        let data = lcg_text(12, 150_000);
        let mut stream = Vec::new();
        stored(&data, &mut stream);
        assert_eq!(stream.len(), 2 + 3 * 5 + data.len() + 4);
        assert_eq!(inflate(&stream, &limits(150_000)), Ok(data));
    }

    proptest! {
        /// Inflating what we deflate gives the bytes back.
        #[test]
        fn zlib_inflate_inverts_deflate(data in proptest::collection::vec(any::<u8>(), 0..3000)) {
            prop_assert_eq!(inflate(&deflate(&data), &limits(data.len())), Ok(data));
        }

        /// Arbitrary bytes (after a valid header) with a tiny limit never panic, and never
        /// return more than the limit.
        #[test]
        fn zlib_arbitrary_input_is_bounded(
            body in proptest::collection::vec(any::<u8>(), 0..200),
            max in 0usize..64,
        ) {
            let mut stream = vec![0x78, 0x9C];
            stream.extend_from_slice(&body);
            match inflate(&stream, &limits(max)) {
                Ok(out) => prop_assert!(out.len() <= max),
                Err(Error::Malformed { layer: Layer::Zlib, .. })
                | Err(Error::LimitExceeded(Limit::InflatedLen)) => {}
                Err(other) => prop_assert!(false, "unexpected {:?}", other),
            }
        }
    }
}
