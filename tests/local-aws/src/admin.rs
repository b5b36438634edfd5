//! The admin endpoints under /_local/ (tests/local-aws/README.md).

use serde::{Deserialize, Serialize};

/// One armed fault: the next `count` calls of `service`/`action` fail with
/// `error` and `status`, or, with `error` unset, are delayed by `delay_ms`.
#[derive(Debug, Clone, Serialize)]
pub struct Fault {
    pub service: String,
    pub action: String,
    pub count: u32,
    /// How many matching calls to let through first.
    pub skip: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
}

impl Fault {
    /// The next call fails with `error` (an AWS error code) and HTTP `status`.
    pub fn error(service: &str, action: &str, error: &str, status: u16) -> Self {
        Self {
            service: service.into(),
            action: action.into(),
            count: 1,
            skip: 0,
            error: Some(error.into()),
            status: Some(status),
            message: None,
            delay_ms: None,
        }
    }

    /// The next call is answered normally, `delay_ms` late.
    pub fn delay(service: &str, action: &str, delay_ms: u64) -> Self {
        Self {
            service: service.into(),
            action: action.into(),
            count: 1,
            skip: 0,
            error: None,
            status: None,
            message: None,
            delay_ms: Some(delay_ms),
        }
    }

    /// Lets `skip` matching calls through before the fault applies.
    pub fn after(mut self, skip: u32) -> Self {
        self.skip = skip;
        self
    }

    pub fn times(mut self, count: u32) -> Self {
        self.count = count;
        self
    }
}

/// One recorded call.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Call {
    pub service: String,
    pub action: String,
}

fn url(endpoint: &str, name: &str) -> String {
    format!("{endpoint}/_local/{name}")
}

pub(crate) fn post(endpoint: &str, name: &str, body: Option<serde_json::Value>) -> Result<(), ureq::Error> {
    let request = ureq::post(url(endpoint, name));
    match body {
        Some(body) => request.send_json(body)?,
        None => request.send_empty()?,
    };
    Ok(())
}

pub(crate) fn delete(endpoint: &str, name: &str) -> Result<(), ureq::Error> {
    ureq::delete(url(endpoint, name)).call()?;
    Ok(())
}

pub(crate) fn get_calls(endpoint: &str) -> Result<Vec<Call>, ureq::Error> {
    ureq::get(url(endpoint, "calls")).call()?.body_mut().read_json()
}
