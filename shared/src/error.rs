use thiserror::Error;

/// Everything that can go wrong while preparing or producing a signature.
///
/// Messages name the offending input but never carry key material: key errors
/// describe the key's shape (label, algorithm, size), never its bytes.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Error {
    #[error("invalid URL: {0}")]
    InvalidUrl(String),

    #[error("invalid resource: {0}")]
    InvalidResource(String),

    #[error("invalid key pair id {0:?}: expected the public key id CloudFront assigned (letters and digits)")]
    InvalidKeyPairId(String),

    #[error("unreadable key: {0}")]
    MalformedKey(String),

    #[error("malformed signing-key secret: {0}")]
    MalformedSecret(String),

    #[error("unsupported key: {0}; CloudFront accepts RSA-2048 and ECDSA P-256")]
    UnsupportedKey(String),

    #[error("time out of range: {0}")]
    TimeOutOfRange(String),

    #[error("the start time ({starts}) must be before the expiry ({expires})")]
    StartNotBeforeExpiry { starts: u64, expires: u64 },

    #[error("invalid IP range: {0}")]
    InvalidIpRange(String),

    #[error("invalid cookie attribute: {0}")]
    InvalidCookieAttribute(String),

    #[error("invalid object key: {0}")]
    InvalidObjectKey(String),

    #[error("invalid locator: {0}")]
    InvalidLocator(String),

    #[error("invalid distribution: {0}")]
    InvalidDistribution(String),

    #[error("the signed URL would be {len} bytes, over CloudFront's limit of {limit}")]
    UrlTooLong { len: usize, limit: usize },

    #[error("the cookie {name} would be {len} bytes, over the {limit} browsers keep")]
    CookieTooLong { name: &'static str, len: usize, limit: usize },

    #[error("the {0} backend is not compiled into this build: build cfsign with the cargo feature {0}")]
    BackendUnavailable(&'static str),

    #[error("cryptographic operation failed: {0}")]
    Crypto(&'static str),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::Error;

    #[test]
    fn a_missing_backend_names_the_feature_that_builds_it() {
        assert_eq!(
            Error::BackendUnavailable("rust-crypto").to_string(),
            "the rust-crypto backend is not compiled into this build: build cfsign with the cargo feature rust-crypto"
        );
    }
}
