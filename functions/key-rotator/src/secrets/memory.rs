//! An in-memory Secrets Manager with the label rules the rotator relies on.

use std::collections::BTreeMap;
use std::sync::Mutex;

use zeroize::Zeroizing;

use super::{AWSCURRENT, AWSPREVIOUS, Put, SecretState, Secrets};
use crate::error::{Error, Result};

/// One secret, whatever id it is asked for by.
#[derive(Default)]
pub struct MemorySecrets {
    state: Mutex<Versions>,
}

#[derive(Default)]
struct Versions {
    values: BTreeMap<String, Option<Zeroizing<String>>>,
    stages: BTreeMap<String, Vec<String>>,
    tags: BTreeMap<String, String>,
}

impl Versions {
    /// Puts `stage` on `version` alone; a moved AWSCURRENT leaves AWSPREVIOUS behind, as in AWS.
    fn label(&mut self, version: &str, stage: &str) {
        let previous = self.holder(stage);
        for stages in self.stages.values_mut() {
            stages.retain(|s| s != stage);
        }
        if stage == AWSCURRENT
            && let Some(previous) = previous.filter(|p| p != version)
        {
            self.label(&previous, AWSPREVIOUS);
        }
        self.stages.entry(version.to_owned()).or_default().push(stage.to_owned());
    }

    fn holder(&self, stage: &str) -> Option<String> {
        self.stages.iter().find(|(_, s)| s.iter().any(|s| s == stage)).map(|(id, _)| id.clone())
    }
}

fn invalid(operation: &'static str, code: &str, message: String) -> Error {
    Error::Aws { operation, code: code.into(), message }
}

impl MemorySecrets {
    /// No secret yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A version as Secrets Manager's RotateSecret leaves it: labelled, without a value.
    pub fn add_empty_version(&self, version: &str, stage: &str) {
        let mut state = self.state.lock().unwrap();
        state.values.insert(version.to_owned(), None);
        state.label(version, stage);
    }
}

impl Secrets for MemorySecrets {
    async fn describe(&self, _secret_id: &str) -> Result<SecretState> {
        let state = self.state.lock().unwrap();
        let versions =
            state.stages.iter().filter(|(_, s)| !s.is_empty()).map(|(k, v)| (k.clone(), v.clone())).collect();
        Ok(SecretState { versions, tags: state.tags.clone() })
    }

    async fn value(&self, _secret_id: &str, version_id: &str) -> Result<Option<Zeroizing<String>>> {
        Ok(self.state.lock().unwrap().values.get(version_id).cloned().flatten())
    }

    async fn put(&self, put: Put<'_>) -> Result<()> {
        let mut state = self.state.lock().unwrap();
        match state.values.get(put.version_id) {
            Some(Some(existing)) if existing.as_str() != put.value => {
                return Err(invalid(
                    "PutSecretValue",
                    "ResourceExistsException",
                    format!("version {} already holds another value", put.version_id),
                ));
            }
            Some(Some(_)) => return Ok(()),
            _ => {}
        }
        // As in AWS: the first version of a secret becomes AWSCURRENT whatever stages were asked for.
        let first = state.values.values().all(Option::is_none);
        state.values.insert(put.version_id.to_owned(), Some(Zeroizing::new(put.value.to_owned())));
        for stage in put.stages.iter().copied().chain(first.then_some(AWSCURRENT)) {
            state.label(put.version_id, stage);
        }
        Ok(())
    }

    async fn move_stage(&self, _secret_id: &str, stage: &str, to: Option<&str>, from: Option<&str>) -> Result<()> {
        let mut state = self.state.lock().unwrap();
        let holder = state.holder(stage);
        if holder.as_deref() != from && !(holder.is_none() && from.is_none()) {
            return Err(invalid(
                "UpdateSecretVersionStage",
                "InvalidParameterException",
                format!("{stage} is on {holder:?}, not on {from:?}"),
            ));
        }
        match to {
            Some(to) if !state.values.contains_key(to) => {
                Err(invalid("UpdateSecretVersionStage", "ResourceNotFoundException", format!("no version {to}")))
            }
            Some(to) => {
                state.label(to, stage);
                Ok(())
            }
            None => {
                for stages in state.stages.values_mut() {
                    stages.retain(|s| s != stage);
                }
                Ok(())
            }
        }
    }

    async fn tag(&self, _secret_id: &str, key: &str, value: &str) -> Result<()> {
        self.state.lock().unwrap().tags.insert(key.to_owned(), value.to_owned());
        Ok(())
    }

    async fn untag(&self, _secret_id: &str, keys: &[String]) -> Result<()> {
        let mut state = self.state.lock().unwrap();
        for key in keys {
            state.tags.remove(key);
        }
        Ok(())
    }
}
