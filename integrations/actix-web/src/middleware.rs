//! `BeakerSessionMiddleware`: Beaker's `SessionMiddleware` (beaker/middleware.py `__call__` and
//! `session_start_response`) as an actix-web `Transform` + `Service`.

use std::{
    cell::RefCell,
    future::{ready, Future, Ready},
    pin::Pin,
    rc::Rc,
    sync::Arc,
};

use actix_web::{
    body::{EitherBody, MessageBody},
    dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform},
    http::header::{HeaderValue, COOKIE, SET_COOKIE},
    HttpMessage, ResponseError,
};
use beaker_session_jwt::{Config, Env, LazySession, SystemEnv};

use crate::{
    error::SessionError,
    state::{Handle, State},
};

/// Beaker's `SessionMiddleware` for actix-web: a lazy session per request, persisted after the
/// handler only if the handler touched it.
///
/// Per request it joins the `Cookie` header fields (`"; "`, as HTTP/2 splits them), stores a
/// lazy session in the request extensions for [`BeakerSession`](crate::BeakerSession), and
/// calls the inner service. Then, if the session was loaded, it runs Beaker's
/// `SessionObject.persist()`:
///
/// - `auto = true`: the whole session is saved;
/// - else `save_accessed_time = true` (the default): saved whole if the handler called
///   `save()` or `delete()`, otherwise only `_accessed_time` is refreshed and unsaved changes
///   are dropped (a new session that was not saved sends nothing);
/// - else: saved only if `save()` or `delete()` was called (a request that brought a cookie
///   still gets back the cookie Beaker re-created while loading it);
///
/// and appends the `Set-Cookie` that Beaker would send, beside any the handler set. A save error
/// (the cookie over Beaker's 4064 characters, ...) replaces the response with a 500 and a short
/// text body. An error from the inner service passes through untouched and nothing is saved, as
/// an exception skips Beaker's `start_response`.
///
/// The config is shared in an `Arc`; the [`Env`] (clock and randomness) is cloned per request.
#[derive(Clone, Debug)]
pub struct BeakerSessionMiddleware<E = SystemEnv> {
    config: Arc<Config>,
    env: E,
}

impl BeakerSessionMiddleware<SystemEnv> {
    /// The middleware with the system clock and the OS random generator.
    pub fn new(config: impl Into<Arc<Config>>) -> Self {
        BeakerSessionMiddleware::with_env(config, SystemEnv)
    }
}

impl<E: Env + Clone + 'static> BeakerSessionMiddleware<E> {
    /// The middleware with another clock and random source (a fixed clock in tests). Each
    /// request gets a clone of `env`: share state (a counter) through an `Rc` or `Arc` inside it.
    pub fn with_env(config: impl Into<Arc<Config>>, env: E) -> Self {
        BeakerSessionMiddleware {
            config: config.into(),
            env,
        }
    }

    /// The config every request's session uses.
    pub fn config(&self) -> &Arc<Config> {
        &self.config
    }
}

impl<S, B, E> Transform<S, ServiceRequest> for BeakerSessionMiddleware<E>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
    E: Env + Clone + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = BeakerSessionService<S, E>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(BeakerSessionService {
            service: Rc::new(service),
            config: Arc::clone(&self.config),
            env: self.env.clone(),
        }))
    }
}

/// The [`Service`] that [`BeakerSessionMiddleware`] wraps around the inner service.
#[derive(Debug)]
pub struct BeakerSessionService<S, E = SystemEnv> {
    service: Rc<S>,
    config: Arc<Config>,
    env: E,
}

impl<S, B, E> Service<ServiceRequest> for BeakerSessionService<S, E>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
    E: Env + Clone + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>>>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        // PEP 3333 hands Beaker the header as latin-1 text; so do we, so no field is dropped.
        let fields: Vec<String> = req
            .headers()
            .get_all(COOKIE)
            .map(|v| v.as_bytes().iter().map(|&b| char::from(b)).collect())
            .collect();
        let lazy = LazySession::from_headers(fields.iter().map(String::as_str));
        let state = State::new(lazy, Arc::clone(&self.config), Box::new(self.env.clone()));
        let handle = Handle(Rc::new(RefCell::new(state)));
        req.extensions_mut().insert(handle.clone());

        let service = Rc::clone(&self.service);
        Box::pin(async move {
            let res = service.call(req).await?;
            finish(res, &handle.0)
        })
    }
}

/// SessionMiddleware's `session_start_response`: persist if accessed, append the `Set-Cookie`.
fn finish<B>(
    mut res: ServiceResponse<B>,
    state: &RefCell<State>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    // The handler has returned: no extractor borrow is live (each method borrows for its own
    // call only), so this borrow cannot conflict.
    let out = state.borrow_mut().finish();
    let header = out
        .map_err(SessionError::Save)
        .and_then(|cookie| match cookie {
            Some(c) => HeaderValue::from_str(&c).map(Some).map_err(|_| {
                SessionError::Save(beaker_session_jwt::Error::Config(
                    "set-cookie is not a valid header value",
                ))
            }),
            None => Ok(None),
        });
    match header {
        Ok(Some(value)) => {
            // append, never insert: the handler's own cookies stay.
            res.headers_mut().append(SET_COOKIE, value);
            Ok(res.map_into_left_body())
        }
        Ok(None) => Ok(res.map_into_left_body()),
        Err(e) => {
            let (req, _) = res.into_parts();
            Ok(ServiceResponse::new(req, e.error_response()).map_into_right_body())
        }
    }
}
