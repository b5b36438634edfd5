//! How long an object may be cached, as the managed CachingOptimized policy
//! decides it from the origin's `Cache-Control`.

use std::time::Duration;

/// CachingOptimized's bounds: minimum 1 s, default 86,400 s, maximum 31,536,000 s.
pub const MIN_TTL: Duration = Duration::from_secs(1);
pub const DEFAULT_TTL: Duration = Duration::from_secs(86_400);
pub const MAX_TTL: Duration = Duration::from_secs(31_536_000);

/// The TTL for an origin response carrying `cache_control`.
///
/// `s-maxage` wins over `max-age` (it is the one meant for shared caches), and
/// either is held within the bounds. With a minimum TTL above zero, CloudFront
/// caches for that minimum even when the origin says `no-store`, `no-cache` or
/// `private`. Without a directive, the default TTL applies.
pub fn ttl(cache_control: Option<&str>) -> Duration {
    let mut max_age = None;
    let mut s_maxage = None;
    let mut forbids = false;
    for directive in cache_control.unwrap_or_default().split(',') {
        let (name, value) = directive.trim().split_once('=').unwrap_or((directive.trim(), ""));
        let seconds = || value.trim_matches('"').parse::<u64>().ok().map(Duration::from_secs);
        match name.to_ascii_lowercase().as_str() {
            "max-age" => max_age = seconds().or(max_age),
            "s-maxage" => s_maxage = seconds().or(s_maxage),
            "no-store" | "no-cache" | "private" => forbids = true,
            _ => {}
        }
    }
    if forbids {
        return MIN_TTL;
    }
    s_maxage.or(max_age).map_or(DEFAULT_TTL, |ttl| ttl.clamp(MIN_TTL, MAX_TTL))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn the_origin_sets_the_ttl_within_the_policys_bounds() {
        assert_eq!(ttl(None), DEFAULT_TTL);
        assert_eq!(ttl(Some("public")), DEFAULT_TTL);
        assert_eq!(ttl(Some("max-age=60")), secs(60));
        assert_eq!(ttl(Some("public, max-age=60, s-maxage=600")), secs(600));
        assert_eq!(ttl(Some("S-MaxAge=\"30\"")), secs(30));
        assert_eq!(ttl(Some("max-age=0")), MIN_TTL);
        assert_eq!(ttl(Some("max-age=99999999999")), MAX_TTL);
        assert_eq!(ttl(Some("max-age=soon")), DEFAULT_TTL);
    }

    #[test]
    fn no_store_still_caches_for_the_minimum() {
        assert_eq!(ttl(Some("no-store")), MIN_TTL);
        assert_eq!(ttl(Some("max-age=600, no-cache")), MIN_TTL);
        assert_eq!(ttl(Some("private")), MIN_TTL);
    }
}
