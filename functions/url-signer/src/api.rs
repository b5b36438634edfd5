//! The HTTP API's request and response bodies (openapi.yaml describes them).

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::service::{Asked, Mode, Objects, SignRequest, Signed, SignedUrl};

/// Larger bodies are refused before parsing: 100 paths fit in a few KiB.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SignBody {
    paths: Option<Vec<String>>,
    keys: Option<Vec<String>>,
    locators: Option<Vec<String>>,
    resource: Option<String>,
    #[serde(default)]
    mode: ModeField,
    lifetime_seconds: Option<u64>,
    expires_at: Option<u64>,
    starts_at: Option<u64>,
    client_ip: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "lowercase")]
enum ModeField {
    #[default]
    Url,
    Cookies,
}

/// `POST /sign`.
pub fn parse_body(body: &[u8]) -> Result<SignRequest, Error> {
    if body.len() > MAX_BODY_BYTES {
        return Err(Error::BadRequest(format!("the body is over {MAX_BODY_BYTES} bytes")));
    }
    if body.is_empty() {
        return Err(Error::BadRequest("the body is empty; send a JSON object such as {\"paths\":[\"/a.jpg\"]}".into()));
    }
    let body: SignBody =
        serde_json::from_slice(body).map_err(|e| Error::BadRequest(format!("the body is not a valid request: {e}")))?;
    let objects = match (body.paths, body.keys, body.locators) {
        (paths, None, None) => Objects::Paths(paths.unwrap_or_default()),
        (None, Some(keys), None) => Objects::Keys(keys),
        (None, None, Some(locators)) => Objects::Locators(locators),
        _ => return Err(Error::BadRequest("give one of paths, keys and locators, not several".into())),
    };
    Ok(SignRequest {
        mode: match body.mode {
            ModeField::Url => Mode::Url,
            ModeField::Cookies => Mode::Cookies,
        },
        objects,
        resource: body.resource,
        lifetime_seconds: body.lifetime_seconds,
        expires_at: body.expires_at,
        starts_at: body.starts_at,
        client_ip: body.client_ip,
    })
}

/// The path as the caller wrote it in the query string. API Gateway hands the
/// value over decoded once, so `?path=/my%20cat.jpg` arrives as `/my cat.jpg`:
/// what decoding turned into characters a URL path cannot hold raw (a space,
/// non-ASCII, `" < > ` { } | ^ [ ]`) is encoded again, and the path signed is
/// the one the caller wrote, as POST signs it. `%2520` (an encoded `%20`)
/// gives the same. A backslash, `?`, `#` and control characters stay as they
/// are, for the path rules to refuse.
fn undo_query_decoding(value: &str) -> String {
    let mut path = String::with_capacity(value.len());
    for c in value.chars() {
        let raw = c.is_ascii() && (crate::paths::is_path_char(c as u8) || matches!(c, '%' | '*' | '\\' | '?' | '#'))
            || c.is_ascii_control();
        if raw {
            path.push(c);
        } else {
            let mut bytes = [0; 4];
            for b in c.encode_utf8(&mut bytes).bytes() {
                path.push_str(&format!("%{b:02X}"));
            }
        }
    }
    path
}

/// `GET /sign?path=…[&lifetimeSeconds=…][&redirect=1]`: one URL. The flag says
/// whether to answer with a redirect to it.
pub fn parse_query<'a>(parameters: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<(SignRequest, bool), Error> {
    let mut path = None;
    let mut lifetime_seconds = None;
    let mut redirect = false;
    for (name, value) in parameters {
        match name {
            "path" if path.is_none() => path = Some(undo_query_decoding(value)),
            "lifetimeSeconds" if lifetime_seconds.is_none() => {
                lifetime_seconds = Some(value.parse().map_err(|_| {
                    Error::BadRequest(format!("lifetimeSeconds {value:?} is not a whole number of seconds"))
                })?);
            }
            "redirect" => {
                redirect = match value {
                    "1" | "true" => true,
                    "0" | "false" => false,
                    _ => return Err(Error::BadRequest(format!("redirect {value:?} is 1, 0, true or false"))),
                }
            }
            "path" | "lifetimeSeconds" => return Err(Error::BadRequest(format!("{name} is given twice"))),
            other => return Err(Error::BadRequest(format!("unknown query parameter {other:?}"))),
        }
    }
    let path = path.ok_or_else(|| Error::BadRequest("the path query parameter is required".into()))?;
    let request = SignRequest {
        mode: Mode::Url,
        objects: Objects::Paths(vec![path]),
        resource: None,
        lifetime_seconds,
        expires_at: None,
        starts_at: None,
        client_ip: None,
    };
    Ok((request, redirect))
}

/// The body of a `POST /sign` answer in URL mode.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UrlsResponse<'a> {
    /// One entry per path, in request order.
    pub urls: Vec<UrlEntry<'a>>,
    /// When every URL expires, in epoch seconds.
    pub expires_at: u64,
}

/// One signed URL and the object it was signed for.
#[derive(Serialize)]
pub struct UrlEntry<'a> {
    /// The object as the request named it: `"path"`, `"key"` or `"locator"`.
    #[serde(flatten)]
    pub asked: &'a Asked,
    /// The signed URL: `https://`, the domain, the path and the signature's query.
    pub url: &'a str,
}

/// The body of a `GET /sign` answer without a redirect.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UrlResponse<'a> {
    /// The signed URL of the query's path.
    pub url: &'a str,
    /// When it expires, in epoch seconds.
    pub expires_at: u64,
}

/// The body of a `POST /sign` answer in cookie mode; the cookies themselves are Set-Cookie headers.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CookiesResponse<'a> {
    /// The path, key or locator as the request named it: `"path"`, `"key"` or `"locator"`.
    #[serde(flatten)]
    pub asked: &'a Asked,
    /// The URL the cookies are signed for, such as `https://<domain>/images/gallery/*`.
    pub resource: &'a str,
    /// When the cookies expire, in epoch seconds.
    pub expires_at: u64,
    /// Names of the cookies set, such as `CloudFront-Signature`; never their values.
    pub cookies: &'a [&'static str],
}

/// The body of every error answer.
#[derive(Serialize)]
pub struct ErrorResponse<'a> {
    /// The error's code and message.
    pub error: ErrorBody<'a>,
}

/// An error as the caller is told it.
#[derive(Serialize)]
pub struct ErrorBody<'a> {
    /// The case, for programs, such as `invalid_path` or `signing_unavailable`.
    pub code: &'a str,
    /// What the caller is told; a key or signing failure gets a generic sentence, its details being logged.
    pub message: String,
}

impl<'a> UrlsResponse<'a> {
    /// The answer for `urls`, which all expire when `signed` does.
    pub fn new(urls: &'a [SignedUrl], signed: &Signed) -> Self {
        Self {
            urls: urls.iter().map(|u| UrlEntry { asked: &u.asked, url: &u.url }).collect(),
            expires_at: signed.expires.as_secs(),
        }
    }
}
