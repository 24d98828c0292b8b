//! What the fuzz targets share: the fixed keys and configs the seed corpora are made with
//! (`fuzz/make_seeds.py`), a generator of arbitrary sessions per cookie format, and the
//! oracles too long for a 15-line target.
//!
//! Everything here reaches the library through its public API, plus the internal layers a
//! cargo-fuzz build (`--cfg fuzzing`) makes public for the harness (`base85`, `jwt`, `zlib`,
//! and the pickle reader's tables, `pickle::ops` and `pickle::opcodes`): no target skips the
//! MAC. To get past it, the decode targets sign what they decode with the harness's own keys,
//! as a key holder would ([`jwt_cookie`], [`bsz_claims`], [`legacy_cookie`]).
//!
//! Every target runs under [`memory`]'s counting global allocator; the decode targets fail a
//! run whose peak heap passes the bound for the limits in use ([`memory::decode_bound`]).

#![deny(unsafe_code)]

pub mod memory;

use arbitrary::{Arbitrary, Result, Unstructured};
use base64ct::{Base64, Encoding};
use beaker_session_jwt::bson as our_bson;
use beaker_session_jwt::interop::bson::from_bson_document;
use beaker_session_jwt::pickle::{self, opcodes as op, ops, Target};
use beaker_session_jwt::{
    base85, charged_bytes, decode_cookie, json, jwt, zlib, CodeWithScope, Codec, Config, DbPointer,
    Decoded, Document, Error, Format, Layer, Limit, Limits, Regex, SecretKey, Serializer, Session,
    Str, Value,
};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use std::cell::RefCell;

/// The first JWT key (signs). Same as `K1` in `fuzz/make_seeds.py`.
pub const K1: &str = "fuzz-secret-key-0001";
/// The second JWT key (verifies only: rotation).
pub const K2: &str = "fuzz-secret-key-0002";
/// The legacy `original_format_validate_key`.
pub const LEGACY_KEY: &str = "fuzz-legacy-key-0001";
/// The clock every decode is given (no timeout is configured, so it is never read).
pub const NOW: f64 = 1_700_000_000.0;
/// Every format the round-trip target writes.
pub const FORMATS: [Format; 4] = [
    Format::JwtBson,
    Format::JwtJson,
    Format::LegacyPickle,
    Format::LegacyJson,
];
/// The session key the legacy configs list in `original_format_remove_keys`, so the fuzzer can
/// reach the path where a refused global is dropped with its key.
pub const REMOVE_KEY: &str = "rm";
/// Nesting of generated values below the session itself: well inside `Limits::max_depth`.
const GEN_DEPTH: usize = 6;
/// The datetimes Python's `datetime` holds, years 1..=9999, in milliseconds since the epoch:
/// all pymongo reads, so all `bson::read` reads and `bson::write` writes.
const DATETIME_MIN_MS: i64 = -62_135_596_800_000;
const DATETIME_MAX_MS: i64 = 253_402_300_799_999;

/// The config the seeds were written for: keys `[K1, K2]`, default limits, reading `format`.
/// The legacy formats turn `read_original_format` on (validate key [`LEGACY_KEY`], the
/// format's serializer, [`REMOVE_KEY`] removed) with a BSON JWT payload; writing stays JWT.
pub fn config(format: Format) -> Config {
    let mut config = Config::new([K1, K2]).expect("fixed keys are valid");
    config.bson_compress_jwt_payload = format != Format::JwtJson;
    if format.is_legacy() {
        config.read_original_format = true;
        config.original_format_validate_key = Some(SecretKey::from(LEGACY_KEY));
        config.original_format_remove_keys = vec![REMOVE_KEY.to_string()];
        config.original_format_data_serializer = match format {
            Format::LegacyJson => Serializer::Json,
            _ => Serializer::Pickle,
        };
    }
    config
}

/// [`config`] for a legacy serializer, with a BSON (`bsz`) or JSON JWT payload.
pub fn legacy_config(format: Format, bsz: bool) -> Config {
    let mut config = config(format);
    config.bson_compress_jwt_payload = bsz;
    config
}

/// A legacy cookie for `payload` (the serializer's bytes), signed as Beaker's `SignedCookie`
/// does with [`LEGACY_KEY`]: 40 hex of HMAC-SHA1 over the standard base64. The threat model
/// lets the attacker know an old legacy key, so signed payloads are attacker input.
pub fn legacy_cookie(payload: &[u8]) -> String {
    let data = Base64::encode_string(payload);
    let mut mac = Hmac::<Sha1>::new_from_slice(LEGACY_KEY.as_bytes()).expect("any key length");
    mac.update(data.as_bytes());
    let tag = mac.finalize().into_bytes();
    let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
    hex + &data
}

/// A JWT of `claims` (any bytes) signed with [`K1`], the signing key: what the decode targets
/// wrap their input in, so every mutation of it passes the MAC.
pub fn jwt_cookie(claims: &[u8]) -> String {
    jwt::sign(claims, &SecretKey::from(K1))
}

/// The claims `{"bsZ": text}` of a bsZ cookie (what Python writes), `text` built from the fuzz
/// input by `shape` (taken modulo 3), so each layer behind the MAC gets mutations of its own
/// input: 0, `bytes` is the bsZ text itself (read as UTF-8, lossily); 1, `bytes` is the zlib
/// stream, base85-encoded here; 2, `bytes` is the BSON document, deflated and base85-encoded
/// here.
pub fn bsz_claims(shape: u8, bytes: &[u8]) -> Vec<u8> {
    let text = match shape % 3 {
        0 => String::from_utf8_lossy(bytes).into_owned(),
        1 => base85::encode(bytes),
        _ => base85::encode(&deflate(bytes)),
    };
    let mut claims = Document::new();
    claims.insert("bsZ", text);
    json::write(&claims, json::Style::Compact)
        .expect("a one-string document is writable")
        .into_bytes()
}

thread_local! {
    /// The harness's own deflater and codec, kept across runs: a fresh level-9 compressor
    /// state (~310 KB) per input would cost more than the decode being fuzzed. Both give the
    /// same bytes whatever they compressed before (asserted by the library's tests).
    static DEFLATER: RefCell<zlib::Deflater> = RefCell::new(zlib::Deflater::new());
    static WRITER: RefCell<Codec> = RefCell::new(Codec::new());
}

/// `zlib::deflate(bytes)` (level 9) with the harness's reused deflater.
pub fn deflate(bytes: &[u8]) -> Vec<u8> {
    DEFLATER.with(|d| d.borrow_mut().deflate(bytes))
}

/// The decode targets' common check of a cookie the harness signed: `decode_cookie` under
/// `config`, its peak heap within [`memory::decode_bound`]; [`assert_view_agrees`] (the view's
/// decode within the same bound); what decodes rewrites ([`assert_rewrites`]). Returns the
/// decode's result for the target's own oracles.
pub fn check_decode(cookie: &str, config: &Config) -> std::result::Result<Decoded, Error> {
    let decoded = memory::bounded(config, "decode_cookie", || {
        decode_cookie(cookie, config, NOW)
    });
    assert_view_agrees(cookie, config, &decoded);
    if let Ok(d) = &decoded {
        assert_rewrites(&d.session, config);
    }
    decoded
}

/// As [`config`], with the read and write caps raised to 64 KiB so that large arbitrary
/// sessions still round-trip (the other limits stay at their defaults).
pub fn roundtrip_config(format: Format) -> Config {
    let mut config = config(format);
    config.limits.max_write_len = 1 << 16;
    config.limits.max_cookie_len = 1 << 16;
    config.write_original_format = format.is_legacy();
    config
}

/// [`config`] for bsZ mode (`true`) or JSON mode (`false`).
pub fn jwt_config(bsz: bool) -> Config {
    config(if bsz {
        Format::JwtBson
    } else {
        Format::JwtJson
    })
}

/// Limits so small that almost every layer trips one of them.
pub fn tiny_limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_cookie_len = 64;
    limits.max_inflated_len = 16;
    limits.max_depth = 2;
    limits.max_items = 4;
    limits.max_str_len = 3;
    limits.max_memo = 2;
    limits.max_session_bytes = 200;
    limits
}

/// An arbitrary session that `format` can carry, so that it must decode to [`as_read`] of
/// itself:
/// - [`Format::JwtBson`]: every BSON type (keys without NUL, regex options sorted as written,
///   datetimes in years 1..=9999; a symbol and undefined, which read back as pymongo reads
///   them, as a string and null);
/// - [`Format::JwtJson`]: JSON's types in their read-back form (an int is `Int32` when it fits,
///   one NaN);
/// - [`Format::LegacyPickle`]: what the pickle writer writes and a BSON payload keeps (datetimes
///   in years 1..=9999, regex options from `ilmsux`, no code, symbol, undefined, min/max key);
/// - [`Format::LegacyJson`]: JSON's types, keys without NUL (the BSON payload check).
///
/// Keys a JWT write drops (`_expires`, `_path`, `_domain`) and, in JSON mode, the `bsZ` claim
/// are left out of JWT sessions; legacy cookies keep them but leave out [`REMOVE_KEY`].
pub fn arbitrary_session(u: &mut Unstructured<'_>, format: Format) -> Result<Session> {
    let mut entries = Vec::new();
    while u.arbitrary()? {
        let key = key(u, format)?;
        let dropped = if format.is_legacy() {
            key == REMOVE_KEY
        } else {
            matches!(key.as_str(), "_expires" | "_path" | "_domain")
                || (format == Format::JwtJson && key == "bsZ")
        };
        let value = value(u, format, GEN_DEPTH)?;
        if !dropped {
            entries.push((Str::from(key), value));
        }
    }
    Ok(Document::from_entries(entries))
}

/// A format from [`FORMATS`] and an [`arbitrary_session`] for it.
#[derive(Debug)]
pub struct FormatSession(pub Format, pub Session);

impl<'a> Arbitrary<'a> for FormatSession {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let format = *u.choose(&FORMATS)?;
        Ok(FormatSession(format, arbitrary_session(u, format)?))
    }
}

/// An [`arbitrary_session`] with every BSON type (it reads back as [`as_read`] of itself).
#[derive(Debug)]
pub struct BsonSession(pub Session);

impl<'a> Arbitrary<'a> for BsonSession {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(BsonSession(arbitrary_session(u, Format::JwtBson)?))
    }
}

fn key(u: &mut Unstructured<'_>, format: Format) -> Result<String> {
    let key: String = u.arbitrary()?;
    Ok(match format {
        Format::JwtJson => key,
        _ => key.replace('\0', ""),
    })
}

fn document(u: &mut Unstructured<'_>, format: Format, depth: usize) -> Result<Document> {
    let mut entries = Vec::new();
    while u.arbitrary()? {
        entries.push((Str::from(key(u, format)?), value(u, format, depth)?));
    }
    Ok(Document::from_entries(entries))
}

fn array(u: &mut Unstructured<'_>, format: Format, depth: usize) -> Result<Vec<Value>> {
    let mut items = Vec::new();
    while u.arbitrary()? {
        items.push(value(u, format, depth)?);
    }
    Ok(items)
}

fn value(u: &mut Unstructured<'_>, format: Format, depth: usize) -> Result<Value> {
    // The first kinds have no children, so an exhausted input (which reads as zeros) ends the
    // recursion; containers are only offered while depth remains.
    let kinds: u8 = if depth == 0 { 5 } else { 8 };
    let kind = u.int_in_range(0..=kinds - 1)?;
    let inner = depth.saturating_sub(1);
    Ok(match (format, kind) {
        (_, 0) => match format {
            Format::JwtBson => bson_scalar(u)?,
            Format::LegacyPickle => pickle_scalar(u)?,
            _ => Value::Null,
        },
        (Format::JwtJson | Format::LegacyJson, 1) => Value::Bool(u.arbitrary()?),
        (Format::JwtJson | Format::LegacyJson, 2) => Value::from(u.arbitrary::<i64>()?),
        (Format::JwtJson | Format::LegacyJson, 3) => Value::Double(canonical_nan(u.arbitrary()?)),
        (_, 1) => Value::Double(f64::from_bits(u.arbitrary()?)),
        (_, 2) => Value::Int32(u.arbitrary()?),
        (_, 3) => Value::Int64(u.arbitrary()?),
        (_, 4) => Value::String(text(u)?),
        (_, 5) => Value::Array(array(u, format, inner)?),
        (Format::JwtBson, 6) => Value::JavaScriptWithScope(Box::new(CodeWithScope {
            code: text(u)?,
            scope: document(u, format, inner)?,
        })),
        (Format::JwtJson | Format::LegacyJson, 6) => Value::Array(array(u, format, inner)?),
        _ => Value::Document(document(u, format, inner)?),
    })
}

/// The pymongo classes the legacy pickle writer writes and the reader's whitelist builds.
fn pickle_scalar(u: &mut Unstructured<'_>) -> Result<Value> {
    Ok(match u.int_in_range(0..=8u8)? {
        0 => Value::Null,
        1 => Value::Binary {
            subtype: u.arbitrary()?,
            bytes: u.arbitrary()?,
        },
        2 => Value::ObjectId(u.arbitrary()?),
        3 => Value::Bool(u.arbitrary()?),
        4 => Value::DateTime(u.int_in_range(DATETIME_MIN_MS..=DATETIME_MAX_MS)?),
        5 => {
            let mut options = String::new();
            for letter in "ilmsux".chars() {
                if u.arbitrary()? {
                    options.push(letter);
                }
            }
            let pattern: String = u.arbitrary()?;
            Value::Regex(Box::new(Regex {
                pattern: pattern.replace('\0', "").into(),
                options: options.into(),
            }))
        }
        6 => Value::Timestamp {
            time: u.arbitrary()?,
            increment: u.arbitrary()?,
        },
        7 => Value::Decimal128(u.arbitrary()?),
        _ => Value::Int64(u.arbitrary()?),
    })
}

/// The BSON types JSON does not have.
fn bson_scalar(u: &mut Unstructured<'_>) -> Result<Value> {
    Ok(match u.int_in_range(0..=13u8)? {
        0 => Value::Null,
        1 => Value::Binary {
            subtype: u.arbitrary()?,
            bytes: u.arbitrary()?,
        },
        2 => Value::Undefined,
        3 => Value::ObjectId(u.arbitrary()?),
        4 => Value::Bool(u.arbitrary()?),
        5 => Value::DateTime(u.int_in_range(DATETIME_MIN_MS..=DATETIME_MAX_MS)?),
        6 => {
            let pattern: String = u.arbitrary()?;
            let mut options: Vec<char> = u.arbitrary::<String>()?.chars().collect();
            options.retain(|&c| c != '\0');
            options.sort_unstable();
            Value::Regex(Box::new(Regex {
                pattern: pattern.replace('\0', "").into(),
                options: options.into_iter().collect(),
            }))
        }
        7 => Value::DbPointer(Box::new(DbPointer {
            namespace: text(u)?,
            id: u.arbitrary()?,
        })),
        8 => Value::JavaScript(text(u)?),
        9 => Value::Symbol(text(u)?),
        10 => Value::Timestamp {
            time: u.arbitrary()?,
            increment: u.arbitrary()?,
        },
        11 => Value::Decimal128(u.arbitrary()?),
        12 => Value::MinKey,
        _ => Value::MaxKey,
    })
}

/// JSON has one NaN: the one `json::read` gives for `NaN`.
fn canonical_nan(d: f64) -> f64 {
    if d.is_nan() {
        f64::NAN
    } else {
        d
    }
}

/// What a session becomes once written as a JWT under `config` and read back, when the format
/// can hold it: the keys a JWT write drops are gone (and, in JSON mode, the `bsZ` claim a read
/// drops), regex options are in the order BSON stores them, a symbol is a string and undefined
/// null (pymongo's reading, and what the JSON writer writes), and in JSON mode every NaN is the
/// one NaN JSON reads (`json.dumps` writes any NaN as `NaN`, payload bits lost, as in Python).
pub fn as_rewritten(session: &Session, config: &Config) -> Session {
    let json_mode = !config.bson_compress_jwt_payload;
    session
        .iter()
        .filter(|(k, _)| !matches!(*k, "_expires" | "_path" | "_domain"))
        .filter(|(k, _)| !(json_mode && *k == "bsZ"))
        .map(|(k, v)| (k, normalized(v, json_mode)))
        .collect()
}

/// What a session written by `bson::write` (or by `encode_cookie`, in any format) reads back
/// as: itself, with regex options in the order BSON stores them (sorted), a symbol as a string
/// and undefined as null, as pymongo 4's `bson.decode` reads them (the JSON writer writes them
/// so too). [`arbitrary_session`]s hold sorted options, so only the last two change.
pub fn as_read(session: &Session) -> Session {
    normalized_doc(session, false)
}

/// Regex options sorted, a symbol as a string, undefined as null and, for JSON, one NaN.
fn normalized(value: &Value, json: bool) -> Value {
    match value {
        Value::Symbol(s) => Value::String(s.clone()),
        Value::Undefined => Value::Null,
        Value::Regex(regex) => {
            let Regex { pattern, options } = &**regex;
            let mut letters: Vec<char> = options.chars().collect();
            letters.sort_unstable();
            Value::Regex(Box::new(Regex {
                pattern: pattern.clone(),
                options: letters.into_iter().collect(),
            }))
        }
        Value::Double(d) if json => Value::Double(canonical_nan(*d)),
        Value::Array(items) => Value::Array(items.iter().map(|v| normalized(v, json)).collect()),
        Value::Document(doc) => Value::Document(normalized_doc(doc, json)),
        Value::JavaScriptWithScope(cws) => {
            let CodeWithScope { code, scope } = &**cws;
            Value::JavaScriptWithScope(Box::new(CodeWithScope {
                code: code.clone(),
                scope: normalized_doc(scope, json),
            }))
        }
        other => other.clone(),
    }
}

fn normalized_doc(doc: &Document, json: bool) -> Document {
    doc.iter().map(|(k, v)| (k, normalized(v, json))).collect()
}

/// Oracle for a session read from a pickle: written again by `pickle::write`, it reads back to
/// the same session under the same target and limits.
pub fn assert_pickle_rereads(session: &Session, target: Target) {
    let bytes = pickle::write(session).expect("a session read from a pickle is writable");
    let again = pickle::read(&bytes, &Limits::DEFAULT)
        .and_then(|p| p.into_session(target, &[REMOVE_KEY], &Limits::DEFAULT));
    assert_eq!(again.as_ref(), Ok(session));
}

/// Oracle for the session budget: `read` (which built `session` under `limits`) run again with
/// `max_session_bytes` one byte short of what `session` is charged ([`charged_bytes`]) must be
/// refused for that limit. A decode never builds a session costing more than it charged.
pub fn assert_charged(
    session: &Document,
    limits: &Limits,
    read: impl FnOnce(&Limits) -> std::result::Result<Document, Error>,
) {
    let mut tight = *limits;
    tight.max_session_bytes = charged_bytes(session) - 1;
    assert_eq!(read(&tight), Err(Error::LimitExceeded(Limit::SessionBytes)));
}

/// Oracle for borrowed reading: [`Codec::decode_view`] on `cookie` (with a fresh codec) must
/// give what `decoded` (the result of [`decode_cookie`] on the same cookie) is: the same error,
/// or the same session, key index and format, and every key of it read through the view.
pub fn assert_view_agrees(
    cookie: &str,
    config: &Config,
    decoded: &std::result::Result<Decoded, Error>,
) {
    let mut codec = Codec::new();
    let view = memory::bounded(config, "decode_view", || {
        codec.decode_view(cookie, config, NOW)
    });
    match (decoded, view) {
        (Ok(d), Ok(v)) => {
            assert_eq!(v.to_session().as_ref(), Ok(&d.session), "view's session");
            assert_eq!((v.key_index(), v.format()), (d.key_index, d.format));
            for (key, value) in d.session.iter() {
                let got = v.get(key).map(|f| f.to_value());
                assert_eq!(got, Some(Ok(value.clone())), "view's {key:?}");
            }
        }
        (Err(e), Err(f)) => assert_eq!(&f, e, "view refuses with another error"),
        (d, v) => panic!(
            "decode {:?} but view {:?}",
            d.as_ref().map(|_| ()),
            v.map(|_| ())
        ),
    }
}

/// Oracle for a decoded session: written again as a JWT under `config` (a legacy session is
/// migrated), it reads back to the same session ([`as_rewritten`]). Only a write the format
/// refuses (`Unwritable`, `WriteLen`) is allowed to stop the check.
pub fn assert_rewrites(session: &Session, config: &Config) {
    let mut config = config.clone();
    config.write_original_format = false;
    // The harness's reused codec: the same cookie as `encode_cookie`, without a fresh deflater.
    let cookie = match WRITER.with(|w| w.borrow_mut().encode_cookie(session, &config)) {
        Err(Error::Unwritable { .. } | Error::LimitExceeded(Limit::WriteLen)) => return,
        other => other.expect("a session we read is written or refused as unwritable"),
    };
    let again = decode_cookie(&cookie, &config, NOW).expect("our own cookie decodes");
    assert_eq!(again.session, as_rewritten(session, &config));
}

/// A pickle made of arbitrary opcodes, each with an argument of the shape it expects (mostly),
/// so the reader gets past argument parsing into deep states: opcodes mostly from
/// [`ops::OPCODES`] and sometimes any byte, globals mostly from [`ops::WHITELIST`],
/// strings mostly the names the whitelist's states use, memo indices mostly small, lengths
/// mostly true. Starts with `PROTO`, ends with `STOP`.
#[derive(Debug)]
pub struct PickleProgram(pub Vec<u8>);

impl<'a> Arbitrary<'a> for PickleProgram {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut out = vec![op::PROTO, u.int_in_range(0..=5)?];
        while u.arbitrary()? {
            push_op(u, &mut out)?;
        }
        out.push(op::STOP);
        Ok(PickleProgram(out))
    }
}

/// Words the whitelist's arguments and states are made of.
const PICKLE_WORDS: [&str; 12] = [
    "latin1",
    "flags",
    "pattern",
    "_ObjectId__id",
    "_Binary__subtype",
    "_Timestamp__inc",
    "_Timestamp__time",
    "int",
    "is_safe",
    "rm",
    "_accessed_time",
    "",
];

fn push_op(u: &mut Unstructured<'_>, out: &mut Vec<u8>) -> Result<()> {
    let code = if u.ratio(1, 32)? {
        u.arbitrary()?
    } else {
        u.choose(&ops::OPCODES)?.code
    };
    if code == op::STACK_GLOBAL && u.arbitrary()? {
        let (module, name) = global(u)?;
        for text in [module, name] {
            out.push(op::SHORT_BINUNICODE);
            push_sized(u, out, text.as_bytes(), 1)?;
        }
    }
    out.push(code);
    match code {
        op::INT => push_line(out, &pick_int(u)?.to_string()),
        op::LONG => push_line(out, &format!("{}L", u.arbitrary::<i128>()?)),
        op::FLOAT => push_line(out, &format!("{:?}", u.arbitrary::<f64>()?)),
        op::PUT | op::GET => push_line(out, &u.int_in_range(0..=9u8)?.to_string()),
        op::PERSID => push_line(out, &u.arbitrary::<String>()?.replace('\n', "")),
        op::STRING => push_line(out, &format!("{:?}", pick_text(u)?)),
        op::UNICODE => push_line(out, &pick_text(u)?.replace(['\n', '\\'], "")),
        op::GLOBAL | op::INST => {
            let (module, name) = global(u)?;
            push_line(out, &module);
            push_line(out, &name);
        }
        op::BININT | op::LONG_BINPUT | op::LONG_BINGET | op::EXT4 => push_index(u, out, 4)?,
        op::BININT1 | op::BINPUT | op::BINGET | op::PROTO | op::EXT1 => push_index(u, out, 1)?,
        op::BININT2 | op::EXT2 => push_index(u, out, 2)?,
        op::BINFLOAT => out.extend_from_slice(&u.arbitrary::<[u8; 8]>()?),
        op::FRAME => out.extend_from_slice(&u.int_in_range(0..=64u64)?.to_le_bytes()),
        op::LONG1 | op::SHORT_BINSTRING | op::SHORT_BINBYTES => {
            let bytes = u.arbitrary::<&[u8]>()?;
            push_sized(u, out, bytes, 1)?
        }
        op::SHORT_BINUNICODE | op::BINUNICODE | op::BINUNICODE8 => {
            let text = pick_text(u)?;
            let width = match code {
                op::SHORT_BINUNICODE => 1,
                op::BINUNICODE => 4,
                _ => 8,
            };
            push_sized(u, out, text.as_bytes(), width)?
        }
        op::LONG4 | op::BINSTRING | op::BINBYTES => {
            let bytes = u.arbitrary::<&[u8]>()?;
            push_sized(u, out, bytes, 4)?
        }
        op::BINBYTES8 | op::BYTEARRAY8 => {
            let bytes = u.arbitrary::<&[u8]>()?;
            push_sized(u, out, bytes, 8)?
        }
        _ => {}
    }
    Ok(())
}

/// A `module`, `name` pair: a whitelist row, or anything (an inert placeholder).
fn global(u: &mut Unstructured<'_>) -> Result<(String, String)> {
    if u.ratio(7, 8)? {
        let row = u.choose(&ops::WHITELIST)?;
        Ok((row.module.to_string(), row.name.to_string()))
    } else {
        let module: String = u.arbitrary()?;
        let name: String = u.arbitrary()?;
        Ok((module.replace('\n', ""), name.replace('\n', "")))
    }
}

fn pick_text(u: &mut Unstructured<'_>) -> Result<String> {
    if u.arbitrary()? {
        Ok(u.choose(&PICKLE_WORDS)?.to_string())
    } else {
        u.arbitrary()
    }
}

fn pick_int(u: &mut Unstructured<'_>) -> Result<i64> {
    Ok(match u.int_in_range(0..=3u8)? {
        0 => 0,
        1 => 1,
        2 => u.int_in_range(0..=300)?,
        _ => u.arbitrary()?,
    })
}

fn push_line(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(text.as_bytes());
    out.push(b'\n');
}

/// A little-endian number of `width` bytes: mostly small (memo indices, ints), sometimes any.
fn push_index(u: &mut Unstructured<'_>, out: &mut Vec<u8>, width: usize) -> Result<()> {
    let n: u64 = if u.ratio(3, 4)? {
        u.int_in_range(0..=9)?
    } else {
        u.arbitrary()?
    };
    // `width` is 1, 2, 4 or 8: one of the opcode's own argument widths.
    out.extend_from_slice(&n.to_le_bytes()[..width]);
    Ok(())
}

/// `bytes` after a little-endian length of `width` bytes that is mostly true, sometimes a lie.
fn push_sized(
    u: &mut Unstructured<'_>,
    out: &mut Vec<u8>,
    bytes: &[u8],
    width: usize,
) -> Result<()> {
    let len = if u.ratio(15, 16)? {
        bytes.len() as u64
    } else {
        u.arbitrary()?
    };
    // `width` is 1, 2, 4 or 8: one of the opcode's own argument widths.
    out.extend_from_slice(&len.to_le_bytes()[..width]);
    out.extend_from_slice(bytes);
    Ok(())
}

/// Which side of the BSON differential accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Both readers refused.
    BothRefuse,
    /// Both accepted and read equal values.
    BothAgree,
    /// We accepted and the `bson` crate refused, but it accepts (and reads equal) our canonical
    /// rewrite of the same value: the input differs only where pymongo is lenient and we follow
    /// it (array keys are skipped unchecked, even when not UTF-8).
    TheyRefuseNonCanonical,
    /// The `bson` crate accepted and we refused on a [`Limits`] bound: by design.
    WeBound(Limit),
    /// The `bson` crate accepted a UTC datetime outside years 1..=9999 (it holds any i64) that
    /// we refuse, as pymongo 4.20.1 does (`InvalidBSON`, "year 10000 is out of range"), and
    /// with every such datetime set to 0 the readers agree (one of the three verdicts above).
    TheyAcceptDatetimeOutOfRange,
    /// Only we accepted; carries the `bson` crate's error text.
    OnlyWeAccept(String),
    /// Only the `bson` crate accepted; carries our error.
    OnlyTheyAccept(Error),
}

/// Reads `bytes` with our BSON reader (default limits) and with the `bson` crate. Panics if
/// both accept but read different values (compared through `interop::bson`, regex options
/// sorted, a symbol as the string and undefined as the null we read them as).
///
/// Where only the `bson` crate accepts and our refusal is for a datetime it read, outside years
/// 1..=9999, that datetime's 8 bytes are set to 0 (same length, nothing else moves) and the
/// bytes compared again, until the readers agree ([`Verdict::TheyAcceptDatetimeOutOfRange`])
/// or disagree on something else (that verdict, so a datetime never hides a disagreement).
pub fn bson_differential(bytes: &[u8]) -> Verdict {
    let mut input = bytes.to_vec();
    let mut refused = None;
    loop {
        let verdict = differential_once(&input);
        if let Verdict::OnlyTheyAccept(e) = &verdict {
            if let Some(at) = their_datetime_we_refuse(&input, *e) {
                refused = refused.or(Some(*e));
                input[at..at + 8].fill(0);
                continue;
            }
        }
        return match (verdict, refused) {
            (verdict, None) => verdict,
            (verdict @ (Verdict::OnlyWeAccept(_) | Verdict::OnlyTheyAccept(_)), Some(_)) => verdict,
            // The `bson` crate refused once the datetime was in range: our refusal was not
            // (only) about the datetime.
            (Verdict::BothRefuse, Some(e)) => Verdict::OnlyTheyAccept(e),
            (_, Some(_)) => Verdict::TheyAcceptDatetimeOutOfRange,
        };
    }
}

/// Where `ours` is our refusal of a datetime outside years 1..=9999 that the `bson` crate read
/// from `bytes`, that datetime's offset: `Unsupported` in `Layer::Bson` at 8 bytes that hold
/// such a datetime, in bytes the `bson` crate accepts.
fn their_datetime_we_refuse(bytes: &[u8], ours: Error) -> Option<usize> {
    let Error::Unsupported {
        layer: Layer::Bson,
        offset,
        ..
    } = ours
    else {
        return None;
    };
    let ms = i64::from_le_bytes(bytes.get(offset..offset.checked_add(8)?)?.try_into().ok()?);
    // The `bson` crate must have accepted the bytes; its document need not hold the datetime:
    // with a repeated key it keeps the last value (an in-range one may replace ours).
    theirs(bytes).ok()?;
    let refused = !(DATETIME_MIN_MS..=DATETIME_MAX_MS).contains(&ms);
    refused.then_some(offset)
}

/// One comparison of [`bson_differential`].
fn differential_once(bytes: &[u8]) -> Verdict {
    let ours = our_bson::read(bytes, &Limits::DEFAULT);
    match (ours, theirs(bytes)) {
        (Ok(ours), Ok(theirs)) => {
            assert_agree(&ours, &theirs);
            Verdict::BothAgree
        }
        (Ok(ours), Err(e)) => {
            let canonical = our_bson::write(&ours).expect("what we read is writable");
            match theirs(&canonical) {
                Ok(theirs) => {
                    assert_agree(&ours, &theirs);
                    Verdict::TheyRefuseNonCanonical
                }
                Err(_) => Verdict::OnlyWeAccept(e.to_string()),
            }
        }
        (Err(Error::LimitExceeded(limit)), Ok(_)) => Verdict::WeBound(limit),
        (Err(e), Ok(_)) => Verdict::OnlyTheyAccept(e),
        (Err(_), Err(_)) => Verdict::BothRefuse,
    }
}

/// The `bson` crate's reading of `bytes`. `RawDocument::from_bytes` requires the declared
/// length to span all of `bytes`, as `bson::read` and pymongo's `bson.decode` do
/// (`Document::from_reader` stops at the declared length instead).
fn theirs(bytes: &[u8]) -> ::bson::error::Result<::bson::Document> {
    ::bson::RawDocument::from_bytes(bytes).and_then(::bson::Document::try_from)
}

fn assert_agree(ours: &Document, theirs: &::bson::Document) {
    // The `bson` crate sorts regex options as it reads them; we keep them as stored.
    let theirs = normalized_doc(&from_bson_document(theirs), false);
    assert_eq!(
        normalized_doc(ours, false),
        theirs,
        "both accept, values differ"
    );
}

/// Arbitrary text as a session string.
fn text(u: &mut Unstructured<'_>) -> Result<Str> {
    Ok(Str::from(u.arbitrary::<String>()?))
}

/// What zlib-rs (a port of C zlib, the strict oracle) says about a zlib stream, read as
/// Python's `zlib.decompress` reads it: zlib framing, 32 KiB window, bytes after the end
/// ignored, output into a buffer one byte longer than `max`. As `tests/internal/zlib_oracle.rs`.
#[derive(Debug, PartialEq, Eq)]
pub enum ZlibVerdict {
    /// Inflated to these bytes, at most `max` of them.
    Inflated(Vec<u8>),
    /// More than `max` bytes.
    TooLong,
    /// Refused, with zlib's message.
    Refused(&'static str),
}

/// zlib-rs's [`ZlibVerdict`] on `data` with output bound `max`.
pub fn zlib_oracle(data: &[u8], max: usize) -> ZlibVerdict {
    use zlib_rs::{InflateError, InflateFlush, Status};
    let mut state = zlib_rs::Inflate::new(true, 15);
    let mut out = vec![0u8; max + 1];
    let status = state.decompress(data, &mut out, InflateFlush::NoFlush);
    let written = usize::try_from(state.total_out()).expect("at most max + 1");
    match status {
        _ if written > max => ZlibVerdict::TooLong,
        Ok(Status::StreamEnd) => {
            out.truncate(written);
            ZlibVerdict::Inflated(out)
        }
        // Room left and no end: the input ran out.
        Ok(Status::Ok | Status::BufError) => ZlibVerdict::Refused("incomplete or truncated stream"),
        Err(InflateError::NeedDict { .. }) => ZlibVerdict::Refused("need dictionary"),
        Err(_) => ZlibVerdict::Refused(state.error_message().unwrap_or("error")),
    }
}

/// Oracle for `zlib::inflate` (whichever backend the build runs) on any stream, against
/// [`zlib_oracle`], classified exactly as `tests/internal/zlib_oracle.rs`'s `compare`:
/// - zlib inflates it: we give the same bytes;
/// - zlib passes `max`: we refuse (a stream both too long and broken may be refused for either);
/// - zlib refuses it: we refuse (in `Layer::Zlib`, or for `InflatedLen`), except that the
///   default (miniz_oxide) build may accept a literal/length or distance code made of a single
///   code longer than 1 bit, which zlib refuses as `invalid literal/lengths set` or `invalid
///   distances set` (the documented exception of `src/zlib.rs`); with `fast-zlib`, none.
///
/// miniz_oxide skips its own Adler-32 comparison under `cfg(fuzzing)`; `zlib::inflate` compares
/// the two checksums itself, and zlib-rs has no `cfg(fuzzing)` path, so a wrong checksum is
/// still judged here.
pub fn assert_inflate_matches_zlib(data: &[u8], max: usize) {
    let mut limits = Limits::default();
    limits.max_inflated_len = max;
    let ours = zlib::inflate(data, &limits);
    let theirs = zlib_oracle(data, max);
    let refused = matches!(
        ours,
        Err(Error::Malformed {
            layer: Layer::Zlib,
            ..
        } | Error::Unsupported {
            layer: Layer::Zlib,
            ..
        } | Error::LimitExceeded(Limit::InflatedLen))
    );
    let agree = match &theirs {
        ZlibVerdict::Inflated(out) => ours.as_ref() == Ok(out),
        ZlibVerdict::TooLong => refused,
        ZlibVerdict::Refused(m) if !cfg!(feature = "fast-zlib") && incomplete_code(m) => {
            ours.is_ok() || refused
        }
        ZlibVerdict::Refused(_) => refused,
    };
    assert!(
        agree,
        "ours {:?}, zlib {}",
        ours.map(|v| v.len()),
        match &theirs {
            ZlibVerdict::Inflated(v) => format!("inflated {} bytes", v.len()),
            other => format!("{other:?}"),
        }
    );
}

/// zlib refuses it as an incomplete (or over-subscribed) literal/length or distance code: the
/// refusal the default build may not share.
fn incomplete_code(message: &str) -> bool {
    matches!(
        message,
        "invalid literal/lengths set" | "invalid distances set"
    )
}
