//! Peak heap of one decode, measured with a counting global allocator, for the nastiest inputs
//! we know, each inside a cookie of at most the default `max_cookie_len` (8 KB; most fill it)
//! whose MAC verifies (the attacker may know an old legacy key, and the JWT cases are signed
//! with the configured key to reach the inner layers): zlib bombs, BSON and JSON nesting,
//! pickle memo bombs, runs of MARKs, huge declared lengths, the widest documents, and the
//! pickle constructions that copy (a memo'd regex state rebuilt into many objects, a memo'd
//! pair list passed to `OrderedDict` again and again). Each peak must stay under a bound
//! derived from `Limits::DEFAULT` ([`Bound`]). This is a memory assertion only: no timing is
//! measured here.
//!
//! Each test holds one lock from its first line to its last, so no two tests of this binary
//! allocate at the same time (the harness's own threads allocate little, and only between
//! tests).

mod common;
#[path = "../src/pickle/opcodes.rs"]
mod opcodes;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use base64ct::{Base64, Encoding};
use beaker_session_jwt::pickle::{self, Target};
use beaker_session_jwt::{
    decode_cookie, json, Config, Document, Error, Layer, Limit, Limits, SecretKey, Serializer,
    Value,
};
use common::codecs::{base85_encode, deflate, jwt_sign};
use hmac::{Hmac, Mac};
use opcodes::*;

/// Counts live heap bytes and the highest count since the last reset. A `realloc` is counted
/// as the new block allocated before the old one is freed (the worst moment of a moving
/// realloc).
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static MEASURE: Mutex<()> = Mutex::new(());

fn grow(n: usize) {
    let live = LIVE.fetch_add(n, Ordering::SeqCst) + n;
    PEAK.fetch_max(live, Ordering::SeqCst);
}

// SAFETY: every call is forwarded unchanged to `System`; the counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        System.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        grow(new_size);
        let out = System.realloc(ptr, layout, new_size);
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
        out
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Taken first by every test: one test at a time allocates.
fn serial() -> MutexGuard<'static, ()> {
    MEASURE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `f` and returns its result and the peak heap above what was live when it started.
/// Call it under [`serial`].
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let out = f();
    (out, PEAK.load(Ordering::SeqCst).saturating_sub(base))
}

const KEY: &str = "memory-test-jwt-key-01";
const LEGACY_KEY: &str = "memory-test-legacy-key-01";
const NOW: f64 = 1_700_000_000.0;
/// The longest cookie the default limits read (`max_cookie_len`): the hostile inputs fill
/// cookies up to this size (twice what a browser keeps), where the documented peak must still
/// hold.
const COOKIE_CAP: usize = Limits::DEFAULT.max_cookie_len;

/// What one decode may hold, derived from the limits.
struct Bound {
    limits: Limits,
}

impl Bound {
    fn new() -> Bound {
        Bound::of(Limits::DEFAULT)
    }

    fn of(limits: Limits) -> Bound {
        Bound { limits }
    }

    /// Fixed part of every decode: the cookie and its decoded copies (base64, base85, JSON
    /// text: each at most `max_cookie_len` bytes, with a few alive at once), one boxed inflater
    /// state (about 11 KB), parser stacks bounded by `max_depth`, and the allocator's slack.
    fn fixed(&self) -> usize {
        8 * self.limits.max_cookie_len + 64 * 1024
    }

    /// The inflate output: `max_inflated_len + 1` bytes, plus the buffer it grew from, alive
    /// during the last (moving) realloc. The buffer doubles, but its last step is capped at
    /// the bound and its first size comes from the input, so the buffer it grows from can be
    /// anything up to the bound: twice the bound, not one and a half (an 8 KB cookie of 4 MiB
    /// of zeros peaks at 541,715 bytes, over the 1.5 bound's 524,289).
    fn inflate(&self) -> usize {
        (self.limits.max_inflated_len + 1) * 2
    }

    /// The session built: at most `max_session_bytes` (every value's slot and heap blocks are
    /// charged before they are stored), up to twice that again on the build stacks (their
    /// doubling growth) before a container's elements move into their own block.
    fn session(&self) -> usize {
        3 * self.limits.max_session_bytes
    }

    /// Text and bytes built: each string is a copy of input bytes, and the inputs that feed
    /// them (inflated text) are at most `max_inflated_len`; a pickle counts every buffer it
    /// builds or expands against `max_inflated_len`.
    fn strings(&self) -> usize {
        self.limits.max_inflated_len
    }

    /// The pickle reader's own heap, alive while the session is built from it. Its objects
    /// (each node's slot, each owned buffer or box, each list or dict item) are charged as
    /// they enter the heap against `max_inflated_len` (a pickle is not inflated: its objects
    /// are what it expands into); the node and item vectors grow by doubling, so they hold
    /// up to twice that. Beside them, the
    /// machine's stack and memo hold 8-byte handles, at most one each per pickle byte (a
    /// pickle is at most `max_cookie_len * 3 / 4` bytes), up to twice that in capacity: 24
    /// bytes per cookie character for the two (the memo's map, for indices put out of order,
    /// takes more per entry but needs 5 bytes of pickle for each). The third copy a vector
    /// has during its moving realloc happens while the pickle is read, before any of the
    /// session exists: [`Bound::session`] covers it.
    fn pickle(&self) -> usize {
        2 * self.limits.max_inflated_len + 24 * self.limits.max_cookie_len
    }

    /// A whole legacy pickle decode: the fixed part, the reader's heap, and the session built
    /// from it (every string the reader owns is in its budget, every one the session holds in
    /// the session's, so there is no [`Bound::strings`] term). With the defaults: 1,638,400.
    fn pickle_decode(&self) -> usize {
        self.fixed() + self.pickle() + self.session()
    }
}

fn jwt_config(bsz: bool) -> Config {
    let mut c = Config::new([KEY]).unwrap();
    c.bson_compress_jwt_payload = bsz;
    c
}

fn legacy_config(serializer: Serializer) -> Config {
    let mut c = jwt_config(true);
    c.read_original_format = true;
    c.original_format_validate_key = Some(SecretKey::from(LEGACY_KEY));
    c.original_format_data_serializer = serializer;
    c
}

/// A JWT whose claims are `{"bsZ": b85(zlib(inflated))}`, signed with the configured key.
fn bsz_cookie(inflated: &[u8]) -> String {
    let mut claims = Document::new();
    claims.insert("bsZ", base85_encode(&deflate(inflated)));
    let text = json::write(&claims, json::Style::Compact).unwrap();
    jwt_sign(text.as_bytes(), KEY.as_bytes())
}

/// A legacy cookie over `payload`, signed as Beaker's `SignedCookie` does.
fn legacy_cookie(payload: &[u8]) -> String {
    let data = Base64::encode_string(payload);
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(LEGACY_KEY.as_bytes()).unwrap();
    mac.update(data.as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    hex + &data
}

/// Decodes `cookie` under `config`, measuring the peak; checks the cookie fits the config's
/// `max_cookie_len` and the peak is under `bound`. Returns the outcome for the caller to check.
fn check(name: &str, cookie: &str, config: &Config, bound: usize) -> Result<(), Error> {
    assert!(
        cookie.len() <= config.limits.max_cookie_len,
        "{name}: cookie is {} bytes",
        cookie.len()
    );
    let (got, peak) = peak_of(|| decode_cookie(cookie, config, NOW).map(|_| ()));
    eprintln!(
        "{name}: cookie {} bytes, {got:?}, peak {peak} bytes, bound {bound}",
        cookie.len()
    );
    assert!(peak <= bound, "{name}: peak {peak} over bound {bound}");
    got
}

/// BSON of `{"a": {"a": {... depth levels ...}}}`, built outside-in in one pass.
fn nested_bson(depth: usize) -> Vec<u8> {
    // Lengths from the innermost (5 bytes) outward: each level adds 8 bytes (4 length, 1 type,
    // 2 key, 1 terminator); the outermost is the top-level document.
    let mut out = Vec::new();
    for level in (0..depth).rev() {
        out.extend_from_slice(&(5 + 8 * level as u32).to_le_bytes());
        if level > 0 {
            out.extend_from_slice(b"\x03a\x00");
        }
    }
    out.extend(std::iter::repeat(0u8).take(depth));
    out
}

#[test]
fn memory_bsz_zlib_bomb_stops_at_inflate_bound() {
    let _serial = serial();
    let b = Bound::new();
    // 4 MiB of zeros deflates to about 4 KB: a valid-MAC bomb inside an 8 KB cookie.
    let cookie = bsz_cookie(&vec![0u8; 4 << 20]);
    let got = check(
        "bsz zlib bomb",
        &cookie,
        &jwt_config(true),
        b.fixed() + b.inflate(),
    );
    assert_eq!(got, Err(Error::LimitExceeded(Limit::InflatedLen)));
}

#[test]
fn memory_bsz_largest_string_is_inflate_plus_one_copy() {
    let _serial = serial();
    let b = Bound::new();
    // The largest one-string session the session budget takes (its slot and its block
    // charged too), read into one heap block; one byte more is refused.
    // The charges `Limits::max_session_bytes` documents (the same on every target): the root's
    // slot (32) and the string's entry (56), each with a heap block (16).
    let overhead = 32 + 56 + 2 * 16;
    let n = b.limits.max_session_bytes - overhead;
    for (len, want) in [
        (n, Ok(())),
        (n + 1, Err(Error::LimitExceeded(Limit::SessionBytes))),
    ] {
        let mut doc = Document::new();
        doc.insert("s", "x".repeat(len));
        let cookie = bsz_cookie(&beaker_session_jwt::bson::write(&doc).unwrap());
        let bound = b.fixed() + b.inflate() + b.strings();
        let got = check("bsz largest string", &cookie, &jwt_config(true), bound);
        assert_eq!(got, want, "{len}");
    }
}

#[test]
fn memory_bsz_nesting_is_refused_at_depth() {
    let _serial = serial();
    let b = Bound::new();
    // 3,000 levels (each level's length differs, so this is about what deflates into 8 KB);
    // refused at level 65.
    let cookie = bsz_cookie(&nested_bson(3_000));
    let got = check(
        "bsz nesting",
        &cookie,
        &jwt_config(true),
        b.fixed() + b.inflate(),
    );
    assert_eq!(got, Err(Error::LimitExceeded(Limit::Depth)));
}

#[test]
fn memory_bsz_widest_array_is_bounded_by_session_bytes() {
    let _serial = serial();
    let b = Bound::new();
    // {"a": [null, null, ...]}: 100,000 nulls of 2 bytes each (array keys are skipped
    // unchecked, so all are empty), refused once their 32-byte slots pass
    // `max_session_bytes` (about 8,000 of them), well before `max_items`.
    let items = [0x0Au8, 0].repeat(100_000);
    let inner_len = (4 + items.len() + 1) as u32;
    let total = (4 + 3 + inner_len as usize + 1) as u32;
    let mut doc = Vec::new();
    doc.extend_from_slice(&total.to_le_bytes());
    doc.extend_from_slice(b"\x04a\x00");
    doc.extend_from_slice(&inner_len.to_le_bytes());
    doc.extend_from_slice(&items);
    doc.extend_from_slice(&[0, 0]);
    let cookie = bsz_cookie(&doc);
    let bound = b.fixed() + b.inflate() + b.session();
    let got = check("bsz widest array", &cookie, &jwt_config(true), bound);
    assert_eq!(got, Err(Error::LimitExceeded(Limit::SessionBytes)));
}

#[test]
fn memory_bsz_huge_declared_string_length_allocates_nothing() {
    let _serial = serial();
    let b = Bound::new();
    // {"s": string declaring 0x7FFFFFF0 bytes}: refused before any allocation for it.
    let mut doc = vec![0u8; 4];
    doc.extend_from_slice(b"\x02s\x00");
    doc.extend_from_slice(&0x7FFF_FFF0u32.to_le_bytes());
    doc.extend_from_slice(b"abc\x00\x00");
    let len = doc.len() as u32;
    doc[..4].copy_from_slice(&len.to_le_bytes());
    let cookie = bsz_cookie(&doc);
    let got = check(
        "bsz huge declared length",
        &cookie,
        &jwt_config(true),
        b.fixed(),
    );
    assert!(
        matches!(
            got,
            Err(Error::Malformed {
                layer: Layer::Bson,
                ..
            })
        ),
        "{got:?}"
    );
}

#[test]
fn memory_json_nesting_is_refused_at_depth() {
    let _serial = serial();
    let b = Bound::new();
    // JSON-mode claims `{"a":[[[[...` filling the cookie, never closed; refused at depth 65.
    let claims = format!("{{\"a\":{}", "[".repeat((COOKIE_CAP - 90) / 4 * 3));
    let cookie = jwt_sign(claims.as_bytes(), KEY.as_bytes());
    let got = check("json nesting", &cookie, &jwt_config(false), b.fixed());
    assert_eq!(got, Err(Error::LimitExceeded(Limit::Depth)));
}

#[test]
fn memory_legacy_json_zlib_nesting_is_refused_at_depth() {
    let _serial = serial();
    let b = Bound::new();
    // Legacy json serializer: zlib of 256 KB of `[`, then refused at depth 65.
    let text = "[".repeat(b.limits.max_inflated_len);
    let cookie = legacy_cookie(&deflate(text.as_bytes()));
    let config = legacy_config(Serializer::Json);
    let got = check(
        "legacy json nesting",
        &cookie,
        &config,
        b.fixed() + b.inflate(),
    );
    assert_eq!(got, Err(Error::LimitExceeded(Limit::Depth)));
}

#[test]
fn memory_legacy_json_widest_array_is_bounded_by_session_bytes() {
    let _serial = serial();
    let b = Bound::new();
    // {"a": [0,0,0,...]} inflating to the bound: refused once the values' slots pass
    // `max_session_bytes`.
    let n = b.limits.max_inflated_len / 2 - 8;
    let text = format!("{{\"a\": [{}0]}}", "0,".repeat(n));
    let cookie = legacy_cookie(&deflate(text.as_bytes()));
    let config = legacy_config(Serializer::Json);
    let bound = b.fixed() + b.inflate() + b.session();
    let got = check("legacy json widest array", &cookie, &config, bound);
    assert_eq!(got, Err(Error::LimitExceeded(Limit::SessionBytes)));
}

/// `X` (BINUNICODE) of `s`.
fn unicode(s: &str) -> Vec<u8> {
    let mut v = vec![BINUNICODE];
    v.extend_from_slice(&(s.len() as u32).to_le_bytes());
    v.extend_from_slice(s.as_bytes());
    v
}

/// `{'k': L}` where L0 = [leaf] and each Ln = [Ln-1] * 8 by memo references: 8^levels copies
/// of `leaf` once expanded, from a few hundred bytes of pickle.
fn memo_bomb(levels: u8, leaf: &[u8]) -> Vec<u8> {
    let mut p = vec![PROTO, 2, EMPTY_DICT];
    p.extend(unicode("k"));
    p.extend([MARK]);
    p.extend(leaf);
    p.extend([LIST, BINPUT, 0, POP]);
    for level in 1..=levels {
        p.push(MARK);
        for _ in 0..8 {
            p.extend([BINGET, level - 1]);
        }
        p.extend([LIST, BINPUT, level, POP]);
    }
    p.extend([BINGET, levels, SETITEM, STOP]);
    p
}

#[test]
fn memory_legacy_pickle_memo_bomb_is_bounded() {
    let _serial = serial();
    let b = Bound::new();
    let config = legacy_config(Serializer::Pickle);
    let bound = b.pickle_decode();
    // 8^12 (68 billion) references to a 512-byte string once expanded, and 8^8 (16 million)
    // references to None: the session budget trips in both, after a few hundred copies (each
    // list of 8 reserves its slots before they are filled).
    let text = memo_bomb(12, &unicode(&"A".repeat(512)));
    let got = check(
        "legacy pickle memo bomb (str)",
        &legacy_cookie(&text),
        &config,
        bound,
    );
    assert_eq!(got, Err(Error::LimitExceeded(Limit::SessionBytes)));
    let none = memo_bomb(8, &[NONE]);
    let got = check(
        "legacy pickle memo bomb (None)",
        &legacy_cookie(&none),
        &config,
        bound,
    );
    assert_eq!(got, Err(Error::LimitExceeded(Limit::SessionBytes)));
}

#[test]
fn memory_legacy_pickle_marks_are_refused_early() {
    let _serial = serial();
    let b = Bound::new();
    // As many MARKs as an 8 KB cookie holds (about 6,100); refused at 2 * max_depth + 5 open.
    let mut p = vec![PROTO, 2];
    p.extend(std::iter::repeat(MARK).take(pickle_room(COOKIE_CAP) - 3));
    p.push(STOP);
    let cookie = legacy_cookie(&p);
    let config = legacy_config(Serializer::Pickle);
    let got = check("legacy pickle marks", &cookie, &config, b.fixed());
    assert_eq!(got, Err(Error::LimitExceeded(Limit::Depth)));
}

#[test]
fn memory_pickle_100k_marks_outside_a_cookie_are_refused_early() {
    // 100,000 MARKs (a 100 KB pickle: no cookie holds it; pickle::read directly).
    let _serial = serial();
    let b = Bound::new();
    let mut p = vec![PROTO, 2];
    p.extend(std::iter::repeat(MARK).take(100_000));
    p.push(STOP);
    let (got, peak) = peak_of(|| pickle::read(&p, &b.limits).map(|_| ()));
    eprintln!("pickle 100k marks: peak {peak} bytes, bound {}", b.fixed());
    assert_eq!(got, Err(Error::LimitExceeded(Limit::Depth)));
    assert!(peak <= b.fixed(), "peak {peak}");
}

#[test]
fn memory_legacy_pickle_huge_declared_lengths_allocate_nothing() {
    let _serial = serial();
    let b = Bound::new();
    let config = legacy_config(Serializer::Pickle);
    let cases: [(&str, Vec<u8>); 5] = [
        (
            "BINUNICODE8 2^62",
            [&[PROTO, 2, BINUNICODE8][..], &(1u64 << 62).to_le_bytes()].concat(),
        ),
        (
            "BINBYTES 4 GiB",
            [&[PROTO, 3, BINBYTES][..], &u32::MAX.to_le_bytes()].concat(),
        ),
        (
            "LONG4 2 GiB",
            [&[PROTO, 2, LONG4][..], &0x7FFF_FFFFu32.to_le_bytes()].concat(),
        ),
        (
            "FRAME 2^63",
            [&[PROTO, 4, FRAME][..], &(1u64 << 63).to_le_bytes()].concat(),
        ),
        (
            "LONG_BINPUT 2^32-1",
            vec![PROTO, 2, NONE, LONG_BINPUT, 0xFF, 0xFF, 0xFF, 0xFF, STOP],
        ),
    ];
    for (name, p) in cases {
        let cookie = legacy_cookie(&p);
        let got = check(name, &cookie, &config, b.fixed());
        assert!(got.is_err(), "{name}: {got:?}");
    }
}

#[test]
fn memory_pickle_read_direct_memo_bomb_is_bounded() {
    // The same bomb through `pickle::read` + `into_session`, without the cookie layers.
    let _serial = serial();
    let b = Bound::new();
    let p = memo_bomb(12, &unicode(&"A".repeat(512)));
    let (got, peak) = peak_of(|| {
        pickle::read(&p, &b.limits)
            .and_then(|x| x.into_session(Target::Bson, &[] as &[&str], &b.limits))
    });
    // `pickle::read` returns objects that own their strings: copies of the input, counted
    // against `max_inflated_len`.
    let bound = b.pickle_decode() + b.strings();
    eprintln!("pickle memo bomb direct: peak {peak} bytes, bound {bound}");
    assert_eq!(got, Err(Error::LimitExceeded(Limit::SessionBytes)));
    assert!(peak <= bound, "peak {peak}");
}

/// The largest pickle a legacy cookie of `cap` characters holds: 40 hex of MAC, then base64.
fn pickle_room(cap: usize) -> usize {
    (cap - 40) / 4 * 3
}

/// A copying construction: `{'a': None}` after `builds` `bson.regex.Regex` objects, each
/// made by NEWOBJ and given by BUILD one memo'd state whose pattern is `pattern_len` bytes of
/// `UNICODE` text (which the reader owns: it is unescaped, not borrowed from the input). Each
/// build is 8 input bytes and takes a copy of the pattern: the copies grow with the square of
/// the cookie. `pattern_len + 8 * builds + 76` bytes long.
fn regex_rebuilds(pattern_len: usize, builds: usize) -> Vec<u8> {
    let mut p = vec![PROTO, 2, MARK, UNICODE];
    p.extend(std::iter::repeat(b'x').take(pattern_len));
    p.extend([b'\n', BINPUT, 1, POP, EMPTY_DICT, BINPUT, 2, MARK]);
    p.extend(unicode("flags"));
    p.extend([BININT1, 0]);
    p.extend(unicode("pattern"));
    p.extend([BINGET, 1, SETITEMS, POP, GLOBAL]);
    p.extend(b"bson.regex\nRegex\n");
    p.extend([BINPUT, 3, POP, EMPTY_TUPLE, BINPUT, 4, POP]);
    for _ in 0..builds {
        p.extend([BINGET, 3, BINGET, 4, NEWOBJ, BINGET, 2, BUILD]);
    }
    p.extend([POP_MARK, EMPTY_DICT]);
    p.extend(unicode("a"));
    p.extend([NONE, SETITEM, STOP]);
    p
}

/// [`regex_rebuilds`] filling a pickle of `room` bytes, the pattern half of it (where the
/// copies weigh most).
fn regex_rebuilds_filling(room: usize) -> Vec<u8> {
    let pattern = (room - 76) / 2;
    let p = regex_rebuilds(pattern, (room - 76 - pattern) / 8);
    assert!(
        p.len() <= room && p.len() + 8 > room,
        "{} of {room}",
        p.len()
    );
    p
}

/// A second copying construction: `{'a': None}` after `calls` calls of
/// `collections.OrderedDict(pairs)`, `pairs` one memo'd list of `n` references to one pair.
/// Each call is 6 input bytes and makes a dict of `n` pairs.
fn ordered_dict_copies(n: usize, calls: usize) -> Vec<u8> {
    let mut p = vec![PROTO, 2, MARK];
    p.extend(unicode("k"));
    p.extend([NONE, TUPLE2, BINPUT, 0, POP, EMPTY_LIST, BINPUT, 1, MARK]);
    for _ in 0..n {
        p.extend([BINGET, 0]);
    }
    p.extend([APPENDS, POP, GLOBAL]);
    p.extend(b"collections\nOrderedDict\n");
    p.extend([BINPUT, 2, POP]);
    for _ in 0..calls {
        p.extend([BINGET, 2, BINGET, 1, TUPLE1, REDUCE]);
    }
    p.extend([POP_MARK, EMPTY_DICT]);
    p.extend(unicode("a"));
    p.extend([NONE, SETITEM, STOP]);
    p
}

#[test]
fn memory_legacy_pickle_regex_rebuilds_are_charged() {
    let _serial = serial();
    let b = Bound::new();
    // About 380 Regex objects sharing one 3 KB owned pattern, in an 8 KB cookie: 1.2 MB of
    // copies if a BUILD's copy went uncharged. Every copy is charged, so the cookie is refused
    // once the reader's objects pass their budget (`max_inflated_len`).
    let p = regex_rebuilds_filling(pickle_room(COOKIE_CAP));
    let config = legacy_config(Serializer::Pickle);
    let got = check(
        "legacy pickle regex rebuilds",
        &legacy_cookie(&p),
        &config,
        b.pickle_decode(),
    );
    assert_eq!(got, Err(Error::LimitExceeded(Limit::InflatedLen)));
}

#[test]
fn memory_legacy_pickle_regex_rebuilds_are_charged_at_64k_cookies() {
    let _serial = serial();
    // The same construction once `max_cookie_len` is raised to 64 KB (64 MB of copies if
    // uncharged): the bound grows only with the cookie (its fixed part), not with its square.
    let mut config = legacy_config(Serializer::Pickle);
    config.limits.max_cookie_len = 64 * 1024;
    let b = Bound::of(config.limits);
    let p = regex_rebuilds_filling(pickle_room(config.limits.max_cookie_len));
    let got = check(
        "legacy pickle regex rebuilds (64 KB cookie)",
        &legacy_cookie(&p),
        &config,
        b.pickle_decode(),
    );
    assert_eq!(got, Err(Error::LimitExceeded(Limit::InflatedLen)));
}

#[test]
fn memory_legacy_pickle_ordered_dict_copies_are_charged() {
    let _serial = serial();
    let b = Bound::new();
    let config = legacy_config(Serializer::Pickle);
    // A memo'd list of 2,000 references to one pair, passed to OrderedDict 32 times (6 KB
    // cookie): 64,000 pairs (1 MB) would pile up in the reader's heap if only their count
    // were charged. Their memory is charged, so the cookie is refused once the reader's
    // objects pass their budget (`max_inflated_len`).
    let p = ordered_dict_copies(2_000, 32);
    let got = check(
        "legacy pickle OrderedDict copies",
        &legacy_cookie(&p),
        &config,
        b.pickle_decode(),
    );
    assert_eq!(got, Err(Error::LimitExceeded(Limit::InflatedLen)));
    // A few calls stay well within the budget, and read as Python reads them.
    let p = ordered_dict_copies(2_000, 2);
    let got = check(
        "legacy pickle OrderedDict, two calls",
        &legacy_cookie(&p),
        &config,
        b.pickle_decode(),
    );
    assert_eq!(got, Ok(()));
}

/// `{'a': [x, x, ...]}` filling a pickle of `room` bytes: `item` (its opcodes) once, then
/// `again` (opcodes that push one more) as often as it fits.
fn widest_list(room: usize, item: &[u8], again: &[u8]) -> Vec<u8> {
    let mut p = vec![PROTO, 2, EMPTY_DICT];
    p.extend(unicode("a"));
    p.extend([EMPTY_LIST, MARK]);
    p.extend(item);
    let tail = [APPENDS, SETITEM, STOP];
    while p.len() + again.len() + tail.len() <= room {
        p.extend(again);
    }
    p.extend(tail);
    p
}

#[test]
fn memory_legacy_pickle_widest_8k_cookies_are_bounded() {
    let _serial = serial();
    let b = Bound::new();
    let config = legacy_config(Serializer::Pickle);
    let room = pickle_room(COOKIE_CAP);
    let cases: [(&str, Vec<u8>, Result<(), Error>); 5] = [
        // One object per pickle byte, about 6,100: empty tuples are distinct objects here,
        // so the reader's nodes pass its budget (the session's would refuse them too).
        (
            "widest empty tuples",
            widest_list(room, &[EMPTY_TUPLE], &[EMPTY_TUPLE]),
            Err(Error::LimitExceeded(Limit::InflatedLen)),
        ),
        // One node per 2 bytes (about 3,050 zeros): within every budget.
        (
            "widest zeros",
            widest_list(room, &[BININT1, 0], &[BININT1, 0]),
            Ok(()),
        ),
        // About 6,100 Nones: Python's `None` is one object, and the reader shares its node,
        // so they cost a list item each.
        ("widest Nones", widest_list(room, &[NONE], &[NONE]), Ok(())),
        // One stack entry and one list item per pickle byte: the most the machine's stack
        // holds.
        ("widest DUPs", widest_list(room, &[NONE], &[DUP]), Ok(())),
        // A memo entry per 6 bytes, each at a new index out of order: the memo's map.
        (
            "sparse memo",
            widest_list(
                room,
                &[NONE],
                &(0..(room as u32 - 16) / 6)
                    .flat_map(|i| {
                        let mut put = vec![DUP, LONG_BINPUT];
                        put.extend_from_slice(&(1_000 + 7 * i).to_le_bytes());
                        put
                    })
                    .collect::<Vec<u8>>(),
            ),
            Ok(()),
        ),
    ];
    for (name, p, want) in cases {
        let cookie = legacy_cookie(&p);
        assert!(
            cookie.len() + 8 > COOKIE_CAP,
            "{name}: {} bytes",
            cookie.len()
        );
        let got = check(
            &format!("legacy pickle {name} (8 KB)"),
            &cookie,
            &config,
            b.pickle_decode(),
        );
        assert_eq!(got, want, "{name}");
    }
}

/// What a `Codec` still holds after decoding `cookie` and dropping the session: live bytes
/// once the call is over, minus those before the codec existed.
fn kept_by_codec(cookie: &str, config: &Config) -> (usize, usize) {
    let before = LIVE.load(Ordering::SeqCst);
    let mut codec = beaker_session_jwt::Codec::new();
    let (decoded, peak) = peak_of(|| codec.decode_cookie(cookie, config, NOW));
    let elements = match decoded {
        Ok(d) => d.session.len(),
        Err(e) => panic!("the wide cookie decodes: {e:?}"),
    };
    assert_eq!(elements, 1);
    let kept = LIVE.load(Ordering::SeqCst).saturating_sub(before);
    eprintln!("codec kept {kept} bytes after a decode peaking at {peak}");
    drop(codec);
    (kept, peak)
}

#[test]
fn memory_codec_keeps_bounded_state_after_a_wide_bsz_session() {
    let _serial = serial();
    let b = Bound::new();
    // {"a": [null, [0, 0, ...]]}: 40,000 int32 (array keys empty) on the reader's item stack
    // after the null, so the stack, not the session, ends up with their capacity.
    let n = 40_000;
    let items = [0x10u8, 0, 0, 0, 0, 0].repeat(n);
    let wide_len = 4 + items.len() + 1;
    let outer_len = 4 + 2 + (2 + wide_len) + 1;
    let total = 4 + 3 + outer_len + 1;
    let mut doc = Vec::new();
    doc.extend_from_slice(&(total as u32).to_le_bytes());
    doc.extend_from_slice(b"\x04a\x00");
    doc.extend_from_slice(&(outer_len as u32).to_le_bytes());
    doc.extend_from_slice(b"\x0a\x00\x04\x00");
    doc.extend_from_slice(&(wide_len as u32).to_le_bytes());
    doc.extend_from_slice(&items);
    doc.extend_from_slice(&[0, 0, 0]);
    let cookie = bsz_cookie(&doc);
    assert!(cookie.len() <= COOKIE_CAP);
    // 40,000 values take 2.2 MB: over the default session budget, so raised here.
    let mut config = jwt_config(true);
    config.limits.max_session_bytes = 8 << 20;
    let (kept, peak) = kept_by_codec(&cookie, &config);
    // The stacks held 40,000 values during the decode; afterwards the codec keeps its
    // buffers (inflated BSON, payloads, inflater) and stacks trimmed to a few hundred slots.
    assert!(peak > n * std::mem::size_of::<Value>(), "peak {peak}");
    let bound = b.fixed() + doc.len() * 3 / 2 + 64 * 1024;
    assert!(kept <= bound, "kept {kept} over {bound}");
}

#[test]
fn memory_codec_keeps_bounded_state_after_a_wide_pickle() {
    let _serial = serial();
    // {'a': [0, 1, ..., 1899]} as a protocol-2 pickle (BININT2 each): thousands of objects on
    // the pickle machine's vectors, trimmed back once the decode is over.
    let n = 1_900u16;
    let mut p = vec![PROTO, 2, EMPTY_DICT];
    p.extend(unicode("a"));
    p.extend([EMPTY_LIST, MARK]);
    for i in 0..n {
        p.push(BININT2);
        p.extend_from_slice(&i.to_le_bytes());
    }
    p.extend([APPENDS, SETITEM, STOP]);
    let cookie = legacy_cookie(&p);
    let (kept, _) = kept_by_codec(&cookie, &legacy_config(Serializer::Pickle));
    // A few cookie-sized buffers plus the trimmed pickle vectors (about 100 KB at most).
    let bound = 4 * Limits::DEFAULT.max_cookie_len + 100 * 1024;
    assert!(kept <= bound, "kept {kept} over {bound}");
}
