//! `SessionConfig`: the `Config` and the clock/RNG factory a request's session is built with.

use std::sync::Arc;

use axum::extract::FromRef;
use beaker_session_jwt::{Config, Env, Result, SystemEnv, UnixTime};

type MakeEnv = dyn Fn() -> Box<dyn Env + Send> + Send + Sync;

/// What a session needs besides the request: the Beaker [`Config`] and where the clock and the
/// random session ids come from (one [`Env`] is made per request; the default is
/// [`SystemEnv`], the system clock and the OS RNG).
///
/// Cheap to clone (two `Arc`s). [`BeakerSessionLayer::new`](crate::BeakerSessionLayer::new)
/// takes one (or a `Config`, or an `Arc<Config>`); [`StateSession`](crate::StateSession) finds
/// one in the router state through [`FromRef`], which a state of type `SessionConfig` or
/// `Arc<Config>` provides as is.
#[derive(Clone)]
pub struct SessionConfig {
    config: Arc<Config>,
    make_env: Arc<MakeEnv>,
}

impl SessionConfig {
    /// `config` with the system clock and the OS RNG ([`SystemEnv`]).
    pub fn new(config: impl Into<Arc<Config>>) -> SessionConfig {
        SessionConfig {
            config: config.into(),
            make_env: Arc::new(|| Box::new(SystemEnv)),
        }
    }

    /// The same config, with each request's clock and ids from `make_env()` (tests inject a
    /// fixed clock and counter ids this way).
    pub fn with_env<F, E>(mut self, make_env: F) -> SessionConfig
    where
        F: Fn() -> E + Send + Sync + 'static,
        E: Env + Send + 'static,
    {
        self.make_env = Arc::new(move || Box::new(make_env()));
        self
    }

    /// The Beaker options.
    pub fn config(&self) -> &Arc<Config> {
        &self.config
    }

    pub(crate) fn make_env(&self) -> DynEnv {
        DynEnv((self.make_env)())
    }
}

impl core::fmt::Debug for SessionConfig {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Config's own Debug decides what of the keys it shows; the factory has nothing to show.
        f.debug_struct("SessionConfig")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl From<Config> for SessionConfig {
    fn from(config: Config) -> SessionConfig {
        SessionConfig::new(config)
    }
}

impl From<Arc<Config>> for SessionConfig {
    fn from(config: Arc<Config>) -> SessionConfig {
        SessionConfig::new(config)
    }
}

/// A router whose state is just `Arc<Config>` can use [`StateSession`](crate::StateSession).
impl FromRef<Arc<Config>> for SessionConfig {
    fn from_ref(config: &Arc<Config>) -> SessionConfig {
        SessionConfig::new(Arc::clone(config))
    }
}

/// The per-request [`Env`], boxed so that sessions and the layer are not generic over it.
pub(crate) struct DynEnv(Box<dyn Env + Send>);

impl Env for DynEnv {
    fn now(&mut self) -> UnixTime {
        self.0.now()
    }

    fn random_id(&mut self) -> Result<[u8; 16]> {
        self.0.random_id()
    }
}
