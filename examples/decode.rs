//! Decodes a cookie value from a file, with the options of a Beaker `.ini` file, and prints the
//! session.
//!
//! ```text
//! cargo run --example decode --features bson -- examples/sample.cookie [examples/sample.ini]
//! ```
//!
//! The `.ini` defaults to the cookie's path with the extension `.ini`; its `[app:main]` section
//! is read by `Config::from_ini_file` as PasteDeploy and Beaker read it. `examples/sample.cookie` was
//! written by the Python package beaker-session-jwt 1.0.4 (see `tests/data/make_vectors.py`).
//! With the `bson` feature the session prints as a `bson::Document`; without it, as `Debug`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use beaker_session_jwt::{decode_cookie, Config, Session};

#[cfg(feature = "bson")]
fn show(session: &Session) -> String {
    beaker_session_jwt::interop::bson::to_bson_document(session).to_string()
}

#[cfg(not(feature = "bson"))]
fn show(session: &Session) -> String {
    format!("{session:#?}")
}

fn run(cookie_path: &Path, ini_path: &Path) -> Result<String, String> {
    let cookie = std::fs::read_to_string(cookie_path)
        .map_err(|e| format!("{}: {e}", cookie_path.display()))?;
    let config = Config::from_ini_file(ini_path, "app:main").map_err(|e| e.to_string())?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let decoded = decode_cookie(cookie.trim(), &config, now).map_err(|e| e.to_string())?;
    Ok(format!(
        "format: {:?}\nverified by key #{}\nsession: {}",
        decoded.format,
        decoded.key_index,
        show(&decoded.session)
    ))
}

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let (cookie, ini) = match args.as_slice() {
        [cookie] => (cookie.clone(), cookie.with_extension("ini")),
        [cookie, ini] => (cookie.clone(), ini.clone()),
        _ => {
            eprintln!("usage: decode COOKIE_FILE [INI_FILE]");
            return ExitCode::from(2);
        }
    };
    match run(&cookie, &ini) {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(why) => {
            eprintln!("error: {why}");
            ExitCode::FAILURE
        }
    }
}
