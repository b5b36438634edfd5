//! The one wide invalidation a batch can still come to, `/*`, is logged as a
//! warning that says why. In a test binary of its own: tracing's per-thread
//! subscriber misses events while other tests register the same call sites
//! on other threads.

use invalidator::path_set::{Budget, fit_paths_within};
use lambda_runtime::tracing::{dispatcher, subscriber::filter::LevelFilter};
use plumbing::logging::{CapturedLog, LogSettings};
use serde_json::Value;

#[test]
fn falling_back_to_the_whole_distribution_is_a_warning_with_its_cause() {
    let (subscriber, log) = CapturedLog::subscriber(LogSettings { level: LevelFilter::INFO, json: true });
    let tight = Budget { paths: 1, wildcards: 1 };
    let fitted = dispatcher::with_default(&subscriber, || {
        // Narrow prefixes fit: no warning.
        assert_eq!(fit_paths_within(["/ab".to_owned(), "/ac".to_owned()], usize::MAX, tight), ["/a*"]);
        fit_paths_within(["/a".to_owned(), "/b".to_owned()], usize::MAX, tight)
    });
    assert_eq!(fitted, ["/*"]);
    let lines: Vec<Value> = log.text().lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(lines.len(), 1, "{}", log.text());
    assert_eq!(lines[0]["level"], "WARN");
    let fields = &lines[0]["fields"];
    assert!(fields["message"].as_str().unwrap().contains("invalidating the whole distribution (/*)"), "{fields}");
    assert_eq!(fields["paths"], 2);
    assert_eq!(fields["path_limit"], 1);
    assert_eq!(fields["wildcard_limit"], 1);
}
