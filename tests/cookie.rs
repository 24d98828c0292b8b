//! End-to-end cookie behaviour through the public API: round trips in both JWT modes,
//! rotation, tampering, Python's bsZ rules, the write cap, timeouts, `Cookie:` headers.

mod common;

use beaker_session_jwt::{
    cookie_from_header, decode_cookie, decode_cookie_or_empty, encode_cookie, inspect, json, Codec,
    Config, CookieSession, Document, Error, Format, Layer, Limit, Regex, Session, TimeMode, Value,
};

const K1: &str = "first-secret-key-0001";
const K2: &str = "second-secret-key-002";
const NOW: f64 = 1_700_000_000.0;

fn config(keys: &[&str], bsz: bool) -> Config {
    let mut c = Config::new(keys.iter().copied()).unwrap();
    c.bson_compress_jwt_payload = bsz;
    c
}

fn sample() -> Session {
    let mut inner = Document::new();
    inner.insert("n", Value::Int64(1 << 40));
    inner.insert(
        "list",
        Value::Array(vec![Value::from("é"), Value::Null, Value::Bool(true)]),
    );
    let mut s = Session::new();
    s.insert("_id", "5d41402abc4b2a76b9719d911017c592");
    s.insert("_creation_time", Value::Double(NOW - 5.0));
    s.insert("_accessed_time", Value::Double(NOW - 1.0));
    s.insert("user_id", 42i32);
    s.insert("nested", inner);
    s.insert("nan", Value::Double(f64::NAN));
    s
}

/// Signs arbitrary claims JSON with `key`, as a key holder (or Python) could.
fn token(claims: &str, key: &str) -> String {
    common::codecs::jwt_sign(claims.as_bytes(), key.as_bytes())
}

#[test]
fn cookie_round_trips_in_both_jwt_modes() {
    for bsz in [true, false] {
        let c = config(&[K1], bsz);
        let cookie = encode_cookie(&sample(), &c).unwrap();
        let d = decode_cookie(&cookie, &c, NOW).unwrap();
        assert_eq!(d.session, sample(), "bsz={bsz}");
        assert_eq!(
            d.format,
            if bsz {
                Format::JwtBson
            } else {
                Format::JwtJson
            }
        );
        assert_eq!(d.key_index, 0);
        assert!(cookie.starts_with("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9."));
    }
}

#[test]
fn cookie_bson_mode_keeps_every_bson_type() {
    let mut s = Session::new();
    s.insert("dt", Value::DateTime(-62_135_596_800_000));
    s.insert(
        "bin",
        Value::Binary {
            subtype: 4,
            bytes: vec![0; 16],
        },
    );
    s.insert("oid", Value::ObjectId([7; 12]));
    s.insert(
        "re",
        Value::Regex(Box::new(Regex {
            pattern: "^a".into(),
            options: "im".into(),
        })),
    );
    s.insert(
        "ts",
        Value::Timestamp {
            time: 1,
            increment: 2,
        },
    );
    s.insert("dec", Value::Decimal128([1; 16]));
    s.insert("min", Value::MinKey);
    s.insert("max", Value::MaxKey);
    s.insert("code", Value::JavaScript("f()".into()));
    let c = config(&[K1], true);
    let d = decode_cookie(&encode_cookie(&s, &c).unwrap(), &c, NOW).unwrap();
    assert_eq!(d.session, s);
}

#[test]
fn cookie_write_drops_beaker_internal_keys() {
    let mut s = sample();
    s.insert("_expires", Value::DateTime(0));
    s.insert("_path", "/");
    s.insert("_domain", Value::Null);
    for bsz in [true, false] {
        let c = config(&[K1], bsz);
        let d = decode_cookie(&encode_cookie(&s, &c).unwrap(), &c, NOW).unwrap();
        assert_eq!(d.session, sample());
    }
}

#[test]
fn cookie_rotation_reports_the_verifying_key() {
    let old = config(&[K2], true);
    let cookie = encode_cookie(&sample(), &old).unwrap();
    let rotated = config(&[K1, K2], true);
    let d = decode_cookie(&cookie, &rotated, NOW).unwrap();
    assert_eq!(d.key_index, 1);
    assert_eq!(
        decode_cookie(&cookie, &config(&[K1], true), NOW),
        Err(Error::BadSignature)
    );
}

#[test]
fn cookie_any_changed_byte_is_refused() {
    let c = config(&[K1], true);
    let cookie = encode_cookie(&sample(), &c).unwrap();
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
    for i in 0..cookie.len() {
        let mut bytes = cookie.clone().into_bytes();
        let orig = bytes[i];
        bytes[i] = *alphabet.iter().find(|&&b| b != orig).unwrap();
        let forged = String::from_utf8(bytes).unwrap();
        let got = decode_cookie(&forged, &c, NOW);
        assert!(
            matches!(
                got,
                Err(Error::BadSignature | Error::Malformed { .. } | Error::Unsupported { .. })
            ),
            "byte {i}: {got:?}"
        );
    }
}

#[test]
fn cookie_alg_none_and_other_algs_are_refused() {
    let c = config(&[K1], true);
    let body = "eyJzdWIiOiJ4In0"; // {"sub":"x"}
    for header in [
        r#"{"alg":"none"}"#,
        r#"{"typ":"JWT","alg":"HS512"}"#,
        r#"{"alg":"hs256"}"#,
        r#"{"alg":"HS256","crit":["exp"]}"#,
        r#"{"alg":"HS256","zip":"DEF"}"#,
    ] {
        let h = base64url(header.as_bytes());
        let t = format!("{h}.{body}.");
        assert!(
            matches!(
                decode_cookie(&t, &c, NOW),
                Err(Error::Unsupported {
                    layer: Layer::Jws,
                    ..
                })
            ),
            "{header}"
        );
    }
    for header in [r#"{"typ":1,"alg":"HS256"}"#, r#"{"typ":"JWT"}"#, "[1]", "{"] {
        let t = format!("{}.{body}.", base64url(header.as_bytes()));
        assert!(
            matches!(
                decode_cookie(&t, &c, NOW),
                Err(Error::Malformed {
                    layer: Layer::Jws,
                    ..
                })
            ),
            "{header}"
        );
    }
}

#[test]
fn cookie_accepts_other_valid_headers_like_joserfc() {
    // A key holder may sign with a header joserfc accepts: kid, a different typ, whitespace.
    let c = config(&[K1], false);
    let header = base64url(b"{\"alg\" : \"HS256\",\r\n \"kid\":\"k1\", \"typ\":\"at+jwt\"}");
    let payload = base64url(br#"{"a":1}"#);
    let tag = hmac_b64(K1, &format!("{header}.{payload}"));
    let d = decode_cookie(&format!("{header}.{payload}.{tag}"), &c, NOW).unwrap();
    assert_eq!(d.session.get("a"), Some(&Value::Int32(1)));
}

#[test]
fn cookie_bsz_rules_follow_python() {
    let bsz = config(&[K1], true);
    let plain = config(&[K1], false);
    // A falsy bsZ is ignored; the other claims are the session.
    for falsy in [r#""""#, "0", "null", "[]", "false", "{}", "0.0"] {
        let t = token(&format!(r#"{{"bsZ":{falsy},"a":1}}"#), K1);
        let d = decode_cookie(&t, &bsz, NOW).unwrap();
        assert_eq!(d.session.keys().collect::<Vec<_>>(), ["a"], "{falsy}");
    }
    // A truthy non-string bsZ is an error.
    let t = token(r#"{"bsZ":1}"#, K1);
    assert!(decode_cookie(&t, &bsz, NOW).is_err());
    // BSON fields override the other claims.
    let real = encode_cookie(&sample(), &bsz).unwrap();
    let claims = decode_payload(&real);
    let text = claims.get("bsZ").unwrap().as_str().unwrap();
    let t = token(
        &format!(r#"{{"user_id":"x","extra":true,"bsZ":"{text}"}}"#),
        K1,
    );
    let d = decode_cookie(&t, &bsz, NOW).unwrap();
    assert_eq!(d.session.get("user_id"), Some(&Value::Int32(42)));
    assert_eq!(d.session.get("extra"), Some(&Value::Bool(true)));
    // In JSON mode a bsZ claim is always dropped.
    let d = decode_cookie(&real, &plain, NOW).unwrap();
    assert!(d.session.is_empty());
}

#[test]
fn cookie_json_mode_refuses_non_json_values_naming_the_key() {
    let mut s = Session::new();
    s.insert("when", Value::DateTime(0));
    let err = encode_cookie(&s, &config(&[K1], false)).unwrap_err();
    match err {
        Error::Unwritable { key, .. } => assert_eq!(key.as_str(), "when"),
        other => panic!("{other:?}"),
    }
    // joserfc turns exp/iat/nbf datetimes into seconds.
    let mut s = Session::new();
    s.insert("exp", Value::DateTime(1_500));
    let c = config(&[K1], false);
    let d = decode_cookie(&encode_cookie(&s, &c).unwrap(), &c, NOW).unwrap();
    assert_eq!(d.session.get("exp"), Some(&Value::Int32(1)));
}

#[test]
fn cookie_write_cap_is_beakers_4064() {
    let c = config(&[K1], false);
    let mut s = Session::new();
    s.insert("pad", "x".repeat(2900));
    assert!(encode_cookie(&s, &c).unwrap().len() <= 4064);
    s.insert("pad", "x".repeat(3100));
    assert_eq!(
        encode_cookie(&s, &c),
        Err(Error::LimitExceeded(Limit::WriteLen))
    );
}

#[test]
fn cookie_read_cap_trips_before_any_work() {
    let mut c = config(&[K1], true);
    c.limits.max_cookie_len = 100;
    let cookie = encode_cookie(&sample(), &config(&[K1], true)).unwrap();
    assert_eq!(
        decode_cookie(&cookie, &c, NOW),
        Err(Error::LimitExceeded(Limit::CookieLen))
    );
}

/// A fixed clock and counter for `CookieSession`.
struct Fixed(u8);

impl beaker_session_jwt::Env for Fixed {
    fn now(&mut self) -> beaker_session_jwt::UnixTime {
        beaker_session_jwt::UnixTime::from_secs(1_700_000_000)
    }

    fn random_id(&mut self) -> beaker_session_jwt::Result<[u8; 16]> {
        self.0 = self.0.wrapping_add(1);
        Ok([self.0; 16])
    }
}

/// What every public entry point that reads a cookie says about `value` under `c`: ok, or
/// the error. `CookieSession::load` gets it as the `Cookie:` header would carry it.
fn verdicts(value: &str, c: &Config) -> Vec<Result<(), Error>> {
    let mut codec = Codec::new();
    let mut strict = c.clone();
    strict.invalidate_corrupt = false;
    let header = format!("{}={value}", c.key);
    vec![
        decode_cookie(value, c, NOW).map(drop),
        codec.decode_cookie(value, c, NOW).map(drop),
        codec.decode_view(value, c, NOW).map(drop),
        inspect::inspect_cookie(value, c, true, NOW).map(drop),
        inspect::inspect_cookie(value, c, false, NOW).map(drop),
        CookieSession::load(Some(&header), &strict, &mut Fixed(0)).map(drop),
    ]
}

/// Every entry point checks a value alike, in one order: the config first, then the
/// surrounding quotes stripped, then `max_cookie_len` on the stripped value (so a quoted
/// cookie of exactly the limit reads everywhere, and one byte more is refused everywhere).
#[test]
fn cookie_every_entry_checks_the_value_alike() {
    let mut c = config(&[K1], true);
    let cookie = encode_cookie(&sample(), &c).unwrap();
    c.limits.max_cookie_len = cookie.len();
    let all = |v: Result<(), Error>| vec![v; 6];
    assert_eq!(verdicts(&format!("\"{cookie}\""), &c), all(Ok(())));
    assert_eq!(verdicts(&cookie, &c), all(Ok(())));
    let long = Err(Error::LimitExceeded(Limit::CookieLen));
    assert_eq!(verdicts(&format!("\"{cookie}x\""), &c), all(long));
    assert_eq!(verdicts(&format!("{cookie}x"), &c), all(long));
    let empty = |v: &Result<(), Error>| {
        matches!(
            v,
            Err(Error::Malformed {
                layer: Layer::Cookie,
                ..
            })
        )
    };
    assert!(verdicts("\"\"", &c).iter().all(empty));
    // A config that does not validate is reported first, whatever the value.
    let mut bad = c.clone();
    bad.key = String::new();
    for value in ["", "\"\"", &"x".repeat(cookie.len() + 1), &cookie] {
        assert!(
            verdicts(value, &bad)
                .iter()
                .all(|v| matches!(v, Err(Error::Config(_)))),
            "{value:?}"
        );
    }
}

#[test]
fn cookie_empty_and_quoted_values() {
    let c = config(&[K1], true);
    assert!(matches!(
        decode_cookie("", &c, NOW),
        Err(Error::Malformed {
            layer: Layer::Cookie,
            ..
        })
    ));
    assert!(decode_cookie("\"\"", &c, NOW).is_err());
    let cookie = encode_cookie(&sample(), &c).unwrap();
    assert_eq!(
        decode_cookie(&format!("\"{cookie}\""), &c, NOW)
            .unwrap()
            .session,
        sample()
    );
}

#[test]
fn cookie_timeout_expires_like_beaker() {
    let mut c = config(&[K1], true);
    c.timeout = Some(10);
    let cookie = encode_cookie(&sample(), &c).unwrap();
    assert!(decode_cookie(&cookie, &c, NOW + 8.0).is_ok());
    assert_eq!(decode_cookie(&cookie, &c, NOW + 10.0), Err(Error::Expired));
    assert!(decode_cookie_or_empty(&cookie, &c, NOW + 10.0).is_empty());
    let mut s = sample();
    s.remove("_accessed_time");
    let cookie = encode_cookie(&s, &c).unwrap();
    assert!(decode_cookie(&cookie, &c, NOW + 1e9).is_ok());
    c.time_mode = TimeMode::Strict;
    assert_eq!(decode_cookie(&cookie, &c, NOW), Err(Error::Expired));
}

#[test]
fn cookie_from_header_then_decode() {
    let c = config(&[K1], true);
    let cookie = encode_cookie(&sample(), &c).unwrap();
    let header = format!("theme=dark; bad\"one; beaker.session.id=\"{cookie}\"; x=y");
    let value = cookie_from_header(&header, &c).unwrap();
    assert_eq!(decode_cookie(value, &c, NOW).unwrap().session, sample());
}

fn base64url(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn hmac_b64(key: &str, input: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    base64url(&mac.finalize().into_bytes())
}

fn decode_payload(token: &str) -> Document {
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64url_decode(payload);
    json::read(&bytes, &Default::default()).unwrap()
}

fn base64url_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        _ => 63,
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for &c in s.as_bytes() {
        acc = (acc << 6) | u32::from(val(c));
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}
