//! `Cookie:` header parsing and `Set-Cookie` rendering, as beaker-session-jwt and Beaker do.

use alloc::string::String;

use crate::config::Config;

/// Picks our cookie's value out of a `Cookie:` header.
pub fn cookie_from_header<'h>(header: &'h str, config: &Config) -> Option<&'h str> {
    let _ = (header, config);
    None
}

/// Renders a `Set-Cookie` header value.
pub fn set_cookie_value(value: &str, config: &Config, now_unix_secs: u64) -> String {
    let _ = (value, config, now_unix_secs);
    String::new()
}
