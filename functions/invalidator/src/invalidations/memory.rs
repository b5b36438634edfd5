//! An in-memory CloudFront for tests and benchmarks: CallerReference
//! idempotence as CloudFront has it, failures on demand, and a call log.

use std::collections::VecDeque;
use std::sync::Mutex;

use super::Invalidations;
use crate::error::InvalidatorError;

/// One CreateInvalidation call, as the fake received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedCall {
    /// The distribution id it was for.
    pub distribution: String,
    /// Its CallerReference.
    pub caller_reference: String,
    /// The paths it asked to invalidate, in order.
    pub paths: Vec<String>,
}

/// CloudFront's invalidations in memory.
#[derive(Debug, Default)]
pub struct MemoryInvalidations {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    calls: Vec<RecordedCall>,
    created: Vec<(RecordedCall, String)>,
    failures: VecDeque<(String, fn() -> InvalidatorError)>,
    /// Per distribution: how many paths and wildcards other invalidations in progress leave room for.
    room: Vec<(String, usize, usize)>,
    /// Paths CloudFront refuses (InvalidArgument) in any request.
    refused_paths: Vec<String>,
}

impl MemoryInvalidations {
    /// No invalidation, no failure planned.
    pub fn new() -> Self {
        Self::default()
    }

    /// The next `times` calls for `distribution` fail with `error()`.
    pub fn fail(&self, distribution: &str, times: usize, error: fn() -> InvalidatorError) {
        let mut state = self.lock();
        state.failures.extend(std::iter::repeat_n((distribution.to_owned(), error), times));
    }

    /// Calls for `distribution` with more than `paths` paths or `wildcards`
    /// wildcards fail with TooManyInProgress, as when others are in progress.
    pub fn leave_room(&self, distribution: &str, paths: usize, wildcards: usize) {
        self.lock().room.push((distribution.to_owned(), paths, wildcards));
    }

    /// Any call holding `path` is refused with InvalidArgument.
    pub fn refuse_path(&self, path: &str) {
        self.lock().refused_paths.push(path.to_owned());
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
        if let Some(path) = paths.iter().find(|path| state.refused_paths.contains(path)) {
            return Err(InvalidatorError::Refused {
                code: "InvalidArgument".into(),
                message: format!("Your request contains one or more invalid invalidation paths: {path}"),
            });
        }
        let wildcards = paths.iter().filter(|path| path.ends_with('*')).count();
        let crowded = state.room.iter().any(|(room_for, most_paths, most_wildcards)| {
            room_for == distribution && (paths.len() > *most_paths || wildcards > *most_wildcards)
        });
        if crowded {
            return Err(InvalidatorError::TooManyInProgress(
                "Processing your request will cause you to exceed the maximum number of in-progress invalidations"
                    .into(),
            ));
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
