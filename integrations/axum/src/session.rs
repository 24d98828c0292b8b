//! `BeakerSession`: the per-request lazy session handle (Beaker's `SessionObject`, beaker/session.py)
//! and its extractor.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::{header::COOKIE, request::Parts, HeaderMap};
use beaker_session_jwt::{CookieSession, LazySession, Session, Str, Value};

use crate::env::{DynEnv, SessionConfig};
use crate::error::SessionError;

/// The session of one request, loaded from its `Cookie` header on first use, as Beaker's
/// `SessionObject` (what `SessionMiddleware` puts in `environ['beaker.session']`).
///
/// Extract it in a handler behind a [`BeakerSessionLayer`](crate::BeakerSessionLayer), which
/// saves it after the handler as `SessionMiddleware` does. Beaker's rules apply, so:
/// - a change is kept only if the handler calls [`save`](Self::save) (or the config has
///   `auto = true`); otherwise the response refreshes only `_accessed_time` of the session the
///   request brought (`save_accessed_time`, on by default) and the change is dropped;
/// - a handler that never touches the session sends no `Set-Cookie`;
/// - [`delete`](Self::delete) logs out (the cookie is sent expired), [`invalidate`](Self::invalidate)
///   empties the session and gives it a new `_id`.
///
/// Every method that reads or changes the session loads it first and so can fail with
/// [`SessionError::Load`] (a forged or corrupt cookie when `invalidate_corrupt = false`), which
/// answers 400 when a handler returns it with `?`. The methods do not block: the lock inside is
/// held only for the call, never across an `.await`.
///
/// Cloning gives another handle to the same session.
#[derive(Clone)]
pub struct BeakerSession {
    inner: Arc<Mutex<Inner>>,
}

struct Inner {
    lazy: LazySession,
    env: DynEnv,
    settings: SessionConfig,
}

impl Inner {
    /// Loads on first use; a failed load is reported again on every later call, as Python
    /// raises again on every access.
    fn session(&mut self) -> Result<&mut CookieSession, SessionError> {
        self.lazy
            .get(self.settings.config(), &mut self.env)
            .map_err(SessionError::Load)
    }
}

impl BeakerSession {
    /// A session for a request with these headers (every `Cookie` field, joined as HTTP/2 splits
    /// them); nothing is decoded until first use.
    pub fn from_headers(headers: &HeaderMap, settings: &SessionConfig) -> BeakerSession {
        // A WSGI server hands Beaker the header as latin-1 text (PEP 3333); decode the same way
        // so a cookie with bytes above 0x7f is refused by the codec, not dropped here.
        let fields: Vec<String> = headers
            .get_all(COOKIE)
            .iter()
            .map(|v| v.as_bytes().iter().map(|&b| char::from(b)).collect())
            .collect();
        let lazy = LazySession::from_headers(fields.iter().map(String::as_str));
        BeakerSession {
            inner: Arc::new(Mutex::new(Inner {
                lazy,
                env: settings.make_env(),
                settings: settings.clone(),
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Nothing here leaves the session half-changed on a panic (a user closure in `with` may
        // panic, but the map it changes is still a valid session), so a poisoned lock is used as is.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` on the loaded session ([`CookieSession`] derefs to the [`Session`] map): the
    /// general form of the accessors below.
    ///
    /// `f` runs under the session's lock: calling this handle's methods inside it deadlocks.
    /// Save, delete and invalidate through this handle, not through `CookieSession`'s own
    /// methods, so that the layer knows the session is dirty.
    ///
    /// # Errors
    /// [`SessionError::Load`] when the request's cookie cannot be loaded.
    pub fn with<R>(&self, f: impl FnOnce(&mut CookieSession) -> R) -> Result<R, SessionError> {
        let mut inner = self.lock();
        Ok(f(inner.session()?))
    }

    /// A clone of the value under `key`.
    ///
    /// # Errors
    /// [`SessionError::Load`].
    pub fn get(&self, key: &str) -> Result<Option<Value>, SessionError> {
        self.with(|s| s.session().get(key).cloned())
    }

    /// Whether `key` is in the session.
    ///
    /// # Errors
    /// [`SessionError::Load`].
    pub fn contains_key(&self, key: &str) -> Result<bool, SessionError> {
        self.with(|s| s.session().contains_key(key))
    }

    /// Sets `key` (kept only after [`save`](Self::save), or with `auto`); returns the old value.
    ///
    /// # Errors
    /// [`SessionError::Load`].
    pub fn insert(
        &self,
        key: impl Into<Str>,
        value: impl Into<Value>,
    ) -> Result<Option<Value>, SessionError> {
        self.with(|s| s.session_mut().insert(key, value))
    }

    /// Removes `key` (kept only after [`save`](Self::save), or with `auto`); returns its value.
    ///
    /// # Errors
    /// [`SessionError::Load`].
    pub fn remove(&self, key: &str) -> Result<Option<Value>, SessionError> {
        self.with(|s| s.session_mut().remove(key))
    }

    /// A copy of the whole session, Beaker's own keys (`_id`, `_creation_time`,
    /// `_accessed_time`, ...) included.
    ///
    /// # Errors
    /// [`SessionError::Load`].
    pub fn snapshot(&self) -> Result<Session, SessionError> {
        self.with(|s| s.session().clone())
    }

    /// The session id (`_id`, 32 hex characters), `None` only after [`delete`](Self::delete)
    /// or a `clear` emptied the session.
    ///
    /// # Errors
    /// [`SessionError::Load`].
    pub fn id(&self) -> Result<Option<String>, SessionError> {
        self.with(|s| s.id().map(String::from))
    }

    /// Whether the request brought no session cookie (Beaker's `is_new`).
    ///
    /// # Errors
    /// [`SessionError::Load`].
    pub fn is_new(&self) -> Result<bool, SessionError> {
        self.with(|s| s.is_new())
    }

    /// Empties the session (Beaker's `clear()`; kept only after [`save`](Self::save)).
    ///
    /// # Errors
    /// [`SessionError::Load`].
    pub fn clear(&self) -> Result<(), SessionError> {
        self.with(|s| s.clear())
    }

    /// Keeps this request's changes: the whole session is written to the cookie after the
    /// handler (Beaker's `SessionObject.save()`, which only marks the session dirty; it does not
    /// load it, so `save()` on a session never read or changed sends nothing).
    pub fn save(&self) {
        self.lock().lazy.save();
    }

    /// Logs out: empties the session and sends the cookie with an expiry one year back (Beaker's
    /// `delete()`).
    ///
    /// # Errors
    /// [`SessionError::Load`] when the request's cookie cannot be loaded, [`SessionError::Save`]
    /// when the expired cookie cannot be made.
    pub fn delete(&self) -> Result<(), SessionError> {
        let mut inner = self.lock();
        // Load first, so that a bad cookie is a `Load` error (400), not a `Save` one.
        inner.session()?;
        let Inner {
            lazy,
            env,
            settings,
        } = &mut *inner;
        lazy.delete(settings.config(), env)
            .map_err(SessionError::Save)
    }

    /// Empties the session and gives it a new `_id` (Beaker's `invalidate()`), for instance at
    /// log-in against session fixation; call [`save`](Self::save) to send it.
    ///
    /// # Errors
    /// [`SessionError::Load`], or [`SessionError::Save`] when no random id could be drawn.
    pub fn invalidate(&self) -> Result<(), SessionError> {
        let mut inner = self.lock();
        let Inner {
            lazy,
            env,
            settings,
        } = &mut *inner;
        let session = lazy
            .get(settings.config(), env)
            .map_err(SessionError::Load)?;
        session.invalidate(env).map_err(SessionError::Save)
    }

    /// Whether this request touched the session (it was loaded).
    pub fn is_accessed(&self) -> bool {
        self.lock().lazy.is_accessed()
    }

    /// Whether [`save`](Self::save) or [`delete`](Self::delete) was called.
    pub fn is_dirty(&self) -> bool {
        self.lock().lazy.is_dirty()
    }

    /// What `SessionMiddleware` does when the response starts: if the session was accessed,
    /// persist it and return the `Set-Cookie` value to append (`None` when Beaker sends none).
    pub(crate) fn finish(&self) -> Result<Option<String>, SessionError> {
        let mut inner = self.lock();
        let Inner {
            lazy,
            env,
            settings,
        } = &mut *inner;
        lazy.finish(settings.config(), env)
            .map_err(SessionError::Save)
    }
}

impl core::fmt::Debug for BeakerSession {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Session values are the user's data; show the state only.
        f.debug_struct("BeakerSession")
            .field("accessed", &self.is_accessed())
            .field("dirty", &self.is_dirty())
            .finish_non_exhaustive()
    }
}

/// The session the [`BeakerSessionLayer`](crate::BeakerSessionLayer) put in the request.
/// Without the layer the rejection is [`SessionError::MissingLayer`] (500); use
/// [`StateSession`](crate::StateSession) to work without it.
impl<S: Send + Sync> FromRequestParts<S> for BeakerSession {
    type Rejection = SessionError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<BeakerSession>()
            .cloned()
            .ok_or(SessionError::MissingLayer)
    }
}

/// `Option<BeakerSession>`: `None` on routes without the layer.
impl<S: Send + Sync> OptionalFromRequestParts<S> for BeakerSession {
    type Rejection = core::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<BeakerSession>().cloned())
    }
}
