//! Every name the rotator gives to what it creates derives from the rotation's
//! token (the secret version id), so a retried step finds its own work again
//! and never someone else's.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::error::Error;

/// A secret version id in UUID form, as Secrets Manager generates them.
///
/// The form is required, not just accepted: it keeps every derived name within
/// CloudFront's and Secrets Manager's limits, and makes `<group>-<token>`
/// unambiguous even when one group's name is a prefix of another's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Token(String);

impl Token {
    /// Characters in a UUID's text form, hyphens included.
    pub const LENGTH: usize = 36;

    /// The token of a rotation event's `ClientRequestToken`; `BadEvent` unless it is a UUID.
    pub fn parse(token: &str) -> Result<Self, Error> {
        if is_uuid(token) {
            Ok(Self(token.to_owned()))
        } else {
            Err(Error::BadEvent(format!(
                "ClientRequestToken {token:?} is not a UUID such as 0b4e2cd4-6a3f-4b8e-9d2c-5f1e7a9c3b21"
            )))
        }
    }

    /// A token for work that has no token of its own (the first key, a revoke),
    /// the same every time for the same `purpose` and `subject`.
    pub fn derived(purpose: &str, subject: &str) -> Self {
        let digest = Sha256::new().chain_update(purpose).chain_update([0]).chain_update(subject).finalize();
        let bytes: [u8; 16] = digest[..16].try_into().expect("a SHA-256 digest has 32 bytes");
        // Version 8 is RFC 9562's form for UUIDs whose bits the caller chooses.
        Self(uuid::Builder::from_custom_bytes(bytes).into_uuid().hyphenated().to_string())
    }

    /// The token as text: the secret version id.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The secret version that holds the new private key alone, written before
    /// its public key exists, so that a crash never leaves a public key whose
    /// private half is lost.
    pub fn draft_version(&self) -> String {
        format!("{}-draft", self.0)
    }

    /// The token whose draft `version` is.
    pub fn of_draft(version: &str) -> Option<Self> {
        version.strip_suffix("-draft").filter(|t| is_uuid(t)).map(|t| Self(t.to_owned()))
    }

    /// The CloudFront public key's name (unique per account, like its CallerReference).
    pub fn public_key_name(&self, group: &str) -> String {
        format!("{group}-{}", self.0)
    }

    /// The alias of the KMS key this rotation creates for `group`: a retry
    /// finds the key through it.
    pub fn kms_alias(&self, group: &str) -> String {
        format!("{}{}", kms_alias_prefix(group), self.0)
    }

    /// The token of a KMS key alias this rotator created for `group`.
    pub fn of_kms_alias(alias: &str, group: &str) -> Option<Self> {
        alias.strip_prefix(&kms_alias_prefix(group)).filter(|t| is_uuid(t)).map(|t| Self(t.to_owned()))
    }

    /// The token of a public key this rotator created for `group`, from its name.
    pub fn of_public_key(name: &str, group: &str) -> Option<Self> {
        name.strip_prefix(group)?.strip_prefix('-').filter(|t| is_uuid(t)).map(|t| Self(t.to_owned()))
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What every KMS alias of `group`'s keys starts with.
pub fn kms_alias_prefix(group: &str) -> String {
    format!("alias/key-rotator/{group}/")
}

/// The hyphenated form only: the other forms `Uuid::try_parse` accepts
/// (32 bare digits, braces, a `urn:uuid:` prefix) all have other lengths.
fn is_uuid(s: &str) -> bool {
    s.len() == Token::LENGTH && uuid::Uuid::try_parse(s).is_ok()
}

/// Secret tags that remember when a public key joined the group, when it
/// stopped signing, and the earliest moment it may leave the group (epoch
/// seconds). Secrets Manager keeps them beside the versions they describe;
/// CloudFront has no field for any of them.
pub mod tags {
    /// Prefix of the tag recording when a key joined the group, where ACTIVATION_DELAY_SECONDS counts from.
    pub const JOINED: &str = "cfsign:joined:";
    /// Prefix of the tag recording when a key stopped signing: the start of its grace period.
    pub const RETIRED: &str = "cfsign:retired:";
    /// Written when the key stops signing, from the settings in force then: a
    /// later, shorter MAX_LIFETIME_SECONDS must not cut short the life of URLs
    /// signed under the longer one.
    pub const LEAVES: &str = "cfsign:leaves:";
    /// Prefix of the tag written before a rotation creates its KMS key: a
    /// crash may leave a key without its alias, which only the key's own tags
    /// then find. The prune looks for such keys, then removes the tag.
    pub const KMS_KEY_OF: &str = "cfsign:kms-key-of:";

    /// The tag recording that `token`'s rotation is about to create a KMS key.
    pub fn kms_key_of(token: &super::Token) -> String {
        format!("{KMS_KEY_OF}{token}")
    }

    /// The rotation a [`kms_key_of`] tag is about.
    pub fn token_of_kms_key_tag(tag: &str) -> Option<super::Token> {
        tag.strip_prefix(KMS_KEY_OF).and_then(|t| super::Token::parse(t).ok())
    }

    /// The tag recording when `key_id` joined the group.
    pub fn joined(key_id: &str) -> String {
        format!("{JOINED}{key_id}")
    }

    /// The tag recording when `key_id` stopped signing.
    pub fn retired(key_id: &str) -> String {
        format!("{RETIRED}{key_id}")
    }

    /// The tag recording the earliest moment `key_id` may leave the group.
    pub fn leaves(key_id: &str) -> String {
        format!("{LEAVES}{key_id}")
    }

    /// The key id a rotator tag is about.
    pub fn key_of(tag: &str) -> Option<&str> {
        [JOINED, RETIRED, LEAVES].into_iter().find_map(|prefix| tag.strip_prefix(prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_must_be_uuids() {
        assert_eq!(
            Token::parse("0b4e2cd4-6a3f-4b8e-9d2c-5f1e7a9c3b21").unwrap().as_str(),
            "0b4e2cd4-6a3f-4b8e-9d2c-5f1e7a9c3b21"
        );
        for bad in [
            "",
            "token",
            "0b4e2cd4-6a3f-4b8e-9d2c-5f1e7a9c3b2",
            "0b4e2cd4x6a3f-4b8e-9d2c-5f1e7a9c3b21",
            "0b4e2cd46a3f4b8e9d2c5f1e7a9c3b21",
            "{0b4e2cd4-6a3f-4b8e-9d2c-5f1e7a9c3b}",
            "../../../../etc/passwd-aaaaaaaaaaaaaa",
        ] {
            match Token::parse(bad) {
                Err(Error::BadEvent(message)) => {
                    assert!(message.starts_with(&format!("ClientRequestToken {bad:?} is not a UUID")), "{message}")
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn derived_tokens_are_stable_distinct_uuids() {
        let a = Token::derived("revoke", "K2JCJMDEHXQW5F");
        // Pinned: a revoke retried after an upgrade must find its own work.
        assert_eq!(a.as_str(), "fb793614-c744-867a-9369-a39dc1e2ae1b");
        assert_eq!(a, Token::derived("revoke", "K2JCJMDEHXQW5F"));
        assert_ne!(a, Token::derived("revoke", "K3JCJMDEHXQW5F"));
        assert_ne!(a, Token::derived("revok", "eK2JCJMDEHXQW5F"));
        assert_eq!(Token::parse(a.as_str()).unwrap(), a);
    }

    #[test]
    fn names_lead_back_to_their_token() {
        let token = Token::parse("0b4e2cd4-6a3f-4b8e-9d2c-5f1e7a9c3b21").unwrap();
        assert_eq!(Token::of_draft(&token.draft_version()), Some(token.clone()));
        assert_eq!(Token::of_draft(token.as_str()), None);
        let name = token.public_key_name("assets");
        assert_eq!(Token::of_public_key(&name, "assets"), Some(token.clone()));
        // Another group whose name starts with this one's owns its keys itself.
        assert_eq!(Token::of_public_key(&token.public_key_name("assets-eu"), "assets"), None);
        assert_eq!(Token::of_public_key("assets-manual-key", "assets"), None);
        let alias = token.kms_alias("assets");
        assert_eq!(alias, "alias/key-rotator/assets/0b4e2cd4-6a3f-4b8e-9d2c-5f1e7a9c3b21");
        assert_eq!(Token::of_kms_alias(&alias, "assets"), Some(token.clone()));
        assert_eq!(Token::of_kms_alias(&token.kms_alias("assets-eu"), "assets"), None);
        assert_eq!(tags::token_of_kms_key_tag(&tags::kms_key_of(&token)), Some(token.clone()));
        assert_eq!(tags::key_of(&tags::kms_key_of(&token)), None, "not a key's time record");
    }
}
