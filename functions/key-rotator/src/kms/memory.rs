//! An in-memory KMS with the rules the rotator relies on: keys that really
//! sign, tags, unique aliases, and keys pending deletion that sign nothing.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use cfsign::{Backend, HashAlgorithm, KeyAlgorithm, PrivateKey, PublicKey};

use super::{GROUP_TAG, KmsAlias, KmsKeys, NewKmsKey, TOKEN_TAG, TaggedKmsKey};
use crate::error::{Error, Result};
use crate::naming::Token;

const ARN_PREFIX: &str = "arn:aws:kms:us-east-1:111122223333:key/";

/// KMS keys and aliases in memory.
#[derive(Default)]
pub struct MemoryKms {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    next: u64,
    keys: BTreeMap<String, MemoryKmsKey>,
    aliases: BTreeMap<String, String>,
}

/// One key as a test inspects it.
#[derive(Clone)]
pub struct MemoryKmsKey {
    /// Its private half, which a real KMS never shows.
    pub private: Arc<PrivateKey>,
    /// Its tags.
    pub tags: BTreeMap<String, String>,
    /// Its key policy.
    pub policy: String,
    /// Whether ScheduleKeyDeletion was called on it.
    pub pending_deletion: bool,
}

impl MemoryKms {
    /// No key and no alias.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every key by id.
    pub fn keys(&self) -> BTreeMap<String, MemoryKmsKey> {
        self.state.lock().unwrap().keys.clone()
    }

    /// Every alias and the id of its key.
    pub fn alias_targets(&self) -> BTreeMap<String, String> {
        self.state.lock().unwrap().aliases.clone()
    }
}

fn not_found(operation: &'static str, what: &str) -> Error {
    Error::Aws { operation, code: "NotFoundException".into(), message: format!("{what} does not exist") }
}

impl State {
    /// The id of the key `key` names: an id, an ARN or an alias.
    fn id(&self, operation: &'static str, key: &str) -> Result<String> {
        let id = match key.strip_prefix(ARN_PREFIX) {
            Some(id) => id.to_owned(),
            None if key.starts_with("alias/") => self.aliases.get(key).cloned().unwrap_or_default(),
            None => key.to_owned(),
        };
        if self.keys.contains_key(&id) { Ok(id) } else { Err(not_found(operation, key)) }
    }

    fn usable(&self, operation: &'static str, key: &str) -> Result<&MemoryKmsKey> {
        let stored = &self.keys[&self.id(operation, key)?];
        if stored.pending_deletion {
            return Err(Error::Aws {
                operation,
                code: "KMSInvalidStateException".into(),
                message: format!("{key} is pending deletion"),
            });
        }
        Ok(stored)
    }
}

impl KmsKeys for MemoryKms {
    async fn find_alias(&self, alias: &str) -> Result<Option<String>> {
        let state = self.state.lock().unwrap();
        Ok(state.aliases.get(alias).map(|id| format!("{ARN_PREFIX}{id}")))
    }

    async fn aliases(&self, prefix: &str) -> Result<Vec<KmsAlias>> {
        let state = self.state.lock().unwrap();
        Ok(state
            .aliases
            .iter()
            .filter(|(name, _)| name.starts_with(prefix))
            .map(|(name, key_id)| KmsAlias { name: name.clone(), key_id: key_id.clone() })
            .collect())
    }

    async fn create_key(&self, key: &NewKmsKey<'_>) -> Result<String> {
        let private = Arc::new(PrivateKey::generate(key.algorithm, Backend::default())?);
        let mut state = self.state.lock().unwrap();
        state.next += 1;
        let id = format!("00000000-0000-4000-8000-{:012}", state.next);
        let tags = BTreeMap::from([
            (GROUP_TAG.to_owned(), key.group.to_owned()),
            (TOKEN_TAG.to_owned(), key.token.to_string()),
        ]);
        state
            .keys
            .insert(id.clone(), MemoryKmsKey { private, tags, policy: key.policy.to_owned(), pending_deletion: false });
        Ok(format!("{ARN_PREFIX}{id}"))
    }

    async fn create_alias(&self, alias: &str, key: &str) -> Result<()> {
        let mut state = self.state.lock().unwrap();
        let id = state.id("CreateAlias", key)?;
        if state.aliases.contains_key(alias) {
            return Err(Error::Aws {
                operation: "CreateAlias",
                code: "AlreadyExistsException".into(),
                message: format!("{alias} exists"),
            });
        }
        state.aliases.insert(alias.to_owned(), id);
        Ok(())
    }

    async fn delete_alias(&self, alias: &str) -> Result<()> {
        self.state.lock().unwrap().aliases.remove(alias);
        Ok(())
    }

    async fn public_key(&self, key: &str) -> Result<PublicKey> {
        let state = self.state.lock().unwrap();
        Ok(state.usable("GetPublicKey", key)?.private.public_key()?)
    }

    async fn sign_sha256(&self, key: &str, algorithm: KeyAlgorithm, message: &[u8]) -> Result<Vec<u8>> {
        let state = self.state.lock().unwrap();
        let stored = state.usable("Sign", key)?;
        if stored.private.algorithm() != algorithm {
            return Err(Error::Aws {
                operation: "Sign",
                code: "InvalidKeyUsageException".into(),
                message: format!("{key} is not {algorithm}"),
            });
        }
        Ok(stored.private.sign(HashAlgorithm::Sha256, message)?)
    }

    async fn tagged_keys(&self, group: &str) -> Result<Vec<TaggedKmsKey>> {
        let state = self.state.lock().unwrap();
        Ok(state
            .keys
            .iter()
            .filter(|(_, key)| key.tags.get(GROUP_TAG).map(String::as_str) == Some(group))
            .map(|(id, key)| TaggedKmsKey {
                id: id.clone(),
                token: key.tags.get(TOKEN_TAG).and_then(|t| Token::parse(t).ok()),
            })
            .collect())
    }

    async fn schedule_deletion(&self, key: &str) -> Result<()> {
        let mut state = self.state.lock().unwrap();
        let id = state.id("ScheduleKeyDeletion", key)?;
        state.keys.get_mut(&id).expect("found above").pending_deletion = true;
        Ok(())
    }
}
