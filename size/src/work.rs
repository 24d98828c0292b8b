//! The measured work, shared by the wasm cdylib and the thumb binary: build a `Config` from
//! option lines chosen at run time (so no reader or option is constant-folded away: a full build
//! keeps its legacy readers reachable), decode a cookie, read one key, and with feature `encode`
//! write the touched session back.

use beaker_session_jwt::{decode_cookie, Config, Value};

/// `options`: `name = value` lines as in a Beaker `.ini`. Returns a number that depends on
/// everything computed, 0 on any error: with `encode` the length of the cookie written, else
/// the session's length plus its `visits`.
pub fn run(options: &str, cookie: &str, now: f64) -> u32 {
    let pairs = options.lines().filter_map(|l| l.split_once('='));
    let Ok(config) = Config::from_options(pairs.map(|(k, v)| (k.trim(), v.trim()))) else {
        return 0;
    };
    let Ok(decoded) = decode_cookie(cookie, &config, now) else {
        return 0;
    };
    let visits = match decoded.session.get("visits") {
        Some(Value::Int32(n)) => i64::from(*n),
        Some(Value::Int64(n)) => *n,
        _ => 0,
    };
    #[cfg(feature = "encode")]
    {
        let mut session = decoded.session;
        session.insert("visits", Value::Int64(visits.saturating_add(1)));
        session.insert("_accessed_time", Value::Double(now));
        match beaker_session_jwt::encode_cookie(&session, &config) {
            Ok(cookie) => cookie.len() as u32,
            Err(_) => 0,
        }
    }
    #[cfg(not(feature = "encode"))]
    {
        (decoded.session.len() as u32).wrapping_add(visits as u32)
    }
}
