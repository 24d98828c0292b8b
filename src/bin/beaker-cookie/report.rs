//! `inspect`: the human-readable report of a cookie, one `label: value` per line.

use std::fmt::Write as _;
use std::io::Read;

use beaker_session_jwt::inspect::{inspect_cookie, Inspection};
use beaker_session_jwt::{Config, Format, Session};

use crate::args::InspectArgs;
use crate::extjson::{self, Style};
use crate::failure::{self, Failure};
use crate::input;
use crate::settings;

/// The first line of an unverified report (also written to stderr).
pub const UNVERIFIED: &str =
    "UNVERIFIED: the MAC was NOT checked (--no-verify): anyone could have written this session";

/// The name `inspect` and `migrate --stats` print for a format.
pub fn format_name(format: Format) -> &'static str {
    match format {
        Format::JwtBson => "jwt-bson",
        Format::JwtJson => "jwt-json",
        Format::LegacyPickle => "legacy-pickle",
        Format::LegacyJson => "legacy-json",
        _ => "unknown",
    }
}

/// `inspect`: the report for stdout.
pub fn inspect(args: &InspectArgs, stdin: impl Read) -> Result<String, Failure> {
    let config = settings::config(&args.options, !args.no_verify)?;
    let value = input::cookie(args.input.cookie.as_deref(), stdin, &config)?;
    let now = settings::now(&args.options);
    let found = inspect_cookie(&value, &config, !args.no_verify, now)
        .map_err(|e| failure::refused_cookie(&e, &value, &config, now, true))?;
    let style = if args.relaxed {
        Style::Relaxed
    } else {
        Style::Canonical
    };
    Ok(render(&found, &config, now, style))
}

fn render(found: &Inspection, config: &Config, now: f64, style: Style) -> String {
    let key_count = config.jwt_secret_keys.len();
    let mut out = String::new();
    let mut line = |label: &str, value: &str| {
        let _ = writeln!(out, "{:<16}{value}", format!("{label}:"));
    };
    if found.key_index.is_none() {
        line("WARNING", UNVERIFIED);
    }
    line("format", format_name(found.format));
    let verified = match (found.key_index, found.format.is_legacy()) {
        (None, _) => "NOT CHECKED (--no-verify)".to_string(),
        (Some(_), true) => "original_format_validate_key".to_string(),
        (Some(0), false) => format!("jwt_secret_keys[0] (the signing key, of {key_count})"),
        (Some(i), false) => format!(
            "jwt_secret_keys[{i}] (an older key, of {key_count}: saving the session re-signs it with [0])"
        ),
    };
    line("verified by", &verified);
    line(
        "header",
        found.header.as_deref().unwrap_or("(none: legacy cookie)"),
    );
    line("cookie", &format!("{} bytes", found.cookie_len));
    let (payload, compressed, inflated) = match found.format {
        Format::JwtBson => ("JSON claims", "bsZ claim, base85-decoded", "BSON"),
        Format::JwtJson => ("JSON claims: the session", "", ""),
        Format::LegacyPickle => ("protocol-2 pickle", "", ""),
        Format::LegacyJson => ("zlib stream", "zlib stream", "JSON"),
        _ => ("", "", ""),
    };
    line(
        "payload",
        &format!("{} bytes ({payload})", found.payload_len),
    );
    if let Some(n) = found.compressed_len {
        line("compressed", &format!("{n} bytes ({compressed})"));
    }
    if let Some(n) = found.inflated_len {
        line("inflated", &format!("{n} bytes ({inflated})"));
    }
    for key in ["_creation_time", "_accessed_time"] {
        line(key, &time(&found.session, key, now));
    }
    let timeout = match (&found.timeout, config.timeout) {
        (Some(Ok(())), Some(secs)) => format!("{secs} s: not expired"),
        (Some(Err(e)), Some(secs)) => format!("{secs} s: REFUSED: {e}"),
        _ => "not set".to_string(),
    };
    line("timeout", &timeout);
    let label = if found.key_index.is_none() {
        "session (UNVERIFIED)"
    } else {
        "session"
    };
    let session = match extjson::write(&found.session, style) {
        Ok(text) => text,
        Err(e) => format!("not writable as Extended JSON: {e}"),
    };
    let _ = writeln!(out, "{label}: {session}");
    out.pop();
    out
}

/// A Beaker timestamp (seconds as a float) as an ISO date and its age at `now`.
fn time(session: &Session, key: &str, now: f64) -> String {
    let Some(value) = session.get(key) else {
        return "absent".to_string();
    };
    let Some(secs) = value.as_f64().filter(|s| s.is_finite()) else {
        return format!("not a finite number ({})", value.kind());
    };
    // Beyond ±8e15 ms (about 250,000 years) no date is printable; the cast cannot saturate.
    let millis = (secs * 1000.0).round();
    let iso = if millis.abs() < 8.0e15 {
        extjson::iso_date(millis as i64)
    } else {
        None
    };
    let iso = iso.unwrap_or_else(|| "out of range".to_string());
    let age = now - secs;
    if age < 0.0 {
        format!("{iso} ({secs}: {} in the future)", duration(-age))
    } else {
        format!("{iso} ({secs}: age {})", duration(age))
    }
}

/// `3723.5 s (1h 2m 3s)`.
pub fn duration(secs: f64) -> String {
    let whole = secs as u64; // saturating cast of a non-negative float
    let (d, h, m, s) = (
        whole / 86_400,
        whole / 3600 % 24,
        whole / 60 % 60,
        whole % 60,
    );
    let human = if d > 0 {
        format!("{d}d {h}h {m}m {s}s")
    } else if h > 0 {
        format!("{h}h {m}m {s}s")
    } else if m > 0 {
        format!("{m}m {s}s")
    } else {
        format!("{s}s")
    };
    format!("{secs:.3} s ({human})")
}
