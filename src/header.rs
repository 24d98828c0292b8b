//! `Cookie:` header parsing and `Set-Cookie` rendering, as beaker-session-jwt 1.0.4
//! (`JWTCookieSession.__init__`) and Beaker 1.14.1 (`_create_cookie`, Python's
//! `http.cookies.Morsel.OutputString`) do.

use alloc::string::String;
use core::fmt::Write;

use crate::config::{Config, CookieExpires};
use crate::unix_time::UnixTime;

/// Picks the value of our cookie (`config.key`) out of a `Cookie:` header, as beaker-session-jwt
/// does: split on `;`, strip each piece (Python's `str.strip`, Unicode-aware), skip pieces
/// without `=`, split on the first `=`, strip surrounding `"` from the value (all of them, even
/// unbalanced). When the name repeats, the last one wins. A malformed neighbour cookie never
/// spoils ours. An empty value is returned as `Some("")` (decoding it is an error, as in
/// Python).
///
/// ```
/// use beaker_session_jwt::{cookie_from_header, Config};
/// let config = Config::new(["example-secret-0123456789"])?;
/// let header = "theme=dark; beaker.session.id=\"eyJ0eXAi...\"; lang=en";
/// assert_eq!(cookie_from_header(header, &config), Some("eyJ0eXAi..."));
/// assert_eq!(cookie_from_header("theme=dark", &config), None);
/// # Ok::<(), beaker_session_jwt::Error>(())
/// ```
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
/// `now` is read only for `CookieExpires::After` (Beaker's `timedelta`, added to
/// `datetime.now(timezone.utc)`). Dates are written in UTC (`Wdy, DD-Mon-YYYY HH:MM:SS GMT`);
/// for `CookieExpires::Never` Beaker formats 0x7FFFFFFF in the server's local time zone — we
/// always use UTC. A [`CookieSession`](crate::CookieSession) renders its own header with the
/// session's `_domain` and `_path`, as Beaker does; this function is for a cookie value alone.
///
/// ```
/// use beaker_session_jwt::{set_cookie_value, Config, UnixTime};
/// let config = Config::new(["a-secret-key-of-some-length"])?;
/// let header = set_cookie_value("eyJ0eXAi...", &config, UnixTime::from_secs(0));
/// assert_eq!(header, "beaker.session.id=eyJ0eXAi...; Path=/; SameSite=Lax");
/// # Ok::<(), beaker_session_jwt::Error>(())
/// ```
///
/// # Limits
/// Output length is the value's plus a bounded amount per attribute.
pub fn set_cookie_value(value: &str, config: &Config, now: impl Into<UnixTime>) -> String {
    let attrs = Attributes {
        domain: config.cookie_domain.as_deref(),
        expires: expires_at(config.cookie_expires, now.into()),
        httponly: config.httponly,
        path: &config.cookie_path,
        samesite: config.samesite.as_deref(),
        secure: config.secure,
    };
    render(&config.key, value, &attrs)
}

/// The attributes of one `Set-Cookie`, as Beaker sets them on the `Morsel`.
pub(crate) struct Attributes<'a> {
    pub(crate) domain: Option<&'a str>,
    /// Unix seconds of the `expires` date, `None` for a browser-session cookie.
    pub(crate) expires: Option<i64>,
    pub(crate) httponly: bool,
    pub(crate) path: &'a str,
    pub(crate) samesite: Option<&'a str>,
    pub(crate) secure: bool,
}

/// Beaker's `Session._set_cookie_expires`: the `expires` date for `cookie_expires` at `now`.
pub(crate) fn expires_at(expires: CookieExpires, now: UnixTime) -> Option<i64> {
    match expires {
        CookieExpires::BrowserSession => None,
        // `datetime.fromtimestamp(0x7FFFFFFF)`.
        CookieExpires::Never => Some(0x7FFF_FFFF),
        // `datetime.now(timezone.utc) + timedelta(seconds=secs)`.
        // Seconds beyond `i64::MAX` saturate, as the sum does (the date is clamped to
        // Python's last year when written).
        CookieExpires::After(secs) => {
            Some(datetime_now_secs(now).saturating_add(i64::try_from(secs).unwrap_or(i64::MAX)))
        }
        // A `datetime`: its `timetuple()` drops the microseconds.
        CookieExpires::At(at) => Some(floor_secs(at.as_secs_f64())),
    }
}

/// The whole seconds of `datetime.fromtimestamp(now, timezone.utc)`: Python rounds the
/// fraction to microseconds (half to even) first, so `x.9999996` is the next second.
pub(crate) fn datetime_now_secs(now: UnixTime) -> i64 {
    let t = now.as_secs_f64();
    let whole = floor_secs(t);
    // `whole` is within a second of `t` for every finite `t` an i64 holds.
    let micros = round_half_even((t - whole as f64) * 1e6);
    if micros >= 1e6 {
        whole.saturating_add(1)
    } else {
        whole
    }
}

/// Whole seconds at or before `t` (saturating; NaN gives 0).
fn floor_secs(t: f64) -> i64 {
    let whole = t as i64; // truncates toward zero, saturates, NaN -> 0
    if (whole as f64) > t {
        whole.saturating_sub(1)
    } else {
        whole
    }
}

/// Python's `round()` for the fraction of a second in microseconds (0 <= x < 1e6 + 1).
fn round_half_even(x: f64) -> f64 {
    let whole = floor_secs(x) as f64;
    let frac = x - whole;
    if frac > 0.5 || (frac == 0.5 && whole as i64 % 2 == 1) {
        whole + 1.0
    } else {
        whole
    }
}

/// `Morsel.OutputString` for Beaker's attributes (sorted by name; empty ones skipped).
pub(crate) fn render(name: &str, value: &str, attrs: &Attributes<'_>) -> String {
    let mut out = String::with_capacity(value.len() + name.len() + 96);
    // Writing into a String cannot fail.
    let _ = write!(out, "{name}={value}");
    if let Some(domain) = attrs.domain {
        let _ = write!(out, "; Domain={domain}");
    }
    if let Some(at) = attrs.expires {
        out.push_str("; expires=");
        http_date(&mut out, at);
    }
    if attrs.httponly {
        out.push_str("; HttpOnly");
    }
    // An empty path is skipped by `OutputString` like every empty attribute.
    if !attrs.path.is_empty() {
        let _ = write!(out, "; Path={}", attrs.path);
    }
    if let Some(samesite) = attrs.samesite.filter(|s| !s.is_empty()) {
        let _ = write!(out, "; SameSite={samesite}");
    }
    if attrs.secure {
        out.push_str("; Secure");
    }
    out
}

/// Beaker's `serialize_cookie_date`: `Wdy, DD-Mon-YYYY HH:MM:SS GMT` (glibc's `%Y` does not
/// pad years below 1000).
fn http_date(out: &mut String, unix_secs: i64) {
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    // Python's datetime holds years 1 to 9999; clamp to its first and last second.
    let secs = unix_secs.clamp(-62_135_596_800, 253_402_300_799);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = crate::civil::civil_from_days(days);
    #[allow(clippy::indexing_slicing)] // rem_euclid(7) is in 0..7 == WEEKDAYS.len()
    let weekday = WEEKDAYS[days.rem_euclid(7) as usize];
    // `civil_from_days` gives a month in 1..=12; `% 12` makes the index total anyway.
    #[allow(clippy::indexing_slicing)] // % 12 is < 12 == MONTHS.len()
    let month_name = MONTHS[(month.rem_euclid(12) as usize + 11) % 12];
    let _ = write!(
        out,
        "{weekday}, {day:02}-{month_name}-{year} {:02}:{:02}:{:02} GMT",
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
            set_cookie_value("v", &c, 0.0),
            "beaker.session.id=v; Path=/; SameSite=Lax"
        );
        c.cookie_domain = Some("example.com".into());
        c.secure = true;
        c.httponly = true;
        c.samesite = Some("Strict".into());
        c.cookie_expires = CookieExpires::Never;
        // Python 1.0.4 on a UTC machine printed exactly this.
        assert_eq!(
            set_cookie_value("v", &c, 0.0),
            "beaker.session.id=v; Domain=example.com; expires=Tue, 19-Jan-2038 03:14:07 GMT; HttpOnly; Path=/; SameSite=Strict; Secure"
        );
        c.cookie_expires = CookieExpires::After(3600);
        assert!(set_cookie_value("v", &c, 951_782_400u64)
            .contains("expires=Tue, 29-Feb-2000 01:00:00 GMT"));
        // datetime.now(utc) rounds to microseconds before the timedelta is added.
        assert!(set_cookie_value("v", &c, 951_782_399.999_999_6)
            .contains("expires=Tue, 29-Feb-2000 01:00:00 GMT"));
        assert!(set_cookie_value("v", &c, 951_782_399.999_999_4)
            .contains("expires=Tue, 29-Feb-2000 00:59:59 GMT"));
    }
}
