//! The layer against the real thing: the routes of `tests/common/mod.rs` behind our
//! `BeakerSessionLayer` and, in `tests/python/middleware.py`, the same WSGI handlers behind Beaker
//! 1.14.1's `SessionMiddleware` with beaker-session-jwt 1.0.4's `JWTCookieSession`, fed the same
//! requests with the same clock and session ids. Every response must agree on the status, the
//! body (what the handler read from the session) and each `Set-Cookie`: its attributes byte for
//! byte and the session it carries value for value, in key order (the zlib bytes of a bsZ cookie
//! differ between C zlib and ours; see the core's `tests/session_differential.rs`).
//!
//! Scripted scenarios, then [`RANDOM`] seeded random request sequences, over four option
//! profiles: Beaker's defaults, `timeout`, `auto`, `save_accessed_time = false`.
//!
//! The Python venv is the core's (`tests/common/pyenv.rs`; `tests/python/requirements.txt` here
//! is a symlink to the core's pins). `BEAKER_SKIP_PYTHON=1` skips the test; without it a missing
//! `python3` fails it.

mod common;
#[allow(dead_code)]
#[path = "../../../tests/common/pyenv.rs"]
mod pyenv;

use std::io::Write as _;
use std::process::{Command, Stdio};

use common::*;
use serde_json::{json, Value as Json};

/// Random request sequences.
const RANDOM: u64 = 200;
/// Requests per random sequence.
const RANDOM_STEPS: usize = 12;

const PATHS: [&str; 9] = [
    "/none",
    "/read",
    "/touch",
    "/inc",
    "/delete",
    "/invalidate",
    "/id",
    "/save-only",
    "/other-cookie",
];

/// One request: seconds after T0, path, forge the signature, send the cookie as its own field.
#[derive(Clone, Copy)]
struct Step(u64, &'static str, bool, bool);

struct Scenario {
    /// `session.*` options, as the Python app's `.ini` would have them.
    profile: &'static [(&'static str, &'static str)],
    steps: Vec<Step>,
}

const DEFAULTS: &[(&str, &str)] = &[];
const TIMEOUT: &[(&str, &str)] = &[("timeout", "60")];
const AUTO: &[(&str, &str)] = &[("auto", "true")];
const NO_ATIME: &[(&str, &str)] = &[("save_accessed_time", "false")];
const PROFILES: [&[(&str, &str)]; 4] = [DEFAULTS, TIMEOUT, AUTO, NO_ATIME];

fn scripted() -> Vec<Scenario> {
    let s = |t, p| Step(t, p, false, false);
    let life = vec![
        s(0, "/read"),
        s(0, "/inc"),
        s(5, "/read"),
        s(10, "/touch"),
        Step(20, "/inc", false, true),
        s(20, "/none"),
        s(21, "/save-only"),
        Step(30, "/read", true, false),
        Step(31, "/inc", true, false),
        s(40, "/inc"),
        s(200, "/read"),
        s(210, "/inc"),
        s(220, "/invalidate"),
        s(221, "/id"),
        s(222, "/other-cookie"),
        s(230, "/delete"),
        s(240, "/read"),
        s(240, "/inc"),
    ];
    PROFILES
        .iter()
        .map(|profile| Scenario {
            profile,
            steps: life.clone(),
        })
        .collect()
}

/// xorshift64*: the same sequences on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

fn random() -> Vec<Scenario> {
    let mut rng = Rng(0x5EED_0000_A8A8_0013);
    (0..RANDOM)
        .map(|i| {
            let mut t = 0;
            let steps = (0..RANDOM_STEPS)
                .map(|_| {
                    t += [0, 1, 5, 30, 59, 61, 200][rng.below(7) as usize];
                    let path = PATHS[rng.below(PATHS.len() as u64) as usize];
                    Step(t, path, rng.below(8) == 0, rng.below(4) == 0)
                })
                .collect();
            Scenario {
                profile: PROFILES[(i % 4) as usize],
                steps,
            }
        })
        .collect()
}

fn forge(cookie: &str) -> String {
    let at = cookie.rfind('.').unwrap() + 1;
    let swap = if &cookie[at..at + 1] == "A" { "B" } else { "A" };
    format!("{}{swap}{}", &cookie[..at], &cookie[at + 1..])
}

/// Runs a scenario through our layer, as `middleware.py` runs it through Python's.
async fn run(scenario: &Scenario) -> Vec<Json> {
    let mut config = config();
    for (name, value) in scenario.profile {
        config.set_option(name, value).unwrap();
    }
    let env = TestEnv::at(T0);
    let app = app(config, &env);
    let mut jar: Option<String> = None;
    let mut results = Vec::new();
    for &Step(dt, path, forged, split) in &scenario.steps {
        env.set(T0 + dt);
        let cookie = jar
            .as_deref()
            .map(|c| if forged { forge(c) } else { c.to_owned() });
        let fields: Vec<String> = match cookie {
            None => vec![],
            Some(c) if split => vec!["theme=dark".into(), format!("{NAME}={c}")],
            Some(c) => vec![format!("theme=dark; {NAME}={c}")],
        };
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        let res = send(&app, path, &fields).await;
        let status = res.status().as_u16();
        let set_cookies = set_cookies(&res);
        for c in &set_cookies {
            if let Some(rest) = c.strip_prefix(&format!("{NAME}=")) {
                jar = Some(rest.split(';').next().unwrap().to_owned());
            }
        }
        let body = body(res).await;
        results.push(json!({"status": status, "body": body, "set_cookies": set_cookies}));
    }
    results
}

fn describe(scenario: &Scenario) -> String {
    let steps: Vec<String> = scenario
        .steps
        .iter()
        .map(|Step(t, p, f, s)| {
            format!(
                "{t}:{p}{}{}",
                if *f { "!" } else { "" },
                if *s { "+" } else { "" }
            )
        })
        .collect();
    format!("profile {:?}, steps {}", scenario.profile, steps.join(" "))
}

#[tokio::test]
async fn middleware_matches_python_session_middleware() {
    let Some(python) = pyenv::python("middleware_matches_python_session_middleware") else {
        return;
    };
    let scenarios: Vec<Scenario> = scripted().into_iter().chain(random()).collect();
    let mut rust = Vec::new();
    for scenario in &scenarios {
        rust.push(run(scenario).await);
    }
    let request = json!({
        "key": KEY,
        "t0": T0,
        "scenarios": scenarios.iter().map(|s| json!({
            "profile": s.profile.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "steps": s.steps.iter().map(|Step(t, p, f, sp)| json!([t, p, f, sp])).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "rust": rust,
    });
    let mut child = Command::new(python)
        .arg(pyenv::python_dir().join("middleware.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(request.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "middleware.py failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answer: Json = serde_json::from_slice(&output.stdout).unwrap();
    let (mut steps, mut cookies) = (0, 0);
    for (i, scenario) in scenarios.iter().enumerate() {
        let ours = &answer["rust"][i];
        let theirs = &answer["python"][i];
        for (j, (a, b)) in ours
            .as_array()
            .unwrap()
            .iter()
            .zip(theirs.as_array().unwrap())
            .enumerate()
        {
            assert_eq!(
                a,
                b,
                "scenario {i} step {j}: ours (left) vs Python; {}",
                describe(scenario)
            );
            steps += 1;
            cookies += a["set_cookies"].as_array().unwrap().len();
        }
    }
    eprintln!(
        "middleware_differential: {} scenarios ({} scripted, {RANDOM} random), {steps} requests, \
         {cookies} Set-Cookie headers: all equal to Python's SessionMiddleware",
        scenarios.len(),
        scenarios.len() - RANDOM as usize
    );
}
