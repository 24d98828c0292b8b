//! `SessionCookie`: a `Set-Cookie` header as an axum response part, for handlers without the layer.

use axum::http::{header::SET_COOKIE, HeaderValue};
use axum::response::{IntoResponseParts, ResponseParts};

use crate::error::SessionError;

/// One `Set-Cookie` header value (Python's `request['cookie_out']`), appended to the response,
/// never replacing another `Set-Cookie`.
///
/// [`StateSession::finish`](crate::StateSession::finish) returns one when Beaker would send a
/// cookie; a value from [`CookieSession::set_cookie`](beaker_session_jwt::CookieSession::set_cookie)
/// or [`LazySession::finish`](beaker_session_jwt::LazySession::finish) works too. `Option<SessionCookie>`
/// is a response part as well (nothing is sent for `None`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionCookie(pub String);

impl IntoResponseParts for SessionCookie {
    type Error = SessionError;

    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, SessionError> {
        let value = HeaderValue::try_from(self.0).map_err(|_| SessionError::HeaderValue)?;
        res.headers_mut().append(SET_COOKIE, value);
        Ok(res)
    }
}
