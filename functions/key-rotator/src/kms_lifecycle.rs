//! The life of a KMS signing key: created once per rotation (found again
//! through its alias when the step is retried), and retired (its deletion
//! scheduled, its alias removed) once no URL it signed can still be valid.

use std::collections::BTreeSet;

use plumbing::settings::SettingError;
use tracing::{info, warn};

use crate::cloudfront::{KeyGroups, PublicKeySummary};
use crate::error::{Error, Result};
use crate::kms::{DELETION_WINDOW_DAYS, KmsAlias, KmsKeys, NewKmsKey, key_policy};
use crate::naming::{Token, kms_alias_prefix, tags};
use crate::rotator::{Accounted, Ports, Rotator};
use crate::secrets::{SecretState, Secrets};

/// What retiring KMS keys decides from, read in this order: the aliases
/// ([`Rotator::kms_aliases`]), the public keys, the group's members, the secret.
pub(crate) struct Seen<'a> {
    pub aliases: &'a [KmsAlias],
    pub public_keys: &'a [PublicKeySummary],
    /// The members once the caller's own changes to the group are made.
    pub members: &'a [String],
    pub state: &'a SecretState,
    pub accounted: &'a Accounted,
}

impl<P: Ports> Rotator<P> {
    /// The ARN of `token`'s KMS key, named `alias`: found again through the
    /// alias, or created, tagged and aliased.
    pub(crate) async fn ensure_kms_key(&self, token: &Token, alias: &str) -> Result<String> {
        if let Some(arn) = self.kms.find_alias(alias).await? {
            info!(token = %token, kms_key = arn, "KMS key found again by its alias");
            return Ok(arn);
        }
        let roles = self.config.kms_roles.as_ref().ok_or_else(|| {
            Error::Config(SettingError::invalid(
                "KMS_SIGNER_ROLE_ARN",
                "set, with KMS_ROTATOR_ROLE_ARN: the rotation's draft names a KMS key, whose policy names both roles",
            ))
        })?;
        // Recorded before the key exists, on every attempt (a prune may have
        // removed an earlier record since): a crash between CreateKey and
        // CreateAlias leaves a key that only its tags find, and this tells
        // the prune to look for it.
        let now = self.now().to_string();
        self.secrets.tag(self.secret_id(), &tags::kms_key_of(token), &now).await?;
        let group = &self.config.key_group_name;
        let policy = key_policy(roles, self.config.key_algorithm);
        let description = format!("CloudFront signing key of key group {group}, rotation {token} (key-rotator)");
        let new = NewKmsKey {
            algorithm: self.config.key_algorithm,
            group,
            token,
            policy: &policy,
            description: &description,
        };
        let arn = self.kms.create_key(&new).await?;
        info!(token = %token, kms_key = arn, algorithm = %self.config.key_algorithm, "KMS key created");
        match self.kms.create_alias(alias, &arn).await {
            Ok(()) => Ok(arn),
            // Another attempt of this rotation aliased its own key first: that
            // key is the rotation's, and the prune retires this one.
            Err(e) if e.aws_code() == Some("AlreadyExistsException") => {
                warn!(token = %token, kms_key = arn, "the alias points to another key of this rotation; using that one");
                self.kms.find_alias(alias).await?.ok_or(e)
            }
            Err(e) => Err(e),
        }
    }

    /// This key group's KMS aliases. Read before the public keys, the group
    /// and the secret: a key aliased later is not seen, and one seen had its
    /// draft labelled, and later its version written, before those reads.
    pub(crate) async fn kms_aliases(&self) -> Result<Vec<KmsAlias>> {
        self.kms.aliases(&kms_alias_prefix(&self.config.key_group_name)).await
    }

    /// [`Self::retire_unneeded_kms_keys`] from reads of its own, in their order.
    pub(crate) async fn retire_kms_keys(&self) -> Result<Vec<String>> {
        let aliases = self.kms_aliases().await?;
        let public_keys = self.cloudfront.public_keys().await?;
        let group = self.group().await?;
        let state = self.describe().await?;
        let accounted = self.accounted(&state).await?;
        let seen = Seen {
            aliases: &aliases,
            public_keys: &public_keys,
            members: &group.items,
            state: &state,
            accounted: &accounted,
        };
        self.retire_unneeded_kms_keys(seen).await
    }

    /// Schedules the deletion of every KMS key of this key group that no URL
    /// still valid can have been signed with, and that no rotation in progress
    /// needs, and removes its alias; answers their ids. A key is needed while
    /// its public key is in the group or signs (current or pending), or while
    /// its rotation has not yet written its version. Keys a crash left without
    /// an alias are looked for by their tags once their rotation is over.
    pub(crate) async fn retire_unneeded_kms_keys(&self, seen: Seen<'_>) -> Result<Vec<String>> {
        let Seen { aliases, public_keys, members, state, accounted } = seen;
        let group_name = &self.config.key_group_name;
        let in_progress =
            |token: &Token| accounted.drafts.contains(token) && !accounted.pairs.contains_key(token.as_str());
        let needed = |token: &Token| {
            let pair = accounted.pairs.get(token.as_str()).cloned().or_else(|| {
                let name = token.public_key_name(group_name);
                public_keys.iter().find(|k| k.name == name).map(|k| k.id.clone())
            });
            in_progress(token)
                || pair.is_some_and(|id| {
                    members.contains(&id)
                        || accounted.current.as_ref() == Some(&id)
                        || accounted.pending.as_ref() == Some(&id)
                })
        };

        let mut retired = BTreeSet::new();
        for alias in aliases {
            let Some(token) = Token::of_kms_alias(&alias.name, group_name) else { continue };
            if needed(&token) {
                continue;
            }
            self.kms.schedule_deletion(&alias.key_id).await?;
            // Out of every later listing; an operator who cancels the deletion
            // gets the key back disabled, and this rotator never touches it again.
            self.kms.delete_alias(&alias.name).await?;
            info!(token = %token, kms_key = alias.key_id, days = DELETION_WINDOW_DAYS, "KMS key retired: its deletion is scheduled");
            retired.insert(alias.key_id.clone());
        }

        let looked_for: Vec<Token> =
            state.tags.keys().filter_map(|tag| tags::token_of_kms_key_tag(tag)).filter(|t| !in_progress(t)).collect();
        if !looked_for.is_empty() {
            let tagged = self.kms.tagged_keys(group_name).await?;
            for token in &looked_for {
                // Read after the secret: the alias of a rotation that is over is there for good.
                let kept = match needed(token) {
                    true => self.kms.find_alias(&token.kms_alias(group_name)).await?,
                    false => None,
                };
                for key in tagged.iter().filter(|k| k.token.as_ref() == Some(token)) {
                    let kept = kept.as_deref().is_some_and(|arn| arn.rsplit('/').next() == Some(key.id.as_str()));
                    if kept || retired.contains(&key.id) {
                        continue;
                    }
                    if self.retire_found_by_tag(&key.id).await? {
                        warn!(token = %token, kms_key = key.id, days = DELETION_WINDOW_DAYS, "KMS key without its alias (a crash during its creation) retired: its deletion is scheduled");
                        retired.insert(key.id.clone());
                    }
                }
            }
            let done: Vec<String> = looked_for.iter().map(tags::kms_key_of).collect();
            self.secrets.untag(self.secret_id(), &done).await?;
        }
        Ok(retired.into_iter().collect())
    }

    /// Schedules the deletion of every KMS key of this key group, as the
    /// stack that made them is deleted: those its aliases name, and, when the
    /// secret shows a key creation whose orphans no prune has looked for yet,
    /// those tagged for the group.
    pub(crate) async fn retire_every_kms_key(&self) -> Result<()> {
        let group_name = &self.config.key_group_name;
        let keys: BTreeSet<String> = self.kms_aliases().await?.into_iter().map(|a| a.key_id).collect();
        let unlooked = match self.describe().await {
            Ok(state) => state.tags.keys().any(|tag| tags::token_of_kms_key_tag(tag).is_some()),
            // Deleted with the stack already: no record tells, so every key is looked at.
            Err(e) if e.aws_code() == Some("ResourceNotFoundException") => true,
            Err(e) => return Err(e),
        };
        for key in &keys {
            self.kms.schedule_deletion(key).await?;
            info!(
                kms_key = key,
                days = DELETION_WINDOW_DAYS,
                "KMS key retired with its stack: its deletion is scheduled"
            );
        }
        if unlooked {
            for key in self.kms.tagged_keys(group_name).await?.into_iter().filter(|k| !keys.contains(&k.id)) {
                if self.retire_found_by_tag(&key.id).await? {
                    info!(
                        kms_key = key.id,
                        days = DELETION_WINDOW_DAYS,
                        "KMS key retired with its stack: its deletion is scheduled"
                    );
                }
            }
        }
        Ok(())
    }

    /// Schedules the deletion of a key found by its tags alone; false when
    /// its policy refuses: tags are anyone's to set, and a key this rotator
    /// did not create (its policy does not name the rotator) is left alone.
    async fn retire_found_by_tag(&self, key: &str) -> Result<bool> {
        match self.kms.schedule_deletion(key).await {
            Ok(()) => Ok(true),
            Err(e) if e.aws_code() == Some("AccessDeniedException") => {
                warn!(kms_key = key, error = %e, "a KMS key tagged for this key group refuses the rotator: not this rotator's key, left alone");
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }
}
