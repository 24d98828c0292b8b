//! The subcommands that turn one input into one output: decode, encode, migrate (one cookie)
//! and keygen. Each returns the text for stdout.

use std::io::Read;

use beaker_session_jwt::{decode_cookie, encode_cookie, Config, Error, Limit, Session};

use crate::args::{DecodeArgs, EncodeArgs, KeygenArgs, MigrateArgs};
use crate::extjson::{self, Style};
use crate::failure::{self, Failure};
use crate::input;
use crate::settings;

/// `decode`: the session as one line of Extended JSON.
pub fn decode(args: &DecodeArgs, stdin: impl Read) -> Result<String, Failure> {
    let config = settings::config(&args.options, true)?;
    let value = input::cookie(args.input.cookie.as_deref(), stdin, &config)?;
    let now = settings::now(&args.options);
    let decoded = decode_cookie(&value, &config, now)
        .map_err(|e| failure::refused_cookie(&e, &value, &config, now, false))?;
    let style = if args.relaxed {
        Style::Relaxed
    } else {
        Style::Canonical
    };
    Ok(extjson::write(&decoded.session, style)?)
}

/// `encode`: the cookie value for one Extended JSON document.
pub fn encode(args: &EncodeArgs, stdin: impl Read) -> Result<String, Failure> {
    let config = settings::config(&args.options, true)?;
    let text = input::document(stdin)?;
    let session = extjson::read(&text).map_err(Failure::input)?;
    write(&session, &config)
}

/// `migrate` without `--stats`: the cookie as a JWT under the current options.
pub fn migrate(args: &MigrateArgs, stdin: impl Read) -> Result<String, Failure> {
    let config = settings::config(&args.options, true)?;
    let value = input::cookie(args.input.cookie.as_deref(), stdin, &config)?;
    let now = settings::now(&args.options);
    // migrate_cookie, in two steps so that each refusal gets its own numbers.
    let decoded = decode_cookie(&value, &config, now)
        .map_err(|e| failure::refused_cookie(&e, &value, &config, now, false))?;
    let mut jwt_config = config;
    jwt_config.write_original_format = false;
    write(&decoded.session, &jwt_config)
}

/// `encode_cookie`, with the written length and the limit when `max_write_len` refuses it.
fn write(session: &Session, config: &Config) -> Result<String, Failure> {
    encode_cookie(session, config).map_err(|e| {
        let detail = match e {
            Error::LimitExceeded(Limit::WriteLen) => {
                // Written again without the bound, only to measure it; the bound on the input
                // (MAX_SESSION_INPUT, or a decoded cookie) bounds this one.
                let mut unbounded = config.clone();
                unbounded.limits.max_write_len = usize::MAX;
                let limit = config.limits.max_write_len;
                Some(match encode_cookie(session, &unbounded) {
                    Ok(cookie) => format!(
                        "the cookie would be {} bytes, over the limit of {limit}",
                        cookie.len()
                    ),
                    Err(_) => format!("the cookie would be over the limit of {limit} bytes"),
                })
            }
            Error::LimitExceeded(limit) => {
                failure::limit_value(&config.limits, limit).map(|n| format!("the limit is {n}"))
            }
            _ => None,
        };
        Failure::explained(&e, detail.as_deref(), None)
    })
}

/// `keygen`: `secrets.token_hex(nbytes)`.
pub fn keygen(args: &KeygenArgs) -> Result<String, Failure> {
    let mut bytes = vec![0u8; usize::from(args.bytes)];
    getrandom::fill(&mut bytes)
        .map_err(|e| Failure::Rejected(format!("the system random source failed: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
