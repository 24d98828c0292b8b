//! What the fuzz targets share: the fixed keys and configs the seed corpora are made with
//! (`fuzz/make_seeds.py`), a generator of arbitrary sessions per cookie format, and the
//! oracles too long for a 15-line target.
//!
//! Everything here reaches the library through its public API only: no target skips the MAC.

use arbitrary::{Arbitrary, Result, Unstructured};
use beaker_session_jwt::bson as our_bson;
use beaker_session_jwt::interop::bson::from_bson_document;
use beaker_session_jwt::{
    decode_cookie, encode_cookie, Config, Decoded, Document, Error, Format, Limit, Limits, Session,
    Value,
};

/// The first JWT key (signs). Same as `K1` in `fuzz/make_seeds.py`.
pub const K1: &str = "fuzz-secret-key-0001";
/// The second JWT key (verifies only: rotation).
pub const K2: &str = "fuzz-secret-key-0002";
/// The legacy `original_format_validate_key`.
pub const LEGACY_KEY: &str = "fuzz-legacy-key-0001";
/// The clock every decode is given (no timeout is configured, so it is never read).
pub const NOW: f64 = 1_700_000_000.0;
/// Every format the round-trip target writes.
pub const FORMATS: [Format; 2] = [Format::JwtBson, Format::JwtJson];
/// Nesting of generated values below the session itself: well inside `Limits::max_depth`.
const GEN_DEPTH: usize = 6;

/// The config the seeds were written for: keys `[K1, K2]`, default limits, reading `format`.
pub fn config(format: Format) -> Config {
    let mut config = Config::new([K1, K2]).expect("fixed keys are valid");
    config.bson_compress_jwt_payload = format != Format::JwtJson;
    config
}

/// As [`config`], with the read and write caps raised to 64 KiB so that large arbitrary
/// sessions still round-trip (the other limits stay at their defaults).
pub fn roundtrip_config(format: Format) -> Config {
    let mut config = config(format);
    config.limits.max_write_len = 1 << 16;
    config.limits.max_cookie_len = 1 << 16;
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
    limits
}

/// An arbitrary session that `format` can carry exactly, so that it must decode to itself:
/// every BSON type for [`Format::JwtBson`] (keys without NUL, regex options sorted as written),
/// JSON's types in their read-back form for [`Format::JwtJson`] (an int is `Int32` when it fits,
/// one NaN). Keys a JWT write drops (`_expires`, `_path`, `_domain`) and, in JSON mode, the
/// `bsZ` claim are left out.
pub fn arbitrary_session(u: &mut Unstructured<'_>, format: Format) -> Result<Session> {
    let mut entries = Vec::new();
    while u.arbitrary()? {
        let key = key(u, format)?;
        let dropped = matches!(key.as_str(), "_expires" | "_path" | "_domain")
            || (format == Format::JwtJson && key == "bsZ");
        let value = value(u, format, GEN_DEPTH)?;
        if !dropped {
            entries.push((key, value));
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

/// An [`arbitrary_session`] with every BSON type.
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
        entries.push((key(u, format)?, value(u, format, depth)?));
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
    if format == Format::JwtJson {
        return Ok(match kind {
            0 => Value::Null,
            1 => Value::Bool(u.arbitrary()?),
            2 => Value::from(u.arbitrary::<i64>()?),
            3 => Value::Double(canonical_nan(u.arbitrary()?)),
            4 => Value::String(u.arbitrary()?),
            5 | 6 => Value::Array(array(u, format, inner)?),
            _ => Value::Document(document(u, format, inner)?),
        });
    }
    Ok(match kind {
        0 => bson_scalar(u)?,
        1 => Value::Double(f64::from_bits(u.arbitrary()?)),
        2 => Value::Int32(u.arbitrary()?),
        3 => Value::Int64(u.arbitrary()?),
        4 => Value::String(u.arbitrary()?),
        5 => Value::Array(array(u, format, inner)?),
        6 => Value::JavaScriptWithScope {
            code: u.arbitrary()?,
            scope: document(u, format, inner)?,
        },
        _ => Value::Document(document(u, format, inner)?),
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
        5 => Value::DateTime(u.arbitrary()?),
        6 => {
            let pattern: String = u.arbitrary()?;
            let mut options: Vec<char> = u.arbitrary::<String>()?.chars().collect();
            options.retain(|&c| c != '\0');
            options.sort_unstable();
            Value::Regex {
                pattern: pattern.replace('\0', ""),
                options: options.into_iter().collect(),
            }
        }
        7 => Value::DbPointer {
            namespace: u.arbitrary()?,
            id: u.arbitrary()?,
        },
        8 => Value::JavaScript(u.arbitrary()?),
        9 => Value::Symbol(u.arbitrary()?),
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

/// What a session becomes once written as a JWT and read back, when the format can hold it:
/// the keys a JWT write drops are gone and regex options are in the order BSON stores them.
pub fn as_rewritten(session: &Session) -> Session {
    session
        .iter()
        .filter(|(k, _)| !matches!(*k, "_expires" | "_path" | "_domain"))
        .map(|(k, v)| (k, sorted_regexes(v)))
        .collect()
}

fn sorted_regexes(value: &Value) -> Value {
    match value {
        Value::Regex { pattern, options } => {
            let mut letters: Vec<char> = options.chars().collect();
            letters.sort_unstable();
            Value::Regex {
                pattern: pattern.clone(),
                options: letters.into_iter().collect(),
            }
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted_regexes).collect()),
        Value::Document(doc) => Value::Document(sorted_doc(doc)),
        Value::JavaScriptWithScope { code, scope } => Value::JavaScriptWithScope {
            code: code.clone(),
            scope: sorted_doc(scope),
        },
        other => other.clone(),
    }
}

fn sorted_doc(doc: &Document) -> Document {
    doc.iter().map(|(k, v)| (k, sorted_regexes(v))).collect()
}

/// Oracle for a decoded cookie: it verified with `key_index` (when given), and written again
/// under the same config it reads back to the same session ([`as_rewritten`]). Only a write the
/// format refuses (`Unwritable`, `WriteLen`) is allowed to stop the check.
pub fn assert_rewrites(decoded: &Decoded, config: &Config, key_index: Option<usize>) {
    if let Some(index) = key_index {
        assert_eq!(decoded.key_index, index, "verified with the wrong key");
    }
    let cookie = match encode_cookie(&decoded.session, config) {
        Err(Error::Unwritable { .. } | Error::LimitExceeded(Limit::WriteLen)) => return,
        other => other.expect("a session we read is written or refused as unwritable"),
    };
    let again = decode_cookie(&cookie, config, NOW).expect("our own cookie decodes");
    assert_eq!(again.session, as_rewritten(&decoded.session));
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
    /// Only we accepted; carries the `bson` crate's error text.
    OnlyWeAccept(String),
    /// Only the `bson` crate accepted; carries our error.
    OnlyTheyAccept(Error),
}

/// Reads `bytes` with our BSON reader (default limits) and with the `bson` crate. Panics if
/// both accept but read different values (compared through `interop::bson`, regex options
/// sorted).
pub fn bson_differential(bytes: &[u8]) -> Verdict {
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
    let theirs = sorted_doc(&from_bson_document(theirs));
    assert_eq!(sorted_doc(ours), theirs, "both accept, values differ");
}
