//! Revoking a compromised key: it leaves the group at once, without grace;
//! if it is the current key, a rotation runs next (all four steps, with a
//! token derived from the key so a retry resumes it); then it is deleted,
//! and its KMS key (in KMS mode) is scheduled for deletion, so it signs no more.

use serde::Serialize;
use tracing::{info, warn};

use crate::cloudfront::KeyGroups;
use crate::error::{Error, Result};
use crate::naming::{Token, tags};
use crate::rotation::Activation;
use crate::rotator::{Ports, Rotator};
use crate::secrets::{AWSCURRENT, AWSPENDING, Secrets};

/// What [`Rotator::leave_group`] does with a key that is the group's only member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sole {
    /// It stays, for now: its replacement joins first.
    Stays,
    /// It leaves, and CloudFront's refusal of an empty group is the answer.
    Leaves,
}

/// What a revoke did, for the log and the invocation's answer.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct RevokeReport {
    /// The key id the revoke named, now out of the key group (and deleted, if it was this stack's).
    pub revoked: String,
    /// The key that replaced it, when it was the current key.
    pub replaced_by: Option<String>,
    /// KMS keys whose deletion was scheduled: the revoked key's, in KMS mode.
    pub retired_kms_keys: Vec<String>,
}

impl<P: Ports> Rotator<P> {
    /// Takes `key_id` out of the group at once, without grace (after a rotation, when it signs now), then deletes it
    /// if it was this group's or this rotator's.
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
        // Out of the group before the rotation: its URLs are meant to break
        // now, and a full group must not keep a compromised key trusted for
        // want of room for its replacement. A key group cannot be empty, so a
        // sole member leaves after its replacement has joined.
        let group = self.group().await?;
        let mut was_member = false;
        let sole = if rotate { Sole::Stays } else { Sole::Leaves };
        self.leave_group(&group.id, key_id, sole, &mut was_member).await?;
        if rotate {
            warn!(key_id, token = %token, "revoking the current key: rotating now");
            self.create_secret(&token, None).await?;
            self.set_secret(&token).await?;
            self.test_secret(&token).await?;
            self.finish_secret(&token, Activation::AtOnce).await?;
        }
        // An attempt that failed after its rotation finished made the replacement too.
        if rotate || state.has(token.as_str(), AWSCURRENT) {
            replaced_by = self.signing_key(token.as_str()).await?.map(|k| k.key_pair_id().to_owned());
        }
        if rotate {
            self.leave_group(&group.id, key_id, Sole::Leaves, &mut was_member).await?;
        }
        // Only a key of this group's: a public key id from the request alone
        // may belong to someone else's group or to field-level encryption.
        let owned = match self.cloudfront.public_key(key_id).await? {
            Some(key) => Token::of_public_key(&key.name, &self.config.key_group_name).is_some(),
            None => false,
        };
        // Read again: the rotation recorded the key's retirement.
        let state = if rotate { self.describe().await? } else { state };
        let stale: Vec<String> = [tags::joined(key_id), tags::retired(key_id), tags::leaves(key_id)]
            .into_iter()
            .filter(|t| state.tags.contains_key(t))
            .collect();
        // Nothing of this stack's names the key: a typo during an incident must
        // not look like a successful revoke. A retry of a revoke that got this
        // far finds one of these still there (the tags go last), or the
        // replacement its rotation made current.
        if !(rotate || replaced_by.is_some() || was_member || owned || !stale.is_empty()) {
            return Err(Error::RevokeUnknown { key_id: key_id.to_owned(), group: group.name, members: group.items });
        }
        if was_member || owned {
            self.delete_public_keys(&[key_id.to_owned()]).await?;
        }
        // A KMS key signs no more once its deletion is scheduled. Before the
        // tags go: they are what a retry after a failure here finds.
        let retired_kms_keys = self.retire_kms_keys().await?;
        if !stale.is_empty() {
            self.secrets.untag(self.secret_id(), &stale).await?;
        }
        info!(key_id, replaced_by = ?replaced_by, retired_kms_keys = ?retired_kms_keys, "key revoked: out of the key group and deleted");
        Ok(RevokeReport { revoked: key_id.to_owned(), replaced_by, retired_kms_keys })
    }

    /// Removes `key_id` from the group; `sole` says what happens when it is
    /// the only member (CloudFront refuses an empty group).
    async fn leave_group(&self, group_id: &str, key_id: &str, sole: Sole, was_member: &mut bool) -> Result<()> {
        self.change_members(group_id, |members| {
            let member = members.iter().any(|m| m == key_id);
            *was_member |= member;
            let stays = sole == Sole::Stays && members.len() == 1;
            Ok((member && !stays).then(|| members.iter().filter(|m| *m != key_id).cloned().collect()))
        })
        .await?;
        Ok(())
    }
}
