//! The actix app against the real Python: the same routes and request sequences through Beaker's
//! `SessionMiddleware` with `beaker_session_jwt.JWTCookieSession` (tests/python/wsgi_app.py) and
//! through this crate, with the same clock and ids. Status, body and every `Set-Cookie` must
//! agree byte for byte.
//!
//! Python: `BEAKER_INTEROP_PYTHON`, else the venv the core's interop tests build under
//! `<target>/interop-venv/` (run the core's `cargo test` first, as `.ci/run` does).
//! `BEAKER_SKIP_PYTHON=1` skips, saying so.

mod common;

#[path = "../../../tests/common/pyenv.rs"]
#[allow(dead_code)]
mod pyenv;

use std::{
    env,
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use actix_web::{http::header::COOKIE, test};
use beaker_session_jwt::{decode_cookie, encode_cookie, Config, Session, Value};
use common::{app, body, config, pair, set_cookies, TestEnv, KEY, T0};

/// A request: seconds after T0, path, and the `Cookie` header fields to send (see
/// tests/python/wsgi_app.py for the spec: `-`, `jar`, `jar+theme`, `raw:...`).
struct Step(f64, &'static str, String);

fn step(after: f64, path: &'static str, cookie: &str) -> Step {
    Step(after, path, cookie.to_owned())
}

/// The Python reference: the core's venv (`tests/common/pyenv.rs`, built once per requirements
/// file under the target directory, whichever test binary gets there first).
fn python() -> Option<PathBuf> {
    pyenv::python("python_wsgi")
}

/// The lines Python's middleware gives for `steps` under `options`.
fn run_python(python: &Path, options: &[(&str, &str)], steps: &[Step]) -> Vec<String> {
    let mut input = String::new();
    input.push_str(&format!("option jwt_secret_keys {KEY}\n"));
    for (name, value) in options {
        input.push_str(&format!("option {name} {value}\n"));
    }
    for Step(after, path, cookie) in steps {
        input.push_str(&format!("request {} {path} {cookie}\n", T0 + after));
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/wsgi_app.py");
    let mut child = Command::new(python)
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start python");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write scenario");
    let out = child.wait_with_output().expect("python ran");
    assert!(
        out.status.success(),
        "wsgi_app.py failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(String::from)
        .collect()
}

/// The same lines from the actix app.
async fn run_rust(options: &[(&str, &str)], steps: &[Step]) -> Vec<String> {
    let prefixed: Vec<(String, &str)> = options
        .iter()
        .map(|(n, v)| (format!("session.{n}"), *v))
        .collect();
    let pairs: Vec<(&str, &str)> = prefixed.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    let env = TestEnv::at(T0);
    let app = app(config(&pairs), &env).await;
    let mut jar: Option<String> = None;
    let mut lines = Vec::new();
    for Step(after, path, cookie) in steps {
        env.set_now(T0 + after);
        let fields: Vec<String> = match cookie.as_str() {
            "-" => vec![],
            "jar" => jar.iter().cloned().collect(),
            "jar+theme" => vec!["theme=dark".into(), jar.clone().expect("a jar")],
            raw => vec![raw.strip_prefix("raw:").expect("cookie spec").to_owned()],
        };
        let mut req = test::TestRequest::get().uri(path);
        for field in fields {
            req = req.append_header((COOKIE, field));
        }
        let res = test::call_service(&app, req.to_request()).await;
        let status = res.status().as_u16();
        let cookies = set_cookies(&res);
        for c in &cookies {
            if c.starts_with("beaker.session.id=") {
                jar = Some(pair(c).to_owned());
            }
        }
        lines.push(format!(
            "{status}\t{}\t{}",
            body(res).await,
            cookies.join("\x1f")
        ));
    }
    lines
}

/// Runs `steps` through both in both payload modes. With `bson_compress_jwt_payload = false` the
/// lines must be equal byte for byte. With compression on, the cookie values differ only in the
/// deflate stream (this crate writes miniz_oxide's level-9 stream, Python C zlib's), so each
/// session cookie's value is compared decoded, everything around it byte for byte.
async fn compare(name: &str, options: &[(&str, &str)], steps: &[Step]) {
    let Some(python) = python() else { return };
    for compress in ["false", "true"] {
        let mut options = options.to_vec();
        options.push(("bson_compress_jwt_payload", compress));
        let expected = run_python(&python, &options, steps);
        let got = run_rust(&options, steps).await;
        assert_eq!(
            expected.len(),
            steps.len(),
            "{name}: python answered {expected:?}"
        );
        let config = config(&[("session.bson_compress_jwt_payload", compress)]);
        for (i, (want, have)) in expected.iter().zip(&got).enumerate() {
            let (want, have) = if compress == "true" {
                (decoded(want, &config), decoded(have, &config))
            } else {
                (want.clone(), have.clone())
            };
            assert_eq!(
                have, want,
                "{name} (compress={compress}): request {i} ({} {})",
                steps[i].1, steps[i].2
            );
        }
    }
}

/// A result line with every session cookie's value replaced by the session it decodes to.
fn decoded(line: &str, config: &Config) -> String {
    line.split('\x1f')
        .map(|part| match part.find("beaker.session.id=") {
            Some(at) => {
                let (head, cookie) = part.split_at(at);
                let (pair, attributes) = cookie.split_once(';').unwrap_or((cookie, ""));
                let value = &pair["beaker.session.id=".len()..];
                // No timeout here: the time check is not what is compared.
                let session = decode_cookie(value, config, T0)
                    .map_or_else(|e| format!("<{e}> {value}"), |d| format!("{:?}", d.session));
                format!("{head}beaker.session.id={{{session}}};{attributes}")
            }
            None => part.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\x1f")
}

/// A cookie signed with another key, as `raw:` header.
fn forged() -> String {
    let mut other: Config = config(&[]);
    other.jwt_secret_keys = vec!["not-the-key-of-this-app-012345".into()];
    let mut session = Session::new();
    session.insert("user", "root");
    session.insert("_id", "0".repeat(32));
    session.insert("_accessed_time", Value::Double(T0));
    format!(
        "raw:beaker.session.id={}",
        encode_cookie(&session, &other).expect("encodes")
    )
}

/// New, login, read, unsaved change, two fields, invalidate, logout, and the replayed deletion.
#[actix_web::test]
async fn python_wsgi_lifecycle() {
    let steps = [
        step(0.0, "/untouched", "-"),
        step(0.0, "/info", "-"),
        step(0.0, "/login", "-"),
        step(5.0, "/info", "jar"),
        step(10.0, "/tamper", "jar"),
        step(10.0, "/info", "jar+theme"),
        step(11.0, "/untouched", "jar"),
        step(20.0, "/invalidate", "jar"),
        step(21.0, "/info", "jar"),
        step(30.0, "/logout", "jar"),
        step(31.0, "/info", "jar"),
    ];
    compare("lifecycle", &[], &steps).await;
}

/// `auto = true`: unsaved changes are saved.
#[actix_web::test]
async fn python_wsgi_auto() {
    let steps = [
        step(0.0, "/tamper", "-"),
        step(1.0, "/info", "jar"),
        step(2.0, "/tamper", "jar"),
    ];
    compare("auto", &[("auto", "true")], &steps).await;
}

/// `timeout`: read within it (which refreshes `_accessed_time`), then idle past it.
#[actix_web::test]
async fn python_wsgi_timeout() {
    let steps = [
        step(0.0, "/login", "-"),
        step(59.0, "/info", "jar"),
        step(120.0, "/info", "jar"),
    ];
    compare("timeout", &[("timeout", "60")], &steps).await;
}

/// `save_accessed_time = false`: the cookie Beaker re-creates at load still goes out.
#[actix_web::test]
async fn python_wsgi_save_accessed_time_false() {
    let steps = [
        step(0.0, "/login", "-"),
        step(10.0, "/tamper", "jar"),
        step(20.0, "/info", "jar"),
    ];
    compare(
        "save_accessed_time",
        &[("save_accessed_time", "false")],
        &steps,
    )
    .await;
}

/// Forged and garbled cookies start a fresh session (`invalidate_corrupt` on by default).
#[actix_web::test]
async fn python_wsgi_forged_cookie() {
    let forged = forged();
    let steps = [
        step(0.0, "/info", &forged),
        step(1.0, "/info", "raw:beaker.session.id=eyJ.garbage"),
        step(2.0, "/login", &forged),
        step(3.0, "/info", "jar"),
    ];
    compare("forged", &[], &steps).await;
}

/// Cookie attributes: `secure`, `httponly`, `samesite`, `cookie_expires` in seconds.
#[actix_web::test]
async fn python_wsgi_cookie_attributes() {
    let options = [
        ("secure", "true"),
        ("httponly", "true"),
        ("samesite", "Strict"),
        ("cookie_expires", "3600"),
    ];
    let steps = [
        step(0.0, "/login", "-"),
        step(10.0, "/info", "jar"),
        step(20.0, "/logout", "jar"),
    ];
    compare("attributes", &options, &steps).await;
}
