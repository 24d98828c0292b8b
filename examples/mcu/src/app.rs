//! The firmware's work, shared with the host heap report: verify a cookie the Python package
//! wrote (tests/data/jwt_bson/beaker_typical.cookie, with the vectors' keys) and read one key.

use beaker_session_jwt::{decode_cookie, Config, Error, Value};

/// Heap the firmware gives the allocator; the host report checks the work fits in it.
pub const HEAP_SIZE: usize = 16 * 1024;

/// The cookie, as beaker-session-jwt 1.0.4 wrote it (see tests/data/make_vectors.py).
pub const COOKIE: &str = include_str!("../../../tests/data/jwt_bson/beaker_typical.cookie");
/// The keys of tests/data/jwt_bson/options.ini (first signs, both verify).
pub const KEYS: [&str; 2] = ["vectors-key-one-0123456789", "vectors-key-two-0123456789"];
/// A clock after the cookie's `_accessed_time` (no timeout is configured anyway).
pub const NOW_UNIX_SECS: u64 = 1_700_000_100;

/// Verifies `cookie` under `keys` and returns its `user_id` (1234 for [`COOKIE`]).
///
/// # Errors
/// Whatever `decode_cookie` refuses (`BadSignature` for a forged cookie); `Error::Config`
/// when the session has no integer `user_id`.
pub fn user_id(cookie: &str, keys: &[&str], now: u64) -> Result<i64, Error> {
    let config = Config::new(keys.iter().copied())?;
    let decoded = decode_cookie(cookie, &config, now)?;
    match decoded.session.get("user_id") {
        Some(Value::Int32(n)) => Ok(i64::from(*n)),
        Some(Value::Int64(n)) => Ok(*n),
        _ => Err(Error::Config("no integer user_id in the session")),
    }
}
