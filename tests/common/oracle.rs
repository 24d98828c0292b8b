//! A running `tests/python/oracle.py`: one Python process per test, one JSON line per request.
//!
//! The protocol is described in `oracle.py`. Requests are answered in lock step (write a line,
//! read a line), so a test can chain answers (Python encodes, then Python and Rust decode).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use beaker_session_jwt::Session;
use serde_json::{json, Value as Json};

use super::{extjson, pyenv};

/// Beaker option pairs (`session.`-prefixed names, string values), as both sides take them.
pub type Options = Vec<(String, String)>;

/// What Python's `_decrypt_data` made of a cookie.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// The session as canonical Extended JSON, and the key path of every entry of every
    /// document in it, depth first in order (see [`extjson::key_paths`]).
    Accepted { session: Json, paths: Vec<Json> },
    /// Python raised; `Type: message`.
    Refused(String),
}

/// One session of `catalog.py` as Python wrote and read it.
#[derive(Clone, Debug)]
pub struct CatalogCase {
    /// The catalog name.
    pub name: String,
    /// `accepted`, `extra`, `refused` or `max_size` (see `oracle.py`).
    pub kind: String,
    /// The cookie Python wrote.
    pub cookie: String,
    /// What Python read back with the read options.
    pub python: Outcome,
}

/// The oracle process.
pub struct Oracle {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Oracle {
    /// Starts the oracle, or returns `None` when Python is skipped (see [`pyenv::python`]).
    pub fn start(test: &str) -> Option<Oracle> {
        let python = pyenv::python(test)?;
        let script = pyenv::python_dir().join("oracle.py");
        let mut child = Command::new(&python)
            .arg(&script)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PYTHONIOENCODING", "utf-8")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("{test}: cannot start {}: {e}", python.display()));
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        Some(Oracle {
            child,
            stdin,
            stdout,
        })
    }

    /// Sends one request and returns its answer.
    ///
    /// # Panics
    /// When the oracle dies or answers `fatal` (a harness bug, not a cookie refusal).
    pub fn request(&mut self, request: &Json) -> Json {
        let stdin = self.stdin.as_mut().expect("oracle stdin is open");
        let mut line = request.to_string();
        line.push('\n');
        stdin
            .write_all(line.as_bytes())
            .and_then(|()| stdin.flush())
            .expect("writing to oracle.py");
        let mut answer = String::new();
        let n = self
            .stdout
            .read_line(&mut answer)
            .expect("reading from oracle.py");
        assert!(n > 0, "oracle.py exited (see its stderr above)");
        let answer: Json = serde_json::from_str(&answer).expect("oracle.py answers JSON");
        if let Some(fatal) = answer.get("fatal") {
            panic!(
                "oracle.py could not serve {}: {}",
                request.get("op").unwrap_or(&Json::Null),
                fatal.as_str().unwrap_or_default()
            );
        }
        answer
    }

    /// Python's `_decrypt_data(cookie)` with `options`.
    pub fn decode(&mut self, options: &Options, cookie: &str) -> Outcome {
        let answer = self.request(&json!({
            "op": "decode",
            "options": options_json(options),
            "cookie": cookie,
        }));
        outcome(&answer)
    }

    /// Python's `_encrypt_data(session)` with `options`; `Err` holds Python's exception.
    pub fn encode(&mut self, options: &Options, session: &Session) -> Result<String, String> {
        // As text, which keeps the session's key order (a `serde_json::Value` would sort it).
        self.encode_ext(options, &extjson::session_text(session))
    }

    /// As [`Oracle::encode`], from canonical Extended JSON text.
    pub fn encode_ext(&mut self, options: &Options, session: &str) -> Result<String, String> {
        let answer = self.request(&json!({
            "op": "encode",
            "options": options_json(options),
            "session": session,
        }));
        if answer["ok"] == json!(true) {
            Ok(answer["cookie"].as_str().expect("cookie").to_string())
        } else {
            Err(answer["error"].as_str().unwrap_or_default().to_string())
        }
    }

    /// Every session of `catalog.py` for `mode`, written with `write` and read with `read`.
    pub fn catalog(&mut self, mode: &str, write: &Options, read: &Options) -> Vec<CatalogCase> {
        let answer = self.request(&json!({
            "op": "catalog",
            "mode": mode,
            "write_options": options_json(write),
            "read_options": options_json(read),
        }));
        answer["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .map(|case| CatalogCase {
                name: case["name"].as_str().expect("name").to_string(),
                kind: case["kind"].as_str().expect("kind").to_string(),
                cookie: case["cookie"].as_str().expect("cookie").to_string(),
                python: outcome(&case["python"]),
            })
            .collect()
    }

    /// `base85(zlib9(BSON(session)))` as the package writes the `bsZ` claim.
    pub fn bsz(&mut self, session: &Json) -> String {
        let answer = self.request(&json!({"op": "bsz", "session": session.to_string()}));
        answer["bsz"].as_str().expect("bsz").to_string()
    }

    /// A compact JWS made by joserfc with `header` (whose `alg` may be any HS alg).
    pub fn jws(&mut self, header: &Json, claims: &Json, key: &str) -> String {
        let answer = self.request(&json!({
            "op": "jws", "header": header, "claims": claims, "key": key,
        }));
        answer["token"].as_str().expect("token").to_string()
    }
}

impl Drop for Oracle {
    fn drop(&mut self) {
        // End of input ends oracle.py.
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

fn options_json(options: &Options) -> Json {
    Json::Object(
        options
            .iter()
            .map(|(k, v)| (k.clone(), Json::String(v.clone())))
            .collect(),
    )
}

fn outcome(answer: &Json) -> Outcome {
    if answer["ok"] == json!(true) {
        Outcome::Accepted {
            session: answer["session"].clone(),
            paths: answer["paths"].as_array().expect("paths").clone(),
        }
    } else {
        Outcome::Refused(answer["error"].as_str().unwrap_or_default().to_string())
    }
}
