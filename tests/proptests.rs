//! Properties of the whole decoder, through the public API: encode→decode identity in all four
//! formats (BSON reading the deprecated symbol and undefined as pymongo does), single-byte
//! changes refused, no panic on any bytes under tiny `Limits`, key rotation, and datetimes no
//! Python `datetime` holds refused on write. Each layer's own properties live with it
//! (`json_proptests.rs`, `bson_differential.rs`); the fuzz targets in `fuzz/` check the same
//! oracles at depth.

mod common;

use base64ct::{Base64, Encoding};
use beaker_session_jwt::pickle::{self, Target};
use beaker_session_jwt::{
    bson, decode_cookie, encode_cookie, json, CodeWithScope, Config, DbPointer, Document, Error,
    Format, Layer, Limits, Regex, SecretKey, Serializer, Session, Value,
};
use common::codecs::{base85_encode, deflate, jwt_sign};
use hmac::{Hmac, Mac};
use proptest::prelude::*;
use proptest::sample::Index;

const K1: &str = "proptest-key-number-one";
const LEGACY_KEY: &str = "proptest-legacy-key-0001";
const NOW: f64 = 1_700_000_000.0;
/// Smallest and largest datetimes Python's `datetime` holds (years 1 and 9999), in ms.
const DATETIME_MIN_MS: i64 = -62_135_596_800_000;
const DATETIME_MAX_MS: i64 = 253_402_300_799_999;

const FORMATS: [Format; 4] = [
    Format::JwtBson,
    Format::JwtJson,
    Format::LegacyPickle,
    Format::LegacyJson,
];

fn config_for(format: Format, keys: &[&str]) -> Config {
    let mut c = Config::new(keys.iter().copied()).unwrap();
    c.bson_compress_jwt_payload = format != Format::JwtJson;
    if format.is_legacy() {
        c.read_original_format = true;
        c.write_original_format = true;
        c.original_format_validate_key = Some(SecretKey::from(LEGACY_KEY));
        c.original_format_data_serializer = match format {
            Format::LegacyJson => Serializer::Json,
            _ => Serializer::Pickle,
        };
    }
    // Room for the larger generated sessions (the default write cap is Beaker's 4064).
    c.limits.max_write_len = 1 << 16;
    c.limits.max_cookie_len = 1 << 16;
    c
}

fn config(format: Format) -> Config {
    config_for(format, &[K1])
}

/// A key as each format can carry it: no NUL except in a JWT-JSON session (BSON and the
/// legacy payload check refuse one); never one a JWT write drops or a JSON read pops.
fn key(format: Format) -> impl Strategy<Value = String> {
    let any_text = format == Format::JwtJson;
    "\\PC{0,6}|[\u{0}a\u{e9}\u{2603}\u{1F600}$.]{0,4}".prop_map(move |mut k| {
        if !any_text {
            k.retain(|c| c != '\0');
        }
        if matches!(k.as_str(), "_expires" | "_path" | "_domain" | "bsZ") {
            k.push('_');
        }
        k
    })
}

fn text() -> impl Strategy<Value = String> {
    "\\PC{0,8}|[\u{0}\"\\\\\n\u{7f}\u{2028}\u{feff}\u{ffff}\u{10ffff}]{0,4}"
}

/// The one NaN JSON reads back.
fn json_double() -> impl Strategy<Value = f64> {
    any::<u64>().prop_map(|b| {
        let d = f64::from_bits(b);
        if d.is_nan() {
            f64::NAN
        } else {
            d
        }
    })
}

/// Values without children that `format` writes and reads back as themselves, or, for BSON's
/// deprecated symbol and undefined, as pymongo reads them ([`as_read`]).
fn leaf(format: Format) -> BoxedStrategy<Value> {
    let json = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<i32>().prop_map(Value::Int32),
        json_double().prop_map(Value::Double),
        text().prop_map(Value::from),
    ];
    match format {
        Format::JwtJson | Format::LegacyJson => json.boxed(),
        Format::LegacyPickle => prop_oneof![
            json,
            any::<u64>().prop_map(|b| Value::Double(f64::from_bits(b))),
            any::<i64>().prop_map(Value::Int64),
            (any::<u8>(), prop::collection::vec(any::<u8>(), 0..8))
                .prop_map(|(subtype, bytes)| Value::Binary { subtype, bytes }),
            any::<[u8; 12]>().prop_map(Value::ObjectId),
            (DATETIME_MIN_MS..=DATETIME_MAX_MS).prop_map(Value::DateTime),
            (text(), prop::collection::vec(any::<bool>(), 6)).prop_map(|(p, on)| Value::Regex(
                Box::new(Regex {
                    pattern: p.replace('\0', "").into(),
                    options: "ilmsux"
                        .chars()
                        .zip(on)
                        .filter_map(|(c, on)| on.then_some(c))
                        .collect(),
                })
            )),
            (any::<u32>(), any::<u32>())
                .prop_map(|(time, increment)| Value::Timestamp { time, increment }),
            any::<[u8; 16]>().prop_map(Value::Decimal128),
        ]
        .boxed(),
        _ => prop_oneof![
            json,
            any::<u64>().prop_map(|b| Value::Double(f64::from_bits(b))),
            any::<i64>().prop_map(Value::Int64),
            (any::<u8>(), prop::collection::vec(any::<u8>(), 0..8))
                .prop_map(|(subtype, bytes)| Value::Binary { subtype, bytes }),
            Just(Value::Undefined),
            any::<[u8; 12]>().prop_map(Value::ObjectId),
            (DATETIME_MIN_MS..=DATETIME_MAX_MS).prop_map(Value::DateTime),
            (text(), "[a-z]{0,4}").prop_map(|(p, o)| {
                let mut letters: Vec<char> = o.chars().collect();
                letters.sort_unstable();
                Value::Regex(Box::new(Regex {
                    pattern: p.replace('\0', "").into(),
                    options: letters.into_iter().collect(),
                }))
            }),
            (text(), any::<[u8; 12]>()).prop_map(|(namespace, id)| Value::DbPointer(Box::new(
                DbPointer {
                    namespace: namespace.into(),
                    id
                }
            ))),
            text().prop_map(|s| Value::JavaScript(s.into())),
            text().prop_map(|s| Value::Symbol(s.into())),
            (any::<u32>(), any::<u32>())
                .prop_map(|(time, increment)| Value::Timestamp { time, increment }),
            any::<[u8; 16]>().prop_map(Value::Decimal128),
            Just(Value::MinKey),
            Just(Value::MaxKey),
        ]
        .boxed(),
    }
}

fn value(format: Format) -> impl Strategy<Value = Value> {
    leaf(format).prop_recursive(3, 24, 4, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (key(format).prop_map(beaker_session_jwt::Str::from), inner),
                0..4
            )
            .prop_map(|e| Value::Document(Document::from_entries(e))),
        ]
    })
}

/// A session `format` carries: it reads back as [`as_read`] of itself.
fn session(format: Format) -> impl Strategy<Value = Session> {
    prop::collection::vec(
        (
            key(format).prop_map(beaker_session_jwt::Str::from),
            value(format),
        ),
        0..6,
    )
    .prop_map(Document::from_entries)
}

/// A format and a session it carries.
fn format_session() -> impl Strategy<Value = (Format, Session)> {
    prop::sample::select(FORMATS.to_vec()).prop_flat_map(|f| (Just(f), session(f)))
}

/// What a session written by `encode_cookie` reads back as: itself, except that a BSON symbol
/// reads as a string and undefined as null, as pymongo 4's `bson.decode` reads them (the
/// other formats never hold either).
fn as_read(session: &Session) -> Session {
    session.iter().map(|(k, v)| (k, value_as_read(v))).collect()
}

fn value_as_read(value: &Value) -> Value {
    match value {
        Value::Symbol(s) => Value::String(s.clone()),
        Value::Undefined => Value::Null,
        Value::Array(items) => Value::Array(items.iter().map(value_as_read).collect()),
        Value::Document(doc) => Value::Document(as_read(doc)),
        Value::JavaScriptWithScope(cws) => Value::JavaScriptWithScope(Box::new(CodeWithScope {
            code: cws.code.clone(),
            scope: as_read(&cws.scope),
        })),
        other => other.clone(),
    }
}

/// A datetime no Python `datetime` holds (before year 1 or after year 9999).
fn out_of_range_datetime() -> impl Strategy<Value = i64> {
    prop_oneof![
        i64::MIN..DATETIME_MIN_MS,
        DATETIME_MAX_MS + 1..=i64::MAX,
        Just(DATETIME_MIN_MS - 1),
        Just(DATETIME_MAX_MS + 1),
    ]
}

/// Limits so small that almost every layer trips one.
fn tiny_limits() -> Limits {
    let mut l = Limits::default();
    l.max_cookie_len = 96;
    l.max_write_len = 96;
    l.max_inflated_len = 16;
    l.max_depth = 2;
    l.max_items = 4;
    l.max_str_len = 3;
    l.max_memo = 2;
    l
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

/// Every public decoder on `bytes` under `limits`, and every internal layer through a cookie
/// that reaches it; only a panic fails.
fn decode_everything(bytes: &[u8], limits: &Limits) {
    let _ = bson::read(bytes, limits);
    let _ = json::read(bytes, limits);
    let _ = pickle::read(bytes, limits).and_then(|p| p.into_session(Target::Json, &["k"], limits));
    let text = String::from_utf8_lossy(bytes);
    for format in FORMATS {
        let mut c = config(format);
        c.limits = *limits;
        let _ = decode_cookie(&text, &c, NOW);
        // Signed inputs reach the layers behind the MAC: the claims, base85 (`bytes` as the
        // bsZ text), inflate (`bytes` as the zlib stream), the legacy payload.
        let signed = |claims: &[u8]| jwt_sign(claims, K1.as_bytes());
        let _ = decode_cookie(&signed(bytes), &c, NOW);
        let mut claims = Document::new();
        claims.insert("bsZ", &*text);
        let bsz_text = json::write(&claims, json::Style::Compact).unwrap();
        let _ = decode_cookie(&signed(bsz_text.as_bytes()), &c, NOW);
        let bsz_stream = format!(r#"{{"bsZ":"{}"}}"#, base85_encode(bytes));
        let _ = decode_cookie(&signed(bsz_stream.as_bytes()), &c, NOW);
        let _ = decode_cookie(&legacy_cookie(bytes), &c, NOW);
        let _ = decode_cookie(&legacy_cookie(&deflate(bytes)), &c, NOW);
    }
}

fn is_refusal(e: &Error) -> bool {
    matches!(
        e,
        Error::BadSignature | Error::Malformed { .. } | Error::Unsupported { .. }
    )
}

/// Distinct keys of at least 14 bytes.
fn keys() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec("[ -~]{14,24}", 1..6).prop_map(|ks| {
        ks.into_iter()
            .enumerate()
            .map(|(i, k)| format!("{i:02}{k}"))
            .collect()
    })
}

// proptest's defaults: 256 cases per property, `PROPTEST_CASES` overrides.
proptest! {
    /// A session each format can carry, written by `encode_cookie`, decodes to the same
    /// session ([`as_read`]: symbol and undefined as pymongo reads them), in the same format,
    /// verified by key 0.
    #[test]
    fn proptests_encode_decode_identity((format, session) in format_session()) {
        let c = config(format);
        let cookie = encode_cookie(&session, &c).unwrap();
        let decoded = decode_cookie(&cookie, &c, NOW).unwrap();
        prop_assert_eq!(decoded.format, format);
        prop_assert_eq!(decoded.key_index, 0);
        prop_assert_eq!(decoded.session, as_read(&session));
    }

    /// In bsZ mode, a session holding, at any depth under one key, a datetime outside years
    /// 1..=9999 (which pymongo cannot read) is refused by `encode_cookie`: `Unwritable` in
    /// `Layer::Bson`, naming that key.
    #[test]
    fn proptests_out_of_range_datetime_is_unwritable_in_bsz_mode(
        session in session(Format::JwtBson),
        key in key(Format::JwtBson),
        ms in out_of_range_datetime(),
        wrappers in prop::collection::vec(any::<bool>(), 0..4),
    ) {
        let mut held = Value::DateTime(ms);
        for in_array in wrappers {
            held = if in_array {
                Value::Array(vec![Value::Null, held])
            } else {
                Value::Document(Document::from_entries(vec![("t".into(), held)]))
            };
        }
        let mut session = session;
        session.insert(key.as_str(), held);
        match encode_cookie(&session, &config(Format::JwtBson)) {
            Err(Error::Unwritable { layer: Layer::Bson, key: name, .. }) => {
                prop_assert_eq!(name.as_str(), key.as_str());
            }
            other => prop_assert!(false, "{ms}: {other:?}"),
        }
    }

    /// Changing any one byte of a valid cookie (to any other ASCII byte) is refused with
    /// `BadSignature`, `Malformed` or `Unsupported`, never decoded.
    #[test]
    fn proptests_single_byte_change_is_refused(
        (format, session) in format_session(),
        at in any::<Index>(),
        byte in 0u8..0x80,
    ) {
        let c = config(format);
        let cookie = encode_cookie(&session, &c).unwrap();
        let mut bytes = cookie.into_bytes();
        let i = at.index(bytes.len());
        prop_assume!(bytes[i] != byte);
        bytes[i] = byte;
        let changed = String::from_utf8(bytes).unwrap();
        match decode_cookie(&changed, &c, NOW) {
            Err(e) => prop_assert!(is_refusal(&e), "{e:?} for {changed}"),
            Ok(d) => prop_assert!(false, "changed cookie {changed} decoded to {d:?}"),
        }
    }

    /// Any bytes, raw or signed so that they reach the layers behind the MAC, through every
    /// public decoder under tiny `Limits`, never panic (and inflate never passes its bound).
    #[test]
    fn proptests_arbitrary_bytes_tiny_limits_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..96),
    ) {
        decode_everything(&bytes, &tiny_limits());
    }

    /// A JWT signed with any key of the configured list verifies and reports that key's index.
    #[test]
    fn proptests_rotation_reports_signing_key_index(
        keys in keys(),
        pick in any::<Index>(),
        (format, session) in prop::sample::select(vec![Format::JwtBson, Format::JwtJson])
            .prop_flat_map(|f| (Just(f), session(f))),
    ) {
        let i = pick.index(keys.len());
        let cookie = encode_cookie(&session, &config_for(format, &[keys[i].as_str()])).unwrap();
        let all: Vec<&str> = keys.iter().map(String::as_str).collect();
        let decoded = decode_cookie(&cookie, &config_for(format, &all), NOW).unwrap();
        prop_assert_eq!(decoded.key_index, i);
        prop_assert_eq!(decoded.session, as_read(&session));
    }

    /// A cookie signed with a key outside the configured list (a JWT key, or for legacy
    /// formats the legacy key) never verifies: `BadSignature`.
    #[test]
    fn proptests_key_outside_list_never_verifies(
        keys in keys(),
        outsider in "[ -~]{14,24}",
        (format, session) in format_session(),
    ) {
        let outsider = format!("x{outsider}");
        let all: Vec<&str> = keys.iter().map(String::as_str).collect();
        let reader = config_for(format, &all);
        let mut signer = config_for(format, &[outsider.as_str()]);
        if format.is_legacy() {
            signer.jwt_secret_keys = reader.jwt_secret_keys.clone();
            signer.original_format_validate_key = Some(SecretKey::from(outsider.as_str()));
        }
        let cookie = encode_cookie(&session, &signer).unwrap();
        prop_assert_eq!(decode_cookie(&cookie, &reader, NOW), Err(Error::BadSignature));
    }
}
