//! Shared by the integration tests: a fixed clock and counted ids, configs, and `Set-Cookie`
//! helpers.
#![allow(dead_code)] // each test binary uses a different part

use std::{cell::Cell, rc::Rc};

use actix_web::{
    body::MessageBody,
    dev::{Service, ServiceResponse},
    http::header::SET_COOKIE,
    test, web, App, HttpResponse,
};
use beaker_session_actix::{BeakerSession, BeakerSessionMiddleware, SessionError};
use beaker_session_jwt::{decode_cookie, Config, Env, Result, Session, UnixTime, Value};

/// 2023-11-14 22:13:20 UTC.
pub const T0: f64 = 1_700_000_000.0;

pub const KEY: &str = "actix-test-key-0123456789abcdef";

/// A clock the test moves by hand and ids 1, 2, 3, ... (each request clones the env; the clones
/// share both cells).
#[derive(Clone)]
pub struct TestEnv {
    clock: Rc<Cell<f64>>,
    ids: Rc<Cell<u8>>,
}

impl TestEnv {
    pub fn at(secs: f64) -> TestEnv {
        TestEnv {
            clock: Rc::new(Cell::new(secs)),
            ids: Rc::new(Cell::new(0)),
        }
    }

    pub fn set_now(&self, secs: f64) {
        self.clock.set(secs);
    }
}

impl Env for TestEnv {
    fn now(&mut self) -> UnixTime {
        UnixTime::from_secs_f64(self.clock.get())
    }

    fn random_id(&mut self) -> Result<[u8; 16]> {
        let n = self.ids.get().wrapping_add(1);
        self.ids.set(n);
        Ok([n; 16])
    }
}

/// The test config: `KEY`, then `session.<name>` options.
pub fn config(options: &[(&str, &str)]) -> Config {
    let mut pairs = vec![("session.jwt_secret_keys", KEY)];
    pairs.extend_from_slice(options);
    Config::from_options(pairs).expect("test config")
}

/// Every `Set-Cookie` header of a response, in order.
pub fn set_cookies<B>(res: &ServiceResponse<B>) -> Vec<String> {
    res.headers()
        .get_all(SET_COOKIE)
        .map(|v| v.to_str().expect("ascii Set-Cookie").to_owned())
        .collect()
}

/// The one `beaker.session.id` `Set-Cookie` of a response, if any.
pub fn session_set_cookie<B>(res: &ServiceResponse<B>) -> Option<String> {
    let mut found = set_cookies(res)
        .into_iter()
        .filter(|c| c.starts_with("beaker.session.id="));
    let first = found.next();
    assert!(
        found.next().is_none(),
        "two session cookies in one response"
    );
    first
}

/// `name=value` of a `Set-Cookie`: what a browser sends back in `Cookie`.
pub fn pair(set_cookie: &str) -> &str {
    set_cookie.split(';').next().expect("split yields one item")
}

/// The session a `Set-Cookie` carries, decoded with the core (no timeout check: `now` = T0).
pub fn decode(set_cookie: &str, config: &Config, now: f64) -> Session {
    let value = pair(set_cookie)
        .strip_prefix("beaker.session.id=")
        .expect("the session cookie");
    decode_cookie(value, config, now).expect("decodes").session
}

pub fn as_f64(session: &Session, key: &str) -> Option<f64> {
    session.get(key).and_then(|v| v.as_f64())
}

pub fn as_str<'s>(session: &'s Session, key: &str) -> Option<&'s str> {
    session.get(key).and_then(|v| v.as_str())
}

/// The test app's routes (tests/python/wsgi_app.py serves the same ones from Python).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/untouched", web::get().to(|| async { "ok" }))
        .route("/info", web::get().to(info))
        .route("/login", web::get().to(login))
        .route("/tamper", web::get().to(tamper))
        .route("/logout", web::get().to(logout))
        .route("/invalidate", web::get().to(invalidate))
        .route("/theme", web::get().to(theme))
        .route("/huge", web::get().to(huge));
}

/// `new=<is_new> user=<user or -> id=<id or ->`
pub async fn info(session: BeakerSession) -> String {
    let user = session.get("user");
    format!(
        "new={} user={} id={}",
        session.is_new(),
        user.as_ref().and_then(Value::as_str).unwrap_or("-"),
        session.id().unwrap_or_else(|| "-".into()),
    )
}

async fn login(session: BeakerSession) -> &'static str {
    session.insert("user", "alice");
    session.save();
    "logged in"
}

/// Changes the session without saving it.
async fn tamper(session: BeakerSession) -> &'static str {
    session.insert("user", "mallory");
    session.remove("never-there");
    "changed, not saved"
}

async fn logout(session: BeakerSession) -> Result<&'static str, SessionError> {
    session.delete()?;
    Ok("logged out")
}

async fn invalidate(session: BeakerSession) -> Result<&'static str, SessionError> {
    session.invalidate()?;
    session.save();
    Ok("invalidated")
}

/// Sets a cookie of its own beside a saved session.
async fn theme(session: BeakerSession) -> HttpResponse {
    session.insert("theme", "dark");
    session.save();
    HttpResponse::Ok()
        .append_header((SET_COOKIE, "theme=dark; Path=/"))
        .append_header((SET_COOKIE, "lang=en; Path=/"))
        .body("themed")
}

/// A session too big for Beaker's 4064-character cookie.
async fn huge(session: BeakerSession) -> &'static str {
    // xorshift32 noise: zlib cannot shrink it below the limit.
    let mut x: u32 = 0x9e37_79b9;
    let noise: String = (0..6000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            char::from(b'!' + (x % 90) as u8)
        })
        .collect();
    session.insert("blob", noise);
    session.save();
    "too big"
}

/// An in-process app with `config` and `env`.
pub async fn app(
    config: Config,
    env: &TestEnv,
) -> impl Service<
    actix_http::Request,
    Response = ServiceResponse<impl MessageBody>,
    Error = actix_web::Error,
> {
    test::init_service(
        App::new()
            .wrap(BeakerSessionMiddleware::with_env(config, env.clone()))
            .configure(routes),
    )
    .await
}

pub async fn body<B: MessageBody>(res: ServiceResponse<B>) -> String {
    String::from_utf8(test::read_body(res).await.to_vec()).expect("utf-8 body")
}
