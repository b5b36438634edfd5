//! The function's settings and time, as the tests set them.

use std::time::{Duration, SystemTime};

use invalidator::Config;

/// Settings from `(variable, value)` pairs, as the function reads its environment.
pub fn config(vars: &[(&str, &str)]) -> Config {
    Config::from_lookup(|name| vars.iter().find(|(var, _)| *var == name).map(|(_, value)| value.to_string()))
        .expect("test configuration")
}

/// When every test invocation starts (on the manual clock).
pub fn start() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_715_678_467)
}

/// A Lambda deadline `seconds` after [`start`].
pub fn deadline(seconds: u64) -> SystemTime {
    start() + Duration::from_secs(seconds)
}
