//! The BSON corpus
//! (<https://github.com/mongodb/specifications/tree/master/source/bson-corpus>) against
//! `bson::read` / `bson::write`.
//!
//! The corpus is read from the folder named by `BSON_CORPUS_DIR` and is never copied into this
//! repository (its licence, CC BY-NC-SA, forbids that). So the test is `#[ignore]`d: a plain
//! `cargo test` lists it as ignored, not as passed. CI sets `BSON_CORPUS_DIR` and runs it with
//! `cargo test --all-features --test bson_corpus -- --include-ignored`; run that way with the
//! variable unset, or set to a folder that does not exist, the test fails.
//!
//! What the spec asks of a driver, and what applies to us:
//! - `valid`: `native_to_bson(bson_to_native(canonical_bson)) == canonical_bson`. Run for every
//!   case. Cases flagged `lossy` are run too: the flag says Extended JSON cannot represent the
//!   value (a NaN payload, a negative NaN), and we hold the exact bytes.
//! - `degenerate_bson`: `native_to_bson(bson_to_native(degenerate_bson)) == canonical_bson`. Run
//!   for every case: array index keys are rewritten `"0"`, `"1"`, ... and regex options sorted.
//! - `converted_bson`: for drivers that convert deprecated types (Symbol, Undefined, DBPointer)
//!   to others. We convert two of them as pymongo's `bson.decode` does: a symbol reads as a
//!   string and undefined as null. So a case holding either is checked against
//!   `converted_bson` (`native_to_bson(bson_to_native(canonical_bson)) == converted_bson`) and
//!   its value against `converted_extjson`. A DBPointer we keep (pymongo makes a `DBRef` of it):
//!   `dbpointer.json`'s cases take the canonical round trip and count as not applicable here,
//!   and in `multi-type-deprecated.json`, whose conversion covers all three, the DBPointer is
//!   compared in its converted form but the bytes only for a stable round trip.
//! - A `valid` datetime outside the years 1 to 9999 (`datetime.json`'s "Y10K") is refused, as
//!   pymongo 4's `bson.decode` refuses it with its default options (`InvalidBSON`: "year 10000
//!   is out of range"), and beaker-session-jwt reads the `bsZ` claim with those options: the
//!   error must be `Unsupported` in the BSON layer.
//! - `decodeErrors`: `bson_to_native` must fail. Run for every case, and the error must be
//!   `Malformed` or `Unsupported` in the BSON layer (not a limit, which would hide a missing
//!   check).
//! - `canonical_extjson`: the value we read from `canonical_bson` is compared with it, type by
//!   type (a test-local mapping, below), except for `lossy` cases, whose JSON drops what the
//!   bytes hold.
//! - `parseErrors`, `relaxed_extjson`, `degenerate_extjson` and `converted_extjson` test an
//!   Extended JSON or decimal string parser, which this crate does not have: `parseErrors` are
//!   counted as not applicable, the other fields are not read.

use std::fs;
use std::path::{Path, PathBuf};

use beaker_session_jwt::{
    bson, CodeWithScope, DbPointer, Document, Error, Layer, Limits, Regex, Value,
};
use serde_json::Value as Json;

#[derive(Default)]
struct Tally {
    files: usize,
    valid_run: usize,
    valid_passed: usize,
    lossy_run: usize,
    degenerate_run: usize,
    degenerate_passed: usize,
    refused_as_pymongo: usize,
    converted_run: usize,
    converted_passed: usize,
    decode_errors_run: usize,
    decode_errors_passed: usize,
    converted_not_applicable: usize,
    parse_errors_not_applicable: usize,
    extjson_checked: usize,
    extjson_passed: usize,
    failures: Vec<String>,
}

/// Every `valid` and `decodeErrors` case of every corpus file.
#[test]
#[ignore = "needs BSON_CORPUS_DIR (the official BSON corpus; CI sets it and runs --include-ignored)"]
fn bson_corpus_conformance() {
    // Asked to run (--ignored / --include-ignored) without the corpus: fail, never pass empty.
    let Some(dir) = std::env::var_os("BSON_CORPUS_DIR") else {
        panic!(
            "bson_corpus: BSON_CORPUS_DIR is not set (set it to a checkout of \
             specifications/source/bson-corpus/tests to run the corpus)"
        );
    };
    let dir = PathBuf::from(dir);
    assert!(
        dir.is_dir(),
        "BSON_CORPUS_DIR={} is not a folder",
        dir.display()
    );
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .json files in {}", dir.display());

    let mut tally = Tally::default();
    for file in &files {
        check_file(file, &mut tally);
    }

    println!(
        "bson_corpus: {} files; valid {}/{} passed ({} of them lossy, {} refused as pymongo \
         refuses them, {}/{} checked against converted_bson); degenerate_bson {}/{} \
         passed; decodeErrors {}/{} refused; not applicable: {} converted_bson, {} parseErrors; \
         values checked against canonical or converted extjson {}/{} passed (lossy cases not \
         compared)",
        tally.files,
        tally.valid_passed,
        tally.valid_run,
        tally.lossy_run,
        tally.refused_as_pymongo,
        tally.converted_passed,
        tally.converted_run,
        tally.degenerate_passed,
        tally.degenerate_run,
        tally.decode_errors_passed,
        tally.decode_errors_run,
        tally.converted_not_applicable,
        tally.parse_errors_not_applicable,
        tally.extjson_passed,
        tally.extjson_checked,
    );
    for failure in &tally.failures {
        println!("FAILED {failure}");
    }
    assert!(
        tally.failures.is_empty(),
        "{} failures",
        tally.failures.len()
    );
    assert_eq!(tally.files, files.len());
    assert!(tally.valid_run > 0 && tally.decode_errors_run > 0);
    assert_eq!(tally.valid_passed, tally.valid_run);
    assert_eq!(tally.degenerate_passed, tally.degenerate_run);
    assert_eq!(tally.decode_errors_passed, tally.decode_errors_run);
    assert_eq!(tally.extjson_passed, tally.extjson_checked);
    assert_eq!(tally.converted_passed, tally.converted_run);
    assert!(tally.refused_as_pymongo > 0 && tally.converted_run > 0);
    assert_eq!(
        tally.extjson_checked,
        tally.valid_run - tally.lossy_run - tally.refused_as_pymongo
    );
}

fn check_file(path: &Path, tally: &mut Tally) {
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let suite: Json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    tally.files += 1;
    for case in array(&suite, "valid") {
        let label = format!("{name}: valid: {}", text_field(case, "description"));
        check_valid(&label, case, tally);
    }
    for case in array(&suite, "decodeErrors") {
        let label = format!("{name}: decodeErrors: {}", text_field(case, "description"));
        tally.decode_errors_run += 1;
        let bytes = hex(text_field(case, "bson"));
        match bson::read(&bytes, &Limits::default()) {
            Err(Error::Malformed {
                layer: Layer::Bson, ..
            })
            | Err(Error::Unsupported {
                layer: Layer::Bson, ..
            }) => tally.decode_errors_passed += 1,
            other => tally.failures.push(format!("{label}: read gave {other:?}")),
        }
    }
    tally.parse_errors_not_applicable += array(&suite, "parseErrors").len();
}

/// The earliest and latest datetimes (ms) pymongo reads: Python's `datetime` years 1 to 9999.
const DATETIME_MIN_MS: i64 = -62_135_596_800_000;
const DATETIME_MAX_MS: i64 = 253_402_300_799_999;

/// Whether `json` (Extended JSON) holds a `$date` pymongo refuses to decode.
fn has_out_of_range_date(json: &Json) -> bool {
    match json {
        Json::Object(map) => map.iter().any(|(key, value)| {
            let ms = value
                .get("$numberLong")
                .and_then(Json::as_str)
                .and_then(|s| s.parse::<i64>().ok());
            (key == "$date"
                && ms.is_some_and(|ms| !(DATETIME_MIN_MS..=DATETIME_MAX_MS).contains(&ms)))
                || has_out_of_range_date(value)
        }),
        Json::Array(items) => items.iter().any(has_out_of_range_date),
        _ => false,
    }
}

/// How a case's values are compared with its Extended JSON.
#[derive(Clone, Copy, PartialEq)]
enum Form {
    /// `canonical_extjson`: every BSON type as itself.
    Canonical,
    /// `converted_extjson`: symbols as strings, undefined as null, and a DBPointer as the
    /// `{"$ref", "$id"}` DBRef pymongo makes of it (the value we keep is compared with that).
    Converted,
}

fn check_valid(label: &str, case: &Json, tally: &mut Tally) {
    tally.valid_run += 1;
    let lossy = case.get("lossy").and_then(Json::as_bool) == Some(true);
    if lossy {
        tally.lossy_run += 1;
    }
    let canonical = hex(text_field(case, "canonical_bson"));
    let extjson = |field: &str| serde_json::from_str::<Json>(text_field(case, field));
    if extjson("canonical_extjson").is_ok_and(|j| has_out_of_range_date(&j)) {
        tally.refused_as_pymongo += 1;
        match bson::read(&canonical, &Limits::default()) {
            Err(Error::Unsupported {
                layer: Layer::Bson, ..
            }) => tally.valid_passed += 1,
            other => tally.failures.push(format!(
                "{label}: a datetime pymongo refuses was read as {other:?}"
            )),
        }
        return;
    }
    // Symbols and undefined convert as pymongo converts them.
    let canonical_text = text_field(case, "canonical_extjson");
    let converts = case.get("converted_bson").is_some()
        && (canonical_text.contains("$symbol") || canonical_text.contains("$undefined"));
    let expected = if converts {
        tally.converted_run += 1;
        hex(text_field(case, "converted_bson"))
    } else {
        canonical.clone()
    };
    let has_pointer = canonical_text.contains("$dbPointer");
    let bytes_ok = match round_trip(&canonical) {
        Ok(out) if out == expected => true,
        // The corpus converts the DBPointer too, which we keep: the bytes cannot be the
        // converted ones; they must at least be stable (the values are checked below).
        Ok(out) if converts && has_pointer && round_trip(&out).as_ref() == Ok(&out) => true,
        Ok(out) => {
            tally.failures.push(format!(
                "{label}: wrote {} instead of the {} bytes",
                to_hex(&out),
                if converts { "converted" } else { "canonical" }
            ));
            false
        }
        Err(e) => {
            tally.failures.push(format!("{label}: {e}"));
            false
        }
    };
    if bytes_ok {
        tally.valid_passed += 1;
        tally.converted_passed += usize::from(converts);
    }
    if let Some(degenerate) = case.get("degenerate_bson").and_then(Json::as_str) {
        tally.degenerate_run += 1;
        match round_trip(&hex(degenerate)) {
            Ok(out) if out == expected => tally.degenerate_passed += 1,
            Ok(out) => tally.failures.push(format!(
                "{label}: degenerate_bson wrote {} instead of the expected bytes",
                to_hex(&out)
            )),
            Err(e) => tally
                .failures
                .push(format!("{label}: degenerate_bson: {e}")),
        }
    }
    if case.get("converted_bson").is_some() && !converts {
        tally.converted_not_applicable += 1;
    }
    if !lossy {
        let (field, form) = if converts {
            ("converted_extjson", Form::Converted)
        } else {
            ("canonical_extjson", Form::Canonical)
        };
        check_extjson(label, case, field, form, &canonical, tally);
    }
}

fn round_trip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let doc = bson::read(bytes, &Limits::default()).map_err(|e| format!("read: {e}"))?;
    bson::write(&doc).map_err(|e| format!("write: {e}"))
}

/// The value we read means what the case's `canonical_extjson` says: checks values, not just
/// bytes (a swapped Timestamp half or a reversed Decimal128 would round-trip its bytes
/// unnoticed). The comparison follows the Extended JSON spec's canonical mapping, one BSON type
/// at a time, driven by our `Value` (so a document whose keys look like `$code` is still a
/// document). Key order is not compared here; the byte round trip covers it.
fn check_extjson(
    label: &str,
    case: &Json,
    field: &str,
    form: Form,
    canonical: &[u8],
    tally: &mut Tally,
) {
    tally.extjson_checked += 1;
    let expected: Json = match serde_json::from_str(text_field(case, field)) {
        Ok(json) => json,
        Err(e) => {
            tally.failures.push(format!("{label}: {field}: {e}"));
            return;
        }
    };
    match bson::read(canonical, &Limits::default()) {
        Ok(doc) if doc_matches(&doc, &expected, form) => tally.extjson_passed += 1,
        Ok(doc) => tally
            .failures
            .push(format!("{label}: read {doc:?}, {field} says {expected}")),
        Err(e) => tally.failures.push(format!("{label}: read: {e}")),
    }
}

fn doc_matches(doc: &Document, json: &Json, form: Form) -> bool {
    let Some(object) = json.as_object() else {
        return false;
    };
    object.len() == doc.len()
        && doc.iter().all(|(key, value)| {
            object
                .get(key)
                .is_some_and(|j| value_matches(value, j, form))
        })
}

/// `json` is the Extended JSON of `value`, in `form`.
fn value_matches(value: &Value, json: &Json, form: Form) -> bool {
    let field = |name: &str| json.get(name);
    let text = |name: &str| json.get(name).and_then(Json::as_str);
    let one_field = json.as_object().map(serde_json::Map::len);
    match value {
        Value::Double(d) => text("$numberDouble")
            .and_then(|s| s.parse::<f64>().ok())
            .is_some_and(|e| e.to_bits() == d.to_bits() || (e.is_nan() && d.is_nan())),
        Value::String(s) => json.as_str() == Some(s.as_str()),
        Value::Document(d) => doc_matches(d, json, form),
        Value::Array(items) => json.as_array().is_some_and(|a| {
            a.len() == items.len() && items.iter().zip(a).all(|(v, j)| value_matches(v, j, form))
        }),
        Value::Binary { subtype, bytes } => field("$binary").is_some_and(|b| {
            b.get("subType").and_then(Json::as_str) == Some(format!("{subtype:02x}").as_str())
                && b.get("base64").and_then(Json::as_str).map(base64) == Some(bytes.clone())
        }),
        Value::Undefined => field("$undefined") == Some(&Json::Bool(true)),
        Value::ObjectId(id) => text("$oid") == Some(to_hex(id).to_lowercase().as_str()),
        Value::Bool(b) => json.as_bool() == Some(*b),
        Value::DateTime(ms) => {
            field("$date")
                .and_then(|d| d.get("$numberLong"))
                .and_then(Json::as_str)
                == Some(ms.to_string().as_str())
        }
        Value::Null => json.is_null(),
        Value::Regex(regex) => {
            let Regex { pattern, options } = &**regex;
            field("$regularExpression").is_some_and(|r| {
                r.get("pattern").and_then(Json::as_str) == Some(pattern.as_str())
                    && r.get("options").and_then(Json::as_str) == Some(options.as_str())
            })
        }
        Value::DbPointer(pointer) if form == Form::Converted => {
            let DbPointer { namespace, id } = &**pointer;
            one_field == Some(2)
                && text("$ref") == Some(namespace.as_str())
                && field("$id")
                    .and_then(|i| i.get("$oid"))
                    .and_then(Json::as_str)
                    == Some(to_hex(id).to_lowercase().as_str())
        }
        Value::DbPointer(pointer) => {
            let DbPointer { namespace, id } = &**pointer;
            field("$dbPointer").is_some_and(|p| {
                p.get("$ref").and_then(Json::as_str) == Some(namespace.as_str())
                    && p.get("$id")
                        .and_then(|i| i.get("$oid"))
                        .and_then(Json::as_str)
                        == Some(to_hex(id).to_lowercase().as_str())
            })
        }
        Value::JavaScript(code) => one_field == Some(1) && text("$code") == Some(code.as_str()),
        Value::Symbol(s) => text("$symbol") == Some(s.as_str()),
        Value::JavaScriptWithScope(cws) => {
            let CodeWithScope { code, scope } = &**cws;
            text("$code") == Some(code.as_str())
                && field("$scope").is_some_and(|j| doc_matches(scope, j, form))
        }
        Value::Int32(i) => text("$numberInt") == Some(i.to_string().as_str()),
        Value::Timestamp { time, increment } => field("$timestamp").is_some_and(|t| {
            t.get("t").and_then(Json::as_u64) == Some(u64::from(*time))
                && t.get("i").and_then(Json::as_u64) == Some(u64::from(*increment))
        }),
        Value::Int64(i) => text("$numberLong") == Some(i.to_string().as_str()),
        Value::Decimal128(bytes) => text("$numberDecimal") == Some(decimal128(bytes).as_str()),
        Value::MinKey => field("$minKey") == Some(&Json::from(1)),
        Value::MaxKey => field("$maxKey") == Some(&Json::from(1)),
    }
}

/// The Decimal128 spec's "to string" for 16 little-endian bytes (the spec's algorithm; the
/// `lossy` cases, whose NaN sign or payload it drops, are not compared).
fn decimal128(bytes: &[u8; 16]) -> String {
    let bits = u128::from_le_bytes(*bytes);
    let negative = bits >> 127 == 1;
    let sign = if negative { "-" } else { "" };
    let combination = (bits >> 122) & 0x1F;
    if combination == 0x1F {
        return "NaN".into();
    }
    if combination == 0x1E {
        return format!("{sign}Infinity");
    }
    let (exponent, coefficient) = if (bits >> 125) & 0b11 == 0b11 {
        // 11 after the sign: the implicit 100 prefix makes the coefficient exceed 10^34 - 1.
        ((bits >> 111) & 0x3FFF, 0)
    } else {
        ((bits >> 113) & 0x3FFF, bits & ((1u128 << 113) - 1))
    };
    let coefficient = if coefficient > 10u128.pow(34) - 1 {
        0
    } else {
        coefficient
    };
    let exponent = exponent as i64 - 6176;
    let digits = coefficient.to_string();
    let n = digits.len() as i64;
    let adjusted = exponent + n - 1;
    if exponent <= 0 && adjusted >= -6 {
        if exponent == 0 {
            return format!("{sign}{digits}");
        }
        let point = n + exponent;
        if point > 0 {
            let (int, frac) = digits.split_at(point as usize);
            format!("{sign}{int}.{frac}")
        } else {
            format!("{sign}0.{}{digits}", "0".repeat((-point) as usize))
        }
    } else {
        let (first, rest) = digits.split_at(1);
        let point = if rest.is_empty() { "" } else { "." };
        let exp_sign = if adjusted >= 0 { "+" } else { "-" };
        format!("{sign}{first}{point}{rest}E{exp_sign}{}", adjusted.abs())
    }
}

fn base64(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes().filter(|&c| c != b'=') {
        let v = ALPHABET.iter().position(|&a| a == c).expect("base64 digit") as u32;
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn array<'a>(suite: &'a Json, field: &str) -> &'a [Json] {
    suite
        .get(field)
        .and_then(Json::as_array)
        .map_or(&[], Vec::as_slice)
}

fn text_field<'a>(case: &'a Json, field: &str) -> &'a str {
    case.get(field)
        .and_then(Json::as_str)
        .unwrap_or_else(|| panic!("case without a string {field}: {case}"))
}

fn hex(text: &str) -> Vec<u8> {
    assert!(text.len() % 2 == 0, "odd-length hex: {text}");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap_or_else(|e| panic!("{text}: {e}")))
        .collect()
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}
