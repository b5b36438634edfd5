//! One distribution's paths, made to fit one CreateInvalidation request.
//!
//! Paths beyond 1,000 a month cost money and a wildcard counts as one, so a
//! crowded directory becomes `dir/*`. CloudFront takes at most 3,000 paths in
//! progress and, separately, 15 wildcards, so a request above either could
//! never succeed: directories are then collapsed from the deepest up until it fits.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

/// The most paths one request may hold: CloudFront allows 3,000 file paths in progress per distribution.
pub const MAX_PATHS_PER_REQUEST: usize = 3000;
/// The most wildcard paths one request may hold: CloudFront allows 15 in progress per distribution.
pub const MAX_WILDCARDS_PER_REQUEST: usize = 15;

/// How many paths, and how many of them wildcards, one request may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// The most paths, wildcards included.
    pub paths: usize,
    /// The most of them that may end in `*`.
    pub wildcards: usize,
}

impl Budget {
    /// What CloudFront takes in one request while nothing else is in progress.
    pub const REQUEST: Budget = Budget { paths: MAX_PATHS_PER_REQUEST, wildcards: MAX_WILDCARDS_PER_REQUEST };
}

/// The sorted, deduplicated paths to send, none covered by a wildcard among them.
pub fn fit_paths(paths: impl IntoIterator<Item = String>, collapse_threshold: usize) -> Vec<String> {
    fit_paths_within(paths, collapse_threshold, Budget::REQUEST)
}

/// [`fit_paths`] for a smaller `budget` (at least one path and one wildcard:
/// `/*` always fits it).
pub fn fit_paths_within(
    paths: impl IntoIterator<Item = String>,
    collapse_threshold: usize,
    budget: Budget,
) -> Vec<String> {
    let budget = Budget { paths: budget.paths.max(1), wildcards: budget.wildcards.max(1) };
    let mut set = PathSet { paths: paths.into_iter().collect(), wildcards: 0, budget };
    set.wildcards = set.paths.iter().filter(|path| is_wildcard(path)).count();
    set.drop_covered_paths();
    set.collapse_crowded_directories(collapse_threshold);
    set.fit_request_limits();
    set.paths.into_iter().collect()
}

struct PathSet {
    paths: BTreeSet<String>,
    wildcards: usize,
    budget: Budget,
}

impl PathSet {
    fn within_limits(&self) -> bool {
        self.paths.len() <= self.budget.paths && self.wildcards <= self.budget.wildcards
    }

    /// Replaces every path starting with `prefix` by the wildcard `prefix*`.
    fn cover(&mut self, prefix: &str) {
        let covered: Vec<String> =
            self.paths.range(prefix.to_owned()..).take_while(|path| path.starts_with(prefix)).cloned().collect();
        for path in covered {
            self.wildcards -= usize::from(is_wildcard(&path));
            self.paths.remove(&path);
        }
        self.paths.insert(format!("{prefix}*"));
        self.wildcards += 1;
    }

    fn drop_covered_paths(&mut self) {
        let mut wildcards: Vec<String> = self.paths.iter().filter(|path| is_wildcard(path)).cloned().collect();
        // Shorter wildcards cover more: apply them first.
        wildcards.sort_by_key(String::len);
        for wildcard in wildcards {
            if self.paths.contains(&wildcard) {
                self.cover(&wildcard[..wildcard.len() - 1]);
            }
        }
    }

    /// More than `threshold` entries in one directory become `dir/*`, from the
    /// deepest directory up; a collapsed directory counts as one entry of its
    /// parent, and so do `/dir` and `/dir/` (the index rule's two forms of one directory).
    fn collapse_crowded_directories(&mut self, threshold: usize) {
        for depth in (0..=self.deepest_directory()).rev() {
            let mut entries: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
            for path in &self.paths {
                if let Some(directory) = parent_directory(path)
                    && directory_depth(directory) == depth
                {
                    entries.entry(directory.to_owned()).or_default().insert(entry_name(path));
                }
            }
            let crowded: Vec<String> = entries
                .into_iter()
                .filter(|(_, names)| names.len() > threshold)
                .map(|(directory, _)| directory)
                .collect();
            for directory in crowded {
                self.cover(&directory);
            }
        }
    }

    /// Collapses directories, deepest first and the fullest first at each
    /// depth, until the request fits; then, rather than the root, the
    /// narrowest name prefixes that make it fit; `/*` only when nothing
    /// narrower does (it always fits, so this ends).
    fn fit_request_limits(&mut self) {
        for depth in (1..=self.deepest_directory()).rev() {
            if self.within_limits() {
                return;
            }
            let mut under: BTreeMap<String, (usize, usize)> = BTreeMap::new();
            for path in &self.paths {
                if let Some(directory) = ancestor_at_depth(path, depth) {
                    let (entries, wildcards) = under.entry(directory.to_owned()).or_default();
                    *entries += 1;
                    *wildcards += usize::from(is_wildcard(path));
                }
            }
            if self.collapse_fullest(under) {
                return;
            }
        }
        if self.within_limits() || self.collapse_narrowest_prefixes() {
            return;
        }
        tracing::warn!(
            paths = self.paths.len(),
            wildcards = self.wildcards,
            path_limit = self.budget.paths,
            wildcard_limit = self.budget.wildcards,
            "no narrower prefixes fit CloudFront's limits: invalidating the whole distribution (/*)"
        );
        self.cover("/");
    }

    /// Collapses `candidates` (prefix: entries and wildcards under it), the
    /// fullest first, until the request fits. True when it does.
    fn collapse_fullest(&mut self, candidates: BTreeMap<String, (usize, usize)>) -> bool {
        // Collapsing a prefix that holds one entry saves nothing.
        let mut candidates: Vec<(String, (usize, usize))> =
            candidates.into_iter().filter(|(_, (entries, _))| *entries >= 2).collect();
        if self.wildcards > self.budget.wildcards {
            candidates.sort_by_key(|&(_, (entries, wildcards))| Reverse((wildcards, entries)));
        } else {
            candidates.sort_by_key(|&(_, (entries, _))| Reverse(entries));
        }
        for (prefix, (_, wildcards)) in candidates {
            // Once only wildcards are over, only merging wildcards helps.
            if self.paths.len() <= self.budget.paths && wildcards < 2 {
                continue;
            }
            self.cover(&prefix);
            if self.within_limits() {
                return true;
            }
        }
        false
    }

    /// The longest prefix length (past the root's `/`) at which collapsing
    /// the paths sharing a prefix makes the request fit, applied. A shorter
    /// length only merges groups, so fitting is monotone in it and a binary
    /// search over the lengths where groups change finds the longest.
    fn collapse_narrowest_prefixes(&mut self) -> bool {
        let stems: Vec<&str> = self.paths.iter().map(|path| path.strip_suffix('*').unwrap_or(path)).collect();
        let mut lengths: Vec<usize> =
            stems.windows(2).map(|pair| common_prefix_bytes(pair[0], pair[1])).filter(|&length| length >= 2).collect();
        lengths.sort_unstable();
        lengths.dedup();
        let attempt = |length: usize| {
            let mut trial = PathSet { paths: self.paths.clone(), wildcards: self.wildcards, budget: self.budget };
            let fits = trial.collapse_fullest(trial.prefix_groups(length));
            fits.then_some(trial)
        };
        // Lengths below the first that fits do not fit either: find the last that does.
        let (mut low, mut high, mut best) = (0, lengths.len(), None);
        while low < high {
            let middle = (low + high) / 2;
            match attempt(lengths[middle]) {
                Some(trial) => {
                    best = Some(trial);
                    low = middle + 1;
                }
                None => high = middle,
            }
        }
        match best {
            Some(trial) => {
                *self = trial;
                true
            }
            None => false,
        }
    }

    /// The paths grouped by their first `length` bytes (wildcards by their
    /// stem), those shorter left out.
    fn prefix_groups(&self, length: usize) -> BTreeMap<String, (usize, usize)> {
        let mut groups: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for path in &self.paths {
            let stem = path.strip_suffix('*').unwrap_or(path);
            if let Some(prefix) = stem.get(..length) {
                let (entries, wildcards) = groups.entry(prefix.to_owned()).or_default();
                *entries += 1;
                *wildcards += usize::from(is_wildcard(path));
            }
        }
        groups
    }

    fn deepest_directory(&self) -> usize {
        self.paths.iter().filter_map(|path| parent_directory(path)).map(directory_depth).max().unwrap_or(0)
    }
}

/// How many leading bytes `a` and `b` share (invalidation paths are ASCII:
/// everything else is percent-encoded).
fn common_prefix_bytes(a: &str, b: &str) -> usize {
    a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count()
}

fn is_wildcard(path: &str) -> bool {
    path.ends_with('*')
}

/// The directory (ending in `/`) a path is an entry of: `/a/b.jpg` and `/a/b/*` are entries of `/a/`.
fn parent_directory(path: &str) -> Option<&str> {
    let trimmed = path.strip_suffix('*').unwrap_or(path);
    let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
    trimmed.rfind('/').map(|slash| &path[..=slash])
}

/// The entry of its parent directory a path stands for: `/a/b`, `/a/b/` and `/a/b/*` are all `/a/b`.
fn entry_name(path: &str) -> &str {
    let trimmed = path.strip_suffix('*').unwrap_or(path);
    trimmed.strip_suffix('/').unwrap_or(trimmed)
}

/// `/` is at depth 0, `/a/` at depth 1.
fn directory_depth(directory: &str) -> usize {
    directory.matches('/').count() - 1
}

/// The directory at `depth` that `path` lies under, if it is that deep.
fn ancestor_at_depth(path: &str, depth: usize) -> Option<&str> {
    path.match_indices('/').nth(depth).map(|(slash, _)| &path[..=slash])
}

#[cfg(test)]
mod tests {
    use super::{MAX_PATHS_PER_REQUEST, MAX_WILDCARDS_PER_REQUEST, fit_paths};

    fn fit(paths: &[&str], threshold: usize) -> Vec<String> {
        fit_paths(paths.iter().map(|p| p.to_string()), threshold)
    }

    fn files(directory: &str, count: usize) -> Vec<String> {
        (0..count).map(|i| format!("{directory}f{i}.jpg")).collect()
    }

    #[test]
    fn paths_are_sorted_and_deduplicated() {
        assert_eq!(fit(&["/b", "/a", "/b"], 10), ["/a", "/b"]);
    }

    #[test]
    fn wildcards_absorb_the_paths_they_cover() {
        assert_eq!(
            fit(&["/img/a*", "/img/a.jpg", "/img/ab/c.jpg", "/img/b.jpg", "/img/a"], 10),
            ["/img/a*", "/img/b.jpg"]
        );
        assert_eq!(fit(&["/img/*", "/img/a*", "/img/a.jpg", "/imgs"], 10), ["/img/*", "/imgs"]);
    }

    #[test]
    fn more_than_the_threshold_in_one_directory_collapse() {
        // /img/ holds four entries: the file in /img/sub/ is an entry of /img/sub/.
        let mut paths = files("/img/", 4);
        paths.push("/img/sub/x.jpg".into());
        paths.push("/other.jpg".into());
        assert_eq!(fit_paths(paths.clone(), 4).len(), 6);
        paths.push("/img/f4.jpg".into());
        assert_eq!(fit_paths(paths, 4), ["/img/*", "/other.jpg"]);
    }

    #[test]
    fn collapsed_directories_count_as_entries_of_their_parent() {
        let mut paths = Vec::new();
        for d in 0..3 {
            paths.extend(files(&format!("/site/d{d}/"), 3));
        }
        paths.push("/site/index.html".into());
        // Each d* holds 3 > 2 files; then /site/ holds 3 wildcards and a file: 4 > 2.
        assert_eq!(fit_paths(paths, 2), ["/site/*"]);
    }

    #[test]
    fn a_directory_and_its_index_forms_count_as_one_entry_of_the_parent() {
        // The index rule: /dN/index.html also invalidates /dN and /dN/.
        let paths: Vec<String> =
            (0..11).flat_map(|d| [format!("/d{d:02}/index.html"), format!("/d{d:02}"), format!("/d{d:02}/")]).collect();
        assert_eq!(fit_paths(paths.clone(), 20).len(), 33);
        assert_eq!(fit_paths(paths, 10), ["/*"]);
    }

    #[test]
    fn a_request_never_exceeds_the_path_limit() {
        let mut paths = Vec::new();
        for d in 0..400 {
            paths.extend(files(&format!("/site/d{d:03}/"), 10));
        }
        let fitted = fit_paths(paths, 20);
        assert!(fitted.len() <= MAX_PATHS_PER_REQUEST);
        assert!(fitted.iter().filter(|p| p.ends_with('*')).count() <= MAX_WILDCARDS_PER_REQUEST);
        // 4,000 files in 400 directories cannot fit with at most 15 wildcards below /site/.
        assert_eq!(fitted, ["/site/*"]);
    }

    #[test]
    fn the_fullest_directories_collapse_first_and_only_as_needed() {
        let mut paths = files("/big/", 1000);
        paths.extend(files("/mid/", 600));
        paths.extend(files("/small/", 5));
        paths.extend(files("/rest/", 1500));
        let fitted = fit_paths(paths, 2000);
        // 3,105 paths: collapsing /rest/ (the fullest) alone brings them to 1,606.
        assert_eq!(fitted.len(), 1606);
        assert!(fitted.contains(&"/rest/*".to_owned()));
        assert!(fitted.contains(&"/big/f999.jpg".to_owned()));
    }

    fn covered(path: &str, by: &[String]) -> bool {
        by.iter().any(|p| p == path || p.strip_suffix('*').is_some_and(|prefix| path.starts_with(prefix)))
    }

    #[test]
    fn a_flat_bucket_over_the_limit_collapses_to_the_narrowest_prefixes_not_the_root() {
        // 4,000 objects at the root, no directory: /f00 .. /f39 hold 100 each
        // and fit with eleven wildcards; /f000 .. /f399 (10 each) cannot.
        let paths: Vec<String> = (0..4000).map(|i| format!("/f{i:04}.jpg")).collect();
        let fitted = fit_paths(paths.clone(), usize::MAX);
        assert!(!fitted.contains(&"/*".to_owned()), "fell back to /*");
        assert!(fitted.len() <= MAX_PATHS_PER_REQUEST, "{}", fitted.len());
        let wildcards: Vec<&String> = fitted.iter().filter(|p| p.ends_with('*')).collect();
        assert!(wildcards.len() <= MAX_WILDCARDS_PER_REQUEST);
        assert!(wildcards.iter().all(|w| w.len() == "/f00*".len()), "{wildcards:?}");
        assert!(paths.iter().all(|p| covered(p, &fitted)));
    }

    #[test]
    fn too_many_wildcards_at_the_root_merge_by_prefix_not_into_the_root() {
        let mut paths: Vec<String> = (0..20).map(|d| format!("/a{d:02}*")).collect();
        paths.push("/b.jpg".into());
        let fitted = fit_paths(paths.clone(), 100);
        assert!(fitted.contains(&"/a0*".to_owned()), "{fitted:?}");
        assert!(fitted.contains(&"/a19*".to_owned()), "{fitted:?}");
        assert!(fitted.contains(&"/b.jpg".to_owned()), "{fitted:?}");
        assert!(fitted.iter().filter(|p| p.ends_with('*')).count() <= MAX_WILDCARDS_PER_REQUEST);
    }

    #[test]
    fn the_root_is_the_last_resort_when_no_prefix_fits() {
        let tight = super::Budget { paths: 1, wildcards: 1 };
        let fitted = super::fit_paths_within(["/a".to_owned(), "/b".to_owned()], usize::MAX, tight);
        assert_eq!(fitted, ["/*"]);
        let fitted = super::fit_paths_within(["/ab".to_owned(), "/ac".to_owned()], usize::MAX, tight);
        assert_eq!(fitted, ["/a*"]);
    }

    #[test]
    fn too_many_wildcards_merge_upwards() {
        let paths: Vec<String> = (0..20).map(|d| format!("/img/d{d:02}/x*")).chain(["/docs/a.html".into()]).collect();
        let fitted = fit_paths(paths, 100);
        assert_eq!(fitted, ["/docs/a.html", "/img/*"]);
    }

    #[test]
    fn wildcard_merging_prefers_directories_holding_the_most_wildcards() {
        let mut paths: Vec<String> = (0..10).map(|d| format!("/a/d{d}/x*")).collect();
        paths.extend((0..8).map(|d| format!("/b/d{d}/x*")));
        paths.extend(files("/c/", 50));
        let fitted = fit_paths(paths, 100);
        // 18 wildcards: merging /a/ (10 of them) leaves 9.
        assert!(fitted.contains(&"/a/*".to_owned()));
        assert!(fitted.contains(&"/b/d7/x*".to_owned()));
        assert!(fitted.contains(&"/c/f49.jpg".to_owned()));
        assert_eq!(fitted.len(), 1 + 8 + 50);
    }
}
