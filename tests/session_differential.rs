//! Differential test of the session lifecycle (`CookieSession`, `LazySession`) against the real
//! Python: beaker-session-jwt 1.0.4's `JWTCookieSession` on Beaker 1.14.1, driven by
//! `tests/python/session_driver.py` (its docs describe the scenario format both sides read).
//!
//! Scripted scenarios cover new, load, modify, save, accessed-only save, `persist`, timeout,
//! corrupt and forged cookies with and without `invalidate_corrupt`, delete, invalidate, every
//! `cookie_expires` form, the cookie attributes, several `Cookie` header fields, the 4064-character
//! refusal, and legacy cookies (written by Python's own legacy writer) read and rewritten as
//! JWTs; then [`RANDOM_PER_MODE`] seeded random request sequences per cookie payload mode
//! (`bson_compress_jwt_payload` on and off). Some requests run through the real
//! `SessionMiddleware` (`wsgi` steps) and our [`LazySession`].
//!
//! Both sides get the same clock and the same id bytes: call i of a request reads
//! `now + i * tick`, and ids come from the scenario's stream in order, so a clock read or an id
//! drawn in a different place shows as a mismatch. After the load and after every action the
//! two sides must agree on: the error (if any), whether a cookie is to be sent (Python's
//! `set_cookie` with a `cookie_out`, as the middleware's `if cookie:`), the `Set-Cookie` value
//! (Python's `cookie_out` carries a leading space ours does not), the session value for value
//! and in key order (canonical Extended JSON, `tests/common/extjson.rs`), `is_new`, the ids used
//! and the clock reads. Each side replays its own cookies (a client jar that ignores expiry), so
//! a difference propagates instead of being papered over.
//!
//! The `Set-Cookie` is compared byte for byte, name, value and attributes, except inside two
//! layers whose bytes differ by design while meaning the same: zlib streams (Python's C zlib and
//! our miniz_oxide-equivalent level-9 deflate compress the same bytes differently: a bsZ claim
//! and a legacy json cookie) are compared as the bytes they inflate to, with the signature
//! checked instead of compared; a legacy pickle (Python memoizes every string) is compared as
//! the session it unpickles to. See [`inflated_value`]. Every other cookie (JSON claims, the
//! expired cookie of a delete) must be byte-identical, and the count of each kind is printed.
//!
//! Error categories: Python's "Cookie value is too long to store" is our
//! `LimitExceeded(WriteLen)` ("too_long"); any refusal by the constructor is "load" on both
//! sides; bson's `InvalidDocument` or json's `TypeError` on save is our `Unwritable`
//! ("unwritable"); Python's `KeyError` (a session without `_id` or `_domain` when a cookie is
//! written) is our `Malformed` in `Layer::Session`.
//!
//! Known Python behaviour this test keeps out of its inputs (documented, not compared):
//! - `cookie_expires` as a `datetime` is given here as Unix seconds; the driver builds the
//!   `datetime` with `fromtimestamp`, which rounds to microseconds, so only times with at most
//!   millisecond fractions are used (Beaker itself then drops the microseconds).
//! - `{"seconds": n}` is the typed int `SessionMiddleware` turns into a `timedelta` (ours:
//!   `CookieExpires::After(n)` set directly; from an `.ini`, Beaker and `Config::from_options`
//!   both read "1" and "0" as booleans). An int 0 reaches a bare `CookieSession` as `0` and
//!   raises on every save; it is not used.
//!
//! `BEAKER_SKIP_PYTHON=1` skips the test; without it a missing `python3` fails it. For
//! debugging, `SESSION_DIFF_FAILURES=file` writes every mismatch in full (the panic shows the
//! first 15), and `SESSION_DIFF_DUMP=dir` writes `scenarios.json` and `python.json` (rerun with
//! `python tests/python/session_driver.py < dir/scenarios.json`).

mod common;

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::Instant;

use beaker_session_jwt::{
    Config, CookieExpires, CookieSession, Env, Error, Layer, LazySession, Limit, Result, Session,
    UnixTime, Value,
};
use common::codecs;
use common::extjson;
use common::gen::{self, Profile, Rng};
use common::pyenv;
use serde_json::{json, Map, Value as Json};

const KEY1: &str = "session-diff-key-one-0123456789";
const KEY2: &str = "session-diff-key-two-0123456789";
const KEY_NEW: &str = "session-diff-key-new-0123456789";
const KEY_OTHER: &str = "session-diff-key-not-configured";
const LEGACY_KEY: &str = "session-diff-legacy-key-0123";
/// The first request's clock (2023-11-14T22:13:20Z).
const T0: f64 = 1_700_000_000.0;
/// Random request sequences per payload mode.
const RANDOM_PER_MODE: u64 = 220;
/// Ids in each scenario's stream (more than any scenario draws).
const IDS_PER_SCENARIO: usize = 96;

// ---------------------------------------------------------------------------------------------
// Building scenarios (the JSON both sides read)

/// Scenarios plus the values their `set` actions insert (Python reads the Extended JSON text in
/// the action; we take the value itself, by the index in the action's fourth element, so nested
/// key order is exactly what was generated).
struct Builder {
    scenarios: Vec<Json>,
    values: Vec<Value>,
}

impl Builder {
    fn set(&mut self, key: &str, v: impl Into<Value>) -> Json {
        let v = v.into();
        let mut doc = Session::new();
        doc.insert("v", v.clone());
        self.values.push(v);
        json!([
            "set",
            key,
            extjson::session_text(&doc),
            self.values.len() - 1
        ])
    }

    fn add(&mut self, name: &str, bson: bool, overrides: Json, tick: f64, steps: Vec<Json>) {
        let mut options = base_options(bson);
        for (k, v) in overrides.as_object().expect("options object") {
            options.insert(k.clone(), v.clone());
        }
        let mut rng = Rng::new(fnv1a(name.as_bytes()));
        let ids: Vec<Json> = (0..IDS_PER_SCENARIO)
            .map(|_| Json::from(hex(&rng.bytes(16))))
            .collect();
        self.scenarios.push(json!({
            "name": name,
            "options": options,
            "tick": tick,
            "ids": ids,
            "steps": steps,
        }));
    }
}

fn base_options(bson: bool) -> Map<String, Json> {
    let o = json!({
        "jwt_secret_keys": format!("{KEY1}, {KEY2}"),
        "bson_compress_jwt_payload": bson,
        "invalidate_corrupt": false,
        "save_accessed_time": true,
        "timeout": null,
        "cookie_expires": true,
        "cookie_domain": null,
        "cookie_path": "/",
        "secure": false,
        "httponly": false,
        "samesite": "Lax",
        "auto": false,
    });
    o.as_object().expect("object").clone()
}

fn legacy_options(serializer: &str) -> Json {
    json!({
        "read_original_format": true,
        "original_format_validate_key": LEGACY_KEY,
        "original_format_data_serializer": serializer,
    })
}

fn merge(a: &Json, b: Json) -> Json {
    let mut m = a.as_object().expect("object").clone();
    for (k, v) in b.as_object().expect("object") {
        m.insert(k.clone(), v.clone());
    }
    Json::Object(m)
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn request(cookie: Json, now: f64, actions: Vec<Json>) -> Json {
    json!({"op": "request", "cookie": cookie, "now": now, "actions": actions})
}

fn request_with(options: Json, cookie: Json, now: f64, actions: Vec<Json>) -> Json {
    json!({"op": "request", "options": options, "cookie": cookie, "now": now, "actions": actions})
}

fn wsgi(cookie: Json, now: f64, actions: Vec<Json>) -> Json {
    json!({"op": "wsgi", "cookie": cookie, "now": now, "actions": actions})
}

fn make_cookie(session: &Session, options: Json) -> Json {
    json!({"op": "make_cookie", "session": extjson::session_text(session), "options": options})
}

fn jar() -> Json {
    json!({"pieces": ["$session"], "from": "jar"})
}

fn jar_mutated(how: &str) -> Json {
    json!({"pieces": ["$session"], "from": "jar", "mutate": how})
}

fn made() -> Json {
    json!({"pieces": ["$session"], "from": "made"})
}

fn raw(header: &str) -> Json {
    json!({"pieces": [header]})
}

fn act(name: &str) -> Json {
    json!([name])
}

fn persist(dirty: bool) -> Json {
    json!(["persist", dirty])
}

fn del(key: &str) -> Json {
    json!(["del", key])
}

fn session_of(entries: Vec<(&str, Value)>) -> Session {
    let mut s = Session::new();
    for (k, v) in entries {
        s.insert(k, v);
    }
    s
}

/// A string that compresses badly: its cookie is longer than 4064 characters.
fn incompressible(rng: &mut Rng, len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    (0..len).map(|_| char::from(*rng.pick(ALPHABET))).collect()
}

/// A compact JWS over `claims` (JSON text) signed with HS256 by `key`, header as the package
/// writes it: cookies the Python writer would never produce but a key holder could.
fn jws(claims: &str, key: &str) -> String {
    codecs::jwt_sign(claims.as_bytes(), key.as_bytes())
}

/// `base85(zlib9(BSON(session)))`, the bsZ claim.
fn bsz(session: &Session) -> String {
    codecs::base85_encode(&codecs::deflate(
        &beaker_session_jwt::bson::write(session).expect("writable"),
    ))
}

/// Signed cookies with odd claims, for one payload mode.
fn crafted(b: &mut Builder, bson: bool) {
    let m = if bson { "bson" } else { "json" };
    let user = session_of(vec![
        ("_id", Value::from("0123456789abcdef0123456789abcdef")),
        ("user", Value::from("ada")),
        ("_accessed_time", Value::Double(T0 - 1.0)),
    ]);
    let good = bsz(&user);
    let claims = [
        ("bsz_garbage", r#"{"bsZ":"garbage"}"#.to_string()),
        ("bsz_empty", r#"{"bsZ":""}"#.to_string()),
        (
            "bsz_not_zlib",
            format!(r#"{{"bsZ":"{}"}}"#, codecs::base85_encode(b"plain")),
        ),
        (
            "bsz_and_claims",
            format!(r#"{{"x":1,"bsZ":"{good}","user":"eve"}}"#),
        ),
        ("bsz_only", format!(r#"{{"bsZ":"{good}"}}"#)),
        (
            "json_claims",
            r#"{"_id":"0123456789abcdef0123456789abcdef","user":"ada","n":1.5}"#.to_string(),
        ),
        ("bsz_number", r#"{"bsZ":5,"user":"ada"}"#.to_string()),
        (
            "exp_past",
            r#"{"exp":1,"nbf":9999999999,"user":"ada"}"#.to_string(),
        ),
        ("array", "[1,2]".to_string()),
        ("string", r#""text""#.to_string()),
        ("empty_object", "{}".to_string()),
        ("dup_keys", r#"{"user":"ada","user":"eve"}"#.to_string()),
    ];
    for invalidate in [false, true] {
        let mut steps = Vec::new();
        for (i, (_, c)) in claims.iter().enumerate() {
            let cookie = format!("beaker.session.id={}", jws(c, KEY2));
            steps.push(request(
                raw(&cookie),
                T0 + i as f64,
                vec![act("save_accessed"), act("save")],
            ));
        }
        let names: Vec<&str> = claims.iter().map(|(n, _)| *n).collect();
        b.add(
            &format!(
                "{m}/crafted_claims_invalidate_{invalidate}[{}]",
                names.join(",")
            ),
            bson,
            json!({"invalidate_corrupt": invalidate}),
            0.25,
            steps,
        );
    }
}

/// Scenarios whose options change between requests, for one payload mode.
fn switching(b: &mut Builder, bson: bool) {
    let m = if bson { "bson" } else { "json" };
    let t = T0;
    // The other payload mode reads this mode's cookie: a bsZ claim is ignored with
    // bson_compress_jwt_payload off, and JSON claims are the session with it on.
    let other = json!({"bson_compress_jwt_payload": !bson});
    let steps = vec![
        request(Json::Null, t, vec![b.set("user", "ada"), act("save")]),
        request_with(other.clone(), jar(), t + 1.0, vec![]),
        request_with(
            other.clone(),
            jar(),
            t + 2.0,
            vec![b.set("x", 1), act("save")],
        ),
        request(jar(), t + 3.0, vec![]),
    ];
    b.add(
        &format!("{m}/payload_mode_switch"),
        bson,
        json!({}),
        0.25,
        steps,
    );
    // A legacy cookie once read_original_format is off, with and without invalidate_corrupt.
    let old = session_of(vec![("user", Value::from("ada"))]);
    for invalidate in [false, true] {
        let off = json!({"read_original_format": false, "invalidate_corrupt": invalidate});
        let steps = vec![
            make_cookie(&old, json!({"write_original_format": true})),
            request(made(), t, vec![]),
            request_with(off.clone(), made(), t + 1.0, vec![act("save")]),
            request_with(off, jar(), t + 2.0, vec![]),
        ];
        b.add(
            &format!("{m}/legacy_read_turned_off_invalidate_{invalidate}"),
            bson,
            legacy_options("pickle"),
            0.25,
            steps,
        );
    }
    // A timeout switched on for a session whose _accessed_time is old.
    let steps = vec![
        request(Json::Null, t, vec![b.set("user", "ada"), act("save")]),
        request_with(json!({"timeout": 10}), jar(), t + 100.0, vec![]),
        request_with(json!({"timeout": 1000}), jar(), t + 200.0, vec![]),
    ];
    b.add(
        &format!("{m}/timeout_switched_on"),
        bson,
        json!({}),
        0.25,
        steps,
    );
}

/// The scripted scenarios, for one payload mode.
fn scripted(b: &mut Builder, bson: bool) {
    let m = if bson { "bson" } else { "json" };
    let name = |what: &str| format!("{m}/{what}");
    let no = Json::Null;
    let t = T0;

    // New, save, load, modify, save, load alone, accessed-only persist, dirty persist.
    let steps = vec![
        request(
            no.clone(),
            t + 0.5,
            vec![b.set("user", "ada"), b.set("n", 1), act("save")],
        ),
        request(jar(), t + 10.0, vec![]),
        request(
            jar(),
            t + 20.25,
            vec![b.set("cart", vec![1, 2, 3]), del("n"), act("save")],
        ),
        request(jar(), t + 30.0, vec![b.set("lost", true), persist(false)]),
        request(jar(), t + 40.0, vec![b.set("kept", true), persist(true)]),
        request(jar(), t + 50.0, vec![act("save"), act("save")]),
    ];
    b.add(&name("new_load_modify_save"), bson, json!({}), 0.25, steps);

    // Accessed-only save: a new session writes nothing; a loaded one goes back to how it was
    // loaded with a new _accessed_time; without save_accessed_time it writes nothing.
    for (sat, label) in [(true, "on"), (false, "off")] {
        let steps = vec![
            request(
                no.clone(),
                t,
                vec![
                    act("save_accessed"),
                    b.set("a", 1),
                    act("save_accessed"),
                    act("save"),
                ],
            ),
            request(
                jar(),
                t + 5.0,
                vec![
                    b.set("b", 2),
                    act("save_accessed"),
                    b.set("c", 3),
                    persist(false),
                    persist(true),
                ],
            ),
            request(jar(), t + 6.0, vec![act("clear"), act("save_accessed")]),
        ];
        b.add(
            &name(&format!("accessed_only_save_time_{label}")),
            bson,
            json!({"save_accessed_time": sat}),
            0.001,
            steps,
        );
    }

    // auto: every persist is a full save.
    let steps = vec![
        request(no.clone(), t, vec![b.set("a", 1), persist(false)]),
        request(jar(), t + 1.0, vec![b.set("b", 2), persist(false)]),
        request(jar(), t + 2.0, vec![]),
    ];
    b.add(&name("auto"), bson, json!({"auto": true}), 0.5, steps);

    // Timeout: within, exactly at, and past it; a timeout of 0.
    let steps = vec![
        request(no.clone(), t, vec![b.set("user", "ada"), act("save")]),
        request(jar(), t + 30.0, vec![]),
        request(jar(), t + 90.0, vec![]),
        request(jar(), t + 151.0, vec![b.set("again", 1), act("save")]),
        request(jar(), t + 152.0, vec![]),
    ];
    b.add(
        &name("timeout"),
        bson,
        json!({"timeout": 60}),
        0.0,
        steps.clone(),
    );
    b.add(
        &name("timeout_ticking"),
        bson,
        json!({"timeout": 60}),
        0.75,
        steps,
    );
    let steps = vec![
        request(no.clone(), t, vec![act("save")]),
        request(jar(), t, vec![]),
        request(jar(), t + 0.001, vec![]),
    ];
    b.add(
        &name("timeout_zero"),
        bson,
        json!({"timeout": 0}),
        0.0,
        steps,
    );

    // Corrupt cookies, with and without invalidate_corrupt.
    for invalidate in [false, true] {
        let label = if invalidate { "invalidated" } else { "raised" };
        let mut steps = vec![request(
            no.clone(),
            t,
            vec![b.set("user", "ada"), act("save")],
        )];
        for (i, how) in ["truncate", "flip", "flip_last", "empty", "quote"]
            .into_iter()
            .enumerate()
        {
            steps.push(request(
                jar_mutated(how),
                t + 1.0 + i as f64,
                vec![b.set("seen", how), act("save_accessed"), act("save")],
            ));
        }
        for (i, garbage) in [
            "beaker.session.id=garbage",
            "beaker.session.id=a.b.c",
            "beaker.session.id=eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.e30.",
            "beaker.session.id=0123456789012345678901234567890123456789Zm9v",
            "beaker.session.id",
            "other=1",
        ]
        .into_iter()
        .enumerate()
        {
            steps.push(request(
                raw(garbage),
                t + 10.0 + i as f64,
                vec![act("save_accessed"), persist(false)],
            ));
        }
        // Forged: a cookie signed with a key that is not configured.
        steps.push(make_cookie(
            &session_of(vec![("user", Value::from("mallory"))]),
            json!({"jwt_secret_keys": KEY_OTHER}),
        ));
        steps.push(request(made(), t + 20.0, vec![persist(false)]));
        b.add(
            &name(&format!("corrupt_{label}")),
            bson,
            json!({"invalidate_corrupt": invalidate}),
            0.125,
            steps,
        );
    }

    // Key rotation: a cookie signed with the second key verifies, and is re-signed with the first.
    let steps = vec![
        request_with(
            json!({"jwt_secret_keys": KEY2}),
            no.clone(),
            t,
            vec![b.set("user", "ada"), act("save")],
        ),
        request_with(
            json!({"jwt_secret_keys": format!("{KEY_NEW},{KEY2}")}),
            jar(),
            t + 1.0,
            vec![persist(false)],
        ),
        request_with(json!({"jwt_secret_keys": KEY2}), jar(), t + 2.0, vec![]),
    ];
    b.add(
        &name("key_rotation"),
        bson,
        json!({"invalidate_corrupt": true}),
        0.0,
        steps,
    );

    // Delete: the expired cookie carries the id; a save after it keeps the past date; the
    // client that replays the id cookie gets a corrupt-cookie session.
    for invalidate in [false, true] {
        let steps = vec![
            request(no.clone(), t, vec![b.set("user", "ada"), act("save")]),
            request(jar(), t + 1.0, vec![act("delete"), b.set("after", 1)]),
            request(jar(), t + 2.0, vec![]),
            request(
                no.clone(),
                t + 3.0,
                vec![act("delete"), act("save"), persist(true)],
            ),
            request(jar(), t + 4.0, vec![act("delete"), act("delete")]),
        ];
        b.add(
            &name(&format!("delete_invalidate_corrupt_{invalidate}")),
            bson,
            json!({"invalidate_corrupt": invalidate, "cookie_expires": {"seconds": 3600}}),
            0.5,
            steps,
        );
    }
    let steps = vec![
        request(no.clone(), t, vec![b.set("user", "ada"), act("save")]),
        request(jar(), t + 1.0, vec![act("delete"), persist(true)]),
    ];
    b.add(&name("delete_then_persist"), bson, json!({}), 0.5, steps);

    // Invalidate: cleared, new id, nothing sent until saved.
    let steps = vec![
        request(no.clone(), t, vec![b.set("user", "ada"), act("save")]),
        request(jar(), t + 1.0, vec![act("invalidate"), b.set("fresh", 1)]),
        request(jar(), t + 2.0, vec![act("invalidate"), act("save")]),
        request(
            jar(),
            t + 3.0,
            vec![act("invalidate"), act("save_accessed"), persist(false)],
        ),
        request(
            no.clone(),
            t + 4.0,
            vec![act("invalidate"), act("invalidate"), act("save")],
        ),
    ];
    b.add(&name("invalidate"), bson, json!({}), 0.25, steps);

    // Clear: `_id` goes, a save draws a new one.
    let steps = vec![
        request(no.clone(), t, vec![b.set("user", "ada"), act("save")]),
        request(jar(), t + 1.0, vec![act("clear"), act("save")]),
        request(
            jar(),
            t + 2.0,
            vec![del("_creation_time"), del("_id"), act("save")],
        ),
    ];
    b.add(&name("clear"), bson, json!({}), 0.25, steps);

    // Every cookie_expires form, each with a save and a delete.
    let forms = [
        ("true", json!(true)),
        ("false", json!(false)),
        ("seconds", json!({"seconds": 3600})),
        ("seconds_large", json!({"seconds": 86_400 * 365 * 30})),
        ("seconds_one", json!({"seconds": 1})),
        ("at_future", json!({"at": 1_900_000_000.5})),
        ("at_past", json!({"at": 1_000_000_000.0})),
        ("at_epoch", json!({"at": 0.0})),
    ];
    for (label, form) in forms {
        let steps = vec![
            request(no.clone(), t + 0.75, vec![b.set("a", 1), act("save")]),
            request(jar(), t + 100.999, vec![persist(false)]),
            request(jar(), t + 200.0, vec![act("delete"), act("save")]),
        ];
        b.add(
            &name(&format!("cookie_expires_{label}")),
            bson,
            json!({"cookie_expires": form}),
            0.25,
            steps,
        );
    }
    // datetime.now() rounds to microseconds (half to even): x.9999996 is the next second.
    let steps = vec![
        request(no.clone(), 1_700_000_099.999_999_6, vec![act("save")]),
        request(jar(), 1_700_000_199.999_999_4, vec![persist(false)]),
        request(jar(), 1_700_000_299.999_999_5, vec![act("delete")]),
    ];
    b.add(
        &name("cookie_expires_rounding"),
        bson,
        json!({"cookie_expires": {"seconds": 60}}),
        0.0,
        steps,
    );

    // Cookie attributes, a custom cookie name.
    let attrs = [
        (
            "all",
            json!({"cookie_domain": ".example.org", "cookie_path": "/app", "secure": true,
                   "httponly": true, "samesite": "Strict"}),
        ),
        ("samesite_none", json!({"samesite": "None", "secure": true})),
        ("no_samesite", json!({"samesite": null, "httponly": true})),
        ("key", json!({"key": "sid", "cookie_domain": "example.com"})),
    ];
    for (label, o) in attrs {
        let steps = vec![
            request(no.clone(), t, vec![b.set("a", 1), act("save")]),
            request(jar(), t + 1.0, vec![]),
            request(jar(), t + 2.0, vec![b.set("_path", "/other"), act("save")]),
            request(
                jar(),
                t + 3.0,
                vec![b.set("_domain", "sub.example.net"), act("save")],
            ),
            request(jar(), t + 4.0, vec![b.set("_domain", ""), act("delete")]),
        ];
        b.add(&name(&format!("attributes_{label}")), bson, o, 0.25, steps);
    }
    // A session without `_domain` cannot write a cookie (Python: KeyError).
    let steps = vec![
        request(
            no.clone(),
            t,
            vec![del("_domain"), act("save"), act("delete")],
        ),
        request(
            no.clone(),
            t + 1.0,
            vec![del("_path"), act("save"), act("clear"), act("save")],
        ),
        request(no.clone(), t + 2.0, vec![del("_id"), act("delete")]),
    ];
    b.add(
        &name("missing_domain_path_id"),
        bson,
        json!({}),
        0.25,
        steps,
    );

    // Several Cookie header fields, neighbours, duplicates.
    let steps = vec![
        request(no.clone(), t, vec![b.set("a", 1), act("save")]),
        request(
            json!({"pieces": ["theme=dark", "$session", "lang=en"], "from": "jar"}),
            t + 1.0,
            vec![],
        ),
        request(
            json!({"pieces": ["beaker.session.id=stale", "$session"], "from": "jar"}),
            t + 2.0,
            vec![],
        ),
        request(
            json!({"pieces": ["a=1; $session; b=\"2\"".replace("$session", "x=y"), "$session"],
                   "from": "jar"}),
            t + 3.0,
            vec![],
        ),
        request(
            json!({"pieces": ["$session", "beaker.session.id=stale"], "from": "jar"}),
            t + 4.0,
            vec![],
        ),
        request(raw(""), t + 5.0, vec![]),
        request(raw(" ; ;=;"), t + 6.0, vec![]),
    ];
    b.add(
        &name("cookie_headers"),
        bson,
        json!({"invalidate_corrupt": true}),
        0.0,
        steps,
    );

    // The 4064-character refusal, and what the session holds after it.
    let mut rng = Rng::new(fnv1a(name("too_long").as_bytes()));
    let big = incompressible(&mut rng, 3200);
    let small = incompressible(&mut rng, 2000);
    let steps = vec![
        request(
            no.clone(),
            t,
            vec![
                b.set("big", big.as_str()),
                act("save"),
                del("big"),
                act("save"),
            ],
        ),
        request(
            jar(),
            t + 1.0,
            vec![b.set("big", big.as_str()), persist(true), persist(false)],
        ),
        request(
            jar(),
            t + 2.0,
            vec![b.set("s", small.as_str()), act("save")],
        ),
        request(
            jar(),
            t + 3.0,
            vec![b.set("s2", small.as_str()), persist(true), act("delete")],
        ),
    ];
    b.add(&name("too_long"), bson, json!({}), 0.25, steps);

    // Values the payload cannot carry: a NUL in a key (BSON), a BSON-only type (JSON claims).
    let steps = vec![
        request(
            no.clone(),
            t,
            vec![
                b.set("ok", 1),
                act("save"),
                b.set("a\0b", 1),
                act("save"),
                persist(true),
            ],
        ),
        request(
            jar(),
            t + 1.0,
            vec![
                b.set("oid", Value::ObjectId([7; 12])),
                b.set(
                    "blob",
                    Value::Binary {
                        subtype: 0,
                        bytes: vec![1, 2],
                    },
                ),
                act("save"),
                del("a\0b"),
                act("save"),
                persist(false),
            ],
        ),
    ];
    b.add(&name("unwritable"), bson, json!({}), 0.25, steps);

    // Cookies made by Python with odd `_accessed_time` / `_creation_time` / `_id`.
    let odd = [
        (
            "accessed_string",
            session_of(vec![("_accessed_time", Value::from("yesterday"))]),
        ),
        (
            "accessed_int",
            session_of(vec![("_accessed_time", Value::from(1_699_999_990))]),
        ),
        (
            "accessed_future",
            session_of(vec![("_accessed_time", Value::Double(T0 + 1e6))]),
        ),
        (
            "accessed_missing",
            session_of(vec![("user", Value::from("ada"))]),
        ),
        (
            "accessed_bool",
            session_of(vec![("_accessed_time", Value::Bool(true))]),
        ),
        (
            "accessed_null",
            session_of(vec![("_accessed_time", Value::Null)]),
        ),
        (
            "id_and_times",
            session_of(vec![
                ("_id", Value::from("not-a-uuid")),
                ("_creation_time", Value::from("then")),
                ("_accessed_time", Value::Double(T0 - 5.0)),
            ]),
        ),
        ("id_int", session_of(vec![("_id", Value::from(42))])),
        ("empty", Session::new()),
    ];
    for (label, session) in odd {
        for timeout in [Json::Null, json!(60)] {
            let steps = vec![
                make_cookie(&session, json!({})),
                request(made(), t, vec![act("save_accessed")]),
                request(jar(), t + 1.0, vec![act("delete")]),
            ];
            let tl = if timeout.is_null() { "none" } else { "60" };
            b.add(
                &name(&format!("odd_{label}_timeout_{tl}")),
                bson,
                json!({"timeout": timeout, "invalidate_corrupt": true}),
                0.25,
                steps,
            );
        }
    }

    // Legacy cookies written by Python's own legacy writer, read, and rewritten as JWTs.
    for serializer in ["pickle", "json"] {
        let legacy = legacy_options(serializer);
        let write = json!({"write_original_format": true});
        let old = session_of(vec![
            ("_id", Value::from("0123456789abcdef0123456789abcdef")),
            ("_creation_time", Value::Double(T0 - 1000.5)),
            ("_accessed_time", Value::Double(T0 - 10.25)),
            ("user", Value::from("ada")),
            ("n", Value::from(1_i64 << 40)),
            ("roles", Value::from(vec!["admin", "dev"])),
        ]);
        let mut with_attrs = old.clone();
        with_attrs.insert("_domain", "legacy.example.org");
        with_attrs.insert("_path", "/legacy");
        with_attrs.insert("_expires", "Wed, 01-Jan-2030 00:00:00 GMT");
        with_attrs.insert("drop_me", 1);
        let steps = vec![
            make_cookie(&old, write.clone()),
            request(made(), t, vec![]),
            request(jar(), t + 1.0, vec![b.set("x", 1), act("save")]),
            make_cookie(&with_attrs, write.clone()),
            request(made(), t + 2.0, vec![persist(false)]),
            request(jar(), t + 3.0, vec![]),
            make_cookie(
                &old,
                json!({"write_original_format": true,
                                     "original_format_validate_key": "some-other-legacy-key"}),
            ),
            request(made(), t + 4.0, vec![]),
            make_cookie(&old, write.clone()),
            request(
                json!({"pieces": ["$session"], "from": "made", "mutate": "flip"}),
                t + 5.0,
                vec![],
            ),
        ];
        b.add(
            &name(&format!("legacy_{serializer}_rewritten")),
            bson,
            merge(
                &legacy,
                json!({"invalidate_corrupt": true, "original_format_remove_keys": "drop_me"}),
            ),
            0.25,
            steps,
        );
        // Without invalidate_corrupt and with a timeout.
        let steps = vec![
            make_cookie(&old, write.clone()),
            request(made(), t, vec![act("save")]),
            make_cookie(&old, write.clone()),
            request(made(), t + 100.0, vec![act("save")]),
            make_cookie(
                &old,
                json!({"write_original_format": true,
                                     "original_format_validate_key": "some-other-legacy-key"}),
            ),
            request(made(), t + 101.0, vec![]),
        ];
        b.add(
            &name(&format!("legacy_{serializer}_timeout")),
            bson,
            merge(&legacy, json!({"timeout": 60})),
            0.25,
            steps,
        );
    }
    // A pickle with bytes: fine for a BSON payload, refused for a JSON one (json.dumps fails).
    let with_bytes = session_of(vec![
        (
            "blob",
            Value::Binary {
                subtype: 0,
                bytes: vec![0, 1, 2, 255],
            },
        ),
        ("when", Value::DateTime(1_600_000_000_123)),
    ]);
    let steps = vec![
        make_cookie(&with_bytes, json!({"write_original_format": true})),
        request(made(), t, vec![act("save")]),
        request(jar(), t + 1.0, vec![]),
    ];
    b.add(
        &name("legacy_pickle_bytes"),
        bson,
        merge(
            &legacy_options("pickle"),
            json!({"invalidate_corrupt": true}),
        ),
        0.25,
        steps,
    );
    // Writing legacy cookies through the whole lifecycle (write_original_format).
    for serializer in ["pickle", "json"] {
        let steps = vec![
            request(
                no.clone(),
                t,
                vec![b.set("user", "ada"), b.set("n", 7), act("save")],
            ),
            request(jar(), t + 1.0, vec![b.set("f", 0.1), persist(true)]),
            request(jar(), t + 2.0, vec![persist(false)]),
            request(jar(), t + 3.0, vec![act("delete"), act("save")]),
        ];
        b.add(
            &name(&format!("legacy_{serializer}_written")),
            bson,
            merge(
                &legacy_options(serializer),
                json!({"write_original_format": true}),
            ),
            0.25,
            steps,
        );
    }

    // Through SessionMiddleware / LazySession.
    let steps = vec![
        wsgi(no.clone(), t, vec![]),
        wsgi(no.clone(), t + 1.0, vec![json!(["get", "user"])]),
        wsgi(no.clone(), t + 2.0, vec![b.set("user", "ada")]),
        wsgi(no.clone(), t + 3.0, vec![b.set("user", "ada"), act("save")]),
        wsgi(jar(), t + 4.0, vec![]),
        wsgi(jar(), t + 5.0, vec![json!(["get", "user"])]),
        wsgi(jar(), t + 6.0, vec![act("save"), b.set("later", 1)]),
        wsgi(
            jar(),
            t + 7.0,
            vec![b.set("unsaved", 1), json!(["get", "x"])],
        ),
        wsgi(jar(), t + 8.0, vec![act("invalidate"), act("save")]),
        wsgi(jar(), t + 9.0, vec![act("delete")]),
        wsgi(jar_mutated("flip"), t + 10.0, vec![json!(["get", "user"])]),
        wsgi(
            jar(),
            t + 11.0,
            vec![act("delete"), b.set("x", 1), act("save")],
        ),
    ];
    for (label, o) in [
        ("default", json!({})),
        ("invalidate_corrupt", json!({"invalidate_corrupt": true})),
        ("auto", json!({"auto": true, "invalidate_corrupt": true})),
        (
            "no_accessed_time",
            json!({"save_accessed_time": false, "invalidate_corrupt": true}),
        ),
        (
            "expires",
            json!({"cookie_expires": {"seconds": 600}, "invalidate_corrupt": true}),
        ),
        ("timeout", json!({"timeout": 3, "invalidate_corrupt": true})),
    ] {
        b.add(
            &name(&format!("wsgi_{label}")),
            bson,
            o,
            0.25,
            steps.clone(),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Random scenarios

const KEYS: &[&str] = &[
    "user",
    "n",
    "cart",
    "flag",
    "_accessed_time",
    "_creation_time",
    "_id",
];

fn random_value(rng: &mut Rng, profile: Profile) -> Value {
    match rng.below(6) {
        0 => Value::from(gen::string(rng, 4)),
        1 => Value::from(rng.below(1000) as i32),
        _ => gen::value(rng, profile, 0),
    }
}

fn random_key(rng: &mut Rng, internal: bool) -> String {
    if rng.one_in(5) {
        gen::key(rng)
    } else if internal && rng.one_in(6) {
        (*rng.pick(&KEYS[4..])).to_string()
    } else {
        (*rng.pick(&KEYS[..4])).to_string()
    }
}

const MUTATIONS: &[&str] = &["truncate", "flip", "flip_last", "empty", "quote"];

fn random_cookie(rng: &mut Rng) -> Json {
    match rng.below(20) {
        0 | 1 => Json::Null,
        2 => jar_mutated(rng.pick::<&str>(MUTATIONS)),
        3 => raw(rng.pick::<&str>(&[
            "beaker.session.id=garbage",
            "beaker.session.id=",
            "beaker.session.id=eyJhbGciOiJIUzI1NiJ9.e30.AAAA",
        ])),
        4 => json!({"pieces": ["theme=dark", "$session", "x=\"1\""], "from": "jar"}),
        _ => jar(),
    }
}

fn random_actions(b: &mut Builder, rng: &mut Rng, profile: Profile, lazy: bool) -> Vec<Json> {
    let n = rng.below(6);
    let mut actions = Vec::new();
    for _ in 0..n {
        let a = if lazy {
            match rng.below(12) {
                0..=2 => json!(["get", random_key(rng, false)]),
                3..=6 => {
                    let k = random_key(rng, false);
                    let v = random_value(rng, profile);
                    b.set(&k, v)
                }
                7 => del(&random_key(rng, false)),
                8..=9 => act("save"),
                10 => act("delete"),
                _ => act("invalidate"),
            }
        } else {
            match rng.below(20) {
                0..=5 => {
                    let k = random_key(rng, false);
                    let v = random_value(rng, profile);
                    b.set(&k, v)
                }
                6..=7 => del(&random_key(rng, true)),
                8..=10 => act("save"),
                11..=12 => act("save_accessed"),
                13..=15 => persist(rng.one_in(2)),
                16 => act("delete"),
                17 => act("invalidate"),
                18 => act("clear"),
                _ => b.set(
                    rng.pick::<&str>(&["_domain", "_path"]),
                    *rng.pick(&["/app", "example.org", ""]),
                ),
            }
        };
        actions.push(a);
    }
    actions
}

fn random_options(rng: &mut Rng) -> Json {
    let timeout = if rng.one_in(3) {
        json!(rng.pick(&[0, 5, 60, 600]))
    } else {
        Json::Null
    };
    let save_accessed_time = !timeout.is_null() || !rng.one_in(5);
    let cookie_expires = match rng.below(6) {
        0 => json!(false),
        1 => json!({"seconds": rng.pick(&[1, 60, 3600, 86_400 * 400])}),
        2 => json!({"at": T0 + (rng.below(2_000_000) as f64) - 1e6 + 0.125}),
        _ => json!(true),
    };
    json!({
        "timeout": timeout,
        "save_accessed_time": save_accessed_time,
        "invalidate_corrupt": rng.one_in(2),
        "cookie_expires": cookie_expires,
        "cookie_domain": rng.pick(&[Json::Null, Json::Null, json!("example.org")]),
        "cookie_path": rng.pick(&["/", "/", "/app"]),
        "secure": rng.one_in(3),
        "httponly": rng.one_in(3),
        "samesite": rng.pick(&[json!("Lax"), json!("Strict"), Json::Null]),
        "auto": rng.one_in(4),
        "key": rng.pick(&["beaker.session.id", "beaker.session.id", "sid"]),
    })
}

fn random(b: &mut Builder, bson: bool, seed: u64) {
    let mut rng = Rng::new(seed);
    let mut profile = if bson { Profile::Bson } else { Profile::Json };
    let mut options = random_options(&mut rng);
    let mut steps = Vec::new();
    let mut first_cookie = None;
    // One in four reads legacy cookies: one written by Python's legacy writer comes first (read,
    // then rewritten), and half of these scenarios write legacy cookies themselves, whose
    // values must then be what the serializer carries.
    if rng.one_in(4) {
        let serializer = *rng.pick(&["pickle", "json"]);
        let legacy_profile = if serializer == "pickle" {
            Profile::Pickle
        } else {
            Profile::Json
        };
        let mut o = merge(&options, legacy_options(serializer));
        if rng.one_in(2) {
            o = merge(&o, json!({"write_original_format": true}));
            profile = legacy_profile;
        }
        options = o;
        let mut old = gen::session(&mut rng, legacy_profile);
        if rng.one_in(2) {
            old.insert("_accessed_time", Value::Double(T0 - rng.below(100) as f64));
            old.insert("_creation_time", Value::Double(T0 - 1000.0));
        }
        steps.push(make_cookie(&old, json!({"write_original_format": true})));
        first_cookie = Some(made());
    }
    let tick = *rng.pick(&[0.0, 0.001, 0.25, 1.0]);
    let mut now = T0 + (rng.below(1000) as f64) / 1000.0;
    for _ in 0..2 + rng.below(7) {
        now += *rng.pick(&[0.0, 0.5, 3.0, 30.0, 59.0, 61.0, 700.0, 86_400.0]);
        let cookie = first_cookie
            .take()
            .unwrap_or_else(|| random_cookie(&mut rng));
        let lazy = rng.one_in(4);
        let actions = random_actions(b, &mut rng, profile, lazy);
        steps.push(if lazy {
            wsgi(cookie, now, actions)
        } else {
            request(cookie, now, actions)
        });
    }
    let m = if bson { "bson" } else { "json" };
    b.add(&format!("{m}/random/{seed}"), bson, options, tick, steps);
}

// ---------------------------------------------------------------------------------------------
// Running ours

struct TestEnv {
    now: f64,
    tick: f64,
    calls: usize,
    ids: Vec<[u8; 16]>,
    used: usize,
}

impl TestEnv {
    fn start(&mut self, now: f64) {
        self.now = now;
        self.calls = 0;
    }
}

impl Env for TestEnv {
    fn now(&mut self) -> UnixTime {
        let t = self.now + self.calls as f64 * self.tick;
        self.calls += 1;
        UnixTime::from_secs_f64(t)
    }

    fn random_id(&mut self) -> Result<[u8; 16]> {
        let id = *self
            .ids
            .get(self.used)
            .expect("the scenario's id stream ran out");
        self.used += 1;
        Ok(id)
    }
}

fn config(options: &Map<String, Json>) -> Config {
    let mut pairs = Vec::new();
    let mut at = None;
    let mut after = None;
    for (k, v) in options {
        let text = match (k.as_str(), v) {
            ("cookie_expires", Json::Object(o)) if o.contains_key("at") => {
                at = o["at"].as_f64();
                continue;
            }
            // A typed int, as SessionMiddleware gets it (an `.ini` "1" would be `true`).
            ("cookie_expires", Json::Object(o)) => {
                after = o["seconds"].as_u64();
                continue;
            }
            ("samesite", Json::Null) => String::new(),
            (_, Json::Null) => continue,
            (_, Json::String(s)) => s.clone(),
            (_, other) => other.to_string(),
        };
        pairs.push((format!("session.{k}"), text));
    }
    let mut c = Config::from_options(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .unwrap_or_else(|e| panic!("options {options:?} give no Config: {e}"));
    if let Some(at) = at {
        c.cookie_expires = CookieExpires::At(UnixTime::from_secs_f64(at));
    }
    if let Some(secs) = after {
        c.cookie_expires = CookieExpires::After(secs);
    }
    c
}

fn mutate(value: &str, how: Option<&str>) -> String {
    let chars: Vec<char> = value.chars().collect();
    match how {
        None => value.to_string(),
        Some("truncate") => chars[..chars.len().saturating_sub(5)].iter().collect(),
        Some(how @ ("flip" | "flip_last")) => {
            if chars.is_empty() {
                return String::new();
            }
            let i = if how == "flip" {
                chars.len() / 2
            } else {
                chars.len() - 1
            };
            let mut out = chars.clone();
            out[i] = if chars[i] == 'A' { 'B' } else { 'A' };
            out.into_iter().collect()
        }
        Some("quote") => format!("\"{value}\""),
        Some("empty") => String::new(),
        Some(other) => panic!("unknown mutation {other}"),
    }
}

/// The `Cookie` header fields of a request (`None`: no header).
fn header_pieces(
    spec: &Json,
    key: &str,
    jar: &Option<String>,
    made: &Option<String>,
) -> Option<Vec<String>> {
    if spec.is_null() {
        return None;
    }
    let value = if spec["from"] == "made" { made } else { jar };
    let mut pieces = Vec::new();
    for piece in spec["pieces"].as_array().expect("pieces") {
        let piece = piece.as_str().expect("a piece is a string");
        if piece != "$session" {
            pieces.push(piece.to_string());
        } else if let Some(v) = value {
            pieces.push(format!("{key}={}", mutate(v, spec["mutate"].as_str())));
        }
    }
    (!pieces.is_empty()).then_some(pieces)
}

fn cookie_value(set_cookie: &str) -> String {
    let first = set_cookie.split(';').next().unwrap_or_default();
    first
        .split_once('=')
        .map(|(_, v)| v)
        .unwrap_or_default()
        .to_string()
}

fn category(e: &Error) -> String {
    match e {
        Error::LimitExceeded(Limit::WriteLen) => "too_long".to_string(),
        Error::Unwritable { .. } => "unwritable".to_string(),
        Error::Malformed {
            layer: Layer::Session,
            ..
        } => "KeyError".to_string(),
        other => format!("rust:{other:?}"),
    }
}

fn observe(session: Option<&CookieSession>, error: Option<String>, env: &TestEnv) -> Json {
    let mut o = json!({
        "error": error,
        "set_cookie": false,
        "cookie_out": null,
        "session": null,
        "paths": [],
        "is_new": null,
        "ids": env.used,
        "clock": env.calls,
    });
    if let Some(s) = session {
        o["set_cookie"] = json!(s.set_cookie().is_some());
        o["cookie_out"] = json!(s.set_cookie());
        o["session"] = extjson::session(s.session());
        o["paths"] = Json::Array(extjson::key_paths(s.session()));
        o["is_new"] = json!(s.is_new());
    }
    o
}

fn step_options(scenario: &Json, step: &Json) -> Map<String, Json> {
    let mut options = scenario["options"].as_object().expect("options").clone();
    if let Some(o) = step.get("options").and_then(Json::as_object) {
        for (k, v) in o {
            options.insert(k.clone(), v.clone());
        }
    }
    options
}

fn run_action(
    s: &mut CookieSession,
    action: &[Json],
    values: &[Value],
    config: &Config,
    env: &mut TestEnv,
) -> Result<()> {
    let arg = |i: usize| action[i].as_str().expect("a string argument");
    match arg(0) {
        "set" => {
            let v = values[action[3].as_u64().expect("value index") as usize].clone();
            s.insert(arg(1), v);
            Ok(())
        }
        "del" => {
            s.remove(arg(1));
            Ok(())
        }
        "save" => s.save(false, config, env),
        "save_accessed" => s.save(true, config, env),
        "delete" => s.delete(config, env),
        "invalidate" => s.invalidate(env),
        "clear" => {
            s.clear();
            Ok(())
        }
        "persist" => s.persist(action[1].as_bool().expect("dirty"), config, env),
        other => panic!("unknown action {other}"),
    }
}

fn run_lazy_action(
    lazy: &mut LazySession,
    action: &[Json],
    values: &[Value],
    config: &Config,
    env: &mut TestEnv,
) -> Result<()> {
    let arg = |i: usize| action[i].as_str().expect("a string argument");
    match arg(0) {
        "get" => lazy.get(config, env).map(|s| {
            let _ = s.get(arg(1));
        }),
        "set" => {
            let v = values[action[3].as_u64().expect("value index") as usize].clone();
            lazy.get(config, env).map(|s| {
                s.insert(arg(1), v);
            })
        }
        "del" => lazy.get(config, env).map(|s| {
            s.remove(arg(1));
        }),
        "save" => {
            lazy.save();
            Ok(())
        }
        "delete" => lazy.delete(config, env),
        "invalidate" => {
            let s = lazy.get(config, env)?;
            s.invalidate(env)
        }
        other => panic!("unknown wsgi action {other}"),
    }
}

/// Runs one scenario through ours; `python` supplies the cookies of the `make_cookie` steps
/// (Python's legacy writer is the point of those steps).
fn run_ours(scenario: &Json, python: &Json, values: &[Value]) -> Vec<Json> {
    let mut env = TestEnv {
        now: 0.0,
        tick: scenario["tick"].as_f64().expect("tick"),
        calls: 0,
        ids: scenario["ids"]
            .as_array()
            .expect("ids")
            .iter()
            .map(|h| {
                let h = h.as_str().expect("hex");
                let bytes: Vec<u8> = (0..32)
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&h[i..i + 2], 16).expect("hex"))
                    .collect();
                bytes.try_into().expect("16 bytes")
            })
            .collect(),
        used: 0,
    };
    let mut jar: Option<String> = None;
    let mut made: Option<String> = None;
    let mut results = Vec::new();
    for (i, step) in scenario["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .enumerate()
    {
        let options = step_options(scenario, step);
        let op = step["op"].as_str().expect("op");
        if op == "make_cookie" {
            made = python["steps"][i]["cookie"].as_str().map(String::from);
            results.push(json!({"cookie": made}));
            continue;
        }
        let config = config(&options);
        env.start(step["now"].as_f64().expect("now"));
        let pieces = header_pieces(&step["cookie"], &config.key, &jar, &made);
        let actions = step["actions"].as_array().expect("actions");
        let mut obs = Vec::new();
        if op == "request" {
            let loaded = match &pieces {
                None => CookieSession::load(None, &config, &mut env),
                Some(p) if p.len() == 1 => CookieSession::load(Some(&p[0]), &config, &mut env),
                Some(p) => {
                    CookieSession::load_headers(p.iter().map(String::as_str), &config, &mut env)
                }
            };
            match loaded {
                Err(_) => obs.push(observe(None, Some("load".into()), &env)),
                Ok(mut s) => {
                    obs.push(observe(Some(&s), None, &env));
                    for action in actions {
                        let action = action.as_array().expect("an action is an array");
                        let r = run_action(&mut s, action, values, &config, &mut env);
                        obs.push(observe(Some(&s), r.err().map(|e| category(&e)), &env));
                    }
                    if let Some(c) = s.set_cookie() {
                        jar = Some(cookie_value(c));
                    }
                }
            }
        } else {
            let mut lazy = match &pieces {
                None => LazySession::new(None),
                Some(p) if p.len() == 1 => LazySession::new(Some(p[0].clone())),
                Some(p) => LazySession::from_headers(p.iter().map(String::as_str)),
            };
            let mut error = None;
            for action in actions {
                let action = action.as_array().expect("an action is an array");
                if let Err(e) = run_lazy_action(&mut lazy, action, values, &config, &mut env) {
                    error = Some(if lazy.is_accessed() {
                        category(&e)
                    } else {
                        "load".to_string()
                    });
                    break;
                }
            }
            let mut header = None;
            if error.is_none() {
                match lazy.finish(&config, &mut env) {
                    Ok(h) => header = h,
                    Err(e) => error = Some(category(&e)),
                }
            }
            let mut o = observe(lazy.loaded(), error, &env);
            o["header"] = json!(header);
            if let Some(h) = &header {
                jar = Some(cookie_value(h));
            }
            obs.push(o);
        }
        results.push(json!({"obs": obs}));
    }
    results
}

// ---------------------------------------------------------------------------------------------
// Comparing

#[derive(Default)]
struct Counts {
    scenarios: usize,
    requests: usize,
    observations: usize,
    set_cookies: usize,
    set_cookies_inflated: usize,
    sessions: usize,
    errors: usize,
}

impl Counts {
    fn add(&mut self, same: Same) {
        match same {
            Same::Neither => {}
            Same::Bytes => self.set_cookies += 1,
            Same::Inflated => self.set_cookies_inflated += 1,
        }
    }
}

/// What the deflate streams of a cookie value inflate to, so two cookies that differ only in
/// how zlib compressed the same bytes compare equal.
///
/// Python compresses with C zlib (1.2.13 here), we with miniz_oxide's level-9 parse (see
/// `src/zlib.rs`): the same BSON deflates to different, equally valid bytes, so a bsZ JWT (and
/// a legacy `json` cookie, `zlib.compress` at the default level) cannot be byte-identical.
/// Here the JWS header stays as written, the bsZ claim becomes the hex of the BSON it
/// inflates to and the signature is checked with the signing key instead of compared; a legacy
/// json cookie becomes its checked signature's verdict and its JSON text.
///
/// A legacy pickle cannot be byte-identical either: Python's pickler memoizes every string and
/// container (`BINPUT`), ours only globals (`src/pickle/write.rs`). Both unpickle to the same
/// session, so a legacy pickle cookie (when the scenario writes them) becomes the session our
/// decoder reads from it, signature checked, as canonical Extended JSON in key order
/// (`tests/python_interop.rs` checks that Python reads the pickles we write).
///
/// Any other value (JSON claims, a deleted cookie's id) is returned unchanged, so it is
/// compared byte for byte.
fn inflated_value(value: &str, keys: &Keys) -> String {
    let (signing_key, legacy_json_key) = (keys.signing.as_str(), keys.legacy_json.as_deref());
    if let Some(config) = &keys.legacy_pickle {
        if let Ok(decoded) = beaker_session_jwt::decode_cookie(value, config, 0.0) {
            if decoded.format == beaker_session_jwt::Format::LegacyPickle {
                return format!(
                    "legacy-pickle[signed][{}]",
                    extjson::session_text(&decoded.session)
                );
            }
        }
    }
    use base64ct::{Base64, Base64UrlUnpadded, Encoding};
    use hmac::{Hmac, Mac};
    let parts: Vec<&str> = value.split('.').collect();
    if let [header, payload, signature] = parts[..] {
        let claims: Option<Json> = Base64UrlUnpadded::decode_vec(payload)
            .ok()
            .and_then(|p| serde_json::from_slice(&p).ok());
        let bsz = claims
            .as_ref()
            .and_then(Json::as_object)
            .filter(|c| c.len() == 1)
            .and_then(|c| c.get("bsZ"))
            .and_then(Json::as_str);
        if let Some(bsz) = bsz {
            let bson = codecs::base85_decode(bsz.as_bytes()).and_then(|z| codecs::inflate(&z));
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(signing_key.as_bytes())
                .expect("any key length");
            mac.update(format!("{header}.{payload}").as_bytes());
            let signed = Base64UrlUnpadded::encode_string(&mac.finalize().into_bytes());
            let verdict = if signed == signature {
                "signed"
            } else {
                "BAD SIGNATURE"
            };
            return match bson {
                Some(b) => format!("{header}.bsZ[{}].{verdict}", hex(&b)),
                None => format!("{value} (bsZ does not inflate)"),
            };
        }
    }
    if let (Some(key), Some((sig, body))) = (legacy_json_key, value.split_at_checked(40)) {
        if let Some(json) = Base64::decode_vec(body)
            .ok()
            .and_then(|z| codecs::inflate(&z))
        {
            let mut mac =
                Hmac::<sha1::Sha1>::new_from_slice(key.as_bytes()).expect("any key length");
            mac.update(body.as_bytes());
            let verdict = if hex(&mac.finalize().into_bytes()) == sig {
                "signed"
            } else {
                "BAD SIGNATURE"
            };
            return format!("legacy-json[{verdict}][{}]", String::from_utf8_lossy(&json));
        }
    }
    value.to_string()
}

/// A `Set-Cookie` value with its cookie value replaced by [`inflated_value`].
fn inflated_set_cookie(set_cookie: &str, keys: &Keys) -> String {
    let (first, attrs) = set_cookie.split_once(';').unwrap_or((set_cookie, ""));
    let (name, value) = first.split_once('=').unwrap_or((first, ""));
    let value = inflated_value(value, keys);
    format!("{name}={value};{attrs}")
}

/// The keys [`inflated_value`] checks signatures with.
struct Keys {
    signing: String,
    legacy_json: Option<String>,
    /// The scenario's config (without a timeout, in bsZ mode) when it writes legacy pickles.
    legacy_pickle: Option<Config>,
}

impl Keys {
    fn of(options: &Map<String, Json>) -> Keys {
        let keys = options["jwt_secret_keys"].as_str().expect("keys");
        let legacy_json = (options.get("write_original_format") == Some(&json!(true))
            && options.get("original_format_data_serializer") == Some(&json!("json")))
        .then(|| {
            options["original_format_validate_key"]
                .as_str()
                .expect("legacy key")
                .to_string()
        });
        let legacy_pickle = (options.get("write_original_format") == Some(&json!(true))
            && options.get("original_format_data_serializer") != Some(&json!("json")))
        .then(|| {
            let mut c = config(options);
            c.timeout = None;
            // Reading a legacy cookie checks that the session could be written in the payload
            // mode (Python: `bson.encode` or `json.dumps` of it). Not the point here: a pickle
            // with a datetime, which JSON claims cannot carry, is still compared.
            c.bson_compress_jwt_payload = true;
            c
        });
        Keys {
            signing: keys
                .split(',')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string(),
            legacy_json,
            legacy_pickle,
        }
    }
}

/// How a Set-Cookie compared.
enum Same {
    /// Neither side sends one.
    Neither,
    /// Byte for byte.
    Bytes,
    /// Byte for byte once the deflate streams are inflated ([`inflated_value`]).
    Inflated,
}

/// Python's `cookie_out` (or middleware header) against ours: Python's has a leading space.
fn same_cookie(python: &Json, ours: &Json, keys: &Keys) -> std::result::Result<Same, String> {
    match (python.as_str(), ours.as_str()) {
        (None, None) => Ok(Same::Neither),
        (Some(p), Some(o)) => match p.strip_prefix(' ') {
            Some(p) if p == o => Ok(Same::Bytes),
            Some(p) => {
                let (pi, oi) = (inflated_set_cookie(p, keys), inflated_set_cookie(o, keys));
                if pi == oi && !pi.contains("BAD SIGNATURE") && pi != p {
                    Ok(Same::Inflated)
                } else {
                    Err(format!(
                        "Set-Cookie differs\n  Python inflated: {}\n  ours inflated:   {}",
                        shorten(&pi, 3000),
                        shorten(&oi, 3000)
                    ))
                }
            }
            None => Err("Python's cookie_out lacks its leading space".into()),
        },
        _ => Err("only one side has a Set-Cookie".into()),
    }
}

fn compare_obs(python: &Json, ours: &Json, keys: &Keys, counts: &mut Counts) -> Option<String> {
    counts.observations += 1;
    for field in ["error", "is_new", "ids", "clock"] {
        if python[field] != ours[field] {
            return Some(format!(
                "{field}: Python {} ({}), ours {}",
                python[field], python["detail"], ours[field]
            ));
        }
    }
    if !python["error"].is_null() {
        counts.errors += 1;
    }
    // The cookie Beaker would send: `request['set_cookie']` and a `cookie_out` (the middleware
    // appends it only `if cookie:`). A delete that raises its KeyError on a new session sets
    // the first without the second; ours then has no cookie to send either.
    let python_cookie = match (&python["set_cookie"], &python["cookie_out"]) {
        (Json::Bool(true), Json::String(c)) if !c.is_empty() => python["cookie_out"].clone(),
        _ => Json::Null,
    };
    match same_cookie(&python_cookie, &ours["cookie_out"], keys) {
        Ok(same) => counts.add(same),
        Err(why) => return Some(format!("cookie_out: {why}")),
    }
    if python.get("header").is_some() || ours.get("header").is_some() {
        match same_cookie(&python["header"], &ours["header"], keys) {
            Ok(same) => counts.add(same),
            Err(why) => return Some(format!("middleware Set-Cookie: {why}")),
        }
    }
    match (python["session"].as_str(), ours["session"].is_null()) {
        (None, true) => {}
        (Some(text), false) => {
            let py: Json = serde_json::from_str(text).expect("Python's session is JSON");
            if let Some(diff) = extjson::difference(&ours["session"], &py) {
                return Some(format!("session (ours left, Python right) at {diff}"));
            }
            let py_paths = python["paths"].as_array().expect("paths");
            let our_paths = ours["paths"].as_array().expect("paths");
            if let Some(diff) = extjson::paths_difference(our_paths, py_paths) {
                return Some(format!("session key order at {diff}"));
            }
            counts.sessions += 1;
        }
        _ => return Some("only one side has a session".into()),
    }
    None
}

fn shorten(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes)", &s[..end], s.len())
}

/// The first mismatch of a scenario (later ones usually follow from it), or `None`.
fn compare_scenario(
    scenario: &Json,
    python: &Json,
    ours: &[Json],
    counts: &mut Counts,
) -> Option<String> {
    let name = scenario["name"].as_str().unwrap_or_default();
    if let Some(fatal) = python.get("fatal") {
        panic!(
            "session_driver.py could not run {name}: {}",
            fatal.as_str().unwrap_or_default()
        );
    }
    counts.scenarios += 1;
    let steps = scenario["steps"].as_array().expect("steps");
    for (i, step) in steps.iter().enumerate() {
        if step["op"] == "make_cookie" {
            if python["steps"][i].get("error").is_some() {
                panic!(
                    "{name} step {i}: Python could not make the cookie: {}",
                    python["steps"][i]
                );
            }
            continue;
        }
        counts.requests += 1;
        let py_obs = python["steps"][i]["obs"].as_array().expect("obs");
        let our_obs = ours[i]["obs"].as_array().expect("obs");
        for (j, (p, o)) in py_obs.iter().zip(our_obs).enumerate() {
            let keys = Keys::of(&step_options(scenario, step));
            if let Some(why) = compare_obs(p, o, &keys, counts) {
                let at = if j == 0 {
                    "the load".to_string()
                } else {
                    format!("action {} {}", j - 1, step["actions"][j - 1])
                };
                return Some(format!(
                    "{name}: step {i} ({}), after {at}: {why}\n  Python: {}\n  ours:   {}\n  \
                     step: {}\n  scenario options: {}",
                    step["op"],
                    shorten(&p.to_string(), 3000),
                    shorten(&o.to_string(), 3000),
                    shorten(&step.to_string(), 2000),
                    scenario["options"],
                ));
            }
        }
        if py_obs.len() != our_obs.len() {
            return Some(format!(
                "{name}: step {i}: Python made {} observations, ours {}",
                py_obs.len(),
                our_obs.len()
            ));
        }
    }
    None
}

fn run_python(python: &std::path::Path, scenarios: &Json) -> Vec<Json> {
    let script = pyenv::python_dir().join("session_driver.py");
    let mut child = Command::new(python)
        .arg(&script)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONIOENCODING", "utf-8")
        .env("TZ", "UTC")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", python.display()));
    let input = scenarios.to_string();
    let mut stdin = child.stdin.take().expect("piped stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("session_driver.py runs");
    writer
        .join()
        .expect("writer thread")
        .expect("writing the scenarios");
    assert!(
        output.status.success(),
        "session_driver.py failed ({}), see its stderr above",
        output.status
    );
    let results: Json =
        serde_json::from_slice(&output.stdout).expect("session_driver.py answers JSON");
    results.as_array().expect("a list of results").clone()
}

#[test]
fn session_lifecycle_matches_python() {
    let Some(python) = pyenv::python("session_lifecycle_matches_python") else {
        return;
    };
    let started = Instant::now();
    let mut b = Builder {
        scenarios: Vec::new(),
        values: Vec::new(),
    };
    for bson in [true, false] {
        scripted(&mut b, bson);
        crafted(&mut b, bson);
        switching(&mut b, bson);
    }
    let scripted_count = b.scenarios.len();
    for (bson, base) in [(true, 1_000), (false, 2_000)] {
        for seed in base..base + RANDOM_PER_MODE {
            random(&mut b, bson, seed);
        }
    }
    let scenarios = Json::Array(b.scenarios.clone());
    let py_started = Instant::now();
    let results = run_python(&python, &scenarios);
    if let Some(dir) = std::env::var_os("SESSION_DIFF_DUMP") {
        // The scenarios and Python's answers, to rerun session_driver.py by hand.
        let dir = std::path::Path::new(&dir);
        std::fs::write(dir.join("scenarios.json"), scenarios.to_string()).expect("dump");
        std::fs::write(
            dir.join("python.json"),
            Json::Array(results.clone()).to_string(),
        )
        .expect("dump");
    }
    let py_time = py_started.elapsed();
    assert_eq!(results.len(), b.scenarios.len(), "one result per scenario");

    let mut counts = Counts::default();
    let mut failures = Vec::new();
    for (scenario, python) in b.scenarios.iter().zip(&results) {
        let ours = run_ours(scenario, python, &b.values);
        if let Some(why) = compare_scenario(scenario, python, &ours, &mut counts) {
            failures.push(why);
        }
    }
    eprintln!(
        "session_differential: {} scenarios ({} scripted, {} random per payload mode), {} \
         requests, {} observations, {} Set-Cookie headers compared: {} byte for byte, {} byte \
         for byte once their zlib streams are inflated; {} sessions compared value for value, \
         {} errors matched; Python {:.1?}, total {:.1?}",
        counts.scenarios,
        scripted_count,
        RANDOM_PER_MODE,
        counts.requests,
        counts.observations,
        counts.set_cookies + counts.set_cookies_inflated,
        counts.set_cookies,
        counts.set_cookies_inflated,
        counts.sessions,
        counts.errors,
        py_time,
        started.elapsed(),
    );
    if let Some(path) = std::env::var_os("SESSION_DIFF_FAILURES") {
        // Every mismatch, in full, for debugging (the panic shows the first 15).
        std::fs::write(&path, failures.join("\n\n")).expect("writing SESSION_DIFF_FAILURES");
    }
    if !failures.is_empty() {
        let shown: Vec<&str> = failures.iter().take(15).map(String::as_str).collect();
        panic!(
            "{} of {} scenarios differ from Python (first mismatch of each):\n- {}",
            failures.len(),
            b.scenarios.len(),
            shown.join("\n- ")
        );
    }
    assert!(
        counts.set_cookies > 1000 && counts.set_cookies + counts.set_cookies_inflated > 4000,
        "too few Set-Cookie headers compared"
    );
}
