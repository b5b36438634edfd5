//! CloudFront's own answers when it refuses a request, byte for byte where
//! they were captured from the real service, plus `x-cfsign-reason`, which says
//! in words why (the local answer to "why 403?").
//!
//! Signed-URL refusals are one-line XML (`text/xml`): MissingKey, InvalidKey,
//! MalformedPolicy, MalformedSignature, AccessDenied. Protocol, method and size
//! refusals are CloudFront's HTML error page. No capture of CloudFront's answer
//! to a missing Signature, Expires or Policy, or to an unknown Hash-Algorithm,
//! was found: those are answered AccessDenied, the answer for every other
//! signature that does not hold.

use cfsign::Rejection;
use http::StatusCode;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    Xml {
        code: &'static str,
        message: &'static str,
    },
    Html {
        line: &'static str,
    },
    /// A CloudFront Function's own answer: its status, no body.
    FunctionGenerated,
}

/// A refusal: CloudFront's status and body, and our reason in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    pub page: Page,
    pub reason: String,
}

pub const METHOD_NOT_ALLOWED: &str = "This distribution is not configured to allow the HTTP request method that was used for this request. The distribution supports only cachable requests.";
pub const BAD_REQUEST: &str = "Bad request.";

impl Refusal {
    fn xml(code: &'static str, message: &'static str, reason: impl Into<String>) -> Self {
        Self { status: StatusCode::FORBIDDEN, page: Page::Xml { code, message }, reason: reason.into() }
    }

    pub fn html(status: StatusCode, line: &'static str, reason: impl Into<String>) -> Self {
        Self { status, page: Page::Html { line }, reason: reason.into() }
    }

    pub fn missing_key() -> Self {
        Self::xml(
            "MissingKey",
            "Missing Key-Pair-Id query parameter or cookie value",
            "the request has no signed URL parameters and no signed cookies",
        )
    }

    pub fn method_not_allowed(method: &http::Method) -> Self {
        let reason = format!("{method} is not among the behaviour's allowed methods (GET, HEAD)");
        Self::html(StatusCode::FORBIDDEN, METHOD_NOT_ALLOWED, reason)
    }

    pub fn https_only() -> Self {
        Self::html(
            StatusCode::FORBIDDEN,
            BAD_REQUEST,
            "the viewer protocol policy is https-only and this request is plain HTTP",
        )
    }

    /// CloudFront answers 413 to an over-long URL or request, then closes the connection.
    pub fn too_large(reason: String) -> Self {
        Self::html(StatusCode::PAYLOAD_TOO_LARGE, BAD_REQUEST, reason)
    }

    /// The viewer-request guard's 400 (`{ statusCode: 400, statusDescription: 'Bad Request' }`).
    pub fn function_generated(reason: impl Into<String>) -> Self {
        Self { status: StatusCode::BAD_REQUEST, page: Page::FunctionGenerated, reason: reason.into() }
    }

    /// CloudFront's `X-Cache` for this answer (a function's response is
    /// logged with the result type FunctionGeneratedResponse).
    pub fn x_cache(&self) -> &'static str {
        match self.page {
            Page::FunctionGenerated => "FunctionGeneratedResponse from cloudfront",
            _ => "Error from cloudfront",
        }
    }

    pub fn bad_request(reason: impl Into<String>) -> Self {
        Self::html(StatusCode::BAD_REQUEST, BAD_REQUEST, reason)
    }

    /// How CloudFront answers each reason the verifier gives.
    pub fn from_rejection(rejection: &Rejection) -> Self {
        let reason = rejection.to_string();
        match rejection {
            Rejection::MissingParameter(name) if name.ends_with("Key-Pair-Id") => {
                Self { reason, ..Self::missing_key() }
            }
            Rejection::UnknownKeyId(_) => Self::xml("InvalidKey", "Unknown Key", reason),
            Rejection::MalformedPolicy(_) => Self::xml("MalformedPolicy", "Malformed Policy", reason),
            Rejection::MalformedBase64(name) if name.ends_with("Policy") => {
                Self::xml("MalformedPolicy", "Malformed Policy", reason)
            }
            Rejection::MalformedBase64(_) => Self::xml("MalformedSignature", "Could not unencode Signature", reason),
            _ => Self::xml("AccessDenied", "Access denied", reason),
        }
    }

    /// The body as CloudFront writes it; the HTML page carries the request id.
    pub fn body(&self, request_id: &str) -> (String, &'static str) {
        match &self.page {
            Page::Xml { code, message } => (
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message></Error>"#
                ),
                "text/xml",
            ),
            Page::Html { line } => (html_page(self.status, line, request_id), "text/html"),
            Page::FunctionGenerated => (String::new(), ""),
        }
    }
}

fn html_page(status: StatusCode, line: &str, request_id: &str) -> String {
    let code = status.as_u16();
    format!(
        r#"<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<HTML><HEAD><META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=iso-8859-1">
<TITLE>ERROR: The request could not be satisfied</TITLE>
</HEAD><BODY>
<H1>{code} ERROR</H1>
<H2>The request could not be satisfied.</H2>
<HR noshade size="1px">
{line}
We can't connect to the server for this app or website at this time. There might be too much traffic or a configuration error. Try again later, or contact the app or website owner.
<BR clear="all">
If you provide content to customers through CloudFront, you can find steps to troubleshoot and help prevent this error by reviewing the CloudFront documentation.
<BR clear="all">
<HR noshade size="1px">
<PRE>
Generated by cloudfront (CloudFront)
Request ID: {request_id}
</PRE>
<ADDRESS>
</ADDRESS>
</BODY></HTML>"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_missing_key_answer_is_the_captured_146_bytes() {
        let (body, content_type) = Refusal::missing_key().body("id");
        assert_eq!(
            body,
            r#"<?xml version="1.0" encoding="UTF-8"?><Error><Code>MissingKey</Code><Message>Missing Key-Pair-Id query parameter or cookie value</Message></Error>"#
        );
        assert_eq!(body.len(), 146);
        assert_eq!(content_type, "text/xml");
    }

    #[test]
    fn the_method_page_is_the_captured_1053_bytes_with_a_56_character_id() {
        let refusal = Refusal::method_not_allowed(&http::Method::POST);
        let (body, content_type) = refusal.body(&"x".repeat(56));
        assert_eq!(body.len(), 1053);
        assert_eq!(content_type, "text/html");
        assert!(body.contains("<H1>403 ERROR</H1>"));
    }

    #[test]
    fn each_rejection_gets_cloudfronts_code() {
        let code = |r: Rejection| match Refusal::from_rejection(&r).page {
            Page::Xml { code, .. } => code,
            Page::Html { .. } => "html",
            Page::FunctionGenerated => "function",
        };
        assert_eq!(code(Rejection::MissingParameter("Key-Pair-Id")), "MissingKey");
        assert_eq!(code(Rejection::MissingParameter("CloudFront-Key-Pair-Id")), "MissingKey");
        assert_eq!(code(Rejection::MissingParameter("Signature")), "AccessDenied");
        assert_eq!(code(Rejection::UnknownKeyId("K1".into())), "InvalidKey");
        assert_eq!(code(Rejection::MalformedPolicy("x".into())), "MalformedPolicy");
        assert_eq!(code(Rejection::MalformedBase64("CloudFront-Policy")), "MalformedPolicy");
        assert_eq!(code(Rejection::MalformedBase64("Signature")), "MalformedSignature");
        assert_eq!(code(Rejection::UnsupportedHashAlgorithm("MD5".into())), "AccessDenied");
    }
}
