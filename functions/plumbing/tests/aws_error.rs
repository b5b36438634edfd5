//! The SDK's own errors, as an operation returns them (aws-smithy-mocks),
//! read the one way the three functions read them.

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::operation::get_secret_value::GetSecretValueError;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::error::ErrorMetadata;
use plumbing::aws_error::{AwsError, AwsErrorKind};

fn answered(status: u16, body: &'static str) -> AwsError {
    let rule = mock!(Client::get_secret_value).then_http_response(move || {
        aws_smithy_runtime_api::http::Response::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body))
    });
    let client = mock_client!(aws_sdk_secretsmanager, RuleMode::Sequential, [&rule]);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let error = runtime.block_on(client.get_secret_value().secret_id("s").send()).unwrap_err();
    AwsError::from_sdk("GetSecretValue", &error)
}

#[test]
fn a_service_error_gives_its_code_message_status_and_kind() {
    let error = answered(400, r#"{"__type":"ResourceNotFoundException","Message":"no such secret"}"#);
    assert_eq!(error.operation, "GetSecretValue");
    assert_eq!(error.code(), Some("ResourceNotFoundException"));
    assert_eq!(error.message, "no such secret");
    assert_eq!(error.status, Some(400));
    assert_eq!(error.kind, AwsErrorKind::NotFound);

    assert_eq!(answered(400, r#"{"__type":"ThrottlingException","Message":"slow"}"#).kind, AwsErrorKind::Throttling);
    assert_eq!(answered(400, r#"{"__type":"AccessDeniedException","Message":"no"}"#).kind, AwsErrorKind::AccessDenied);
    assert_eq!(answered(503, r#"{"__type":"ServiceUnavailable","Message":"later"}"#).kind, AwsErrorKind::Unavailable);
}

#[test]
fn a_modeled_error_is_read_the_same_way() {
    let rule = mock!(Client::get_secret_value).then_error(|| {
        let meta = ErrorMetadata::builder().code("ResourceNotFoundException").message("gone").build();
        GetSecretValueError::ResourceNotFoundException(
            aws_sdk_secretsmanager::types::error::ResourceNotFoundException::builder().meta(meta).build(),
        )
    });
    let client = mock_client!(aws_sdk_secretsmanager, RuleMode::Sequential, [&rule]);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let error = runtime.block_on(client.get_secret_value().secret_id("s").send()).unwrap_err();
    let error = AwsError::from_sdk("GetSecretValue", &error);
    assert_eq!(error.code(), Some("ResourceNotFoundException"));
    assert_eq!(error.message, "gone");
    assert_eq!(error.kind, AwsErrorKind::NotFound);
}
