//! `cfsign`: CloudFront signed URLs and cookies from the command line.
//!
//! Exit codes: 0 done (or `valid`), 1 a verified URL is invalid, 2 bad input of
//! any kind, reported as one line on stderr that never holds key material.

mod cli;
mod dates;
mod files;
mod keygen;
#[cfg(feature = "kms")]
mod kms;
mod redact;
mod sign;
mod speed;
mod verify;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

use cli::{Cli, Command};

/// A failure to report: one line, exit code 2.
#[derive(Debug)]
pub struct Failure(String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(error: E) -> Self {
        Failure(error.to_string())
    }
}

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
    let report = |message: &str| fail(&redact::redact(message, &arguments));
    let cli = match Cli::try_parse_from(&arguments) {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        // `cfsign` alone: the usage, on stderr, as a usage error.
        Err(e) if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = write!(std::io::stderr(), "{}", e.render());
            return ExitCode::from(2);
        }
        Err(e) => {
            // Key text pasted where a path belongs (`--private-key "$(cat key.pem)"`)
            // splits into unexpected arguments; redacted, the error alone would not say why.
            let line = one_line(&redact::redact(&e.to_string(), &arguments));
            let hint = if e.kind() == ErrorKind::UnknownArgument && line.contains("'<redacted>") {
                "; --private-key and --public-key take a file path (or file://PATH), not key text"
            } else {
                ""
            };
            return fail(&format!("{line}{hint}"));
        }
    };
    let outcome = match cli.command {
        Command::Sign(args) => sign::url(args),
        Command::Cookies(args) => sign::cookies(args),
        Command::Verify(args) => verify::run(args),
        Command::Keygen(args) => keygen::run(args),
        Command::Speed(args) => speed::run(args),
        #[cfg(feature = "kms")]
        Command::KmsPublicKey(args) => kms::public_key(args),
    };
    outcome.unwrap_or_else(|Failure(message)| report(&message))
}

/// Reports `message` (already free of key material) as one stderr line, exit 2.
fn fail(message: &str) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "cfsign: {}", one_line(message));
    ExitCode::from(2)
}

/// Folds clap's multi-line usage errors into one line, without the usage block
/// or the closing pointer to --help.
fn one_line(message: &str) -> String {
    let before_usage = message.split("\nUsage:").next().unwrap_or(message);
    let before_usage = before_usage.split("\nFor more information").next().unwrap_or(before_usage);
    let folded = before_usage.split_whitespace().collect::<Vec<_>>().join(" ");
    folded.strip_prefix("error: ").unwrap_or(&folded).to_owned()
}

/// Writes lines to stdout; a closed pipe (`| head`) ends the program quietly.
pub fn print_lines<I: IntoIterator<Item = S>, S: AsRef<str>>(lines: I) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    for line in lines {
        if let Err(e) = writeln!(out, "{}", line.as_ref()) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return Ok(());
            }
            return Err(Failure(format!("cannot write to stdout: {e}")));
        }
    }
    out.flush().or_else(|e| if e.kind() == std::io::ErrorKind::BrokenPipe { Ok(()) } else { Err(e.into()) })
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn folds_clap_errors() {
        let clap = "error: the following required arguments were not provided:\n  --url <URL>\n\nUsage: cfsign sign --url <URL>\n\nFor more information, try '--help'.\n";
        assert_eq!(one_line(clap), "the following required arguments were not provided: --url <URL>");
        let value = "error: invalid value 'MD5' for '--hash-algorithm <HASH_ALGORITHM>': unknown hash algorithm \"MD5\": expected SHA1 or SHA256\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_line(value),
            "invalid value 'MD5' for '--hash-algorithm <HASH_ALGORITHM>': unknown hash algorithm \"MD5\": expected SHA1 or SHA256"
        );
    }
}
