//! The `beaker-cookie` binary against the Python reference, beaker-session-jwt 1.0.4, both ways
//! and in every mode (JWT bsZ, JWT JSON, legacy pickle, legacy JSON):
//! - Python writes → `beaker-cookie decode` prints exactly the Extended JSON that
//!   `bson.json_util.dumps(session, json_options=CANONICAL_JSON_OPTIONS)` prints for Python's
//!   decoded session: equal as JSON values, and equal again as texts once both are parsed and
//!   re-serialized (so key order and every `$numberDouble` / `$numberDecimal` spelling match);
//!   `--relaxed` likewise against RELAXED_JSON_OPTIONS; Python's refusals exit 1.
//! - `beaker-cookie encode` → Python decodes the cookie to the very Extended JSON the binary was
//!   given.
//!
//! It reuses the harness of `tests/python_interop.rs` (`tests/common/`: the venv, the oracle,
//! the seeded sessions). `BEAKER_SKIP_PYTHON=1` skips these tests (they say so).
#![cfg(feature = "cli")]

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::extjson;
use common::failures::Failures;
use common::gen::{self, Rng};
use common::mode::{Keys, Mode, MODES};
use common::oracle::{Options, Oracle, Outcome};
use serde_json::{json, Value as Json};

const BIN: &str = env!("CARGO_BIN_EXE_beaker-cookie");

const KEY1: &str = "cli-interop-key-one-0123456789";
const KEY2: &str = "cli-interop-key-two-0123456789";
const LEGACY_KEY: &str = "cli-interop-legacy-key-012345";
const RANDOM_SESSIONS: u64 = 120;

/// The keys every test here configures.
const KEYS: Keys<'static> = Keys {
    jwt: [KEY1, KEY2],
    legacy: LEGACY_KEY,
    remove: None,
};

/// Beaker option pairs as the binary's flags: `session.jwt_secret_keys` → `--jwt-secret-keys`.
fn flags(options: &Options) -> Vec<String> {
    options
        .iter()
        .flat_map(|(name, value)| {
            let name = name.strip_prefix("session.").expect("session. prefix");
            [format!("--{}", name.replace('_', "-")), value.clone()]
        })
        .collect()
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn cli(args: &[String], stdin: &str) -> Run {
    let mut child = Command::new(BIN)
        .args(args)
        .env_remove("BEAKER_JWT_SECRET_KEYS")
        .env_remove("BEAKER_ORIGINAL_FORMAT_VALIDATE_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut pipe = child.stdin.take().expect("stdin");
    let _ = pipe.write_all(stdin.as_bytes());
    drop(pipe);
    let out = child.wait_with_output().expect("the binary runs");
    Run {
        code: out.status.code().expect("an exit code"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

fn command(sub: &str, options: &Options, extra: &[&str]) -> Vec<String> {
    let mut args = vec![sub.to_string()];
    args.extend(flags(options));
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// Equal values with the same key order everywhere (serde_json keeps insertion order under
/// the `cli` feature): the re-serialized texts match.
fn in_order(a: &Json, b: &Json) -> bool {
    serde_json::to_string(a).ok() == serde_json::to_string(b).ok()
}

/// `None` when `got` (the binary's stdout line) is exactly `python`'s Extended JSON: equal
/// values, and equal texts once re-serialized (key order, number spellings).
fn exact_difference(got: &str, python: &Json) -> Option<String> {
    let Some(line) = got.strip_suffix('\n').filter(|l| !l.contains('\n')) else {
        return Some(format!("not one line: {got:?}"));
    };
    let ours: Json = match serde_json::from_str(line) {
        Ok(j) => j,
        Err(e) => return Some(format!("not JSON ({e}): {line}")),
    };
    if in_order(&ours, python) {
        return None;
    }
    let at = extjson::difference(&ours, python).unwrap_or_else(|| "key order".to_string());
    Some(format!("{at}\n    ours:   {ours}\n    python: {python}"))
}

/// The binary reads `cookie` with `read` as Python did: the same canonical Extended JSON, or
/// a refusal (exit 1, one stderr line, no stdout) where Python refused.
fn decode_agrees(f: &mut Failures, what: &str, cookie: &str, read: &Options, python: &Outcome) {
    f.checked += 1;
    let out = cli(&command("decode", read, &[]), cookie);
    match python {
        Outcome::Accepted { session, .. } => {
            if out.code != 0 {
                f.list.push(format!(
                    "{what}: Python accepted, the binary exited {}: {}",
                    out.code, out.stderr
                ));
            } else if let Some(diff) = exact_difference(&out.stdout, session) {
                f.list.push(format!("{what}: differs at {diff}"));
            }
        }
        Outcome::Refused(why) => {
            let one_line = out.stderr.lines().count() == 1;
            if out.code != 1 || !out.stdout.is_empty() || !one_line {
                f.list.push(format!(
                    "{what}: Python refused ({why}); the binary exited {} with {:?} / {:?}",
                    out.code, out.stdout, out.stderr
                ));
            }
        }
    }
}

/// Python writes the catalog (Python-native values) and seeded random sessions in `mode`;
/// `beaker-cookie decode` prints what `json_util` prints for each.
fn python_writes(test: &'static str, mode: Mode, seed: u64) {
    let Some(mut py) = Oracle::start(test) else {
        return;
    };
    let mut f = Failures::new(test);
    let read = mode.read_options(&KEYS);
    let write = mode.write_options(&KEYS);
    for case in py.catalog(mode.name(), &write, &read) {
        let what = format!("{}/{} ({})", mode.name(), case.name, case.kind);
        if case.kind == "extra" {
            // Python accepts these; the library may refuse them by design (the pickle
            // whitelist). What the binary accepts must be Python's session exactly.
            let out = cli(&command("decode", &read, &[]), &case.cookie);
            if out.code == 0 {
                decode_agrees(&mut f, &what, &case.cookie, &read, &case.python);
            }
            continue;
        }
        decode_agrees(&mut f, &what, &case.cookie, &read, &case.python);
    }
    let mut rng = Rng::new(seed);
    for i in 0..RANDOM_SESSIONS {
        let session = gen::session(&mut rng, mode.profile());
        let what = format!("{}/random #{i} of seed {seed}", mode.name());
        match py.encode(&write, &session) {
            Ok(cookie) => {
                let python = py.decode(&read, &cookie);
                decode_agrees(&mut f, &what, &cookie, &read, &python);
            }
            Err(why) => f
                .list
                .push(format!("{what}: Python cannot write it: {why}")),
        }
    }
    f.finish();
}

#[test]
fn cli_interop_python_writes_jwt_bson() {
    python_writes("cli_interop_python_writes_jwt_bson", Mode::JwtBson, 0xc1b5);
}

#[test]
fn cli_interop_python_writes_jwt_json() {
    python_writes("cli_interop_python_writes_jwt_json", Mode::JwtJson, 0xc15a);
}

#[test]
fn cli_interop_python_writes_legacy_pickle() {
    python_writes(
        "cli_interop_python_writes_legacy_pickle",
        Mode::LegacyPickle,
        0xc191,
    );
}

#[test]
fn cli_interop_python_writes_legacy_json() {
    python_writes(
        "cli_interop_python_writes_legacy_json",
        Mode::LegacyJson,
        0xc11e,
    );
}

/// `decode --relaxed` prints what `json_util` prints with RELAXED_JSON_OPTIONS (compared as
/// JSON values: Python writes `1e+20` where serde_json writes `1e20`, the same number).
#[test]
fn cli_interop_relaxed_matches_json_util() {
    let test = "cli_interop_relaxed_matches_json_util";
    let Some(mut py) = Oracle::start(test) else {
        return;
    };
    let mut f = Failures::new(test);
    for mode in MODES {
        let read = mode.read_options(&KEYS);
        let mut cookies: Vec<(String, String, bool)> = py
            .catalog(mode.name(), &mode.write_options(&KEYS), &read)
            .into_iter()
            .filter(|c| matches!(c.python, Outcome::Accepted { .. }))
            .map(|c| (c.name, c.cookie, c.kind == "extra"))
            .collect();
        let mut rng = Rng::new(0x4e1a);
        for i in 0..RANDOM_SESSIONS / 2 {
            let session = gen::session(&mut rng, mode.profile());
            if let Ok(cookie) = py.encode(&mode.write_options(&KEYS), &session) {
                cookies.push((format!("random #{i}"), cookie, false));
            }
        }
        for (name, cookie, extra) in cookies {
            let what = format!("{}/{name} --relaxed", mode.name());
            let answer = py.request(&json!({
                "op": "decode_relaxed",
                "options": read
                    .iter()
                    .map(|(k, v)| (k.clone(), Json::String(v.clone())))
                    .collect::<serde_json::Map<String, Json>>(),
                "cookie": cookie,
            }));
            let out = cli(&command("decode", &read, &["--relaxed"]), &cookie);
            f.checked += 1;
            if answer["ok"] != json!(true) {
                // The binary refuses it like Python (checked by the tests above) or reads it
                // by design; either way there is no relaxed text to compare.
                continue;
            }
            let ours: Json = match serde_json::from_str(out.stdout.trim_end()) {
                Ok(j) if out.code == 0 => j,
                // Python accepts the "extra" catalog sessions; the library may refuse them by
                // design (the pickle whitelist).
                _ if extra => continue,
                _ => {
                    f.list
                        .push(format!("{what}: exit {}: {}", out.code, out.stderr));
                    continue;
                }
            };
            if ours != utc_dates(&answer["session"]) {
                f.list.push(format!(
                    "{what}: differs\n    ours:   {ours}\n    python: {}",
                    answer["session"]
                ));
            }
        }
    }
    f.finish();
}

/// `json` with every relaxed `{"$date": "...+0530"}` (a pickled aware datetime keeps its zone
/// in Python) rewritten in UTC as pymongo writes a naive one: our sessions hold the instant,
/// in UTC, as BSON does (the canonical `$numberLong` form is the same on both sides).
fn utc_dates(json: &Json) -> Json {
    match json {
        Json::Object(map) => {
            if let (1, Some(Json::String(date))) = (map.len(), map.get("$date")) {
                if let Some(utc) = to_utc(date) {
                    return json!({ "$date": utc });
                }
            }
            Json::Object(map.iter().map(|(k, v)| (k.clone(), utc_dates(v))).collect())
        }
        Json::Array(items) => Json::Array(items.iter().map(utc_dates).collect()),
        other => other.clone(),
    }
}

/// `2024-01-01T12:00:00.250+0530` → `2024-01-01T06:30:00.250Z`; `None` for a UTC (`Z`) date.
fn to_utc(date: &str) -> Option<String> {
    let at = date.len().checked_sub(5)?;
    let (head, zone) = date.split_at(at);
    if !zone.starts_with(['+', '-']) {
        return None;
    }
    let rfc3339 = format!("{head}{}:{}", &zone[..3], &zone[3..]);
    let utc = bson::DateTime::parse_rfc3339_str(rfc3339).ok()?;
    let text = utc.try_to_rfc3339_string().ok()?;
    // pymongo: three fraction digits, or none for a whole second.
    Some(match text.split_once('.') {
        Some((whole, frac)) => {
            let digits: String = frac
                .trim_end_matches('Z')
                .chars()
                .chain("000".chars())
                .take(3)
                .collect();
            if digits == "000" {
                format!("{whole}Z")
            } else {
                format!("{whole}.{digits}Z")
            }
        }
        None => text,
    })
}

/// `beaker-cookie encode` writes, Python reads back the very Extended JSON the binary was
/// given: Python's own canonical text of the catalog sessions and of seeded random sessions
/// (taken from Python, so every value is one Python holds as itself).
#[test]
fn cli_interop_encode_reads_back_in_python() {
    let test = "cli_interop_encode_reads_back_in_python";
    let Some(mut py) = Oracle::start(test) else {
        return;
    };
    let mut f = Failures::new(test);
    for (mode, seed) in MODES.into_iter().zip(0xe1..) {
        let read = mode.read_options(&KEYS);
        let write = mode.write_options(&KEYS);
        let mut inputs: Vec<(String, Json)> = Vec::new();
        for case in py.catalog(mode.name(), &write, &read) {
            if let ("accepted", Outcome::Accepted { session, .. }) =
                (case.kind.as_str(), &case.python)
            {
                inputs.push((case.name.clone(), session.clone()));
            }
        }
        let mut rng = Rng::new(seed);
        for i in 0..RANDOM_SESSIONS {
            let session = gen::session(&mut rng, mode.profile());
            let cookie = py.encode(&write, &session);
            if let Some(Outcome::Accepted { session, .. }) =
                cookie.ok().map(|cookie| py.decode(&read, &cookie))
            {
                inputs.push((format!("random #{i} of seed {seed}"), session));
            }
        }
        for (name, input) in inputs {
            let what = format!("{}/{name}", mode.name());
            f.checked += 1;
            let out = cli(&command("encode", &write, &[]), &input.to_string());
            if out.code != 0 {
                // Only a session that no longer fits after our (equal-size or smaller) write
                // may be refused, and then as too long.
                if !out.stderr.contains("max_write_len") {
                    f.list.push(format!(
                        "{what}: encode exited {}: {}",
                        out.code, out.stderr
                    ));
                }
                continue;
            }
            let cookie = out.stdout.trim_end();
            match py.decode(&read, cookie) {
                Outcome::Accepted { session, .. } => {
                    if !in_order(&session, &input) {
                        let at = extjson::difference(&session, &input)
                            .unwrap_or_else(|| "key order".to_string());
                        f.list.push(format!(
                            "{what}: Python read back something else at {at}\n    given:  {input}\n    python: {session}"
                        ));
                    }
                }
                Outcome::Refused(why) => f
                    .list
                    .push(format!("{what}: Python refused the binary's cookie: {why}")),
            }
        }
    }
    f.finish();
}

/// A key from `keygen` works in Python, and `inspect` names the key Python signed with.
#[test]
fn cli_interop_keygen_and_inspect_key_index() {
    let test = "cli_interop_keygen_and_inspect_key_index";
    let Some(mut py) = Oracle::start(test) else {
        return;
    };
    let mut f = Failures::new(test);
    let key = cli(&["keygen".to_string()], "")
        .stdout
        .trim_end()
        .to_string();
    let options: Options = vec![("session.jwt_secret_keys".to_string(), key.clone())];
    let input = r#"{"user":"alice","n":{"$numberInt":"7"}}"#;
    let cookie = cli(&command("encode", &options, &[]), input);
    f.checked += 1;
    match py.decode(&options, cookie.stdout.trim_end()) {
        Outcome::Accepted { session, .. }
            if serde_json::to_string(&session).ok().as_deref() == Some(input) => {}
        other => f.list.push(format!("keygen key: Python read {other:?}")),
    }
    // Python signs with KEY2, the second of the keys the binary is given.
    let signer: Options = vec![("session.jwt_secret_keys".to_string(), KEY2.to_string())];
    let python_cookie = py
        .encode_ext(&signer, input)
        .expect("Python writes the session");
    let both = Mode::JwtBson.read_options(&KEYS);
    let report = cli(&command("inspect", &both, &[]), &python_cookie);
    f.checked += 1;
    let verified = report
        .stdout
        .lines()
        .find(|l| l.starts_with("verified by:"))
        .unwrap_or_default();
    if report.code != 0 || !verified.contains("jwt_secret_keys[1]") {
        f.list.push(format!(
            "inspect of a KEY2 cookie: exit {}: {}{}",
            report.code, report.stdout, report.stderr
        ));
    }
    f.finish();
}
