//! `BeakerSessionLayer`: Beaker's `SessionMiddleware` (beaker/middleware.py) as a tower layer.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::http::{header::SET_COOKIE, HeaderValue, Request};
use axum::response::{IntoResponse, Response};
use beaker_session_jwt::{Config, Env};
use tower_layer::Layer;
use tower_service::Service;

use crate::env::SessionConfig;
use crate::error::SessionError;
use crate::session::BeakerSession;

/// A tower layer doing what Beaker's `SessionMiddleware` does: each request gets a lazy
/// [`BeakerSession`] in its extensions; after the inner service answers, if the session was
/// accessed, it is persisted (`auto` saves everything; else a `save()`d session is written
/// whole, an unsaved one refreshes only `_accessed_time` with `save_accessed_time`) and the
/// `Set-Cookie` Beaker would send is appended to the response (other `Set-Cookie` headers stay).
///
/// A session that cannot be persisted (typically a cookie over Beaker's 4064 characters) turns
/// the response into a 500 with a short text body, where Python raises from `start_response`.
///
/// ```
/// use axum::{routing::get, Router};
/// use beaker_session_axum::BeakerSessionLayer;
/// use beaker_session_jwt::Config;
///
/// let config = Config::new(["a-long-random-secret-key"]).unwrap();
/// let app: Router = Router::new()
///     .route("/", get(|| async { "hello" }))
///     .layer(BeakerSessionLayer::new(config));
/// ```
#[derive(Clone, Debug)]
pub struct BeakerSessionLayer {
    settings: SessionConfig,
}

impl BeakerSessionLayer {
    /// A layer for `config` (a [`Config`], an `Arc<Config>` or a [`SessionConfig`]); the clock
    /// and ids come from the system unless the `SessionConfig` says otherwise.
    pub fn new(config: impl Into<SessionConfig>) -> BeakerSessionLayer {
        BeakerSessionLayer {
            settings: config.into(),
        }
    }

    /// The same layer with each request's clock and ids from `make_env()`
    /// ([`SessionConfig::with_env`]).
    pub fn with_env<F, E>(self, make_env: F) -> BeakerSessionLayer
    where
        F: Fn() -> E + Send + Sync + 'static,
        E: Env + Send + 'static,
    {
        BeakerSessionLayer {
            settings: self.settings.with_env(make_env),
        }
    }

    /// The Beaker options.
    pub fn config(&self) -> &Config {
        self.settings.config()
    }
}

impl<S> Layer<S> for BeakerSessionLayer {
    type Service = BeakerSessionService<S>;

    fn layer(&self, inner: S) -> BeakerSessionService<S> {
        BeakerSessionService {
            inner,
            settings: self.settings.clone(),
        }
    }
}

/// The service [`BeakerSessionLayer`] wraps around an inner service.
#[derive(Clone, Debug)]
pub struct BeakerSessionService<S> {
    inner: S,
    settings: SessionConfig,
}

/// The future of [`BeakerSessionService`].
pub type ResponseFuture<E> = Pin<Box<dyn Future<Output = Result<Response, E>> + Send + 'static>>;

impl<S, B> Service<Request<B>> for BeakerSessionService<S>
where
    S: Service<Request<B>> + Clone + Send + 'static,
    S::Response: IntoResponse,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        let session = BeakerSession::from_headers(req.headers(), &self.settings);
        req.extensions_mut().insert(session.clone());
        // The service that was polled ready answers this request; a fresh clone waits for the next.
        let ready = self.inner.clone();
        let mut inner = core::mem::replace(&mut self.inner, ready);
        Box::pin(async move {
            // An inner error (Python: an exception before start_response) persists nothing.
            let response = inner.call(req).await?.into_response();
            Ok(finish(&session, response))
        })
    }
}

/// SessionMiddleware's `session_start_response`: persist if accessed, then append `Set-Cookie`.
fn finish(session: &BeakerSession, mut response: Response) -> Response {
    let cookie = match session.finish() {
        Ok(Some(cookie)) => cookie,
        Ok(None) => return response,
        Err(e) => return e.into_response(),
    };
    match HeaderValue::try_from(cookie) {
        Ok(value) => {
            response.headers_mut().append(SET_COOKIE, value);
            response
        }
        Err(_) => SessionError::HeaderValue.into_response(),
    }
}
