//! Restricted viewer access: the signed URL or the signed cookies of a request,
//! checked against the trusted key groups as CloudFront checks them.

use cfsign::RequestContext;
use http::HeaderMap;

use crate::refusal::Refusal;
use crate::trusted_keys::TrustedKeys;

/// The query parameters that make a request a signed-URL request: when any is
/// present the URL is checked, and cookies are not looked at.
const URL_PARAMETERS: [&str; 5] = ["Expires", "Policy", "Signature", "Key-Pair-Id", "Hash-Algorithm"];

/// Checks the request for `https://{host}{path_and_query}`.
pub fn check(
    keys: &TrustedKeys,
    host: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    context: &RequestContext,
) -> Result<(), Refusal> {
    let url = format!("https://{host}{path_and_query}");
    let signed_url = path_and_query.split_once('?').is_some_and(|(_, query)| {
        query.split('&').any(|pair| URL_PARAMETERS.contains(&pair.split('=').next().unwrap_or("")))
    });
    let outcome = if signed_url {
        keys.check(url.clone(), context, |verifier| verifier.verify_url(&url, context))
    } else {
        let cookies = signed_cookies(headers);
        if cookies.is_empty() {
            return Err(Refusal::missing_key());
        }
        let read = cookies.iter().fold(url.clone(), |read, (name, value)| format!("{read}\n{name}={value}"));
        keys.check(read, context, |verifier| verifier.verify_cookies(&url, cookies, context))
    };
    outcome.map_err(|rejection| Refusal::from_rejection(&rejection))
}

/// The `CloudFront-*` cookies of every `Cookie` header (HTTP/2 and HTTP/3 send
/// one header per cookie). A browser holding cookies of one name for several
/// paths sends the most specific first; the first of each name is used.
fn signed_cookies(headers: &HeaderMap) -> Vec<(&str, &str)> {
    let mut found: Vec<(&str, &str)> = Vec::new();
    let pairs = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='));
    for (name, value) in pairs {
        if name.starts_with("CloudFront-") && !found.iter().any(|(n, _)| *n == name) {
            found.push((name, value));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn cookies_from_every_header_first_of_each_name() {
        let mut headers = HeaderMap::new();
        headers.append("cookie", HeaderValue::from_static("theme=dark; CloudFront-Policy=p1"));
        headers.append("cookie", HeaderValue::from_static("CloudFront-Signature=s; CloudFront-Policy=p2"));
        headers.append("cookie", HeaderValue::from_static("CloudFront-Key-Pair-Id=K1"));
        assert_eq!(
            signed_cookies(&headers),
            [("CloudFront-Policy", "p1"), ("CloudFront-Signature", "s"), ("CloudFront-Key-Pair-Id", "K1")]
        );
    }
}
