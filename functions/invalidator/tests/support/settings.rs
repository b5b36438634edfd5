//! The function's settings and time, as the tests set them.

use std::time::{Duration, SystemTime};

use invalidator::Config;
use plumbing::settings::Settings;

/// Settings from `(variable, value)` pairs, as the function reads its environment.
pub fn config(vars: &[(&str, &str)]) -> Config {
    Config::from_settings(&Settings::from_pairs(vars.iter().copied())).expect("test configuration")
}

/// When every test invocation starts (on the manual clock).
pub fn start() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_715_678_467)
}

/// A Lambda deadline `seconds` after [`start`].
pub fn deadline(seconds: u64) -> SystemTime {
    start() + Duration::from_secs(seconds)
}
