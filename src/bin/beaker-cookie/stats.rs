//! `migrate --stats`: counts a file of cookie values by format, verifying key and refusal.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};

use beaker_session_jwt::{decode_cookie, encode_cookie, Config, Format};

use crate::args::MigrateArgs;
use crate::failure::{category, Failure};
use crate::input::{self, Line};
use crate::report::format_name;
use crate::settings;

const FORMATS: [Format; 4] = [
    Format::JwtBson,
    Format::JwtJson,
    Format::LegacyPickle,
    Format::LegacyJson,
];

#[derive(Default)]
struct Counts {
    total: usize,
    formats: BTreeMap<&'static str, usize>,
    jwt_keys: BTreeMap<usize, usize>,
    legacy: usize,
    rejected: BTreeMap<String, usize>,
    unmigratable: BTreeMap<String, usize>,
}

/// `migrate --stats FILE`: the report for stdout.
pub fn stats(args: &MigrateArgs, file: &std::path::Path) -> Result<String, Failure> {
    let config = settings::config(&args.options, true)?;
    let now = settings::now(&args.options);
    let mut reader: Box<dyn BufRead> = if file.as_os_str() == "-" {
        Box::new(BufReader::new(std::io::stdin().lock()))
    } else {
        let opened = std::fs::File::open(file)
            .map_err(|e| Failure::usage(format!("--stats: {}: {e}", file.display())))?;
        Box::new(BufReader::new(opened))
    };
    let mut jwt_config = config.clone();
    jwt_config.write_original_format = false;
    let mut counts = Counts::default();
    while let Some(line) = input::next_line(&mut reader, config.limits.max_cookie_len)
        .map_err(|e| Failure::input(format!("reading {}: {e}", file.display())))?
    {
        counts.total += 1;
        // A line is pasted as `decode` takes it: the value, `name=value` or a header line.
        let value = match line {
            Line::Value(value) => match input::extract(&value, &config) {
                Ok(value) => value,
                Err(_) => {
                    *counts.rejected.entry("input".to_string()).or_default() += 1;
                    continue;
                }
            },
            Line::Refused(why) => {
                *counts.rejected.entry(why.to_string()).or_default() += 1;
                continue;
            }
        };
        count(&mut counts, &value, &config, &jwt_config, now);
    }
    Ok(render(&counts, &config))
}

fn count(counts: &mut Counts, value: &str, config: &Config, jwt_config: &Config, now: f64) {
    match decode_cookie(value, config, now) {
        Ok(decoded) => {
            *counts
                .formats
                .entry(format_name(decoded.format))
                .or_default() += 1;
            if decoded.format.is_legacy() {
                counts.legacy += 1;
            } else {
                *counts.jwt_keys.entry(decoded.key_index).or_default() += 1;
            }
            // Would the JWT written back fit and hold every value?
            if let Err(e) = encode_cookie(&decoded.session, jwt_config) {
                *counts
                    .unmigratable
                    .entry(category(&e).to_string())
                    .or_default() += 1;
            }
        }
        Err(e) => {
            *counts.rejected.entry(category(&e).to_string()).or_default() += 1;
        }
    }
}

fn render(counts: &Counts, config: &Config) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "total: {}", counts.total);
    // Formats and keys no cookie used are not in the maps: they count 0.
    for format in FORMATS {
        let name = format_name(format);
        let n = counts.formats.get(name).copied().unwrap_or(0);
        let _ = writeln!(out, "format {name}: {n}");
    }
    for i in 0..config.jwt_secret_keys.len() {
        let n = counts.jwt_keys.get(&i).copied().unwrap_or(0);
        let _ = writeln!(out, "key jwt_secret_keys[{i}]: {n}");
    }
    if config.read_original_format {
        let _ = writeln!(out, "key original_format_validate_key: {}", counts.legacy);
    }
    let rejected: usize = counts.rejected.values().sum();
    let _ = writeln!(out, "rejected: {rejected}");
    for (why, n) in &counts.rejected {
        let _ = writeln!(out, "rejected {why}: {n}");
    }
    let unmigratable: usize = counts.unmigratable.values().sum();
    let _ = writeln!(out, "not migratable: {unmigratable}");
    for (why, n) in &counts.unmigratable {
        let _ = writeln!(out, "not migratable {why}: {n}");
    }
    out.pop();
    out
}
