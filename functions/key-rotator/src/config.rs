//! Configuration from the environment, read once at cold start. Any mistake
//! fails the cold start with a message naming the variable.

use std::time::Duration;

use cfsign::KeyAlgorithm;
use plumbing::settings::{SettingError, Settings};

use crate::kms::{KeyPolicyRoles, RoleArn};
use crate::response_url::ResponseHosts;

/// Where a rotation makes its new key (`SIGNING_KEY_SOURCE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SigningKeySource {
    /// A private key generated here, stored in the secret as PEM.
    #[default]
    Secret,
    /// A key generated and kept in AWS KMS; the secret names it.
    Kms,
}

impl std::str::FromStr for SigningKeySource {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "secret" => Ok(Self::Secret),
            "kms" => Ok(Self::Kms),
            _ => Err(()),
        }
    }
}

/// Every setting, typed. See README.md for the variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The secret holding the signing key (ARN or name), as the url-signer reads it.
    pub secret_id: String,
    /// The key group the distribution trusts. Public keys this function creates
    /// are named `<key group name>-<secret version id>`.
    pub key_group_name: String,
    /// Type of the key pairs generated (`KEY_ALGORITHM`: `rsa2048`, the default, or `ecdsa-p256`).
    pub key_algorithm: KeyAlgorithm,
    /// The longest lifetime the signers give a URL or cookie (the url-signer's MAX_LIFETIME_SECONDS).
    pub max_lifetime: Duration,
    /// Added to `max_lifetime` before an old key leaves the group: CloudFront's
    /// propagation plus how long a signer may keep using a key it cached.
    pub propagation_margin: Duration,
    /// How long a new public key must have been in the group before signers switch to it.
    pub activation_delay: Duration,
    /// Where answers to CloudFormation may go (`RESPONSE_URL_HOSTS`).
    pub response_hosts: ResponseHosts,
    /// Where new keys are made (`SIGNING_KEY_SOURCE`: `secret`, the default, or `kms`).
    pub key_source: SigningKeySource,
    /// The roles a KMS key's policy names (`KMS_SIGNER_ROLE_ARN`,
    /// `KMS_ROTATOR_ROLE_ARN`): required with `kms`, read whenever both are set.
    pub kms_roles: Option<KeyPolicyRoles>,
}

/// Five minutes: CloudFront deploys most configuration changes to its edges
/// within that time; see README.md for why not less, and when to choose more.
const DEFAULT_ACTIVATION_DELAY: u64 = 300;

/// Far beyond any sensible setting, and small enough that sums of them never overflow.
const MAX_DURATION: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// CloudFront's limit on a public key's name, which holds the group's name and a version id.
const MAX_GROUP_NAME: usize = 128 - 1 - crate::naming::Token::LENGTH;

impl Config {
    /// The settings in the process environment, read by `main` at cold start; an error names the variable at fault.
    pub fn from_env() -> Result<Self, SettingError> {
        Self::from_settings(&Settings::from_env())
    }

    /// The settings `settings` holds (tests pass pairs); an error names the variable at fault.
    pub fn from_settings(settings: &Settings) -> Result<Self, SettingError> {
        let seconds = |name: &'static str, default: u64| {
            let duration = settings.seconds(name, default)?;
            if duration > MAX_DURATION {
                return Err(SettingError::invalid(name, "at most 315360000 seconds (10 years)"));
            }
            Ok(duration)
        };

        let key_group_name = settings.required("KEY_GROUP_NAME")?;
        let well_formed = key_group_name.len() <= MAX_GROUP_NAME
            && key_group_name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !well_formed {
            return Err(SettingError::invalid(
                "KEY_GROUP_NAME",
                format_args!("at most {MAX_GROUP_NAME} letters, digits, - and _"),
            ));
        }
        let role = |name: &'static str| -> Result<Option<RoleArn>, SettingError> {
            settings.get(name).map(|arn| arn.parse().map_err(|e| SettingError::invalid(name, e))).transpose()
        };
        let key_source = settings.parsed("SIGNING_KEY_SOURCE", "secret or kms")?.unwrap_or_default();
        let kms_roles = match (role("KMS_SIGNER_ROLE_ARN")?, role("KMS_ROTATOR_ROLE_ARN")?) {
            (Some(signer), Some(rotator)) => Some(KeyPolicyRoles { signer, rotator }),
            (None, _) if key_source == SigningKeySource::Kms => {
                return Err(SettingError::invalid(
                    "KMS_SIGNER_ROLE_ARN",
                    "the url-signer's role ARN with SIGNING_KEY_SOURCE=kms",
                ));
            }
            (_, None) if key_source == SigningKeySource::Kms => {
                return Err(SettingError::invalid(
                    "KMS_ROTATOR_ROLE_ARN",
                    "the key-rotator's role ARN with SIGNING_KEY_SOURCE=kms",
                ));
            }
            _ => None,
        };
        let config = Self {
            secret_id: settings.required("KEY_SECRET_ID")?,
            key_group_name,
            key_algorithm: settings.parsed("KEY_ALGORITHM", "rsa2048 or ecdsa-p256")?.unwrap_or(KeyAlgorithm::Rsa2048),
            max_lifetime: seconds("MAX_LIFETIME_SECONDS", 3600)?,
            propagation_margin: seconds("PROPAGATION_MARGIN_SECONDS", 5400)?,
            activation_delay: seconds("ACTIVATION_DELAY_SECONDS", DEFAULT_ACTIVATION_DELAY)?,
            response_hosts: settings.parsed("RESPONSE_URL_HOSTS", "cloudformation or loopback")?.unwrap_or_default(),
            key_source,
            kms_roles,
        };
        if config.max_lifetime.is_zero() {
            return Err(SettingError::invalid("MAX_LIFETIME_SECONDS", "more than 0"));
        }
        Ok(config)
    }

    /// How long a key stays in the group after it stopped signing: any URL it
    /// signed has expired by then, everywhere.
    pub fn grace(&self) -> Duration {
        self.max_lifetime + self.propagation_margin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, SettingError> {
        Config::from_settings(&Settings::from_pairs(vars.iter().copied()))
    }

    const MINIMAL: [(&str, &str); 2] = [("KEY_SECRET_ID", "signing-key"), ("KEY_GROUP_NAME", "assets-signers")];

    #[test]
    fn defaults_give_rsa_and_a_grace_of_lifetime_plus_margin() {
        let config = config(&MINIMAL).unwrap();
        assert_eq!(config.key_algorithm, KeyAlgorithm::Rsa2048);
        assert_eq!(config.grace(), Duration::from_secs(3600 + 5400));
        assert_eq!(config.activation_delay, Duration::from_secs(300), "new keys are not used before they propagate");
        assert_eq!((config.key_source, config.kms_roles), (SigningKeySource::Secret, None));
    }

    #[test]
    fn kms_mode_needs_both_roles_for_its_key_policies() {
        let signer = ("KMS_SIGNER_ROLE_ARN", "arn:aws:iam::111122223333:role/signer");
        let rotator = ("KMS_ROTATOR_ROLE_ARN", "arn:aws:iam::111122223333:role/rotator");
        let kms = ("SIGNING_KEY_SOURCE", "kms");
        let read = config(&[MINIMAL[0], MINIMAL[1], kms, signer, rotator]).unwrap();
        assert_eq!(read.key_source, SigningKeySource::Kms);
        assert_eq!(read.kms_roles.unwrap().signer.to_string(), signer.1);
        for (vars, name) in [
            (vec![kms, rotator], "KMS_SIGNER_ROLE_ARN"),
            (vec![kms, signer], "KMS_ROTATOR_ROLE_ARN"),
            (vec![kms, signer, ("KMS_ROTATOR_ROLE_ARN", "rotator")], "KMS_ROTATOR_ROLE_ARN"),
            (vec![("SIGNING_KEY_SOURCE", "hsm")], "SIGNING_KEY_SOURCE"),
        ] {
            let message = config(&[&MINIMAL[..], &vars].concat()).unwrap_err().to_string();
            assert!(message.contains(name), "{message}");
        }
        // A stack in secret mode that has left KMS mode still names the roles.
        assert!(config(&[MINIMAL[0], MINIMAL[1], signer, rotator]).unwrap().kms_roles.is_some());
    }

    #[test]
    fn every_setting_is_read() {
        let mut vars = MINIMAL.to_vec();
        vars.extend([
            ("KEY_ALGORITHM", "ecdsa-p256"),
            ("MAX_LIFETIME_SECONDS", "600"),
            ("PROPAGATION_MARGIN_SECONDS", "60"),
            ("ACTIVATION_DELAY_SECONDS", "30"),
        ]);
        let config = config(&vars).unwrap();
        assert_eq!(config.key_algorithm, KeyAlgorithm::EcdsaP256);
        assert_eq!(config.grace(), Duration::from_secs(660));
        assert_eq!(config.activation_delay, Duration::from_secs(30));
    }

    #[test]
    fn mistakes_name_the_variable() {
        for (vars, name) in [
            (vec![("KEY_GROUP_NAME", "g")], "KEY_SECRET_ID"),
            (vec![("KEY_SECRET_ID", "s")], "KEY_GROUP_NAME"),
            (vec![("KEY_SECRET_ID", "s"), ("KEY_GROUP_NAME", "has space")], "KEY_GROUP_NAME"),
            (vec![("KEY_SECRET_ID", "s"), ("KEY_GROUP_NAME", &"g".repeat(92))], "KEY_GROUP_NAME"),
            (vec![("KEY_SECRET_ID", "s"), ("KEY_GROUP_NAME", "g"), ("KEY_ALGORITHM", "rsa4096")], "KEY_ALGORITHM"),
            (
                vec![("KEY_SECRET_ID", "s"), ("KEY_GROUP_NAME", "g"), ("MAX_LIFETIME_SECONDS", "1h")],
                "MAX_LIFETIME_SECONDS",
            ),
            (
                vec![("KEY_SECRET_ID", "s"), ("KEY_GROUP_NAME", "g"), ("MAX_LIFETIME_SECONDS", "0")],
                "MAX_LIFETIME_SECONDS",
            ),
        ] {
            let message = config(&vars).unwrap_err().to_string();
            assert!(message.contains(name), "{message}");
        }
    }
}
