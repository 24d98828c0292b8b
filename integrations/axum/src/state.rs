//! `StateSession`: the session extractor for routes without the layer, with its config from state.

use core::ops::Deref;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;

use crate::cookie::SessionCookie;
use crate::env::SessionConfig;
use crate::error::SessionError;
use crate::session::BeakerSession;

/// A [`BeakerSession`] built from the router state instead of the layer: the state gives a
/// [`SessionConfig`] through [`FromRef`] (a state that *is* a `SessionConfig` or an
/// `Arc<Config>` does; an app state can hold a `SessionConfig` field with
/// `#[derive(FromRef)]` from axum's `macros` feature, or the three-line `impl` it writes).
///
/// Nothing saves it behind the handler's back: the handler calls [`finish`](Self::finish) last
/// and returns the [`SessionCookie`] with its response, as `SessionMiddleware` would have sent it.
/// Do not combine it with [`BeakerSessionLayer`](crate::BeakerSessionLayer) on one route: each
/// would write its own cookie.
///
/// ```
/// use std::sync::Arc;
/// use axum::{routing::get, Router};
/// use beaker_session_axum::{SessionCookie, SessionError, StateSession};
/// use beaker_session_jwt::Config;
///
/// async fn login(session: StateSession) -> Result<(Option<SessionCookie>, &'static str), SessionError> {
///     session.insert("user_id", 42i32)?;
///     session.save();
///     Ok((session.finish()?, "logged in"))
/// }
///
/// let config = Arc::new(Config::new(["a-long-random-secret-key"]).unwrap());
/// let app: Router = Router::new().route("/login", get(login)).with_state(config);
/// ```
#[derive(Clone, Debug)]
pub struct StateSession(BeakerSession);

impl StateSession {
    /// What `SessionMiddleware` does when the response starts: if the session was accessed,
    /// persist it and return the `Set-Cookie` to send (`None` when Beaker sends none). Call it
    /// once, after the last change.
    ///
    /// # Errors
    /// [`SessionError::Save`] when the session cannot be written (e.g. over 4064 characters).
    pub fn finish(&self) -> Result<Option<SessionCookie>, SessionError> {
        Ok(self.0.finish()?.map(SessionCookie))
    }

    /// The session handle (the same session).
    pub fn into_inner(self) -> BeakerSession {
        self.0
    }
}

impl Deref for StateSession {
    type Target = BeakerSession;

    fn deref(&self) -> &BeakerSession {
        &self.0
    }
}

impl<S> FromRequestParts<S> for StateSession
where
    S: Send + Sync,
    SessionConfig: FromRef<S>,
{
    type Rejection = core::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let settings = SessionConfig::from_ref(state);
        Ok(StateSession(BeakerSession::from_headers(
            &parts.headers,
            &settings,
        )))
    }
}
