//! Why a subcommand failed, and the exit code that says so: 1 for a refused cookie or session
//! (the data), 2 for a usage error (flags, environment, `--config`).
//!
//! A refusal is one line, `rejected: CATEGORY[ in LAYER]: WHAT[: NUMBERS][; HINT]`: the
//! library's message without its own layer prefix (no `jws: jws:`), the numbers the CLI knows
//! (the session's age and the timeout, a length and its limit), and a hint when the fix is a
//! flag (`--read-original-format true`, `inspect --no-verify`). Never a key, never the session.

use std::process::ExitCode;

use beaker_session_jwt::inspect::inspect_cookie;
use beaker_session_jwt::{Config, Error, Layer, Limit, Limits, TimeMode};

/// A failed run: one line for stderr, and its exit code.
#[derive(Debug)]
pub enum Failure {
    /// The input was refused: exit 1.
    Rejected(String),
    /// The command line, environment or config file is wrong: exit 2.
    Usage(String),
}

impl Failure {
    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::Usage(message.into())
    }

    /// Refused input that the library did not see (stdin that is not one line, not JSON...).
    pub fn input(message: impl Into<String>) -> Failure {
        Failure::Rejected(format!("rejected: input: {}", message.into()))
    }

    /// A library error, with its category and layer. A config error is a usage error.
    pub fn from_error(e: &Error) -> Failure {
        Failure::explained(e, None, None)
    }

    /// A library error with the numbers the caller knows (`detail`) and a `hint` naming the
    /// flag that would help.
    pub fn explained(e: &Error, detail: Option<&str>, hint: Option<&str>) -> Failure {
        if let Error::Config(_) | Error::UnknownOption { .. } = e {
            return Failure::Usage(e.to_string());
        }
        let mut line = format!("rejected: {}", headline(e));
        if let Some(detail) = detail {
            line.push_str(": ");
            line.push_str(detail);
        }
        if let Some(hint) = hint {
            line.push_str("; ");
            line.push_str(hint);
        }
        Failure::Rejected(line)
    }

    /// The line to print.
    pub fn message(&self) -> &str {
        match self {
            Failure::Rejected(m) | Failure::Usage(m) => m,
        }
    }

    /// 1 or 2.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Failure::Rejected(_) => ExitCode::from(1),
            Failure::Usage(_) => ExitCode::from(2),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::from_error(&e)
    }
}

/// `CATEGORY in LAYER: WHAT`, each said once: the library's `Display` starts with the layer
/// (`jws: not three segments at byte 0`) and, for a limit, with `limit exceeded:`.
fn headline(e: &Error) -> String {
    let text = e.to_string();
    let category = category(e);
    match (e, e.layer()) {
        (Error::Expired, _) => format!("{category}: session expired"),
        (Error::LimitExceeded(limit), _) => format!("{category}: {limit}"),
        (_, Some(layer)) => {
            let prefix = format!("{layer}: ");
            let what = text.strip_prefix(&prefix).unwrap_or(&text);
            // "unsupported in jws: unsupported algorithm": the category already says it.
            let what = what.strip_prefix("unsupported ").unwrap_or(what);
            format!("{category} in {layer}: {what}")
        }
        (_, None) => format!("{category}: {text}"),
    }
}

/// The error's category: its variant, in words.
pub fn category(e: &Error) -> &'static str {
    match e {
        Error::Malformed { .. } => "malformed",
        Error::Unsupported { .. } => "unsupported",
        Error::Unwritable { .. } => "unwritable",
        Error::Placeholder { .. } => "placeholder",
        Error::BadSignature => "bad-signature",
        Error::Expired => "expired",
        Error::LimitExceeded(_) => "limit-exceeded",
        Error::Config(_) | Error::UnknownOption { .. } => "config",
        _ => "error",
    }
}

/// The value of the `Limits` field `limit` reports.
pub fn limit_value(limits: &Limits, limit: Limit) -> Option<usize> {
    Some(match limit {
        Limit::CookieLen => limits.max_cookie_len,
        Limit::WriteLen => limits.max_write_len,
        Limit::InflatedLen => limits.max_inflated_len,
        Limit::Depth => limits.max_depth,
        Limit::Items => limits.max_items,
        Limit::StrLen => limits.max_str_len,
        Limit::Memo => limits.max_memo,
        Limit::SessionBytes => limits.max_session_bytes,
        _ => return None,
    })
}

/// Whether `value` has the shape of a legacy Beaker cookie: 40 hex digits (the HMAC-SHA1)
/// then standard base64 (the pickle or zlib stream), and no JWS dot.
pub fn looks_legacy(value: &str) -> bool {
    let value = value.trim_matches('"');
    let (mac, payload) = value.split_at(value.len().min(40));
    mac.len() == 40
        && mac.bytes().all(|b| b.is_ascii_hexdigit())
        && !payload.is_empty()
        && payload
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
}

/// A refusal of the cookie `value` while reading it (decode, migrate, inspect), explained:
/// the session's age and the timeout for an expiry, the length and the limit for a limit, the
/// flag to give for a legacy cookie or a bad signature.
pub fn refused_cookie(
    e: &Error,
    value: &str,
    config: &Config,
    now: f64,
    inspecting: bool,
) -> Failure {
    let mut hint = None;
    let detail = match e {
        Error::Expired => expiry(value, config, now),
        Error::LimitExceeded(Limit::CookieLen) => Some(format!(
            "the cookie value is {} bytes, over the limit of {}",
            value.trim_matches('"').len(),
            config.limits.max_cookie_len
        )),
        Error::LimitExceeded(limit) => {
            limit_value(&config.limits, *limit).map(|n| format!("the limit is {n}"))
        }
        _ => None,
    };
    let not_jws = matches!(e.layer(), Some(Layer::Jws | Layer::Base64 | Layer::Cookie));
    if !config.read_original_format && not_jws && looks_legacy(value) {
        hint = Some(
            "this looks like a legacy Beaker cookie (40 hex digits, then base64): give \
             --read-original-format true (and its original_format_validate_key)",
        );
    } else if matches!(e, Error::BadSignature) {
        hint = Some(if inspecting {
            "no key verified it: check jwt_secret_keys (or original_format_validate_key), \
             or give --no-verify to see what the cookie claims, UNVERIFIED"
        } else {
            "no key verified it: check jwt_secret_keys (or original_format_validate_key); \
             `beaker-cookie inspect --no-verify` shows what the cookie claims, UNVERIFIED"
        });
    }
    Failure::explained(e, detail.as_deref(), hint)
}

/// Why the session expired, in numbers: its age (`now - _accessed_time`) and the timeout.
fn expiry(value: &str, config: &Config, now: f64) -> Option<String> {
    let timeout = config.timeout?;
    // The cookie verified (the expiry is checked after the MAC): read it again, untimed.
    let found = inspect_cookie(value, config, true, now).ok()?;
    let strict = config.time_mode == TimeMode::Strict;
    let Some(accessed) = found.session.get("_accessed_time") else {
        return Some(format!(
            "the session has no _accessed_time (time_mode strict); timeout {timeout} s"
        ));
    };
    let Some(accessed) = accessed.as_f64().filter(|s| s.is_finite()) else {
        return Some(format!(
            "_accessed_time is not a finite number ({}); timeout {timeout} s",
            accessed.kind()
        ));
    };
    let age = now - accessed;
    if age < 0.0 && strict {
        return Some(format!(
            "_accessed_time is {} in the future (time_mode strict); timeout {timeout} s",
            crate::report::duration(-age)
        ));
    }
    // Lossy only past 2^53 seconds, far beyond any timeout.
    let over = age - timeout as f64;
    Some(format!(
        "age {} (now - _accessed_time), over the timeout of {timeout} s by {}",
        crate::report::duration(age),
        crate::report::duration(over.max(0.0))
    ))
}

/// Whether a write to stdout failed because the reader went away (`... | head -1`): the CLI
/// then ends quietly with exit 0, as `head` has all it wanted. For `main`'s write of the result
/// (main.rs).
pub fn stdout_closed(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::BrokenPipe
}
