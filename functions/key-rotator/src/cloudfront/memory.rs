//! An in-memory CloudFront with the key-group rules the rotator relies on:
//! ETags, IfMatch, 1 to 5 keys per group, PublicKeyInUse, unique names.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::{KeyGroup, KeyGroups, MAX_KEYS_PER_GROUP, PublicKeyDetail, PublicKeySpec, PublicKeySummary, Updated};
use crate::error::{Error, Result};

/// CloudFront's key groups and public keys in memory, with its ETags.
#[derive(Default)]
pub struct MemoryCloudFront {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    next: u64,
    keys: BTreeMap<String, (PublicKeySpec, String)>,
    groups: BTreeMap<String, KeyGroup>,
}

impl State {
    fn next_id(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{:013}", self.next)
    }

    fn check_items(&self, operation: &'static str, items: &[String]) -> Result<()> {
        if items.is_empty() || items.len() > MAX_KEYS_PER_GROUP {
            let code = if items.is_empty() { "InvalidArgument" } else { "TooManyPublicKeysInKeyGroup" };
            return Err(Error::Aws { operation, code: code.into(), message: format!("{} keys", items.len()) });
        }
        match items.iter().find(|id| !self.keys.contains_key(*id)) {
            Some(id) => Err(Error::Aws { operation, code: "InvalidArgument".into(), message: format!("no key {id}") }),
            None => Ok(()),
        }
    }
}

impl MemoryCloudFront {
    /// No key group and no public key.
    pub fn new() -> Self {
        Self::default()
    }
}

impl KeyGroups for MemoryCloudFront {
    async fn find_key_group(&self, name: &str) -> Result<Option<String>> {
        Ok(self.state.lock().unwrap().groups.values().find(|g| g.name == name).map(|g| g.id.clone()))
    }

    async fn key_group(&self, id: &str) -> Result<Option<KeyGroup>> {
        Ok(self.state.lock().unwrap().groups.get(id).cloned())
    }

    async fn update_key_group(&self, group: &KeyGroup) -> Result<Updated> {
        let mut state = self.state.lock().unwrap();
        let Some(stored) = state.groups.get(&group.id) else { return Ok(Updated::Gone) };
        if stored.etag != group.etag {
            return Ok(Updated::Stale);
        }
        state.check_items("UpdateKeyGroup", &group.items)?;
        let etag = state.next_id("E");
        state.groups.insert(group.id.clone(), KeyGroup { etag: etag.clone(), ..group.clone() });
        Ok(Updated::Done(etag))
    }

    async fn create_key_group(&self, name: &str, items: &[String], comment: &str) -> Result<Option<KeyGroup>> {
        let mut state = self.state.lock().unwrap();
        if state.groups.values().any(|g| g.name == name) {
            return Ok(None);
        }
        state.check_items("CreateKeyGroup", items)?;
        let (id, etag) = (state.next_id("G"), state.next_id("E"));
        let group =
            KeyGroup { id: id.clone(), name: name.into(), comment: Some(comment.into()), items: items.to_vec(), etag };
        state.groups.insert(id, group.clone());
        Ok(Some(group))
    }

    async fn delete_key_group(&self, id: &str, etag: &str) -> Result<Updated> {
        let mut state = self.state.lock().unwrap();
        match state.groups.get(id) {
            None => Ok(Updated::Gone),
            Some(group) if group.etag != etag => Ok(Updated::Stale),
            Some(_) => {
                state.groups.remove(id);
                Ok(Updated::Done(String::new()))
            }
        }
    }

    async fn create_public_key(&self, spec: &PublicKeySpec) -> Result<Option<String>> {
        let mut state = self.state.lock().unwrap();
        if state.keys.values().any(|(k, _)| k.name == spec.name || k.caller_reference == spec.caller_reference) {
            return Ok(None);
        }
        if state.keys.len() >= 10 {
            return Err(Error::Aws {
                operation: "CreatePublicKey",
                code: "TooManyPublicKeys".into(),
                message: "10 public keys".into(),
            });
        }
        let (id, etag) = (state.next_id("K"), state.next_id("E"));
        state.keys.insert(id.clone(), (spec.clone(), etag));
        Ok(Some(id))
    }

    async fn public_keys(&self) -> Result<Vec<PublicKeySummary>> {
        let state = self.state.lock().unwrap();
        Ok(state
            .keys
            .iter()
            .map(|(id, (spec, _))| PublicKeySummary {
                id: id.clone(),
                name: spec.name.clone(),
                encoded_key: spec.encoded_key.clone(),
            })
            .collect())
    }

    async fn public_key(&self, id: &str) -> Result<Option<PublicKeyDetail>> {
        let state = self.state.lock().unwrap();
        Ok(state.keys.get(id).map(|(spec, etag)| PublicKeyDetail {
            id: id.to_owned(),
            name: spec.name.clone(),
            encoded_key: spec.encoded_key.clone(),
            etag: etag.clone(),
        }))
    }

    async fn delete_public_key(&self, id: &str, etag: &str) -> Result<Updated> {
        let mut state = self.state.lock().unwrap();
        match state.keys.get(id) {
            None => Ok(Updated::Gone),
            Some((_, stored)) if stored != etag => Ok(Updated::Stale),
            Some(_) if state.groups.values().any(|g| g.items.iter().any(|k| k == id)) => Err(Error::Aws {
                operation: "DeletePublicKey",
                code: "PublicKeyInUse".into(),
                message: format!("{id} is in a key group"),
            }),
            Some(_) => {
                state.keys.remove(id);
                Ok(Updated::Done(String::new()))
            }
        }
    }
}
