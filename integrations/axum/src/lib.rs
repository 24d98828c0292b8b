//! Beaker sessions for axum 0.8: the session cookie a Python app behind Beaker's
//! `SessionMiddleware` (with `beaker_session_jwt.JWTCookieSession`) reads and writes, read and
//! written the same way by a Rust service, with Beaker's rules for when a cookie is sent.
//!
//! ```no_run
//! use axum::{routing::get, Router};
//! use beaker_session_axum::{BeakerSession, BeakerSessionLayer, SessionError};
//!
//! async fn count(session: BeakerSession) -> Result<String, SessionError> {
//!     let visits = session.get("visits")?.and_then(|v| v.as_i64()).unwrap_or(0) + 1;
//!     session.insert("visits", visits)?;
//!     session.save(); // as in Beaker: without save() (or `auto`) the change is dropped
//!     Ok(format!("visit number {visits}"))
//! }
//!
//! #[tokio::main]
//! async fn main() {
//!     let config = beaker_session_jwt::Config::new(["the-python-apps-jwt-secret-key"]).unwrap();
//!     let app = Router::new().route("/", get(count)).layer(BeakerSessionLayer::new(config));
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await.unwrap();
//!     axum::serve(listener, app).await.unwrap();
//! }
//! ```
//!
//! - [`BeakerSessionLayer`]: Beaker's `SessionMiddleware`. Each request gets a lazy
//!   [`BeakerSession`]; after the handler, a session that was accessed is persisted as
//!   `SessionObject.persist()` does and Beaker's `Set-Cookie` is appended.
//! - [`BeakerSession`]: the extractor handlers use. Loads the cookie on first use; `save()` keeps
//!   the request's changes, `delete()` logs out, `invalidate()` starts over with a new `_id`.
//! - [`StateSession`] and [`SessionCookie`]: the same session without the layer, its
//!   [`SessionConfig`] from the router state; the handler returns the `Set-Cookie` itself.
//! - [`SessionError`]: the extractors' rejection and the error of every session method, a 400
//!   for a cookie the request brought that cannot be loaded, 500 otherwise.
//!
//! Beaker's rules, which this crate keeps (they decide what the Python app sees):
//! - A change is written only after `save()`, or always with `auto = true`. A request that only
//!   reads the session (or changes it without saving) refreshes just `_accessed_time` of the
//!   session it brought, so `timeout` counts from the last request (`save_accessed_time`,
//!   default on); a new session that was not saved sends no cookie.
//! - A handler that never touches the session costs nothing and sends no `Set-Cookie`.
//! - `invalidate_corrupt` defaults to true, as in `SessionMiddleware`: a forged, corrupt or
//!   oversized cookie starts a fresh session. With `false`, it is [`SessionError::Load`] (400).
//! - An expired session (`timeout`) is cleared, not refused.
//!
//! All cookie parsing, checking and writing is the `beaker-session-jwt` core's; this crate only
//! moves headers, so the core's audit surface is unchanged.

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

mod cookie;
mod env;
mod error;
mod layer;
mod session;
mod state;

pub use crate::{
    cookie::SessionCookie,
    env::SessionConfig,
    error::SessionError,
    layer::{BeakerSessionLayer, BeakerSessionService, ResponseFuture},
    session::BeakerSession,
    state::StateSession,
};

/// The README's examples, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
