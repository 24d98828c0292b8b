//! The static vectors of `tests/data/<mode>/`, written by `tests/data/make_vectors.py` with the
//! Python reference (beaker-session-jwt 1.0.4): every cookie Python accepted must decode in
//! Rust to the session Python returned (canonical Extended JSON, top-level key order included),
//! and every cookie Python refused must be refused. No Python is needed to run these.
//!
//! All four modes are here (JWT bsZ, JWT JSON, legacy pickle, legacy JSON), plus RFC 7515
//! Appendix A.1, which joserfc accepts (its header carries CRLFs and whitespace, and no bsZ).
//! Each folder's `options.ini` gives the reading options; `<case>.ini` replaces it for a case.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use base64ct::{Base64UrlUnpadded, Encoding};
use beaker_session_jwt::{decode_cookie, Config, Error, Format, Layer, SecretKey};
use common::extjson;

/// `now` for `decode_cookie`; no vector config sets `timeout`.
const NOW: f64 = 1_700_000_000.0;

/// RFC 7515 Appendix A.1's HMAC key (the JWK `k`, base64url).
const RFC7515_A1_KEY: &str =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";

const FOLDERS: [&str; 4] = ["jwt_bson", "jwt_json", "legacy_pickle", "legacy_json"];

/// How Rust must refuse a cookie Python refused.
#[derive(Clone, Copy, Debug)]
enum Refusal {
    /// Any error.
    Any,
    /// `Error::BadSignature`: a changed byte or an unknown key.
    BadSignature,
    /// `Error::Unsupported` in `Layer::Jws`: an `alg` other than HS256.
    UnsupportedJws,
}

#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Python's session (canonical Extended JSON), the format and the index of the key.
    Session {
        json: &'static str,
        format: Option<Format>,
        key_index: usize,
    },
    /// Python's exception text, and what Rust must say.
    Refused {
        python: &'static str,
        refusal: Refusal,
    },
    /// A deliberate difference (Python 2 byte strings): Python refuses the cookie,
    /// Rust reads it to this session (canonical Extended JSON).
    ReadWherePythonRefuses {
        python: &'static str,
        json: &'static str,
    },
}

struct Vector {
    folder: &'static str,
    name: &'static str,
    cookie: &'static str,
    ini: Option<&'static str>,
    expect: Expect,
}

impl Vector {
    fn with_ini(mut self, ini: &'static str) -> Vector {
        self.ini = Some(ini);
        self
    }
}

fn accepted(
    folder: &'static str,
    name: &'static str,
    cookie: &'static str,
    json: &'static str,
    format: Option<Format>,
    key_index: usize,
) -> Vector {
    Vector {
        folder,
        name,
        cookie,
        ini: None,
        expect: Expect::Session {
            json,
            format,
            key_index,
        },
    }
}

fn refused(
    folder: &'static str,
    name: &'static str,
    cookie: &'static str,
    python: &'static str,
    refusal: Refusal,
) -> Vector {
    Vector {
        folder,
        name,
        cookie,
        ini: None,
        expect: Expect::Refused { python, refusal },
    }
}

fn read_where_python_refuses(
    folder: &'static str,
    name: &'static str,
    cookie: &'static str,
    python: &'static str,
    json: &'static str,
) -> Vector {
    Vector {
        folder,
        name,
        cookie,
        ini: None,
        expect: Expect::ReadWherePythonRefuses { python, json },
    }
}

fn folder_options(folder: &str) -> &'static str {
    match folder {
        "jwt_bson" => include_str!("data/jwt_bson/options.ini"),
        "jwt_json" => include_str!("data/jwt_json/options.ini"),
        "legacy_pickle" => include_str!("data/legacy_pickle/options.ini"),
        "legacy_json" => include_str!("data/legacy_json/options.ini"),
        other => panic!("no folder {other}"),
    }
}

fn config(v: &Vector) -> Config {
    let mut config = Config::from_ini(
        v.ini.unwrap_or_else(|| folder_options(v.folder)),
        "app:main",
    )
    .unwrap_or_else(|e| panic!("{}/{}: options give no Config: {e}", v.folder, v.name));
    if v.name == "rfc7515_a1" {
        let key = Base64UrlUnpadded::decode_vec(RFC7515_A1_KEY).expect("the RFC's key");
        config.jwt_secret_keys = vec![SecretKey::new(key)];
    }
    config
}

/// Checks one vector; returns what went wrong.
fn check(v: &Vector) -> Option<String> {
    let what = format!("{}/{}", v.folder, v.name);
    let result = decode_cookie(v.cookie, &config(v), NOW);
    match (v.expect, result) {
        (
            Expect::Session {
                json,
                format,
                key_index,
            },
            Ok(decoded),
        ) => {
            let expected: serde_json::Value = serde_json::from_str(json).expect("valid .json");
            let ours = extjson::session(&decoded.session);
            if let Some(diff) = extjson::difference(&ours, &expected) {
                return Some(format!(
                    "{what}: session differs (Rust left, Python right) at {diff}"
                ));
            }
            let order: Vec<&str> = decoded.session.keys().collect();
            if order != extjson::top_level_keys(json) {
                return Some(format!(
                    "{what}: key order {order:?}, Python {:?}",
                    extjson::top_level_keys(json)
                ));
            }
            if format.is_some_and(|f| f != decoded.format) {
                return Some(format!(
                    "{what}: format {:?}, expected {format:?}",
                    decoded.format
                ));
            }
            if decoded.key_index != key_index {
                return Some(format!(
                    "{what}: key_index {}, expected {key_index}",
                    decoded.key_index
                ));
            }
            None
        }
        (Expect::Session { .. }, Err(e)) => {
            Some(format!("{what}: Python accepted it, Rust refused: {e:?}"))
        }
        (Expect::Refused { python, .. }, Ok(decoded)) => Some(format!(
            "{what}: Python refused it ({}), Rust accepted {}",
            python.trim(),
            extjson::session_text(&decoded.session)
        )),
        (Expect::ReadWherePythonRefuses { json, .. }, Ok(decoded)) => {
            let expected: serde_json::Value = serde_json::from_str(json).expect("valid json");
            extjson::difference(&extjson::session(&decoded.session), &expected).map(|diff| {
                format!("{what}: session differs (Rust left, expected right) at {diff}")
            })
        }
        (Expect::ReadWherePythonRefuses { python, .. }, Err(e)) => Some(format!(
            "{what}: Python refused it ({}) and we must read it, but Rust refused: {e:?}",
            python.trim()
        )),
        (Expect::Refused { refusal, .. }, Err(e)) => match (refusal, e) {
            (Refusal::Any, _)
            | (Refusal::BadSignature, Error::BadSignature)
            | (
                Refusal::UnsupportedJws,
                Error::Unsupported {
                    layer: Layer::Jws, ..
                },
            ) => None,
            (refusal, e) => Some(format!("{what}: refused with {e:?}, expected {refusal:?}")),
        },
    }
}

fn check_all(test: &str, vectors: &[Vector]) {
    assert!(!vectors.is_empty());
    let failures: Vec<String> = vectors.iter().filter_map(check).collect();
    assert!(
        failures.is_empty(),
        "{test}: {} of {} vectors failed:\n- {}",
        failures.len(),
        vectors.len(),
        failures.join("\n- ")
    );
}

#[test]
fn vectors_jwt_bson_match_python() {
    check_all("vectors_jwt_bson_match_python", &jwt_bson());
}

#[test]
fn vectors_jwt_json_match_python() {
    check_all("vectors_jwt_json_match_python", &jwt_json());
}

#[test]
#[cfg(feature = "legacy")]
fn vectors_legacy_pickle_match_python() {
    check_all("vectors_legacy_pickle_match_python", &legacy_pickle());
}

#[test]
#[cfg(feature = "legacy")]
fn vectors_legacy_json_match_python() {
    check_all("vectors_legacy_json_match_python", &legacy_json());
}

/// The tables below name every file of `tests/data/<mode>/` (so a new vector cannot be
/// forgotten), and each case has exactly the expectation file its table entry says.
#[test]
fn vectors_tables_cover_every_data_file() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("data");
    let tables = [jwt_bson(), jwt_json(), legacy_pickle(), legacy_json()];
    for (folder, table) in FOLDERS.iter().zip(&tables) {
        let mut on_disk = BTreeSet::new();
        for entry in std::fs::read_dir(data.join(folder)).expect("the vector folder") {
            let name = entry
                .expect("a directory entry")
                .file_name()
                .into_string()
                .expect("UTF-8");
            if name != "options.ini" {
                on_disk.insert(name);
            }
        }
        let mut listed = BTreeSet::new();
        for v in table {
            assert_eq!(v.folder, *folder, "{} is listed under {folder}", v.name);
            listed.insert(format!("{}.cookie", v.name));
            listed.insert(match v.expect {
                Expect::Session { .. } => format!("{}.json", v.name),
                Expect::Refused { .. } | Expect::ReadWherePythonRefuses { .. } => {
                    format!("{}.error", v.name)
                }
            });
            if v.ini.is_some() {
                listed.insert(format!("{}.ini", v.name));
            }
        }
        assert_eq!(
            listed, on_disk,
            "tests/data/{folder}: the table and the files differ"
        );
    }
}

/// The vectors cover what they claim: every mode has accepted and refused cases, key rotation,
/// the 4064-character maximum, and RFC 7515 A.1.
#[test]
fn vectors_cover_the_cases_that_matter() {
    for (folder, table) in
        FOLDERS
            .iter()
            .zip([jwt_bson(), jwt_json(), legacy_pickle(), legacy_json()])
    {
        let accepted = table
            .iter()
            .filter(|v| matches!(v.expect, Expect::Session { .. }))
            .count();
        let refused = table.len() - accepted;
        assert!(
            accepted >= 10 && refused >= 5,
            "{folder}: {accepted} accepted, {refused} refused"
        );
        let max = table
            .iter()
            .find(|v| v.name == "max_size")
            .expect("a max_size case");
        assert_eq!(max.cookie.len(), 4064, "{folder}/max_size");
        if folder.starts_with("jwt") {
            assert!(table.iter().any(|v| v.name == "rotated_key2"));
            assert!(table.iter().any(|v| v.name == "rfc7515_a1"));
        }
    }
}

/// The comparison itself is sound: every expected session, parsed into our `Value`s and
/// spelled again by `tests/common/extjson.rs`, is the same Extended JSON (so a failing vector
/// is the codec's fault, not the harness's), and `top_level_keys` reads Python's key order.
/// Needs no codec.
#[test]
fn vectors_harness_spells_extjson_like_python() {
    let mut checked = 0;
    for table in [jwt_bson(), jwt_json(), legacy_pickle(), legacy_json()] {
        for v in table {
            let Expect::Session { json, .. } = v.expect else {
                continue;
            };
            let python: serde_json::Value = serde_json::from_str(json).expect("valid .json");
            let ours = extjson::session(&extjson::session_from(&python));
            if let Some(diff) = extjson::difference(&ours, &python) {
                panic!(
                    "{}/{}: extjson.rs spells it differently at {diff}",
                    v.folder, v.name
                );
            }
            let keys = extjson::top_level_keys(json);
            let mut sorted = keys.clone();
            sorted.sort();
            let mut expected: Vec<String> = python
                .as_object()
                .expect("an object")
                .keys()
                .cloned()
                .collect();
            expected.sort();
            assert_eq!(sorted, expected, "{}/{}: top_level_keys", v.folder, v.name);
            checked += 1;
        }
    }
    assert!(checked > 60, "only {checked} sessions checked");
}

/// The comparison tells apart what differs and only what differs: an Int32 from an Int64 of
/// the same number, 0.0 from -0.0, a missing key; it equates any two NaNs and two spellings of
/// one double or decimal. `top_level_keys` reads a vector's key order.
#[test]
fn vectors_harness_comparison_is_strict() {
    let same = |a: serde_json::Value, b: serde_json::Value| extjson::difference(&a, &b).is_none();
    use serde_json::json;
    assert!(same(
        json!({"a": {"$numberDouble": "1e+20"}}),
        json!({"a": {"$numberDouble": "1e20"}})
    ));
    assert!(same(
        json!({"a": {"$numberDouble": "NaN"}}),
        json!({"a": {"$numberDouble": "-NaN"}})
    ));
    assert!(same(
        json!({"a": {"$numberDecimal": "1.5E+3"}}),
        json!({"a": {"$numberDecimal": "1.5e3"}})
    ));
    assert!(same(json!({"a": 1, "b": 2}), json!({"b": 2, "a": 1})));
    assert!(!same(
        json!({"a": {"$numberInt": "5"}}),
        json!({"a": {"$numberLong": "5"}})
    ));
    assert!(!same(
        json!({"a": {"$numberDouble": "0.0"}}),
        json!({"a": {"$numberDouble": "-0.0"}})
    ));
    assert!(!same(
        json!({"a": {"$numberDecimal": "1.5E+3"}}),
        json!({"a": {"$numberDecimal": "1500"}})
    ));
    assert!(!same(json!({"a": 1}), json!({"a": 1, "b": 2})));
    assert!(!same(json!({"a": [1]}), json!({"a": [1, 1]})));
    assert!(!same(
        json!({"a": {"$binary": {"base64": "", "subType": "00"}}}),
        json!({"a": {"$binary": {"base64": "", "subType": "05"}}})
    ));
    assert_eq!(
        extjson::top_level_keys(include_str!("data/jwt_bson/order.json")),
        ["_id", "zeta", "alpha", "mid"]
    );
    assert_eq!(
        extjson::top_level_keys(r#"{"a\"": {"b": 1, "c": [2, {"d": 3}]}, "e:": "f,g", "": null}"#),
        ["a\"", "e:", ""]
    );
}

// The tables: one line per case, as `tests/data/make_vectors.py` writes them.

fn jwt_bson() -> Vec<Vector> {
    vec![
        refused(
            "jwt_bson",
            "bad_alg_hs512",
            include_str!("data/jwt_bson/bad_alg_hs512.cookie"),
            include_str!("data/jwt_bson/bad_alg_hs512.error"),
            Refusal::UnsupportedJws,
        ),
        refused(
            "jwt_bson",
            "bad_alg_lowercase",
            include_str!("data/jwt_bson/bad_alg_lowercase.cookie"),
            include_str!("data/jwt_bson/bad_alg_lowercase.error"),
            Refusal::UnsupportedJws,
        ),
        refused(
            "jwt_bson",
            "bad_alg_none",
            include_str!("data/jwt_bson/bad_alg_none.cookie"),
            include_str!("data/jwt_bson/bad_alg_none.error"),
            Refusal::UnsupportedJws,
        ),
        refused(
            "jwt_bson",
            "bad_alg_none_signed",
            include_str!("data/jwt_bson/bad_alg_none_signed.cookie"),
            include_str!("data/jwt_bson/bad_alg_none_signed.error"),
            Refusal::UnsupportedJws,
        ),
        refused(
            "jwt_bson",
            "bad_alg_rs256",
            include_str!("data/jwt_bson/bad_alg_rs256.cookie"),
            include_str!("data/jwt_bson/bad_alg_rs256.error"),
            Refusal::UnsupportedJws,
        ),
        refused(
            "jwt_bson",
            "bad_bsz_b85_character",
            include_str!("data/jwt_bson/bad_bsz_b85_character.cookie"),
            include_str!("data/jwt_bson/bad_bsz_b85_character.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_bson",
            "bad_bsz_not_bson",
            include_str!("data/jwt_bson/bad_bsz_not_bson.cookie"),
            include_str!("data/jwt_bson/bad_bsz_not_bson.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_bson",
            "bad_bsz_not_zlib",
            include_str!("data/jwt_bson/bad_bsz_not_zlib.cookie"),
            include_str!("data/jwt_bson/bad_bsz_not_zlib.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_bson",
            "bad_bsz_number",
            include_str!("data/jwt_bson/bad_bsz_number.cookie"),
            include_str!("data/jwt_bson/bad_bsz_number.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_bson",
            "bad_bsz_truncated_zlib",
            include_str!("data/jwt_bson/bad_bsz_truncated_zlib.cookie"),
            include_str!("data/jwt_bson/bad_bsz_truncated_zlib.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_bson",
            "bad_claims_not_json",
            include_str!("data/jwt_bson/bad_claims_not_json.cookie"),
            include_str!("data/jwt_bson/bad_claims_not_json.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_bson",
            "bad_claims_not_object",
            include_str!("data/jwt_bson/bad_claims_not_object.cookie"),
            include_str!("data/jwt_bson/bad_claims_not_object.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_bson",
            "bad_empty",
            include_str!("data/jwt_bson/bad_empty.cookie"),
            include_str!("data/jwt_bson/bad_empty.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_bson",
            "bad_four_segments",
            include_str!("data/jwt_bson/bad_four_segments.cookie"),
            include_str!("data/jwt_bson/bad_four_segments.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_bson",
            "bad_header_crit",
            include_str!("data/jwt_bson/bad_header_crit.cookie"),
            include_str!("data/jwt_bson/bad_header_crit.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_bson",
            "bad_header_typ_number",
            include_str!("data/jwt_bson/bad_header_typ_number.cookie"),
            include_str!("data/jwt_bson/bad_header_typ_number.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_bson",
            "bad_header_unknown_name",
            include_str!("data/jwt_bson/bad_header_unknown_name.cookie"),
            include_str!("data/jwt_bson/bad_header_unknown_name.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_bson",
            "bad_legacy_when_reading_is_off",
            include_str!("data/jwt_bson/bad_legacy_when_reading_is_off.cookie"),
            include_str!("data/jwt_bson/bad_legacy_when_reading_is_off.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_bson",
            "bad_padded_payload",
            include_str!("data/jwt_bson/bad_padded_payload.cookie"),
            include_str!("data/jwt_bson/bad_padded_payload.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_bson",
            "bad_tampered_header",
            include_str!("data/jwt_bson/bad_tampered_header.cookie"),
            include_str!("data/jwt_bson/bad_tampered_header.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_bson",
            "bad_tampered_payload",
            include_str!("data/jwt_bson/bad_tampered_payload.cookie"),
            include_str!("data/jwt_bson/bad_tampered_payload.error"),
            Refusal::BadSignature,
        ),
        refused(
            "jwt_bson",
            "bad_tampered_signature",
            include_str!("data/jwt_bson/bad_tampered_signature.cookie"),
            include_str!("data/jwt_bson/bad_tampered_signature.error"),
            Refusal::BadSignature,
        ),
        refused(
            "jwt_bson",
            "bad_two_segments",
            include_str!("data/jwt_bson/bad_two_segments.cookie"),
            include_str!("data/jwt_bson/bad_two_segments.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_bson",
            "bad_wrong_key",
            include_str!("data/jwt_bson/bad_wrong_key.cookie"),
            include_str!("data/jwt_bson/bad_wrong_key.error"),
            Refusal::BadSignature,
        ),
        accepted(
            "jwt_bson",
            "beaker_typical",
            include_str!("data/jwt_bson/beaker_typical.cookie"),
            include_str!("data/jwt_bson/beaker_typical.json"),
            Some(Format::JwtBson),
            0,
        ),
        accepted(
            "jwt_bson",
            "binary_subtypes",
            include_str!("data/jwt_bson/binary_subtypes.cookie"),
            include_str!("data/jwt_bson/binary_subtypes.json"),
            Some(Format::JwtBson),
            0,
        ),
        accepted(
            "jwt_bson",
            "bson_types",
            include_str!("data/jwt_bson/bson_types.cookie"),
            include_str!("data/jwt_bson/bson_types.json"),
            Some(Format::JwtBson),
            0,
        ),
        accepted(
            "jwt_bson",
            "bsz_b85_one_char_tail",
            include_str!("data/jwt_bson/bsz_b85_one_char_tail.cookie"),
            include_str!("data/jwt_bson/bsz_b85_one_char_tail.json"),
            Some(Format::JwtBson),
            0,
        ),
        accepted(
            "jwt_bson",
            "bsz_duplicate_keys",
            include_str!("data/jwt_bson/bsz_duplicate_keys.cookie"),
            include_str!("data/jwt_bson/bsz_duplicate_keys.json"),
            Some(Format::JwtBson),
            0,
        ),
        accepted(
            "jwt_bson",
            "bsz_falsy_empty_list",
            include_str!("data/jwt_bson/bsz_falsy_empty_list.cookie"),
            include_str!("data/jwt_bson/bsz_falsy_empty_list.json"),
            None,
            0,
        ),
        accepted(
            "jwt_bson",
            "bsz_falsy_empty_string",
            include_str!("data/jwt_bson/bsz_falsy_empty_string.cookie"),
            include_str!("data/jwt_bson/bsz_falsy_empty_string.json"),
            None,
            0,
        ),
        accepted(
            "jwt_bson",
            "bsz_falsy_false",
            include_str!("data/jwt_bson/bsz_falsy_false.cookie"),
            include_str!("data/jwt_bson/bsz_falsy_false.json"),
            None,
            0,
        ),
        accepted(
            "jwt_bson",
            "bsz_falsy_null",
            include_str!("data/jwt_bson/bsz_falsy_null.cookie"),
            include_str!("data/jwt_bson/bsz_falsy_null.json"),
            None,
            0,
        ),
        accepted(
            "jwt_bson",
            "bsz_falsy_zero",
            include_str!("data/jwt_bson/bsz_falsy_zero.cookie"),
            include_str!("data/jwt_bson/bsz_falsy_zero.json"),
            None,
            0,
        ),
        accepted(
            "jwt_bson",
            "bsz_merged_over_claims",
            include_str!("data/jwt_bson/bsz_merged_over_claims.cookie"),
            include_str!("data/jwt_bson/bsz_merged_over_claims.json"),
            Some(Format::JwtBson),
            0,
        ),
        accepted(
            "jwt_bson",
            "bsz_zlib_trailing_bytes",
            include_str!("data/jwt_bson/bsz_zlib_trailing_bytes.cookie"),
            include_str!("data/jwt_bson/bsz_zlib_trailing_bytes.json"),
            Some(Format::JwtBson),
            0,
        ),
        accepted(
            "jwt_bson",
            "bytes",
            include_str!("data/jwt_bson/bytes.cookie"),
            include_str!("data/jwt_bson/bytes.json"),
            Some(Format::JwtBson),
            0,
        ),
        accepted(
            "jwt_bson",
            "datetimes",
            include_str!("data/jwt_bson/datetimes.cookie"),
            include_str!("data/jwt_bson/datetimes.json"),
            Some(Format::JwtBson),
            0,
        ),
        accepted(
            "jwt_bson",
            "datetimes_aware",
            include_str!("data/jwt_bson/datetimes_aware.cookie"),
            include_str!("data/jwt_bson/datetimes_aware.json"),
            Some(Format::JwtBson),
            0,
        ),
        accepted(
            "jwt_bson",
            "empty",
            include_str!("data/jwt_bson/empty.cookie"),
            include_str!("data/jwt_bson/empty.json"),
            Some(Format::JwtBson),
            0,
        ),
        accepted(
            "jwt_bson",
            "floats",
            include_str!("data/jwt_bson/floats.cookie"),
            include_str!("data/jwt_bson/floats.json"),
            Some(Format::JwtBson),
            0,
        ),
        accepted(
            "jwt_bson",
            "header_with_kid",
            include_str!("data/jwt_bson/header_with_kid.cookie"),
            include_str!("data/jwt_bson/header_with_kid.json"),
            None,
            0,
        ),
        accepted(
            "jwt_bson",
            "header_without_typ",
            include_str!("data/jwt_bson/header_without_typ.cookie"),
            include_str!("data/jwt_bson/header_without_typ.json"),
            None,
            0,
        ),
        accepted(
            "jwt_bson",
            "internal_dropped",
            include_str!("data/jwt_bson/internal_dropped.cookie"),
            include_str!("data/jwt_bson/internal_dropped.json"),
            Some(Format::JwtBson),
            0,
        ),
        accepted(
            "jwt_bson",
            "ints",
            include_str!("data/jwt_bson/ints.cookie"),
            include_str!("data/jwt_bson/ints.json"),
            Some(Format::JwtBson),
            0,
        ),
        accepted(
            "jwt_bson",
            "json_claims",
            include_str!("data/jwt_bson/json_claims.cookie"),
            include_str!("data/jwt_bson/json_claims.json"),
            None,
            0,
        ),
        accepted(
            "jwt_bson",
            "many_keys",
            include_str!("data/jwt_bson/many_keys.cookie"),
            include_str!("data/jwt_bson/many_keys.json"),
            Some(Format::JwtBson),
            0,
        ),
        accepted(
            "jwt_bson",
            "max_size",
            include_str!("data/jwt_bson/max_size.cookie"),
            include_str!("data/jwt_bson/max_size.json"),
            Some(Format::JwtBson),
            0,
        ),
        accepted(
            "jwt_bson",
            "nested",
            include_str!("data/jwt_bson/nested.cookie"),
            include_str!("data/jwt_bson/nested.json"),
            Some(Format::JwtBson),
            0,
        ),
        accepted(
            "jwt_bson",
            "order",
            include_str!("data/jwt_bson/order.cookie"),
            include_str!("data/jwt_bson/order.json"),
            Some(Format::JwtBson),
            0,
        ),
        accepted(
            "jwt_bson",
            "rfc7515_a1",
            include_str!("data/jwt_bson/rfc7515_a1.cookie"),
            include_str!("data/jwt_bson/rfc7515_a1.json"),
            None,
            0,
        ),
        accepted(
            "jwt_bson",
            "rotated_key2",
            include_str!("data/jwt_bson/rotated_key2.cookie"),
            include_str!("data/jwt_bson/rotated_key2.json"),
            Some(Format::JwtBson),
            1,
        ),
        accepted(
            "jwt_bson",
            "scalars",
            include_str!("data/jwt_bson/scalars.cookie"),
            include_str!("data/jwt_bson/scalars.json"),
            Some(Format::JwtBson),
            0,
        ),
        accepted(
            "jwt_bson",
            "strings",
            include_str!("data/jwt_bson/strings.cookie"),
            include_str!("data/jwt_bson/strings.json"),
            Some(Format::JwtBson),
            0,
        ),
        accepted(
            "jwt_bson",
            "tuples",
            include_str!("data/jwt_bson/tuples.cookie"),
            include_str!("data/jwt_bson/tuples.json"),
            Some(Format::JwtBson),
            0,
        ),
    ]
}

fn jwt_json() -> Vec<Vector> {
    vec![
        refused(
            "jwt_json",
            "bad_alg_hs512",
            include_str!("data/jwt_json/bad_alg_hs512.cookie"),
            include_str!("data/jwt_json/bad_alg_hs512.error"),
            Refusal::UnsupportedJws,
        ),
        refused(
            "jwt_json",
            "bad_alg_lowercase",
            include_str!("data/jwt_json/bad_alg_lowercase.cookie"),
            include_str!("data/jwt_json/bad_alg_lowercase.error"),
            Refusal::UnsupportedJws,
        ),
        refused(
            "jwt_json",
            "bad_alg_none",
            include_str!("data/jwt_json/bad_alg_none.cookie"),
            include_str!("data/jwt_json/bad_alg_none.error"),
            Refusal::UnsupportedJws,
        ),
        refused(
            "jwt_json",
            "bad_alg_none_signed",
            include_str!("data/jwt_json/bad_alg_none_signed.cookie"),
            include_str!("data/jwt_json/bad_alg_none_signed.error"),
            Refusal::UnsupportedJws,
        ),
        refused(
            "jwt_json",
            "bad_alg_rs256",
            include_str!("data/jwt_json/bad_alg_rs256.cookie"),
            include_str!("data/jwt_json/bad_alg_rs256.error"),
            Refusal::UnsupportedJws,
        ),
        refused(
            "jwt_json",
            "bad_claims_not_json",
            include_str!("data/jwt_json/bad_claims_not_json.cookie"),
            include_str!("data/jwt_json/bad_claims_not_json.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_json",
            "bad_claims_not_object",
            include_str!("data/jwt_json/bad_claims_not_object.cookie"),
            include_str!("data/jwt_json/bad_claims_not_object.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_json",
            "bad_empty",
            include_str!("data/jwt_json/bad_empty.cookie"),
            include_str!("data/jwt_json/bad_empty.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_json",
            "bad_four_segments",
            include_str!("data/jwt_json/bad_four_segments.cookie"),
            include_str!("data/jwt_json/bad_four_segments.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_json",
            "bad_header_crit",
            include_str!("data/jwt_json/bad_header_crit.cookie"),
            include_str!("data/jwt_json/bad_header_crit.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_json",
            "bad_header_typ_number",
            include_str!("data/jwt_json/bad_header_typ_number.cookie"),
            include_str!("data/jwt_json/bad_header_typ_number.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_json",
            "bad_header_unknown_name",
            include_str!("data/jwt_json/bad_header_unknown_name.cookie"),
            include_str!("data/jwt_json/bad_header_unknown_name.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_json",
            "bad_legacy_when_reading_is_off",
            include_str!("data/jwt_json/bad_legacy_when_reading_is_off.cookie"),
            include_str!("data/jwt_json/bad_legacy_when_reading_is_off.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_json",
            "bad_padded_payload",
            include_str!("data/jwt_json/bad_padded_payload.cookie"),
            include_str!("data/jwt_json/bad_padded_payload.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_json",
            "bad_tampered_header",
            include_str!("data/jwt_json/bad_tampered_header.cookie"),
            include_str!("data/jwt_json/bad_tampered_header.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_json",
            "bad_tampered_payload",
            include_str!("data/jwt_json/bad_tampered_payload.cookie"),
            include_str!("data/jwt_json/bad_tampered_payload.error"),
            Refusal::BadSignature,
        ),
        refused(
            "jwt_json",
            "bad_tampered_signature",
            include_str!("data/jwt_json/bad_tampered_signature.cookie"),
            include_str!("data/jwt_json/bad_tampered_signature.error"),
            Refusal::BadSignature,
        ),
        refused(
            "jwt_json",
            "bad_two_segments",
            include_str!("data/jwt_json/bad_two_segments.cookie"),
            include_str!("data/jwt_json/bad_two_segments.error"),
            Refusal::Any,
        ),
        refused(
            "jwt_json",
            "bad_wrong_key",
            include_str!("data/jwt_json/bad_wrong_key.cookie"),
            include_str!("data/jwt_json/bad_wrong_key.error"),
            Refusal::BadSignature,
        ),
        accepted(
            "jwt_json",
            "beaker_typical",
            include_str!("data/jwt_json/beaker_typical.cookie"),
            include_str!("data/jwt_json/beaker_typical.json"),
            Some(Format::JwtJson),
            0,
        ),
        accepted(
            "jwt_json",
            "bsz_dropped",
            include_str!("data/jwt_json/bsz_dropped.cookie"),
            include_str!("data/jwt_json/bsz_dropped.json"),
            None,
            0,
        ),
        accepted(
            "jwt_json",
            "bsz_dropped_other_claims_kept",
            include_str!("data/jwt_json/bsz_dropped_other_claims_kept.cookie"),
            include_str!("data/jwt_json/bsz_dropped_other_claims_kept.json"),
            None,
            0,
        ),
        accepted(
            "jwt_json",
            "duplicate_keys",
            include_str!("data/jwt_json/duplicate_keys.cookie"),
            include_str!("data/jwt_json/duplicate_keys.json"),
            Some(Format::JwtJson),
            0,
        ),
        accepted(
            "jwt_json",
            "empty",
            include_str!("data/jwt_json/empty.cookie"),
            include_str!("data/jwt_json/empty.json"),
            Some(Format::JwtJson),
            0,
        ),
        accepted(
            "jwt_json",
            "floats",
            include_str!("data/jwt_json/floats.cookie"),
            include_str!("data/jwt_json/floats.json"),
            Some(Format::JwtJson),
            0,
        ),
        accepted(
            "jwt_json",
            "header_with_kid",
            include_str!("data/jwt_json/header_with_kid.cookie"),
            include_str!("data/jwt_json/header_with_kid.json"),
            Some(Format::JwtJson),
            0,
        ),
        accepted(
            "jwt_json",
            "header_without_typ",
            include_str!("data/jwt_json/header_without_typ.cookie"),
            include_str!("data/jwt_json/header_without_typ.json"),
            Some(Format::JwtJson),
            0,
        ),
        accepted(
            "jwt_json",
            "internal_dropped",
            include_str!("data/jwt_json/internal_dropped.cookie"),
            include_str!("data/jwt_json/internal_dropped.json"),
            Some(Format::JwtJson),
            0,
        ),
        accepted(
            "jwt_json",
            "ints",
            include_str!("data/jwt_json/ints.cookie"),
            include_str!("data/jwt_json/ints.json"),
            Some(Format::JwtJson),
            0,
        ),
        accepted(
            "jwt_json",
            "many_keys",
            include_str!("data/jwt_json/many_keys.cookie"),
            include_str!("data/jwt_json/many_keys.json"),
            Some(Format::JwtJson),
            0,
        ),
        accepted(
            "jwt_json",
            "max_size",
            include_str!("data/jwt_json/max_size.cookie"),
            include_str!("data/jwt_json/max_size.json"),
            Some(Format::JwtJson),
            0,
        ),
        accepted(
            "jwt_json",
            "nested",
            include_str!("data/jwt_json/nested.cookie"),
            include_str!("data/jwt_json/nested.json"),
            Some(Format::JwtJson),
            0,
        ),
        accepted(
            "jwt_json",
            "order",
            include_str!("data/jwt_json/order.cookie"),
            include_str!("data/jwt_json/order.json"),
            Some(Format::JwtJson),
            0,
        ),
        accepted(
            "jwt_json",
            "python_json_specials",
            include_str!("data/jwt_json/python_json_specials.cookie"),
            include_str!("data/jwt_json/python_json_specials.json"),
            Some(Format::JwtJson),
            0,
        ),
        accepted(
            "jwt_json",
            "rfc7515_a1",
            include_str!("data/jwt_json/rfc7515_a1.cookie"),
            include_str!("data/jwt_json/rfc7515_a1.json"),
            Some(Format::JwtJson),
            0,
        ),
        accepted(
            "jwt_json",
            "rotated_key2",
            include_str!("data/jwt_json/rotated_key2.cookie"),
            include_str!("data/jwt_json/rotated_key2.json"),
            Some(Format::JwtJson),
            1,
        ),
        accepted(
            "jwt_json",
            "scalars",
            include_str!("data/jwt_json/scalars.cookie"),
            include_str!("data/jwt_json/scalars.json"),
            Some(Format::JwtJson),
            0,
        ),
        accepted(
            "jwt_json",
            "strings",
            include_str!("data/jwt_json/strings.cookie"),
            include_str!("data/jwt_json/strings.json"),
            Some(Format::JwtJson),
            0,
        ),
        accepted(
            "jwt_json",
            "tuples",
            include_str!("data/jwt_json/tuples.cookie"),
            include_str!("data/jwt_json/tuples.json"),
            Some(Format::JwtJson),
            0,
        ),
    ]
}

#[cfg_attr(not(feature = "legacy"), allow(dead_code))]
fn legacy_pickle() -> Vec<Vector> {
    vec![
        refused(
            "legacy_pickle",
            "bad_datetime_in_json_check",
            include_str!("data/legacy_pickle/bad_datetime_in_json_check.cookie"),
            include_str!("data/legacy_pickle/bad_datetime_in_json_check.error"),
            Refusal::Any,
        )
        .with_ini(include_str!(
            "data/legacy_pickle/bad_datetime_in_json_check.ini"
        )),
        refused(
            "legacy_pickle",
            "bad_json_payload_in_pickle_config",
            include_str!("data/legacy_pickle/bad_json_payload_in_pickle_config.cookie"),
            include_str!("data/legacy_pickle/bad_json_payload_in_pickle_config.error"),
            Refusal::Any,
        ),
        refused(
            "legacy_pickle",
            "bad_not_base64",
            include_str!("data/legacy_pickle/bad_not_base64.cookie"),
            include_str!("data/legacy_pickle/bad_not_base64.error"),
            Refusal::Any,
        ),
        // Python 3 decodes a Python 2 `str` as ASCII and fails; we read the 10-byte datetime
        // state (2024-01-02 03:04:05.000006, truncated to ms as pymongo does) ...
        read_where_python_refuses(
            "legacy_pickle",
            "bad_py2_datetime_non_ascii",
            include_str!("data/legacy_pickle/bad_py2_datetime_non_ascii.cookie"),
            include_str!("data/legacy_pickle/bad_py2_datetime_non_ascii.error"),
            r#"{"when":{"$date":{"$numberLong":"1704164645000"}}}"#,
        ),
        // ... and a UTF-8 byte string as text.
        read_where_python_refuses(
            "legacy_pickle",
            "bad_py2_str_non_ascii",
            include_str!("data/legacy_pickle/bad_py2_str_non_ascii.cookie"),
            include_str!("data/legacy_pickle/bad_py2_str_non_ascii.error"),
            r#"{"name":"café"}"#,
        ),
        refused(
            "legacy_pickle",
            "bad_short_signature",
            include_str!("data/legacy_pickle/bad_short_signature.cookie"),
            include_str!("data/legacy_pickle/bad_short_signature.error"),
            Refusal::Any,
        ),
        refused(
            "legacy_pickle",
            "bad_tampered_payload",
            include_str!("data/legacy_pickle/bad_tampered_payload.cookie"),
            include_str!("data/legacy_pickle/bad_tampered_payload.error"),
            Refusal::BadSignature,
        ),
        refused(
            "legacy_pickle",
            "bad_tampered_signature",
            include_str!("data/legacy_pickle/bad_tampered_signature.cookie"),
            include_str!("data/legacy_pickle/bad_tampered_signature.error"),
            Refusal::BadSignature,
        ),
        refused(
            "legacy_pickle",
            "bad_uppercase_signature",
            include_str!("data/legacy_pickle/bad_uppercase_signature.cookie"),
            include_str!("data/legacy_pickle/bad_uppercase_signature.error"),
            Refusal::Any,
        ),
        refused(
            "legacy_pickle",
            "bad_wrong_key",
            include_str!("data/legacy_pickle/bad_wrong_key.cookie"),
            include_str!("data/legacy_pickle/bad_wrong_key.error"),
            Refusal::BadSignature,
        ),
        accepted(
            "legacy_pickle",
            "beaker_typical",
            include_str!("data/legacy_pickle/beaker_typical.cookie"),
            include_str!("data/legacy_pickle/beaker_typical.json"),
            Some(Format::LegacyPickle),
            0,
        ),
        accepted(
            "legacy_pickle",
            "bytes",
            include_str!("data/legacy_pickle/bytes.cookie"),
            include_str!("data/legacy_pickle/bytes.json"),
            Some(Format::LegacyPickle),
            0,
        ),
        accepted(
            "legacy_pickle",
            "datetimes",
            include_str!("data/legacy_pickle/datetimes.cookie"),
            include_str!("data/legacy_pickle/datetimes.json"),
            Some(Format::LegacyPickle),
            0,
        ),
        accepted(
            "legacy_pickle",
            "datetimes_aware",
            include_str!("data/legacy_pickle/datetimes_aware.cookie"),
            include_str!("data/legacy_pickle/datetimes_aware.json"),
            Some(Format::LegacyPickle),
            0,
        ),
        accepted(
            "legacy_pickle",
            "empty",
            include_str!("data/legacy_pickle/empty.cookie"),
            include_str!("data/legacy_pickle/empty.json"),
            Some(Format::LegacyPickle),
            0,
        ),
        accepted(
            "legacy_pickle",
            "floats",
            include_str!("data/legacy_pickle/floats.cookie"),
            include_str!("data/legacy_pickle/floats.json"),
            Some(Format::LegacyPickle),
            0,
        ),
        accepted(
            "legacy_pickle",
            "internal_kept",
            include_str!("data/legacy_pickle/internal_kept.cookie"),
            include_str!("data/legacy_pickle/internal_kept.json"),
            Some(Format::LegacyPickle),
            0,
        ),
        accepted(
            "legacy_pickle",
            "ints",
            include_str!("data/legacy_pickle/ints.cookie"),
            include_str!("data/legacy_pickle/ints.json"),
            Some(Format::LegacyPickle),
            0,
        ),
        accepted(
            "legacy_pickle",
            "jwt_with_legacy_reading_on",
            include_str!("data/legacy_pickle/jwt_with_legacy_reading_on.cookie"),
            include_str!("data/legacy_pickle/jwt_with_legacy_reading_on.json"),
            None,
            0,
        ),
        refused(
            "legacy_pickle",
            "kept_unbsonable",
            include_str!("data/legacy_pickle/kept_unbsonable.cookie"),
            include_str!("data/legacy_pickle/kept_unbsonable.error"),
            Refusal::Any,
        ),
        accepted(
            "legacy_pickle",
            "many_keys",
            include_str!("data/legacy_pickle/many_keys.cookie"),
            include_str!("data/legacy_pickle/many_keys.json"),
            Some(Format::LegacyPickle),
            0,
        ),
        accepted(
            "legacy_pickle",
            "max_size",
            include_str!("data/legacy_pickle/max_size.cookie"),
            include_str!("data/legacy_pickle/max_size.json"),
            Some(Format::LegacyPickle),
            0,
        ),
        accepted(
            "legacy_pickle",
            "nested",
            include_str!("data/legacy_pickle/nested.cookie"),
            include_str!("data/legacy_pickle/nested.json"),
            Some(Format::LegacyPickle),
            0,
        ),
        accepted(
            "legacy_pickle",
            "order",
            include_str!("data/legacy_pickle/order.cookie"),
            include_str!("data/legacy_pickle/order.json"),
            Some(Format::LegacyPickle),
            0,
        ),
        accepted(
            "legacy_pickle",
            "py2_datetime_ascii",
            include_str!("data/legacy_pickle/py2_datetime_ascii.cookie"),
            include_str!("data/legacy_pickle/py2_datetime_ascii.json"),
            Some(Format::LegacyPickle),
            0,
        ),
        accepted(
            "legacy_pickle",
            "py2_session",
            include_str!("data/legacy_pickle/py2_session.cookie"),
            include_str!("data/legacy_pickle/py2_session.json"),
            Some(Format::LegacyPickle),
            0,
        ),
        accepted(
            "legacy_pickle",
            "pymongo_rollout",
            include_str!("data/legacy_pickle/pymongo_rollout.cookie"),
            include_str!("data/legacy_pickle/pymongo_rollout.json"),
            Some(Format::LegacyPickle),
            0,
        ),
        accepted(
            "legacy_pickle",
            "removed_key",
            include_str!("data/legacy_pickle/removed_key.cookie"),
            include_str!("data/legacy_pickle/removed_key.json"),
            Some(Format::LegacyPickle),
            0,
        ),
        accepted(
            "legacy_pickle",
            "scalars",
            include_str!("data/legacy_pickle/scalars.cookie"),
            include_str!("data/legacy_pickle/scalars.json"),
            Some(Format::LegacyPickle),
            0,
        ),
        accepted(
            "legacy_pickle",
            "strings",
            include_str!("data/legacy_pickle/strings.cookie"),
            include_str!("data/legacy_pickle/strings.json"),
            Some(Format::LegacyPickle),
            0,
        ),
        accepted(
            "legacy_pickle",
            "tuples",
            include_str!("data/legacy_pickle/tuples.cookie"),
            include_str!("data/legacy_pickle/tuples.json"),
            Some(Format::LegacyPickle),
            0,
        ),
        accepted(
            "legacy_pickle",
            "typical_in_json_check",
            include_str!("data/legacy_pickle/typical_in_json_check.cookie"),
            include_str!("data/legacy_pickle/typical_in_json_check.json"),
            Some(Format::LegacyPickle),
            0,
        )
        .with_ini(include_str!("data/legacy_pickle/typical_in_json_check.ini")),
    ]
}

#[cfg_attr(not(feature = "legacy"), allow(dead_code))]
fn legacy_json() -> Vec<Vector> {
    vec![
        refused(
            "legacy_json",
            "bad_not_base64",
            include_str!("data/legacy_json/bad_not_base64.cookie"),
            include_str!("data/legacy_json/bad_not_base64.error"),
            Refusal::Any,
        ),
        refused(
            "legacy_json",
            "bad_pickle_payload_in_json_config",
            include_str!("data/legacy_json/bad_pickle_payload_in_json_config.cookie"),
            include_str!("data/legacy_json/bad_pickle_payload_in_json_config.error"),
            Refusal::Any,
        ),
        refused(
            "legacy_json",
            "bad_short_signature",
            include_str!("data/legacy_json/bad_short_signature.cookie"),
            include_str!("data/legacy_json/bad_short_signature.error"),
            Refusal::Any,
        ),
        refused(
            "legacy_json",
            "bad_tampered_payload",
            include_str!("data/legacy_json/bad_tampered_payload.cookie"),
            include_str!("data/legacy_json/bad_tampered_payload.error"),
            Refusal::BadSignature,
        ),
        refused(
            "legacy_json",
            "bad_tampered_signature",
            include_str!("data/legacy_json/bad_tampered_signature.cookie"),
            include_str!("data/legacy_json/bad_tampered_signature.error"),
            Refusal::BadSignature,
        ),
        refused(
            "legacy_json",
            "bad_uppercase_signature",
            include_str!("data/legacy_json/bad_uppercase_signature.cookie"),
            include_str!("data/legacy_json/bad_uppercase_signature.error"),
            Refusal::Any,
        ),
        refused(
            "legacy_json",
            "bad_wrong_key",
            include_str!("data/legacy_json/bad_wrong_key.cookie"),
            include_str!("data/legacy_json/bad_wrong_key.error"),
            Refusal::BadSignature,
        ),
        accepted(
            "legacy_json",
            "beaker_typical",
            include_str!("data/legacy_json/beaker_typical.cookie"),
            include_str!("data/legacy_json/beaker_typical.json"),
            Some(Format::LegacyJson),
            0,
        ),
        accepted(
            "legacy_json",
            "empty",
            include_str!("data/legacy_json/empty.cookie"),
            include_str!("data/legacy_json/empty.json"),
            Some(Format::LegacyJson),
            0,
        ),
        accepted(
            "legacy_json",
            "floats",
            include_str!("data/legacy_json/floats.cookie"),
            include_str!("data/legacy_json/floats.json"),
            Some(Format::LegacyJson),
            0,
        ),
        accepted(
            "legacy_json",
            "internal_kept",
            include_str!("data/legacy_json/internal_kept.cookie"),
            include_str!("data/legacy_json/internal_kept.json"),
            Some(Format::LegacyJson),
            0,
        ),
        accepted(
            "legacy_json",
            "ints",
            include_str!("data/legacy_json/ints.cookie"),
            include_str!("data/legacy_json/ints.json"),
            Some(Format::LegacyJson),
            0,
        ),
        accepted(
            "legacy_json",
            "jwt_with_legacy_reading_on",
            include_str!("data/legacy_json/jwt_with_legacy_reading_on.cookie"),
            include_str!("data/legacy_json/jwt_with_legacy_reading_on.json"),
            None,
            0,
        ),
        accepted(
            "legacy_json",
            "many_keys",
            include_str!("data/legacy_json/many_keys.cookie"),
            include_str!("data/legacy_json/many_keys.json"),
            Some(Format::LegacyJson),
            0,
        ),
        accepted(
            "legacy_json",
            "max_size",
            include_str!("data/legacy_json/max_size.cookie"),
            include_str!("data/legacy_json/max_size.json"),
            Some(Format::LegacyJson),
            0,
        ),
        accepted(
            "legacy_json",
            "nested",
            include_str!("data/legacy_json/nested.cookie"),
            include_str!("data/legacy_json/nested.json"),
            Some(Format::LegacyJson),
            0,
        ),
        accepted(
            "legacy_json",
            "order",
            include_str!("data/legacy_json/order.cookie"),
            include_str!("data/legacy_json/order.json"),
            Some(Format::LegacyJson),
            0,
        ),
        accepted(
            "legacy_json",
            "scalars",
            include_str!("data/legacy_json/scalars.cookie"),
            include_str!("data/legacy_json/scalars.json"),
            Some(Format::LegacyJson),
            0,
        ),
        accepted(
            "legacy_json",
            "strings",
            include_str!("data/legacy_json/strings.cookie"),
            include_str!("data/legacy_json/strings.json"),
            Some(Format::LegacyJson),
            0,
        ),
        accepted(
            "legacy_json",
            "tuples",
            include_str!("data/legacy_json/tuples.cookie"),
            include_str!("data/legacy_json/tuples.json"),
            Some(Format::LegacyJson),
            0,
        ),
    ]
}
