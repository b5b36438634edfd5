//! openapi.yaml names every error code the API answers with, and the request
//! fields the body takes.

use url_signer::Error;

const OPENAPI: &str = include_str!("../openapi.yaml");

/// Every case, once. The match below has no wildcard: a new case fails to
/// compile until it is listed here, and so tested.
fn every_error() -> Vec<Error> {
    let all = vec![
        Error::BadRequest(String::new()),
        Error::InvalidPath(String::new()),
        Error::InvalidKey(String::new()),
        Error::Forbidden(String::new()),
        Error::BucketNotServed(String::new()),
        Error::NotFound(String::new()),
        Error::MethodNotAllowed(String::new()),
        Error::KeyUnavailable(String::new()),
        Error::KeyMalformed(String::new()),
        Error::SigningThrottled(String::new()),
        Error::SigningFailed(String::new()),
    ];
    for error in &all {
        match error {
            Error::BadRequest(_)
            | Error::InvalidPath(_)
            | Error::InvalidKey(_)
            | Error::Forbidden(_)
            | Error::BucketNotServed(_)
            | Error::NotFound(_)
            | Error::MethodNotAllowed(_)
            | Error::KeyUnavailable(_)
            | Error::KeyMalformed(_)
            | Error::SigningThrottled(_)
            | Error::SigningFailed(_) => {}
        }
    }
    all
}

#[test]
fn every_error_code_is_in_the_openapi_enum() {
    let line = OPENAPI.lines().find(|l| l.trim_start().starts_with("enum: [invalid_request")).unwrap();
    let codes: Vec<&str> = line.split_once('[').unwrap().1.trim_end().trim_end_matches(']').split(", ").collect();
    for error in every_error() {
        assert!(codes.contains(&error.code()), "{} is not in {codes:?}", error.code());
    }
}

#[test]
fn every_request_field_is_described() {
    for field in [
        "mode:",
        "paths:",
        "keys:",
        "locators:",
        "resource:",
        "lifetimeSeconds:",
        "expiresAt:",
        "startsAt:",
        "clientIp:",
    ] {
        assert!(OPENAPI.contains(&format!("        {field}")), "{field}");
    }
}
