//! Properties of `json::read` / `json::write` (Python's `json` is checked byte for byte in
//! `json_vectors.rs`; these cover what fixtures cannot enumerate).

use beaker_session_jwt::json::{self, Style};
use beaker_session_jwt::{Document, Error, Limits, Value};
use proptest::prelude::*;

/// A double as JSON can carry it: any bits, except that NaN is the one NaN Python reads.
fn double() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_map(|d| if d.is_nan() { f64::NAN } else { d }),
        any::<u64>().prop_map(|b| {
            let d = f64::from_bits(b);
            if d.is_nan() {
                f64::NAN
            } else {
                d
            }
        }),
        Just(-0.0),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\"\\\\/\u{0}-\u{1f}\u{7f}-\u{a0} a-z\u{2028}\u{fffe}\u{ffff}\u{10000}-\u{10ffff}]{0,12}",
    ]
}

/// A value JSON can hold: what `read` gives back, so Int64 only outside i32.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(Value::Int32),
        any::<i64>().prop_map(Value::from),
        double().prop_map(Value::Double),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (text().prop_map(beaker_session_jwt::Str::from), inner),
                0..6
            )
            .prop_map(|entries| Value::Document(Document::from_entries(entries))),
        ]
    })
}

fn json_document() -> impl Strategy<Value = Document> {
    prop::collection::vec(
        (text().prop_map(beaker_session_jwt::Str::from), json_value()),
        0..8,
    )
    .prop_map(Document::from_entries)
}

const STYLES: [Style; 3] = [Style::Compact, Style::CompactAscii, Style::Python];

proptest! {
    /// Every JSON-representable document reads back equal from what `write` makes, in every style.
    #[test]
    fn json_read_inverts_write(doc in json_document()) {
        for style in STYLES {
            let text = json::write(&doc, style).unwrap();
            prop_assert_eq!(json::read(text.as_bytes(), &Limits::DEFAULT), Ok(doc.clone()));
            prop_assert_eq!(json::read_str(&text, &Limits::DEFAULT), Ok(doc.clone()));
        }
    }

    /// The ASCII styles write only ASCII, and differ from `Compact` only in escapes and spacing.
    #[test]
    fn json_ascii_styles_are_ascii(doc in json_document()) {
        let ascii = json::write(&doc, Style::CompactAscii).unwrap();
        prop_assert!(ascii.is_ascii());
        prop_assert!(json::write(&doc, Style::Python).unwrap().is_ascii());
        let compact = json::write(&doc, Style::Compact).unwrap();
        prop_assert_eq!(compact == ascii, compact.is_ascii() && !compact.contains('\u{7f}'));
    }

    /// Arbitrary bytes with tiny limits never panic; whatever reads, writes and reads back the same.
    #[test]
    fn json_arbitrary_bytes_are_safe(
        bytes in prop::collection::vec(any::<u8>(), 0..64),
        depth in 0usize..4,
        items in 0usize..8,
        str_len in 0usize..8,
    ) {
        let mut limits = Limits::DEFAULT;
        limits.max_depth = depth;
        limits.max_items = items;
        limits.max_str_len = str_len;
        if let Ok(value) = json::read_value(&bytes, &limits) {
            let text = json::write_value(&value, Style::Python).unwrap();
            prop_assert_eq!(json::read_value(text.as_bytes(), &limits), Ok(value));
        }
    }

    /// JSON-shaped noise (the grammar's own bytes) never panics, and whatever reads round-trips
    /// through every style.
    #[test]
    fn json_grammar_noise_is_safe(text in "[\\[\\]{}\",: 0-9.eE+\\-\\\\utrfalsNI\u{e9}\u{1F600}]{0,40}") {
        match json::read_value(text.as_bytes(), &Limits::DEFAULT) {
            Ok(value) => {
                for style in STYLES {
                    let written = json::write_value(&value, style).unwrap();
                    prop_assert_eq!(json::read_value(written.as_bytes(), &Limits::DEFAULT), Ok(value.clone()));
                }
            }
            Err(e) => {
                let refused = matches!(e, Error::Malformed { .. } | Error::Unsupported { .. });
                prop_assert!(refused, "{:?}", e);
            }
        }
    }
}
