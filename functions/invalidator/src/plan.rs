//! One CreateInvalidation request per distribution for everything an invocation carries.

use std::collections::{BTreeMap, BTreeSet};

use crate::caller_reference::caller_reference;
use crate::change::ObjectChange;
use crate::config::Config;
use crate::path_set::fit_paths;
use crate::routing::invalidation_paths;

/// One CreateInvalidation request: one distribution's paths for the changes of the deliveries behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Id of the distribution to invalidate.
    pub distribution: String,
    /// The paths to send: sorted, deduplicated, none covered by another, within CloudFront's limits.
    pub paths: Vec<String>,
    /// The request's CallerReference: a hash of the distribution, the paths and the records behind them, never of the
    /// clock, so a redelivered batch asks for the same invalidation.
    pub caller_reference: String,
    /// The deliveries (indices of SQS messages, say) whose changes it carries:
    /// if it fails, they must come back.
    pub sources: BTreeSet<usize>,
}

/// `changes` are tagged with the delivery they came in.
pub fn plan_requests<'a>(
    config: &Config,
    changes: impl IntoIterator<Item = (usize, &'a ObjectChange)>,
) -> Vec<Request> {
    #[derive(Default)]
    struct Pending<'a> {
        paths: BTreeSet<String>,
        event_ids: BTreeSet<&'a str>,
        sources: BTreeSet<usize>,
    }
    let mut pending: BTreeMap<&str, Pending<'a>> = BTreeMap::new();
    for (source, change) in changes {
        let paths = invalidation_paths(config, change);
        if paths.is_empty() {
            tracing::debug!(bucket = %change.bucket, keys = ?change.keys, "no target serves this object, or a filter excludes it");
        }
        for (distribution, path) in paths {
            let request = pending.entry(distribution).or_default();
            request.paths.insert(path);
            request.event_ids.insert(&change.event_id);
            request.sources.insert(source);
        }
    }
    pending
        .into_iter()
        .map(|(distribution, request)| {
            let paths = fit_paths(request.paths, config.collapse_threshold);
            let caller_reference = caller_reference(distribution, &paths, request.event_ids);
            Request { distribution: distribution.to_owned(), paths, caller_reference, sources: request.sources }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::plan_requests;
    use crate::change::ObjectChange;
    use crate::config::Config;

    fn config() -> Config {
        let targets = r#"[{"bucket":"assets","distribution_id":"E1"},{"bucket":"logs","distribution_id":"E2"}]"#;
        Config::from_settings(&plumbing::settings::Settings::from_pairs([("INVALIDATION_TARGETS", targets)])).unwrap()
    }

    fn change(bucket: &str, key: &str, event_id: &str) -> ObjectChange {
        ObjectChange { bucket: bucket.into(), keys: vec![key.into()], event_id: event_id.into() }
    }

    #[test]
    fn one_request_per_distribution_with_deduplicated_paths_and_their_sources() {
        let changes = [
            change("assets", "a.jpg", "1"),
            change("logs", "x.log", "2"),
            change("assets", "a.jpg", "3"),
            change("assets", "b.jpg", "4"),
        ];
        let requests = plan_requests(&config(), changes.iter().enumerate());
        assert_eq!(requests.len(), 2);
        assert_eq!(requests[0].distribution, "E1");
        assert_eq!(requests[0].paths, ["/a.jpg", "/b.jpg"]);
        assert_eq!(requests[0].sources.iter().copied().collect::<Vec<_>>(), [0, 2, 3]);
        assert_eq!(requests[1].distribution, "E2");
        assert_eq!(requests[1].sources.iter().copied().collect::<Vec<_>>(), [1]);
    }

    #[test]
    fn a_redelivery_gets_the_same_reference_and_a_new_change_another() {
        let first = [change("assets", "a.jpg", "seq-1"), change("assets", "b.jpg", "seq-2")];
        let redelivered = [first[1].clone(), first[0].clone(), first[0].clone()];
        let later = [change("assets", "a.jpg", "seq-3"), change("assets", "b.jpg", "seq-2")];
        let reference =
            |changes: &[ObjectChange]| plan_requests(&config(), changes.iter().enumerate())[0].caller_reference.clone();
        assert_eq!(reference(&first), reference(&redelivered));
        assert_ne!(reference(&first), reference(&later));
    }

    #[test]
    fn changes_no_distribution_serves_plan_nothing() {
        assert!(plan_requests(&config(), [(0, &change("elsewhere", "a.jpg", "1"))]).is_empty());
    }
}
