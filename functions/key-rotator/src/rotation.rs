//! The four steps of a Secrets Manager rotation, each idempotent: a retried
//! step finds what an earlier attempt did (by the token) and goes on from there.
//!
//! createSecret: the new private key is written as a draft version (labelled
//!   KEYROTATOR_DRAFT), then its public key is created (named after the token),
//!   then the complete value `{keyPairId, privateKey}` becomes the AWSPENDING version.
//!   In KMS mode the draft names the alias of the KMS key to create; the key is
//!   created (tagged, then aliased), its public key read and created in
//!   CloudFront, and `{keyPairId, kmsKeyArn}` becomes the AWSPENDING version.
//! setSecret: the public key joins the key group (making room by removing a key
//!   whose grace period has passed, if the group is full).
//! testSecret: the pending private key (or KMS key) signs, and the public key CloudFront
//!   holds verifies it. On the version Secrets Manager opens to test a new
//!   rotation configuration (empty, or a copy of AWSCURRENT), the current key
//!   is checked instead.
//! finishSecret: AWSCURRENT moves to the new version; the old key's grace period starts.

use std::time::{Duration, SystemTime};

use cfsign::{HashAlgorithm, KmsKeySecret, PrivateKey, PublicKey, SigningKeySecret, StoredSigningKey};
use tracing::{info, warn};

use crate::cloudfront::{KeyGroups, MAX_KEYS_PER_GROUP};
use crate::config::SigningKeySource;
use crate::error::{Error, Result};
use crate::keys::{Draft, KeySource, NewKey};
use crate::kms::KmsKeys;
use crate::naming::{Token, tags};
use crate::rotator::{Ports, Rotator, epoch_seconds};
use crate::secrets::{AWSCURRENT, AWSPENDING, DRAFT, Put, SecretState, Secrets};
use plumbing::time::Pause;
use zeroize::Zeroizing;

fn overtaken(token: &Token, state: &SecretState) -> Error {
    let why = format!(
        "another rotation overtook this one (AWSCURRENT is on {:?}, AWSPENDING on {:?})",
        state.labelled(AWSCURRENT),
        state.labelled(AWSPENDING)
    );
    Error::NotPending { token: token.to_string(), why }
}

/// A rotation's new key once it exists, which createSecret writes as AWSPENDING.
enum Made {
    Private(PrivateKey),
    /// The KMS key's ARN.
    Kms(String),
}

impl Made {
    /// The secret's value for this key, once CloudFront gave its public key `key_pair_id`.
    fn value(self, key_pair_id: &str) -> Result<Zeroizing<String>> {
        match self {
            Self::Private(private) => Ok(SigningKeySecret::new(key_pair_id, &private)?.to_json()),
            Self::Kms(kms_key_arn) => {
                Ok(Zeroizing::new(KmsKeySecret { key_pair_id: key_pair_id.to_owned(), kms_key_arn }.to_json()))
            }
        }
    }
}

/// The four steps of a Secrets Manager rotation, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// createSecret: a new key pair, whose public key is created and whose value becomes AWSPENDING.
    Create,
    /// setSecret: the new public key joins the key group.
    Set,
    /// testSecret: the pending private key signs, and the public key CloudFront holds verifies it.
    Test,
    /// finishSecret: AWSCURRENT moves to the new version, and the old key's grace period starts.
    Finish,
}

impl Step {
    /// Both spellings AWS documents: `createSecret` and `create_secret`.
    pub fn parse(step: &str) -> Option<Self> {
        match step {
            "createSecret" | "create_secret" => Some(Self::Create),
            "setSecret" | "set_secret" => Some(Self::Set),
            "testSecret" | "test_secret" => Some(Self::Test),
            "finishSecret" | "finish_secret" => Some(Self::Finish),
            _ => None,
        }
    }

    /// The step as Secrets Manager spells it, such as `createSecret`, for logs and answers.
    pub fn name(self) -> &'static str {
        match self {
            Self::Create => "createSecret",
            Self::Set => "setSecret",
            Self::Test => "testSecret",
            Self::Finish => "finishSecret",
        }
    }
}

/// Whether finishSecret waits for ACTIVATION_DELAY_SECONDS (a revoke does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Activation {
    /// The delay is waited out in this invocation if it ends before `deadline`;
    /// otherwise the step fails (NotYetPropagated) and Secrets Manager retries.
    AfterDelay {
        deadline: Option<SystemTime>,
    },
    AtOnce,
}

impl<P: Ports> Rotator<P> {
    /// Runs `step`. `deadline`: when the invocation must have answered (the
    /// Lambda deadline less a margin); finishSecret may wait until then for
    /// the new key to propagate. None: no time to wait.
    pub async fn rotation_step(
        &self,
        step: Step,
        token: &Token,
        rotation_token: Option<&str>,
        deadline: Option<SystemTime>,
    ) -> Result<()> {
        match step {
            Step::Create => self.create_secret(token, rotation_token).await,
            Step::Set => self.set_secret(token).await,
            Step::Test => self.test_secret(token).await,
            Step::Finish => self.finish_secret(token, Activation::AfterDelay { deadline }).await,
        }
    }

    /// Whether the step has nothing left to do (the version is current), or
    /// may not run (the version is not pending).
    fn done_or_refused(state: &SecretState, token: &Token, step: Step) -> Result<bool> {
        if state.has(token.as_str(), AWSCURRENT) {
            info!(step = step.name(), token = %token, "version is AWSCURRENT already: nothing to do");
            return Ok(true);
        }
        if !state.has(token.as_str(), AWSPENDING) {
            let why = match state.labelled(AWSPENDING) {
                Some(other) => format!("AWSPENDING is on version {other}"),
                None => "no version is AWSPENDING".into(),
            };
            return Err(Error::NotPending { token: token.to_string(), why });
        }
        Ok(false)
    }

    pub(crate) async fn create_secret(&self, token: &Token, rotation_token: Option<&str>) -> Result<()> {
        let state = self.describe().await?;
        if state.has(token.as_str(), AWSCURRENT) {
            info!(step = "createSecret", token = %token, "version is AWSCURRENT already: nothing to do");
            return Ok(());
        }
        if let Some(key) = self.signing_key(token.as_str()).await? {
            // Written by an earlier attempt; still ours only while it is pending.
            Self::done_or_refused(&state, token, Step::Create)?;
            info!(step = "createSecret", token = %token, key_id = key.key_pair_id(), "pending version written already");
            return Ok(());
        }
        let (draft, drafted_before) = self.draft(&state, token, rotation_token).await?;
        let invoked_without_rotate_secret = !state.versions.contains_key(token.as_str());
        if invoked_without_rotate_secret && drafted_before && !draft.open_in(&state, token) {
            // A retry of a rotation overtaken since its draft (its draft, or its
            // version, lost its label): refused before it makes any key.
            return Err(overtaken(token, &state));
        }
        let (public, made) = match draft.key()? {
            NewKey::Private(private) => (private.public_key()?, Made::Private(private)),
            NewKey::Kms(alias) => {
                let arn = self.ensure_kms_key(token, &alias).await?;
                (self.kms.public_key(&arn).await?, Made::Kms(arn))
            }
        };
        let key_id = self.ensure_public_key(token, &public).await?;
        // Still this rotation's? One that another rotation overtook since must
        // not make its key pending.
        let now = self.describe().await?;
        let ours = if invoked_without_rotate_secret {
            draft.open_in(&now, token) && now.labelled(AWSPENDING) == state.labelled(AWSPENDING)
        } else {
            now.has(token.as_str(), AWSPENDING)
        };
        let state = now;
        if !ours {
            return Err(overtaken(token, &state));
        }
        let value = made.value(&key_id)?;
        self.secrets
            .put(Put {
                secret_id: self.secret_id(),
                version_id: token.as_str(),
                value: &value,
                stages: &[AWSPENDING],
                rotation_token,
            })
            .await?;
        info!(step = "createSecret", token = %token, key_id, "new key pair stored as AWSPENDING");
        Ok(())
    }

    /// Whether an earlier attempt of `token`'s rotation, invoked without
    /// RotateSecret (no version `token` exists), left a draft that may still go on.
    pub(crate) async fn open_draft(&self, state: &SecretState, token: &Token) -> Result<bool> {
        let draft_version = token.draft_version();
        if state.versions.contains_key(token.as_str()) || !state.has(&draft_version, DRAFT) {
            return Ok(false);
        }
        let Some(json) = self.secrets.value(self.secret_id(), &draft_version).await? else { return Ok(false) };
        Ok(Draft::from_json(&draft_version, &json)?.open_in(state, token))
    }

    /// The rotation's draft: read again (true), or its new key chosen and
    /// written before anything else can refer to it (false).
    async fn draft(&self, state: &SecretState, token: &Token, rotation_token: Option<&str>) -> Result<(Draft, bool)> {
        let draft_version = token.draft_version();
        if let Some(json) = self.secrets.value(self.secret_id(), &draft_version).await? {
            return Ok((Draft::from_json(&draft_version, &json)?, true));
        }
        if let Some(other) = state.labelled(AWSPENDING).filter(|v| *v != token.as_str()) {
            warn!(token = %token, abandoned = other, "AWSPENDING was on another version, an unfinished rotation; this one takes over");
        }
        let replaces = state.labelled(AWSCURRENT);
        let draft = match self.config.key_source {
            SigningKeySource::Secret => Draft::new(&self.keys.generate(self.config.key_algorithm)?, replaces)?,
            SigningKeySource::Kms => Draft::kms(token.kms_alias(&self.config.key_group_name), replaces),
        };
        let put = Put {
            secret_id: self.secret_id(),
            version_id: &draft_version,
            value: &draft.to_json(),
            stages: &[DRAFT],
            rotation_token,
        };
        self.secrets.put(put).await?;
        info!(step = "createSecret", token = %token, algorithm = %self.config.key_algorithm, source = ?self.config.key_source, "new key's draft stored");
        Ok((draft, false))
    }

    pub(crate) async fn set_secret(&self, token: &Token) -> Result<()> {
        let state = self.describe().await?;
        if Self::done_or_refused(&state, token, Step::Set)? {
            return Ok(());
        }
        let pending = self.pending_key(token).await?;
        self.check_public_key(&pending, token).await?;
        let group = self.group().await?;
        let current = match state.labelled(AWSCURRENT) {
            Some(version) => self.key_id_or_placeholder(version).await?,
            None => None,
        };
        let new_key = pending.key_pair_id();
        let signing: Vec<&str> = current.iter().map(String::as_str).chain([new_key]).collect();
        let leaving = self.leave_times(&state, &group.items, &signing).await?;
        let now = self.now();
        let mut made_room = Vec::new();
        self.change_members(&group.id, |members| {
            made_room.clear();
            if members.iter().any(|m| m == new_key) {
                return Ok(None);
            }
            let mut next = members.to_vec();
            if next.len() >= MAX_KEYS_PER_GROUP {
                let first = leaving
                    .iter()
                    .filter(|(id, _)| next.contains(id))
                    .min_by_key(|(_, leaves)| *leaves)
                    .filter(|(_, leaves)| *leaves <= now);
                let Some((id, _)) = first else {
                    let earliest = leaving.iter().map(|(_, leaves)| *leaves).min();
                    return Err(Error::GroupFull {
                        group: group.name.clone(),
                        grace: self.config.grace(),
                        earliest: earliest
                            .map_or(String::new(), |at| format!("; the first may leave at {at} (epoch seconds)")),
                    });
                };
                next.retain(|m| m != id);
                made_room.push(id.clone());
            }
            next.push(new_key.to_owned());
            Ok(Some(next))
        })
        .await?;
        self.delete_public_keys(&made_room).await?;
        self.tag_once(&state, tags::joined(new_key)).await?;
        info!(step = "setSecret", token = %token, key_id = new_key, group = group.id, "public key is in the key group");
        Ok(())
    }

    pub(crate) async fn test_secret(&self, token: &Token) -> Result<()> {
        let state = self.describe().await?;
        if Self::done_or_refused(&state, token, Step::Test)? {
            return Ok(());
        }
        if let Some(current) = self.configuration_test(&state, token).await? {
            self.check_in_group(current.key_pair_id()).await?;
            self.check_pair(&current, token).await?;
            info!(step = "testSecret", token = %token, key_id = current.key_pair_id(), "configuration test of the rotation schedule: the current key is in the group, signs, and CloudFront's public key verifies");
            return Ok(());
        }
        let pending = self.pending_key(token).await?;
        self.check_in_group(pending.key_pair_id()).await?;
        self.check_pair(&pending, token).await?;
        info!(step = "testSecret", token = %token, key_id = pending.key_pair_id(), "pending key signs, CloudFront's public key verifies");
        Ok(())
    }

    /// AWSCURRENT's key when `token`'s version is the one Secrets Manager opens
    /// to test a new rotation configuration (a RotationSchedule created without
    /// rotating at once): no createSecret of ours wrote it (it has no draft),
    /// and it holds no value or a copy of AWSCURRENT's. Secrets Manager removes
    /// that version itself; nothing is changed here.
    async fn configuration_test(&self, state: &SecretState, token: &Token) -> Result<Option<StoredSigningKey>> {
        let value = self.secrets.value(self.secret_id(), token.as_str()).await?;
        let current_version = state.labelled(AWSCURRENT);
        let current_value = match current_version {
            Some(version) => self.secrets.value(self.secret_id(), version).await?,
            None => None,
        };
        let copy_or_empty = match (&value, &current_value) {
            (None, _) => true,
            (Some(value), Some(current)) => value.as_str() == current.as_str(),
            (Some(_), None) => false,
        };
        if !copy_or_empty || self.secrets.value(self.secret_id(), &token.draft_version()).await?.is_some() {
            return Ok(None);
        }
        let (Some(version), Some(json)) = (current_version, current_value) else {
            return Err(Error::NotPending {
                token: token.to_string(),
                why: "it holds no value, and no version is AWSCURRENT to test instead".into(),
            });
        };
        StoredSigningKey::from_json(&json)
            .map(Some)
            .map_err(|e| Error::MalformedSecret { version: version.to_owned(), reason: e.to_string() })
    }

    /// The pair works as CloudFront will use it: signed here (or by the KMS
    /// key, as the url-signer signs), verified with the key CloudFront holds.
    async fn check_pair(&self, key: &StoredSigningKey, token: &Token) -> Result<()> {
        let key_id = key.key_pair_id();
        let mismatch = || Error::KeyMismatch { key_id: key_id.to_owned(), token: token.to_string() };
        let detail = self.cloudfront.public_key(key_id).await?;
        let detail = detail.ok_or_else(|| Error::NoPublicKey(key_id.to_owned()))?;
        let public = PublicKey::from_pem(&detail.encoded_key).map_err(|_| mismatch())?;
        let message = format!("key-rotator test of version {token}");
        let signature = match key {
            StoredSigningKey::PrivateKey(key) => {
                PrivateKey::from_pem(&key.private_key)?.sign(HashAlgorithm::Sha256, message.as_bytes())?
            }
            StoredSigningKey::Kms(key) => {
                self.kms.sign_sha256(&key.kms_key_arn, public.algorithm(), message.as_bytes()).await?
            }
        };
        if public.verify(HashAlgorithm::Sha256, message.as_bytes(), &signature) { Ok(()) } else { Err(mismatch()) }
    }

    pub(crate) async fn finish_secret(&self, token: &Token, activation: Activation) -> Result<()> {
        loop {
            let state = self.describe().await?;
            if state.has(token.as_str(), AWSCURRENT) {
                // An earlier attempt moved AWSCURRENT; finish what it may have left.
                if state.has(token.as_str(), AWSPENDING) {
                    self.secrets.move_stage(self.secret_id(), AWSPENDING, None, Some(token.as_str())).await?;
                }
                return self.retire_previous(&state, token).await;
            }
            Self::done_or_refused(&state, token, Step::Finish)?;
            let pending = self.pending_key(token).await?;
            // AWSCURRENT's public key must be in the group at every moment.
            self.check_in_group(pending.key_pair_id()).await?;
            if let Activation::AfterDelay { deadline } = activation
                && let Some(wait) = self.propagation_wait(&state, pending.key_pair_id(), deadline).await?
            {
                info!(step = "finishSecret", token = %token, key_id = pending.key_pair_id(), wait_seconds = wait.as_secs(), "waiting for the new key to reach CloudFront's edges");
                self.pause.sleep(wait).await;
                // Read everything again: the secret may have changed meanwhile.
                continue;
            }
            let old_version = state.labelled(AWSCURRENT);
            let old_key = match old_version {
                Some(version) => self.key_id_or_placeholder(version).await?,
                None => None,
            };
            self.secrets.move_stage(self.secret_id(), AWSCURRENT, Some(token.as_str()), old_version).await?;
            info!(step = "finishSecret", token = %token, key_id = pending.key_pair_id(), replaced = ?old_key, "new key is AWSCURRENT");
            if let Some(old_key) = old_key {
                self.mark_retired(&state, &old_key).await?;
            }
            self.clear_retirement(&state, &[pending.key_pair_id()]).await?;
            self.secrets.move_stage(self.secret_id(), AWSPENDING, None, Some(token.as_str())).await?;
            return Ok(());
        }
    }

    /// How long `key_id` must still stay in the group before signers may use
    /// it: None when the activation delay has passed; an error when the rest
    /// of the wait does not fit before `deadline`, so Secrets Manager retries.
    async fn propagation_wait(
        &self,
        state: &SecretState,
        key_id: &str,
        deadline: Option<SystemTime>,
    ) -> Result<Option<Duration>> {
        let delay = self.config.activation_delay.as_secs();
        if delay == 0 {
            return Ok(None);
        }
        // setSecret recorded when the key joined; if it crashed first, it counts from now.
        let joined = self.tag_once(state, tags::joined(key_id)).await?;
        let ready = joined.saturating_add(delay);
        let now = self.now();
        if now >= ready {
            return Ok(None);
        }
        match deadline.map(epoch_seconds) {
            Some(deadline) if ready <= deadline => Ok(Some(Duration::from_secs(ready - now))),
            _ => Err(Error::NotYetPropagated { key_id: key_id.to_owned(), joined, ready }),
        }
    }

    /// The key id a version holds; None for a value that is no signing key
    /// (what a stack's secret may hold before its first key).
    async fn key_id_or_placeholder(&self, version: &str) -> Result<Option<String>> {
        match self.signing_key(version).await {
            Ok(key) => Ok(key.map(|k| k.key_pair_id().to_owned())),
            Err(e @ Error::MalformedSecret { .. }) => {
                warn!(version, error = %e, "the version holds no signing key");
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    async fn check_in_group(&self, key_id: &str) -> Result<()> {
        let group = self.group().await?;
        if group.items.iter().any(|k| k == key_id) {
            Ok(())
        } else {
            Err(Error::NotInGroup { key_id: key_id.to_owned(), group: group.id })
        }
    }

    /// What an attempt that moved AWSCURRENT may have left undone: the old
    /// key's grace period starts now (later than the move: never too early).
    async fn retire_previous(&self, state: &SecretState, token: &Token) -> Result<()> {
        if let Some(previous) = state.labelled(crate::secrets::AWSPREVIOUS)
            && let Some(key_id) = self.key_id_or_placeholder(previous).await?
        {
            self.mark_retired(state, &key_id).await?;
        }
        let current = self.pending_key(token).await?;
        self.clear_retirement(state, &[current.key_pair_id()]).await
    }
}
