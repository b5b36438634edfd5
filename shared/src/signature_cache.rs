//! A bounded memory of the signatures a signer made, so that signing the same
//! policy again costs a hash lookup instead of a private-key operation.
//!
//! Signed URLs whose expiry is rounded to a window (`Conditions::rounded_to`)
//! repeat one policy for the whole window. RSA signs it to the same bytes each
//! time, at about a third of a millisecond; ECDSA signs it to different bytes
//! each time, so for ECDSA this cache is also what keeps the URL stable.
//!
//! When either bound is reached the least recently used entry goes first.
//! Each signer owns its cache, and a new key is a new signer, so a signature
//! is only ever served by the key that made it.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// How large a signature cache may grow; both bounds hold at all times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheLimits {
    /// The most signatures kept.
    pub entries: usize,
    /// The most bytes kept, counting each entry's policy, its signature and
    /// [`ENTRY_OVERHEAD`].
    pub bytes: usize,
}

/// What one entry costs beyond its policy and signature text: two map slots,
/// two reference-counted headers and the bookkeeping beside them, rounded up.
pub const ENTRY_OVERHEAD: usize = 128;

/// What a signature cache holds and how it has been used since it was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Signatures kept now.
    pub entries: usize,
    /// Bytes kept now, counted as [`CacheLimits::bytes`] counts them.
    pub bytes: usize,
    /// Signatures served from the cache.
    pub hits: u64,
    /// Signatures the cache did not hold (each one then computed with the key).
    pub misses: u64,
    /// Entries dropped to stay within the limits.
    pub evictions: u64,
}

/// How the signatures of one signing call were obtained.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignatureCount {
    /// Signatures computed with the private key.
    pub computed: u32,
    /// Signatures served from the signer's cache.
    pub cached: u32,
}

/// A signer's cache, or none: what both signers (local and remote) do around
/// computing a signature, counting each as computed or served.
pub(crate) struct Memo(Option<SignatureCache>);

impl Memo {
    /// No cache: every signature is computed.
    pub(crate) fn off() -> Self {
        Self(None)
    }

    /// A cache within `limits`; none when either bound is 0.
    pub(crate) fn within(limits: CacheLimits) -> Self {
        Self((limits.entries > 0 && limits.bytes > 0).then(|| SignatureCache::new(limits)))
    }

    /// An empty cache of the same limits, for signatures of another kind.
    pub(crate) fn emptied(&self) -> Self {
        Self(self.0.as_ref().map(|cache| SignatureCache::new(cache.limits())))
    }

    pub(crate) fn stats(&self) -> Option<CacheStats> {
        self.0.as_ref().map(SignatureCache::stats)
    }

    /// The signature kept for `policy`, counted as served.
    pub(crate) fn lookup(&self, policy: &str, count: &mut SignatureCount) -> Option<Arc<str>> {
        let kept = self.0.as_ref()?.get(policy)?;
        count.cached += 1;
        Some(kept)
    }

    /// Keeps a `signature` just computed for `policy`, counted as computed;
    /// returns the one to hand out (see [`SignatureCache::insert`]).
    pub(crate) fn keep(&self, policy: &str, signature: String, count: &mut SignatureCount) -> Arc<str> {
        count.computed += 1;
        match &self.0 {
            Some(cache) => cache.insert(policy, signature),
            None => signature.into(),
        }
    }
}

pub(crate) struct SignatureCache {
    limits: CacheLimits,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    by_policy: HashMap<Arc<str>, Slot>,
    /// Recency: the tick of each entry's last use, oldest first.
    by_use: BTreeMap<u64, Arc<str>>,
    tick: u64,
    stats: CacheStats,
}

struct Slot {
    signature: Arc<str>,
    used: u64,
}

impl SignatureCache {
    pub(crate) fn new(limits: CacheLimits) -> Self {
        Self { limits, inner: Mutex::default() }
    }

    pub(crate) fn limits(&self) -> CacheLimits {
        self.limits
    }

    pub(crate) fn stats(&self) -> CacheStats {
        let inner = self.lock();
        CacheStats { entries: inner.by_policy.len(), ..inner.stats }
    }

    /// The signature kept for `policy`, now the most recently used.
    pub(crate) fn get(&self, policy: &str) -> Option<Arc<str>> {
        let mut guard = self.lock();
        let inner = &mut *guard;
        inner.tick += 1;
        let Some(slot) = inner.by_policy.get_mut(policy) else {
            inner.stats.misses += 1;
            return None;
        };
        if let Some(key) = inner.by_use.remove(&slot.used) {
            inner.by_use.insert(inner.tick, key);
        }
        slot.used = inner.tick;
        inner.stats.hits += 1;
        Some(slot.signature.clone())
    }

    /// Keeps `signature` for `policy` and returns the signature to use: when a
    /// concurrent signing of the same policy was kept first, that one, so every
    /// caller in a window hands out the same bytes.
    pub(crate) fn insert(&self, policy: &str, signature: String) -> Arc<str> {
        let cost = entry_cost(policy, &signature);
        if self.limits.entries == 0 || cost > self.limits.bytes {
            return signature.into();
        }
        let mut guard = self.lock();
        let inner = &mut *guard;
        if let Some(kept) = inner.by_policy.get(policy) {
            return kept.signature.clone();
        }
        while inner.by_policy.len() >= self.limits.entries || inner.stats.bytes + cost > self.limits.bytes {
            let Some((_, oldest)) = inner.by_use.pop_first() else { break };
            if let Some(evicted) = inner.by_policy.remove(&oldest) {
                inner.stats.bytes -= entry_cost(&oldest, &evicted.signature);
                inner.stats.evictions += 1;
            }
        }
        inner.tick += 1;
        let policy: Arc<str> = policy.into();
        let signature: Arc<str> = signature.into();
        inner.by_use.insert(inner.tick, policy.clone());
        inner.by_policy.insert(policy, Slot { signature: signature.clone(), used: inner.tick });
        inner.stats.bytes += cost;
        signature
    }

    /// Every update leaves the maps consistent before anything can panic, so
    /// a poisoned lock still guards a sound cache.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn entry_cost(policy: &str, signature: &str) -> usize {
    policy.len() + signature.len() + ENTRY_OVERHEAD
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(i: usize) -> String {
        format!("{{\"policy\":{i:04}}}")
    }

    fn cache(entries: usize, bytes: usize) -> SignatureCache {
        SignatureCache::new(CacheLimits { entries, bytes })
    }

    #[test]
    fn serves_what_it_kept_and_counts_hits_and_misses() {
        let cache = cache(10, 10_000);
        assert_eq!(cache.get(&policy(1)), None);
        assert_eq!(&*cache.insert(&policy(1), "sig-1".into()), "sig-1");
        assert_eq!(cache.get(&policy(1)).as_deref(), Some("sig-1"));
        let stats = cache.stats();
        assert_eq!((stats.hits, stats.misses, stats.entries), (1, 1, 1));
        assert_eq!(stats.bytes, policy(1).len() + "sig-1".len() + ENTRY_OVERHEAD);
    }

    #[test]
    fn the_first_signature_kept_for_a_policy_is_the_one_everyone_gets() {
        let cache = cache(10, 10_000);
        cache.insert(&policy(1), "first".into());
        assert_eq!(&*cache.insert(&policy(1), "second".into()), "first");
        assert_eq!(cache.get(&policy(1)).as_deref(), Some("first"));
    }

    #[test]
    fn the_entry_bound_evicts_the_least_recently_used() {
        let cache = cache(2, 10_000);
        cache.insert(&policy(1), "a".into());
        cache.insert(&policy(2), "b".into());
        cache.get(&policy(1));
        cache.insert(&policy(3), "c".into());
        assert!(cache.get(&policy(2)).is_none(), "2 was used least recently");
        assert!(cache.get(&policy(1)).is_some() && cache.get(&policy(3)).is_some());
        assert_eq!((cache.stats().entries, cache.stats().evictions), (2, 1));
    }

    #[test]
    fn the_byte_bound_holds_and_an_entry_over_it_is_never_kept() {
        let one = entry_cost(&policy(1), "sig");
        let cache = cache(100, 3 * one);
        for i in 0..10 {
            cache.insert(&policy(i), "sig".into());
            assert!(cache.stats().bytes <= 3 * one);
        }
        assert_eq!(cache.stats().entries, 3);
        assert!(cache.get(&policy(9)).is_some() && cache.get(&policy(6)).is_none());

        let huge = "x".repeat(3 * one);
        assert_eq!(&*cache.insert(&huge, "sig".into()), "sig");
        assert!(cache.get(&huge).is_none());
        assert_eq!(cache.stats().entries, 3, "nothing was evicted for it");
    }
}
