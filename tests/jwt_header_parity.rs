//! JWS protected headers: `decode_cookie` accepts and refuses what joserfc 1.8.0's
//! `jwt.decode(token, key, algorithms=["HS256"])` does, as beaker-session-jwt 1.0.4 calls it.
//!
//! `tests/data/jws_headers.json` holds several hundred tokens signed with the test key over
//! arbitrary headers (every registered parameter with every JSON type and the edges of joserfc's
//! validators, unregistered names, duplicate names, deep and wide `jwk`s, other text encodings),
//! each with joserfc's answer: `accepted`, or the class of the exception it raised. It is
//! written by `tests/data/make_jws_headers.py`; `jwt_header_table_is_what_joserfc_says` runs
//! that script live (skipped with `BEAKER_SKIP_PYTHON=1`) to check the file is still current.
//!
//! Deliberate differences, each listed in SECURITY.md: any header naming `crit` or `b64` is
//! refused (joserfc accepts some); a JSON integer outside i64 or a lone surrogate is refused.

mod common;

use std::path::Path;
use std::process::Command;

use beaker_session_jwt::{decode_cookie, Config, Error, Layer};
use serde_json::Value as Json;

const NOW: f64 = 1_700_000_000.0;

fn table_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/jws_headers.json")
}

struct Case {
    param: String,
    header: String,
    token: String,
    python: String,
}

fn cases(text: &str) -> (String, Vec<Case>) {
    let data: Json = serde_json::from_str(text).expect("jws_headers.json is JSON");
    let key = data["key"].as_str().expect("key").to_owned();
    let cases = data["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| Case {
            param: c["param"].as_str().expect("param").to_owned(),
            header: c["header"].as_str().expect("header").to_owned(),
            token: c["token"].as_str().expect("token").to_owned(),
            python: c["python"].as_str().expect("python").to_owned(),
        })
        .collect();
    (key, cases)
}

/// The refusal we give where we differ from joserfc on purpose.
type Refusal = fn(&Error) -> bool;

/// What we answer where it differs from joserfc on purpose, and why.
fn deliberate(case: &Case) -> Option<(&'static str, Refusal)> {
    if case.param == "crit" || case.param == "b64" {
        return Some(("crit/b64 refused (SECURITY.md)", |e| {
            matches!(
                e,
                Error::Unsupported {
                    layer: Layer::Jws,
                    ..
                }
            )
        }));
    }
    if case.header.contains("123456789012345678901234567890") || case.header.contains("\\ud800") {
        return Some((
            "JSON integer outside i64 / lone surrogate (SECURITY.md)",
            |e| {
                matches!(
                    e,
                    Error::Malformed {
                        layer: Layer::Jws,
                        ..
                    }
                )
            },
        ));
    }
    None
}

/// The error we give for each exception joserfc raises on a header.
fn same_refusal(python: &str, ours: &Error) -> bool {
    match python {
        // decode_header's json.loads / "alg" check, a non-object header (TypeError in
        // joserfc), and a value a registered validator refuses.
        "DecodeError" | "MissingAlgorithmError" | "TypeError" | "InvalidHeaderValueError" => {
            matches!(
                ours,
                Error::Malformed {
                    layer: Layer::Jws,
                    ..
                }
            )
        }
        // An unregistered name, or an algorithm other than HS256.
        "UnsupportedHeaderError" | "UnsupportedAlgorithmError" => {
            matches!(
                ours,
                Error::Unsupported {
                    layer: Layer::Jws,
                    ..
                }
            )
        }
        other => panic!("no mapping for joserfc's {other}"),
    }
}

#[test]
fn jwt_header_parity_with_joserfc() {
    let (key, cases) = cases(&std::fs::read_to_string(table_path()).expect("read table"));
    assert!(cases.len() > 500, "{} cases", cases.len());
    let config = Config::new([key.as_str()]).expect("config");
    let mut failures = Vec::new();
    let (mut accepted, mut refused, mut differ) = (0, 0, 0);
    for case in &cases {
        let ours = decode_cookie(&case.token, &config, NOW);
        let ok = match (deliberate(case), &ours) {
            (Some((_, expected)), Err(e)) => {
                differ += usize::from(case.python == "accepted");
                expected(e)
            }
            (Some(_), Ok(_)) => false,
            (None, Ok(decoded)) => {
                accepted += 1;
                case.python == "accepted" && decoded.session.is_empty()
            }
            (None, Err(e)) => {
                refused += 1;
                case.python != "accepted" && same_refusal(&case.python, e)
            }
        };
        if !ok {
            failures.push(format!(
                "{} {}: joserfc {}, ours {:?}",
                case.param, case.header, case.python, ours
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} headers differ from joserfc:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    eprintln!(
        "{} headers: {accepted} accepted and {refused} refused as joserfc does, \
         {differ} accepted by joserfc but refused on purpose",
        cases.len()
    );
}

#[test]
fn jwt_header_table_is_what_joserfc_says() {
    let Some(python) = common::pyenv::python("jwt_header_table_is_what_joserfc_says") else {
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/make_jws_headers.py");
    let out = Command::new(python)
        .arg(script)
        .arg("--print")
        .output()
        .expect("run make_jws_headers.py");
    assert!(
        out.status.success(),
        "make_jws_headers.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let live = String::from_utf8(out.stdout).expect("UTF-8");
    let committed = std::fs::read_to_string(table_path()).expect("read table");
    // Compare case by case so a difference names its header.
    let (_, live_cases) = cases(&live);
    let (_, committed_cases) = cases(&committed);
    assert_eq!(live_cases.len(), committed_cases.len(), "case count");
    for (l, c) in live_cases.iter().zip(&committed_cases) {
        assert_eq!(
            (&l.header, &l.token, &l.python),
            (&c.header, &c.token, &c.python),
            "regenerate tests/data/jws_headers.json"
        );
    }
    assert_eq!(live, committed, "regenerate tests/data/jws_headers.json");
}
