//! The CloudFormation custom resource: the request's type picks the work, and
//! the outcome goes to the pre-signed ResponseURL, which CloudFormation waits
//! on (sent by a [`Responder`]).

use std::collections::HashMap;
use std::time::SystemTime;

use aws_lambda_events::event::cloudformation::{
    CloudFormationCustomResourceRequest as Request, CloudFormationCustomResourceResponse as Response,
    CloudFormationCustomResourceResponseStatus as Status,
};
use tracing::{error, info};

use crate::error::{Error, Result};
use crate::events::Recipient;
use crate::responder::Responder;
use crate::rotator::{Ports, Rotator};
use plumbing::time::Pause;

/// What a request asks for; the request's own fields, borrowed.
enum Work<'a> {
    Create { stack_id: &'a str, logical_id: &'a str },
    Update { physical_id: &'a str },
    Delete { physical_id: &'a str, stack_id: &'a str },
}

/// Does what the request asks and answers CloudFormation, before `deadline`
/// even when the work cannot finish by then. Only a failure to answer fails
/// the invocation: CloudFormation learns of every other failure from the
/// answer itself.
pub async fn answer<P: Ports>(
    rotator: &Rotator<P>,
    responder: &impl Responder,
    request: &Request,
    recipient: &Recipient,
    deadline: Option<SystemTime>,
) -> Result<Response> {
    let (work, physical_id) = match request {
        Request::Create(r) => (
            Work::Create { stack_id: &r.stack_id, logical_id: &r.logical_resource_id },
            // A failed create still needs an id; the delete that follows finds the group by name.
            format!("failed-{}", r.request_id),
        ),
        Request::Update(r) => (Work::Update { physical_id: &r.physical_resource_id }, r.physical_resource_id.clone()),
        Request::Delete(r) => (
            Work::Delete { physical_id: &r.physical_resource_id, stack_id: &r.stack_id },
            r.physical_resource_id.clone(),
        ),
        // A request type CloudFormation may add later.
        _ => {
            return refuse(
                responder,
                recipient,
                "a custom resource RequestType other than Create, Update or Delete".into(),
            )
            .await;
        }
    };
    let work = async {
        match work {
            Work::Create { stack_id, logical_id } => rotator.bootstrap(stack_id, logical_id).await.map(Some),
            Work::Update { physical_id } => rotator.signing_keys(physical_id).await.map(Some),
            Work::Delete { physical_id, stack_id } => rotator.tear_down(physical_id, stack_id).await.map(|()| None),
        }
    };
    let outcome = match deadline {
        None => work.await,
        Some(deadline) => {
            let left = deadline.duration_since(rotator.clock_now()).unwrap_or_default();
            tokio::select! {
                biased;
                outcome = work => outcome,
                () = rotator.pause().sleep(left) => Err(Error::OutOfTime),
            }
        }
    };
    let mut response = blank(recipient);
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
    send(responder, recipient, response).await
}

/// Answers FAILED to a request that says where to answer but not what it
/// asks, with its own physical id (or, for a create, one of its own), and
/// changes nothing.
pub async fn refuse(responder: &impl Responder, recipient: &Recipient, reason: String) -> Result<Response> {
    error!(reason, logical_id = recipient.logical_resource_id, "custom resource request refused");
    let mut response = blank(recipient);
    response.status = Status::Failed;
    response.physical_resource_id =
        recipient.physical_resource_id.clone().unwrap_or_else(|| format!("failed-{}", recipient.request_id));
    response.reason = Some(reason);
    send(responder, recipient, response).await
}

fn blank(recipient: &Recipient) -> Response {
    let mut response = Response::default();
    response.request_id = recipient.request_id.clone();
    response.stack_id = recipient.stack_id.clone();
    response.logical_resource_id = recipient.logical_resource_id.clone();
    response
}

async fn send(responder: &impl Responder, recipient: &Recipient, response: Response) -> Result<Response> {
    responder.send(&recipient.response_url, &response).await?;
    info!(logical_id = recipient.logical_resource_id, status = ?response.status, physical_id = response.physical_resource_id, "answered CloudFormation");
    Ok(response)
}
