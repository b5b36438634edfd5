//! The trusted key groups' public keys, and the signatures already verified
//! against them: a viewer loading a gallery sends the same signed cookies with
//! every image, and checking one signature costs more than serving a cached
//! image (about 26 µs for RSA-2048, 75 µs for ECDSA P-256; see BENCHMARKS.md).

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use cfsign::{Rejection, RequestContext, Verified, Verifier};
use lru::LruCache;

/// How many verified signatures are kept, least recently used out first.
const REMEMBERED: NonZeroUsize = NonZeroUsize::new(10_000).expect("not zero");

pub struct TrustedKeys {
    verifier: Verifier,
    /// Keyed by everything the verification read (the request URL and the
    /// signed parameters or cookies), so a remembered answer is the one the
    /// full check would give, but for the dates and the address, which
    /// `Verified::allows` checks each time. Dropped with these keys: a key
    /// removed from the group takes its remembered signatures with it.
    remembered: Mutex<LruCache<String, Arc<Verified>>>,
}

impl TrustedKeys {
    pub fn new(verifier: Verifier) -> Self {
        Self { verifier, remembered: Mutex::new(LruCache::new(REMEMBERED)) }
    }

    /// Checks a request through `verify` (given the verifier), unless the
    /// same signature for the same URL was verified before.
    pub fn check(
        &self,
        what_was_read: String,
        context: &RequestContext,
        verify: impl FnOnce(&Verifier) -> Result<Verified, Rejection>,
    ) -> Result<(), Rejection> {
        let known = self.remembered.lock().unwrap_or_else(|p| p.into_inner()).get(&what_was_read).cloned();
        if let Some(verified) = known {
            return verified.allows(context);
        }
        let verified = verify(&self.verifier)?;
        self.remembered.lock().unwrap_or_else(|p| p.into_inner()).put(what_was_read, Arc::new(verified));
        Ok(())
    }
}

impl std::fmt::Debug for TrustedKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustedKeys").field("verifier", &self.verifier).finish_non_exhaustive()
    }
}
