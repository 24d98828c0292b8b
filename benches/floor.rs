//! The floor: only the primitives a decode cannot avoid, run on the same cookies as
//! `benches/cookie.rs`, with every buffer and state reused. A decode's ratio to its floor is
//! what our layers add on top of the unavoidable work.
//!
//! Per format:
//! - `jwt_bsz`: split, header compare, base64url of the tag (base64ct) and of the payload (a
//!   lookup table), HMAC-SHA256, the `bsZ` string cut out of the claims, base85, bounded inflate
//!   (miniz_oxide, the default build's inflate, called directly with a reused state and output
//!   buffer; the `fast-zlib` decoder is faster, so a fast-zlib decode can come closer to this
//!   floor), and a validating BSON walk (lengths, terminators, UTF-8, types) that builds nothing;
//! - `jwt_json`: the same up to HMAC and payload, then a validating JSON walk;
//! - `legacy_pickle`: hex tag, HMAC-SHA1, standard base64 (a lookup table), a validating pickle
//!   opcode walk;
//! - `legacy_json`: hex tag, HMAC-SHA1, standard base64 (a lookup table), bounded inflate, a
//!   validating JSON walk.
//!
//! IDs: `floor/<format>/<size>`, `floor_rotated/<format>/medium` (the first key's HMAC fails,
//! the second's passes), `floor_forged/<format>/large` (one HMAC per configured key, all
//! failing), and `floor_encode/jwt_bsz/<size>` (deflate level 9 with a reused state, base85,
//! base64url, HMAC: the cheapest bsZ encode once the BSON is written).

mod common;

use std::hint::black_box;
use std::time::Duration;

use base64ct::{Base64UrlUnpadded, Encoding};
use beaker_session_jwt::Limits;
use criterion::{criterion_group, criterion_main, Criterion};
use hmac::{Hmac, Mac};
use miniz_oxide::deflate::core::{
    compress_to_output, create_comp_flags_from_zip_params, CompressorOxide, TDEFLFlush, TDEFLStatus,
};
use miniz_oxide::inflate::core::inflate_flags::{
    TINFL_FLAG_PARSE_ZLIB_HEADER, TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
};
use miniz_oxide::inflate::core::{decompress, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;

use common::{Fmt, FORMATS, KEY1, KEY2, LEGACY_KEY, SIZES};

const HEADER: &[u8] = b"eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9";
const MAX_INFLATED: usize = 256 * 1024;

/// Buffers and states kept across iterations.
struct Scratch {
    payload: Vec<u8>,
    deflated: Vec<u8>,
    inflated: Vec<u8>,
    inflater: Box<DecompressorOxide>,
    limits: Limits,
}

impl Scratch {
    fn new() -> Scratch {
        let mut limits = Limits::default();
        limits.max_inflated_len = MAX_INFLATED;
        Scratch {
            payload: vec![0; 8192],
            deflated: Vec::with_capacity(8192),
            // One byte past the bound, so an output that passes it is seen and refused.
            inflated: vec![0; MAX_INFLATED + 1],
            inflater: Box::default(),
            limits,
        }
    }
}

fn hs256_ok(key: &str, signing_input: &[&[u8]], tag: &[u8]) -> bool {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).expect("any key length");
    for part in signing_input {
        mac.update(part);
    }
    mac.verify_slice(tag).is_ok()
}

/// Verifies a JWS with each key in turn and decodes its payload into `s.payload`.
fn jws<'s>(token: &str, keys: &[&str], out: &'s mut [u8]) -> Option<&'s [u8]> {
    let mut parts = token.as_bytes().split(|&b| b == b'.');
    let (header, payload, sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || header != HEADER {
        return None;
    }
    let mut tag = [0u8; 32];
    if Base64UrlUnpadded::decode(sig, &mut tag).ok()?.len() != 32 {
        return None;
    }
    keys.iter()
        .position(|key| hs256_ok(key, &[header, b".", payload], &tag))?;
    b64url(payload, out)
}

/// Table-driven base64url into `out` (the cheapest strict decode: one lookup per character;
/// the JWS payload is decoded only after its MAC verified, so it need not be constant-time).
fn b64url<'o>(text: &[u8], out: &'o mut [u8]) -> Option<&'o [u8]> {
    static DIGIT: std::sync::OnceLock<[u8; 256]> = std::sync::OnceLock::new();
    let digit = DIGIT
        .get_or_init(|| table(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"));
    b64(text, out, digit)
}

/// Table-driven standard base64 with its padding (a legacy payload, read after its MAC).
fn b64std<'o>(text: &[u8], out: &'o mut [u8]) -> Option<&'o [u8]> {
    static DIGIT: std::sync::OnceLock<[u8; 256]> = std::sync::OnceLock::new();
    let digit = DIGIT
        .get_or_init(|| table(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"));
    if text.len() % 4 != 0 {
        return None;
    }
    let body = text
        .strip_suffix(b"==")
        .or_else(|| text.strip_suffix(b"="))
        .unwrap_or(text);
    b64(body, out, digit)
}

fn table(alphabet: &[u8; 64]) -> [u8; 256] {
    let mut t = [0xFF; 256];
    for (i, &c) in alphabet.iter().enumerate() {
        t[c as usize] = i as u8;
    }
    t
}

fn b64<'o>(text: &[u8], out: &'o mut [u8], digit: &[u8; 256]) -> Option<&'o [u8]> {
    let quads = text.chunks_exact(4);
    let tail = quads.remainder();
    let n = text.len() / 4 * 3 + tail.len().saturating_sub(1);
    let out = out.get_mut(..n)?;
    let mut bad = 0u8;
    for (q, o) in quads.zip(out.chunks_exact_mut(3)) {
        let (a, b, c, d) = (
            digit[q[0] as usize],
            digit[q[1] as usize],
            digit[q[2] as usize],
            digit[q[3] as usize],
        );
        bad |= a | b | c | d;
        let v = u32::from(a) << 18 | u32::from(b) << 12 | u32::from(c) << 6 | u32::from(d);
        o.copy_from_slice(&v.to_be_bytes()[1..]);
    }
    let mut v = 0u32;
    for (i, &c) in tail.iter().enumerate() {
        bad |= digit[c as usize];
        v |= u32::from(digit[c as usize]) << (18 - 6 * i);
    }
    let at = text.len() / 4 * 3;
    out[at..].copy_from_slice(&v.to_be_bytes()[1..1 + tail.len().saturating_sub(1)]);
    (bad & 0x80 == 0 && tail.len() != 1).then_some(out)
}

/// Verifies a legacy cookie and decodes its base64 into `s.payload`.
fn legacy<'s>(cookie: &str, out: &'s mut [u8]) -> Option<&'s [u8]> {
    let (hex, rest) = cookie.split_at_checked(40)?;
    let mut tag = [0u8; 20];
    for (slot, pair) in tag.iter_mut().zip(hex.as_bytes().chunks(2)) {
        *slot = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(LEGACY_KEY.as_bytes()).ok()?;
    mac.update(rest.as_bytes());
    mac.verify_slice(&tag).ok()?;
    b64std(rest.as_bytes(), out)
}

/// Bounded zlib inflate: miniz_oxide with a reused state, into a reused output buffer one byte
/// longer than `limits.max_inflated_len` (no growth, no wrapping window), Adler-32 checked.
/// Returns the output length.
fn inflate(
    input: &[u8],
    state: &mut DecompressorOxide,
    out: &mut [u8],
    limits: &Limits,
) -> Option<usize> {
    state.init();
    let flags = TINFL_FLAG_PARSE_ZLIB_HEADER | TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let (status, _, written) = decompress(state, input, out, 0, flags);
    (status == TINFLStatus::Done && written <= limits.max_inflated_len).then_some(written)
}

/// Level-9 zlib deflate into `out` (cleared first) with a reused miniz_oxide state: the bytes
/// the library writes in every build.
fn deflate(state: &mut CompressorOxide, data: &[u8], out: &mut Vec<u8>) {
    state.reset();
    out.clear();
    let (status, read) = compress_to_output(state, data, TDEFLFlush::Finish, |chunk| {
        out.extend_from_slice(chunk);
        true
    });
    assert!(status == TDEFLStatus::Done && read == data.len());
}

/// base85 (Python's alphabet) into `out`; whole groups plus a tail, values checked.
fn base85(text: &[u8], out: &mut Vec<u8>) -> Option<()> {
    const ALPHABET: &[u8; 85] =
        b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";
    static DIGIT: std::sync::OnceLock<[u8; 256]> = std::sync::OnceLock::new();
    let digit = DIGIT.get_or_init(|| {
        let mut t = [0xFF; 256];
        for (i, &c) in ALPHABET.iter().enumerate() {
            t[c as usize] = i as u8;
        }
        t
    });
    out.clear();
    let value = |group: &[u8]| -> Option<u32> {
        let mut v = 0u64;
        for &c in group {
            let d = digit[c as usize];
            if d == 0xFF {
                return None;
            }
            v = v * 85 + u64::from(d);
        }
        u32::try_from(v).ok()
    };
    let mut chunks = text.chunks_exact(5);
    for group in &mut chunks {
        out.extend_from_slice(&value(group)?.to_be_bytes());
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let mut group = [b'~'; 5];
        group[..tail.len()].copy_from_slice(tail);
        out.extend_from_slice(&value(&group)?.to_be_bytes()[..tail.len() - 1]);
    }
    Some(())
}

fn le_len(b: &[u8], at: usize) -> Option<usize> {
    let v = i32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?);
    usize::try_from(v).ok()
}

/// Validates one BSON document spanning `b[at..at + len]`, recursively; builds nothing. Knows
/// every type the bench sessions hold (and the other fixed-width ones); refuses the rest.
fn bson_doc(b: &[u8], at: usize, array: bool) -> Option<usize> {
    let len = le_len(b, at)?;
    let end = at.checked_add(len)?;
    if len < 5 || end > b.len() || b[end - 1] != 0 {
        return None;
    }
    let mut pos = at + 4;
    while pos < end - 1 {
        let tag = b[pos];
        let key_len = b[pos + 1..end - 1].iter().position(|&c| c == 0)?;
        if !array {
            std::str::from_utf8(&b[pos + 1..pos + 1 + key_len]).ok()?;
        }
        pos += 2 + key_len;
        pos = match tag {
            0x01 | 0x09 | 0x11 | 0x12 => pos + 8,
            0x10 => pos + 4,
            0x07 => pos + 12,
            0x13 => pos + 16,
            0x06 | 0x0A | 0x7F | 0xFF => pos,
            0x08 => (*b.get(pos)? <= 1).then_some(pos + 1)?,
            0x02 | 0x0D | 0x0E => {
                let n = le_len(b, pos)?;
                let s = b.get(pos + 4..(pos + 4).checked_add(n)?)?;
                let (nul, text) = s.split_last()?;
                (*nul == 0 && std::str::from_utf8(text).is_ok()).then_some(pos + 4 + n)?
            }
            0x05 => pos + 5 + le_len(b, pos)?,
            0x03 | 0x04 => bson_doc(b, pos, tag == 0x04)?,
            _ => return None,
        };
        if pos > end - 1 {
            return None;
        }
    }
    (pos == end - 1).then_some(end)
}

/// Validates a JSON text (UTF-8, grammar, Python's NaN/Infinity) without building anything.
fn json(text: &[u8]) -> Option<()> {
    std::str::from_utf8(text).ok()?;
    let mut p = Json { b: text, i: 0 };
    p.value()?;
    p.ws();
    (p.i == text.len()).then_some(())
}

struct Json<'a> {
    b: &'a [u8],
    i: usize,
}

impl Json<'_> {
    fn ws(&mut self) {
        while matches!(self.b.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn lit(&mut self, word: &[u8]) -> Option<()> {
        self.b
            .get(self.i..)?
            .starts_with(word)
            .then(|| self.i += word.len())
    }

    fn value(&mut self) -> Option<()> {
        self.ws();
        match *self.b.get(self.i)? {
            b'{' => {
                self.i += 1;
                self.ws();
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    self.ws();
                    self.string()?;
                    self.ws();
                    self.lit(b":")?;
                    self.value()?;
                    self.ws();
                    match *self.b.get(self.i)? {
                        b',' => self.i += 1,
                        b'}' => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.i += 1;
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    self.value()?;
                    self.ws();
                    match *self.b.get(self.i)? {
                        b',' => self.i += 1,
                        b']' => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'"' => self.string(),
            b't' => self.lit(b"true"),
            b'f' => self.lit(b"false"),
            b'n' => self.lit(b"null"),
            b'N' => self.lit(b"NaN"),
            b'I' => self.lit(b"Infinity"),
            _ => self.number(),
        }
    }

    fn string(&mut self) -> Option<()> {
        self.lit(b"\"")?;
        loop {
            match *self.b.get(self.i)? {
                b'"' => {
                    self.i += 1;
                    return Some(());
                }
                b'\\' => {
                    let e = *self.b.get(self.i + 1)?;
                    self.i += match e {
                        b'u' => {
                            let hex = self.b.get(self.i + 2..self.i + 6)?;
                            hex.iter().all(u8::is_ascii_hexdigit).then_some(6)?
                        }
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => 2,
                        _ => return None,
                    };
                }
                c if c < 0x20 => return None,
                _ => self.i += 1,
            }
        }
    }

    fn number(&mut self) -> Option<()> {
        if self.b.get(self.i) == Some(&b'-') {
            self.i += 1;
            if self.b.get(self.i) == Some(&b'I') {
                return self.lit(b"Infinity");
            }
        }
        let digits = |p: &mut Self| {
            let start = p.i;
            while p.b.get(p.i).is_some_and(u8::is_ascii_digit) {
                p.i += 1;
            }
            (p.i > start).then_some(())
        };
        match self.b.get(self.i)? {
            b'0' => self.i += 1,
            _ => digits(self)?,
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            digits(self)?;
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            digits(self)?;
        }
        Some(())
    }
}

/// Validates a protocol-2 pickle as an opcode walk: every opcode known, every argument in
/// bounds, text UTF-8, ends at STOP. Builds nothing.
fn pickle(b: &[u8]) -> Option<()> {
    let mut i = 0;
    loop {
        let op = *b.get(i)?;
        i += 1;
        let arg = match op {
            b'.' => return (i == b.len()).then_some(()),
            0x80 | b'q' | b'K' | b'h' | b'U' | 0x8a => 1,
            b'M' => 2,
            b'r' | b'J' | b'j' | b'X' | b'T' | 0x8b => 4,
            b'G' => 8,
            b'}' | b'(' | 0x88 | 0x89 | b'N' | b']' | b'a' | b'e' | b's' | b'u' | b't' | 0x85
            | 0x86 | 0x87 | b')' | b'R' | 0x81 | b'b' => 0,
            b'c' => {
                for _ in 0..2 {
                    let nl = b.get(i..)?.iter().position(|&c| c == b'\n')?;
                    std::str::from_utf8(&b[i..i + nl]).ok()?;
                    i += nl + 1;
                }
                0
            }
            _ => return None,
        };
        let field = b.get(i..i + arg)?;
        i += arg;
        let data_len = match op {
            b'U' | 0x8a => usize::from(field[0]),
            b'X' | b'T' | 0x8b => u32::from_le_bytes(field.try_into().ok()?) as usize,
            _ => 0,
        };
        let data = b.get(i..i.checked_add(data_len)?)?;
        if op == b'X' {
            std::str::from_utf8(data).ok()?;
        }
        i += data_len;
    }
}

/// The whole floor decode of one cookie: `Some(())` when it verified and validated.
fn floor(fmt: Fmt, cookie: &str, s: &mut Scratch) -> Option<()> {
    let keys = [KEY1, KEY2];
    match fmt {
        Fmt::JwtBsz => {
            let claims = jws(cookie, &keys, &mut s.payload)?;
            let text = claims.strip_prefix(b"{\"bsZ\":\"")?.strip_suffix(b"\"}")?;
            base85(text, &mut s.deflated)?;
            let n = inflate(&s.deflated, &mut s.inflater, &mut s.inflated, &s.limits)?;
            (bson_doc(s.inflated.get(..n)?, 0, false)? == n).then_some(())
        }
        Fmt::JwtJson => json(jws(cookie, &keys, &mut s.payload)?),
        Fmt::LegacyPickle => pickle(legacy(cookie, &mut s.payload)?),
        Fmt::LegacyJson => {
            let payload = legacy(cookie, &mut s.payload)?;
            let n = inflate(payload, &mut s.inflater, &mut s.inflated, &s.limits)?;
            json(s.inflated.get(..n)?)
        }
    }
}

/// The forged-cookie floor: the signature's base64url and one HMAC per configured key.
fn floor_forged(fmt: Fmt, cookie: &str, s: &mut Scratch) -> Option<()> {
    if fmt.is_legacy() {
        return legacy(cookie, &mut s.payload).map(|_| ());
    }
    jws(cookie, &[KEY1, KEY2], &mut s.payload).map(|_| ())
}

fn floor_decode(c: &mut Criterion) {
    let mut s = Scratch::new();
    let mut g = c.benchmark_group("floor");
    for fmt in FORMATS {
        for size in SIZES {
            let cookie = fmt.cookie(size);
            assert!(floor(fmt, cookie, &mut s).is_some(), "{fmt:?} {size}");
            g.bench_function(format!("{}/{size}", fmt.id()), |b| {
                b.iter(|| floor(fmt, black_box(cookie), &mut s))
            });
        }
    }
    g.finish();
    let mut g = c.benchmark_group("floor_rotated");
    for fmt in FORMATS.into_iter().filter(|f| !f.is_legacy()) {
        let cookie = fmt.cookie("medium_rotated");
        assert!(floor(fmt, cookie, &mut s).is_some());
        g.bench_function(format!("{}/medium", fmt.id()), |b| {
            b.iter(|| floor(fmt, black_box(cookie), &mut s))
        });
    }
    g.finish();
    let mut g = c.benchmark_group("floor_forged");
    for fmt in FORMATS {
        let cookie = fmt.cookie("forged");
        assert!(floor_forged(fmt, cookie, &mut s).is_none());
        g.bench_function(format!("{}/large", fmt.id()), |b| {
            b.iter(|| floor_forged(fmt, black_box(cookie), &mut s))
        });
    }
    g.finish();
}

/// deflate 9 (reused state, reused output), base85, base64url, HMAC-SHA256 of the BSON that
/// the jwt_bsz cookie holds. The deflate is miniz_oxide's level 9 called directly (the bytes
/// the library writes; its `fast-zlib` encoder writes them faster, without miniz_oxide's
/// per-stream reset of its tables).
fn floor_encode(c: &mut Criterion) {
    let mut s = Scratch::new();
    let mut g = c.benchmark_group("floor_encode");
    let mut deflater = Box::new(CompressorOxide::new(create_comp_flags_from_zip_params(
        9, 1, 0,
    )));
    for size in SIZES {
        let cookie = Fmt::JwtBsz.cookie(size);
        assert!(floor(Fmt::JwtBsz, cookie, &mut s).is_some());
        let claims = jws(cookie, &[KEY1], &mut s.payload)
            .expect("verifies")
            .to_vec();
        let text = claims
            .strip_prefix(b"{\"bsZ\":\"")
            .unwrap()
            .strip_suffix(b"\"}")
            .unwrap();
        let mut deflated = Vec::new();
        base85(text, &mut deflated).unwrap();
        let n = inflate(&deflated, &mut s.inflater, &mut s.inflated, &s.limits).unwrap();
        let bson = s.inflated[..n].to_vec();
        let mut out = Vec::with_capacity(8192);
        let mut b85 = String::with_capacity(8192);
        let mut claims = Vec::with_capacity(8192);
        let mut token = vec![0u8; 8192];
        g.bench_function(format!("jwt_bsz/{size}"), |b| {
            b.iter(|| {
                deflate(&mut deflater, black_box(&bson), &mut out);
                b85.clear();
                b85_encode(&out, &mut b85);
                claims.clear();
                claims.extend_from_slice(b"{\"bsZ\":\"");
                claims.extend_from_slice(b85.as_bytes());
                claims.extend_from_slice(b"\"}");
                let payload = Base64UrlUnpadded::encode(&claims, &mut token)
                    .unwrap()
                    .len();
                let mut mac = Hmac::<sha2::Sha256>::new_from_slice(KEY1.as_bytes()).unwrap();
                mac.update(HEADER);
                mac.update(b".");
                mac.update(&token[..payload]);
                mac.finalize().into_bytes()
            })
        });
    }
    g.finish();
}

fn b85_encode(data: &[u8], out: &mut String) {
    const ALPHABET: &[u8; 85] =
        b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";
    for chunk in data.chunks(4) {
        let mut group = [0u8; 4];
        group[..chunk.len()].copy_from_slice(chunk);
        let mut v = u32::from_be_bytes(group);
        let mut digits = [0u8; 5];
        for d in digits.iter_mut().rev() {
            *d = ALPHABET[(v % 85) as usize];
            v /= 85;
        }
        for &d in &digits[..chunk.len() + 1] {
            out.push(char::from(d));
        }
    }
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = floor_decode, floor_encode
}
criterion_main!(benches);
