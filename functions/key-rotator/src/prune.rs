//! The scheduled prune: a key leaves the group once its grace period has
//! passed (every URL it signed has expired), then it is deleted; a public key
//! this rotator created that no group holds and no rotation needs is deleted;
//! and so is, after KMS's shortest waiting period, a KMS key no rotation needs.

use std::collections::BTreeSet;

use serde::Serialize;
use tracing::{info, warn};

use crate::cloudfront::KeyGroups;
use crate::error::{Error, Result};
use crate::kms_lifecycle::Seen;
use crate::naming::{Token, tags};
use crate::rotator::{Ports, Rotator};
use crate::secrets::Secrets;

/// What a prune did, for the log and the invocation's answer.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct PruneReport {
    /// Left the key group: their grace period had passed.
    pub removed: Vec<String>,
    /// Deleted public keys.
    pub deleted: Vec<String>,
    /// Members still in their grace period, with the epoch second each may leave.
    pub waiting: Vec<(String, u64)>,
    /// Members that no secret version accounts for.
    pub drift: Vec<String>,
    /// KMS keys whose deletion was scheduled: no valid URL can carry their signatures.
    pub retired_kms_keys: Vec<String>,
}

impl<P: Ports> Rotator<P> {
    /// Takes every member past its grace period out of the group and deletes this rotator's public keys that no group
    /// holds and no version needs; the report names them, and any drift. Fails when AWSCURRENT's key is no member.
    pub async fn prune(&self) -> Result<PruneReport> {
        // The order of these reads matters. KMS aliases, then public keys, are
        // listed first: a key created later is not seen, and one created
        // earlier had its draft labelled before it existed. The group is read
        // before the secret: a key joins the group only after its version is
        // AWSPENDING, so any member seen here is seen signing below if it is.
        let aliases = self.kms_aliases().await?;
        let keys = self.cloudfront.public_keys().await?;
        let group = self.group().await?;
        let state = self.describe().await?;
        let accounted = self.accounted(&state).await?;
        let current = accounted.current.clone().ok_or_else(|| Error::MalformedSecret {
            version: "AWSCURRENT".into(),
            reason: "no current signing key: nothing can be pruned safely".into(),
        })?;
        let group_name = &self.config.key_group_name;

        let signing: Vec<&str> = [Some(current.as_str()), accounted.pending.as_deref()].into_iter().flatten().collect();
        self.clear_retirement(&state, &signing).await?;
        let leaving = self.leave_times(&state, &group.items, &signing).await?;
        let now = self.now();
        let mut report = PruneReport::default();
        let expired: BTreeSet<&str> =
            leaving.iter().filter(|(_, leaves)| *leaves <= now).map(|(id, _)| id.as_str()).collect();
        report.waiting = leaving.iter().filter(|(_, leaves)| *leaves > now).cloned().collect();

        let group = self
            .change_members(&group.id, |members| {
                if !members.contains(&current) {
                    // Signers use a key CloudFront does not trust: fail, so the
                    // alarm fires. Not repaired here: a revoke may have removed
                    // it since the secret was read, and the next run tells.
                    return Err(Error::NotInGroup { key_id: current.clone(), group: group.id.clone() });
                }
                let next: Vec<String> = members.iter().filter(|m| !expired.contains(m.as_str())).cloned().collect();
                Ok((next.len() != members.len()).then_some(next))
            })
            .await?;
        report.removed = expired.iter().map(|id| id.to_string()).collect();

        let orphans: Vec<String> = keys
            .iter()
            .filter(|k| Token::of_public_key(&k.name, group_name).is_some())
            .filter(|k| !group.items.contains(&k.id) && !accounted.protects(&k.id, &k.name, group_name))
            .map(|k| k.id.clone())
            .collect();
        for id in orphans {
            match self.delete_public_key(&id).await {
                Ok(()) => report.deleted.push(id),
                // In another key group too (key groups are the account's): left to
                // that group's owner, as on a stack delete, instead of failing every run.
                Err(e) if e.aws_code() == Some("PublicKeyInUse") => {
                    warn!(key_id = id, "public key is also in another key group: not deleted");
                }
                Err(e) => return Err(e),
            }
        }

        report.drift = group.items.iter().filter(|id| !accounted.names(id)).cloned().collect();
        for id in &report.drift {
            warn!(key_id = id, group = group.id, "drift: a key group member that no secret version accounts for");
        }

        // Tags are about members; a key that left the group needs none.
        let stale_tags: Vec<String> = state
            .tags
            .keys()
            .filter(|tag| {
                tags::key_of(tag).is_some_and(|id| !group.items.iter().any(|m| m == id) && !signing.contains(&id))
            })
            .cloned()
            .collect();
        if !stale_tags.is_empty() {
            self.secrets.untag(self.secret_id(), &stale_tags).await?;
        }
        // Last, from the reads above and the group as changed: the keys that
        // left it are retired in this run, and after a crash, in the next.
        let seen =
            Seen { aliases: &aliases, public_keys: &keys, members: &group.items, state: &state, accounted: &accounted };
        report.retired_kms_keys = self.retire_unneeded_kms_keys(seen).await?;
        info!(group = group.id, etag = group.etag, removed = ?report.removed, deleted = ?report.deleted, waiting = ?report.waiting, drift = ?report.drift, retired_kms_keys = ?report.retired_kms_keys, "prune done");
        Ok(report)
    }
}
