//! The key policy of the KMS keys the rotator creates: the url-signer's role
//! signs, the rotator's role signs (testSecret) and manages, and the account
//! administers without signing, so that a deletion can be cancelled and a
//! role replaced, but a new signer needs a PutKeyPolicy that CloudTrail records.

use std::fmt;
use std::str::FromStr;

use cfsign::KeyAlgorithm;
use serde_json::json;

/// The two roles a key policy names, from the settings `KMS_SIGNER_ROLE_ARN`
/// and `KMS_ROTATOR_ROLE_ARN`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPolicyRoles {
    /// The url-signer's role: Sign and GetPublicKey only.
    pub signer: RoleArn,
    /// The key-rotator's role: what creating, testing and retiring keys takes.
    pub rotator: RoleArn,
}

/// An IAM role's ARN, `arn:<partition>:iam::<12-digit account>:role/<path and name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleArn {
    arn: String,
    partition_end: usize,
    account: String,
}

impl FromStr for RoleArn {
    type Err = &'static str;

    fn from_str(arn: &str) -> Result<Self, Self::Err> {
        const EXPECTED: &str = "an IAM role ARN such as arn:aws:iam::111122223333:role/name";
        let mut parts = arn.splitn(6, ':');
        let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account), Some(resource)) =
            (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(EXPECTED);
        };
        let name = resource.strip_prefix("role/").unwrap_or_default();
        let well_formed = !partition.is_empty()
            && partition.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
            && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit())
            && !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-/".contains(&b));
        if !well_formed {
            return Err(EXPECTED);
        }
        Ok(Self { arn: arn.to_owned(), partition_end: 4 + partition.len(), account: account.to_owned() })
    }
}

impl RoleArn {
    /// The account's root principal: in a key policy, the account's IAM administrators.
    fn account_root(&self) -> String {
        format!("{}:iam::{}:root", &self.arn[..self.partition_end], self.account)
    }
}

impl fmt::Display for RoleArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.arn)
    }
}

/// The policy of a key of `algorithm` that signs for `roles`' stack.
pub fn key_policy(roles: &KeyPolicyRoles, algorithm: KeyAlgorithm) -> String {
    let signing_algorithm = cfsign::kms::signing_algorithm(algorithm);
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "TheUrlSignerSignsDigests",
                "Effect": "Allow",
                "Principal": {"AWS": roles.signer.to_string()},
                "Action": "kms:Sign",
                "Resource": "*",
                "Condition": {"StringEquals": {
                    "kms:SigningAlgorithm": signing_algorithm.as_str(),
                    "kms:MessageType": "DIGEST"
                }}
            },
            {
                "Sid": "TheUrlSignerReadsThePublicKey",
                "Effect": "Allow",
                "Principal": {"AWS": roles.signer.to_string()},
                "Action": ["kms:GetPublicKey", "kms:DescribeKey"],
                "Resource": "*"
            },
            {
                "Sid": "TheKeyRotatorTestsAndRetiresIt",
                "Effect": "Allow",
                "Principal": {"AWS": roles.rotator.to_string()},
                "Action": [
                    "kms:DescribeKey", "kms:GetPublicKey", "kms:Sign", "kms:CreateAlias", "kms:DeleteAlias",
                    "kms:ListResourceTags", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"
                ],
                "Resource": "*"
            },
            {
                "Sid": "TheAccountAdministersButNeverSigns",
                "Effect": "Allow",
                "Principal": {"AWS": roles.rotator.account_root()},
                "Action": [
                    "kms:Describe*", "kms:Get*", "kms:List*", "kms:PutKeyPolicy", "kms:TagResource",
                    "kms:UntagResource", "kms:EnableKey", "kms:DisableKey", "kms:ScheduleKeyDeletion",
                    "kms:CancelKeyDeletion"
                ],
                "Resource": "*"
            }
        ]
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles() -> KeyPolicyRoles {
        KeyPolicyRoles {
            signer: "arn:aws:iam::111122223333:role/cdn-UrlSignerFunctionRole-1A2B".parse().unwrap(),
            rotator: "arn:aws:iam::111122223333:role/service/cdn-KeyRotatorFunctionRole-3C4D".parse().unwrap(),
        }
    }

    #[test]
    fn role_arns_are_checked() {
        for bad in [
            "",
            "cdn-UrlSignerFunctionRole",
            "arn:aws:iam::1111:role/x",
            "arn:aws:iam::111122223333:user/x",
            "arn:aws:iam::111122223333:role/",
            "arn:aws:sts::111122223333:assumed-role/x/session",
            "arn:aws:iam::111122223333:role/with space",
        ] {
            assert!(bad.parse::<RoleArn>().is_err(), "{bad}");
        }
        let china: RoleArn = "arn:aws-cn:iam::111122223333:role/r".parse().unwrap();
        assert_eq!(china.account_root(), "arn:aws-cn:iam::111122223333:root");
    }

    #[test]
    fn only_the_two_roles_sign_and_the_signer_only_digests_of_the_keys_algorithm() {
        let policy: serde_json::Value = serde_json::from_str(&key_policy(&roles(), KeyAlgorithm::EcdsaP256)).unwrap();
        let statements = policy["Statement"].as_array().unwrap();
        let signers: Vec<&str> = statements
            .iter()
            .filter(|s| {
                let actions = &s["Action"];
                actions == "kms:Sign" || actions.as_array().is_some_and(|a| a.iter().any(|a| a == "kms:Sign"))
            })
            .map(|s| s["Principal"]["AWS"].as_str().unwrap())
            .collect();
        assert_eq!(signers, [roles().signer.to_string(), roles().rotator.to_string()]);
        assert_eq!(statements[0]["Condition"]["StringEquals"]["kms:SigningAlgorithm"], "ECDSA_SHA_256");
        assert_eq!(statements[0]["Condition"]["StringEquals"]["kms:MessageType"], "DIGEST");
        let admin = &statements[3];
        assert_eq!(admin["Principal"]["AWS"], "arn:aws:iam::111122223333:root");
        assert!(admin["Action"].as_array().unwrap().iter().any(|a| a == "kms:CancelKeyDeletion"));
        // No wildcard reaches Sign: "kms:*" or "kms:S*" would.
        for statement in statements {
            for action in statement["Action"].as_array().into_iter().flatten() {
                let action = action.as_str().unwrap();
                assert!(action == "kms:Sign" || !"kms:Sign".starts_with(action.trim_end_matches('*')), "{action}");
            }
        }
    }
}
