//! The rotator: its dependencies, and what every trigger shares (reading the
//! secret's keys, changing the key group's members, deleting public keys).

use std::marker::PhantomData;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use std::collections::BTreeMap;

use cfsign::StoredSigningKey;
use plumbing::backoff::{Backoff, Spread};
use tracing::{info, warn};

use crate::cloudfront::{KeyGroup, KeyGroups, PublicKeySpec, Updated};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::keys::{KeySource, same_key};
use crate::kms::KmsKeys;
use crate::naming::{Token, tags};
use crate::secrets::{AWSCURRENT, AWSPENDING, DRAFT, SecretState, Secrets};
use plumbing::time::{Clock, Pause, TokioPause};

/// How often a read-modify-write of the key group is tried before giving up.
pub(crate) const GROUP_ATTEMPTS: u32 = 8;

/// The backoff after a lost key-group write: up to 200 ms, then twice as
/// long each time, up to 2 s.
const GROUP_BACKOFF: Backoff =
    Backoff { first: Duration::from_millis(200), cap: Duration::from_secs(2), spread: Spread::Full };

/// What a rotator works with: Secrets Manager, CloudFront's key groups,
/// where new private keys come from, KMS, the clock and the waiting. A new port is one more
/// associated type here, and nowhere else.
pub trait Ports {
    /// Secrets Manager: the secret's versions, labels and tags.
    type Secrets: Secrets;
    /// CloudFront: the key group and the public keys.
    type KeyGroups: KeyGroups;
    /// Where new private keys come from.
    type Keys: KeySource;
    /// AWS KMS: the keys of KMS mode, and the retiring of them in either mode.
    type Kms: KmsKeys;
    /// What time it is, for grace periods, the activation delay and deadlines.
    type Clock: Clock;
    /// How the rotator waits (after a lost key-group write, for a new key to propagate) and draws jitter.
    type Pause: Pause;
}

/// The ports as the types of the values [`Rotator::new`] was given.
pub struct With<S, C, K, M, T, W = TokioPause>(PhantomData<(S, C, K, M, T, W)>);

impl<S: Secrets, C: KeyGroups, K: KeySource, M: KmsKeys, T: Clock, W: Pause> Ports for With<S, C, K, M, T, W> {
    type Secrets = S;
    type KeyGroups = C;
    type Keys = K;
    type Kms = M;
    type Clock = T;
    type Pause = W;
}

/// The key rotator: every trigger runs on it, through the ports `P`, under its settings.
pub struct Rotator<P: Ports> {
    pub(crate) secrets: P::Secrets,
    pub(crate) cloudfront: P::KeyGroups,
    pub(crate) keys: P::Keys,
    pub(crate) kms: P::Kms,
    clock: P::Clock,
    pub(crate) pause: P::Pause,
    pub(crate) config: Config,
}

/// The keys the secret's labelled versions account for.
#[derive(Debug, Default)]
pub(crate) struct Accounted {
    pub current: Option<String>,
    pub pending: Option<String>,
    /// Rotations whose public key may exist before a version names it: the
    /// labelled draft's, and one whose AWSPENDING version holds no value yet.
    pub drafts: Vec<Token>,
    /// The key id each labelled version with a value holds, by version id.
    pub pairs: BTreeMap<String, String>,
}

impl Accounted {
    /// Whether `key` (id and name) belongs to the current or pending version.
    pub(crate) fn protects(&self, id: &str, name: &str, group: &str) -> bool {
        self.current.as_deref() == Some(id)
            || self.pending.as_deref() == Some(id)
            || Token::of_public_key(name, group).is_some_and(|t| self.drafts.contains(&t))
    }

    /// Whether some labelled version names the key `id`.
    pub(crate) fn names(&self, id: &str) -> bool {
        self.pairs.values().any(|named| named == id)
    }
}

impl<S: Secrets, C: KeyGroups, K: KeySource, M: KmsKeys, T: Clock> Rotator<With<S, C, K, M, T>> {
    /// A rotator on these ports under `config`, waiting on Tokio's timer (`with_pause` changes that).
    pub fn new(secrets: S, cloudfront: C, keys: K, kms: M, clock: T, config: Config) -> Self {
        Self { secrets, cloudfront, keys, kms, clock, pause: TokioPause, config }
    }
}

impl<S: Secrets, C: KeyGroups, K: KeySource, M: KmsKeys, T: Clock, W: Pause> Rotator<With<S, C, K, M, T, W>> {
    /// The same rotator, waiting with `pause`.
    pub fn with_pause<V: Pause>(self, pause: V) -> Rotator<With<S, C, K, M, T, V>> {
        let Self { secrets, cloudfront, keys, kms, clock, config, .. } = self;
        Rotator { secrets, cloudfront, keys, kms, clock, pause, config }
    }
}

impl<P: Ports> Rotator<P> {
    /// The same rotator under other settings, as after a stack update.
    pub fn with_config(self, config: Config) -> Self {
        Self { config, ..self }
    }

    /// The Secrets Manager port; tests inspect the fake through it.
    pub fn secrets(&self) -> &P::Secrets {
        &self.secrets
    }

    /// The CloudFront port; tests inspect the fake through it.
    pub fn cloudfront(&self) -> &P::KeyGroups {
        &self.cloudfront
    }

    /// The KMS port; tests inspect the fake through it.
    pub fn kms(&self) -> &P::Kms {
        &self.kms
    }

    /// How the rotator waits; a custom resource's deadline is kept with it too.
    pub fn pause(&self) -> &P::Pause {
        &self.pause
    }

    /// The settings it runs under.
    pub fn config(&self) -> &Config {
        &self.config
    }

    pub(crate) fn clock_now(&self) -> SystemTime {
        self.clock.now()
    }

    pub(crate) fn now(&self) -> u64 {
        epoch_seconds(self.clock.now())
    }

    pub(crate) fn secret_id(&self) -> &str {
        &self.config.secret_id
    }

    pub(crate) async fn describe(&self) -> Result<SecretState> {
        self.secrets.describe(self.secret_id()).await
    }

    /// The signing key a version holds; None if the version holds no value.
    pub(crate) async fn signing_key(&self, version: &str) -> Result<Option<StoredSigningKey>> {
        let Some(json) = self.secrets.value(self.secret_id(), version).await? else { return Ok(None) };
        StoredSigningKey::from_json(&json)
            .map(Some)
            .map_err(|e| Error::MalformedSecret { version: version.to_owned(), reason: e.to_string() })
    }

    /// The pending version's key, which a step after createSecret requires.
    pub(crate) async fn pending_key(&self, token: &Token) -> Result<StoredSigningKey> {
        self.signing_key(token.as_str()).await?.ok_or_else(|| Error::NotPending {
            token: token.to_string(),
            why: "it holds no value: createSecret has not completed".into(),
        })
    }

    pub(crate) async fn accounted(&self, state: &SecretState) -> Result<Accounted> {
        let mut accounted = Accounted::default();
        for (version, stages) in &state.versions {
            if let Some(token) = Token::of_draft(version) {
                if stages.iter().any(|s| s == DRAFT) {
                    accounted.drafts.push(token);
                }
                continue;
            }
            let key = match self.signing_key(version).await {
                Ok(Some(key)) => key,
                Ok(None) => {
                    if stages.iter().any(|s| s == AWSPENDING)
                        && let Ok(token) = Token::parse(version)
                    {
                        accounted.drafts.push(token);
                    }
                    continue;
                }
                // The current key must be known; an old malformed version is only noted.
                Err(e @ Error::MalformedSecret { .. }) if !stages.iter().any(|s| s == AWSCURRENT) => {
                    warn!(version, error = %e, "a labelled version holds no signing key");
                    continue;
                }
                Err(e) => return Err(e),
            };
            let id = key.key_pair_id().to_owned();
            accounted.pairs.insert(version.clone(), id.clone());
            if stages.iter().any(|s| s == AWSCURRENT) {
                accounted.current = Some(id.clone());
            }
            if stages.iter().any(|s| s == AWSPENDING) {
                accounted.pending = Some(id);
            }
        }
        Ok(accounted)
    }

    /// The configured key group, which must exist.
    pub(crate) async fn group(&self) -> Result<KeyGroup> {
        let name = &self.config.key_group_name;
        let id = self.cloudfront.find_key_group(name).await?.ok_or_else(|| Error::NoKeyGroup(name.clone()))?;
        self.cloudfront.key_group(&id).await?.ok_or_else(|| Error::NoKeyGroup(name.clone()))
    }

    /// Changes the group's members by read-modify-write with IfMatch, reading
    /// again whenever someone else changed the group in between. `change`
    /// returns the new members, or None when nothing needs to change.
    pub(crate) async fn change_members(
        &self,
        group_id: &str,
        mut change: impl FnMut(&[String]) -> Result<Option<Vec<String>>>,
    ) -> Result<KeyGroup> {
        for attempt in 1..=GROUP_ATTEMPTS {
            let mut group = self
                .cloudfront
                .key_group(group_id)
                .await?
                .ok_or_else(|| Error::NoKeyGroup(self.config.key_group_name.clone()))?;
            let Some(items) = change(&group.items)? else { return Ok(group) };
            let before = std::mem::replace(&mut group.items, items);
            let written = self.cloudfront.update_key_group(&group).await.map_err(|e| match e.aws_code() {
                // Another writer filled the group since it was read.
                Some("TooManyPublicKeysInKeyGroup") => Error::GroupLimit { group: group.name.clone() },
                _ => e,
            });
            match written? {
                Updated::Done(etag) => {
                    info!(
                        group = group_id,
                        etag_before = group.etag,
                        etag_after = etag,
                        members_before = ?before,
                        members_after = ?group.items,
                        "key group updated"
                    );
                    group.etag = etag;
                    return Ok(group);
                }
                Updated::Stale => {
                    // Full jitter: concurrent writers spread out instead of colliding again.
                    let pause = GROUP_BACKOFF.delay(attempt, self.pause.fraction());
                    info!(
                        group = group_id,
                        attempt,
                        pause_ms = pause.as_millis(),
                        "key group changed since read (PreconditionFailed); reading it again"
                    );
                    if attempt < GROUP_ATTEMPTS {
                        self.pause.sleep(pause).await;
                    }
                }
                Updated::Gone => return Err(Error::NoKeyGroup(self.config.key_group_name.clone())),
            }
        }
        Err(Error::GroupContended { group: group_id.to_owned(), attempts: GROUP_ATTEMPTS })
    }

    /// Creates the public key of `token`'s private key, or finds the one a
    /// previous attempt created, by its name and after checking it is the same key.
    pub(crate) async fn ensure_public_key(&self, token: &Token, public: &cfsign::PublicKey) -> Result<String> {
        let name = token.public_key_name(&self.config.key_group_name);
        let comment: String =
            format!("key-rotator: version {token} of {}", self.secret_id()).chars().take(128).collect();
        let spec = PublicKeySpec { caller_reference: name.clone(), name, encoded_key: public.to_pem(), comment };
        if let Some(id) = self.cloudfront.create_public_key(&spec).await? {
            info!(token = %token, key_id = id, name = spec.name, "public key created");
            return Ok(id);
        }
        let keys = self.cloudfront.public_keys().await?;
        let found = keys.into_iter().find(|k| k.name == spec.name).ok_or_else(|| Error::Aws {
            operation: "CreatePublicKey",
            code: "PublicKeyAlreadyExists".into(),
            message: format!("CallerReference {} is taken by a key not named so", spec.caller_reference),
        })?;
        if !same_key(&found.encoded_key, public) {
            return Err(Error::KeyMismatch { key_id: found.id, token: token.to_string() });
        }
        info!(token = %token, key_id = found.id, "public key found again by name");
        Ok(found.id)
    }

    /// Checks that CloudFront holds `key`'s public half under its key pair id.
    pub(crate) async fn check_public_key(&self, key: &StoredSigningKey, token: &Token) -> Result<()> {
        let public = match key {
            StoredSigningKey::PrivateKey(key) => cfsign::PrivateKey::from_pem(&key.private_key)?.public_key()?,
            StoredSigningKey::Kms(key) => self.kms.public_key(&key.kms_key_arn).await?,
        };
        let key_id = key.key_pair_id();
        let detail = self.cloudfront.public_key(key_id).await?;
        let detail = detail.ok_or_else(|| Error::NoPublicKey(key_id.to_owned()))?;
        if same_key(&detail.encoded_key, &public) {
            Ok(())
        } else {
            Err(Error::KeyMismatch { key_id: key_id.to_owned(), token: token.to_string() })
        }
    }

    /// Deletes public keys that left every group (CloudFront refuses while one holds them).
    pub(crate) async fn delete_public_keys(&self, ids: &[String]) -> Result<()> {
        for id in ids {
            self.delete_public_key(id).await?;
        }
        Ok(())
    }

    /// Deletes one public key (gone already is done), reading its ETag again
    /// whenever it changed in between; an error if it kept changing.
    pub(crate) async fn delete_public_key(&self, id: &str) -> Result<()> {
        for _ in 0..GROUP_ATTEMPTS {
            let Some(detail) = self.cloudfront.public_key(id).await? else { return Ok(()) };
            match self.cloudfront.delete_public_key(id, &detail.etag).await? {
                Updated::Done(_) | Updated::Gone => {
                    info!(key_id = id, "public key deleted");
                    return Ok(());
                }
                Updated::Stale => continue,
            }
        }
        Err(Error::PublicKeyContended { key_id: id.to_owned(), attempts: GROUP_ATTEMPTS })
    }

    /// Writes an epoch-seconds tag unless it is there already: the first
    /// moment recorded is the one that counts.
    pub(crate) async fn tag_once(&self, state: &SecretState, key: String) -> Result<u64> {
        if let Some(at) = state.time_tag(&key) {
            return Ok(at);
        }
        let now = self.now();
        self.secrets.tag(self.secret_id(), &key, &now.to_string()).await?;
        info!(tag = key, at = now, "recorded");
        Ok(now)
    }

    /// Records that `key_id` stopped signing now, replacing any earlier record:
    /// the moment AWSCURRENT left it is the latest such moment.
    pub(crate) async fn mark_retired(&self, state: &SecretState, key_id: &str) -> Result<()> {
        let now = self.now();
        self.secrets.tag(self.secret_id(), &tags::retired(key_id), &now.to_string()).await?;
        let leaves = self.leave_time(state, key_id, now).await?;
        info!(key_id, at = now, leaves, "key stopped signing: its grace period starts");
        Ok(())
    }

    /// When `key_id`, which stopped signing at `retired_at`, may leave the
    /// group: after the grace period of today's settings, and never before the
    /// leave time recorded under earlier ones (URLs signed then may live that
    /// long). A later leave time is recorded, so it holds from then on.
    async fn leave_time(&self, state: &SecretState, key_id: &str, retired_at: u64) -> Result<u64> {
        let wanted = retired_at.saturating_add(self.config.grace().as_secs());
        let tag = tags::leaves(key_id);
        match state.time_tag(&tag) {
            Some(recorded) if recorded >= wanted => Ok(recorded),
            _ => {
                self.secrets.tag(self.secret_id(), &tag, &wanted.to_string()).await?;
                Ok(wanted)
            }
        }
    }

    /// Removes retirement records of keys that sign: one written from a read
    /// that a rotation overtook would start a grace period too early. Their
    /// leave times stay: URLs they signed before still need them.
    pub(crate) async fn clear_retirement(&self, state: &SecretState, signing: &[&str]) -> Result<()> {
        let stale: Vec<String> =
            signing.iter().map(|id| tags::retired(id)).filter(|tag| state.tags.contains_key(tag)).collect();
        if !stale.is_empty() {
            warn!(tags = ?stale, "retirement recorded for a key that signs; removing it");
            self.secrets.untag(self.secret_id(), &stale).await?;
        }
        Ok(())
    }

    /// Starts the grace period of every member no version signs with any more
    /// and returns the earliest moment each may leave the group. A member
    /// first seen retired counts from now: later than the truth, never earlier.
    pub(crate) async fn leave_times(
        &self,
        state: &SecretState,
        members: &[String],
        signing: &[&str],
    ) -> Result<Vec<(String, u64)>> {
        let mut times = Vec::new();
        for id in members.iter().filter(|id| !signing.contains(&id.as_str())) {
            let retired_at = self.tag_once(state, tags::retired(id)).await?;
            times.push((id.clone(), self.leave_time(state, id, retired_at).await?));
        }
        Ok(times)
    }
}

pub(crate) fn epoch_seconds(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}
