//! Configuration from the environment, read once at cold start. Any mistake
//! fails the cold start with a message naming the variable.

use std::time::Duration;

use cfsign::KeyAlgorithm;

use crate::error::Error;
use crate::response_url::ResponseHosts;

/// Every setting, typed. See README.md for the variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The secret holding the signing key (ARN or name), as the url-signer reads it.
    pub secret_id: String,
    /// The key group the distribution trusts. Public keys this function creates
    /// are named `<key group name>-<secret version id>`.
    pub key_group_name: String,
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
}

/// Five minutes: CloudFront deploys most configuration changes to its edges
/// within that time; see README.md for why not less, and when to choose more.
const DEFAULT_ACTIVATION_DELAY: u64 = 300;

/// Far beyond any sensible setting, and small enough that sums of them never overflow.
const MAX_SECONDS: u64 = 10 * 365 * 24 * 3600;

/// CloudFront's limit on a public key's name, which holds the group's name and a version id.
const MAX_GROUP_NAME: usize = 128 - 1 - crate::naming::Token::LENGTH;

impl Config {
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let get = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let required = |name: &'static str| get(name).ok_or(Error::Config { name, reason: "is required".into() });
        let seconds = |name: &'static str, default: u64| -> Result<Duration, Error> {
            let seconds = get(name).map_or(Ok(default), |v| {
                v.parse().map_err(|_| Error::Config { name, reason: format!("{v:?} is not a whole number of seconds") })
            })?;
            if seconds > MAX_SECONDS {
                return Err(Error::Config { name, reason: format!("at most {MAX_SECONDS} seconds (10 years)") });
            }
            Ok(Duration::from_secs(seconds))
        };

        let key_group_name = required("KEY_GROUP_NAME")?;
        let well_formed = key_group_name.len() <= MAX_GROUP_NAME
            && key_group_name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !well_formed {
            return Err(Error::Config {
                name: "KEY_GROUP_NAME",
                reason: format!("at most {MAX_GROUP_NAME} letters, digits, - and _"),
            });
        }
        let config = Self {
            secret_id: required("KEY_SECRET_ID")?,
            key_group_name,
            key_algorithm: get("KEY_ALGORITHM")
                .map_or(Ok(KeyAlgorithm::Rsa2048), |v| v.parse())
                .map_err(|reason| Error::Config { name: "KEY_ALGORITHM", reason })?,
            max_lifetime: seconds("MAX_LIFETIME_SECONDS", 3600)?,
            propagation_margin: seconds("PROPAGATION_MARGIN_SECONDS", 5400)?,
            activation_delay: seconds("ACTIVATION_DELAY_SECONDS", DEFAULT_ACTIVATION_DELAY)?,
            response_hosts: get("RESPONSE_URL_HOSTS")
                .map_or(Ok(ResponseHosts::default()), |v| v.parse())
                .map_err(|reason| Error::Config { name: "RESPONSE_URL_HOSTS", reason })?,
        };
        if config.max_lifetime.is_zero() {
            return Err(Error::Config { name: "MAX_LIFETIME_SECONDS", reason: "must be more than 0".into() });
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
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, Error> {
        let vars: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    const MINIMAL: [(&str, &str); 2] = [("KEY_SECRET_ID", "signing-key"), ("KEY_GROUP_NAME", "assets-signers")];

    #[test]
    fn defaults_give_rsa_and_a_grace_of_lifetime_plus_margin() {
        let config = config(&MINIMAL).unwrap();
        assert_eq!(config.key_algorithm, KeyAlgorithm::Rsa2048);
        assert_eq!(config.grace(), Duration::from_secs(3600 + 5400));
        assert_eq!(config.activation_delay, Duration::from_secs(300), "new keys are not used before they propagate");
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
