//! (feature `serde`) `Serialize` / `Deserialize` for `Value` and `Document`: round trips through
//! serde_json, the canonical Extended JSON v2 wrappers as the `bson` crate writes them, Decimal128
//! strings against the `bson` crate, and refusal of malformed wrappers.
#![cfg(feature = "serde")]

use beaker_session_jwt::{CodeWithScope, DbPointer, Document, Regex, Session, Value};
use bson::Bson;
use proptest::prelude::*;
use serde_json::json;

const KEYWORDS: [&str; 17] = [
    "$oid",
    "$date",
    "$binary",
    "$uuid",
    "$regularExpression",
    "$timestamp",
    "$numberDecimal",
    "$numberInt",
    "$numberLong",
    "$numberDouble",
    "$code",
    "$scope",
    "$symbol",
    "$dbPointer",
    "$undefined",
    "$minKey",
    "$maxKey",
];

fn to_json(value: &Value) -> String {
    serde_json::to_string(value).unwrap()
}

fn from_json(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(text)
}

fn doc(entries: &[(&str, Value)]) -> Document {
    entries.iter().map(|(k, v)| (*k, v.clone())).collect()
}

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/// NaN loses its payload in Extended JSON (only the sign is written), so generate the two
/// NaNs that survive.
fn normalise_nan(d: f64) -> f64 {
    match (d.is_nan(), d.is_sign_negative()) {
        (true, false) => f64::NAN,
        (true, true) => -f64::NAN,
        _ => d,
    }
}

fn double() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<u64>().prop_map(|b| normalise_nan(f64::from_bits(b))),
        proptest::num::f64::ANY.prop_map(normalise_nan),
        Just(f64::NAN),
        Just(-f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(-0.0),
    ]
}

const DECIMAL_MAX_COEFFICIENT: u128 = 10u128.pow(34) - 1;

fn decimal_bytes(negative: bool, biased_exponent: u128, coefficient: u128) -> [u8; 16] {
    (u128::from(negative) << 127 | biased_exponent << 113 | coefficient).to_le_bytes()
}

/// Decimal128 values in their canonical encoding (what the spec's "from string" produces).
fn canonical_decimal() -> impl Strategy<Value = [u8; 16]> {
    prop_oneof![
        8 => (
            any::<bool>(),
            0..=12_287u128,
            prop_oneof![0..=DECIMAL_MAX_COEFFICIENT, 0..1_000u128, Just(0u128)],
        )
            .prop_map(|(n, e, c)| decimal_bytes(n, e, c)),
        // Exponents near zero, where the plain notation is used.
        8 => (any::<bool>(), 6_140..=6_200u128, 0..=DECIMAL_MAX_COEFFICIENT)
            .prop_map(|(n, e, c)| decimal_bytes(n, e, c)),
        1 => Just((0x7Cu128 << 120).to_le_bytes()),
        1 => any::<bool>().prop_map(|n| (u128::from(n) << 127 | 0x78 << 120).to_le_bytes()),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof!["\\PC{0,6}", "\\$[a-zA-Z]{0,12}", "[a-z_]{1,8}"]
        .prop_filter("wrapper keywords are refused as first keys", |k| {
            !KEYWORDS.contains(&k.as_str())
        })
}

fn document(value: impl Strategy<Value = Value>) -> impl Strategy<Value = Document> {
    prop::collection::vec((key(), value), 0..6).prop_map(|entries| entries.into_iter().collect())
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        double().prop_map(Value::Double),
        "\\PC{0,12}".prop_map(Value::from),
        (any::<u8>(), prop::collection::vec(any::<u8>(), 0..24))
            .prop_map(|(subtype, bytes)| Value::Binary { subtype, bytes }),
        Just(Value::Undefined),
        any::<[u8; 12]>().prop_map(Value::ObjectId),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::DateTime),
        Just(Value::Null),
        // Options are written in alphabetical order (see serde_sorts_regex_options).
        ("\\PC{0,8}", "[a-z]{0,4}").prop_map(|(pattern, options)| {
            let mut options: Vec<char> = options.chars().collect();
            options.sort_unstable();
            Value::Regex(Box::new(Regex {
                pattern: pattern.into(),
                options: options.into_iter().collect(),
            }))
        }),
        ("\\PC{0,8}", any::<[u8; 12]>()).prop_map(|(namespace, id)| Value::DbPointer(Box::new(
            DbPointer {
                namespace: namespace.into(),
                id
            }
        ))),
        "\\PC{0,12}".prop_map(|s| Value::JavaScript(s.into())),
        "\\PC{0,12}".prop_map(|s| Value::Symbol(s.into())),
        any::<i32>().prop_map(Value::Int32),
        (any::<u32>(), any::<u32>())
            .prop_map(|(time, increment)| Value::Timestamp { time, increment }),
        prop_oneof![any::<i64>(), any::<i32>().prop_map(i64::from)].prop_map(Value::Int64),
        canonical_decimal().prop_map(Value::Decimal128),
        Just(Value::MinKey),
        Just(Value::MaxKey),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            document(inner.clone()).prop_map(Value::Document),
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            ("\\PC{0,8}", document(inner)).prop_map(|(code, scope)| Value::JavaScriptWithScope(
                Box::new(CodeWithScope {
                    code: code.into(),
                    scope
                })
            )),
        ]
    })
}

// ---------------------------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// Every value, of every variant and nested, reads back bitwise equal from serde_json text.
    #[test]
    fn serde_round_trips_every_variant_through_json(v in value()) {
        let text = to_json(&v);
        prop_assert_eq!(from_json(&text).unwrap(), v, "{}", text);
    }

    /// A whole session reads back equal, in the same key order.
    #[test]
    fn serde_round_trips_sessions_in_order(session in document(value())) {
        let text = serde_json::to_string(&session).unwrap();
        let back: Session = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(back.keys().collect::<Vec<_>>(), session.keys().collect::<Vec<_>>());
        prop_assert_eq!(back, session);
    }

    /// The `$numberDecimal` text of any 16 bytes is what `bson::Decimal128::to_string` writes.
    #[test]
    fn serde_decimal128_text_matches_bson_crate(
        bytes in prop_oneof![any::<[u8; 16]>(), canonical_decimal()]
    ) {
        let ours = serde_json::to_value(Value::Decimal128(bytes)).unwrap();
        let theirs = bson::Decimal128::from_bytes(bytes).to_string();
        prop_assert_eq!(ours, json!({ "$numberDecimal": theirs }));
    }

    /// A `$numberDecimal` string reads as the bytes `bson::Decimal128::from_str` gives, and is
    /// refused exactly when the `bson` crate refuses it.
    #[test]
    fn serde_decimal128_parse_matches_bson_crate(
        text in "[+-]?([0-9]{1,40}(\\.[0-9]{0,40})?|\\.[0-9]{1,40})([eE][+-]?[0-9]{1,5})?"
    ) {
        let ours = from_json(&json!({ "$numberDecimal": text }).to_string());
        let theirs = text.parse::<bson::Decimal128>();
        match (ours, theirs) {
            (Ok(v), Ok(d)) => prop_assert_eq!(v, Value::Decimal128(d.bytes())),
            (Err(_), Err(_)) => {}
            (ours, theirs) => prop_assert!(false, "{}: ours {:?}, bson {:?}", text, ours, theirs),
        }
    }
}

#[test]
fn serde_keeps_document_order_and_json_natives() {
    let session = doc(&[
        ("z", Value::Int32(1)),
        ("a", Value::from("x")),
        (
            "m",
            Value::Array(vec![Value::Bool(true), Value::Null, Value::Double(1.0)]),
        ),
        ("big", Value::Int64(5_000_000_000)),
        ("neg0", Value::Double(-0.0)),
    ]);
    let text = serde_json::to_string(&session).unwrap();
    assert_eq!(
        text,
        r#"{"z":1,"a":"x","m":[true,null,1.0],"big":5000000000,"neg0":-0.0}"#
    );
    let back: Session = serde_json::from_str(&text).unwrap();
    assert_eq!(back, session);
}

// ---------------------------------------------------------------------------------------------
// Canonical Extended JSON v2, as the bson crate writes it
// ---------------------------------------------------------------------------------------------

fn bson_regex(pattern: &str, options: &str) -> Bson {
    Bson::RegularExpression(bson::Regex {
        pattern: pattern.try_into().unwrap(),
        options: options.try_into().unwrap(),
    })
}

const OID: [u8; 12] = [
    0x56, 0xe1, 0xfc, 0x72, 0xe0, 0xc9, 0x17, 0xe9, 0xc4, 0x71, 0x41, 0x61,
];

/// (bson crate value, our value, exact serde_json text we write).
fn special_cases() -> Vec<(Bson, Value, &'static str)> {
    let d128 = |s: &str| s.parse::<bson::Decimal128>().unwrap();
    let pi = d128("3.14159");
    let tiny = d128("-1.00E-8");
    let huge = d128("1.000000000000000000000000000000000E+6144");
    let db_pointer = Bson::try_from(json!({
        "$dbPointer": { "$ref": "db.coll", "$id": { "$oid": "56e1fc72e0c917e9c4714161" } }
    }))
    .unwrap();
    vec![
        (
            Bson::ObjectId(bson::oid::ObjectId::from_bytes(OID)),
            Value::ObjectId(OID),
            r#"{"$oid":"56e1fc72e0c917e9c4714161"}"#,
        ),
        (
            Bson::DateTime(bson::DateTime::from_millis(1_356_351_330_501)),
            Value::DateTime(1_356_351_330_501),
            r#"{"$date":{"$numberLong":"1356351330501"}}"#,
        ),
        (
            Bson::DateTime(bson::DateTime::from_millis(-284_643_869_501)),
            Value::DateTime(-284_643_869_501),
            r#"{"$date":{"$numberLong":"-284643869501"}}"#,
        ),
        (
            Bson::Binary(bson::Binary {
                subtype: bson::spec::BinarySubtype::Generic,
                bytes: vec![0xff, 0xff],
            }),
            Value::Binary {
                subtype: 0,
                bytes: vec![0xff, 0xff],
            },
            r#"{"$binary":{"base64":"//8=","subType":"00"}}"#,
        ),
        (
            Bson::Binary(bson::Binary {
                subtype: bson::spec::BinarySubtype::from(0x80),
                bytes: vec![],
            }),
            Value::Binary {
                subtype: 0x80,
                bytes: vec![],
            },
            r#"{"$binary":{"base64":"","subType":"80"}}"#,
        ),
        (
            bson_regex("ab/\"cd", "im"),
            Value::Regex(Box::new(Regex {
                pattern: "ab/\"cd".into(),
                options: "im".into(),
            })),
            r#"{"$regularExpression":{"pattern":"ab/\"cd","options":"im"}}"#,
        ),
        (
            Bson::Timestamp(bson::Timestamp {
                time: 4_294_967_295,
                increment: 42,
            }),
            Value::Timestamp {
                time: 4_294_967_295,
                increment: 42,
            },
            r#"{"$timestamp":{"t":4294967295,"i":42}}"#,
        ),
        (
            Bson::Decimal128(pi),
            Value::Decimal128(pi.bytes()),
            r#"{"$numberDecimal":"3.14159"}"#,
        ),
        (
            Bson::Decimal128(tiny),
            Value::Decimal128(tiny.bytes()),
            r#"{"$numberDecimal":"-1.00E-8"}"#,
        ),
        (
            Bson::Decimal128(huge),
            Value::Decimal128(huge.bytes()),
            r#"{"$numberDecimal":"1.000000000000000000000000000000000E+6144"}"#,
        ),
        (
            Bson::JavaScriptCode("function(){}".into()),
            Value::JavaScript("function(){}".into()),
            r#"{"$code":"function(){}"}"#,
        ),
        (
            Bson::JavaScriptCodeWithScope(bson::JavaScriptCodeWithScope {
                code: "x".into(),
                scope: bson::doc! { "x": 1_i32, "y": { "$numberLong": "2" } },
            }),
            Value::JavaScriptWithScope(Box::new(CodeWithScope {
                code: "x".into(),
                scope: doc(&[("x", Value::Int32(1)), ("y", Value::Int64(2))]),
            })),
            r#"{"$code":"x","$scope":{"x":1,"y":{"$numberLong":"2"}}}"#,
        ),
        (
            Bson::Symbol("sym".into()),
            Value::Symbol("sym".into()),
            r#"{"$symbol":"sym"}"#,
        ),
        (
            db_pointer,
            Value::DbPointer(Box::new(DbPointer {
                namespace: "db.coll".into(),
                id: OID,
            })),
            r#"{"$dbPointer":{"$ref":"db.coll","$id":{"$oid":"56e1fc72e0c917e9c4714161"}}}"#,
        ),
        (Bson::Undefined, Value::Undefined, r#"{"$undefined":true}"#),
        (Bson::MinKey, Value::MinKey, r#"{"$minKey":1}"#),
        (Bson::MaxKey, Value::MaxKey, r#"{"$maxKey":1}"#),
        (
            Bson::Double(f64::NAN),
            Value::Double(f64::NAN),
            r#"{"$numberDouble":"NaN"}"#,
        ),
        (
            Bson::Double(-f64::NAN),
            Value::Double(-f64::NAN),
            r#"{"$numberDouble":"-NaN"}"#,
        ),
        (
            Bson::Double(f64::INFINITY),
            Value::Double(f64::INFINITY),
            r#"{"$numberDouble":"Infinity"}"#,
        ),
        (
            Bson::Double(f64::NEG_INFINITY),
            Value::Double(f64::NEG_INFINITY),
            r#"{"$numberDouble":"-Infinity"}"#,
        ),
        (Bson::Int64(7), Value::Int64(7), r#"{"$numberLong":"7"}"#),
        (
            Bson::Int64(-2_147_483_648),
            Value::Int64(-2_147_483_648),
            r#"{"$numberLong":"-2147483648"}"#,
        ),
    ]
}

#[test]
fn serde_special_types_match_bson_canonical_extjson() {
    for (bson, value, text) in special_cases() {
        assert_eq!(to_json(&value), text);
        // Our scope writes its Int32 natively; the bson crate wraps it. Everything else is the
        // canonical form verbatim.
        let expected = match &value {
            Value::JavaScriptWithScope(_) => {
                json!({ "$code": "x", "$scope": { "x": 1, "y": { "$numberLong": "2" } } })
            }
            _ => bson.clone().into_canonical_extjson(),
        };
        assert_eq!(serde_json::to_value(&value).unwrap(), expected, "{text}");
        // And it reads back, both from our text and from the bson crate's.
        assert_eq!(from_json(text).unwrap(), value, "{text}");
        let theirs = bson.into_canonical_extjson().to_string();
        assert_eq!(from_json(&theirs).unwrap(), value, "{theirs}");
    }
}

#[test]
fn serde_json_natives_match_bson_relaxed_extjson() {
    let cases = [
        (Bson::Int32(-5), Value::Int32(-5)),
        (Bson::Int64(1 << 40), Value::Int64(1 << 40)),
        (Bson::Double(1.5), Value::Double(1.5)),
        (Bson::Double(-0.0), Value::Double(-0.0)),
        (Bson::String("é\u{0}\"".into()), Value::from("é\u{0}\"")),
        (Bson::Boolean(false), Value::Bool(false)),
        (Bson::Null, Value::Null),
        (
            Bson::Array(vec![Bson::Int32(1), Bson::String("a".into())]),
            Value::Array(vec![Value::Int32(1), Value::from("a")]),
        ),
    ];
    for (bson, value) in cases {
        assert_eq!(
            serde_json::to_value(&value).unwrap(),
            bson.into_relaxed_extjson()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Reading: wrappers, relaxed forms, numbers, maps
// ---------------------------------------------------------------------------------------------

#[test]
fn serde_reads_wrapper_variants_and_relaxed_forms() {
    let cases: [(&str, Value); 19] = [
        (r#"{"$numberInt":"-2147483648"}"#, Value::Int32(i32::MIN)),
        (r#"{"$numberLong":"1"}"#, Value::Int64(1)),
        (
            r#"{"$numberLong":"-9223372036854775808"}"#,
            Value::Int64(i64::MIN),
        ),
        (r#"{"$numberDouble":"-0.0"}"#, Value::Double(-0.0)),
        (
            r#"{"$numberDouble":"1.2345678921232E+18"}"#,
            Value::Double(1.234_567_892_123_2e18),
        ),
        (
            r#"{"$numberDouble":"-Infinity"}"#,
            Value::Double(f64::NEG_INFINITY),
        ),
        (r#"{"$date":"1970-01-01T00:00:00Z"}"#, Value::DateTime(0)),
        (
            r#"{"$date":"2012-12-24T12:15:30.501Z"}"#,
            Value::DateTime(1_356_351_330_501),
        ),
        (
            r#"{"$date":"2012-12-24T13:15:30.5+01:00"}"#,
            Value::DateTime(1_356_351_330_500),
        ),
        (
            r#"{"$uuid":"73ffd264-44b3-4c69-90e8-e7d1dfc035d4"}"#,
            Value::Binary {
                subtype: 4,
                bytes: vec![
                    0x73, 0xff, 0xd2, 0x64, 0x44, 0xb3, 0x4c, 0x69, 0x90, 0xe8, 0xe7, 0xd1, 0xdf,
                    0xc0, 0x35, 0xd4,
                ],
            },
        ),
        (
            r#"{"$binary":{"subType":"5","base64":"AA=="}}"#,
            Value::Binary {
                subtype: 5,
                bytes: vec![0],
            },
        ),
        (
            r#"{"$oid":"56E1FC72E0C917E9C4714161"}"#,
            Value::ObjectId(OID),
        ),
        (
            r#"{"$regularExpression":{"options":"mix","pattern":"a"}}"#,
            Value::Regex(Box::new(Regex {
                pattern: "a".into(),
                options: "imx".into(),
            })),
        ),
        (
            r#"{"$timestamp":{"i":1,"t":2}}"#,
            Value::Timestamp {
                time: 2,
                increment: 1,
            },
        ),
        (
            r#"{"$scope":{},"$code":"c"}"#,
            Value::JavaScriptWithScope(Box::new(CodeWithScope {
                code: "c".into(),
                scope: Document::new(),
            })),
        ),
        (
            r#"{"$dbPointer":{"$id":{"$oid":"56e1fc72e0c917e9c4714161"},"$ref":"b"}}"#,
            Value::DbPointer(Box::new(DbPointer {
                namespace: "b".into(),
                id: OID,
            })),
        ),
        (
            r#"{"$numberDecimal":"-inf"}"#,
            Value::Decimal128((0xF8u128 << 120).to_le_bytes()),
        ),
        // Other `$` keys are plain document keys (query operators, DBRefs).
        (
            r#"{"$regex":"a","$options":"i"}"#,
            Value::Document(doc(&[
                ("$regex", Value::from("a")),
                ("$options", Value::from("i")),
            ])),
        ),
        (
            r#"{"$ref":"c","$id":{"$oid":"56e1fc72e0c917e9c4714161"}}"#,
            Value::Document(doc(&[
                ("$ref", Value::from("c")),
                ("$id", Value::ObjectId(OID)),
            ])),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(from_json(text).unwrap(), expected, "{text}");
    }
}

#[test]
fn serde_integers_pick_int32_then_int64() {
    assert_eq!(from_json("2147483647").unwrap(), Value::Int32(i32::MAX));
    assert_eq!(from_json("-2147483648").unwrap(), Value::Int32(i32::MIN));
    assert_eq!(from_json("2147483648").unwrap(), Value::Int64(1 << 31));
    assert_eq!(
        from_json("-2147483649").unwrap(),
        Value::Int64(-(1 << 31) - 1)
    );
    assert_eq!(
        from_json("9223372036854775807").unwrap(),
        Value::Int64(i64::MAX)
    );
    assert!(from_json("9223372036854775808").is_err());
    assert!(from_json("18446744073709551615").is_err());
    assert_eq!(from_json("3.0").unwrap(), Value::Double(3.0));
    assert_eq!(from_json("1e2").unwrap(), Value::Double(100.0));
}

#[test]
fn serde_duplicate_keys_keep_first_position_last_value() {
    let v = from_json(r#"{"a":1,"b":2,"a":3,"c":4,"a":5}"#).unwrap();
    assert_eq!(
        v,
        Value::Document(doc(&[
            ("a", Value::Int32(5)),
            ("b", Value::Int32(2)),
            ("c", Value::Int32(4)),
        ]))
    );
}

#[test]
fn serde_bytes_read_as_binary_subtype_0() {
    use serde::de::value::{BytesDeserializer, Error};
    use serde::Deserialize;
    let v = Value::deserialize(BytesDeserializer::<Error>::new(b"\x00\xff")).unwrap();
    assert_eq!(
        v,
        Value::Binary {
            subtype: 0,
            bytes: vec![0, 0xff]
        }
    );
    let big = serde::de::value::U64Deserializer::<Error>::new(u64::MAX);
    assert!(Value::deserialize(big).is_err());
    let unit = serde::de::value::UnitDeserializer::<Error>::new();
    assert_eq!(Value::deserialize(unit).unwrap(), Value::Null);
}

#[test]
fn serde_document_reads_only_plain_maps() {
    assert!(serde_json::from_str::<Document>(r#"{"$oid":"56e1fc72e0c917e9c4714161"}"#).is_err());
    assert!(serde_json::from_str::<Document>("[1]").is_err());
    assert!(serde_json::from_str::<Document>("1").is_err());
    let d: Document = serde_json::from_str(r#"{"k":{"$minKey":1}}"#).unwrap();
    assert_eq!(d, doc(&[("k", Value::MinKey)]));
}

#[test]
fn serde_refuses_documents_whose_first_key_is_a_keyword() {
    for keyword in KEYWORDS {
        let d = doc(&[(keyword, Value::from("x"))]);
        assert!(serde_json::to_string(&d).is_err(), "{keyword}");
        let nested = Value::Array(vec![Value::Document(d)]);
        assert!(serde_json::to_string(&nested).is_err(), "{keyword}");
    }
    // Later keys are not wrappers, so they are fine.
    let d = doc(&[("a", Value::Null), ("$oid", Value::from("x"))]);
    let text = serde_json::to_string(&d).unwrap();
    assert_eq!(serde_json::from_str::<Document>(&text).unwrap(), d);
}

#[test]
fn serde_normalises_what_extended_json_cannot_hold() {
    // A NaN payload is dropped; the sign is kept.
    let payload = Value::Double(f64::from_bits(0xfff0_0000_0000_0001));
    assert_eq!(to_json(&payload), r#"{"$numberDouble":"-NaN"}"#);
    assert_eq!(
        from_json(&to_json(&payload)).unwrap(),
        Value::Double(-f64::NAN)
    );
    // A Decimal128 with a coefficient above 10^34 - 1 is zero; a NaN is never signed.
    let overflow = Value::Decimal128(decimal_bytes(false, 6176, (1 << 113) - 1));
    assert_eq!(to_json(&overflow), r#"{"$numberDecimal":"0"}"#);
    let negative_nan = Value::Decimal128((0xFCu128 << 120).to_le_bytes());
    assert_eq!(to_json(&negative_nan), r#"{"$numberDecimal":"NaN"}"#);
}

#[test]
fn serde_sorts_regex_options() {
    let unsorted = Value::Regex(Box::new(Regex {
        pattern: "a".into(),
        options: "xmi".into(),
    }));
    assert_eq!(
        to_json(&unsorted),
        r#"{"$regularExpression":{"pattern":"a","options":"imx"}}"#
    );
    let read = from_json(r#"{"$regularExpression":{"pattern":"a","options":"xmi"}}"#).unwrap();
    assert_eq!(
        read,
        Value::Regex(Box::new(Regex {
            pattern: "a".into(),
            options: "imx".into(),
        }))
    );
}

#[test]
fn serde_deep_nesting_is_an_error_not_a_crash() {
    let deep = "[".repeat(100_000);
    assert!(from_json(&deep).is_err());
    let nest = |n: usize| {
        let mut text = r#"{"$code":"","$scope":{"k":"#.repeat(n);
        text.push_str("null");
        text.push_str(&"}}".repeat(n));
        text
    };
    assert!(from_json(&nest(30)).is_ok());
    assert!(from_json(&nest(10_000)).is_err());
}

// ---------------------------------------------------------------------------------------------
// Malformed wrappers
// ---------------------------------------------------------------------------------------------

/// Each must be refused. The first group is the BSON corpus `top.json` and `binary.json`
/// `parseErrors` (less the NUL-byte ones, see the module docs); the rest are ours.
const MALFORMED: &[&str] = &[
    r#"{"$regularExpression": {"pattern": "abc", "options": "", "unrelated": true}}"#,
    r#"{"$regularExpression": {"pattern": "abc"}}"#,
    r#"{"$regularExpression" : { "pattern": 42, "options" : ""}}"#,
    r#"{"$regularExpression" : { "pattern": "a", "options" : 0}}"#,
    r#"{"$regularExpression": {"options":"ix"}}"#,
    r#"{"$oid" : 42}"#,
    r#"{"$oid" : "56e1fc72e0c917e9c4714161", "unrelated": true}"#,
    r#"{"$numberInt" : 42}"#,
    r#"{"$numberInt" : "42", "unrelated": true}"#,
    r#"{"$numberLong" : 42}"#,
    r#"{"$numberLong" : "42", "unrelated": true}"#,
    r#"{"$numberDouble" : 42}"#,
    r#"{"$numberDouble" : ".1", "unrelated": true}"#,
    r#"{"$numberDecimal" : 42}"#,
    r#"{"$numberDecimal" : ".1", "unrelated": true}"#,
    r#"{"$binary" : {"base64" : 0, "subType" : "00"}}"#,
    r#"{"$binary" : {"base64" : "", "subType" : 0}}"#,
    r#"{"$binary" : {"base64" : "//8="}}"#,
    r#"{"$binary" : {"subType" : "00"}}"#,
    r#"{"$binary" : {"base64" : "//8=", "subType" : 0, "unrelated": true}}"#,
    r#"{"$code" : 42}"#,
    r#"{"$code" : 42, "$scope" : {}}"#,
    r#"{"$code" : "", "unrelated": true}"#,
    r#"{"$code" : "", "$scope" : 42}"#,
    r#"{"$timestamp" : 42}"#,
    r#"{"$timestamp" : {"t" : "123456789", "i" : 42} }"#,
    r#"{"$timestamp" : {"t" : 123456789, "i" : "42"} }"#,
    r#"{"$timestamp" : {"t" : "123456789", "i" : "42"}, "unrelated": true }"#,
    r#"{"$timestamp" : {"t" : "123456789", "i" : "42", "unrelated": true} }"#,
    r#"{"$timestamp" : {"i" : "42"} }"#,
    r#"{"$timestamp" : {"t" : "123456789"} }"#,
    r#"{"$date" : 42}"#,
    r#"{"$date" : {"$numberLong" : "1356351330501"}, "unrelated": true}"#,
    r#"{"$minKey" : true}"#,
    r#"{"$minKey" : 0}"#,
    r#"{"$minKey" : 1, "unrelated": true}"#,
    r#"{"$maxKey" : true}"#,
    r#"{"$maxKey" : 0}"#,
    r#"{"$maxKey" : 1, "unrelated": true}"#,
    r#"{"$dbPointer": {"a": {"$numberInt": "1"}, "$id": {"$oid": "56e1fc72e0c917e9c4714161"}, "c": {"$numberInt": "2"}, "$ref": "b"}}"#,
    r#"{ "$uuid" : { "data" : "73ffd264-44b3-4c69-90e8-e7d1dfc035d4"}}"#,
    r#"{ "$uuid" : "73ffd264-44b3-90e8-e7d1dfc035d4"}"#,
    r#"{ "$uuid" : "73ffd264-44b3-4c69-90e8-e7d1dfc035d4-789e4"}"#,
    r#"{ "$uuid" : "73ff-d26444b-34c6-990e8e-7d1dfc035d4"}"#,
    r#"{ "$uuid" : "----d264-44b3-4--9-90e8-e7d1dfc0----"}"#,
    // Ours.
    r#"{"$oid": "56e1fc72e0c917e9c471416"}"#,
    r#"{"$oid": "56e1fc72e0c917e9c471416g"}"#,
    r#"{"$numberInt": "2147483648"}"#,
    r#"{"$numberInt": "+1"}"#,
    r#"{"$numberInt": " 1"}"#,
    r#"{"$numberLong": "9223372036854775808"}"#,
    r#"{"$numberLong": ""}"#,
    r#"{"$numberDouble": "nan"}"#,
    r#"{"$numberDouble": "inf"}"#,
    r#"{"$numberDouble": "1.0 "}"#,
    r#"{"$numberDouble": "+1.0"}"#,
    r#"{"$numberDecimal": "1E-6177"}"#,
    r#"{"$numberDecimal": "1.11111111111111111111111111111234549"}"#,
    r#"{"$numberDecimal": "sNaN"}"#,
    r#"{"$binary": {"base64": "//8", "subType": "00"}}"#,
    r#"{"$binary": {"base64": "//9=", "subType": "00"}}"#,
    r#"{"$binary": {"base64": "//8=", "subType": "000"}}"#,
    r#"{"$binary": {"base64": "//8=", "subType": "0g"}}"#,
    r#"{"$binary": {"base64": "//8=", "base64": "//8=", "subType": "00"}}"#,
    r#"{"$binary": "//8=", "$type": "00"}"#,
    r#"{"$date": {"$numberInt": "1"}}"#,
    r#"{"$date": "2012-02-30T00:00:00Z"}"#,
    r#"{"$date": "2012-12-24T12:15:30.5015Z"}"#,
    r#"{"$date": "1356351330501"}"#,
    r#"{"$date": 1.5}"#,
    r#"{"$timestamp": {"t": 4294967296, "i": 0}}"#,
    r#"{"$timestamp": {"t": -1, "i": 0}}"#,
    r#"{"$timestamp": {"t": 1.0, "i": 0}}"#,
    r#"{"$minKey": 1.0}"#,
    r#"{"$maxKey": "1"}"#,
    r#"{"$undefined": false}"#,
    r#"{"$undefined": 1}"#,
    r#"{"$scope": {}}"#,
    r#"{"$scope": {}, "$code": "", "x": 1}"#,
    r#"{"$code": "", "$scope": {}, "$scope": {}}"#,
    r#"{"$code": "", "$scope": {"$oid": "56e1fc72e0c917e9c4714161"}}"#,
    r#"{"$dbPointer": {"$ref": "b", "$id": "56e1fc72e0c917e9c4714161"}}"#,
    r#"{"$dbPointer": {"$ref": 1, "$id": {"$oid": "56e1fc72e0c917e9c4714161"}}}"#,
    r#"{"$symbol": 1}"#,
    r#"{"$oid": null}"#,
];

/// serde_json would also refuse an unread entry; the wrapper check says why, and holds for
/// deserializers that do not check.
#[test]
fn serde_names_the_extra_key_in_a_wrapper() {
    let err = from_json(r#"{"$oid":"56e1fc72e0c917e9c4714161","x":1}"#).unwrap_err();
    assert!(
        err.to_string().contains("$oid wrapper has an extra key"),
        "{err}"
    );
}

#[test]
fn serde_refuses_malformed_extended_json() {
    for text in MALFORMED {
        assert!(from_json(text).is_err(), "accepted {text}");
        // Nested too.
        let nested = format!(r#"{{"a": [{text}]}}"#);
        assert!(from_json(&nested).is_err(), "accepted {nested}");
    }
}
