//! The Rust half of the shared-session example: an axum app behind `beaker-session-axum`'s
//! layer, reading the same `.ini` as the Python app (`python_app.py`), so both read and write
//! one Beaker session through one cookie.
//!
//! ```text
//! cargo run -p shared-session -- --config shared-session.ini --port 8002 --other http://127.0.0.1:8001/
//! ```
//!
//! Routes (the Python app has the same page and element ids):
//! - `GET /`: the session: `user`, `visits`, `rust_seen`, `_id`, `_creation_time`, `is_new`, and
//!   every key.
//! - `POST /visit`: `visits += 1`, `rust_seen = true`, saved.
//! - `POST /logout`: Beaker's `delete()`: the cookie sent expired, the session cleared.
//!
//! The layer does what Beaker's `SessionMiddleware` does after each request: a session that was
//! read gets its `_accessed_time` refreshed, one that was saved is written whole, one that was
//! never touched sends no cookie.

use std::env;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use beaker_session_axum::{BeakerSession, BeakerSessionLayer, SessionError};
use beaker_session_jwt::{Config, Session, Value};

const APP_NAME: &str = "rust";

const USAGE: &str = "\
usage: shared-session [--config FILE] [--host HOST] [--port PORT] [--other URL]

  --config FILE  Beaker .ini whose [app:main] session.* options to use
                 (default: $SHARED_SESSION_CONFIG, else shared-session.ini beside Cargo.toml)
  --host HOST    address to bind (default 127.0.0.1)
  --port PORT    port to listen on (default: $RUST_PORT, else 8002)
  --other URL    the other app's URL, linked from the page (default: $OTHER_URL)
";

struct Args {
    config: PathBuf,
    host: String,
    port: u16,
    other: String,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        config: env::var_os("SHARED_SESSION_CONFIG").map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join("shared-session.ini"),
            PathBuf::from,
        ),
        host: String::from("127.0.0.1"),
        port: 8002,
        other: env::var("OTHER_URL").unwrap_or_default(),
    };
    if let Ok(port) = env::var("RUST_PORT") {
        args.port = port
            .parse()
            .map_err(|_| format!("RUST_PORT: not a port: {port}"))?;
    }
    let mut argv = env::args().skip(1);
    while let Some(flag) = argv.next() {
        if flag == "-h" || flag == "--help" {
            print!("{USAGE}");
            std::process::exit(0);
        }
        let value = argv
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n\n{USAGE}"))?;
        match flag.as_str() {
            "--config" => args.config = PathBuf::from(value),
            "--host" => args.host = value,
            "--port" => {
                args.port = value
                    .parse()
                    .map_err(|_| format!("--port: not a port: {value}"))?;
            }
            "--other" => args.other = value,
            _ => return Err(format!("unknown argument {flag}\n\n{USAGE}")),
        }
    }
    Ok(args)
}

struct App {
    other: String,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            _ => out.push(c),
        }
    }
    out
}

/// One session value as both apps show it: a string as is, anything else in JSON spelling
/// (Python's `json.dumps`); empty when absent.
fn text(value: Option<&Value>) -> String {
    match value {
        None => String::new(),
        Some(Value::String(s)) => s.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Null) => String::from("null"),
        Some(v) => {
            if let Some(i) = v.as_i64() {
                i.to_string()
            } else if let Some(f) = v.as_f64() {
                // Rust's shortest round-trip digits: Python's repr for a timestamp.
                format!("{f:?}")
            } else {
                format!("{v:?}")
            }
        }
    }
}

/// A JSON string literal, as Python's `json.dumps` writes one (non-ASCII escaped).
fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
    out
}

fn page(session: &Session, is_new: bool, other: &str) -> String {
    let fields = [
        ("user", "user", text(session.get("user"))),
        ("visits", "visits", text(session.get("visits"))),
        ("rust_seen", "rust_seen", text(session.get("rust_seen"))),
        ("_id", "session-id", text(session.get("_id"))),
        (
            "_creation_time",
            "creation-time",
            text(session.get("_creation_time")),
        ),
        ("is_new", "is-new", is_new.to_string()),
    ];
    let mut rows = String::new();
    for (label, id, value) in fields {
        let _ = writeln!(
            rows,
            r#"<dt>{}</dt><dd id="{id}">{}</dd>"#,
            escape(label),
            escape(&value)
        );
    }
    let mut dump = String::from("{\n");
    for (i, (key, value)) in session.iter().enumerate() {
        let sep = if i + 1 < session.len() { "," } else { "" };
        let shown = match value {
            Value::String(s) => json_string(s),
            other => text(Some(other)),
        };
        let _ = writeln!(dump, " {}: {shown}{sep}", json_string(key));
    }
    dump.push('}');
    let other_link = if other.is_empty() {
        String::new()
    } else {
        format!(
            r#"<p>The other app: <a id="other" href="{0}">{0}</a></p>"#,
            escape(other)
        )
    };
    format!(
        r#"<!doctype html>
<html><head><meta charset="utf-8"><title>{APP_NAME} app: shared Beaker session</title></head>
<body>
<h1>The <span id="app">{APP_NAME}</span> app</h1>
<dl>
{rows}</dl>
<pre id="session">{}</pre>
<form method="post" action="/visit"><button id="visit">Count a visit (and set rust_seen)</button></form>
<form method="post" action="/logout"><button id="logout">Log out</button></form>
{other_link}
</body></html>
"#,
        escape(&dump)
    )
}

/// `GET /`: reading the session loads it; the layer then refreshes `_accessed_time` of an
/// existing session, as Beaker does.
async fn show(
    State(app): State<Arc<App>>,
    session: BeakerSession,
) -> Result<impl IntoResponse, SessionError> {
    let body = page(&session.snapshot()?, session.is_new()?, &app.other);
    Ok(([(CACHE_CONTROL, "no-store")], Html(body)))
}

/// `POST /visit`: change and save, as a Python handler would (`session[...] = ...;
/// session.save()`).
async fn visit(session: BeakerSession) -> Result<Redirect, SessionError> {
    let visits = session.get("visits")?.and_then(|v| v.as_i64()).unwrap_or(0);
    // From<i64> writes an Int32 when it fits, as pymongo writes a Python int.
    session.insert("visits", visits.saturating_add(1))?;
    session.insert("rust_seen", true)?;
    session.save();
    Ok(Redirect::to("/"))
}

/// `POST /logout`: Beaker's `delete()`.
async fn logout(session: BeakerSession) -> Result<Redirect, SessionError> {
    session.delete()?;
    Ok(Redirect::to("/"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(why) => {
            eprintln!("shared-session: {why}");
            return ExitCode::from(2);
        }
    };
    // The library's PasteDeploy reader: `[DEFAULT]`, `%(here)s`, continuation lines; errors
    // name the file, line and option.
    let config = match Config::from_ini_file(&args.config, "app:main") {
        Ok(config) => config,
        Err(why) => {
            eprintln!("shared-session: {why}");
            return ExitCode::from(2);
        }
    };
    let app = Router::new()
        .route("/", get(show))
        .route("/visit", post(visit))
        .route("/logout", post(logout))
        .with_state(Arc::new(App { other: args.other }))
        .layer(BeakerSessionLayer::new(config));
    let addr = format!("{}:{}", args.host, args.port);
    let addr: SocketAddr = match addr.parse() {
        Ok(addr) => addr,
        Err(_) => {
            eprintln!("shared-session: not an address: {addr}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("shared-session: binding {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("[{APP_NAME}] listening on http://{addr}/");
    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("shared-session: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
