//! Logging as Lambda's default subscriber does it (the level from
//! `AWS_LAMBDA_LOG_LEVEL`, else `RUST_LOG`, else INFO; JSON lines under
//! `AWS_LAMBDA_LOG_FORMAT=JSON`; no timestamps, which CloudWatch adds), with
//! one difference: crates other than ours never log below INFO.
//!
//! Why: at TRACE the Lambda runtime logs every raw event it receives (a
//! caller's bearer token, CloudFormation's pre-signed ResponseURL), and the
//! AWS SDK every request and response it sends and reads (the private key in
//! GetSecretValue's answer and in PutSecretValue's request). The template
//! offers no TRACE, but the variable can be set by hand; this filter holds
//! whatever it says. `RUST_LOG` is read as a level only, never as per-crate
//! directives, for the same reason.

use std::str::FromStr;

use lambda_runtime::tracing::dispatcher::{Dispatch, set_global_default};
use lambda_runtime::tracing::subscriber::filter::{EnvFilter, LevelFilter};
use lambda_runtime::tracing::subscriber::fmt;
use lambda_runtime::tracing::subscriber::fmt::MakeWriter;

use crate::settings::Settings;

/// The crates whose own lines follow the level asked for, down to TRACE.
const OWN_CRATES: [&str; 5] = ["url_signer", "key_rotator", "invalidator", "cfsign", "plumbing"];

/// What the environment asks of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogSettings {
    /// The level for our own crates; others stop at INFO.
    pub level: LevelFilter,
    /// JSON lines (`AWS_LAMBDA_LOG_FORMAT=JSON`) or text.
    pub json: bool,
}

impl LogSettings {
    /// What `settings` ask; an unreadable level is INFO, as Lambda's default,
    /// since a log that cannot start should not stop the function.
    pub fn from_settings(settings: &Settings) -> Self {
        let level = settings.get("AWS_LAMBDA_LOG_LEVEL").or_else(|| settings.get("RUST_LOG"));
        let level = level.and_then(|l| LevelFilter::from_str(&l).ok()).unwrap_or(LevelFilter::INFO);
        let json = settings.get("AWS_LAMBDA_LOG_FORMAT").is_some_and(|f| f.eq_ignore_ascii_case("json"));
        Self { level, json }
    }
}

/// Installs the subscriber for the process, from its environment.
pub fn init_logging() {
    let settings = LogSettings::from_settings(&Settings::from_env());
    // Only fails when a subscriber is already set, which then stays.
    let _ = set_global_default(subscriber(settings, std::io::stdout));
}

/// The subscriber for `settings`, writing to `writer`.
pub fn subscriber<W>(settings: LogSettings, writer: W) -> Dispatch
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = fmt().with_target(false).without_time().with_env_filter(filter(settings.level)).with_writer(writer);
    if settings.json { Dispatch::new(builder.json().finish()) } else { Dispatch::new(builder.finish()) }
}

/// `level` for our crates, and at most INFO for every other.
pub fn filter(level: LevelFilter) -> EnvFilter {
    let others = level.min(LevelFilter::INFO);
    let mut filter = EnvFilter::builder().with_default_directive(others.into()).parse_lossy("");
    for name in OWN_CRATES {
        filter = filter.add_directive(format!("{name}={level}").parse().expect("a crate name and a level"));
    }
    filter
}

/// Everything a subscriber writes, kept for a test to read.
#[cfg(feature = "test-util")]
#[derive(Clone, Default)]
pub struct CapturedLog(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

#[cfg(feature = "test-util")]
impl CapturedLog {
    /// The subscriber of the functions for `settings`, writing here, and what it wrote.
    pub fn subscriber(settings: LogSettings) -> (Dispatch, Self) {
        let log = Self::default();
        let writer = log.clone();
        (subscriber(settings, move || writer.clone()), log)
    }

    /// What was written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("no writer panicked")).into_owned()
    }
}

#[cfg(feature = "test-util")]
impl std::io::Write for CapturedLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("no writer panicked").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_comes_from_lambda_then_rust_log_and_defaults_to_info() {
        let settings = |vars: &[(&str, &str)]| LogSettings::from_settings(&Settings::from_pairs(vars.iter().copied()));
        assert_eq!(settings(&[]), LogSettings { level: LevelFilter::INFO, json: false });
        assert_eq!(settings(&[("AWS_LAMBDA_LOG_LEVEL", "DEBUG"), ("RUST_LOG", "error")]).level, LevelFilter::DEBUG);
        assert_eq!(settings(&[("RUST_LOG", "warn")]).level, LevelFilter::WARN);
        assert_eq!(settings(&[("RUST_LOG", "aws_smithy_runtime=trace")]).level, LevelFilter::INFO);
        assert!(settings(&[("AWS_LAMBDA_LOG_FORMAT", "JSON")]).json);
    }
}
