//! The subcommands that turn one input into one output: decode, encode, migrate (one cookie)
//! and keygen. Each returns the text for stdout.

use std::io::Read;

use beaker_session_jwt::{decode_cookie, encode_cookie, migrate_cookie};

use crate::args::{DecodeArgs, EncodeArgs, KeygenArgs, MigrateArgs};
use crate::extjson::{self, Style};
use crate::failure::Failure;
use crate::input;
use crate::settings;

/// `decode`: the session as one line of Extended JSON.
pub fn decode(args: &DecodeArgs, stdin: impl Read) -> Result<String, Failure> {
    let config = settings::config(&args.options, true)?;
    let value = input::cookie(stdin, config.limits.max_cookie_len)?;
    let decoded = decode_cookie(&value, &config, settings::now(&args.options))?;
    let style = if args.relaxed {
        Style::Relaxed
    } else {
        Style::Canonical
    };
    Ok(extjson::write(&decoded.session, style))
}

/// `encode`: the cookie value for one Extended JSON document.
pub fn encode(args: &EncodeArgs, stdin: impl Read) -> Result<String, Failure> {
    let config = settings::config(&args.options, true)?;
    let text = input::document(stdin)?;
    let session = extjson::read(&text).map_err(Failure::input)?;
    Ok(encode_cookie(&session, &config)?)
}

/// `migrate` without `--stats`: the cookie as a JWT under the current options.
pub fn migrate(args: &MigrateArgs, stdin: impl Read) -> Result<String, Failure> {
    let config = settings::config(&args.options, true)?;
    let value = input::cookie(stdin, config.limits.max_cookie_len)?;
    Ok(migrate_cookie(&value, &config, settings::now(&args.options))?.cookie)
}

/// `keygen`: `secrets.token_hex(nbytes)`.
pub fn keygen(args: &KeygenArgs) -> Result<String, Failure> {
    let mut bytes = vec![0u8; usize::from(args.bytes)];
    getrandom::fill(&mut bytes)
        .map_err(|e| Failure::Rejected(format!("the system random source failed: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
