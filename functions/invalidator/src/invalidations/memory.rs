//! An in-memory CloudFront for tests and benchmarks: CallerReference
//! idempotence as CloudFront has it, failures on demand, and a call log.

use std::collections::VecDeque;
use std::sync::Mutex;

use super::Invalidations;
use crate::error::InvalidatorError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedCall {
    pub distribution: String,
    pub caller_reference: String,
    pub paths: Vec<String>,
}

#[derive(Debug, Default)]
pub struct MemoryInvalidations {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    calls: Vec<RecordedCall>,
    created: Vec<(RecordedCall, String)>,
    failures: VecDeque<(String, fn() -> InvalidatorError)>,
}

impl MemoryInvalidations {
    pub fn new() -> Self {
        Self::default()
    }

    /// The next `times` calls for `distribution` fail with `error()`.
    pub fn fail(&self, distribution: &str, times: usize, error: fn() -> InvalidatorError) {
        let mut state = self.lock();
        state.failures.extend(std::iter::repeat_n((distribution.to_owned(), error), times));
    }

    /// Every call, failed or not, in order.
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.lock().calls.clone()
    }

    /// The invalidations created for `distribution` (each once), with their paths as sent.
    pub fn invalidations(&self, distribution: &str) -> Vec<Vec<String>> {
        let state = self.lock();
        state
            .created
            .iter()
            .filter(|(call, _)| call.distribution == distribution)
            .map(|(call, _)| call.paths.clone())
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("memory invalidations lock")
    }
}

impl Invalidations for MemoryInvalidations {
    async fn create(
        &self,
        distribution: &str,
        caller_reference: &str,
        paths: &[String],
    ) -> Result<String, InvalidatorError> {
        let mut state = self.lock();
        let call = RecordedCall {
            distribution: distribution.to_owned(),
            caller_reference: caller_reference.to_owned(),
            paths: paths.to_vec(),
        };
        state.calls.push(call.clone());
        if let Some(position) = state.failures.iter().position(|(failing, _)| failing == distribution) {
            let (_, error) = state.failures.remove(position).expect("position is in range");
            return Err(error());
        }
        let same_reference = state
            .created
            .iter()
            .find(|(earlier, _)| earlier.distribution == distribution && earlier.caller_reference == caller_reference);
        if let Some((earlier, id)) = same_reference {
            let mut before = earlier.paths.clone();
            let mut now = paths.to_vec();
            before.sort();
            now.sort();
            return if before == now {
                Ok(id.clone())
            } else {
                Err(InvalidatorError::Refused {
                    code: "InvalidationBatchAlreadyExists".into(),
                    message: format!("CallerReference {caller_reference} was used with other paths"),
                })
            };
        }
        let id = format!("I{:013}", state.created.len() + 1);
        state.created.push((call, id.clone()));
        Ok(id)
    }
}
