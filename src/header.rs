//! `Cookie:` header parsing and `Set-Cookie` rendering, as beaker-session-jwt 1.0.4
//! (`JWTCookieSession.__init__`) and Beaker 1.14.1 (`_create_cookie`, Python's
//! `http.cookies.Morsel.OutputString`) do.

use alloc::string::String;
use core::fmt::Write;

use crate::config::{Config, CookieExpires};

/// Picks the value of our cookie (`config.key`) out of a `Cookie:` header, as beaker-session-jwt
/// does: split on `;`, strip each piece (Python's `str.strip`, Unicode-aware), skip pieces
/// without `=`, split on the first `=`, strip surrounding `"` from the value (all of them, even
/// unbalanced). When the name repeats, the last one wins. A malformed neighbour cookie never
/// spoils ours. An empty value is returned as `Some("")` (decoding it is an error, as in
/// Python).
///
/// # Limits
/// One pass over `header`; no allocation.
pub fn cookie_from_header<'h>(header: &'h str, config: &Config) -> Option<&'h str> {
    let mut found = None;
    for piece in header.split(';') {
        // Python: `k, v = cook.strip().split('=', 1)`; the `'=' in cook` test comes first.
        let Some((name, value)) = py_strip(piece).split_once('=') else {
            continue;
        };
        if name == config.key {
            found = Some(value.trim_matches('"'));
        }
    }
    found
}

/// Python's `str.strip()`: Unicode whitespace plus the separators U+001C..U+001F, which
/// `str.isspace` counts and `char::is_whitespace` does not.
fn py_strip(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// Renders the `Set-Cookie` header value for a cookie `value`, with Beaker's attributes from
/// `config`, in the order Python's `Morsel.OutputString` writes them (sorted by attribute
/// name): `Domain`, `expires`, `HttpOnly`, `Path`, `SameSite`, `Secure`.
///
/// `now_unix_secs` is used only for `CookieExpires::After`. Dates are written in UTC
/// (`Wdy, DD-Mon-YYYY HH:MM:SS GMT`); for `CookieExpires::Never` Beaker formats 0x7FFFFFFF in
/// the server's local time zone — we always use UTC.
///
/// # Limits
/// Output length is the value's plus a bounded amount per attribute.
pub fn set_cookie_value(value: &str, config: &Config, now_unix_secs: u64) -> String {
    let mut out = String::with_capacity(value.len() + config.key.len() + 96);
    // Writing into a String cannot fail.
    let _ = write!(out, "{}={}", config.key, value);
    if let Some(domain) = &config.cookie_domain {
        let _ = write!(out, "; Domain={domain}");
    }
    let expires = match config.cookie_expires {
        CookieExpires::BrowserSession => None,
        CookieExpires::Never => Some(0x7FFF_FFFF),
        CookieExpires::After(secs) => Some(now_unix_secs.saturating_add(secs)),
    };
    if let Some(at) = expires {
        out.push_str("; expires=");
        http_date(&mut out, at);
    }
    if config.httponly {
        out.push_str("; HttpOnly");
    }
    let _ = write!(out, "; Path={}", config.cookie_path);
    if let Some(samesite) = &config.samesite {
        let _ = write!(out, "; SameSite={samesite}");
    }
    if config.secure {
        out.push_str("; Secure");
    }
    out
}

/// Beaker's `serialize_cookie_date`: `Wdy, DD-Mon-YYYY HH:MM:SS GMT`.
fn http_date(out: &mut String, unix_secs: u64) {
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    // Beyond year 9999 Python cannot represent the date; clamp to its last second.
    let secs = unix_secs.min(253_402_300_799);
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // `secs` is clamped above, so the day count fits an i64 with room to spare.
    let (year, month, day) = crate::civil::civil_from_days(days as i64);
    let weekday = WEEKDAYS.get((days % 7) as usize).copied().unwrap_or("Thu");
    let month_name = MONTHS
        .get((month as usize).saturating_sub(1))
        .copied()
        .unwrap_or("Jan");
    let _ = write!(
        out,
        "{weekday}, {day:02}-{month_name}-{year:04} {:02}:{:02}:{:02} GMT",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::new(["0123456789abcdef-one"]).unwrap()
    }

    #[test]
    fn header_picks_our_cookie_like_python() {
        let c = config();
        assert_eq!(
            cookie_from_header("a=1; beaker.session.id=abc; b=2", &c),
            Some("abc")
        );
        assert_eq!(
            cookie_from_header("beaker.session.id=\"abc\"", &c),
            Some("abc")
        );
        assert_eq!(
            cookie_from_header("beaker.session.id=\"\"abc\"", &c),
            Some("abc")
        );
        assert_eq!(
            cookie_from_header("beaker.session.id=a=b=c", &c),
            Some("a=b=c")
        );
        assert_eq!(
            cookie_from_header("junk; \u{1f}beaker.session.id=x\u{3000}", &c),
            Some("x")
        );
        assert_eq!(
            cookie_from_header("beaker.session.id=1; beaker.session.id=2", &c),
            Some("2")
        );
        assert_eq!(cookie_from_header("beaker.session.id =abc", &c), None);
        assert_eq!(
            cookie_from_header("bad\"cookie,=; beaker.session.id=", &c),
            Some("")
        );
        assert_eq!(cookie_from_header("", &c), None);
    }

    #[test]
    fn header_set_cookie_matches_beaker_output() {
        let mut c = config();
        assert_eq!(
            set_cookie_value("v", &c, 0),
            "beaker.session.id=v; Path=/; SameSite=Lax"
        );
        c.cookie_domain = Some("example.com".into());
        c.secure = true;
        c.httponly = true;
        c.samesite = Some("Strict".into());
        c.cookie_expires = CookieExpires::Never;
        // Python 1.0.4 on a UTC machine printed exactly this.
        assert_eq!(
            set_cookie_value("v", &c, 0),
            "beaker.session.id=v; Domain=example.com; expires=Tue, 19-Jan-2038 03:14:07 GMT; HttpOnly; Path=/; SameSite=Strict; Secure"
        );
        c.cookie_expires = CookieExpires::After(3600);
        assert!(set_cookie_value("v", &c, 951_782_400)
            .contains("expires=Tue, 29-Feb-2000 01:00:00 GMT"));
    }
}
