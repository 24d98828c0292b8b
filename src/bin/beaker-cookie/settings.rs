//! The `Config` a subcommand runs with: Beaker's options from the app's `.ini`, then the
//! environment, then the command line (each later source overrides the earlier ones), each
//! parsed by `Config::set_option` exactly as the library parses an `.ini` line. The `.ini` is
//! read by the library's PasteDeploy reader (`beaker_session_jwt::ini`), its names mapped by
//! `Config::option_name` and the variables are `Config::ENV_VARS`, so `Config::from_ini_file`
//! and `Config::from_env` read what the CLI reads. Every error names the flag, variable or
//! file line at fault.

use beaker_session_jwt::{Config, Error, SecretKey, MIN_KEY_LEN};

use crate::args::Options;
use crate::failure::Failure;

/// Only here to start from Beaker's defaults: `Config::new` needs a valid key, which is then
/// removed before any option is read.
const PLACEHOLDER_KEY: &str = "placeholder-key-never-used";

/// One option value and where it came from.
struct Setting {
    source: String,
    name: String,
    value: String,
}

/// Every Beaker option the command line takes, as `(flag, option name)`.
pub const FLAGS: [(&str, &str); 10] = [
    ("--jwt-secret-keys", "jwt_secret_keys"),
    ("--bson-compress-jwt-payload", "bson_compress_jwt_payload"),
    ("--read-original-format", "read_original_format"),
    ("--write-original-format", "write_original_format"),
    (
        "--original-format-validate-key",
        "original_format_validate_key",
    ),
    (
        "--original-format-data-serializer",
        "original_format_data_serializer",
    ),
    (
        "--original-format-remove-keys",
        "original_format_remove_keys",
    ),
    ("--timeout", "timeout"),
    ("--time-mode", "time_mode"),
    ("--allow-weak-keys", "allow_weak_keys"),
];

impl Options {
    fn flag_values(&self) -> [Option<&String>; 10] {
        [
            self.jwt_secret_keys.as_ref(),
            self.bson_compress_jwt_payload.as_ref(),
            self.read_original_format.as_ref(),
            self.write_original_format.as_ref(),
            self.original_format_validate_key.as_ref(),
            self.original_format_data_serializer.as_ref(),
            self.original_format_remove_keys.as_ref(),
            self.timeout.as_ref(),
            self.time_mode.as_ref(),
            self.allow_weak_keys.as_ref(),
        ]
    }
}

fn collect(options: &Options) -> Result<Vec<Setting>, Failure> {
    let mut settings = Vec::new();
    if let Some(path) = &options.config {
        let pairs = beaker_session_jwt::ini::file_settings(path, &options.config_section)
            .map_err(|e| Failure::usage(format!("--config: {e}")))?;
        for (key, value) in &pairs {
            // The library's rule: other apps' options are skipped, unknown session ones refused.
            let Some(name) = Config::option_name(key) else {
                continue;
            };
            settings.push(Setting {
                source: format!("{} [{}] {key}", path.display(), options.config_section),
                name: name.to_string(),
                value: value.clone(),
            });
        }
    }
    for (var, name) in Config::ENV_VARS {
        match std::env::var(var) {
            Ok(value) => settings.push(Setting {
                source: var.to_string(),
                name: name.to_string(),
                value,
            }),
            Err(std::env::VarError::NotPresent) => {}
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(Failure::usage(format!("{var}: not valid UTF-8")))
            }
        }
    }
    for ((flag, name), value) in FLAGS.iter().zip(options.flag_values()) {
        if let Some(value) = value {
            settings.push(Setting {
                source: flag.to_string(),
                name: name.to_string(),
                value: value.clone(),
            });
        }
    }
    Ok(settings)
}

/// Where the option `name` was last set, for error messages.
fn source_of(settings: &[Setting], name: &str) -> String {
    settings
        .iter()
        .rev()
        .find(|s| s.name == name)
        .map(|s| s.source.clone())
        .unwrap_or_else(|| {
            let flag = FLAGS
                .iter()
                .find(|(_, option)| *option == name)
                .map_or("", |(flag, _)| flag);
            let var = Config::ENV_VARS
                .iter()
                .find(|(_, option)| *option == name)
                .map_or(String::new(), |(var, _)| format!("{var}, "));
            format!("{name} is not set (give {flag}, {var}or session.{name} in --config)")
        })
}

/// Builds the config; `validate == false` skips [`Config::validate`] (for `inspect
/// --no-verify`, which needs no key).
///
/// # Errors
/// A usage failure naming the source of the bad value.
pub fn config(options: &Options, validate: bool) -> Result<Config, Failure> {
    let settings = collect(options)?;
    let mut config = Config::new([PLACEHOLDER_KEY])
        .map_err(|e| Failure::usage(format!("internal: default config refused: {e}")))?;
    config.jwt_secret_keys.clear();
    for s in &settings {
        config.set_option(&s.name, &s.value).map_err(|e| {
            // The library's rule for which values an error may show: never a key.
            if beaker_session_jwt::ini::value_is_shown(&s.name) {
                Failure::usage(format!("{} = {:?}: {e}", s.source, s.value.trim()))
            } else {
                Failure::usage(format!("{}: {e}", s.source))
            }
        })?;
    }
    if validate {
        config.validate().map_err(|e| match culprit(&config, e) {
            Some(name) => Failure::usage(format!("{}: {e}", source_of(&settings, name))),
            None => Failure::usage(e.to_string()),
        })?;
    }
    Ok(config)
}

/// The option a validation error is about, when it is about a key.
fn culprit(config: &Config, e: Error) -> Option<&'static str> {
    let weak = |k: &SecretKey| k.is_empty() || (k.len() < MIN_KEY_LEN && !config.allow_weak_keys);
    match e {
        Error::Config("no jwt_secret_keys specified") => Some("jwt_secret_keys"),
        Error::Config("no original_format_validate_key specified") => {
            Some("original_format_validate_key")
        }
        _ if config.jwt_secret_keys.iter().any(weak) => Some("jwt_secret_keys"),
        _ if config
            .original_format_validate_key
            .as_ref()
            .is_some_and(weak) =>
        {
            Some("original_format_validate_key")
        }
        _ => None,
    }
}

/// `--now`, or the system clock.
pub fn now(options: &Options) -> f64 {
    options.now.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64())
    })
}
