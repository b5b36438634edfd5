//! The edge's cache: keyed by path only (CachingOptimized puts no query
//! string, header or cookie in the key), bounded in bytes, least recently used
//! out first.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use lru::LruCache;

use crate::origin::Object;

/// One cached response and when it was stored or last revalidated.
#[derive(Debug, Clone)]
pub struct Entry {
    pub object: Object,
    pub stored: SystemTime,
    pub ttl: Duration,
}

impl Entry {
    pub fn age(&self, now: SystemTime) -> Duration {
        now.duration_since(self.stored).unwrap_or_default()
    }

    pub fn is_fresh(&self, now: SystemTime) -> bool {
        self.age(now) < self.ttl
    }
}

/// A claim on the cache's state when an origin fetch began: a response fetched
/// before an invalidation must not be stored after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generation(u64);

struct State {
    entries: LruCache<String, Entry>,
    bytes: usize,
    generation: u64,
}

pub struct Cache {
    state: Mutex<State>,
    capacity: usize,
    largest_object: usize,
}

impl Cache {
    /// At most `capacity` bytes of bodies; objects over an eighth of that are
    /// streamed to the viewer and not kept, so one large object cannot empty the cache.
    pub fn new(capacity: usize) -> Self {
        let state = State { entries: LruCache::unbounded(), bytes: 0, generation: 0 };
        Self { state: Mutex::new(state), capacity, largest_object: capacity / 8 }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // The state stays consistent between statements, so a panic elsewhere
        // while holding the lock leaves nothing half-done.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether an object of `size` bytes would be kept.
    pub fn admits(&self, size: usize) -> bool {
        size <= self.largest_object
    }

    pub fn generation(&self) -> Generation {
        Generation(self.state().generation)
    }

    pub fn get(&self, path: &str) -> Option<Entry> {
        self.state().entries.get(path).cloned()
    }

    /// Stores `entry` unless an invalidation ran since `fetched_at`, evicting the
    /// least recently used entries until the bodies fit.
    pub fn put(&self, path: &str, entry: Entry, fetched_at: Generation) {
        let size = entry.object.body.len();
        if !self.admits(size) {
            return;
        }
        let mut state = self.state();
        if state.generation != fetched_at.0 {
            return;
        }
        if let Some(old) = state.entries.put(path.to_owned(), entry) {
            state.bytes -= old.object.body.len();
        }
        state.bytes += size;
        while state.bytes > self.capacity {
            match state.entries.pop_lru() {
                Some((_, evicted)) => state.bytes -= evicted.object.body.len(),
                None => break,
            }
        }
    }

    /// Marks a stale entry fresh again after the origin answered 304.
    pub fn refresh(&self, path: &str, stored: SystemTime, ttl: Duration) {
        if let Some(entry) = self.state().entries.get_mut(path) {
            entry.stored = stored;
            entry.ttl = ttl;
        }
    }

    /// Removes every entry an invalidation path covers; returns how many.
    pub fn purge(&self, patterns: &[String]) -> usize {
        let mut state = self.state();
        state.generation += 1;
        let doomed: Vec<String> = state
            .entries
            .iter()
            .filter(|(path, _)| patterns.iter().any(|p| crate::invalidation::covers(p, path)))
            .map(|(path, _)| path.clone())
            .collect();
        for path in &doomed {
            if let Some(entry) = state.entries.pop(path) {
                state.bytes -= entry.object.body.len();
            }
        }
        doomed.len()
    }

    /// (entries, bytes of bodies held)
    pub fn usage(&self) -> (usize, usize) {
        let state = self.state();
        (state.entries.len(), state.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::origin::{Object, ObjectMeta};
    use bytes::Bytes;

    fn entry(size: usize) -> Entry {
        let object = Object { meta: ObjectMeta::default(), body: Bytes::from(vec![7; size]) };
        Entry { object, stored: SystemTime::UNIX_EPOCH, ttl: Duration::from_secs(60) }
    }

    #[test]
    fn the_least_recently_used_goes_first_when_the_bytes_run_out() {
        let cache = Cache::new(800);
        let at = cache.generation();
        cache.put("/a", entry(100), at);
        cache.put("/b", entry(100), at);
        cache.get("/a");
        cache.put("/c", entry(100), at);
        assert_eq!(cache.usage(), (3, 300));
        for path in ["/d", "/e", "/f", "/g", "/h"] {
            cache.put(path, entry(100), at);
        }
        assert_eq!(cache.usage(), (8, 800));
        cache.put("/i", entry(100), at);
        assert!(cache.get("/b").is_none(), "the least recently used left first");
        assert!(cache.get("/a").is_some());
        assert_eq!(cache.usage(), (8, 800));
    }

    #[test]
    fn objects_over_an_eighth_of_the_capacity_are_not_kept() {
        let cache = Cache::new(800);
        assert!(cache.admits(100));
        assert!(!cache.admits(101));
        cache.put("/big", entry(101), cache.generation());
        assert_eq!(cache.usage(), (0, 0));
    }

    #[test]
    fn a_fetch_that_began_before_an_invalidation_is_not_stored() {
        let cache = Cache::new(800);
        let before = cache.generation();
        assert_eq!(cache.purge(&["/a".to_owned()]), 0);
        cache.put("/a", entry(10), before);
        assert!(cache.get("/a").is_none());
        cache.put("/a", entry(10), cache.generation());
        assert!(cache.get("/a").is_some());
    }

    #[test]
    fn purges_remove_what_the_paths_cover_and_free_their_bytes() {
        let cache = Cache::new(8000);
        let at = cache.generation();
        for path in ["/img/a.jpg", "/img/b.jpg", "/img/2024/c.jpg", "/doc/a.pdf"] {
            cache.put(path, entry(10), at);
        }
        assert_eq!(cache.purge(&["/img/a.jpg".to_owned(), "/img/2024/*".to_owned()]), 2);
        assert_eq!(cache.usage(), (2, 20));
        assert!(cache.get("/img/b.jpg").is_some());
        assert_eq!(cache.purge(&["/*".to_owned()]), 2);
        assert_eq!(cache.usage(), (0, 0));
    }

    #[test]
    fn a_revalidated_entry_is_fresh_again() {
        let cache = Cache::new(800);
        cache.put("/a", entry(10), cache.generation());
        let later = SystemTime::UNIX_EPOCH + Duration::from_secs(120);
        assert!(!cache.get("/a").unwrap().is_fresh(later));
        cache.refresh("/a", later, Duration::from_secs(60));
        assert!(cache.get("/a").unwrap().is_fresh(later + Duration::from_secs(59)));
        assert_eq!(cache.get("/a").unwrap().age(later + Duration::from_secs(5)), Duration::from_secs(5));
    }
}
