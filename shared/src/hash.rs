use std::fmt;
use std::str::FromStr;

/// The digest signed under the policy. CloudFront assumes SHA-1 unless the URL
/// carries `Hash-Algorithm=SHA256` (or the cookie `CloudFront-Hash-Algorithm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HashAlgorithm {
    #[default]
    Sha1,
    Sha256,
}

impl HashAlgorithm {
    pub const ALL: [HashAlgorithm; 2] = [HashAlgorithm::Sha1, HashAlgorithm::Sha256];

    /// The value CloudFront reads from `Hash-Algorithm`.
    pub const fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha1 => "SHA1",
            HashAlgorithm::Sha256 => "SHA256",
        }
    }

    /// SHA-1 is CloudFront's default and is signalled by leaving the parameter out,
    /// which is also what every peer signer emits.
    pub(crate) const fn parameter(self) -> Option<&'static str> {
        match self {
            HashAlgorithm::Sha1 => None,
            HashAlgorithm::Sha256 => Some("SHA256"),
        }
    }
}

impl fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for HashAlgorithm {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "SHA1" => Ok(HashAlgorithm::Sha1),
            "SHA256" => Ok(HashAlgorithm::Sha256),
            other => Err(format!("unknown hash algorithm {other:?}: expected SHA1 or SHA256")),
        }
    }
}
