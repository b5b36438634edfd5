//! The first key pair, for the stack's first deploy (a CloudFormation custom
//! resource): the key group must exist, holding a key, before the distribution
//! can trust it. The stack owns the group; rotation owns its members, so an
//! update changes nothing and a delete removes what the rotator created.

use tracing::{info, warn};

use crate::cloudfront::{KeyGroups, Updated};
use crate::error::{Error, Result};
use crate::naming::Token;
use crate::rotation::Activation;
use crate::rotator::{GROUP_ATTEMPTS, Ports, Rotator};
use crate::secrets::AWSCURRENT;

/// What the custom resource returns: its physical id is the key group id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKeys {
    /// Id of the key group the distribution trusts, which is also the custom resource's physical id.
    pub key_group_id: String,
    /// Id of the public key whose private half signs now.
    pub public_key_id: String,
}

impl<P: Ports> Rotator<P> {
    /// Creates the first key, its key group and the secret's first value, or
    /// finds them again when CloudFormation repeats the request.
    pub async fn bootstrap(&self, stack_id: &str, logical_id: &str) -> Result<SigningKeys> {
        let token = Token::derived("bootstrap", &format!("{stack_id}/{logical_id}"));
        let name = &self.config.key_group_name;
        let state = self.describe().await?;
        if !state.has(token.as_str(), AWSCURRENT) {
            // Key group names are the account's: a group of that name that this
            // stack did not create is someone else's, and never adopted.
            if let Some(id) = self.cloudfront.find_key_group(name).await?
                && let Some(group) = self.cloudfront.key_group(&id).await?
                && !created_by(&group, stack_id)
            {
                return Err(Error::ForeignKeyGroup { name: name.clone(), comment: group.comment.unwrap_or_default() });
            }
            self.create_secret(&token, None).await?;
            let key_id = self.pending_key(&token).await?.key_pair_id().to_owned();
            let created = match self.cloudfront.find_key_group(name).await? {
                Some(_) => None,
                None => {
                    let comment = group_comment(stack_id);
                    self.cloudfront.create_key_group(name, std::slice::from_ref(&key_id), &comment).await?
                }
            };
            if created.is_none() {
                // Found: this stack's, from a repeated request: the key joins it.
                let group = self.group().await?;
                self.change_members(&group.id, |members| {
                    Ok((!members.contains(&key_id)).then(|| [members, std::slice::from_ref(&key_id)].concat()))
                })
                .await?;
            }
            self.finish_secret(&token, Activation::AtOnce).await?;
        }
        let group = self.group().await?;
        let key = self.signing_key(token.as_str()).await?.ok_or_else(|| Error::NoPublicKey(token.to_string()))?;
        let public_key_id = key.key_pair_id().to_owned();
        info!(key_group_id = group.id, public_key_id, "signing keys in place");
        Ok(SigningKeys { key_group_id: group.id, public_key_id })
    }

    /// What an update returns: the same group, and the key that signs now.
    pub async fn signing_keys(&self, key_group_id: &str) -> Result<SigningKeys> {
        let group =
            self.cloudfront.key_group(key_group_id).await?.ok_or_else(|| Error::NoKeyGroup(key_group_id.to_owned()))?;
        let state = self.describe().await?;
        let accounted = self.accounted(&state).await?;
        let public_key_id = accounted.current.ok_or_else(|| Error::MalformedSecret {
            version: "AWSCURRENT".into(),
            reason: "holds no signing key".into(),
        })?;
        Ok(SigningKeys { key_group_id: group.id, public_key_id })
    }

    /// Deletes the key group and every public key this rotator created that no
    /// group holds, and schedules the deletion of its KMS keys. Gone already is
    /// done; the secret is the stack's to delete.
    ///
    /// Only what this stack created: the group, found by the physical id or
    /// (after a failed create, whose physical id is `failed-...`) by name, is
    /// deleted only if its comment names this stack; a group of another stack
    /// is left in place with every key.
    pub async fn tear_down(&self, physical_id: &str, stack_id: &str) -> Result<()> {
        let named = match self.cloudfront.key_group(physical_id).await? {
            Some(group) => Some(group),
            None => match self.cloudfront.find_key_group(&self.config.key_group_name).await? {
                Some(id) => self.cloudfront.key_group(&id).await?,
                None => None,
            },
        };
        let (group, foreign) = match named {
            Some(group) if created_by(&group, stack_id) => (Some(group), false),
            Some(group) => {
                warn!(
                    key_group_id = group.id,
                    "the key group was not created by this stack: left in place, with its keys"
                );
                (None, true)
            }
            None => (None, false),
        };
        if foreign {
            return Ok(());
        }
        if let Some(group) = group {
            for _ in 0..GROUP_ATTEMPTS {
                let Some(current) = self.cloudfront.key_group(&group.id).await? else { break };
                match self.cloudfront.delete_key_group(&current.id, &current.etag).await? {
                    Updated::Done(_) | Updated::Gone => {
                        info!(key_group_id = current.id, "key group deleted");
                        break;
                    }
                    Updated::Stale => continue,
                }
            }
        }
        let name = &self.config.key_group_name;
        let keys = self.cloudfront.public_keys().await?;
        for key in keys.iter().filter(|k| Token::of_public_key(&k.name, name).is_some()) {
            match self.delete_public_keys(std::slice::from_ref(&key.id)).await {
                Err(e) if e.aws_code() == Some("PublicKeyInUse") => {
                    warn!(key_id = key.id, "public key still in a key group: left in place");
                }
                other => other?,
            }
        }
        self.retire_every_kms_key().await
    }
}

fn created_by(group: &crate::cloudfront::KeyGroup, stack_id: &str) -> bool {
    group.comment.as_deref() == Some(group_comment(stack_id).as_str())
}

/// The comment of a key group the bootstrap created: the stack's id says whose it is.
fn group_comment(stack_id: &str) -> String {
    let stack = stack_id.rsplit('/').next().unwrap_or(stack_id);
    format!("Signing keys of stack {stack}; members are rotated by its key-rotator").chars().take(128).collect()
}
