//! Live interop with the Python reference, beaker-session-jwt 1.0.4, in both directions and in
//! every mode: JWT with bsZ claims, JWT with JSON claims, legacy pickle, legacy JSON.
//!
//! Each test starts `tests/python/oracle.py` once (in the venv `tests/common/pyenv.rs` builds
//! from PyPI) and sends it every case. Sessions are compared as canonical Extended JSON; the
//! only normalizations are those listed in `tests/common/extjson.rs` (double and decimal
//! spellings) plus, where Rust writes and Python reads, the conversions [`python_view`] lists.
//! Key order is compared too, at every depth.
//!
//! `BEAKER_SKIP_PYTHON=1` skips these tests (they print that they did); without it a missing
//! `python3` fails them.

mod common;

use base64ct::{Base64UrlUnpadded, Encoding};
use beaker_session_jwt::{
    decode_cookie, encode_cookie, CodeWithScope, Config, DbPointer, Decoded, Document, Error,
    Limit, Regex, Session, Value,
};
use common::extjson;
use common::failures::Failures;
use common::gen::{self, Profile, Rng};
use common::ini;
use common::mode::{Keys, Mode, MODES};
use common::oracle::{Options, Oracle, Outcome};
use hmac::{Hmac, Mac};
use serde_json::{json, Value as Json};
use sha2::Sha256;

const KEY1: &str = "interop-key-one-0123456789";
const KEY2: &str = "interop-key-two-0123456789";
const KEY_UNKNOWN: &str = "interop-key-not-configured";
const LEGACY_KEY: &str = "interop-legacy-validate-key";
const LEGACY_KEY_OTHER: &str = "interop-other-legacy-key-00";
/// `now` for `decode_cookie`; no test config sets `timeout`, so it only has to be a number.
const NOW: f64 = 1_700_000_000.0;
const RANDOM_SESSIONS: u64 = 200;

/// The keys every test here configures.
const KEYS: Keys<'static> = Keys {
    jwt: [KEY1, KEY2],
    legacy: LEGACY_KEY,
    remove: Some("drop_me"),
};

fn set(options: &Options, name: &str, value: &str) -> Options {
    let mut o: Options = options.iter().filter(|(k, _)| k != name).cloned().collect();
    o.push((name.to_string(), value.to_string()));
    o
}

fn config(options: &Options) -> Config {
    Config::from_options(ini::borrow(options))
        .unwrap_or_else(|e| panic!("options {options:?} give no Config: {e}"))
}

/// Rust's `decode_cookie` against Python's outcome for the same cookie and options: both
/// accept with the same session (and the same key order at every depth), or both refuse.
fn agree(
    f: &mut Failures,
    what: &str,
    cookie: &str,
    options: &Options,
    python: &Outcome,
) -> Option<Decoded> {
    f.checked += 1;
    let rust = decode_cookie(cookie, &config(options), NOW);
    match (python, rust) {
        (Outcome::Accepted { session, paths }, Ok(decoded)) => {
            if let Some(diff) = extjson::difference(&extjson::session(&decoded.session), session) {
                f.push(format!(
                    "{what}: Rust and Python sessions differ (Rust left, Python right) at {diff}"
                ));
            } else if let Some(diff) =
                extjson::paths_difference(&extjson::key_paths(&decoded.session), paths)
            {
                f.push(format!("{what}: key order differs at {diff}"));
            }
            Some(decoded)
        }
        (Outcome::Refused(_), Err(_)) => None,
        (Outcome::Accepted { .. }, Err(e)) => {
            f.push(format!("{what}: Python accepted, Rust refused: {e:?}"));
            None
        }
        (Outcome::Refused(why), Ok(decoded)) => {
            f.push(format!(
                "{what}: Python refused ({why}), Rust accepted: {}",
                extjson::session_text(&decoded.session)
            ));
            None
        }
    }
}

/// What Python reads back from a cookie Rust wrote of `session` in `mode`:
/// - JWT writes drop the top-level `_expires`, `_path` and `_domain` (beaker_session_jwt.py).
/// - pymongo reads BSON Undefined as `None`, Symbol as `str`, DBPointer as a `DBRef` (the
///   document `{"$ref", "$id"}`), and keeps only the regex flags it knows (`ilmsux`), sorted.
/// - JSON has one kind of integer: an `Int64` that fits 32 bits comes back `Int32`.
fn python_view(session: &Session, mode: Mode) -> Session {
    let json = matches!(mode, Mode::JwtJson | Mode::LegacyJson);
    let mut out = Session::new();
    for (k, v) in session.iter() {
        if mode.is_jwt() && matches!(k, "_expires" | "_path" | "_domain") {
            continue;
        }
        out.insert(k, python_value(v, json));
    }
    out
}

fn python_value(v: &Value, json: bool) -> Value {
    match v {
        Value::Undefined => Value::Null,
        Value::Symbol(s) => Value::String(s.clone()),
        Value::DbPointer(pointer) => {
            let DbPointer { namespace, id } = &**pointer;
            let mut d = Document::new();
            d.insert("$ref", namespace.as_str());
            d.insert("$id", Value::ObjectId(*id));
            Value::Document(d)
        }
        Value::Regex(regex) => {
            let Regex { pattern, options } = &**regex;
            Value::Regex(Box::new(Regex {
                pattern: pattern.clone(),
                options: "ilmsux".chars().filter(|c| options.contains(*c)).collect(),
            }))
        }
        Value::Int64(i) if json => Value::from(*i),
        Value::Document(d) => Value::Document(python_doc(d, json)),
        Value::JavaScriptWithScope(cws) => {
            let CodeWithScope { code, scope } = &**cws;
            Value::JavaScriptWithScope(Box::new(CodeWithScope {
                code: code.clone(),
                scope: python_doc(scope, json),
            }))
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| python_value(v, json)).collect()),
        other => other.clone(),
    }
}

fn python_doc(d: &Document, json: bool) -> Document {
    let mut out = Document::new();
    for (k, v) in d.iter() {
        out.insert(k, python_value(v, json));
    }
    out
}

/// What Rust reads back from its own cookie: the JWT drops, and JSON's one integer kind.
fn rust_view(session: &Session, mode: Mode) -> Session {
    let json = matches!(mode, Mode::JwtJson | Mode::LegacyJson);
    let mut out = Session::new();
    for (k, v) in session.iter() {
        if mode.is_jwt() && matches!(k, "_expires" | "_path" | "_domain") {
            continue;
        }
        out.insert(
            k,
            if json {
                python_value(v, true)
            } else {
                v.clone()
            },
        );
    }
    out
}

/// `session` with its top-level `_id` (if any) moved first, as pymongo writes BSON.
fn id_first(session: &Session) -> Session {
    let mut out = Session::new();
    if let Some(id) = session.get("_id") {
        out.insert("_id", id.clone());
    }
    for (k, v) in session.iter() {
        out.insert(k, v.clone());
    }
    out
}

/// Python's key order is `expected`'s at every depth, but for a top-level `_id` that pymongo
/// moves first when it writes BSON; `None` when it matches, else where it parts.
fn order_difference(expected: &Session, python: &[Json]) -> Option<String> {
    extjson::paths_difference(&extjson::key_paths(&id_first(expected)), python)?;
    extjson::paths_difference(&extjson::key_paths(expected), python)
}

enum Written {
    Done,
    TooLong,
    Refused,
}

/// Rust writes `session` in `mode`; Python must read exactly [`python_view`] of it, and Rust
/// must read back [`rust_view`] of it (a top-level `_id` may move first, as pymongo writes it).
fn rust_writes(
    f: &mut Failures,
    py: &mut Oracle,
    mode: Mode,
    what: &str,
    session: &Session,
) -> Written {
    f.checked += 1;
    let cookie = match encode_cookie(session, &config(&mode.write_options(&KEYS))) {
        Ok(cookie) => cookie,
        Err(Error::LimitExceeded(Limit::WriteLen)) => return Written::TooLong,
        Err(e) => {
            f.push(format!(
                "{what}: Rust refused to write {}: {e:?}",
                extjson::session_text(session)
            ));
            return Written::Refused;
        }
    };
    let expected = python_view(session, mode);
    match py.decode(&mode.read_options(&KEYS), &cookie) {
        Outcome::Accepted {
            session: got,
            paths,
        } => {
            if let Some(diff) = extjson::difference(&extjson::session(&expected), &got) {
                f.push(format!(
                    "{what}: Python read something else (expected left, Python right) at {diff}\n  cookie: {cookie}"
                ));
            } else if let Some(diff) = order_difference(&expected, &paths) {
                f.push(format!("{what}: Python's key order differs at {diff}"));
            }
        }
        Outcome::Refused(why) => f.push(format!(
            "{what}: Python refused our cookie: {why}\n  session: {}\n  cookie: {cookie}",
            extjson::session_text(session)
        )),
    }
    match decode_cookie(&cookie, &config(&mode.read_options(&KEYS)), NOW) {
        Ok(back) => {
            let expected = rust_view(session, mode);
            if back.session != expected && back.session != id_first(&expected) {
                f.push(format!(
                    "{what}: Rust does not read back its own cookie: wrote {}, read {}",
                    extjson::session_text(session),
                    extjson::session_text(&back.session)
                ));
            }
            if back.format != mode.format() {
                f.push(format!(
                    "{what}: Rust read its own cookie as {:?}",
                    back.format
                ));
            }
        }
        Err(e) => f.push(format!("{what}: Rust refused its own cookie: {e:?}")),
    }
    Written::Done
}

// ---------------------------------------------------------------------------------------------
// The harness itself.

/// The harness is sound: every typed and random session, sent to Python as our Extended JSON,
/// written by Python and read back by Python, is [`python_view`] of itself in every mode, with
/// top-level key order kept (but for pymongo's `_id` first). So a difference in the other tests
/// is Rust's, not the harness's. Needs no Rust codec.
#[test]
fn interop_harness_python_round_trips_our_extjson() {
    let test = "interop_harness_python_round_trips_our_extjson";
    let Some(mut py) = Oracle::start(test) else {
        return;
    };
    let mut f = Failures::new(test);
    for (mode, seed) in MODES.into_iter().zip(1..) {
        let mut sessions: Vec<(String, Session)> = gen::typed_sessions(mode.profile())
            .into_iter()
            .map(|(name, s)| (name.to_string(), s))
            .collect();
        let mut rng = Rng::new(seed);
        for i in 0..RANDOM_SESSIONS {
            sessions.push((
                format!("random #{i} of seed {seed}"),
                gen::session(&mut rng, mode.profile()),
            ));
        }
        for (name, session) in &sessions {
            f.checked += 1;
            let what = format!("{}/{name}", mode.name());
            let cookie = match py.encode(&mode.write_options(&KEYS), session) {
                Ok(cookie) => cookie,
                Err(why) => {
                    f.push(format!(
                        "{what}: Python cannot write {}: {why}",
                        extjson::session_text(session)
                    ));
                    continue;
                }
            };
            let mut expected = python_view(session, mode);
            if !mode.is_jwt() && session.is_empty() {
                // Python's `_encrypt_data({})` writes `self.copy()`: Beaker's `_path`/`_domain`.
                expected.insert("_domain", Value::Null);
                expected.insert("_path", "/");
            }
            match py.decode(&mode.read_options(&KEYS), &cookie) {
                Outcome::Accepted {
                    session: got,
                    paths,
                } => {
                    if let Some(diff) = extjson::difference(&extjson::session(&expected), &got) {
                        f.push(format!("{what}: differs at {diff}"));
                    } else if let Some(diff) = order_difference(&expected, &paths) {
                        f.push(format!("{what}: key order differs at {diff}"));
                    }
                }
                Outcome::Refused(why) => {
                    f.push(format!("{what}: Python refused its own cookie: {why}"))
                }
            }
        }
    }
    f.finish();
}

// ---------------------------------------------------------------------------------------------
// Python writes, Rust reads.

/// Every catalog session (tests/python/catalog.py: Python-native values) that Python writes in
/// `mode` reads in Rust as it reads in Python, with the mode's format and the first key.
fn python_writes_catalog(test: &'static str, mode: Mode) {
    let Some(mut py) = Oracle::start(test) else {
        return;
    };
    let mut f = Failures::new(test);
    let read = mode.read_options(&KEYS);
    let cases = py.catalog(mode.name(), &mode.write_options(&KEYS), &read);
    assert!(
        cases.len() > 10,
        "the catalog is short: {} cases",
        cases.len()
    );
    for case in &cases {
        let what = format!("{}/{} ({})", mode.name(), case.name, case.kind);
        let python_accepted = matches!(case.python, Outcome::Accepted { .. });
        match case.kind.as_str() {
            "accepted" | "max_size" | "widest" | "refused" => {
                if python_accepted != (case.kind != "refused") {
                    f.push(format!("{what}: Python itself gave {:?}", case.python));
                    continue;
                }
                if let Some(decoded) = agree(&mut f, &what, &case.cookie, &read, &case.python) {
                    if decoded.format != mode.format() || decoded.key_index != 0 {
                        f.push(format!(
                            "{what}: format {:?}, key {}; expected {:?}, key 0",
                            decoded.format,
                            decoded.key_index,
                            mode.format()
                        ));
                    }
                }
            }
            // Python accepts these; Rust may refuse them by design (the pickle whitelist), but
            // what it accepts must equal Python's.
            "extra" => match decode_cookie(&case.cookie, &config(&read), NOW) {
                Err(e) => eprintln!("{what}: refused by Rust ({e:?}); Python accepts it"),
                Ok(_) => {
                    agree(&mut f, &what, &case.cookie, &read, &case.python);
                }
            },
            other => f.push(format!("{what}: unknown catalog kind {other}")),
        }
        if case.kind == "max_size" && case.cookie.len() != 4064 {
            f.push(format!(
                "{what}: the largest cookie is {} chars, not 4064",
                case.cookie.len()
            ));
        }
    }
    f.finish();
}

#[test]
fn interop_python_writes_catalog_jwt_bson() {
    python_writes_catalog("interop_python_writes_catalog_jwt_bson", Mode::JwtBson);
}

#[test]
fn interop_python_writes_catalog_jwt_json() {
    python_writes_catalog("interop_python_writes_catalog_jwt_json", Mode::JwtJson);
}

#[test]
fn interop_python_writes_catalog_legacy_pickle() {
    python_writes_catalog(
        "interop_python_writes_catalog_legacy_pickle",
        Mode::LegacyPickle,
    );
}

#[test]
fn interop_python_writes_catalog_legacy_json() {
    python_writes_catalog(
        "interop_python_writes_catalog_legacy_json",
        Mode::LegacyJson,
    );
}

/// A cookie Python signed with the second configured key reads in Rust with `key_index` 1.
#[test]
fn interop_python_writes_with_second_key() {
    let test = "interop_python_writes_with_second_key";
    let Some(mut py) = Oracle::start(test) else {
        return;
    };
    let mut f = Failures::new(test);
    for mode in [Mode::JwtBson, Mode::JwtJson] {
        let read = mode.read_options(&KEYS);
        let write = set(&read, "session.jwt_secret_keys", KEY2);
        for case in py.catalog(mode.name(), &write, &read) {
            if case.kind != "accepted" {
                continue;
            }
            let what = format!("{}/{} signed by key 2", mode.name(), case.name);
            if let Some(decoded) = agree(&mut f, &what, &case.cookie, &read, &case.python) {
                if decoded.key_index != 1 {
                    f.push(format!("{what}: key_index {}", decoded.key_index));
                }
            }
        }
    }
    f.finish();
}

/// Random and typed sessions built in Rust, written by Python, read alike by Rust and Python.
fn python_writes_rust_sessions(test: &'static str, mode: Mode, seed: u64) {
    let Some(mut py) = Oracle::start(test) else {
        return;
    };
    let mut f = Failures::new(test);
    let mut sessions: Vec<(String, Session)> = gen::typed_sessions(mode.profile())
        .into_iter()
        .map(|(name, s)| (name.to_string(), s))
        .collect();
    let mut rng = Rng::new(seed);
    for i in 0..RANDOM_SESSIONS {
        sessions.push((
            format!("random #{i} of seed {seed}"),
            gen::session(&mut rng, mode.profile()),
        ));
    }
    let read = mode.read_options(&KEYS);
    for (name, session) in &sessions {
        let what = format!("{}/{name}", mode.name());
        match py.encode(&mode.write_options(&KEYS), session) {
            Ok(cookie) => {
                let python = py.decode(&read, &cookie);
                agree(&mut f, &what, &cookie, &read, &python);
            }
            Err(why) => f.push(format!(
                "{what}: Python cannot write {}: {why}",
                extjson::session_text(session)
            )),
        }
    }
    f.finish();
}

#[test]
fn interop_python_writes_random_jwt_bson() {
    python_writes_rust_sessions(
        "interop_python_writes_random_jwt_bson",
        Mode::JwtBson,
        0xb50a,
    );
}

#[test]
fn interop_python_writes_random_jwt_json() {
    python_writes_rust_sessions(
        "interop_python_writes_random_jwt_json",
        Mode::JwtJson,
        0x150a,
    );
}

#[test]
fn interop_python_writes_random_legacy_pickle() {
    python_writes_rust_sessions(
        "interop_python_writes_random_legacy_pickle",
        Mode::LegacyPickle,
        0x91c1,
    );
}

#[test]
fn interop_python_writes_random_legacy_json() {
    python_writes_rust_sessions(
        "interop_python_writes_random_legacy_json",
        Mode::LegacyJson,
        0x1e9a,
    );
}

// ---------------------------------------------------------------------------------------------
// Rust writes, Python reads.

/// Typed and random sessions Rust writes in `mode` read in Python as [`python_view`] says, and
/// in Rust as [`rust_view`] says.
fn rust_writes_sessions(test: &'static str, mode: Mode, seed: u64) {
    let Some(mut py) = Oracle::start(test) else {
        return;
    };
    let mut f = Failures::new(test);
    let mut too_long = 0;
    for (name, session) in gen::typed_sessions(mode.profile()) {
        let what = format!("{}/{name}", mode.name());
        if let Written::TooLong = rust_writes(&mut f, &mut py, mode, &what, &session) {
            f.push(format!("{what}: a typed session does not fit a cookie"));
        }
    }
    let mut rng = Rng::new(seed);
    for i in 0..RANDOM_SESSIONS {
        let session = gen::session(&mut rng, mode.profile());
        let what = format!("{}/random #{i} of seed {seed}", mode.name());
        if let Written::TooLong = rust_writes(&mut f, &mut py, mode, &what, &session) {
            too_long += 1;
        }
    }
    assert!(
        too_long < RANDOM_SESSIONS / 10,
        "{test}: {too_long} random sessions did not fit a cookie: the generator makes them too big"
    );
    f.finish();
}

#[test]
fn interop_rust_writes_jwt_bson() {
    rust_writes_sessions("interop_rust_writes_jwt_bson", Mode::JwtBson, 0x7b50);
}

#[test]
fn interop_rust_writes_jwt_json() {
    rust_writes_sessions("interop_rust_writes_jwt_json", Mode::JwtJson, 0x7150);
}

#[test]
fn interop_rust_writes_legacy_pickle() {
    rust_writes_sessions(
        "interop_rust_writes_legacy_pickle",
        Mode::LegacyPickle,
        0x791c,
    );
}

#[test]
fn interop_rust_writes_legacy_json() {
    rust_writes_sessions("interop_rust_writes_legacy_json", Mode::LegacyJson, 0x71e9);
}

/// The values Python cannot read back as themselves come back exactly as [`python_view`]
/// says; spelled out here so that function is itself checked.
#[test]
fn interop_rust_writes_python_lossy_types() {
    let test = "interop_rust_writes_python_lossy_types";
    let Some(mut py) = Oracle::start(test) else {
        return;
    };
    let mut f = Failures::new(test);
    let id = *b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b";
    let mut bson = Session::new();
    bson.insert("undefined", Value::Undefined);
    bson.insert("symbol", Value::Symbol("hi".into()));
    bson.insert(
        "dbpointer",
        Value::DbPointer(Box::new(DbPointer {
            namespace: "db.coll".into(),
            id,
        })),
    );
    bson.insert(
        "regex",
        Value::Regex(Box::new(Regex {
            pattern: "a".into(),
            options: "xmi".into(),
        })),
    );
    bson.insert("_path", "/");
    let bson_expected = json!({
        "undefined": null,
        "symbol": "hi",
        "dbpointer": {"$ref": "db.coll", "$id": {"$oid": "000102030405060708090a0b"}},
        "regex": {"$regularExpression": {"pattern": "a", "options": "imx"}},
    });
    let mut ints = Session::new();
    ints.insert("small", Value::Int64(5));
    ints.insert("big", Value::Int64(1 << 40));
    ints.insert("_domain", "example.com");
    let json_expected =
        json!({"small": {"$numberInt": "5"}, "big": {"$numberLong": "1099511627776"}});
    let legacy_json_expected = json!({
        "small": {"$numberInt": "5"}, "big": {"$numberLong": "1099511627776"}, "_domain": "example.com",
    });
    for (mode, session, expected) in [
        (Mode::JwtBson, &bson, &bson_expected),
        (Mode::JwtJson, &ints, &json_expected),
        (Mode::LegacyJson, &ints, &legacy_json_expected),
    ] {
        f.checked += 1;
        let what = format!("{}/lossy", mode.name());
        let view = extjson::session(&python_view(session, mode));
        if let Some(diff) = extjson::difference(&view, expected) {
            f.push(format!("{what}: python_view is wrong at {diff}"));
        }
        // Not `rust_writes`: whether Rust re-sorts regex options when it writes is its own
        // business; what Python reads is not.
        match encode_cookie(session, &config(&mode.write_options(&KEYS))) {
            Ok(cookie) => match py.decode(&mode.read_options(&KEYS), &cookie) {
                Outcome::Accepted { session: got, .. } => {
                    if let Some(diff) = extjson::difference(expected, &got) {
                        f.push(format!(
                            "{what}: Python read (right) something else at {diff}"
                        ));
                    }
                }
                Outcome::Refused(why) => {
                    f.push(format!("{what}: Python refused our cookie: {why}"))
                }
            },
            Err(e) => f.push(format!("{what}: Rust refused to write: {e:?}")),
        }
    }
    f.finish();
}

/// pymongo's own classes in a legacy pickle (what Python writes during a rollout): Rust either
/// writes a pickle Python reads back as the same value (a small `Int64` may come back as a
/// plain `int`), or refuses the session with `Error::Unwritable` naming the key.
#[test]
fn interop_rust_writes_pymongo_types_legacy_pickle() {
    let test = "interop_rust_writes_pymongo_types_legacy_pickle";
    let Some(mut py) = Oracle::start(test) else {
        return;
    };
    let mut f = Failures::new(test);
    let mode = Mode::LegacyPickle;
    let values = [
        Value::ObjectId(*b"\x65\xf0\xc0\xff\xee\x01\x23\x45\x67\x89\xab\xcd"),
        Value::Int64(5),
        Value::Int64(1 << 40),
        Value::Binary {
            subtype: 4,
            bytes: (0..16).collect(),
        },
        Value::Regex(Box::new(Regex {
            pattern: "^a".into(),
            options: "i".into(),
        })),
        gen::decimal("1.5"),
        Value::Timestamp {
            time: 1_700_000_000,
            increment: 1,
        },
        Value::JavaScript("f()".into()),
        Value::MinKey,
        Value::MaxKey,
        Value::Undefined,
        Value::Symbol("sym".into()),
    ];
    for value in values {
        f.checked += 1;
        let mut session = Session::new();
        session.insert("v", value.clone());
        let what = format!("legacy_pickle/{}", value.kind());
        match encode_cookie(&session, &config(&mode.write_options(&KEYS))) {
            Err(Error::Unwritable { key, .. }) => {
                if key.as_str() != "v" {
                    f.push(format!("{what}: Unwritable names key {key:?}, not \"v\""));
                }
            }
            Err(e) => f.push(format!("{what}: refused with {e:?}, not Error::Unwritable")),
            Ok(cookie) => match py.decode(&mode.read_options(&KEYS), &cookie) {
                Outcome::Accepted { session: got, .. } => {
                    let mut expected = vec![extjson::session(&python_view(&session, mode))];
                    if let Value::Int64(i) = value {
                        let mut widened = Session::new();
                        widened.insert("v", Value::from(i));
                        expected.push(extjson::session(&widened));
                    }
                    if expected
                        .iter()
                        .all(|e| extjson::difference(e, &got).is_some())
                    {
                        f.push(format!(
                            "{what}: Python read {got}, expected {}",
                            expected[0]
                        ));
                    }
                }
                Outcome::Refused(why) => {
                    f.push(format!("{what}: Python refused our pickle: {why}"))
                }
            },
        }
    }
    f.finish();
}

/// With JSON claims there is no zlib, so Rust's cookie is byte-for-byte Python's: the same
/// header, the same compact JSON (`ensure_ascii=False`), the same signature.
#[test]
fn interop_jwt_json_cookie_is_byte_identical() {
    let test = "interop_jwt_json_cookie_is_byte_identical";
    let Some(mut py) = Oracle::start(test) else {
        return;
    };
    let mut f = Failures::new(test);
    let mode = Mode::JwtJson;
    let mut sessions: Vec<(&str, Session)> = gen::typed_sessions(Profile::Json)
        .into_iter()
        .filter(|(name, _)| *name != "doubles")
        .collect();
    let mut doubles = Session::new();
    for (i, d) in [
        0.5,
        -1.5,
        2.0,
        -0.0,
        0.1,
        1_700_000_000.123_456,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ]
    .into_iter()
    .enumerate()
    {
        doubles.insert(format!("d{i}"), d);
    }
    sessions.push(("plain doubles", doubles));
    for (name, session) in &sessions {
        f.checked += 1;
        let ours = encode_cookie(session, &config(&mode.write_options(&KEYS)));
        let theirs = py.encode(&mode.write_options(&KEYS), session);
        match (ours, theirs) {
            (Ok(a), Ok(b)) if a == b => {}
            (a, b) => f.push(format!("{name}: Rust {a:?}\n  Python {b:?}")),
        }
    }
    f.finish();
}

/// Beaker's 4064-character cap: with JSON claims (same bytes as Python) Rust writes the
/// session whose Python cookie is exactly 4064 characters, and refuses one character more.
#[test]
fn interop_write_limit_matches_python() {
    let test = "interop_write_limit_matches_python";
    let Some(mut py) = Oracle::start(test) else {
        return;
    };
    let mut f = Failures::new(test);
    let mode = Mode::JwtJson;
    let session_of = |n: usize| {
        let mut s = Session::new();
        s.insert("_id", "3f2a9c1e8b7d4f6a0c5e1b2d9f8a7c6e");
        s.insert("blob", "x".repeat(n));
        s
    };
    // base64url of JSON: each 3 characters of the blob add 4 to the cookie, so find the blob
    // length whose Python cookie is exactly 4064 characters.
    let mut exact = None;
    let mut n = 2900;
    while n < 3100 {
        let len = py
            .encode(&mode.write_options(&KEYS), &session_of(n))
            .expect("Python writes")
            .len();
        if len == 4064 {
            exact = Some(n);
        }
        if len > 4064 {
            break;
        }
        n += 1;
    }
    let exact = exact.expect("some blob length gives a 4064-character Python cookie");
    f.checked += 1;
    match encode_cookie(&session_of(exact), &config(&mode.write_options(&KEYS))) {
        Ok(cookie) if cookie.len() == 4064 => {}
        other => f.push(format!(
            "4064 characters: Rust gave {:?}",
            other.map(|c| c.len())
        )),
    }
    f.checked += 1;
    let longer = py
        .encode(&mode.write_options(&KEYS), &session_of(exact + 1))
        .expect("Python writes");
    assert!(longer.len() > 4064);
    match encode_cookie(&session_of(exact + 1), &config(&mode.write_options(&KEYS))) {
        Err(Error::LimitExceeded(Limit::WriteLen)) => {}
        other => f.push(format!(
            "{} characters: Rust gave {:?}, not LimitExceeded(WriteLen)",
            longer.len(),
            other.map(|c| c.len())
        )),
    }
    f.finish();
}

// ---------------------------------------------------------------------------------------------
// What both must refuse, and how both read odd but valid cookies.

fn typical_session() -> Session {
    gen::typed_sessions(Profile::Json)
        .into_iter()
        .find(|(name, _)| *name == "beaker")
        .expect("the typed sessions have a beaker session")
        .1
}

/// Replaces the character at `at` with the next one of a fixed alphabet.
fn substitute(cookie: &str, at: usize) -> String {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/";
    let c = cookie.as_bytes()[at] as char;
    let next = match ALPHABET.find(c) {
        Some(i) => ALPHABET.as_bytes()[(i + 1) % ALPHABET.len()] as char,
        None => 'A',
    };
    format!("{}{next}{}", &cookie[..at], &cookie[at + 1..])
}

/// Every one-character substitution and every truncation of a valid cookie (Python's and
/// Rust's, every mode) is refused by both Python and Rust.
#[test]
fn interop_tampered_cookies_refused_by_both() {
    let test = "interop_tampered_cookies_refused_by_both";
    let Some(mut py) = Oracle::start(test) else {
        return;
    };
    let mut f = Failures::new(test);
    let session = typical_session();
    for mode in MODES {
        let read = mode.read_options(&KEYS);
        let python_cookie = py
            .encode(&mode.write_options(&KEYS), &session)
            .expect("Python writes");
        let mut cookies = vec![("python", python_cookie)];
        match encode_cookie(&session, &config(&mode.write_options(&KEYS))) {
            Ok(c) => cookies.push(("rust", c)),
            Err(e) => f.push(format!(
                "{}: Rust cannot write the typical session: {e:?}",
                mode.name()
            )),
        }
        for (writer, cookie) in cookies {
            for at in 0..cookie.len() {
                let bad = substitute(&cookie, at);
                let what = format!("{}/{writer} cookie, character {at} changed", mode.name());
                expect_both_refuse(&mut f, &mut py, &what, &bad, &read);
            }
            for len in 0..cookie.len() {
                let what = format!("{}/{writer} cookie cut to {len}", mode.name());
                expect_both_refuse(&mut f, &mut py, &what, &cookie[..len], &read);
            }
        }
    }
    f.finish();
}

fn expect_both_refuse(f: &mut Failures, py: &mut Oracle, what: &str, cookie: &str, read: &Options) {
    let python = py.decode(read, cookie);
    if let Outcome::Accepted { .. } = python {
        f.push(format!("{what}: Python accepted {cookie}"));
    }
    agree(f, what, cookie, read, &python);
}

/// A cookie signed with a key that is not configured is refused by both; Rust says
/// `BadSignature`.
#[test]
fn interop_unknown_key_refused_by_both() {
    let test = "interop_unknown_key_refused_by_both";
    let Some(mut py) = Oracle::start(test) else {
        return;
    };
    let mut f = Failures::new(test);
    let session = typical_session();
    for mode in MODES {
        let write = if mode.is_jwt() {
            set(
                &mode.write_options(&KEYS),
                "session.jwt_secret_keys",
                KEY_UNKNOWN,
            )
        } else {
            set(
                &mode.write_options(&KEYS),
                "session.original_format_validate_key",
                LEGACY_KEY_OTHER,
            )
        };
        let mut cookies = vec![(
            "python",
            py.encode(&write, &session).expect("Python writes"),
        )];
        match encode_cookie(&session, &config(&write)) {
            Ok(c) => cookies.push(("rust", c)),
            Err(e) => f.push(format!("{}: Rust cannot write: {e:?}", mode.name())),
        }
        for (writer, cookie) in cookies {
            let what = format!("{}/{writer} cookie with an unknown key", mode.name());
            expect_both_refuse(&mut f, &mut py, &what, &cookie, &mode.read_options(&KEYS));
            let rust = decode_cookie(&cookie, &config(&mode.read_options(&KEYS)), NOW);
            if rust.as_ref().err() != Some(&Error::BadSignature) {
                f.push(format!("{what}: Rust gave {rust:?}, not BadSignature"));
            }
        }
    }
    f.finish();
}

fn b64url(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// A compact JWS over raw header and claims bytes, HMAC-SHA256-signed whatever `alg` says.
fn hs256(header: &str, claims: &str, key: &str) -> String {
    let input = format!(
        "{}.{}",
        b64url(header.as_bytes()),
        b64url(claims.as_bytes())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(input.as_bytes());
    format!("{input}.{}", b64url(&mac.finalize().into_bytes()))
}

/// Only HS256 is accepted: joserfc's HS384/HS512 tokens, `none` (unsigned or signed), a
/// lowercase `hs256`, RS256 and ES256 headers are refused by both; HS256 with a `kid` or
/// without `typ` is accepted by both.
#[test]
fn interop_algorithms_agree() {
    let test = "interop_algorithms_agree";
    let Some(mut py) = Oracle::start(test) else {
        return;
    };
    let mut f = Failures::new(test);
    let claims = json!({"user": "bob", "n": 1});
    let claims_text = claims.to_string();
    let mut refused = vec![];
    for alg in ["HS384", "HS512"] {
        refused.push((alg.to_string(), py.jws(&json!({"alg": alg}), &claims, KEY1)));
    }
    for alg in ["none", "None", "hs256", "RS256", "ES256", "HS256 "] {
        let header = json!({"typ": "JWT", "alg": alg}).to_string();
        refused.push((format!("{alg} signed"), hs256(&header, &claims_text, KEY1)));
        refused.push((
            format!("{alg} unsigned"),
            format!(
                "{}.{}.",
                b64url(header.as_bytes()),
                b64url(claims_text.as_bytes())
            ),
        ));
    }
    let accepted = [
        (
            "kid",
            py.jws(&json!({"alg": "HS256", "kid": "k1"}), &claims, KEY1),
        ),
        ("no typ", hs256(r#"{"alg":"HS256"}"#, &claims_text, KEY1)),
        (
            "alg first",
            hs256(r#"{"alg":"HS256","typ":"JWT"}"#, &claims_text, KEY1),
        ),
        (
            "spaces",
            hs256(
                "{ \"typ\" : \"JWT\" ,\r\n \"alg\" : \"HS256\" }",
                &claims_text,
                KEY1,
            ),
        ),
    ];
    for mode in MODES {
        let read = mode.read_options(&KEYS);
        for (name, token) in &refused {
            let what = format!("{}/alg {name}", mode.name());
            expect_both_refuse(&mut f, &mut py, &what, token, &read);
        }
        for (name, token) in &accepted {
            let what = format!("{}/header {name}", mode.name());
            let python = py.decode(&read, token);
            if !matches!(python, Outcome::Accepted { .. }) {
                f.push(format!("{what}: Python refused: {python:?}"));
            }
            agree(&mut f, &what, token, &read, &python);
        }
    }
    f.finish();
}

/// Every cookie, whichever mode and side wrote it, reads alike in Rust and Python under every
/// reader configuration (including the legacy re-serialization check done with `json.dumps`
/// when `bson_compress_jwt_payload` is off).
#[test]
fn interop_cross_mode_matrix() {
    let test = "interop_cross_mode_matrix";
    let Some(mut py) = Oracle::start(test) else {
        return;
    };
    let mut f = Failures::new(test);
    let mut with_dates = typical_session();
    with_dates.insert("when", Value::DateTime(1_709_210_096_789));
    with_dates.insert(
        "raw",
        Value::Binary {
            subtype: 0,
            bytes: b"\x00\xff".to_vec(),
        },
    );
    let mut with_int64 = typical_session();
    with_int64.insert("n", Value::Int64(7));
    let sessions = [
        ("typical", typical_session()),
        ("dates", with_dates),
        ("int64", with_int64),
    ];
    let mut readers: Vec<(String, Options)> = MODES
        .iter()
        .map(|m| (m.name().to_string(), m.read_options(&KEYS)))
        .collect();
    for mode in [Mode::LegacyPickle, Mode::LegacyJson] {
        readers.push((
            format!("{} with json check", mode.name()),
            set(
                &mode.read_options(&KEYS),
                "session.bson_compress_jwt_payload",
                "false",
            ),
        ));
    }
    for writer_mode in MODES {
        for (name, session) in &sessions {
            let mut cookies = vec![];
            if let Ok(c) = py.encode(&writer_mode.write_options(&KEYS), session) {
                cookies.push(("python", c));
            }
            if let Ok(c) = encode_cookie(session, &config(&writer_mode.write_options(&KEYS))) {
                cookies.push(("rust", c));
            }
            for (writer, cookie) in &cookies {
                for (reader, read) in &readers {
                    let what = format!("{writer} {} {name} read as {reader}", writer_mode.name());
                    let python = py.decode(read, cookie);
                    agree(&mut f, &what, cookie, read, &python);
                }
            }
        }
    }
    f.finish();
}

/// The bsZ claim's corner cases read alike: merged over other claims, ignored when falsy,
/// refused when a truthy non-string, one base85 character of tail ignored; with
/// `bson_compress_jwt_payload` off bsZ is dropped. (Bytes after the zlib stream: see the
/// `bsz_zlib_trailing_bytes` vector.)
#[test]
fn interop_bsz_claim_quirks_agree() {
    let test = "interop_bsz_claim_quirks_agree";
    let Some(mut py) = Oracle::start(test) else {
        return;
    };
    let mut f = Failures::new(test);
    let inner = json!({"b": {"$numberInt": "2"}, "a": {"$numberLong": "3"}});
    let bsz = py.bsz(&inner);
    let mut claims: Vec<(String, Json)> = vec![
        ("bsZ only".into(), json!({"bsZ": bsz})),
        ("merged".into(), json!({"a": 1, "bsZ": bsz, "c": 4})),
        ("non-ascii claims".into(), json!({"é": "😀", "bsZ": bsz})),
        ("truthy number".into(), json!({"bsZ": 5})),
        ("true".into(), json!({"bsZ": true})),
        ("object".into(), json!({"bsZ": {"a": 1}})),
        ("list".into(), json!({"bsZ": ["x"]})),
        (
            "bad base85".into(),
            json!({"bsZ": format!("{},,", &bsz[..bsz.len() - 2])}),
        ),
        ("not zlib".into(), json!({"bsZ": "VPRomVPRom"})),
    ];
    for falsy in [
        json!(""),
        json!(0),
        json!(0.0),
        json!(null),
        json!(false),
        json!([]),
        json!({}),
    ] {
        claims.push((format!("falsy {falsy}"), json!({"bsZ": falsy, "x": 1})));
    }
    for extra in 0..5 {
        let pad = "x".repeat(extra);
        let tailed = py.bsz(&json!({"b": {"$numberInt": "2"}, "pad": pad}));
        claims.push((
            format!("tail of one, pad {extra}"),
            json!({"bsZ": format!("{tailed}0")}),
        ));
        claims.push((
            format!("tail of two, pad {extra}"),
            json!({"bsZ": format!("{tailed}00")}),
        ));
    }
    for mode in MODES {
        let read = mode.read_options(&KEYS);
        for (name, c) in &claims {
            let token = hs256(r#"{"typ":"JWT","alg":"HS256"}"#, &c.to_string(), KEY1);
            let what = format!("{}/{name}", mode.name());
            let python = py.decode(&read, &token);
            agree(&mut f, &what, &token, &read, &python);
        }
    }
    f.finish();
}
