//! From a changed object to the invalidation paths of every distribution serving it.

use crate::change::ObjectChange;
use crate::cloudfront_path::invalidation_path;
use crate::config::Config;

/// `(distribution id, invalidation path)` pairs, possibly repeated.
pub fn invalidation_paths<'c>(config: &'c Config, change: &ObjectChange) -> Vec<(&'c str, String)> {
    let mut paths = Vec::new();
    for key in change.keys.iter().filter(|key| config.filter.admits(key)) {
        for target in &config.targets {
            let Some(viewer_path) = target.viewer_path(&change.bucket, key) else { continue };
            for path in with_index_directories(viewer_path, config.index_document.as_deref()) {
                paths.push((target.distribution_id(), invalidation_path(&path)));
            }
        }
    }
    paths
}

/// `/dir/index.html` is also served as `/dir/` and `/dir`, so those are
/// invalidated too (and `/index.html` as `/`).
fn with_index_directories(viewer_path: String, index_document: Option<&str>) -> Vec<String> {
    let directory = index_document
        .and_then(|index| viewer_path.strip_suffix(index))
        .filter(|directory| directory.ends_with('/'))
        .map(str::to_owned);
    let Some(directory) = directory else { return vec![viewer_path] };
    let mut paths = vec![viewer_path];
    if directory.len() > 1 {
        paths.push(directory[..directory.len() - 1].to_owned());
    }
    paths.push(directory);
    paths
}

#[cfg(test)]
mod tests {
    use super::invalidation_paths;
    use crate::change::ObjectChange;
    use crate::config::Config;

    fn config(vars: &[(&str, &str)]) -> Config {
        Config::from_settings(&plumbing::settings::Settings::from_pairs(vars.iter().copied())).unwrap()
    }

    fn change(bucket: &str, keys: &[&str]) -> ObjectChange {
        ObjectChange { bucket: bucket.into(), keys: keys.iter().map(|k| k.to_string()).collect(), event_id: "e".into() }
    }

    const TWO_DISTRIBUTIONS: &str = r#"[
        {"bucket":"assets","distribution_id":"EWEB"},
        {"bucket":"assets","key_prefix":"img/","distribution_id":"EIMG","origin_path":"/img"}]"#;

    #[test]
    fn every_serving_distribution_gets_its_own_path() {
        let config = config(&[("INVALIDATION_TARGETS", TWO_DISTRIBUTIONS)]);
        let paths = invalidation_paths(&config, &change("assets", &["img/a b.jpg"]));
        assert_eq!(paths, [("EWEB", "/img/a%20b.jpg".to_owned()), ("EIMG", "/a%20b.jpg".to_owned())]);
        assert!(invalidation_paths(&config, &change("other", &["img/a.jpg"])).is_empty());
    }

    #[test]
    fn the_index_rule_adds_both_directory_forms() {
        let config = config(&[("INVALIDATION_TARGETS", TWO_DISTRIBUTIONS), ("INDEX_DOCUMENT", "index.html")]);
        let paths: Vec<String> =
            invalidation_paths(&config, &change("assets", &["docs/index.html"])).into_iter().map(|(_, p)| p).collect();
        assert_eq!(paths, ["/docs/index.html", "/docs", "/docs/"]);
        let root: Vec<String> =
            invalidation_paths(&config, &change("assets", &["index.html"])).into_iter().map(|(_, p)| p).collect();
        assert_eq!(root, ["/index.html", "/"]);
        let lookalike: Vec<String> = invalidation_paths(&config, &change("assets", &["docs/old-index.html"]))
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        assert_eq!(lookalike, ["/docs/old-index.html"]);
    }

    #[test]
    fn filtered_keys_make_no_path_and_each_reading_is_filtered_alone() {
        let config = config(&[
            ("INVALIDATION_TARGETS", r#"[{"bucket":"assets","distribution_id":"E1"}]"#),
            ("EXCLUDE_PATTERNS", r#"["**.tmp"]"#),
        ]);
        assert!(invalidation_paths(&config, &change("assets", &["upload.tmp"])).is_empty());
        let paths = invalidation_paths(&config, &change("assets", &["a+b.tmp", "a b.jpg"]));
        assert_eq!(paths, [("E1", "/a%20b.jpg".to_owned())]);
    }
}
