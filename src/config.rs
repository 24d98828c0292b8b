//! `Config`: Beaker's session options, by their own names, turned into validated settings.
//!
//! Follows beaker-session-jwt 1.0.4 `JWTCookieSession.__init__` and Beaker 1.14.1
//! `beaker/converters.py` (`asbool`, `aslist`) and `beaker/util.py` (`coerce_session_params`).

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use zeroize::Zeroizing;

use crate::error::{Error, Name, Result};
use crate::ini::{IniError, IniErrorKind};
use crate::limits::Limits;
use crate::unix_time::UnixTime;

/// Key material: zeroized on drop, never shown by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(Zeroizing<Vec<u8>>);

impl SecretKey {
    /// Wraps the bytes of a key (Beaker uses the UTF-8 bytes of the configured string).
    pub fn new(bytes: impl Into<Vec<u8>>) -> SecretKey {
        SecretKey(Zeroizing::new(bytes.into()))
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True for the empty key (which [`Config::validate`] refuses).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<&str> for SecretKey {
    fn from(s: &str) -> SecretKey {
        SecretKey::new(s.as_bytes())
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey(<{} bytes redacted>)", self.0.len())
    }
}

/// `original_format_data_serializer`: how a legacy cookie's payload is serialized.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Serializer {
    /// `pickle` (Beaker's default): protocol 2 pickles.
    #[default]
    Pickle,
    /// `json`: zlib-compressed JSON.
    Json,
}

/// `cookie_expires`: what Beaker puts in the `Expires` attribute.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum CookieExpires {
    /// `true` (the default): a browser-session cookie, no `Expires`.
    #[default]
    BrowserSession,
    /// `false`: never expires (Beaker writes the date of 0x7FFFFFFF seconds).
    Never,
    /// An integer number of seconds from now (Beaker's `int` or `timedelta`).
    After(u64),
    /// A fixed date (Beaker's `datetime`; Beaker writes it with its microseconds dropped).
    At(UnixTime),
}

/// How `timeout` treats `_accessed_time`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TimeMode {
    /// Python's semantics: a missing `_accessed_time` never expires; only
    /// `now - _accessed_time > timeout` expires. A non-number `_accessed_time` is
    /// [`Error::Malformed`] in [`Layer::Session`](crate::Layer::Session) (Python raises a
    /// `TypeError` there).
    #[default]
    Beaker,
    /// Also refuses ([`Error::Expired`]) a missing, non-finite or future `_accessed_time`, and
    /// a boolean one.
    Strict,
}

/// Validated settings for reading and writing cookies. Fields carry Beaker's option names.
///
/// Build it with [`Config::new`] (keys in code) or [`Config::from_options`] (the lines of a
/// Beaker `.ini`), change fields as needed, then [`Config::validate`] (every decode and encode
/// validates again).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Config {
    /// `key`: the cookie name. Default `beaker.session.id`.
    pub key: String,
    /// `jwt_secret_keys`: the first signs, every one verifies (rotation). Must not be empty.
    pub jwt_secret_keys: Vec<SecretKey>,
    /// `bson_compress_jwt_payload`: `{"bsZ": b85(zlib9(BSON(session)))}` claims when true
    /// (default), the session as JSON claims when false.
    pub bson_compress_jwt_payload: bool,
    /// `read_original_format`: accept legacy Beaker signed cookies too.
    pub read_original_format: bool,
    /// `write_original_format`: write legacy Beaker signed cookies.
    pub write_original_format: bool,
    /// `original_format_validate_key`: the legacy HMAC-SHA1 key; required when either legacy
    /// option is on.
    pub original_format_validate_key: Option<SecretKey>,
    /// `original_format_data_serializer`: `pickle` (default) or `json`.
    pub original_format_data_serializer: Serializer,
    /// `original_format_remove_keys`: session keys dropped from legacy cookies on read.
    pub original_format_remove_keys: Vec<String>,
    /// `timeout`: seconds since `_accessed_time` after which a session is expired.
    pub timeout: Option<u64>,
    /// How `timeout` treats `_accessed_time`. Default [`TimeMode::Beaker`].
    pub time_mode: TimeMode,
    /// Accept keys shorter than 14 bytes (112 bits). Python only warns; we refuse by default.
    pub allow_weak_keys: bool,
    /// `cookie_path`. Default `/`.
    pub cookie_path: String,
    /// `cookie_domain`.
    pub cookie_domain: Option<String>,
    /// `cookie_expires`.
    pub cookie_expires: CookieExpires,
    /// `secure`.
    pub secure: bool,
    /// `httponly`.
    pub httponly: bool,
    /// `samesite`. Default `Lax`; `None` omits the attribute.
    pub samesite: Option<String>,
    /// `invalidate_corrupt`: a cookie that does not verify or decode starts a fresh session
    /// ([`CookieSession::load`](crate::CookieSession::load)) instead of an error. Default
    /// `true`, as Beaker's `SessionMiddleware` sets it (a bare Python `CookieSession` defaults
    /// to `false`). The one-shot [`decode_cookie`](crate::decode_cookie) ignores it.
    pub invalidate_corrupt: bool,
    /// `save_accessed_time`: refresh `_accessed_time` in a cookie on every request that touches
    /// the session, even when it was not saved. Default `true`. `timeout` requires it.
    pub save_accessed_time: bool,
    /// `auto`: save every session a request touched, changed or not
    /// ([`CookieSession::persist`](crate::CookieSession::persist)). Default `false`.
    pub auto: bool,
    /// Bounds on decoding and encoding.
    pub limits: Limits,
}

/// The shortest key accepted unless `allow_weak_keys`: 112 bits (NIST SP 800-107's floor for
/// HMAC keys).
pub const MIN_KEY_LEN: usize = 14;

impl Config {
    /// A config with the given JWT keys (first signs) and Beaker's defaults for the rest.
    ///
    /// # Errors
    /// [`Error::Config`] as [`Config::validate`].
    pub fn new<K: Into<SecretKey>>(jwt_secret_keys: impl IntoIterator<Item = K>) -> Result<Config> {
        let config = Config {
            jwt_secret_keys: jwt_secret_keys.into_iter().map(Into::into).collect(),
            ..Config::unvalidated()
        };
        config.validate()?;
        Ok(config)
    }

    fn unvalidated() -> Config {
        Config {
            key: String::from("beaker.session.id"),
            jwt_secret_keys: Vec::new(),
            bson_compress_jwt_payload: true,
            read_original_format: false,
            write_original_format: false,
            original_format_validate_key: None,
            original_format_data_serializer: Serializer::Pickle,
            original_format_remove_keys: Vec::new(),
            timeout: None,
            time_mode: TimeMode::Beaker,
            allow_weak_keys: false,
            cookie_path: String::from("/"),
            cookie_domain: None,
            cookie_expires: CookieExpires::BrowserSession,
            secure: false,
            httponly: false,
            samesite: Some(String::from("Lax")),
            invalidate_corrupt: true,
            save_accessed_time: true,
            auto: false,
            limits: Limits::DEFAULT,
        }
    }

    /// Builds a config from option pairs exactly as a Beaker `.ini` holds them, then
    /// [validates](Config::validate) it. Values are parsed as Beaker does: booleans with
    /// `asbool` (`true/yes/on/y/t/1`, `false/no/off/n/f/0`, case-insensitive, trimmed), lists
    /// split on `,` and trimmed. The extra options `allow_weak_keys` and `time_mode`
    /// (`beaker`|`strict`) are ours.
    ///
    /// Which pairs are read is [`Config::option_name`]'s rule, so a whole `[app:main]` section
    /// can be passed:
    ///
    /// | name | read as |
    /// |------|---------|
    /// | `session.NAME`, `beaker.session.NAME` | option `NAME`; an unknown `NAME` is [`Error::UnknownOption`] |
    /// | `NAME` (no prefix), a known option | option `NAME` (`jwt_secret_keys = ...` works too) |
    /// | anything else (`use`, `debug`, `sqlalchemy.url`, `other.thing`) | ignored: not a session option |
    ///
    /// Beaker options this crate accepts and ignores (they choose a server-side store, its
    /// locking or encryption, or the WSGI glue, none of which a cookie session has):
    /// [`IGNORED_BEAKER_OPTIONS`](Config::IGNORED_BEAKER_OPTIONS), and `sa.*` (Beaker's
    /// SQLAlchemy store settings).
    ///
    /// ```
    /// use beaker_session_jwt::{Config, Error};
    ///
    /// let config = Config::from_options([
    ///     ("use", "egg:myapp"),                       // not a session option: ignored
    ///     ("session.type", "cookie"),                 // Beaker's, accepted and ignored
    ///     ("session.jwt_secret_keys", "a-key-of-at-least-14-bytes"),
    ///     ("beaker.session.timeout", "3600"),
    ///     ("httponly", "true"),                       // unprefixed known option
    /// ])?;
    /// assert_eq!(config.timeout, Some(3600));
    /// assert!(config.httponly);
    ///
    /// let typo = Config::from_options([
    ///     ("session.jwt_secret_keys", "a-key-of-at-least-14-bytes"),
    ///     ("session.timout", "3600"),
    /// ]);
    /// assert_eq!(typo.unwrap_err().to_string(),
    ///            r#"config: unknown option "timout" (did you mean "timeout"?)"#);
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::UnknownOption`] for an unknown prefixed option, [`Error::Config`] for a value
    /// Beaker would refuse and as [`Config::validate`].
    ///
    /// # Limits
    /// One pass over the pairs; each value is parsed once.
    pub fn from_options<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Config> {
        let mut c = Config::unvalidated();
        for (name, value) in pairs {
            if let Some(opt) = Config::option_name(name) {
                c.set_option(opt, value)?;
            }
        }
        c.validate()?;
        Ok(c)
    }

    /// The session option an `.ini` name stands for, by [`Config::from_options`]'s rule: the
    /// name without its `beaker.session.` or `session.` prefix (known or not: an unknown one is
    /// refused by [`Config::set_option`]), an unprefixed name when it is an option this crate
    /// sets, and `None` (not a session option) for anything else.
    ///
    /// ```
    /// use beaker_session_jwt::Config;
    /// assert_eq!(Config::option_name("beaker.session.timout"), Some("timout"));
    /// assert_eq!(Config::option_name(" jwt_secret_keys"), Some("jwt_secret_keys"));
    /// assert_eq!(Config::option_name("sqlalchemy.url"), None);
    /// assert_eq!(Config::option_name("debug"), None);
    /// ```
    pub fn option_name(name: &str) -> Option<&str> {
        let name = name.trim();
        match name
            .strip_prefix("beaker.session.")
            .or_else(|| name.strip_prefix("session."))
        {
            Some(opt) => Some(opt),
            None => Config::OPTIONS.contains(&name).then_some(name),
        }
    }

    /// Every option [`Config::set_option`] sets (without prefix).
    pub const OPTIONS: [&'static str; 20] = [
        "key",
        "jwt_secret_keys",
        "bson_compress_jwt_payload",
        "read_original_format",
        "write_original_format",
        "original_format_validate_key",
        "original_format_data_serializer",
        "original_format_remove_keys",
        "timeout",
        "time_mode",
        "allow_weak_keys",
        "cookie_path",
        "cookie_domain",
        "cookie_expires",
        "invalidate_corrupt",
        "save_accessed_time",
        "auto",
        "secure",
        "httponly",
        "samesite",
    ];

    /// Beaker options (`beaker/util.py` `coerce_session_params`, `beaker/session.py`,
    /// `beaker/middleware.py`, the `beaker/ext` stores) that [`Config::set_option`] accepts and
    /// ignores: a cookie session has no use for them.
    ///
    /// | option | what it does in Beaker |
    /// |--------|------------------------|
    /// | `type` | the session store (`cookie`, `file`, `ext:database`, ...) |
    /// | `data_dir`, `lock_dir`, `url`, `table_name`, `schema_name`, `bind`, `memcache_module` | where a server-side store keeps sessions |
    /// | `namespace_class`, `regions`, `expire`, `enabled`, `log_file` | store and cache machinery |
    /// | `id`, `use_cookies`, `webtest_varname` | the session id given in code, cookie-less sessions, WebTest glue |
    /// | `secret`, `validate_key` | the unsigned/`SignedCookie` secrets of Beaker's own cookie stores (the legacy key here is `original_format_validate_key`) |
    /// | `encrypt_key`, `encrypt_nonce_bits`, `crypto_type` | Beaker's encrypted cookies (not written by beaker-session-jwt) |
    /// | `data_serializer` | Beaker's own serializer (here `original_format_data_serializer`) |
    /// | `key_length` | Beaker's generated id length |
    pub const IGNORED_BEAKER_OPTIONS: [&'static str; 23] = [
        "type",
        "data_dir",
        "lock_dir",
        "url",
        "table_name",
        "schema_name",
        "bind",
        "memcache_module",
        "namespace_class",
        "regions",
        "expire",
        "enabled",
        "log_file",
        "id",
        "use_cookies",
        "webtest_varname",
        "secret",
        "validate_key",
        "encrypt_key",
        "encrypt_nonce_bits",
        "crypto_type",
        "data_serializer",
        "key_length",
    ];

    /// Reads the `[section]` of a PasteDeploy `.ini` text ([`ini`](crate::ini) says how:
    /// `[DEFAULT]`, `%(name)s` interpolation, continuation lines) and builds the config from
    /// its options as [`Config::from_options`] does. `%(here)s` and `%(__file__)s` are not set
    /// (the text has no file): use [`Config::from_ini_file`] for them, or put `here` in
    /// `[DEFAULT]`.
    ///
    /// ```
    /// use beaker_session_jwt::Config;
    ///
    /// let text = "\
    /// [DEFAULT]
    /// key_base = a-key-of-at-least-14-bytes
    ///
    /// [app:main]
    /// use = egg:myapp
    /// session.jwt_secret_keys = %(key_base)s-new,
    ///     %(key_base)s-old
    /// session.timeout = 600
    /// ";
    /// let config = Config::from_ini(text, "app:main")?;
    /// assert_eq!(config.jwt_secret_keys.len(), 2);
    /// assert_eq!(config.timeout, Some(600));
    ///
    /// let missing = Config::from_ini(text, "app:other").unwrap_err();
    /// assert_eq!(missing.to_string(), "no [app:other] section (found: [app:main])");
    /// # Ok::<(), beaker_session_jwt::ini::IniError>(())
    /// ```
    ///
    /// # Errors
    /// [`IniError`](crate::ini::IniError): a syntax error (with its line), a missing section
    /// (listing those found), a value that cannot be interpolated, or
    /// [`IniErrorKind::Config`](crate::ini::IniErrorKind::Config) with the option at fault
    /// for what [`Config::from_options`] refuses.
    ///
    /// # Limits
    /// Bounded by the text (see [`ini::app_settings`](crate::ini::app_settings)).
    pub fn from_ini(text: &str, section: &str) -> core::result::Result<Config, IniError> {
        Config::from_pairs(&crate::ini::app_settings(text, section, &[])?, section)
    }

    /// [`Config::from_options`] on a section's settings, errors naming the option.
    fn from_pairs(
        pairs: &[(String, String)],
        section: &str,
    ) -> core::result::Result<Config, IniError> {
        let mut c = Config::unvalidated();
        for (name, value) in pairs {
            if let Some(opt) = Config::option_name(name) {
                c.set_option(opt, value)
                    .map_err(|e| IniError::refused(section, name, value, e))?;
            }
        }
        c.validate()
            .map_err(|e| IniError::in_section(section, None, IniErrorKind::Config(e)))?;
        Ok(c)
    }

    /// [`Config::from_ini`] on the file at `path`, with `%(here)s` (the file's folder) and
    /// `%(__file__)s` (its path) set as PasteDeploy sets them.
    ///
    /// ```no_run
    /// let config = beaker_session_jwt::Config::from_ini_file("production.ini", "app:main")?;
    /// # Ok::<(), beaker_session_jwt::ini::IniError>(())
    /// ```
    ///
    /// # Errors
    /// As [`Config::from_ini`], and [`IniErrorKind::Read`](crate::ini::IniErrorKind::Read)
    /// (with the path) when the file cannot be read.
    ///
    /// # Limits
    /// As [`Config::from_ini`]; the whole file is read into memory.
    #[cfg(feature = "std")]
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn from_ini_file(
        path: impl AsRef<std::path::Path>,
        section: &str,
    ) -> core::result::Result<Config, IniError> {
        let path = path.as_ref();
        let pairs = crate::ini::file_settings(path, section)?;
        Config::from_pairs(&pairs, section)
            .map_err(|e| e.with_file(std::string::ToString::to_string(&path.display())))
    }

    /// The environment variables [`Config::from_env`] reads, with the option each one sets:
    /// those of the `beaker-cookie` CLI, which keep secrets out of `ps` and shell history.
    pub const ENV_VARS: [(&'static str, &'static str); 2] = [
        ("BEAKER_JWT_SECRET_KEYS", "jwt_secret_keys"),
        (
            "BEAKER_ORIGINAL_FORMAT_VALIDATE_KEY",
            "original_format_validate_key",
        ),
    ];

    /// A config from the environment: `BEAKER_JWT_SECRET_KEYS` (comma-separated, first signs)
    /// and `BEAKER_ORIGINAL_FORMAT_VALIDATE_KEY` (see [`Config::ENV_VARS`]), parsed as the same
    /// options in an `.ini` are; Beaker's defaults for the rest.
    ///
    /// ```
    /// # std::env::set_var("BEAKER_JWT_SECRET_KEYS", "a-key-of-at-least-14-bytes,an-older-key-0123");
    /// let config = beaker_session_jwt::Config::from_env()?;
    /// assert_eq!(config.jwt_secret_keys.len(), 2);
    /// # Ok::<(), beaker_session_jwt::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Config`] when a variable is not valid UTF-8, and as [`Config::validate`] (no
    /// `BEAKER_JWT_SECRET_KEYS` is "no jwt_secret_keys specified").
    ///
    /// # Limits
    /// Reads two variables.
    #[cfg(feature = "std")]
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn from_env() -> Result<Config> {
        let mut c = Config::unvalidated();
        for (var, option) in Config::ENV_VARS {
            match std::env::var(var) {
                Ok(value) => c.set_option(option, &value)?,
                Err(std::env::VarError::NotPresent) => {}
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(Error::Config("a BEAKER_* variable is not valid UTF-8"))
                }
            }
        }
        c.validate()?;
        Ok(c)
    }

    /// Sets one option by its Beaker name (without prefix) from its `.ini` text: one of
    /// [`Config::OPTIONS`], or one of [`Config::IGNORED_BEAKER_OPTIONS`] (or `sa.*`), accepted
    /// and ignored.
    ///
    /// # Errors
    /// [`Error::UnknownOption`] for any other name (with the nearest known option when one is
    /// close); [`Error::Config`] when the value cannot be parsed as Beaker would.
    pub fn set_option(&mut self, name: &str, value: &str) -> Result<()> {
        match name {
            "key" => self.key = non_empty(value, "key must not be empty")?,
            "jwt_secret_keys" => {
                self.jwt_secret_keys = aslist(value).map(SecretKey::from).collect()
            }
            "bson_compress_jwt_payload" => self.bson_compress_jwt_payload = asbool(value)?,
            "read_original_format" => self.read_original_format = asbool(value)?,
            "write_original_format" => self.write_original_format = asbool(value)?,
            "original_format_validate_key" => {
                self.original_format_validate_key = Some(SecretKey::from(value))
            }
            "original_format_data_serializer" => {
                self.original_format_data_serializer = match value.trim() {
                    "pickle" => Serializer::Pickle,
                    "json" => Serializer::Json,
                    _ => {
                        return Err(Error::Config(
                            "original_format_data_serializer must be pickle or json",
                        ))
                    }
                }
            }
            "original_format_remove_keys" => {
                self.original_format_remove_keys = aslist(value).map(ToString::to_string).collect()
            }
            "timeout" => {
                self.timeout = Some(
                    value
                        .trim()
                        .parse::<u64>()
                        .map_err(|_| Error::Config("timeout must be a whole number of seconds"))?,
                )
            }
            "time_mode" => {
                self.time_mode = match value.trim() {
                    "beaker" => TimeMode::Beaker,
                    "strict" => TimeMode::Strict,
                    _ => return Err(Error::Config("time_mode must be beaker or strict")),
                }
            }
            "allow_weak_keys" => self.allow_weak_keys = asbool(value)?,
            "cookie_path" => self.cookie_path = non_empty(value, "cookie_path must not be empty")?,
            "cookie_domain" => {
                self.cookie_domain = Some(non_empty(value, "cookie_domain must not be empty")?)
            }
            "cookie_expires" => {
                self.cookie_expires = match asbool(value) {
                    Ok(true) => CookieExpires::BrowserSession,
                    Ok(false) => CookieExpires::Never,
                    Err(_) => CookieExpires::After(value.trim().parse::<u64>().map_err(|_| {
                        Error::Config("cookie_expires must be a boolean or a number of seconds")
                    })?),
                }
            }
            "invalidate_corrupt" => self.invalidate_corrupt = asbool(value)?,
            "save_accessed_time" => self.save_accessed_time = asbool(value)?,
            "auto" => self.auto = asbool(value)?,
            "secure" => self.secure = asbool(value)?,
            "httponly" => self.httponly = asbool(value)?,
            "samesite" => {
                let v = value.trim();
                self.samesite = if v.is_empty() {
                    None
                } else {
                    Some(String::from(v))
                }
            }
            ignored
                if Config::IGNORED_BEAKER_OPTIONS.contains(&ignored)
                    || ignored.starts_with("sa.") => {}
            unknown => {
                return Err(Error::UnknownOption {
                    name: Name::new(unknown),
                    suggestion: nearest_option(unknown),
                })
            }
        }
        Ok(())
    }

    /// Checks what Python checks at construction, and more.
    ///
    /// # Errors
    /// [`Error::Config`] when: there is no JWT key; a key is empty; a key is shorter than
    /// [`MIN_KEY_LEN`] bytes and `allow_weak_keys` is off; a legacy option is on without
    /// `original_format_validate_key`; the cookie name is empty or holds characters a cookie
    /// name cannot; a cookie attribute could break the `Set-Cookie` header; a limit is zero.
    pub fn validate(&self) -> Result<()> {
        if self.jwt_secret_keys.is_empty() {
            return Err(Error::Config("no jwt_secret_keys specified"));
        }
        for key in &self.jwt_secret_keys {
            check_key(key, self.allow_weak_keys)?;
        }
        if (self.read_original_format || self.write_original_format) && !cfg!(feature = "legacy") {
            return Err(Error::Config(
                "read_original_format and write_original_format need the crate's `legacy` feature",
            ));
        }
        if self.read_original_format || self.write_original_format {
            match &self.original_format_validate_key {
                None => return Err(Error::Config("no original_format_validate_key specified")),
                Some(key) => check_key(key, self.allow_weak_keys)?,
            }
        }
        // Beaker: "timeout requires save_accessed_time" (`timeout and not save_accessed_time`).
        if self.timeout.is_some_and(|t| t != 0) && !self.save_accessed_time {
            return Err(Error::Config("timeout requires save_accessed_time"));
        }
        if self.key.is_empty()
            || !self
                .key
                .bytes()
                .all(|b| b.is_ascii_graphic() && !matches!(b, b';' | b'=' | b',' | b'"'))
        {
            return Err(Error::Config(
                "key (the cookie name) is not a valid cookie name",
            ));
        }
        let attrs = [
            Some(&self.cookie_path),
            self.cookie_domain.as_ref(),
            self.samesite.as_ref(),
        ];
        if attrs
            .into_iter()
            .flatten()
            .any(|a| !a.bytes().all(|b| (b' '..=b'~').contains(&b) && b != b';'))
        {
            return Err(Error::Config(
                "cookie_path, cookie_domain and samesite must be printable ASCII without ';'",
            ));
        }
        let l = &self.limits;
        if [
            l.max_cookie_len,
            l.max_write_len,
            l.max_inflated_len,
            l.max_depth,
            l.max_items,
            l.max_str_len,
            l.max_memo,
            l.max_session_bytes,
        ]
        .contains(&0)
        {
            return Err(Error::Config("every limit must be at least 1"));
        }
        Ok(())
    }
}

/// A [`Config`] that passed [`Config::validate`]. Every reader and writer of a cookie takes
/// one, so a config is validated once, where a public entry point receives it, and never
/// again on the way down (a legacy read inside a JWT decode, a throwaway config built by
/// [`inspect_cookie`](crate::inspect_cookie)).
#[derive(Clone, Copy)]
pub(crate) struct Valid<'c>(&'c Config);

impl<'c> Valid<'c> {
    /// `config`, once it validates.
    ///
    /// # Errors
    /// [`Error::Config`] as [`Config::validate`].
    pub(crate) fn new(config: &'c Config) -> Result<Valid<'c>> {
        config.validate()?;
        Ok(Valid(config))
    }

    /// The validated config.
    pub(crate) fn get(self) -> &'c Config {
        self.0
    }
}

impl core::ops::Deref for Valid<'_> {
    type Target = Config;

    fn deref(&self) -> &Config {
        self.0
    }
}

fn check_key(key: &SecretKey, allow_weak: bool) -> Result<()> {
    if key.is_empty() {
        return Err(Error::Config("empty key"));
    }
    if key.len() < MIN_KEY_LEN && !allow_weak {
        return Err(Error::Config(
            "key shorter than 14 bytes (set allow_weak_keys to accept it, as Python does)",
        ));
    }
    Ok(())
}

/// The known option ([`Config::OPTIONS`] or [`Config::IGNORED_BEAKER_OPTIONS`]) nearest to
/// `name` by edit distance (ASCII case ignored), when it is close enough to be a typo: at most
/// 3 edits and at most a third of the option's length (so `ab` suggests nothing).
fn nearest_option(name: &str) -> Option<&'static str> {
    Config::OPTIONS
        .iter()
        .chain(&Config::IGNORED_BEAKER_OPTIONS)
        .filter_map(|&known| {
            let d = edit_distance(name, known)?;
            (d <= 3 && d.saturating_mul(3) <= known.len().max(3)).then_some((d, known))
        })
        .min_by_key(|&(d, _)| d)
        .map(|(_, known)| known)
}

/// Levenshtein distance over ASCII-lowercased bytes, in one fixed row (no allocation); `None`
/// when either side is longer than the row (no option is).
fn edit_distance(a: &str, b: &str) -> Option<usize> {
    const MAX: usize = 64;
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() > MAX || b.len() > MAX {
        return None;
    }
    let mut row = [0usize; MAX + 1];
    for (j, cell) in row.iter_mut().enumerate() {
        *cell = j;
    }
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = i;
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(!ca.eq_ignore_ascii_case(cb));
            #[allow(clippy::indexing_slicing)] // j + 1 <= b.len() <= MAX, the row has MAX + 1
            let (left, up) = (row[j], row[j + 1]);
            diagonal = up;
            #[allow(clippy::indexing_slicing)] // as above
            {
                row[j + 1] = substitute.min(left + 1).min(up + 1);
            }
        }
    }
    row.get(b.len()).copied()
}

fn non_empty(value: &str, what: &'static str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::Config(what));
    }
    Ok(String::from(v))
}

/// Beaker's `asbool` (`beaker/converters.py`).
pub(crate) fn asbool(value: &str) -> Result<bool> {
    let v = value.trim();
    const TRUE: [&str; 6] = ["true", "yes", "on", "y", "t", "1"];
    const FALSE: [&str; 6] = ["false", "no", "off", "n", "f", "0"];
    if TRUE.iter().any(|t| v.eq_ignore_ascii_case(t)) {
        Ok(true)
    } else if FALSE.iter().any(|f| v.eq_ignore_ascii_case(f)) {
        Ok(false)
    } else {
        Err(Error::Config(
            "string is not true/false (true/false, yes/no, on/off, y/n, t/f, 1/0)",
        ))
    }
}

/// Beaker's `aslist(value, sep=',')`: split on commas, strip each piece. Empty pieces are
/// kept (so `validate` can refuse an empty key, as joserfc does).
fn aslist(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    const K1: &str = "0123456789abcdef-one";
    const K2: &str = "0123456789abcdef-two";

    #[test]
    fn config_from_ini_pairs() {
        let c = Config::from_options([
            ("session.type", "cookie"),
            (
                "beaker.session.jwt_secret_keys",
                " 0123456789abcdef-one , 0123456789abcdef-two ",
            ),
            ("session.bson_compress_jwt_payload", " Off "),
            ("session.timeout", "600"),
            ("other.thing", "ignored"),
        ])
        .unwrap();
        assert_eq!(
            c.jwt_secret_keys,
            [SecretKey::from(K1), SecretKey::from(K2)]
        );
        assert!(!c.bson_compress_jwt_payload);
        assert_eq!(c.timeout, Some(600));
    }

    #[test]
    fn config_refuses_missing_empty_and_weak_keys() {
        assert_eq!(
            Config::new(Vec::<&str>::new()).unwrap_err(),
            Error::Config("no jwt_secret_keys specified")
        );
        assert!(matches!(Config::new([K1, ""]), Err(Error::Config(_))));
        assert!(Config::from_options([("session.jwt_secret_keys", "a,,b")]).is_err());
        assert!(matches!(Config::new(["short"]), Err(Error::Config(_))));
        let mut c = Config::new([K1]).unwrap();
        c.jwt_secret_keys.push(SecretKey::from("short"));
        c.allow_weak_keys = true;
        assert!(c.validate().is_ok());
    }

    #[test]
    #[cfg(not(feature = "legacy"))]
    fn config_jwt_only_build_refuses_legacy_options() {
        for option in [
            "session.read_original_format",
            "session.write_original_format",
        ] {
            let err = Config::from_options([
                ("session.jwt_secret_keys", K1),
                (option, "true"),
                ("session.original_format_validate_key", K2),
            ]);
            assert_eq!(
                err.unwrap_err(),
                Error::Config(
                    "read_original_format and write_original_format need the crate's `legacy` feature"
                )
            );
        }
        assert!(Config::from_options([("session.jwt_secret_keys", K1)]).is_ok());
    }

    #[test]
    #[cfg(feature = "legacy")]
    fn config_legacy_needs_validate_key() {
        let err = Config::from_options([
            ("session.jwt_secret_keys", K1),
            ("session.read_original_format", "true"),
        ]);
        assert_eq!(
            err.unwrap_err(),
            Error::Config("no original_format_validate_key specified")
        );
    }

    #[test]
    fn config_asbool_matches_beaker() {
        for t in ["true", "YES", " on ", "y", "T", "1"] {
            assert_eq!(asbool(t), Ok(true));
        }
        for f in ["false", "No", "off", "n", "F", "0"] {
            assert_eq!(asbool(f), Ok(false));
        }
        assert!(asbool("maybe").is_err());
        assert!(asbool("").is_err());
    }

    #[test]
    fn config_debug_redacts_keys() {
        let c = Config::new([K1]).unwrap();
        let shown = alloc::format!("{c:?}");
        assert!(!shown.contains("abcdef"), "{shown}");
    }
}
