//! The command line: subcommands, their flags and their `--help` text (clap derive).

use std::path::PathBuf;

use beaker_session_jwt::UnixTime;
use clap::{ArgAction, Args, Parser, Subcommand};

const EXIT_STATUS: &str = "\
Exit status: 0 success (also when stdout is closed early, as by `| head -1`); 1 the cookie \
or session was refused (one line on stderr); 2 usage error (a flag, variable or --config line).";

const SOURCES: &str = "\
Options come from --config, then BEAKER_JWT_SECRET_KEYS and BEAKER_ORIGINAL_FORMAT_VALIDATE_KEY \
(secrets stay out of `ps`), then flags; later wins. --help-all also shows --config-section, \
--allow-weak-keys, --original-format-data-serializer, --original-format-remove-keys and \
--time-mode, and the details.";

const TOP_EXAMPLES: &str = "\
Examples:
  beaker-cookie decode --config app.ini 'eyJ0eXAiOiJKV1Qi...'
  beaker-cookie inspect --no-verify 'Cookie: beaker.session.id=eyJ...; other=1'
  beaker-cookie keygen";

const SOURCES_LONG: &str = "\
Beaker options are read from --config (the session.* and beaker.session.* keys of \
--config-section, as PasteDeploy hands them to the app), then from the environment \
(BEAKER_JWT_SECRET_KEYS, BEAKER_ORIGINAL_FORMAT_VALIDATE_KEY: secrets stay out of `ps`), \
then from the flags; a later source overrides an earlier one. Boolean values are Beaker's \
asbool (true/yes/on/y/t/1, false/no/off/n/f/0).

The cookie may be given as its value, as name=value, as a whole `Cookie:` header (the cookie \
named by session.key, beaker.session.id by default, is picked out as Beaker picks it) or as a \
`Set-Cookie:` line (its first name=value); surrounding spaces, tabs and newlines are ignored.";

const DECODE_EXAMPLES: &str = "\
Examples:
  beaker-cookie decode --config app.ini 'eyJ0eXAiOiJKV1Qi...'
  pbpaste | beaker-cookie decode --config app.ini --relaxed
  BEAKER_JWT_SECRET_KEYS=k1,k2 beaker-cookie decode 'Cookie: beaker.session.id=eyJ...'";

const ENCODE_EXAMPLES: &str = "\
Examples:
  echo '{\"user_id\": 1}' | beaker-cookie encode --config app.ini
  beaker-cookie decode --config app.ini < old.cookie | beaker-cookie encode --config new.ini";

const INSPECT_EXAMPLES: &str = "\
Examples:
  beaker-cookie inspect --config app.ini 'eyJ0eXAiOiJKV1Qi...'
  beaker-cookie inspect --no-verify 'Set-Cookie: beaker.session.id=eyJ...; Path=/'
  beaker-cookie inspect --config app.ini --now 2026-12-06T10:00:00Z < cookie.txt";

const MIGRATE_EXAMPLES: &str = "\
Examples:
  beaker-cookie migrate --config app.ini --read-original-format true 'a94a8fe5...gAJ9cQ...'
  beaker-cookie migrate --config app.ini --read-original-format true --stats cookies.txt";

const KEYGEN_EXAMPLES: &str = "\
Examples:
  beaker-cookie keygen
  beaker-cookie keygen --bytes 64";

/// Read and write Beaker session cookies (beaker-session-jwt JWTs and legacy signed cookies).
#[derive(Debug, Parser)]
#[command(
    name = "beaker-cookie",
    version,
    disable_help_flag = true,
    after_help = format!("{TOP_EXAMPLES}\n\n{EXIT_STATUS}"),
    after_long_help = format!("{TOP_EXAMPLES}\n\n{SOURCES_LONG}\n\n{EXIT_STATUS}"),
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub help: HelpFlags,
}

/// `-h`/`--help` print the short help (grouped flags, examples); `--help-all` (and `help
/// SUBCOMMAND`) the long one. clap would otherwise print the long help for `--help`.
#[derive(Debug, Args)]
pub struct HelpFlags {
    /// Print help (--help-all for details)
    #[arg(short = 'h', long = "help", action = ArgAction::HelpShort, global = true)]
    help: Option<bool>,
    /// Print help with every detail
    #[arg(long = "help-all", action = ArgAction::HelpLong, global = true)]
    help_all: Option<bool>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Verify and decode a cookie to one line of Extended JSON.
    ///
    /// The session is printed as one line of MongoDB canonical Extended JSON v2 ($numberInt,
    /// $numberLong, $numberDouble, $date, $binary, $oid, ...), keys in the cookie's order, or
    /// relaxed Extended JSON with --relaxed.
    #[command(
        after_help = short_after(DECODE_EXAMPLES),
        after_long_help = long_after(DECODE_EXAMPLES)
    )]
    Decode(DecodeArgs),
    /// Encode one Extended JSON document (stdin) as a cookie value.
    ///
    /// The session is read from stdin as one Extended JSON document, canonical or relaxed, and
    /// written as the cookie value under the options: a JWT signed with the first of
    /// jwt_secret_keys, or a legacy cookie with --write-original-format true. Nothing is added
    /// to the session (no _accessed_time, no _id); integers beyond 64 bits are refused.
    #[command(
        after_help = short_after(ENCODE_EXAMPLES),
        after_long_help = long_after(ENCODE_EXAMPLES)
    )]
    Encode(EncodeArgs),
    /// Show what a cookie holds: format, verifying key, header, sizes, times, session.
    ///
    /// Prints, one per line: the format (jwt-bson, jwt-json, legacy-pickle, legacy-json), the key
    /// that verified the MAC, the JWS header, the size at each layer (cookie, payload,
    /// compressed, inflated), _creation_time and _accessed_time as ISO dates with their age at
    /// --now, the timeout check, and the session as Extended JSON. With --no-verify the MAC is
    /// not checked and the output is marked UNVERIFIED; every other check still applies and
    /// pickles are still read by the whitelist, which never runs code.
    #[command(
        after_help = short_after(INSPECT_EXAMPLES),
        after_long_help = long_after(INSPECT_EXAMPLES)
    )]
    Inspect(InspectArgs),
    /// Rewrite a cookie as a JWT under the current options, or count a file of cookies.
    ///
    /// Without --stats: reads one cookie (legacy or JWT, as the options accept) and prints it as
    /// a JWT signed with the first of jwt_secret_keys. With --stats FILE: reads one cookie
    /// value per line of FILE ("-" for stdin) and prints how many came in each format and were
    /// verified by each key, and how many were refused and why: the answer to "can we turn
    /// read_original_format off yet?" and "is an old key still in use?".
    #[command(
        after_help = short_after(MIGRATE_EXAMPLES),
        after_long_help = long_after(MIGRATE_EXAMPLES)
    )]
    Migrate(MigrateArgs),
    /// Print a new random key: 64 hex characters, like Python's secrets.token_hex().
    #[command(after_help = format!("{KEYGEN_EXAMPLES}\n\n{EXIT_STATUS}"))]
    Keygen(KeygenArgs),
}

fn short_after(examples: &str) -> String {
    format!("{examples}\n\n{SOURCES}\n{EXIT_STATUS}")
}

fn long_after(examples: &str) -> String {
    format!("{examples}\n\n{SOURCES_LONG}\n\n{EXIT_STATUS}")
}

/// Where a cookie is read from.
const INPUT: &str = "Cookie input";
/// Where the keys come from.
const KEYS: &str = "Config and keys";
/// How cookies are read and written.
const FORMAT: &str = "Format options";
/// What is printed.
const OUTPUT: &str = "Output";

/// The cookie to read, or stdin.
#[derive(Debug, Args)]
pub struct CookieArg {
    /// The cookie: its value, name=value, a Cookie: header or a Set-Cookie: line [default:
    /// stdin]
    #[arg(value_name = "COOKIE", help_heading = INPUT)]
    pub cookie: Option<String>,
}

/// Beaker's session options, by their own names with dashes.
#[derive(Debug, Args)]
pub struct Options {
    /// The app's .ini file (session.* / beaker.session.* options)
    #[arg(long, value_name = "FILE", help_heading = KEYS)]
    pub config: Option<PathBuf>,
    /// The section of --config holding the app's options
    #[arg(long, value_name = "SECTION", default_value = "app:main", help_heading = KEYS, hide_short_help = true)]
    pub config_section: String,
    /// Signing key first, then older ones (or BEAKER_JWT_SECRET_KEYS)
    #[arg(
        long,
        value_name = "K1,K2",
        help_heading = KEYS,
        long_help = "jwt_secret_keys: comma-separated; the first signs, every one verifies. \
                     Prefer the BEAKER_JWT_SECRET_KEYS environment variable: a flag shows in `ps`."
    )]
    pub jwt_secret_keys: Option<String>,
    /// The legacy HMAC-SHA1 key (or BEAKER_ORIGINAL_FORMAT_VALIDATE_KEY)
    #[arg(
        long,
        value_name = "KEY",
        help_heading = KEYS,
        long_help = "original_format_validate_key: the legacy HMAC-SHA1 key. Prefer the \
                     BEAKER_ORIGINAL_FORMAT_VALIDATE_KEY environment variable: a flag shows in `ps`."
    )]
    pub original_format_validate_key: Option<String>,
    /// Accept keys under 14 bytes, as Python does
    #[arg(long, value_name = "BOOL", value_parser = boolean, help_heading = KEYS, hide_short_help = true)]
    pub allow_weak_keys: Option<String>,
    /// bsZ claims (true, Beaker's default) or JSON claims (false)
    #[arg(long, value_name = "BOOL", value_parser = boolean, help_heading = FORMAT)]
    pub bson_compress_jwt_payload: Option<String>,
    /// Also accept legacy Beaker signed cookies
    #[arg(long, value_name = "BOOL", value_parser = boolean, help_heading = FORMAT)]
    pub read_original_format: Option<String>,
    /// Write legacy Beaker signed cookies (encode)
    #[arg(long, value_name = "BOOL", value_parser = boolean, help_heading = FORMAT)]
    pub write_original_format: Option<String>,
    /// How legacy cookies are serialized
    #[arg(long, value_name = "pickle|json", value_parser = serializer, help_heading = FORMAT, hide_short_help = true)]
    pub original_format_data_serializer: Option<String>,
    /// Session keys dropped from legacy cookies (comma-separated)
    #[arg(long, value_name = "A,B", help_heading = FORMAT, hide_short_help = true)]
    pub original_format_remove_keys: Option<String>,
    /// Refuse a session whose _accessed_time is older than SECS
    #[arg(long, value_name = "SECS", value_parser = timeout, help_heading = FORMAT)]
    pub timeout: Option<String>,
    /// beaker (Python's rules) or strict (missing or future _accessed_time expires too)
    #[arg(long, value_name = "beaker|strict", value_parser = time_mode, help_heading = FORMAT, hide_short_help = true)]
    pub time_mode: Option<String>,
    /// The time for --timeout and ages: Unix seconds or ISO 8601 [default: the clock]
    #[arg(
        long,
        value_name = "TIME",
        value_parser = now,
        help_heading = FORMAT,
        long_help = "The current time for --timeout and ages: seconds since the Unix epoch \
                     (1765015200.5) or an ISO 8601 date and time with Z or an offset \
                     (2026-12-06T10:00:00Z, 2026-12-06T11:00:00.250+01:00). Default: the system clock."
    )]
    pub now: Option<f64>,
}

/// Beaker's `asbool`, checked where the flag is parsed so the message can echo the value
/// (booleans are not secret); the string goes on to `Config::set_option`.
fn boolean(text: &str) -> Result<String, String> {
    const WORDS: [&str; 12] = [
        "true", "yes", "on", "y", "t", "1", "false", "no", "off", "n", "f", "0",
    ];
    let v = text.trim();
    if WORDS.iter().any(|w| v.eq_ignore_ascii_case(w)) {
        Ok(text.to_string())
    } else {
        Err(format!(
            "expected true/false (or yes/no, on/off, y/n, t/f, 1/0), got {text:?}"
        ))
    }
}

fn serializer(text: &str) -> Result<String, String> {
    match text.trim() {
        "pickle" | "json" => Ok(text.to_string()),
        _ => Err(format!("expected pickle or json, got {text:?}")),
    }
}

fn time_mode(text: &str) -> Result<String, String> {
    match text.trim() {
        "beaker" | "strict" => Ok(text.to_string()),
        _ => Err(format!("expected beaker or strict, got {text:?}")),
    }
}

fn timeout(text: &str) -> Result<String, String> {
    match text.trim().parse::<u64>() {
        Ok(_) => Ok(text.to_string()),
        Err(_) => Err(format!("expected a whole number of seconds, got {text:?}")),
    }
}

/// `--now`: Unix seconds, or an ISO 8601 date-time with `Z` or an offset.
fn now(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let secs = match t.parse::<f64>() {
        Ok(secs) => Some(secs),
        Err(_) => iso8601(t),
    };
    match secs {
        Some(secs) if secs.is_finite() => Ok(secs),
        _ => Err(format!(
            "expected seconds since the Unix epoch or an ISO 8601 date-time with Z or an offset, such as \
             2026-12-06T10:00:00Z, got {text:?}"
        )),
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM|±HHMM)` (a space may stand for the `T`) as Unix
/// seconds. A time without `Z` or an offset is refused: local time would depend on the machine.
fn iso8601(t: &str) -> Option<f64> {
    let num = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (date, rest) = t.split_once(['T', 't', ' '])?;
    let mut ymd = date.splitn(3, '-');
    let (y, m, d) = (ymd.next()?, ymd.next()?, ymd.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (year, month, day) = (num(y)?, num(m)?, num(d)?);
    // The zone: `Z`, or the last `+`/`-` (the time itself has neither).
    let (time, offset_secs) = if let Some(time) = rest.strip_suffix(['Z', 'z']) {
        (time, 0)
    } else {
        let at = rest.rfind(['+', '-'])?;
        let (time, zone) = rest.split_at(at);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let zone = zone.get(1..)?.replace(':', "");
        if zone.len() != 4 {
            return None;
        }
        let (zh, zm) = (num(zone.get(..2)?)?, num(zone.get(2..)?)?);
        if zh > 23 || zm > 59 {
            return None;
        }
        (time, sign * (zh * 3600 + zm * 60))
    };
    let (hms, fraction) = match time.split_once(['.', ',']) {
        Some((hms, f)) => (hms, Some(f)),
        None => (time, None),
    };
    let mut parts = hms.splitn(3, ':');
    let (h, mi, s) = (parts.next()?, parts.next()?, parts.next()?);
    if h.len() != 2 || mi.len() != 2 || s.len() != 2 {
        return None;
    }
    let (hour, minute, second) = (num(h)?, num(mi)?, num(s)?);
    let fraction = match fraction {
        None => 0.0,
        Some(digits) => {
            num(digits)?; // digits only, at least one
            format!("0.{digits}").parse::<f64>().ok()?
        }
    };
    let small = |n: i64| u8::try_from(n).ok();
    let at = UnixTime::from_utc(
        year,
        small(month)?,
        small(day)?,
        small(hour)?,
        small(minute)?,
        small(second)?,
    )?;
    Some(at.as_secs_f64() - offset_secs as f64 + fraction)
}

#[derive(Debug, Args)]
pub struct DecodeArgs {
    #[command(flatten)]
    pub input: CookieArg,
    #[command(flatten)]
    pub options: Options,
    /// Relaxed Extended JSON (plain numbers, ISO dates), not canonical
    #[arg(long, help_heading = OUTPUT)]
    pub relaxed: bool,
}

#[derive(Debug, Args)]
pub struct EncodeArgs {
    #[command(flatten)]
    pub options: Options,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    #[command(flatten)]
    pub input: CookieArg,
    #[command(flatten)]
    pub options: Options,
    /// Do not check the MAC (no key needed): the report is marked UNVERIFIED
    #[arg(long, help_heading = OUTPUT)]
    pub no_verify: bool,
    /// Relaxed Extended JSON (plain numbers, ISO dates), not canonical
    #[arg(long, help_heading = OUTPUT)]
    pub relaxed: bool,
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub input: CookieArg,
    #[command(flatten)]
    pub options: Options,
    /// Count the cookies of FILE (one a line, "-" for stdin) by format, key and refusal
    #[arg(long, value_name = "FILE", help_heading = INPUT, conflicts_with = "cookie")]
    pub stats: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Random bytes in the key, 7 to 1024 (it prints twice as many hex characters)
    #[arg(long, help_heading = OUTPUT, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u16).range(7..=1024))]
    pub bytes: u16,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_now_reads_unix_seconds_and_iso_8601() {
        assert_eq!(now("1700000000.5"), Ok(1_700_000_000.5));
        assert_eq!(now("2026-12-06T10:00:00Z"), Ok(1_796_551_200.0));
        assert_eq!(now("2026-12-06T11:00:00.250+01:00"), Ok(1_796_551_200.25));
        assert_eq!(now("2024-02-29T23:59:59-05:30"), Ok(1_709_270_999.0));
        assert_eq!(now("1969-12-31T23:59:59Z"), Ok(-1.0));
        assert_eq!(now("0001-01-01T00:00:00Z"), Ok(-62_135_596_800.0));
        for bad in [
            "2026-12-06T10:00:00",
            "2026-12-06",
            "2023-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-12-06T10:60:00Z",
            "2026-12-06T10:00:00+24:00",
            "2026-12-06T10:00:00.Z",
            "2026-12-06T10:00Z",
            "inf",
            "",
        ] {
            assert!(now(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn args_bad_values_are_echoed() {
        assert_eq!(
            boolean("maybe"),
            Err("expected true/false (or yes/no, on/off, y/n, t/f, 1/0), got \"maybe\"".into())
        );
        assert_eq!(boolean(" Yes "), Ok(" Yes ".into()));
        assert!(timeout("1h").unwrap_err().contains("\"1h\""));
    }
}
