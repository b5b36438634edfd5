//! Settings, read once at cold start from the environment (or, in tests, from
//! pairs standing in for it), with the same rules and wording in every
//! function: a value of spaces is unset, a mistake names its variable.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// A setting that is missing or malformed: the function cannot start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name} {problem}")]
pub struct SettingError {
    /// The variable.
    pub name: &'static str,
    problem: String,
}

impl SettingError {
    /// `name` must be set and is not.
    pub fn missing(name: &'static str) -> Self {
        Self { name, problem: "is not set".into() }
    }

    /// `name` is set but not to `expected`, which completes "must be …".
    pub fn invalid(name: &'static str, expected: impl fmt::Display) -> Self {
        Self { name, problem: format!("must be {expected}") }
    }
}

/// A variable's value by its name.
type Lookup = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Where settings come from: the process environment, or pairs in a test.
pub struct Settings(Lookup);

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Settings")
    }
}

impl Settings {
    /// The process environment.
    pub fn from_env() -> Self {
        Self(Box::new(|name| std::env::var(name).ok()))
    }

    /// These variables and no others.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Self {
        let values: HashMap<String, String> = pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        Self(Box::new(move |name| values.get(name).cloned()))
    }

    /// The value of `name`, trimmed; `None` when unset or blank.
    pub fn get(&self, name: &str) -> Option<String> {
        (self.0)(name).map(|value| value.trim().to_owned()).filter(|value| !value.is_empty())
    }

    /// The value of `name`, which must be set.
    pub fn required(&self, name: &'static str) -> Result<String, SettingError> {
        self.get(name).ok_or(SettingError::missing(name))
    }

    /// The value of `name` read as a `T`; `expected` says what it must be.
    pub fn parsed<T: FromStr>(&self, name: &'static str, expected: &str) -> Result<Option<T>, SettingError> {
        self.get(name).map(|value| value.parse().map_err(|_| SettingError::invalid(name, expected))).transpose()
    }

    /// A duration given in whole seconds, `default` when unset.
    pub fn seconds(&self, name: &'static str, default: u64) -> Result<Duration, SettingError> {
        let seconds = self.parsed(name, "a whole number of seconds")?.unwrap_or(default);
        Ok(Duration::from_secs(seconds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_values_are_unset_and_others_trimmed() {
        let settings = Settings::from_pairs([("BLANK", "  "), ("PADDED", " value ")]);
        assert_eq!(settings.get("BLANK"), None);
        assert_eq!(settings.get("UNSET"), None);
        assert_eq!(settings.get("PADDED").as_deref(), Some("value"));
        assert_eq!(settings.required("BLANK").unwrap_err().to_string(), "BLANK is not set");
    }

    #[test]
    fn typed_values_name_what_they_must_be() {
        let settings = Settings::from_pairs([("TTL", "90"), ("LATER", "1h"), ("COUNT", "-1")]);
        assert_eq!(settings.seconds("TTL", 5).unwrap(), Duration::from_secs(90));
        assert_eq!(settings.seconds("UNSET", 5).unwrap(), Duration::from_secs(5));
        let error = settings.seconds("LATER", 5).unwrap_err();
        assert_eq!((error.name, error.to_string().as_str()), ("LATER", "LATER must be a whole number of seconds"));
        let error = settings.parsed::<usize>("COUNT", "a whole number").unwrap_err();
        assert_eq!(error.to_string(), "COUNT must be a whole number");
        assert_eq!(settings.parsed::<usize>("UNSET", "a whole number").unwrap(), None);
    }

    #[test]
    fn the_environment_is_read_as_it_is() {
        // PATH is set wherever tests run; no test sets variables in its process.
        assert!(Settings::from_env().get("PATH").is_some());
    }
}
