//! The S3 origin, read as through Origin Access Control: GetObject with the
//! edge's own credentials, and no ListBucket unless the edge is told it has it.

use std::fmt;
use std::time::SystemTime;

use aws_sdk_s3::Client;
use aws_sdk_s3::error::{DisplayErrorContext, SdkError};
use aws_sdk_s3::operation::get_object::GetObjectError;
use aws_sdk_s3::primitives::ByteStream;
use bytes::Bytes;

/// The response headers the edge keeps and passes on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectMeta {
    pub length: u64,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<SystemTime>,
    pub cache_control: Option<String>,
}

/// An object read whole, ready to cache.
#[derive(Clone)]
pub struct Object {
    pub meta: ObjectMeta,
    pub body: Bytes,
}

impl fmt::Debug for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Object").field("meta", &self.meta).field("body", &self.body.len()).finish()
    }
}

pub enum Fetched {
    /// Small enough to cache: read whole.
    Whole(Object),
    /// Too large to cache: the body is passed on as it arrives.
    Streaming { meta: ObjectMeta, body: ByteStream },
    /// The ETag given still matches (a revalidation).
    NotModified,
    /// No such key (S3 answers 403 without ListBucket, 404 with it).
    Missing,
}

#[derive(Debug, thiserror::Error)]
#[error("GetObject {bucket}/{key}: {message}")]
pub struct OriginError {
    bucket: String,
    key: String,
    message: String,
}

pub struct S3Origin {
    client: Client,
}

impl S3Origin {
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// GetObject for `key`; bodies up to `keep_up_to` bytes are read whole.
    pub async fn fetch(
        &self,
        bucket: &str,
        key: &str,
        if_none_match: Option<&str>,
        keep_up_to: impl Fn(usize) -> bool,
    ) -> Result<Fetched, OriginError> {
        let failed = |message: String| OriginError { bucket: bucket.to_owned(), key: key.to_owned(), message };
        let answer = match self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .set_if_none_match(if_none_match.map(Into::into))
            .send()
            .await
        {
            Ok(answer) => answer,
            Err(SdkError::ServiceError(e)) if matches!(e.err(), GetObjectError::NoSuchKey(_)) => {
                return Ok(Fetched::Missing);
            }
            Err(e) => {
                return match e.raw_response().map(|r| r.status().as_u16()) {
                    Some(304) => Ok(Fetched::NotModified),
                    Some(404) => Ok(Fetched::Missing),
                    _ => Err(failed(DisplayErrorContext(e).to_string())),
                };
            }
        };
        let meta = ObjectMeta {
            length: answer.content_length().and_then(|n| u64::try_from(n).ok()).unwrap_or_default(),
            content_type: answer.content_type().map(Into::into),
            etag: answer.e_tag().map(Into::into),
            last_modified: answer.last_modified().and_then(|t| SystemTime::try_from(*t).ok()),
            cache_control: answer.cache_control().map(Into::into),
        };
        if !keep_up_to(usize::try_from(meta.length).unwrap_or(usize::MAX)) {
            return Ok(Fetched::Streaming { meta, body: answer.body });
        }
        let body = answer.body.collect().await.map_err(|e| failed(e.to_string()))?.into_bytes();
        Ok(Fetched::Whole(Object { meta, body }))
    }
}

/// S3's object key for a request path: the path without its leading `/`,
/// percent-decoded once, as S3 decodes the path CloudFront forwards; a raw
/// `+` is a space to S3, so only `%2B` names a key's `+`.
pub fn object_key(path: &str) -> Option<String> {
    let encoded = path.strip_prefix('/')?.replace('+', " ");
    percent_encoding::percent_decode_str(&encoded).decode_utf8().ok().map(|key| key.into_owned())
}

#[cfg(test)]
mod tests {
    use super::object_key;

    #[test]
    fn keys_are_the_path_decoded_once() {
        assert_eq!(object_key("/images/cat.jpg").as_deref(), Some("images/cat.jpg"));
        assert_eq!(object_key("/my%20cat.jpg").as_deref(), Some("my cat.jpg"));
        assert_eq!(object_key("/a%2520b").as_deref(), Some("a%20b"));
        assert_eq!(object_key("/caf%C3%A9").as_deref(), Some("café"));
        assert_eq!(object_key("/a+b%2Bc").as_deref(), Some("a b+c"));
        assert_eq!(object_key("/bad%FF"), None);
        assert_eq!(object_key("no-slash"), None);
    }
}
