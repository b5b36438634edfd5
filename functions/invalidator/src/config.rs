//! The function's settings, read once from the environment (README.md lists them).

use crate::error::InvalidatorError;
use crate::glob::Glob;
use crate::key_filter::KeyFilter;
use crate::target::Target;

/// Collapse a directory's paths into `dir/*` when more than this many change at once.
pub const DEFAULT_COLLAPSE_THRESHOLD: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub targets: Vec<Target>,
    pub collapse_threshold: usize,
    pub index_document: Option<String>,
    pub filter: KeyFilter,
}

impl Config {
    pub fn from_env() -> Result<Self, InvalidatorError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup` (a variable's value, if set).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, InvalidatorError> {
        let set = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());

        let targets: Vec<Target> = match set(TARGETS) {
            Some(json) => serde_json::from_str(&json).map_err(|e| invalid(TARGETS, e))?,
            None => return Err(invalid(TARGETS, "is required: a JSON list of targets")),
        };
        if targets.is_empty() {
            return Err(invalid(TARGETS, "lists no target"));
        }

        let collapse_threshold = match set(THRESHOLD) {
            Some(value) => match value.trim().parse::<usize>() {
                Ok(threshold) if threshold > 0 => threshold,
                _ => return Err(invalid(THRESHOLD, format!("{value:?} is not a whole number above 0"))),
            },
            None => DEFAULT_COLLAPSE_THRESHOLD,
        };

        let index_document = set(INDEX).map(|name| name.trim().to_owned());
        if let Some(name) = &index_document
            && name.contains('/')
        {
            return Err(invalid(INDEX, format!("{name:?} is a file name and cannot contain /")));
        }

        let include = patterns(INCLUDE, set(INCLUDE))?;
        let exclude = patterns(EXCLUDE, set(EXCLUDE))?;
        Ok(Self { targets, collapse_threshold, index_document, filter: KeyFilter::new(include, exclude) })
    }
}

const TARGETS: &str = "INVALIDATION_TARGETS";
const THRESHOLD: &str = "COLLAPSE_THRESHOLD";
const INDEX: &str = "INDEX_DOCUMENT";
const INCLUDE: &str = "INCLUDE_PATTERNS";
const EXCLUDE: &str = "EXCLUDE_PATTERNS";

fn patterns(name: &'static str, json: Option<String>) -> Result<Vec<Glob>, InvalidatorError> {
    let Some(json) = json else { return Ok(Vec::new()) };
    let patterns: Vec<String> =
        serde_json::from_str(&json).map_err(|e| invalid(name, format!("not a JSON list of strings: {e}")))?;
    Ok(patterns.iter().map(|pattern| Glob::new(pattern)).collect())
}

fn invalid(name: &'static str, reason: impl ToString) -> InvalidatorError {
    InvalidatorError::Config { name, reason: reason.to_string() }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::{Config, DEFAULT_COLLAPSE_THRESHOLD};
    use crate::error::InvalidatorError;

    const ONE_TARGET: &str = r#"[{"bucket":"assets","distribution_id":"E1"}]"#;

    fn config(vars: &[(&str, &str)]) -> Result<Config, InvalidatorError> {
        let vars: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    fn failing_variable(vars: &[(&str, &str)]) -> &'static str {
        match config(vars) {
            Err(InvalidatorError::Config { name, .. }) => name,
            other => panic!("expected a configuration error, got {other:?}"),
        }
    }

    #[test]
    fn only_the_targets_are_required() {
        let config = config(&[("INVALIDATION_TARGETS", ONE_TARGET)]).unwrap();
        assert_eq!(config.targets.len(), 1);
        assert_eq!(config.collapse_threshold, DEFAULT_COLLAPSE_THRESHOLD);
        assert_eq!(config.index_document, None);
        assert!(config.filter.admits("anything"));
    }

    #[test]
    fn every_setting_is_read() {
        let config = config(&[
            ("INVALIDATION_TARGETS", ONE_TARGET),
            ("COLLAPSE_THRESHOLD", "5"),
            ("INDEX_DOCUMENT", "index.html"),
            ("INCLUDE_PATTERNS", r#"["public/**"]"#),
            ("EXCLUDE_PATTERNS", r#"["**.tmp"]"#),
        ])
        .unwrap();
        assert_eq!(config.collapse_threshold, 5);
        assert_eq!(config.index_document.as_deref(), Some("index.html"));
        assert!(config.filter.admits("public/a.jpg"));
        assert!(!config.filter.admits("public/a.tmp"));
        assert!(!config.filter.admits("private/a.jpg"));
    }

    #[test]
    fn each_bad_setting_names_its_variable() {
        assert_eq!(failing_variable(&[]), "INVALIDATION_TARGETS");
        assert_eq!(failing_variable(&[("INVALIDATION_TARGETS", "[]")]), "INVALIDATION_TARGETS");
        assert_eq!(failing_variable(&[("INVALIDATION_TARGETS", r#"{"bucket":"b"}"#)]), "INVALIDATION_TARGETS");
        let with = |name, value| failing_variable(&[("INVALIDATION_TARGETS", ONE_TARGET), (name, value)]);
        assert_eq!(with("COLLAPSE_THRESHOLD", "0"), "COLLAPSE_THRESHOLD");
        assert_eq!(with("COLLAPSE_THRESHOLD", "many"), "COLLAPSE_THRESHOLD");
        assert_eq!(with("INDEX_DOCUMENT", "dir/index.html"), "INDEX_DOCUMENT");
        assert_eq!(with("INCLUDE_PATTERNS", "public/**"), "INCLUDE_PATTERNS");
        assert_eq!(with("EXCLUDE_PATTERNS", r#"[1]"#), "EXCLUDE_PATTERNS");
    }
}
