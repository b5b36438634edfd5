//! The CloudFormation custom resource: the request's type picks the work, and
//! the outcome goes to the pre-signed ResponseURL, which CloudFormation waits on.

use std::collections::HashMap;
use std::future::Future;

use aws_lambda_events::event::cloudformation::{
    CloudFormationCustomResourceRequest as Request, CloudFormationCustomResourceResponse as Response,
    CloudFormationCustomResourceResponseStatus as Status,
};
use cfsign::Clock;
use tracing::{error, info};

use crate::cloudfront::KeyGroups;
use crate::error::{Error, Result};
use crate::events::Recipient;
use crate::keys::KeySource;
use crate::pause::Sleeper;
use crate::rotator::Rotator;
use crate::secrets::Secrets;

/// Delivers the answer to CloudFormation.
pub trait Responder: Send + Sync {
    fn send(&self, url: &str, response: &Response) -> impl Future<Output = Result<()>> + Send;
}

/// An HTTP PUT to the pre-signed S3 URL.
pub struct HttpResponder(reqwest::Client);

impl HttpResponder {
    pub fn new() -> Self {
        Self(reqwest::Client::new())
    }
}

impl Default for HttpResponder {
    fn default() -> Self {
        Self::new()
    }
}

impl Responder for HttpResponder {
    async fn send(&self, url: &str, response: &Response) -> Result<()> {
        let body = serde_json::to_vec(response).map_err(|e| Error::Response(e.to_string()))?;
        // The URL is signed for no Content-Type at all.
        let answer = self.0.put(url).header("content-type", "").body(body).send().await;
        match answer {
            Ok(answer) if answer.status().is_success() => Ok(()),
            Ok(answer) => Err(Error::Response(format!("ResponseURL answered HTTP {}", answer.status()))),
            Err(e) => Err(Error::Response(e.without_url().to_string())),
        }
    }
}

/// Does what the request asks and answers CloudFormation. Only a failure to
/// answer fails the invocation: CloudFormation learns of every other failure
/// from the answer itself.
pub async fn answer<S: Secrets, C: KeyGroups, K: KeySource, T: Clock, W: Sleeper>(
    rotator: &Rotator<S, C, K, T, W>,
    responder: &impl Responder,
    request: &Request,
    recipient: &Recipient,
) -> Result<Response> {
    let (outcome, physical_id) = match request {
        Request::Create(r) => (
            rotator.bootstrap(&r.stack_id, &r.logical_resource_id).await.map(Some),
            // A failed create still needs an id; the delete that follows finds the group by name.
            format!("failed-{}", r.request_id),
        ),
        Request::Update(r) => {
            (rotator.signing_keys(&r.physical_resource_id).await.map(Some), r.physical_resource_id.clone())
        }
        Request::Delete(r) => (
            rotator.tear_down(&r.physical_resource_id, &r.stack_id).await.map(|()| None),
            r.physical_resource_id.clone(),
        ),
        // A request type CloudFormation may add later has no URL this code knows to answer.
        _ => return Err(Error::BadEvent("a custom resource RequestType other than Create, Update or Delete".into())),
    };
    let mut response = Response::default();
    response.request_id = recipient.request_id.clone();
    response.stack_id = recipient.stack_id.clone();
    response.logical_resource_id = recipient.logical_resource_id.clone();
    let logical_id = &recipient.logical_resource_id;
    match outcome {
        Ok(keys) => {
            response.status = Status::Success;
            response.physical_resource_id = keys.as_ref().map_or(physical_id, |k| k.key_group_id.clone());
            if let Some(keys) = keys {
                response.data = HashMap::from([
                    ("KeyGroupId".to_owned(), keys.key_group_id),
                    ("PublicKeyId".to_owned(), keys.public_key_id),
                ]);
            }
        }
        Err(e) => {
            error!(error = %e, logical_id, "custom resource request failed");
            response.status = Status::Failed;
            response.reason = Some(e.to_string());
            response.physical_resource_id = physical_id;
        }
    }
    responder.send(&recipient.response_url, &response).await?;
    info!(logical_id, status = ?response.status, physical_id = response.physical_resource_id, "answered CloudFormation");
    Ok(response)
}
