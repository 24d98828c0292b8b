//! Why a subcommand failed, and the exit code that says so: 1 for a refused cookie or session
//! (the data), 2 for a usage error (flags, environment, `--config`).

use std::process::ExitCode;

use beaker_session_jwt::Error;

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
        if let Error::Config(_) = e {
            return Failure::Usage(e.to_string());
        }
        let category = category(e);
        Failure::Rejected(match e.layer() {
            Some(layer) => format!("rejected: {category} in {layer}: {e}"),
            None => format!("rejected: {category}: {e}"),
        })
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
        Error::Config(_) => "config",
        _ => "error",
    }
}
