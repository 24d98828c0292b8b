//! (feature `arbitrary`) [`Arbitrary`] for [`Value`], [`Document`] (so for
//! [`Session`](crate::Session)) and [`Limits`]: structured sessions and limits built from a
//! fuzzer's bytes, with the `arbitrary` crate's `Unstructured` (<https://docs.rs/arbitrary/1>),
//! as cargo-fuzz targets take them.
//!
//! # What is generated
//! Sessions a Python app could have written with beaker-session-jwt 1.0.4 and can read back, and
//! that read back from a bsZ cookie as themselves:
//! - every `Value` variant but the deprecated `Symbol` and `Undefined`, which no session read
//!   from a cookie holds (pymongo, and our BSON reader, read them as `str` and `None`);
//! - text is UTF-8 (a `&str` drawn from the input); keys, regex patterns and scope keys hold no
//!   NUL (BSON writes them as C strings, and `encode_cookie` refuses a NUL there);
//! - datetimes lie in years 1 to 9999, the ones Python's `datetime` holds (outside them pymongo
//!   refuses to read the session, and so does our BSON reader);
//! - regex options are a subset of `ilmsux` in that order, as pymongo writes them (it keeps no
//!   other letter when it reads one);
//! - integers keep their width: `Int32` and `Int64` are drawn separately, so an `Int64` may hold
//!   a small number, as `bson.int64.Int64` does;
//! - the session's own keys are never `_expires`, `_path` or `_domain` (a JWT write drops them,
//!   as Python does) nor `bsZ` (a JSON-claims read pops it): such a drawn key gets a `_` added.
//!
//! # Bounds
//! - A drawn value opens at most 4 levels of containers (documents, arrays, the scope of a code
//!   with scope), so a drawn session is at most 5 levels deep counting itself, as
//!   [`Limits::max_depth`] counts.
//! - A document or array holds at most 64 entries. Lengths, and the bytes of text and binary
//!   values, come from the input (`Unstructured::arbitrary_len`), so a session is never much
//!   larger than the bytes it was drawn from; once they run out, every further value is `Null`
//!   and every further container empty.
//! - [`Limits`]: every field is drawn from 1 to twice its default (so [`Config::validate`]'s
//!   "every limit must be at least 1" holds, and `max_depth` stays at most 128, a stack any
//!   fuzzing thread has).
//!
//! [`Config::validate`]: crate::Config::validate

use alloc::string::String;
use alloc::vec::Vec;

use ::arbitrary::{Arbitrary, Result, Unstructured};

use crate::{CodeWithScope, DbPointer, Document, Limits, Regex, Str, Value};

/// How many levels of containers a drawn value may open (see the module docs).
const MAX_LEVELS: usize = 4;

/// Most entries of a drawn document or array.
const MAX_LEN: usize = 64;

/// Smallest and largest datetimes Python's `datetime` holds (0001-01-01 and the last ms of
/// 9999-12-31, UTC), in ms since the Unix epoch.
const DATETIME_MIN_MS: i64 = -62_135_596_800_000;
const DATETIME_MAX_MS: i64 = 253_402_300_799_999;

/// Session keys that do not survive a JWT round trip: `_expires`, `_path` and `_domain` are
/// dropped on write (beaker_session_jwt.py `_encrypt_data`), `bsZ` is popped by a JSON-claims
/// read (src/cookie.rs).
const RESERVED_KEYS: [&str; 4] = ["_expires", "_path", "_domain", "bsZ"];

/// Regex option letters, in the order pymongo writes them (`bson/__init__.py` `_encode_regex`).
const REGEX_OPTIONS: [char; 6] = ['i', 'l', 'm', 's', 'u', 'x'];

/// Variant numbers: leaves first (so an exhausted input, which draws 0, gives `Null`), then the
/// containers, which are drawn only while a level is left.
#[rustfmt::skip]
mod kind {
    pub(super) const NULL:        u8 = 0;
    pub(super) const BOOL:        u8 = 1;
    pub(super) const INT32:       u8 = 2;
    pub(super) const INT64:       u8 = 3;
    pub(super) const DOUBLE:      u8 = 4;
    pub(super) const STRING:      u8 = 5;
    pub(super) const BINARY:      u8 = 6;
    pub(super) const OBJECT_ID:   u8 = 7;
    pub(super) const DATETIME:    u8 = 8;
    pub(super) const REGEX:       u8 = 9;
    pub(super) const DB_POINTER:  u8 = 10;
    pub(super) const JAVASCRIPT:  u8 = 11;
    pub(super) const TIMESTAMP:   u8 = 12;
    pub(super) const DECIMAL128:  u8 = 13;
    pub(super) const MIN_KEY:     u8 = 14;
    pub(super) const MAX_KEY:     u8 = 15;
    /// The last leaf.
    pub(super) const LAST_LEAF:   u8 = MAX_KEY;
    pub(super) const DOCUMENT:    u8 = 16;
    pub(super) const ARRAY:       u8 = 17;
    pub(super) const CODE_SCOPE:  u8 = 18;
    /// The last container.
    pub(super) const LAST:        u8 = CODE_SCOPE;
}

/// A value that opens at most `levels` levels of containers.
fn value(u: &mut Unstructured<'_>, levels: usize) -> Result<Value> {
    let last = if levels == 0 {
        kind::LAST_LEAF
    } else {
        kind::LAST
    };
    let below = levels.saturating_sub(1);
    Ok(match u.int_in_range(0..=last)? {
        kind::BOOL => Value::Bool(u.arbitrary()?),
        kind::INT32 => Value::Int32(u.arbitrary()?),
        kind::INT64 => Value::Int64(u.arbitrary()?),
        // Any bits, NaN payloads included: BSON keeps them.
        kind::DOUBLE => Value::Double(f64::from_bits(u.arbitrary()?)),
        kind::STRING => Value::String(text(u)?),
        kind::BINARY => Value::Binary {
            subtype: u.arbitrary()?,
            bytes: Vec::from(<&[u8]>::arbitrary(u)?),
        },
        kind::OBJECT_ID => Value::ObjectId(u.arbitrary()?),
        kind::DATETIME => Value::DateTime(u.int_in_range(DATETIME_MIN_MS..=DATETIME_MAX_MS)?),
        kind::REGEX => {
            let pattern = c_string(u)?;
            let flags: u8 = u.arbitrary()?;
            let options: String = REGEX_OPTIONS
                .iter()
                .enumerate()
                .filter(|&(bit, _)| (flags >> bit) & 1 == 1)
                .map(|(_, &c)| c)
                .collect();
            Value::Regex(alloc::boxed::Box::new(Regex {
                pattern,
                options: Str::from(options),
            }))
        }
        kind::DB_POINTER => Value::DbPointer(alloc::boxed::Box::new(DbPointer {
            namespace: text(u)?,
            id: u.arbitrary()?,
        })),
        kind::JAVASCRIPT => Value::JavaScript(text(u)?),
        kind::TIMESTAMP => Value::Timestamp {
            time: u.arbitrary()?,
            increment: u.arbitrary()?,
        },
        kind::DECIMAL128 => Value::Decimal128(u.arbitrary()?),
        kind::MIN_KEY => Value::MinKey,
        kind::MAX_KEY => Value::MaxKey,
        kind::DOCUMENT => Value::Document(document(u, below, false)?),
        kind::ARRAY => {
            let len = u.arbitrary_len::<Value>()?.min(MAX_LEN);
            let mut items = Vec::with_capacity(len);
            for _ in 0..len {
                items.push(value(u, below)?);
            }
            Value::Array(items)
        }
        kind::CODE_SCOPE => Value::JavaScriptWithScope(alloc::boxed::Box::new(CodeWithScope {
            code: text(u)?,
            scope: document(u, below, false)?,
        })),
        kind::NULL => Value::Null,
        // Never drawn: `int_in_range` stays in `0..=last`.
        _ => Value::Null,
    })
}

/// A document whose values open at most `levels` levels of containers; `session` keeps its
/// keys off [`RESERVED_KEYS`]. A key drawn twice keeps its first position and last value, as
/// Python's `dict` does.
fn document(u: &mut Unstructured<'_>, levels: usize, session: bool) -> Result<Document> {
    let len = u.arbitrary_len::<(&str, Value)>()?.min(MAX_LEN);
    let mut entries = Vec::with_capacity(len);
    for _ in 0..len {
        let mut key = c_string(u)?;
        if session && RESERVED_KEYS.contains(&key.as_str()) {
            key = Str::from(String::from(key.as_str()) + "_");
        }
        entries.push((key, value(u, levels)?));
    }
    Ok(Document::from_entries(entries))
}

/// Any UTF-8 text, NUL included (BSON strings carry a length).
fn text(u: &mut Unstructured<'_>) -> Result<Str> {
    Ok(Str::from(<&str>::arbitrary(u)?))
}

/// UTF-8 text without NUL, for what BSON writes as a C string (keys, regex patterns).
fn c_string(u: &mut Unstructured<'_>) -> Result<Str> {
    let s = <&str>::arbitrary(u)?;
    Ok(if s.contains('\0') {
        Str::from(s.replace('\0', ""))
    } else {
        Str::from(s)
    })
}

/// (feature `arbitrary`) A value a session can hold and Python can read, opening at most 4
/// levels of containers; what is drawn is as for [`Document`] (see its `Arbitrary`
/// implementation).
#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
impl<'a> Arbitrary<'a> for Value {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Value> {
        value(u, MAX_LEVELS)
    }
}

/// (feature `arbitrary`) A session (or any document) a Python app could have written and can
/// read, which a bsZ cookie carries back as itself: every `Value` variant but the deprecated
/// `Symbol` and `Undefined`; UTF-8 text; no NUL in keys or regex patterns; datetimes in years
/// 1 to 9999; regex options a subset of `ilmsux`; `Int32` and `Int64` drawn separately; no
/// top-level key a JWT write drops or a JSON-claims read pops (`_expires`, `_path`, `_domain`,
/// `bsZ`). At most 5 levels deep counting the document itself, at most 64 entries per
/// document or array, and never much larger than the input it was drawn from.
///
/// A session crate that depends on this one can fuzz with structured sessions: a cargo-fuzz
/// target (`#![no_main]`, `use libfuzzer_sys::fuzz_target;`, and this crate with
/// `features = ["arbitrary"]`) checks that every session comes back from its cookie:
///
/// ```
/// # // A stand-in for libfuzzer-sys's macro (same input rule), so that this example runs.
/// # macro_rules! fuzz_target {
/// #     (|$s:ident: $t:ty| $body:block) => {
/// #         fn run(bytes: &[u8]) {
/// #             let u = arbitrary::Unstructured::new(bytes);
/// #             if let Ok($s) = <$t as arbitrary::Arbitrary>::arbitrary_take_rest(u) $body
/// #         }
/// #         for seed in 0..64u8 {
/// #             let bytes: Vec<u8> = (0..512u32).map(|i| (i as u8).wrapping_mul(seed) ^ seed).collect();
/// #             run(&bytes);
/// #         }
/// #     };
/// # }
/// use beaker_session_jwt::{decode_cookie, encode_cookie, Config, Session};
///
/// fuzz_target!(|session: Session| {
///     let mut config = Config::new(["fuzzing-key-0123456789"]).unwrap();
///     // Room for large drawn sessions (Beaker's write cap is 4064 bytes).
///     config.limits.max_write_len = 1 << 16;
///     config.limits.max_cookie_len = 1 << 16;
///     let cookie = encode_cookie(&session, &config).unwrap();
///     let decoded = decode_cookie(&cookie, &config, 1_700_000_000.0).unwrap();
///     assert_eq!(decoded.session, session);
/// });
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
impl<'a> Arbitrary<'a> for Document {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Document> {
        document(u, MAX_LEVELS, true)
    }
}

/// (feature `arbitrary`) Limits a [`Config`](crate::Config) accepts: every field drawn from 1
/// to twice its default (`max_depth` from 1 to 128). An exhausted input draws 1 everywhere,
/// limits every decode trips.
#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
impl<'a> Arbitrary<'a> for Limits {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Limits> {
        let d = Limits::DEFAULT;
        let mut field = |default: usize| u.int_in_range(1..=default.saturating_mul(2).max(1));
        Ok(Limits {
            max_cookie_len: field(d.max_cookie_len)?,
            max_write_len: field(d.max_write_len)?,
            max_inflated_len: field(d.max_inflated_len)?,
            max_depth: field(d.max_depth)?,
            max_items: field(d.max_items)?,
            max_str_len: field(d.max_str_len)?,
            max_memo: field(d.max_memo)?,
            max_session_bytes: field(d.max_session_bytes)?,
        })
    }
}
