//! `BeakerSession`: the extractor that gives a handler the request's Beaker session, as
//! Beaker's `environ['beaker.session']` (a `SessionObject`) gives it to a WSGI app.

use std::{
    fmt,
    future::{ready, Ready},
};

use actix_web::{dev::Payload, FromRequest, HttpMessage, HttpRequest};
use beaker_session_jwt::{CookieSession, Session, Str, Value};

use crate::{error::SessionError, state::Handle};

/// The request's Beaker session, set up by [`BeakerSessionMiddleware`](crate::BeakerSessionMiddleware).
///
/// Taking it as a handler argument is Beaker's first access of `environ['beaker.session']`: the
/// cookie is decoded then (a route that does not take it never loads the session and never
/// sends a cookie). A load error is a [`SessionError::Load`] response, 400 with a short body
/// naming the category; with `invalidate_corrupt = true` (the default, as in
/// `SessionMiddleware`) a forged or corrupt cookie gives a fresh session instead, and a session
/// idle past `timeout` is cleared, never an error.
///
/// Changes are kept only if the handler calls [`save`](Self::save) (or the config has
/// `auto = true`); otherwise the middleware only refreshes `_accessed_time` of the session the
/// request brought. Clones share one session.
#[derive(Clone)]
pub struct BeakerSession {
    handle: Handle,
}

impl BeakerSession {
    /// The session of `req`, loaded now if it was not yet.
    ///
    /// # Errors
    /// [`SessionError::NoMiddleware`] if the middleware does not wrap the route;
    /// [`SessionError::Load`] if the cookie is refused (see the type's docs).
    pub fn from_req(req: &HttpRequest) -> Result<BeakerSession, SessionError> {
        let handle = req
            .extensions()
            .get::<Handle>()
            .cloned()
            .ok_or(SessionError::NoMiddleware)?;
        handle
            .0
            .borrow_mut()
            .session()
            .map_err(SessionError::Load)?;
        Ok(BeakerSession { handle })
    }

    /// Runs `f` on the loaded session. Each borrow lasts for one method call only, and no
    /// method calls user code while it holds it, so borrows never overlap.
    fn with<R>(&self, f: impl FnOnce(&mut CookieSession) -> R) -> Option<R> {
        let mut state = self.handle.0.borrow_mut();
        // Loaded in `from_req`; once loaded, `LazySession::get` returns the same session.
        state.session().ok().map(f)
    }

    /// A copy of the value under `key`.
    pub fn get(&self, key: &str) -> Option<Value> {
        self.with(|s| s.get(key).cloned()).flatten()
    }

    /// Whether the session has `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.with(|s| s.contains_key(key)).unwrap_or(false)
    }

    /// Sets `key` (kept only after [`save`](Self::save), or with `auto`); returns the old value.
    pub fn insert(&self, key: impl Into<Str>, value: impl Into<Value>) -> Option<Value> {
        // Convert first: a user's `Into` runs before the session is borrowed.
        let (key, value) = (key.into(), value.into());
        self.with(|s| s.insert(key, value)).flatten()
    }

    /// Removes `key` (kept only after [`save`](Self::save), or with `auto`); returns its value.
    pub fn remove(&self, key: &str) -> Option<Value> {
        self.with(|s| s.remove(key)).flatten()
    }

    /// A copy of the whole session, Beaker's own keys (`_id`, `_creation_time`,
    /// `_accessed_time`, ...) included.
    pub fn to_session(&self) -> Session {
        self.with(|s| s.session().clone()).unwrap_or_default()
    }

    /// Beaker's `session.save()`: marks the session so that the middleware writes all of it
    /// after the handler.
    pub fn save(&self) {
        self.handle.0.borrow_mut().save();
    }

    /// Beaker's `session.delete()` (logout): the response carries an expired cookie (dated one
    /// year back) and the session is cleared.
    ///
    /// # Errors
    /// [`SessionError::Save`] if the expired cookie cannot be rendered.
    pub fn delete(&self) -> Result<(), SessionError> {
        self.handle
            .0
            .borrow_mut()
            .delete()
            .map_err(SessionError::Save)
    }

    /// Beaker's `session.invalidate()`: clears the session and gives it a new `_id`. Like any
    /// change, it is written only after [`save`](Self::save) (or with `auto`).
    ///
    /// # Errors
    /// [`SessionError::Save`] if the env gives no random bytes for the new `_id`.
    pub fn invalidate(&self) -> Result<(), SessionError> {
        self.handle
            .0
            .borrow_mut()
            .invalidate()
            .map_err(SessionError::Save)
    }

    /// The session's `_id` (32 hex characters), if it has one (a deleted session has none).
    pub fn id(&self) -> Option<String> {
        self.with(|s| s.id().map(String::from)).flatten()
    }

    /// Beaker's `is_new`: true when the request carried no session cookie.
    pub fn is_new(&self) -> bool {
        self.with(|s| s.is_new()).unwrap_or(false)
    }
}

impl FromRequest for BeakerSession {
    type Error = SessionError;
    type Future = Ready<Result<BeakerSession, SessionError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(BeakerSession::from_req(req))
    }
}

/// Shows the session id and whether it is new, never the values (they may be secrets).
impl fmt::Debug for BeakerSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BeakerSession")
            .field("id", &self.id())
            .field("is_new", &self.is_new())
            .finish_non_exhaustive()
    }
}
