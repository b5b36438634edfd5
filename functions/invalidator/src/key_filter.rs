//! Which object keys may cause invalidations at all.

use crate::glob::Glob;

/// Which object keys may cause invalidations, from `INCLUDE_PATTERNS` and `EXCLUDE_PATTERNS`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyFilter {
    include: Vec<Glob>,
    exclude: Vec<Glob>,
}

impl KeyFilter {
    /// A filter admitting the keys that match one of `include` (every key when it is empty) and none of `exclude`.
    pub fn new(include: Vec<Glob>, exclude: Vec<Glob>) -> Self {
        Self { include, exclude }
    }

    /// With no include pattern every key is included; an exclude pattern wins.
    pub fn admits(&self, key: &str) -> bool {
        let included = self.include.is_empty() || self.include.iter().any(|glob| glob.matches(key));
        included && !self.exclude.iter().any(|glob| glob.matches(key))
    }
}

#[cfg(test)]
mod tests {
    use super::KeyFilter;
    use crate::glob::Glob;

    fn globs(patterns: &[&str]) -> Vec<Glob> {
        patterns.iter().map(|p| Glob::new(p)).collect()
    }

    #[test]
    fn no_patterns_admit_everything() {
        assert!(KeyFilter::default().admits("any/key"));
    }

    #[test]
    fn include_patterns_restrict_and_exclude_patterns_win() {
        let filter = KeyFilter::new(globs(&["public/**", "*.html"]), globs(&["**.tmp"]));
        assert!(filter.admits("public/a.jpg"));
        assert!(filter.admits("index.html"));
        assert!(!filter.admits("private/a.jpg"));
        assert!(!filter.admits("public/upload.tmp"));
    }
}
