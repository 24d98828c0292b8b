//! The per-request session state: Beaker's `SessionObject` (a [`LazySession`]) with the config
//! and the env it needs, shared by the middleware and the extractor of one request.

use std::{cell::RefCell, rc::Rc, sync::Arc};

use beaker_session_jwt::{Config, CookieSession, Env, LazySession, Result, UnixTime};

/// What the middleware puts in the request extensions. `Rc<RefCell<..>>`: actix-web runs a
/// request on one thread, and the extensions need not be `Send`.
#[derive(Clone)]
pub(crate) struct Handle(pub(crate) Rc<RefCell<State>>);

pub(crate) struct State {
    lazy: LazySession,
    config: Arc<Config>,
    env: BoxedEnv,
}

impl State {
    pub(crate) fn new(lazy: LazySession, config: Arc<Config>, env: Box<dyn Env>) -> State {
        State {
            lazy,
            config,
            env: BoxedEnv(env),
        }
    }

    /// The session, loaded on the first call (Beaker's `SessionObject._session()`).
    pub(crate) fn session(&mut self) -> Result<&mut CookieSession> {
        self.lazy.get(&self.config, &mut self.env)
    }

    /// `SessionObject.save()`: marks the session dirty, so `persist` saves it whole.
    pub(crate) fn save(&mut self) {
        self.lazy.save();
    }

    /// `SessionObject.delete()`: dirty, then the expired `Set-Cookie` and a cleared session.
    pub(crate) fn delete(&mut self) -> Result<()> {
        self.lazy.delete(&self.config, &mut self.env)
    }

    /// `CookieSession.invalidate()`: cleared, with a new `_id`.
    pub(crate) fn invalidate(&mut self) -> Result<()> {
        let State { lazy, config, env } = self;
        lazy.get(config, env)?.invalidate(env)
    }

    /// SessionMiddleware's `session_start_response`: persist if accessed; the `Set-Cookie` value.
    pub(crate) fn finish(&mut self) -> Result<Option<String>> {
        self.lazy.finish(&self.config, &mut self.env)
    }
}

/// `LazySession` takes `&mut impl Env` (sized); this forwards to the middleware's env, whose type
/// the extractor does not name.
struct BoxedEnv(Box<dyn Env>);

impl Env for BoxedEnv {
    fn now(&mut self) -> UnixTime {
        self.0.now()
    }

    fn random_id(&mut self) -> Result<[u8; 16]> {
        self.0.random_id()
    }
}
