//! Shared by the integration tests: a fixed clock with counter ids, the test routes, and helpers
//! to send a request through the `Router` without a network and read its cookies.

#![allow(dead_code, unreachable_pub)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use beaker_session_axum::{BeakerSession, BeakerSessionLayer, SessionError};
use beaker_session_jwt::{decode_cookie, Config, Env, Session, UnixTime, Value};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// 2023-11-14 22:13:20 UTC.
pub const T0: u64 = 1_700_000_000;

/// A clock the test sets and ids 1, 2, 3, ... shared by every request of one app.
#[derive(Clone, Default)]
pub struct TestEnv {
    now: Arc<AtomicU64>,
    next_id: Arc<AtomicU64>,
}

impl TestEnv {
    pub fn at(secs: u64) -> TestEnv {
        let env = TestEnv::default();
        env.set(secs);
        env
    }

    pub fn set(&self, secs: u64) {
        self.now.store(secs, Ordering::SeqCst);
    }

    pub fn ids_drawn(&self) -> u64 {
        self.next_id.load(Ordering::SeqCst)
    }
}

impl Env for TestEnv {
    fn now(&mut self) -> UnixTime {
        UnixTime::from_secs(self.now.load(Ordering::SeqCst))
    }

    fn random_id(&mut self) -> beaker_session_jwt::Result<[u8; 16]> {
        let n = self.next_id.fetch_add(1, Ordering::SeqCst) + 1;
        let mut id = [0u8; 16];
        id[8..].copy_from_slice(&n.to_be_bytes());
        Ok(id)
    }
}

pub const KEY: &str = "test-key-0123456789abcdef";
pub const NAME: &str = "beaker.session.id";

pub fn config() -> Config {
    Config::new([KEY]).unwrap()
}

/// The session's `n` as an integer, 0 when absent.
pub fn n_of(value: Option<Value>) -> i64 {
    match value {
        Some(Value::Int32(n)) => i64::from(n),
        Some(Value::Int64(n)) => n,
        None => 0,
        Some(other) => panic!("n is {other:?}"),
    }
}

/// Reads `n`.
async fn read(session: BeakerSession) -> Result<String, SessionError> {
    Ok(n_of(session.get("n")?).to_string())
}

/// Changes `n` without saving: Beaker drops the change.
async fn touch(session: BeakerSession) -> Result<&'static str, SessionError> {
    session.insert("n", 99i32)?;
    Ok("touched")
}

/// Increments `n` and saves.
async fn inc(session: BeakerSession) -> Result<String, SessionError> {
    let n = n_of(session.get("n")?) + 1;
    session.insert("n", n)?;
    session.save();
    Ok(n.to_string())
}

async fn delete(session: BeakerSession) -> Result<&'static str, SessionError> {
    session.delete()?;
    Ok("bye")
}

async fn invalidate(session: BeakerSession) -> Result<String, SessionError> {
    session.invalidate()?;
    session.insert("fresh", true)?;
    session.save();
    Ok(session.id()?.unwrap_or_default())
}

async fn id(session: BeakerSession) -> Result<String, SessionError> {
    Ok(format!(
        "{} {}",
        session.id()?.unwrap_or_default(),
        session.is_new()?
    ))
}

/// `save()` alone does not load the session: nothing is sent.
async fn save_only(session: BeakerSession) -> &'static str {
    session.save();
    "saved nothing"
}

/// Saves the session and sets a cookie of its own.
async fn other_cookie(session: BeakerSession) -> Result<impl IntoResponse, SessionError> {
    session.insert("n", 7i32)?;
    session.save();
    Ok(([(header::SET_COOKIE, "theme=dark; Path=/")], "two cookies"))
}

/// A value far over Beaker's 4064-character cookie.
async fn big(session: BeakerSession) -> Result<&'static str, SessionError> {
    // xorshift64: incompressible printable noise.
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let noise: String = (0..20_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'!' + (x % 90) as u8)
        })
        .collect();
    session.insert("big", noise)?;
    session.save();
    Ok("too big")
}

pub fn routes() -> Router {
    Router::new()
        .route("/none", get(|| async { "no session" }))
        .route("/read", get(read))
        .route("/touch", get(touch))
        .route("/inc", get(inc))
        .route("/delete", get(delete))
        .route("/invalidate", get(invalidate))
        .route("/id", get(id))
        .route("/save-only", get(save_only))
        .route("/other-cookie", get(other_cookie))
        .route("/big", get(big))
}

pub fn app(config: Config, env: &TestEnv) -> Router {
    let env = env.clone();
    routes().layer(BeakerSessionLayer::new(config).with_env(move || env.clone()))
}

/// Sends `GET path` with one `Cookie` header per entry of `cookies`.
pub async fn send(app: &Router, path: &str, cookies: &[&str]) -> Response<Body> {
    let mut req = Request::get(path);
    for c in cookies {
        req = req.header(header::COOKIE, *c);
    }
    app.clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

pub async fn body(res: Response<Body>) -> String {
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

pub fn set_cookies(res: &Response<Body>) -> Vec<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// The session's Set-Cookie (the one named `NAME`), if any.
pub fn session_set_cookie(res: &Response<Body>) -> Option<String> {
    let prefix = format!("{NAME}=");
    set_cookies(res)
        .into_iter()
        .find(|c| c.starts_with(&prefix))
}

/// `name=value` of a Set-Cookie: what a browser sends back.
pub fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().trim().to_owned()
}

/// The session a Set-Cookie carries.
pub fn decode(set_cookie: &str, config: &Config) -> Session {
    let value = pair(set_cookie)[NAME.len() + 1..].to_owned();
    decode_cookie(&value, config, T0 as f64).unwrap().session
}

pub fn assert_status(res: &Response<Body>, status: StatusCode) {
    assert_eq!(res.status(), status, "{:?}", res.headers());
}
