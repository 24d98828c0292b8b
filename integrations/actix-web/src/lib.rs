//! Beaker session cookies for actix-web 4: a middleware and an extractor that load and save the
//! session exactly as Python Beaker's `SessionMiddleware` does, so an actix-web service shares
//! the session of a Python app using `beaker_session_jwt.JWTCookieSession`.
//!
//! The cookie format, the lifecycle (`save`, accessed-only refresh, `delete`, `invalidate`,
//! `timeout`, `invalidate_corrupt`) and the `Set-Cookie` bytes come from the core crate
//! [`beaker_session_jwt`] (its `LazySession`); this crate is the actix-web glue.
//!
//! ```no_run
//! use actix_web::{get, App, HttpServer};
//! use beaker_session_actix::{BeakerSession, BeakerSessionMiddleware};
//! #[get("/login")]
//! async fn login(session: BeakerSession) -> &'static str {
//!     session.insert("user", "ada");
//!     session.save(); // keep the change: without save() (or `auto`) Beaker drops it
//!     "welcome"
//! }
//!
//! #[actix_web::main]
//! async fn main() -> std::io::Result<()> {
//!     let config = beaker_session_jwt::Config::from_options([("session.jwt_secret_keys", "the-python-apps-key")]);
//!     let sessions = BeakerSessionMiddleware::new(config.expect("valid session options"));
//!     HttpServer::new(move || App::new().wrap(sessions.clone()).service(login)).bind("127.0.0.1:8080")?.run().await
//! }
//! ```
//!
//! Not an actix-session backend: actix-session's `SessionMiddleware` writes its own cookie,
//! signed or encrypted in its own format, and cannot carry a Beaker cookie. See the README.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(rust_2018_idioms, unreachable_pub)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod error;
mod extractor;
mod middleware;
mod state;

pub use crate::{
    error::SessionError,
    extractor::BeakerSession,
    middleware::{BeakerSessionMiddleware, BeakerSessionService},
};

/// The README's examples, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
