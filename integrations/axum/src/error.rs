//! `SessionError`: what can go wrong around a request's session, and the response each answers.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use beaker_session_jwt::Error;

/// Why a session could not be loaded, saved or sent.
///
/// As a response (handlers return it with `?`; it is also the extractors' rejection) it gives a
/// status and a one-line plain-text body that names the category only: never the cookie, a key
/// or which key failed. Log the [`Display`](core::fmt::Display) text (which adds the core's
/// layer and reason) yourself if you want more.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionError {
    /// The request's session cookie could not be loaded: forged, corrupt or too large while
    /// `invalidate_corrupt = false`, or an `_accessed_time` that is not a number under a
    /// `timeout`. 400 Bad Request; 500 when the server, not the request, is at fault
    /// ([`Error::Config`], or [`Error::Random`]: Beaker draws an id before reading the cookie).
    Load(Error),
    /// The session could not be written or deleted, e.g. the cookie would pass Beaker's 4064
    /// characters (`Error::LimitExceeded(Limit::WriteLen)`: "Cookie value is too long to
    /// store"), or no random id could be drawn. 500 Internal Server Error.
    Save(Error),
    /// A [`BeakerSession`](crate::BeakerSession) was extracted on a route without the
    /// [`BeakerSessionLayer`](crate::BeakerSessionLayer). 500 Internal Server Error.
    MissingLayer,
    /// The `Set-Cookie` value is not a valid header value (a `cookie_domain`, `cookie_path` or
    /// `_path` with characters a header cannot carry). 500 Internal Server Error.
    HeaderValue,
}

impl SessionError {
    /// The core's error, when there is one.
    pub fn error(&self) -> Option<Error> {
        match *self {
            SessionError::Load(e) | SessionError::Save(e) => Some(e),
            SessionError::MissingLayer | SessionError::HeaderValue => None,
        }
    }

    /// The response status: 400 for a cookie the request brought, 500 for the rest.
    pub fn status(&self) -> StatusCode {
        match self {
            SessionError::Load(Error::Config(_) | Error::Random) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            SessionError::Load(_) => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The response body: one short line naming the category.
    pub fn body(&self) -> &'static str {
        match self {
            SessionError::Load(e) => match e {
                Error::Malformed { .. } => "session cookie refused: malformed",
                Error::Unsupported { .. } => "session cookie refused: unsupported",
                Error::Unwritable { .. } => "session cookie refused: unwritable value",
                Error::Placeholder { .. } => "session cookie refused: unsupported pickle global",
                Error::BadSignature => "session cookie refused: bad signature",
                Error::Expired => "session cookie refused: expired",
                Error::LimitExceeded(_) => "session cookie refused: limit exceeded",
                Error::Config(_) => "session configuration error",
                Error::Random => "no randomness for a session id",
                _ => "session cookie refused",
            },
            SessionError::Save(Error::LimitExceeded(_)) => "session too large to store",
            SessionError::Save(Error::Config(_)) => "session configuration error",
            SessionError::Save(Error::Random) => "no randomness for a session id",
            SessionError::Save(_) => "session could not be saved",
            SessionError::MissingLayer => "session layer missing",
            SessionError::HeaderValue => "session cookie is not a valid header value",
        }
    }
}

impl core::fmt::Display for SessionError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            SessionError::Load(e) => write!(f, "loading the session: {e}"),
            SessionError::Save(e) => write!(f, "saving the session: {e}"),
            SessionError::MissingLayer => {
                f.write_str("BeakerSession extracted on a route without BeakerSessionLayer")
            }
            SessionError::HeaderValue => {
                f.write_str("Set-Cookie value is not a valid header value")
            }
        }
    }
}

impl std::error::Error for SessionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SessionError::Load(e) | SessionError::Save(e) => Some(e),
            SessionError::MissingLayer | SessionError::HeaderValue => None,
        }
    }
}

impl IntoResponse for SessionError {
    fn into_response(self) -> Response {
        (self.status(), self.body()).into_response()
    }
}
