//! The function's settings, read once from the environment (README.md lists them).

use plumbing::settings::{SettingError, Settings};

use crate::glob::Glob;
use crate::key_filter::KeyFilter;
use crate::target::Target;

/// Collapse a directory's paths into `dir/*` when more than this many change at once.
pub const DEFAULT_COLLAPSE_THRESHOLD: usize = 20;

/// Every setting, typed: which distribution serves a key, and how its paths are gathered into requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Which distribution serves which keys, at which path (`INVALIDATION_TARGETS`; at least one).
    pub targets: Vec<Target>,
    /// More changed entries than this in one directory become one `dir/*` path (`COLLAPSE_THRESHOLD`, default 20).
    pub collapse_threshold: usize,
    /// The file a directory is served as (`INDEX_DOCUMENT`, e.g. `index.html`): a change to `dir/index.html` also
    /// invalidates `/dir/` and `/dir`. None when unset.
    pub index_document: Option<String>,
    /// Which keys may cause invalidations at all (`INCLUDE_PATTERNS`, `EXCLUDE_PATTERNS`; unset, every key).
    pub filter: KeyFilter,
}

impl Config {
    /// The settings in the process environment, read by `main` at cold start; an error names the variable at fault.
    pub fn from_env() -> Result<Self, SettingError> {
        Self::from_settings(&Settings::from_env())
    }

    /// The settings `settings` holds (tests pass pairs); an error names the variable at fault.
    pub fn from_settings(settings: &Settings) -> Result<Self, SettingError> {
        let targets: Vec<Target> = serde_json::from_str(&settings.required(TARGETS)?)
            .map_err(|e| SettingError::invalid(TARGETS, format_args!("a JSON list of targets ({e})")))?;
        if targets.is_empty() {
            return Err(SettingError::invalid(TARGETS, "a list of at least one target"));
        }

        let collapse_threshold = settings.parsed(THRESHOLD, ABOVE_ZERO)?.unwrap_or(DEFAULT_COLLAPSE_THRESHOLD);
        if collapse_threshold == 0 {
            return Err(SettingError::invalid(THRESHOLD, ABOVE_ZERO));
        }

        let index_document = settings.get(INDEX);
        if index_document.as_ref().is_some_and(|name| name.contains('/')) {
            return Err(SettingError::invalid(INDEX, "a file name, without /"));
        }

        let include = patterns(INCLUDE, settings.get(INCLUDE))?;
        let exclude = patterns(EXCLUDE, settings.get(EXCLUDE))?;
        Ok(Self { targets, collapse_threshold, index_document, filter: KeyFilter::new(include, exclude) })
    }
}

const TARGETS: &str = "INVALIDATION_TARGETS";
const THRESHOLD: &str = "COLLAPSE_THRESHOLD";
const INDEX: &str = "INDEX_DOCUMENT";
const INCLUDE: &str = "INCLUDE_PATTERNS";
const EXCLUDE: &str = "EXCLUDE_PATTERNS";
const ABOVE_ZERO: &str = "a whole number above 0";

fn patterns(name: &'static str, json: Option<String>) -> Result<Vec<Glob>, SettingError> {
    let Some(json) = json else { return Ok(Vec::new()) };
    let patterns: Vec<String> = serde_json::from_str(&json)
        .map_err(|e| SettingError::invalid(name, format_args!("a JSON list of strings ({e})")))?;
    Ok(patterns.iter().map(|pattern| Glob::new(pattern)).collect())
}

#[cfg(test)]
mod tests {
    use plumbing::settings::{SettingError, Settings};

    use super::{Config, DEFAULT_COLLAPSE_THRESHOLD};

    const ONE_TARGET: &str = r#"[{"bucket":"assets","distribution_id":"E1"}]"#;

    fn config(vars: &[(&str, &str)]) -> Result<Config, SettingError> {
        Config::from_settings(&Settings::from_pairs(vars.iter().copied()))
    }

    fn failing_variable(vars: &[(&str, &str)]) -> &'static str {
        match config(vars) {
            Err(SettingError { name, .. }) => name,
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
