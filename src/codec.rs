//! `Codec`: decode and encode cookies with the decompressor, the compressor and the scratch
//! buffers kept across calls, owned by the caller (no globals, no thread-locals: works the
//! same without `std`).
//!
//! Same steps as [`decode_cookie`](crate::decode_cookie) and
//! [`encode_cookie`](crate::encode_cookie), which run through the very same functions with a
//! fresh, empty state.

use alloc::string::String;
use core::fmt;

use crate::bson;
use crate::config::Config;
use crate::cookie::{self, Decoded, Opened, Scratch};
use crate::error::Result;
use crate::unix_time::UnixTime;
use crate::value::Session;
use crate::view::SessionView;

/// Reusable state for decoding and encoding cookies.
///
/// A fresh `Codec` allocates nothing; each step allocates what it needs the first time and keeps
/// it. Keep one per worker (it is `Send`; calls take `&mut self`) and the steady state is:
/// decoding a JWT allocates only the returned session (none of the payload, base85 or inflate
/// buffers, nor the ~9 KB decoder tables), and encoding allocates only the returned cookie
/// string (not the ~130 KB level-9 encoder tables, which [`encode_cookie`](crate::encode_cookie)
/// allocates and zeroes on every call).
///
/// ```
/// use beaker_session_jwt::{Codec, Config, Session};
/// let config = Config::new(["a-secret-key-of-some-length"])?;
/// let mut codec = Codec::new();
/// let mut session = Session::new();
/// session.insert("user_id", 42);
/// let cookie = codec.encode_cookie(&session, &config)?;
/// assert_eq!(codec.decode_cookie(&cookie, &config, 0.0)?.session, session);
/// // A few keys without building the whole session:
/// let view = codec.decode_view(&cookie, &config, 0.0)?;
/// assert_eq!(view.get("user_id").and_then(|v| v.as_i64()), Some(42));
/// # Ok::<(), beaker_session_jwt::Error>(())
/// ```
///
/// Buffers hold the last cookie's decoded bytes until the next call overwrites them (they are
/// session data, never key material). Each call clears what it reuses first, so nothing of one
/// call can leak into the result of the next, and an error leaves no partial output.
#[derive(Default)]
pub struct Codec {
    scratch: Scratch,
}

impl Codec {
    /// A codec with nothing allocated yet.
    pub const fn new() -> Codec {
        Codec {
            scratch: Scratch::new(),
        }
    }

    /// As [`decode_cookie`](crate::decode_cookie), reusing this codec's state.
    ///
    /// # Errors
    /// As [`decode_cookie`](crate::decode_cookie).
    ///
    /// # Limits
    /// As [`decode_cookie`](crate::decode_cookie). The codec keeps its buffers: after a cookie
    /// of `n` bytes they hold about `n` bytes plus the inflated size (at most
    /// `max_inflated_len`), the decoder tables (about 9 KB), and the stacks the
    /// session was built on (empty; their capacity is kept up to about 50 KB for BSON, 50 KB
    /// for JSON, and 130 KB for a legacy pickle, its pool of container vectors included).
    pub fn decode_cookie(
        &mut self,
        value: &str,
        config: &Config,
        now: impl Into<UnixTime>,
    ) -> Result<Decoded> {
        cookie::decode_in(&mut self.scratch, value, config, now.into().as_secs_f64())
    }

    /// As [`encode_cookie`](crate::encode_cookie), reusing this codec's state.
    ///
    /// # Errors
    /// As [`encode_cookie`](crate::encode_cookie).
    ///
    /// # Limits
    /// As [`encode_cookie`](crate::encode_cookie). The codec keeps the level-9 compressor state
    /// (a few hundred KB) and buffers about the size of the written BSON.
    pub fn encode_cookie(&mut self, session: &Session, config: &Config) -> Result<String> {
        cookie::encode_in(&mut self.scratch, session, config)
    }

    /// Verifies and decodes a cookie like [`Codec::decode_cookie`], but returns a view that
    /// reads the session in place, for callers that need a few keys: for a `bsZ` cookie, the
    /// inflated BSON is validated in full (every check and bound of
    /// [`bson::read`](crate::bson::read)) and then borrowed; no key or string is copied until
    /// asked for. Other formats are decoded in full and viewed as they are.
    ///
    /// The view borrows this codec until it is dropped. [`SessionView::to_session`] gives
    /// exactly what [`Codec::decode_cookie`] returns.
    ///
    /// # Errors
    /// As [`decode_cookie`](crate::decode_cookie), the same error for the same cookie.
    ///
    /// # Limits
    /// As [`Codec::decode_cookie`]. The view allocates nothing for a `bsZ` cookie whose claims
    /// are only `bsZ` (what Python and we write).
    pub fn decode_view(
        &mut self,
        value: &str,
        config: &Config,
        now: impl Into<UnixTime>,
    ) -> Result<SessionView<'_>> {
        let now_unix_secs = now.into().as_secs_f64();
        let (value, config) = cookie::admit(value, config)?;
        let view = match cookie::open(&mut self.scratch, value, config)? {
            Opened::Jwt {
                claims,
                bson,
                format,
                key_index,
            } => {
                let fields = if bson {
                    Some(bson::view(&self.scratch.inflated, &config.limits)?)
                } else {
                    None
                };
                SessionView::new(fields, claims, format, key_index)
            }
            Opened::Legacy { session, format } => SessionView::new(None, session, format, 0),
        };
        if let Some(timeout) = config.timeout {
            view.check_timeout(timeout, now_unix_secs, config.time_mode)?;
        }
        Ok(view)
    }
}

impl fmt::Debug for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The buffers hold session data: not shown.
        f.debug_struct("Codec").finish_non_exhaustive()
    }
}
