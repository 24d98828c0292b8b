//! Sessions to and from MongoDB Extended JSON v2 text, through the `bson` crate
//! (<https://github.com/mongodb/specifications/blob/master/source/extended-json/extended-json.md>).
//!
//! Writing walks the `bson::Bson` tree and hands every value to the bson crate's
//! `into_canonical_extjson` / `into_relaxed_extjson`, except two spellings taken from pymongo's
//! `bson.json_util` (what the Python app's tooling prints):
//! - a double: canonical `{"$numberDouble": repr(x)}` (`1e+20`, `0.0001`, `5e-324`), where the
//!   bson crate writes `100000000000000000000.0`, a bare number for a subnormal and `-NaN`;
//!   relaxed: a plain number, or `{"$numberDouble": "NaN" | "Infinity" | "-Infinity"}`;
//! - a relaxed date: ISO 8601 with exactly three fraction digits when the milliseconds are not
//!   zero (`json_util._encode_datetime`), where the time crate trims trailing zeros.
//!
//! Reading accepts canonical and relaxed input (`bson::Bson::try_from(serde_json::Value)`),
//! keeps key order (serde_json's `preserve_order`; a repeated key keeps its first position and
//! its last value, as a Python dict does), and refuses an integer beyond 64 bits, which
//! serde_json would silently turn into a double (pymongo refuses it too: "MongoDB can only
//! handle up to 8-byte ints").

use beaker_session_jwt::interop::bson::{from_bson_document, to_bson_document};
use beaker_session_jwt::{json, Error, Session, Value};
use bson::Bson;
use serde_json::{Map, Value as Json};

/// Canonical (type-preserving) or relaxed (plain JSON numbers and ISO dates) Extended JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Canonical,
    Relaxed,
}

/// The session as one line of Extended JSON, keys in the session's order.
///
/// # Errors
/// None in practice: only a double is written by the library's JSON writer, which writes every
/// double.
pub fn write(session: &Session, style: Style) -> Result<String, Error> {
    Ok(to_json(Bson::Document(to_bson_document(session)), style)?.to_string())
}

fn to_json(value: Bson, style: Style) -> Result<Json, Error> {
    Ok(match value {
        Bson::Double(d) => double(d, style)?,
        Bson::Document(doc) => Json::Object(
            doc.into_iter()
                .map(|(k, v)| Ok((k, to_json(v, style)?)))
                .collect::<Result<_, Error>>()?,
        ),
        Bson::Array(items) => Json::Array(
            items
                .into_iter()
                .map(|v| to_json(v, style))
                .collect::<Result<_, _>>()?,
        ),
        Bson::JavaScriptCodeWithScope(cws) => {
            let mut map = Map::new();
            map.insert("$code".to_string(), Json::String(cws.code));
            map.insert(
                "$scope".to_string(),
                to_json(Bson::Document(cws.scope), style)?,
            );
            Json::Object(map)
        }
        other => match style {
            Style::Canonical => other.into_canonical_extjson(),
            Style::Relaxed => three_digit_millis(other.into_relaxed_extjson()),
        },
    })
}

fn double(d: f64, style: Style) -> Result<Json, Error> {
    if style == Style::Relaxed && d.is_finite() {
        // Finite, so `from_f64` always succeeds.
        return Ok(serde_json::Number::from_f64(d).map_or(Json::Null, Json::Number));
    }
    let mut map = Map::new();
    map.insert("$numberDouble".to_string(), Json::String(python_repr(d)?));
    Ok(Json::Object(map))
}

/// Python's `repr(float)`, and `NaN` / `Infinity` / `-Infinity` as `json_util` spells the
/// others: the library's JSON text of a double, which is `float.__repr__`.
///
/// # Errors
/// None for a double (the JSON writer refuses only other types); the `Result` carries the
/// writer's own.
pub fn python_repr(d: f64) -> Result<String, Error> {
    json::write_value(&Value::Double(d), json::Style::Compact)
}

/// `{"$date": "...:SS.5Z"}` → `"...:SS.500Z"`, as pymongo writes it.
fn three_digit_millis(value: Json) -> Json {
    let Json::Object(mut map) = value else {
        return value;
    };
    if let (1, Some(Json::String(date))) = (map.len(), map.get_mut("$date")) {
        *date = pymongo_iso(date);
    }
    Json::Object(map)
}

/// An RFC 3339 date of the bson crate with pymongo's fraction: three digits, or none for a
/// whole second (`json_util._encode_datetime`).
fn pymongo_iso(date: &str) -> String {
    let Some((head, tail)) = date.split_once('.') else {
        return date.to_string();
    };
    let zone = tail.trim_start_matches(|c: char| c.is_ascii_digit());
    let (digits, _) = tail.split_at(tail.len() - zone.len());
    let mut millis: String = digits.chars().take(3).collect();
    while millis.len() < 3 {
        millis.push('0');
    }
    if millis == "000" {
        format!("{head}{zone}")
    } else {
        format!("{head}.{millis}{zone}")
    }
}

/// Milliseconds since the epoch as an ISO 8601 UTC date, as pymongo's relaxed Extended JSON
/// writes it; `None` outside years 0..=9999.
pub fn iso_date(millis: i64) -> Option<String> {
    bson::DateTime::from_millis(millis)
        .try_to_rfc3339_string()
        .ok()
        .map(|d| pymongo_iso(&d))
}

/// Reads one Extended JSON document (canonical or relaxed) as a session.
///
/// # Errors
/// A message for text that is not JSON, not one object, holds an integer beyond 64 bits, or
/// an Extended JSON wrapper the bson crate refuses.
pub fn read(text: &str) -> Result<Session, String> {
    check_integers(text)?;
    let json: Json = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    if !json.is_object() {
        return Err("the session must be one JSON object".to_string());
    }
    match Bson::try_from(json) {
        Ok(Bson::Document(doc)) => Ok(from_bson_document(&doc)),
        Ok(other) => Err(format!(
            "the session must be a document, not an Extended JSON {:?}",
            other.element_type()
        )),
        Err(e) => Err(format!("not Extended JSON: {e}")),
    }
}

/// Refuses an integer literal outside i64 (serde_json reads one above u64 as a double and one
/// in (i64::MAX, u64::MAX] as a u64 the bson crate turns into a double).
fn check_integers(text: &str) -> Result<(), String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut in_string = false;
    while let Some(&b) = bytes.get(i) {
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        if b == b'"' {
            in_string = true;
            i += 1;
            continue;
        }
        if b == b'-' || b.is_ascii_digit() {
            // `b` is ASCII, so `i` is a char boundary; the token is ASCII too.
            let (_, rest) = text.split_at(i);
            let len = rest
                .bytes()
                .take_while(|c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E'))
                .count();
            let (token, _) = rest.split_at(len);
            if !token.contains(['.', 'e', 'E']) && token.parse::<i64>().is_err() {
                return Err(format!("the integer {token} does not fit 64 bits"));
            }
            i += len;
            continue;
        }
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extjson_python_repr_matches_cpython() {
        // Each pair is (value, CPython 3.11 repr(value)).
        let cases: [(f64, &str); 20] = [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (0.5, "0.5"),
            (0.1, "0.1"),
            (1.0 / 3.0, "0.3333333333333333"),
            (-1.5, "-1.5"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1e20, "1e+20"),
            (1.5e300, "1.5e+300"),
            (1e-4, "0.0001"),
            (1e-5, "1e-05"),
            (1.234e-7, "1.234e-07"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            // An exact tie between two shortest candidates goes to the even digit.
            (1979347788748715.0 + 0.25, "1979347788748715.2"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for (value, python) in cases {
            assert_eq!(python_repr(value).unwrap(), python, "{value:e}");
        }
    }

    #[test]
    fn extjson_integer_overflow_is_refused() {
        assert!(read(r#"{"a": 9223372036854775807}"#).is_ok());
        assert!(read(r#"{"a": -9223372036854775808}"#).is_ok());
        assert!(read(r#"{"a": 9223372036854775808}"#).is_err());
        assert!(read(r#"{"a": 123456789012345678901234567890}"#).is_err());
        assert!(read(r#"{"a": 1e30, "b": "99999999999999999999"}"#).is_ok());
        assert!(read(r#"{"a\"": "\\", "b": [1, -2.5e3]}"#).is_ok());
    }

    #[test]
    fn extjson_relaxed_dates_have_three_digit_millis() {
        let date = |s: &str| {
            let mut map = Map::new();
            map.insert("$date".to_string(), Json::String(s.to_string()));
            Json::Object(map)
        };
        assert_eq!(
            three_digit_millis(date("2023-11-14T22:13:20.5Z")),
            date("2023-11-14T22:13:20.500Z")
        );
        assert_eq!(
            three_digit_millis(date("2023-11-14T22:13:20Z")),
            date("2023-11-14T22:13:20Z")
        );
    }
}
