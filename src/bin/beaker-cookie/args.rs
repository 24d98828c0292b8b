//! The command line: subcommands, their flags and their `--help` text (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const EXIT_STATUS: &str = "\
Exit status: 0 on success; 1 when the cookie or session is refused (one line on stderr \
giving the category and the layer, nothing on stdout); 2 for a usage error (a flag, \
environment variable or --config line, named in the message).";

const SOURCES: &str = "\
Beaker options are read from --config (the session.* and beaker.session.* keys of \
--config-section, as PasteDeploy hands them to the app), then from the environment \
(BEAKER_JWT_SECRET_KEYS, BEAKER_ORIGINAL_FORMAT_VALIDATE_KEY: secrets stay out of `ps`), \
then from the flags; a later source overrides an earlier one. Boolean values are Beaker's \
asbool (true/yes/on/y/t/1, false/no/off/n/f/0).";

/// Read and write Beaker session cookies (beaker-session-jwt JWTs and legacy signed cookies).
#[derive(Debug, Parser)]
#[command(name = "beaker-cookie", version, after_help = EXIT_STATUS)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Verify and decode a cookie value (stdin) to one line of Extended JSON (stdout).
    ///
    /// The cookie value is read from stdin: one line, the trailing newline stripped, surrounding
    /// double quotes accepted as Beaker accepts them. The session is printed as one line of
    /// MongoDB canonical Extended JSON v2 ($numberInt, $numberLong, $numberDouble, $date,
    /// $binary, $oid, ...), keys in the cookie's order, or relaxed Extended JSON with
    /// --relaxed.
    #[command(after_help = after_help())]
    Decode(DecodeArgs),
    /// Encode one Extended JSON document (stdin) as a cookie value (stdout).
    ///
    /// The session is read from stdin as one Extended JSON document, canonical or relaxed, and
    /// written as the cookie value under the options: a JWT signed with the first of
    /// jwt_secret_keys, or a legacy cookie with --write-original-format true. Nothing is added
    /// to the session (no _accessed_time, no _id); integers beyond 64 bits are refused.
    #[command(after_help = after_help())]
    Encode(EncodeArgs),
    /// Show what a cookie (stdin) holds: format, verifying key, header, sizes, times, session.
    ///
    /// Prints, one per line: the format (jwt-bson, jwt-json, legacy-pickle, legacy-json), the key
    /// that verified the MAC, the JWS header, the size at each layer (cookie, payload,
    /// compressed, inflated), _creation_time and _accessed_time as ISO dates with their age at
    /// --now, the timeout check, and the session as Extended JSON. With --no-verify the MAC is
    /// not checked and the output is marked UNVERIFIED; every other check still applies and
    /// pickles are still read by the whitelist, which never runs code.
    #[command(after_help = after_help())]
    Inspect(InspectArgs),
    /// Rewrite a cookie (stdin) as a JWT under the current options, or count a file of cookies.
    ///
    /// Without --stats: reads one cookie value (legacy or JWT, as the options accept) and prints
    /// it as a JWT signed with the first of jwt_secret_keys. With --stats FILE: reads one cookie
    /// value per line of FILE ("-" for stdin) and prints how many came in each format and were
    /// verified by each key, and how many were refused and why: the answer to "can we turn
    /// read_original_format off yet?" and "is an old key still in use?".
    #[command(after_help = after_help())]
    Migrate(MigrateArgs),
    /// Print a new random key: 64 hex characters, like Python's secrets.token_hex().
    #[command(after_help = EXIT_STATUS)]
    Keygen(KeygenArgs),
}

fn after_help() -> String {
    format!("{SOURCES}\n\n{EXIT_STATUS}")
}

/// Beaker's session options, by their own names with dashes.
#[derive(Debug, Args)]
#[command(next_help_heading = "Beaker options")]
pub struct Options {
    /// The app's Paste/Pyramid .ini file to read session.* / beaker.session.* options from.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The section of --config holding the app's options.
    #[arg(long, value_name = "SECTION", default_value = "app:main")]
    pub config_section: String,
    /// jwt_secret_keys: comma-separated; the first signs, every one verifies. Prefer the
    /// BEAKER_JWT_SECRET_KEYS environment variable: a flag shows in `ps`.
    #[arg(long, value_name = "K1,K2")]
    pub jwt_secret_keys: Option<String>,
    /// bson_compress_jwt_payload: bsZ claims (true, Beaker's default) or the session as JSON
    /// claims (false).
    #[arg(long, value_name = "BOOL")]
    pub bson_compress_jwt_payload: Option<String>,
    /// read_original_format: also accept legacy Beaker signed cookies.
    #[arg(long, value_name = "BOOL")]
    pub read_original_format: Option<String>,
    /// write_original_format: write legacy Beaker signed cookies (encode).
    #[arg(long, value_name = "BOOL")]
    pub write_original_format: Option<String>,
    /// original_format_validate_key: the legacy HMAC-SHA1 key. Prefer the
    /// BEAKER_ORIGINAL_FORMAT_VALIDATE_KEY environment variable.
    #[arg(long, value_name = "KEY")]
    pub original_format_validate_key: Option<String>,
    /// original_format_data_serializer: how legacy cookies are serialized.
    #[arg(long, value_name = "pickle|json")]
    pub original_format_data_serializer: Option<String>,
    /// original_format_remove_keys: comma-separated session keys dropped from legacy cookies.
    #[arg(long, value_name = "A,B")]
    pub original_format_remove_keys: Option<String>,
    /// timeout: a session whose _accessed_time is older than SECS (at --now) is refused as
    /// expired.
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<String>,
    /// time_mode (ours): beaker (Python's rules) or strict (a missing or future _accessed_time
    /// is expired too).
    #[arg(long, value_name = "beaker|strict")]
    pub time_mode: Option<String>,
    /// allow_weak_keys (ours): accept keys under 14 bytes, as Python does (with a warning).
    #[arg(long, value_name = "BOOL")]
    pub allow_weak_keys: Option<String>,
    /// The current time for --timeout and ages, in seconds since the Unix epoch (default: the
    /// system clock).
    #[arg(long, value_name = "UNIX_SECS", value_parser = finite_seconds)]
    pub now: Option<f64>,
}

fn finite_seconds(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(secs) if secs.is_finite() => Ok(secs),
        _ => Err("expected a finite number of seconds since the Unix epoch".to_string()),
    }
}

#[derive(Debug, Args)]
pub struct DecodeArgs {
    #[command(flatten)]
    pub options: Options,
    /// Print relaxed Extended JSON (plain numbers, ISO dates) instead of canonical.
    #[arg(long)]
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
    pub options: Options,
    /// Do not check the MAC: show what the cookie claims, marked UNVERIFIED. No key is needed.
    #[arg(long)]
    pub no_verify: bool,
    /// Show the session as relaxed Extended JSON instead of canonical.
    #[arg(long)]
    pub relaxed: bool,
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub options: Options,
    /// Count the cookie values of FILE (one a line, "-" for stdin) by format, verifying key
    /// and refusal, instead of migrating one.
    #[arg(long, value_name = "FILE")]
    pub stats: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Random bytes in the key, 7 to 1024 (it prints twice as many hex characters).
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u16).range(7..=1024))]
    pub bytes: u16,
}
