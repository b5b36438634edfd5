//! Revoking a compromised key: if it is the current key, a rotation runs now
//! (all four steps, with a token derived from the key so a retry resumes it);
//! then the key leaves the group at once, without grace, and is deleted.

use cfsign::Clock;
use serde::Serialize;
use tracing::{info, warn};

use crate::cloudfront::KeyGroups;
use crate::error::{Error, Result};
use crate::keys::KeySource;
use crate::naming::{Token, tags};
use crate::pause::Sleeper;
use crate::rotation::Activation;
use crate::rotator::Rotator;
use crate::secrets::{AWSCURRENT, AWSPENDING, Secrets};

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct RevokeReport {
    pub revoked: String,
    /// The key that replaced it, when it was the current key.
    pub replaced_by: Option<String>,
}

impl<S: Secrets, C: KeyGroups, K: KeySource, T: Clock, W: Sleeper> Rotator<S, C, K, T, W> {
    pub async fn revoke(&self, key_id: &str) -> Result<RevokeReport> {
        let mut state = self.describe().await?;
        let accounted = self.accounted(&state).await?;
        if accounted.pending.as_deref() == Some(key_id) {
            if accounted.current.as_deref() != Some(key_id) {
                return Err(Error::RevokePending(key_id.to_owned()));
            }
            // AWSPENDING holds the current key (a finishSecret that crashed
            // before removing it, or Secrets Manager's configuration test): no
            // rotation is in progress, and the leftover would block ours.
            if let Some(version) = state.labelled(AWSPENDING).map(str::to_owned) {
                warn!(key_id, version, "AWSPENDING holds the current key: removing the leftover label first");
                self.secrets.move_stage(self.secret_id(), AWSPENDING, None, Some(&version)).await?;
                state = self.describe().await?;
            }
        }
        let token = Token::derived("revoke", key_id);
        let mut replaced_by = None;
        // An earlier attempt's rotation still pending is finished first, so
        // it leaves no AWSPENDING behind to block the next rotation.
        let resuming = state.has(token.as_str(), AWSPENDING) || self.open_draft(&state, &token).await?;
        let rotate = accounted.current.as_deref() == Some(key_id) || resuming;
        if rotate {
            warn!(key_id, token = %token, "revoking the current key: rotating now");
            self.create_secret(&token, None).await?;
            self.set_secret(&token).await?;
            self.test_secret(&token).await?;
            self.finish_secret(&token, Activation::AtOnce).await?;
        }
        // An attempt that failed after its rotation finished made the replacement too.
        if rotate || state.has(token.as_str(), AWSCURRENT) {
            replaced_by = self.signing_key(token.as_str()).await?.map(|k| k.key_pair_id);
        }
        let group = self.group().await?;
        let mut was_member = false;
        self.change_members(&group.id, |members| {
            was_member |= members.iter().any(|m| m == key_id);
            Ok(members.iter().any(|m| m == key_id).then(|| members.iter().filter(|m| *m != key_id).cloned().collect()))
        })
        .await?;
        // Only a key of this group's: a public key id from the request alone
        // may belong to someone else's group or to field-level encryption.
        let owned = match self.cloudfront.public_key(key_id).await? {
            Some(key) => Token::of_public_key(&key.name, &self.config.key_group_name).is_some(),
            None => false,
        };
        let stale: Vec<String> =
            [tags::joined(key_id), tags::retired(key_id)].into_iter().filter(|t| state.tags.contains_key(t)).collect();
        // Nothing of this stack's names the key: a typo during an incident must
        // not look like a successful revoke. A retry of a revoke that got this
        // far finds one of these still there (the tags go last).
        if !(rotate || was_member || owned || !stale.is_empty()) {
            return Err(Error::RevokeUnknown { key_id: key_id.to_owned(), group: group.name, members: group.items });
        }
        if was_member || owned {
            self.delete_public_keys(&[key_id.to_owned()]).await?;
        }
        if !stale.is_empty() {
            self.secrets.untag(self.secret_id(), &stale).await?;
        }
        info!(key_id, replaced_by = ?replaced_by, "key revoked: out of the key group and deleted");
        Ok(RevokeReport { revoked: key_id.to_owned(), replaced_by })
    }
}
