//! Our protocol-2 pickle is never longer than Python's `pickle.dumps(session, 2)` of the same
//! session: every Python-written pickle cookie of the corpus, read by our reader and
//! written again by our writer, and sessions at Beaker's 4,064-character cap
//! (`tests/data/legacy/make_boundary.py`) that must still fit after our rewrite.
//!
//! Offline, Python's length is the cookie's own payload (for the protocol-2 pickles CPython 3
//! wrote). Live (the venv of `tests/common/pyenv.rs`; `BEAKER_SKIP_PYTHON=1` skips), Python
//! loads every payload and pickles it again at protocol 2, as a service reading and rewriting the
//! cookie does, and reads back each cookie we rewrote to the session it read from the original.
//! A session whose Python objects hold one dict, list or tuple twice by reference is compared
//! with Python's pickle of it unshared: we never share mutable containers (see
//! `src/pickle/write.rs`).

mod common;
mod legacy_support;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64ct::{Base64, Encoding};
use beaker_session_jwt::{pickle, Config, Error, Limit, Session, Value};
use common::codecs::{legacy_decode, legacy_encode};
use common::failures::Failures;
use common::ini;
use common::mode::{Keys, Mode};
use common::oracle::{Options, Oracle, Outcome};
use common::pyenv;
use legacy_support::{typed_session, JWT_KEY, LEGACY_KEY};
use serde_json::Value as Json;

const PYTHON_COOKIES: &str = include_str!("data/legacy/python_cookies.json");
const BOUNDARY_COOKIES: &str = include_str!("data/legacy/boundary_cookies.json");
/// Cases whose Python session is not one our model holds, so lengths and sessions differ by
/// design: dict keys that are ints or bools (Python's JSON check passes them; we read them as
/// the strings `json.dumps` makes of them, tests/legacy_vectors.rs).
const OTHER_SESSION: [&str; 2] = ["int_keys_json", "dup_int_bool_keys_json"];
/// Beaker's cap on a cookie value (`beaker/session.py`), our default `max_write_len`.
const MAX_COOKIE_LEN: usize = 4064;

/// One Python-written pickle cookie and the options it is read with.
struct Case {
    name: String,
    cookie: String,
    options: Options,
    /// Top-level keys the reader drops (`original_format_remove_keys`).
    remove: Vec<String>,
    /// What Python's reader returns, where the fixture records it (typed, `make_legacy.py`).
    session: Option<Session>,
}

impl Case {
    /// The options, writing legacy cookies, with the default limits (`max_write_len` is the cap).
    fn capped_config(&self) -> Config {
        let mut c = Config::from_options(ini::borrow(&self.options))
            .unwrap_or_else(|e| panic!("{}: options: {e}", self.name));
        c.write_original_format = true;
        assert_eq!(c.limits.max_write_len, MAX_COOKIE_LEN);
        c
    }

    /// As [`Case::capped_config`] without the cap: some corpus cookies are over it already
    /// (`many_keys`), so the cap is checked against Python's length, not by refusing to write.
    fn config(&self) -> Config {
        let mut c = self.capped_config();
        c.limits.max_write_len = usize::MAX;
        c
    }

    /// The pickle bytes of the cookie: base64 after the 40-hex signature.
    fn payload(&self) -> Vec<u8> {
        let value = self.cookie.trim_matches('"');
        Base64::decode_vec(&value[40..]).unwrap_or_else(|e| panic!("{}: base64: {e}", self.name))
    }

    /// Python's own `pickle.dumps(session, 2)` is the payload itself: CPython 3 wrote it at
    /// protocol 2 (not a Python 2 pickle, not another protocol).
    fn is_python3_protocol_2(&self) -> bool {
        self.payload().starts_with(&[0x80, 2]) && !self.name.contains("py2_")
    }
}

fn options(mode: &str, remove: &[String]) -> Options {
    let mut o = vec![
        ("session.jwt_secret_keys", JWT_KEY.to_string()),
        (
            "session.bson_compress_jwt_payload",
            (mode == "bson").to_string(),
        ),
        ("session.read_original_format", "true".into()),
        ("session.original_format_validate_key", LEGACY_KEY.into()),
        ("session.original_format_data_serializer", "pickle".into()),
    ];
    if !remove.is_empty() {
        o.push(("session.original_format_remove_keys", remove.join(", ")));
    }
    o.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The fixture-format cases of `text` that Python's reader accepts.
fn fixture_cases(text: &str) -> Vec<Case> {
    let all: Json = serde_json::from_str(text).unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["serializer"] == "pickle")
        .filter(|e| e.get("python").map_or(true, |p| p == "ok"))
        // Where we refuse on purpose, `expect` holds the error (tests/legacy_vectors.rs).
        .filter(|e| e["session"].is_array() || e["expect"]["session"].is_array())
        .filter_map(|e| {
            let remove: Vec<String> = e["remove_keys"]
                .as_array()
                .map(|a| a.iter().map(|k| k.as_str().unwrap().to_owned()).collect())
                .unwrap_or_default();
            // An empty key name cannot be spelled in the options (tests/legacy_vectors.rs
            // reads that one).
            if remove.iter().any(String::is_empty) {
                return None;
            }
            let session = e["session"]
                .is_array()
                .then(|| typed_session(&e["session"]))
                .or_else(|| {
                    e["expect"]
                        .get("session")
                        .filter(|s| s.is_array())
                        .map(typed_session)
                });
            Some(Case {
                name: e["name"].as_str().unwrap().to_owned(),
                cookie: e["cookie"].as_str().unwrap().to_owned(),
                options: options(e["mode"].as_str().unwrap(), &remove),
                remove,
                session,
            })
        })
        .collect()
}

/// The accepted cookies of `tests/data/legacy_pickle/` (`make_vectors.py`), with their options.
fn folder_cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/legacy_pickle");
    let base = fs::read_to_string(dir.join("options.ini")).unwrap();
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "cookie"))
        .filter(|p| p.with_extension("json").is_file())
        .collect();
    // A JWT among them (`jwt_with_legacy_reading_on`) is no pickle.
    paths.retain(|p| !fs::read_to_string(p).unwrap().contains('.'));
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text =
                fs::read_to_string(path.with_extension("ini")).unwrap_or_else(|_| base.clone());
            let options = ini::pairs(&text);
            let remove = options
                .iter()
                .filter(|(k, _)| k.ends_with("original_format_remove_keys"))
                .flat_map(|(_, v)| v.split([',', ' ']).filter(|s| !s.is_empty()))
                .map(str::to_owned)
                .collect();
            Case {
                name: format!(
                    "legacy_pickle/{}",
                    path.file_stem().unwrap().to_string_lossy()
                ),
                cookie: fs::read_to_string(&path).unwrap().trim().to_owned(),
                options,
                remove,
                session: None,
            }
        })
        .collect()
}

/// Every Python-written pickle cookie of the corpus that Python reads.
fn corpus() -> Vec<Case> {
    let mut cases = fixture_cases(PYTHON_COOKIES);
    cases.extend(folder_cases());
    cases.extend(fixture_cases(BOUNDARY_COOKIES));
    assert!(cases.len() > 80, "{} cases", cases.len());
    cases
}

/// Our reader, then our writer: the session and our pickle of it.
fn rewrite(case: &Case) -> (Session, Vec<u8>) {
    let session = legacy_decode(&case.cookie, &case.config())
        .unwrap_or_else(|e| panic!("{}: our reader refuses it: {e}", case.name));
    let ours = pickle::write(&session).unwrap_or_else(|e| panic!("{}: {e}", case.name));
    (session, ours)
}

/// Offline: for every CPython 3 protocol-2 cookie, our pickle is no longer than the payload,
/// and the cookie we write reads back to the same session.
#[test]
fn pickle_size_never_longer_than_python_offline() {
    let mut f = Failures::new("pickle_size_never_longer_than_python_offline");
    let (mut worst, mut worst_name, mut saved) = (0.0f64, String::new(), 0usize);
    for case in corpus() {
        let (session, ours) = rewrite(&case);
        if let Some(expected) = &case.session {
            f.checked += 1;
            if &session != expected {
                f.push(format!("{}: our reader differs from Python's", case.name));
            }
        }
        let config = case.config();
        f.checked += 1;
        match legacy_encode(&session, &config) {
            Ok(cookie) => {
                if legacy_decode(&cookie, &config).as_ref() != Ok(&session) {
                    f.push(format!("{}: our rewrite reads back differently", case.name));
                }
                if case.cookie.len() <= MAX_COOKIE_LEN && cookie.len() > MAX_COOKIE_LEN {
                    f.push(format!("{}: over the cap after our rewrite", case.name));
                }
            }
            Err(e) => f.push(format!("{}: we cannot rewrite it: {e}", case.name)),
        }
        if !case.is_python3_protocol_2() || OTHER_SESSION.contains(&case.name.as_str()) {
            continue;
        }
        let python = case.payload().len();
        f.checked += 1;
        let ratio = ours.len() as f64 / python as f64;
        if ratio > worst {
            (worst, worst_name) = (ratio, case.name.clone());
        }
        saved += python.saturating_sub(ours.len());
        if ours.len() > python {
            f.push(format!(
                "{}: our pickle is {} bytes, Python's {python}",
                case.name,
                ours.len()
            ));
        }
    }
    eprintln!(
        "largest ours/Python pickle ratio {worst:.3} ({worst_name}); {saved} bytes shorter in all"
    );
    f.finish();
}

/// The sessions of `boundary_cookies.json` fit the cap in Python's cookie, and in ours with the
/// default limits; grown past the cap, ours is refused as `max_write_len`, as Beaker refuses it.
#[test]
fn pickle_size_boundary_sessions_fit_the_cap() {
    let cases = fixture_cases(BOUNDARY_COOKIES);
    assert_eq!(cases.len(), 4);
    for case in &cases {
        assert!(case.cookie.len() <= MAX_COOKIE_LEN, "{}", case.name);
        assert!(
            case.cookie.len() > MAX_COOKIE_LEN - 40,
            "{}: not at the cap",
            case.name
        );
        let (session, ours) = rewrite(case);
        assert_eq!(Some(&session), case.session.as_ref(), "{}", case.name);
        let config = case.capped_config();
        let cookie = legacy_encode(&session, &config)
            .unwrap_or_else(|e| panic!("{}: Python fits the cap, we do not: {e}", case.name));
        eprintln!(
            "{}: Python {} chars ({} pickle bytes), ours {} chars ({})",
            case.name,
            case.cookie.len(),
            case.payload().len(),
            cookie.len(),
            ours.len()
        );
        assert!(cookie.len() <= case.cookie.len(), "{}", case.name);
        // One more item at a time (a copy of the list's last) until ours passes the cap.
        let (list_key, _) = session
            .iter()
            .find(|(_, v)| matches!(v, Value::Array(_) | Value::Document(_)))
            .unwrap_or_else(|| panic!("{}: no list", case.name));
        let list_key = list_key.to_owned();
        let mut grown = session.clone();
        let mut last = cookie.len();
        let refused = loop {
            match grown.get_mut(&list_key) {
                Some(Value::Array(items)) => {
                    let item = items.last().unwrap().clone();
                    items.push(item);
                }
                Some(Value::Document(d)) => {
                    let (_, item) = d.iter().last().unwrap();
                    let item = item.clone();
                    d.insert(format!("grown{}", d.len()).as_str(), item);
                }
                _ => unreachable!(),
            }
            match legacy_encode(&grown, &config) {
                Ok(c) => last = c.len(),
                Err(e) => break e,
            }
        };
        assert_eq!(
            refused,
            Error::LimitExceeded(Limit::WriteLen),
            "{}",
            case.name
        );
        assert!(last <= MAX_COOKIE_LEN, "{}", case.name);
    }
}

/// For each payload (base64 line, then a JSON list of keys to drop): Python's protocol-2
/// pickle of what `pickle.loads` returns, and of the same with every shared dict, list and
/// tuple copied apart; `shared` says whether there were any.
const REPICKLE: &str = r#"
import base64, json, pickle, sys
class Widget:  # make_legacy.py's __main__.Widget, in cookies that remove_keys drops it from
    pass
def unshare(o):
    if isinstance(o, dict) and type(o) is dict:
        return {k: unshare(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)) and type(o) in (list, tuple):
        return type(o)(unshare(v) for v in o)
    return o
def shares(o, seen):
    if type(o) in (dict, list, tuple):
        if id(o) in seen and (type(o) is not tuple or len(o)):
            return True
        seen.add(id(o))
        return any(shares(v, seen) for v in (o.values() if type(o) is dict else o))
    return False
lines = sys.stdin.read().splitlines()
for payload, remove in zip(lines[::2], lines[1::2]):
    obj = pickle.loads(base64.b64decode(payload))
    for k in json.loads(remove):
        obj.pop(k, None)
    print(json.dumps({"len": len(pickle.dumps(obj, 2)), "shared": shares(obj, set()),
                      "unshared": len(pickle.dumps(unshare(obj), 2))}))
"#;

/// Python's protocol-2 lengths of each payload, as [`REPICKLE`] gives them.
fn python_repickle(python: &Path, payloads: &[(Vec<u8>, Vec<String>)]) -> Vec<Json> {
    let mut child = Command::new(python)
        .args(["-c", REPICKLE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("starting python");
    let mut input = String::new();
    for (payload, remove) in payloads {
        input += &Base64::encode_string(payload);
        input += "\n";
        input += &serde_json::to_string(remove).unwrap();
        input += "\n";
    }
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the repickle script failed");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Live: Python's `pickle.dumps(pickle.loads(payload), 2)`, what a Python service reading and
/// rewriting the cookie writes, is never shorter than our rewrite; Python reads each cookie
/// we rewrote to the session it read from the original; and the same for every legacy-pickle
/// session of `tests/python/catalog.py` (the widest and largest that fit the cap included).
#[test]
fn pickle_size_live_against_python() {
    let test = "pickle_size_live_against_python";
    let Some(python) = pyenv::python(test) else {
        return;
    };
    let Some(mut py) = Oracle::start(test) else {
        return;
    };
    let mut f = Failures::new(test);
    let mut cases = corpus();
    let keys = Keys {
        jwt: [JWT_KEY, JWT_KEY],
        legacy: LEGACY_KEY,
        remove: Some("drop_me"),
    };
    let read = Mode::LegacyPickle.read_options(&keys);
    let catalog = py.catalog(
        "legacy_pickle",
        &Mode::LegacyPickle.write_options(&keys),
        &read,
    );
    assert!(catalog.iter().any(|c| c.kind == "max_size"));
    for c in catalog {
        let accepted = matches!(c.python, Outcome::Accepted { .. });
        let ours = legacy_decode(
            &c.cookie,
            &Config::from_options(ini::borrow(&read)).unwrap(),
        );
        if !accepted || (c.kind == "extra" && ours.is_err()) {
            continue; // refused by Python, or by our reader's whitelist or limits, by design
        }
        cases.push(Case {
            name: format!("catalog/{} ({})", c.name, c.kind),
            cookie: c.cookie,
            options: read.clone(),
            remove: vec!["drop_me".into()],
            session: None,
        });
    }
    let payloads: Vec<(Vec<u8>, Vec<String>)> = cases
        .iter()
        .map(|c| (c.payload(), c.remove.clone()))
        .collect();
    let lens = python_repickle(&python, &payloads);
    assert_eq!(lens.len(), cases.len());
    let (mut worst, mut worst_name, mut shared) = (0.0f64, String::new(), Vec::new());
    for (case, len) in cases.iter().zip(&lens) {
        if OTHER_SESSION.contains(&case.name.as_str()) {
            continue;
        }
        let (session, ours) = rewrite(case);
        if std::env::var_os("PICKLE_SIZE_TABLE").is_some() {
            eprintln!(
                "{:<48} python {:>5} ours {:>5}",
                case.name,
                len["len"],
                ours.len()
            );
        }
        let python_len = if len["shared"] == true {
            shared.push(case.name.as_str());
            len["unshared"].as_u64().unwrap() as usize
        } else {
            len["len"].as_u64().unwrap() as usize
        };
        f.checked += 1;
        let ratio = ours.len() as f64 / python_len as f64;
        if ratio > worst {
            (worst, worst_name) = (ratio, case.name.clone());
        }
        if ours.len() > python_len {
            f.push(format!(
                "{}: our pickle is {} bytes, Python's {python_len}",
                case.name,
                ours.len()
            ));
        }
        let config = case.config();
        let Ok(cookie) = legacy_encode(&session, &config) else {
            f.push(format!("{}: we cannot rewrite it", case.name));
            continue;
        };
        // oracle.py cannot show a session holding a bare `re.RegexFlag` (json_util recurses
        // over the flag's members); tests/legacy_vectors.rs checks how we read those.
        if case.name.contains("regexflag") {
            continue;
        }
        f.checked += 1;
        match (
            py.decode(&case.options, &case.cookie),
            py.decode(&case.options, &cookie),
        ) {
            (
                Outcome::Accepted { session, paths },
                Outcome::Accepted {
                    session: got,
                    paths: got_paths,
                },
            ) => {
                if session != got || paths != got_paths {
                    f.push(format!(
                        "{}: Python reads our rewrite as another session",
                        case.name
                    ));
                }
            }
            // make_legacy.py's `__main__.Widget` is not in oracle.py (remove_keys drops it).
            (Outcome::Refused(why), _) if why.contains("'Widget'") => {}
            (a, b) => f.push(format!(
                "{}: Python read the original as {a:?}, ours as {b:?}",
                case.name
            )),
        }
    }
    eprintln!(
        "{test}: {} cookies, largest ours/Python ratio {worst:.3} ({worst_name}); {} with \
         shared containers compared unshared: {shared:?}",
        cases.len(),
        shared.len()
    );
    f.finish();
}
