//! `beaker-cookie`: decode, encode, inspect and migrate Beaker session cookies, and make keys,
//! from the command line (feature `cli`). Sessions travel as MongoDB Extended JSON v2.
//!
//! Exit status: 0 on success (also when stdout is closed early, as by `| head -1`), 1 when the
//! cookie or session is refused (one line on stderr with the category and the layer, nothing on
//! stdout), 2 for a usage error.

mod args;
mod commands;
mod extjson;
mod failure;
mod input;
mod report;
mod settings;
mod stats;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
use failure::Failure;

fn run(command: &Command) -> Result<String, Failure> {
    let stdin = std::io::stdin().lock();
    match command {
        Command::Decode(args) => commands::decode(args, stdin),
        Command::Encode(args) => commands::encode(args, stdin),
        Command::Inspect(args) => {
            let report = report::inspect(args, stdin)?;
            if args.no_verify {
                eprintln!("beaker-cookie inspect: {}", report::UNVERIFIED);
            }
            Ok(report)
        }
        Command::Migrate(args) => match &args.stats {
            Some(file) => {
                drop(stdin);
                stats::stats(args, file)
            }
            None => commands::migrate(args, stdin),
        },
        Command::Keygen(args) => commands::keygen(args),
    }
}

fn name(command: &Command) -> &'static str {
    match command {
        Command::Decode(_) => "decode",
        Command::Encode(_) => "encode",
        Command::Inspect(_) => "inspect",
        Command::Migrate(_) => "migrate",
        Command::Keygen(_) => "keygen",
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print to stdout and succeed; the rest are usage errors.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(&cli.command) {
        Ok(text) => {
            let mut stdout = std::io::stdout().lock();
            match writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                // `... | head -1`: the reader has what it wanted; not a refused cookie.
                Err(e) if failure::stdout_closed(&e) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("beaker-cookie {}: writing stdout: {e}", name(&cli.command));
                    ExitCode::from(1)
                }
            }
        }
        Err(failure) => {
            eprintln!(
                "beaker-cookie {}: {}",
                name(&cli.command),
                failure.message()
            );
            failure.exit_code()
        }
    }
}
