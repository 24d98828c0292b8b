//! `SessionError`: a session that could not be loaded or saved, as an actix-web error response
//! whose short text body names the category and nothing else (no cookie bytes, no key material).

use std::fmt;

use actix_web::{http::StatusCode, HttpResponse, ResponseError};
use beaker_session_jwt::Error;

/// Why the session of a request could not be loaded or saved.
///
/// As an actix-web error ([`ResponseError`]) it answers with a status and a one-line
/// `text/plain` body that names the category only, e.g. `session cookie refused: bad signature`.
/// `Display` (for logs) adds the core error's own text, which never holds key material either.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionError {
    /// The request's session cookie was refused: a forged or corrupt cookie while
    /// `invalidate_corrupt` is off (→ 400); or the config or the env's randomness failed (→ 500).
    Load(Error),
    /// The session could not be written (→ 500): for example
    /// `Error::LimitExceeded(Limit::WriteLen)`, Beaker's "Cookie value is too long to store".
    Save(Error),
    /// The route is not wrapped in [`BeakerSessionMiddleware`](crate::BeakerSessionMiddleware)
    /// (→ 500).
    NoMiddleware,
}

impl SessionError {
    /// The core error behind this one, if any.
    pub fn cause(&self) -> Option<Error> {
        match *self {
            SessionError::Load(e) | SessionError::Save(e) => Some(e),
            SessionError::NoMiddleware => None,
        }
    }

    /// The response body: what went wrong, by category.
    fn body(&self) -> String {
        match *self {
            SessionError::Load(Error::Config(_)) | SessionError::Save(Error::Config(_)) => {
                String::from("session unavailable: server configuration")
            }
            SessionError::Load(Error::Random) | SessionError::Save(Error::Random) => {
                String::from("session unavailable: no randomness for a session id")
            }
            SessionError::Load(e) => format!("session cookie refused: {}", category(e)),
            SessionError::Save(e) => format!("session could not be saved: {}", category(e)),
            SessionError::NoMiddleware => {
                String::from("session unavailable: no session middleware")
            }
        }
    }
}

/// The category of a core error, with its layer or limit: static names only.
fn category(e: Error) -> String {
    match e {
        Error::Malformed { layer, .. } => format!("malformed ({layer})"),
        Error::Unsupported { layer, .. } => format!("unsupported ({layer})"),
        Error::Unwritable { layer, .. } => format!("unwritable value ({layer})"),
        Error::Placeholder { .. } => String::from("refused pickle global"),
        Error::BadSignature => String::from("bad signature"),
        Error::Expired => String::from("expired"),
        Error::LimitExceeded(limit) => format!("limit exceeded ({})", limit.field()),
        Error::Config(_) => String::from("configuration"),
        Error::Random => String::from("no randomness"),
        _ => String::from("refused"),
    }
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionError::Load(e) => write!(f, "beaker session: load failed: {e}"),
            SessionError::Save(e) => write!(f, "beaker session: save failed: {e}"),
            SessionError::NoMiddleware => {
                f.write_str("beaker session: BeakerSessionMiddleware does not wrap this route")
            }
        }
    }
}

impl std::error::Error for SessionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SessionError::Load(e) | SessionError::Save(e) => Some(e),
            SessionError::NoMiddleware => None,
        }
    }
}

impl ResponseError for SessionError {
    fn status_code(&self) -> StatusCode {
        match self {
            // The server's own fault: its config, its RNG, or its session grew too big to store.
            SessionError::Load(Error::Config(_) | Error::Random)
            | SessionError::Save(_)
            | SessionError::NoMiddleware => StatusCode::INTERNAL_SERVER_ERROR,
            // The client sent a cookie this server refuses (Beaker raises; invalidate_corrupt off).
            SessionError::Load(_) => StatusCode::BAD_REQUEST,
        }
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code())
            .content_type("text/plain; charset=utf-8")
            .body(self.body())
    }
}
