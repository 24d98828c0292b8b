//! Beaker's session lifecycle around the codec: load from the `Cookie` header, stamp times and
//! ids, save, delete, invalidate, and the `Set-Cookie` to send.
//!
//! Follows Beaker 1.14.1 `beaker/session.py` (`CookieSession`, which beaker-session-jwt 1.0.4's
//! `JWTCookieSession` inherits, and the `Session` methods it borrows: `_set_cookie_expires`,
//! `_delete_cookie`) and `SessionObject.persist` / `SessionMiddleware` (`beaker/middleware.py`).
//! The clock and the randomness are injected through [`Env`], and consulted exactly where Beaker
//! calls `time.time()`, `datetime.now()` and `uuid.uuid4()`, so the same clock and the same
//! random bytes give the same session, byte for byte (`tests/session_differential.rs` checks
//! this against the real package).

use alloc::string::String;
use core::fmt::Write;
use core::ops::{Deref, DerefMut};

use crate::config::{Config, CookieExpires, Valid};
use crate::cookie::{self, CookieValue, Format, Scratch};
use crate::error::{Error, Layer, Result};
use crate::header::{self, Attributes};
use crate::unix_time::UnixTime;
use crate::value::{Session, Value};

/// The clock and the randomness a session needs. `no_std` has neither, so the caller supplies
/// them; under `std`, [`SystemEnv`] reads the system clock and the operating system's RNG.
///
/// A [`CookieSession`] asks for the time exactly where Beaker calls `time.time()` or
/// `datetime.now()`, and for random bytes exactly where Beaker calls `uuid.uuid4()` (including
/// the id Beaker draws for every request before it reads the cookie), so an `Env` that replays
/// Python's clock and ids reproduces Python's cookies.
pub trait Env {
    /// The current time.
    fn now(&mut self) -> UnixTime;

    /// 16 random bytes for a new session id. They become a version-4 UUID (the version and
    /// variant bits are set here) written as 32 lowercase hex characters, as `uuid4().hex`.
    ///
    /// # Errors
    /// Whatever the source reports when it has no randomness (for [`SystemEnv`],
    /// [`Error::Random`]).
    fn random_id(&mut self) -> Result<[u8; 16]>;
}

/// The system clock and the operating system's random number generator (`getrandom`).
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemEnv;

#[cfg(feature = "std")]
impl Env for SystemEnv {
    fn now(&mut self) -> UnixTime {
        UnixTime::now()
    }

    fn random_id(&mut self) -> Result<[u8; 16]> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|_| Error::Random)?;
        Ok(bytes)
    }
}

/// `uuid.uuid4().hex` from 16 random bytes.
fn session_id(env: &mut impl Env) -> Result<Value> {
    let mut b = env.random_id()?;
    b[6] = (b[6] & 0x0f) | 0x40; // version 4
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    let mut hex = String::with_capacity(32);
    for byte in b {
        // Writing into a String cannot fail.
        let _ = write!(hex, "{byte:02x}");
    }
    Ok(Value::from(hex))
}

/// One request's Beaker session: the session dictionary (with Beaker's own keys `_id`,
/// `_creation_time`, `_accessed_time`, `_domain` and `_path`) and the cookie Beaker would send.
///
/// It dereferences to the [`Session`] map, so `get`, `insert` and `remove` work on it directly.
/// As in Beaker, changes reach the cookie only through [`save`](CookieSession::save) (or
/// [`persist`](CookieSession::persist) with `dirty` or `auto`); a session that is only read
/// gets its `_accessed_time` refreshed by an accessed-only save.
///
/// ```
/// use beaker_session_jwt::{Config, CookieSession, Env, Result, UnixTime};
///
/// // A fixed clock and counter ids; under `std`, `SystemEnv` is the real thing.
/// struct Fixed(u8);
/// impl Env for Fixed {
///     fn now(&mut self) -> UnixTime { UnixTime::from_secs(1_700_000_000) }
///     fn random_id(&mut self) -> Result<[u8; 16]> { self.0 += 1; Ok([self.0; 16]) }
/// }
///
/// let config = Config::new(["a-secret-key-of-some-length"])?;
/// let mut env = Fixed(0);
/// // First request: no cookie, a new session.
/// let mut session = CookieSession::load(None, &config, &mut env)?;
/// assert!(session.is_new());
/// session.insert("user", "ada");
/// session.save(false, &config, &mut env)?;
/// let set_cookie = session.set_cookie().unwrap().to_owned();
///
/// // Next request: the browser sends the cookie back.
/// let value = set_cookie.split(';').next().unwrap(); // "beaker.session.id=eyJ..."
/// let again = CookieSession::load(Some(value), &config, &mut env)?;
/// assert!(!again.is_new());
/// assert_eq!(again.get("user").and_then(|v| v.as_str()), Some("ada"));
/// assert_eq!(again.id(), session.id());
/// # Ok::<(), beaker_session_jwt::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct CookieSession {
    data: Session,
    /// `_ConfigurableSession._config`: what `clear()` puts back.
    config_domain: Value,
    config_path: Value,
    /// `accessed_dict`: the session as loaded, for `save(accessed_only=True)`.
    accessed: Option<Session>,
    is_new: bool,
    /// `self.cookie_expires`: Beaker's `_set_cookie_expires` overwrites it (`delete` leaves
    /// the date a year back in it for the rest of the request).
    cookie_expires: CookieExpires,
    /// `request['cookie_out']` while `request['set_cookie']` is true.
    set_cookie: Option<String>,
    /// The `Domain` on this request's cookie `Morsel`: Beaker sets it only when `_domain` is
    /// truthy and never removes it, so once written it stays for the rest of the request.
    domain_attr: Option<String>,
    loaded_format: Option<Format>,
    key_index: Option<usize>,
}

impl CookieSession {
    /// Beaker's `CookieSession.__init__` for one request: picks `config.key` out of the
    /// `Cookie` header (see [`cookie_from_header`](crate::cookie_from_header); `None` when the
    /// request has no header).
    ///
    /// - No cookie: a new session ([`is_new`](Self::is_new)) holding a fresh `_id`; nothing to
    ///   send until it is saved.
    /// - A cookie: verified and decoded over the fresh session (its `_id` replaces the fresh
    ///   one). A cookie that does not verify or decode is an error, or, with
    ///   `config.invalidate_corrupt` (the default), an empty session with a new `_id`. Then the
    ///   `timeout` rule: a session whose `_accessed_time` is more than `timeout` seconds old is
    ///   cleared (Beaker drops it; it is not an error). Then, as Beaker does on every load, the
    ///   outgoing cookie is written with a new `_accessed_time`, so
    ///   [`set_cookie`](Self::set_cookie) is `Some`.
    ///
    /// # Errors
    /// [`Error::Config`] when `config` does not validate. Without `invalidate_corrupt`, any
    /// decode error of [`decode_cookie`](crate::decode_cookie) (except [`Error::Expired`]:
    /// the timeout clears instead). Whatever the case, [`Error::Malformed`] in
    /// [`Layer::Session`] when `_accessed_time` is not a number and a `timeout` is set (Python
    /// raises a `TypeError` there), and the errors of writing the cookie back
    /// ([`Error::LimitExceeded`] with [`Limit::WriteLen`](crate::Limit::WriteLen) when it
    /// would exceed 4064 characters: Beaker's "Cookie value is too long to store").
    /// `env`'s error when it has no randomness.
    ///
    /// # Limits
    /// As [`decode_cookie`](crate::decode_cookie) and [`encode_cookie`](crate::encode_cookie).
    pub fn load(
        cookie_header: Option<&str>,
        config: &Config,
        env: &mut impl Env,
    ) -> Result<CookieSession> {
        let valid = Valid::new(config)?;
        let config_domain = config
            .cookie_domain
            .as_deref()
            .map_or(Value::Null, Value::from);
        let config_path = Value::from(config.cookie_path.as_str());
        let mut s = CookieSession {
            data: Session::new(),
            config_domain,
            config_path,
            accessed: None,
            is_new: true,
            cookie_expires: config.cookie_expires,
            set_cookie: None,
            domain_attr: None,
            loaded_format: None,
            key_index: None,
        };
        s.clear();
        s.data.insert("_id", session_id(env)?);
        let Some(value) = cookie_header.and_then(|h| header::cookie_from_header(h, config)) else {
            return Ok(s);
        };
        s.is_new = false;
        // The value comes from the header with its quotes stripped; it goes through the same
        // checks as any other cookie value (a corrupt one is handled as Beaker does, below).
        let decoded = CookieValue::admit(value, valid, Layer::Cookie)
            .and_then(|value| cookie::decode_untimed(&mut Scratch::new(), value, valid));
        match decoded {
            Ok(decoded) => {
                s.loaded_format = Some(decoded.format);
                s.key_index = Some(decoded.key_index);
                // `self.update(self._decrypt_data(cookie_data))`.
                for (k, v) in decoded.session.into_entries() {
                    s.data.insert(k, v);
                }
            }
            Err(_) if config.invalidate_corrupt => s.invalidate(env)?,
            Err(e) => return Err(e),
        }
        if let Some(timeout) = config.timeout {
            // `now - self.get('_accessed_time', now) > self.timeout`: Beaker's rule, whatever
            // `time_mode` says (that option is for the one-shot decode).
            let now = env.now();
            match crate::time::check_accessed(
                s.data.get("_accessed_time"),
                timeout,
                now.as_secs_f64(),
                crate::config::TimeMode::Beaker,
            ) {
                Ok(()) => {}
                Err(Error::Expired) => s.clear(),
                Err(e) => return Err(e),
            }
        }
        s.accessed = Some(s.data.clone());
        s.create_cookie(config, env)?;
        Ok(s)
    }

    /// [`load`](Self::load) from every `Cookie` header field of a request, joined with `"; "`
    /// as HTTP/2 asks (RFC 9113 §8.2.3); no field is a request without cookies.
    ///
    /// # Errors
    /// As [`load`](Self::load).
    ///
    /// # Limits
    /// As [`load`](Self::load); the joined header is one allocation of the fields' length.
    pub fn load_headers<'h>(
        headers: impl IntoIterator<Item = &'h str>,
        config: &Config,
        env: &mut impl Env,
    ) -> Result<CookieSession> {
        let joined = join_cookie_headers(headers);
        CookieSession::load(joined.as_deref(), config, env)
    }

    /// True when the request brought no cookie (Beaker's `is_new`).
    pub fn is_new(&self) -> bool {
        self.is_new
    }

    /// The session id (`_id`), when it holds a string.
    pub fn id(&self) -> Option<&str> {
        self.data.get("_id").and_then(Value::as_str)
    }

    /// The session dictionary.
    pub fn session(&self) -> &Session {
        &self.data
    }

    /// The session dictionary, to change. Changes reach the cookie only when saved.
    pub fn session_mut(&mut self) -> &mut Session {
        &mut self.data
    }

    /// The session as it was loaded (Beaker's `accessed_dict`), for an accessed-only save;
    /// `None` for a new session.
    pub fn accessed_dict(&self) -> Option<&Session> {
        self.accessed.as_ref()
    }

    /// The format of the cookie this session was loaded from (`None` when there was none, or
    /// it was corrupt and invalidated).
    pub fn loaded_format(&self) -> Option<Format> {
        self.loaded_format
    }

    /// Index in `jwt_secret_keys` of the key that verified the loaded cookie. Saving re-signs
    /// with the first key.
    pub fn key_index(&self) -> Option<usize> {
        self.key_index
    }

    /// Beaker's `clear()`: empties the session but for `_domain` and `_path`, which return to
    /// the configured `cookie_domain` (or `None`) and `cookie_path`. The `_id` goes too; the
    /// next save draws a new one.
    pub fn clear(&mut self) {
        self.data.clear();
        self.data.insert("_domain", self.config_domain.clone());
        self.data.insert("_path", self.config_path.clone());
    }

    /// Beaker's `save(accessed_only)`: writes the outgoing cookie. With `accessed_only`, a new
    /// session (or `save_accessed_time = false`) writes nothing, and a loaded one is put back
    /// as it was loaded (unsaved changes are dropped) with a new `_accessed_time`.
    ///
    /// Stamps as `_create_cookie` does: `_creation_time` if missing, `_id` if missing, and
    /// `_accessed_time` always.
    ///
    /// # Errors
    /// As [`encode_cookie`](crate::encode_cookie) ([`Error::LimitExceeded`] with
    /// [`Limit::WriteLen`](crate::Limit::WriteLen) over 4064 characters); [`Error::Unsupported`]
    /// in [`Layer::Session`] when `_domain` or `_path` holds a value Beaker could not write as
    /// an attribute here; `env`'s error.
    ///
    /// # Limits
    /// As [`encode_cookie`](crate::encode_cookie).
    pub fn save(&mut self, accessed_only: bool, config: &Config, env: &mut impl Env) -> Result<()> {
        if accessed_only && (self.is_new || !config.save_accessed_time) {
            return Ok(());
        }
        if accessed_only {
            self.clear();
            if let Some(accessed) = &self.accessed {
                for (k, v) in accessed.iter() {
                    self.data.insert(k, v.clone());
                }
            }
        }
        self.create_cookie(config, env)
    }

    /// Beaker's `delete()`: the outgoing cookie becomes the session id with an `expires` one
    /// year back (the browser drops it), and the session is cleared. The date stays for the
    /// rest of this request: a later save (as [`persist`](Self::persist) does after a delete)
    /// writes a new session's cookie with the same past date.
    ///
    /// # Errors
    /// [`Error::Malformed`] in [`Layer::Session`] when the session has no `_id`, `_domain` or
    /// `_path` (Python raises a `KeyError`); [`Error::Unsupported`] as [`save`](Self::save).
    ///
    /// # Limits
    /// Renders one header of the id's length.
    pub fn delete(&mut self, config: &Config, env: &mut impl Env) -> Result<()> {
        // `expires = datetime.now(timezone.utc) - timedelta(365)`.
        let when = header::datetime_now_secs(env.now()).saturating_sub(365 * 86_400);
        let missing = |what| Error::malformed(Layer::Session, 0, what);
        let id = self.data.get("_id").ok_or(missing("no _id to delete"))?;
        let id = attribute_text(id)?;
        let domain = self.data.get("_domain").ok_or(missing("no _domain"))?;
        let domain = self.morsel_domain(domain)?;
        let path = self.data.get("_path").ok_or(missing("no _path"))?;
        let path = attribute_text(path)?;
        // `_set_cookie_values` raises its KeyError before `_set_cookie_expires(expires)` stores
        // the date, so a failed delete leaves `cookie_expires` as it was.
        self.cookie_expires = CookieExpires::At(UnixTime::from_secs_f64(when as f64));
        let cookie = self.render(config, &id, domain.as_deref(), &path, UnixTime::EPOCH)?;
        self.set_cookie = Some(cookie);
        self.domain_attr = domain;
        self.clear();
        Ok(())
    }

    /// Beaker's `invalidate()`: clears the session and gives it a new `_id`. Nothing is sent
    /// until it is saved.
    ///
    /// # Errors
    /// `env`'s error when it has no randomness.
    pub fn invalidate(&mut self, env: &mut impl Env) -> Result<()> {
        self.clear();
        self.data.insert("_id", session_id(env)?);
        Ok(())
    }

    /// What Beaker's `SessionMiddleware` does with a session the request touched
    /// (`SessionObject.persist`): with `config.auto`, [`save`](Self::save); otherwise, with
    /// `save_accessed_time`, a full save when `dirty` (the app called save or delete) and an
    /// accessed-only save when not; without it, a save only when `dirty`.
    ///
    /// # Errors
    /// As [`save`](Self::save).
    ///
    /// # Limits
    /// As [`save`](Self::save).
    pub fn persist(&mut self, dirty: bool, config: &Config, env: &mut impl Env) -> Result<()> {
        if config.auto || dirty {
            self.save(false, config, env)
        } else if config.save_accessed_time {
            self.save(true, config, env)
        } else {
            Ok(())
        }
    }

    /// The `Set-Cookie` header value Beaker would send now (its `request['cookie_out']`,
    /// without the leading space `Morsel.output(header='')` puts there), or `None` when Beaker
    /// sends no cookie (`request['set_cookie']` is false).
    pub fn set_cookie(&self) -> Option<&str> {
        self.set_cookie.as_deref()
    }

    /// Beaker's `_create_cookie`.
    fn create_cookie(&mut self, config: &Config, env: &mut impl Env) -> Result<()> {
        if !self.data.contains_key("_creation_time") {
            self.data
                .insert("_creation_time", Value::Double(env.now().as_secs_f64()));
        }
        if !self.data.contains_key("_id") {
            self.data.insert("_id", session_id(env)?);
        }
        self.data
            .insert("_accessed_time", Value::Double(env.now().as_secs_f64()));
        // `_encrypt_data` drops `_expires`, `_path`, `_domain` for a JWT and keeps them in a
        // legacy cookie; `encode_cookie` does the same. It also refuses over 4064 characters.
        let value = match id_first(&self.data, config) {
            Some(reordered) => cookie::encode_cookie(&reordered, config)?,
            None => cookie::encode_cookie(&self.data, config)?,
        };
        // `_set_cookie_expires(None)` reads `self.cookie_expires`, and the clock
        // (`datetime.now`) only for a `timedelta`, before anything below can raise.
        let now = match self.cookie_expires {
            CookieExpires::After(_) => env.now(),
            _ => UnixTime::EPOCH,
        };
        // `self.domain` is `self['_domain']` (a KeyError when gone); the path is
        // `self.get('_path', '/')`.
        let domain =
            self.data
                .get("_domain")
                .ok_or(Error::malformed(Layer::Session, 0, "no _domain"))?;
        let domain = self.morsel_domain(domain)?;
        let path = match self.data.get("_path") {
            Some(path) => attribute_text(path)?,
            None => String::from("/"),
        };
        let cookie = self.render(config, &value, domain.as_deref(), &path, now)?;
        self.set_cookie = Some(cookie);
        self.domain_attr = domain;
        Ok(())
    }

    /// The `Domain` attribute after `if self.domain: morsel['domain'] = self.domain`: a truthy
    /// `_domain` replaces it, a falsy one leaves what an earlier write of this request set.
    fn morsel_domain(&self, domain: &Value) -> Result<Option<String>> {
        if is_truthy(domain) {
            Ok(Some(attribute_text(domain)?))
        } else {
            Ok(self.domain_attr.clone())
        }
    }

    /// The `Set-Cookie` for `value`; `now` is read only for `CookieExpires::After`.
    fn render(
        &self,
        config: &Config,
        value: &str,
        domain: Option<&str>,
        path: &str,
        now: UnixTime,
    ) -> Result<String> {
        let expires = header::expires_at(self.cookie_expires, now);
        let attrs = Attributes {
            domain,
            expires,
            httponly: config.httponly,
            path,
            samesite: config.samesite.as_deref(),
            secure: config.secure,
        };
        if let Some(domain) = attrs.domain {
            check_attribute(domain)?;
        }
        check_attribute(attrs.path)?;
        Ok(header::render(&config.key, value, &attrs))
    }
}

impl Deref for CookieSession {
    type Target = Session;

    fn deref(&self) -> &Session {
        &self.data
    }
}

impl DerefMut for CookieSession {
    fn deref_mut(&mut self) -> &mut Session {
        &mut self.data
    }
}

/// Beaker's `SessionObject`: the lazy proxy `SessionMiddleware` puts in each request. The
/// session is loaded from the kept `Cookie` header only when first asked for, and
/// [`finish`](LazySession::finish) does what the middleware does before the response goes out.
/// Web integrations hold one per request.
///
/// ```
/// use beaker_session_jwt::{Config, Env, LazySession, Result, UnixTime};
/// # struct Fixed(u8);
/// # impl Env for Fixed {
/// #     fn now(&mut self) -> UnixTime { UnixTime::from_secs(1_700_000_000) }
/// #     fn random_id(&mut self) -> Result<[u8; 16]> { self.0 += 1; Ok([self.0; 16]) }
/// # }
/// let config = Config::new(["a-secret-key-of-some-length"])?;
/// let mut env = Fixed(0);
///
/// // A request that never touches the session sends no cookie.
/// let mut untouched = LazySession::new(None);
/// assert_eq!(untouched.finish(&config, &mut env)?, None);
///
/// // A request that logs in: change, save, and the middleware sends the cookie.
/// let mut request = LazySession::new(None);
/// request.get(&config, &mut env)?.insert("user", "ada");
/// request.save();
/// let set_cookie = request.finish(&config, &mut env)?.expect("a cookie");
/// assert!(set_cookie.starts_with("beaker.session.id=eyJ"));
/// # Ok::<(), beaker_session_jwt::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct LazySession {
    cookie_header: Option<String>,
    session: Option<CookieSession>,
    dirty: bool,
}

impl LazySession {
    /// A request's session, not loaded yet, with its `Cookie` header (`None` without one).
    pub fn new(cookie_header: Option<String>) -> LazySession {
        LazySession {
            cookie_header,
            session: None,
            dirty: false,
        }
    }

    /// As [`new`](Self::new), from every `Cookie` header field, joined with `"; "`.
    pub fn from_headers<'h>(headers: impl IntoIterator<Item = &'h str>) -> LazySession {
        LazySession::new(join_cookie_headers(headers))
    }

    /// The session, loaded on the first call ([`CookieSession::load`]).
    ///
    /// # Errors
    /// As [`CookieSession::load`]; a failed load is not kept, so the next call fails the same
    /// way.
    ///
    /// # Limits
    /// As [`CookieSession::load`].
    pub fn get(&mut self, config: &Config, env: &mut impl Env) -> Result<&mut CookieSession> {
        match &mut self.session {
            Some(s) => Ok(s),
            slot @ None => {
                let loaded = CookieSession::load(self.cookie_header.as_deref(), config, env)?;
                Ok(slot.insert(loaded))
            }
        }
    }

    /// The session if it was loaded.
    pub fn loaded(&self) -> Option<&CookieSession> {
        self.session.as_ref()
    }

    /// True once the session was loaded (Beaker's `accessed()`).
    pub fn is_accessed(&self) -> bool {
        self.session.is_some()
    }

    /// Beaker's `SessionObject.save()`: marks the session to be saved in full when the
    /// response goes out. Changes made after it are saved too.
    pub fn save(&mut self) {
        self.dirty = true;
    }

    /// Beaker's `SessionObject.delete()`: marks the session dirty and deletes it
    /// ([`CookieSession::delete`]), loading it first if needed. As in Beaker, the response
    /// then carries a new, empty session's cookie dated a year back, which the browser drops.
    ///
    /// # Errors
    /// As [`get`](Self::get) and [`CookieSession::delete`].
    ///
    /// # Limits
    /// As [`get`](Self::get).
    pub fn delete(&mut self, config: &Config, env: &mut impl Env) -> Result<()> {
        self.dirty = true;
        self.get(config, env)?.delete(config, env)
    }

    /// True once [`save`](Self::save) or [`delete`](Self::delete) was called.
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// What `SessionMiddleware`'s `start_response` does: when the session was loaded,
    /// [`CookieSession::persist`] it, then return the `Set-Cookie` header value to append
    /// (`None` when Beaker sends none).
    ///
    /// # Errors
    /// As [`CookieSession::persist`].
    ///
    /// # Limits
    /// As [`CookieSession::persist`].
    pub fn finish(&mut self, config: &Config, env: &mut impl Env) -> Result<Option<String>> {
        let Some(session) = &mut self.session else {
            return Ok(None);
        };
        session.persist(self.dirty, config, env)?;
        Ok(session.set_cookie().map(String::from))
    }
}

/// Joins `Cookie` header fields with `"; "`; `None` when there are none.
fn join_cookie_headers<'h>(headers: impl IntoIterator<Item = &'h str>) -> Option<String> {
    let mut joined: Option<String> = None;
    for h in headers {
        match &mut joined {
            None => joined = Some(String::from(h)),
            Some(j) => {
                j.push_str("; ");
                j.push_str(h);
            }
        }
    }
    joined
}

/// The session as pymongo's `bson.encode` writes it, when that differs from its order: a
/// top-level `_id` goes first (`_dict_to_bson(..., top_level=True)`), wherever it sits in the
/// dict (after a `clear()` or a timeout, `_creation_time` is stamped before the new `_id`).
/// JSON claims and legacy cookies keep the dict's order. `None` when nothing moves.
fn id_first(data: &Session, config: &Config) -> Option<Session> {
    if !config.bson_compress_jwt_payload || config.write_original_format {
        return None;
    }
    // The first key a JWT writes (it drops `_expires`, `_path`, `_domain`).
    let first = data
        .keys()
        .find(|k| !matches!(*k, "_expires" | "_path" | "_domain"))?;
    if first == "_id" {
        return None;
    }
    let id = data.get("_id")?;
    let mut out = Session::new();
    out.insert("_id", id.clone());
    for (k, v) in data.iter().filter(|(k, _)| *k != "_id") {
        out.insert(k, v.clone());
    }
    Some(out)
}

/// Python's truth value of a `_domain` value.
fn is_truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Int32(i) => *i != 0,
        Value::Int64(i) => *i != 0,
        Value::Double(d) => *d != 0.0,
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// `str(value)` for the values a `_domain`, `_path` or `_id` holds in practice; other types are
/// refused rather than guessed.
fn attribute_text(v: &Value) -> Result<String> {
    match v {
        Value::String(s) => Ok(String::from(&**s)),
        Value::Null => Ok(String::from("None")),
        Value::Bool(true) => Ok(String::from("True")),
        Value::Bool(false) => Ok(String::from("False")),
        Value::Int32(i) => Ok(alloc::format!("{i}")),
        Value::Int64(i) => Ok(alloc::format!("{i}")),
        _ => Err(Error::Unsupported {
            layer: Layer::Session,
            offset: 0,
            what: "_domain, _path or _id of a type Beaker writes with repr()",
        }),
    }
}

/// A session value becomes a cookie attribute: it must not break the header (Python would
/// write it and let the browser cope; we refuse).
fn check_attribute(text: &str) -> Result<()> {
    if text
        .bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b';')
    {
        Ok(())
    } else {
        Err(Error::Unsupported {
            layer: Layer::Session,
            offset: 0,
            what: "_domain or _path holds characters a Set-Cookie attribute cannot",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed {
        now: f64,
        next: u8,
    }

    impl Env for Fixed {
        fn now(&mut self) -> UnixTime {
            UnixTime::from_secs_f64(self.now)
        }
        fn random_id(&mut self) -> Result<[u8; 16]> {
            self.next += 1;
            Ok([self.next; 16])
        }
    }

    fn config() -> Config {
        Config::new(["0123456789abcdef-one"]).unwrap()
    }

    fn cookie_of(set_cookie: &str) -> &str {
        set_cookie.split(';').next().unwrap()
    }

    #[test]
    fn session_id_is_uuid4_hex() {
        let mut env = Fixed {
            now: 0.0,
            next: 0xfe,
        };
        assert_eq!(
            session_id(&mut env).unwrap(),
            Value::from("ffffffffffff4fffbfffffffffffffff")
        );
    }

    #[test]
    fn session_new_then_loaded_keeps_id_and_order() {
        let c = config();
        let mut env = Fixed {
            now: 1000.5,
            next: 0,
        };
        let mut s = CookieSession::load(None, &c, &mut env).unwrap();
        assert!(s.is_new());
        assert_eq!(s.set_cookie(), None);
        let keys: alloc::vec::Vec<_> = s.keys().collect();
        assert_eq!(keys, ["_domain", "_path", "_id"]);
        s.insert("n", 1);
        s.save(false, &c, &mut env).unwrap();
        let out = String::from(s.set_cookie().unwrap());
        assert!(out.ends_with("; Path=/; SameSite=Lax"), "{out}");

        env.now = 1010.0;
        let l = CookieSession::load(Some(cookie_of(&out)), &c, &mut env).unwrap();
        assert!(!l.is_new());
        assert_eq!(l.id(), s.id());
        assert_eq!(l.get("n"), Some(&Value::Int32(1)));
        assert_eq!(l.get("_creation_time"), Some(&Value::Double(1000.5)));
        assert_eq!(l.get("_accessed_time"), Some(&Value::Double(1010.0)));
        assert!(l.set_cookie().is_some());
        let keys: alloc::vec::Vec<_> = l.keys().collect();
        assert_eq!(
            keys,
            [
                "_domain",
                "_path",
                "_id",
                "n",
                "_creation_time",
                "_accessed_time"
            ]
        );
    }

    #[test]
    fn session_accessed_only_drops_unsaved_changes() {
        let c = config();
        let mut env = Fixed { now: 5.0, next: 0 };
        let mut s = CookieSession::load(None, &c, &mut env).unwrap();
        s.insert("kept", true);
        s.save(false, &c, &mut env).unwrap();
        let out = String::from(s.set_cookie().unwrap());
        let mut l = CookieSession::load(Some(cookie_of(&out)), &c, &mut env).unwrap();
        l.insert("lost", 1);
        l.persist(false, &c, &mut env).unwrap();
        let again =
            CookieSession::load(Some(cookie_of(l.set_cookie().unwrap())), &c, &mut env).unwrap();
        assert_eq!(again.get("kept"), Some(&Value::Bool(true)));
        assert_eq!(again.get("lost"), None);
    }

    #[test]
    fn session_corrupt_cookie_invalidates_or_errors() {
        let mut c = config();
        let mut env = Fixed { now: 5.0, next: 0 };
        let s = CookieSession::load(Some("beaker.session.id=garbage"), &c, &mut env).unwrap();
        assert!(!s.is_new());
        assert_eq!(s.loaded_format(), None);
        assert_eq!(s.id(), Some("02020202020242028202020202020202"));
        c.invalidate_corrupt = false;
        assert!(CookieSession::load(Some("beaker.session.id=garbage"), &c, &mut env).is_err());
    }

    #[test]
    fn session_timeout_clears() {
        let mut c = config();
        c.timeout = Some(10);
        let mut env = Fixed { now: 0.0, next: 0 };
        let mut s = CookieSession::load(None, &c, &mut env).unwrap();
        s.insert("user", "x");
        s.save(false, &c, &mut env).unwrap();
        let out = String::from(s.set_cookie().unwrap());
        env.now = 11.0;
        let l = CookieSession::load(Some(cookie_of(&out)), &c, &mut env).unwrap();
        assert_eq!(l.get("user"), None);
        assert_ne!(l.id(), s.id());
        let keys: alloc::vec::Vec<_> = l.keys().collect();
        assert_eq!(
            keys,
            [
                "_domain",
                "_path",
                "_creation_time",
                "_id",
                "_accessed_time"
            ]
        );
    }

    #[test]
    fn session_delete_expires_a_year_back() {
        let c = config();
        let mut env = Fixed {
            now: 86_400.0 * 365.0 + 0.25,
            next: 0,
        };
        let mut lazy = LazySession::new(None);
        lazy.get(&c, &mut env).unwrap();
        lazy.delete(&c, &mut env).unwrap();
        let out = lazy.finish(&c, &mut env).unwrap().unwrap();
        assert!(
            out.contains("; expires=Thu, 01-Jan-1970 00:00:00 GMT; Path=/"),
            "{out}"
        );
        assert!(out.starts_with("beaker.session.id=eyJ"), "{out}");
    }

    #[test]
    fn session_headers_are_joined() {
        let c = config();
        let mut env = Fixed { now: 0.0, next: 0 };
        let mut s = CookieSession::load(None, &c, &mut env).unwrap();
        s.save(false, &c, &mut env).unwrap();
        let out = String::from(s.set_cookie().unwrap());
        let l = CookieSession::load_headers(["a=1", cookie_of(&out), "b=2"], &c, &mut env).unwrap();
        assert_eq!(l.id(), s.id());
    }

    /// pymongo writes a top-level `_id` first; after a clear, `_creation_time` precedes the new
    /// `_id` in the dict but not in the cookie (found by tests/session_differential.rs).
    #[test]
    fn session_bson_writes_id_first_as_pymongo() {
        let c = config();
        let mut env = Fixed { now: 1.0, next: 0 };
        let mut s = CookieSession::load(None, &c, &mut env).unwrap();
        s.clear();
        s.save(false, &c, &mut env).unwrap();
        let keys: alloc::vec::Vec<_> = s.keys().collect();
        assert_eq!(
            keys,
            [
                "_domain",
                "_path",
                "_creation_time",
                "_id",
                "_accessed_time"
            ]
        );
        let value = cookie_of(s.set_cookie().unwrap())
            .split_once('=')
            .unwrap()
            .1;
        let decoded = cookie::decode_cookie(value, &c, 1.0).unwrap();
        let keys: alloc::vec::Vec<_> = decoded.session.keys().collect();
        assert_eq!(keys, ["_id", "_creation_time", "_accessed_time"]);
    }

    /// Beaker never removes a `Domain` it set on the request's morsel: a falsy `_domain` later
    /// in the same request keeps it (found by tests/session_differential.rs).
    #[test]
    fn session_domain_sticks_for_the_request() {
        let mut c = config();
        c.cookie_domain = Some(String::from("example.org"));
        let mut env = Fixed { now: 1.0, next: 0 };
        let mut s = CookieSession::load(None, &c, &mut env).unwrap();
        s.save(false, &c, &mut env).unwrap();
        assert!(s.set_cookie().unwrap().contains("; Domain=example.org;"));
        s.insert("_domain", "");
        s.save(false, &c, &mut env).unwrap();
        assert!(s.set_cookie().unwrap().contains("; Domain=example.org;"));
        let mut fresh = CookieSession::load(None, &c, &mut env).unwrap();
        fresh.insert("_domain", "");
        fresh.save(false, &c, &mut env).unwrap();
        assert!(!fresh.set_cookie().unwrap().contains("Domain"));
    }

    /// A delete that fails (no `_id`: Python's KeyError) leaves `cookie_expires` alone, so a
    /// later save is not dated a year back (found by tests/session_differential.rs).
    #[test]
    fn session_failed_delete_keeps_cookie_expires() {
        let c = config();
        let mut env = Fixed {
            now: 1.0e9,
            next: 0,
        };
        let mut s = CookieSession::load(None, &c, &mut env).unwrap();
        s.remove("_id");
        assert!(s.delete(&c, &mut env).is_err());
        s.save(false, &c, &mut env).unwrap();
        assert!(!s.set_cookie().unwrap().contains("expires"));
    }
}
