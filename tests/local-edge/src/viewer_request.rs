//! The template's viewer-request guard (ViewerRequestGuard, a CloudFront
//! Function on every cache behaviour), run on every request before the
//! signature check. Its rules and the cases both implementations are tested
//! against: tests/viewer-request/hostile-paths.json.
//!
//! Why: a wildcard signature such as `/users/alice/*` must not reach another
//! user's objects through a path that an origin or a cache resolves
//! differently from the path CloudFront checks the signature against.

use crate::refusal::Refusal;

/// Checks the request's path (without its query, as a function's
/// `event.request.uri`), answering as the function does: 400, no body.
pub fn guard(path: &str) -> Result<(), Refusal> {
    let why = if let Some(escape) = encoded_separator(path) {
        format!("the path holds {escape}, an encoded dot, slash or backslash")
    } else if path.contains('\\') {
        "the path holds a backslash, which some origins read as a slash".to_owned()
    } else if path.contains("//") {
        "the path holds an empty segment (//)".to_owned()
    } else if let Some(segment) = cfsign::dot_segment(path) {
        format!("the path holds the dot segment {segment:?}")
    } else {
        return Ok(());
    };
    Err(Refusal::function_generated(format!("viewer-request guard: {why}")))
}

/// The first `%2e`, `%2f` or `%5c` (in either case) of `path`.
fn encoded_separator(path: &str) -> Option<&str> {
    path.match_indices('%')
        .map(|(at, _)| path.get(at..at + 3).unwrap_or_default())
        .find(|escape| matches!(escape.to_ascii_lowercase().as_str(), "%2e" | "%2f" | "%5c"))
}

#[cfg(test)]
mod tests {
    use super::guard;

    #[test]
    fn names_what_it_refused() {
        let reason = |path: &str| guard(path).unwrap_err().reason;
        assert!(reason("/a/%2E%2e/b").contains("%2E"));
        assert!(reason("/a/..;/b").contains("\"..;\""));
        assert!(reason("/a//b").contains("//"));
        guard("/a/b.jpg").unwrap();
    }
}
