//! `cfsign sign` and `cfsign cookies`.

use std::collections::BTreeMap;
use std::io::Write;

use cfsign::{
    BucketDistributions, Conditions, CookieAttributes, Distribution, HashAlgorithm, Locator, PrivateKey, SignedCookies,
    Signer, parse_ipv4_range,
};

use crate::cli::{CookiesArgs, SignArgs, SigningArgs};
use crate::{Failure, dates, files, print_lines};

/// A private key read from a file, or a KMS key signing remotely.
enum AnySigner {
    Local(Signer),
    #[cfg(feature = "kms")]
    Kms(crate::kms::KmsSigner),
}

impl AnySigner {
    fn sign_url(&self, url: &str, conditions: &Conditions) -> Result<String, Failure> {
        match self {
            Self::Local(signer) => Ok(signer.sign_url(url, conditions)?),
            #[cfg(feature = "kms")]
            Self::Kms(signer) => signer.sign_url(url, conditions),
        }
    }

    fn sign_cookies(&self, resource: &str, conditions: &Conditions) -> Result<SignedCookies, Failure> {
        match self {
            Self::Local(signer) => Ok(signer.sign_cookies(resource, conditions)?),
            #[cfg(feature = "kms")]
            Self::Kms(signer) => signer.sign_cookies(resource, conditions),
        }
    }
}

fn signer(args: &SigningArgs) -> Result<AnySigner, Failure> {
    #[cfg(feature = "kms")]
    if let Some(key_id) = &args.kms_key_id {
        if args.hash_algorithm == Some(HashAlgorithm::Sha1) {
            return Err(Failure(
                "--hash-algorithm SHA1 cannot sign with a KMS key: KMS signs only with SHA-256; leave it out or give SHA256"
                    .into(),
            ));
        }
        return Ok(AnySigner::Kms(crate::kms::KmsSigner::new(&args.key_pair_id, key_id)?));
    }
    let path = args.private_key.as_deref().ok_or_else(|| Failure("give --private-key".into()))?;
    let key = PrivateKey::from_bytes(&files::read_key(path, "--private-key")?)?;
    let hash: HashAlgorithm = args.hash_algorithm.unwrap_or_default();
    Ok(AnySigner::Local(Signer::new(&args.key_pair_id, key)?.with_hash_algorithm(hash)))
}

fn prepare(args: &SigningArgs) -> Result<(AnySigner, Conditions), Failure> {
    let mut conditions = Conditions::expires_at(dates::parse(&args.date_less_than)?);
    if let Some(starts) = &args.date_greater_than {
        conditions = conditions.not_before(dates::parse(starts)?);
    }
    if let Some(range) = &args.ip_address {
        conditions = conditions.from_ip_range(parse_ipv4_range(range)?);
    }
    if let Some(resource) = &args.policy_resource {
        conditions = conditions.for_resource(resource);
    }
    let conditions = conditions.rounded_to(std::time::Duration::from_secs(args.expiry_window))?;
    Ok((signer(args)?, conditions))
}

/// The URL to sign: --url as given, or the URL of --key or --locator on its
/// distribution; with `wildcard` (cookies), a key ending in `*` is a prefix's.
fn target(args: &SigningArgs, wildcard: bool) -> Result<String, Failure> {
    if let Some(url) = &args.url {
        return Ok(url.clone());
    }
    let (distribution, key) = match (&args.key, &args.locator) {
        (Some(key), _) => match args.distribution.as_slice() {
            [distribution] => (distribution.parse::<Distribution>()?, key.as_str()),
            _ => return Err(Failure("--key takes one --distribution DOMAIN[/ORIGIN-PATH], the one serving it".into())),
        },
        (None, Some(locator)) => {
            let locator = Locator::parse(locator)?;
            let mut buckets = BucketDistributions::default();
            for entry in &args.distribution {
                buckets.insert_entry(entry)?;
            }
            let distribution = buckets.get(locator.bucket).cloned().ok_or_else(|| {
                Failure(format!(
                    "no --distribution names the bucket {0}; give --distribution {0}=DOMAIN[/ORIGIN-PATH]",
                    locator.bucket
                ))
            })?;
            (distribution, locator.key)
        }
        (None, None) => return Err(Failure("give --url, --key or --locator".into())),
    };
    let path = match key.strip_suffix('*').filter(|_| wildcard) {
        Some(prefix) => distribution.prefix_resource(prefix)?,
        None => distribution.object_path(key)?,
    };
    Ok(distribution.url(&path))
}

pub fn url(args: SignArgs) -> Result<std::process::ExitCode, Failure> {
    // The input first: a KMS key is opened (a call to AWS) only for a sound request.
    let url = target(&args.signing, false)?;
    let (signer, conditions) = prepare(&args.signing)?;
    let signed = signer.sign_url(&url, &conditions)?;
    print_lines([signed])?;
    warn_if_expired(&conditions)
}

pub fn cookies(args: CookiesArgs) -> Result<std::process::ExitCode, Failure> {
    let resource = target(&args.signing, true)?;
    let (signer, conditions) = prepare(&args.signing)?;
    let mut attributes = CookieAttributes::default();
    if let Some(domain) = &args.domain {
        attributes = attributes.domain(domain)?;
    }
    if let Some(path) = &args.path {
        attributes = attributes.path(path)?;
    }
    if let Some(same_site) = args.same_site {
        attributes = attributes.same_site(same_site)?;
    }
    let cookies = signer.sign_cookies(&resource, &conditions)?;
    if args.json {
        let map: BTreeMap<&str, &str> = cookies.iter().collect();
        print_lines([serde_json::to_string(&map)?])?;
    } else {
        print_lines(cookies.set_cookie_headers(&attributes))?;
    }
    warn_if_expired(&conditions)
}

/// Signing for the past has its uses (a test of a 403), so it is done, and said
/// on stderr; the exit code stays 0.
fn warn_if_expired(conditions: &Conditions) -> Result<std::process::ExitCode, Failure> {
    let expires = conditions.expires();
    if expires <= cfsign::Epoch::now(&cfsign::SystemClock)? {
        let warning = format!(
            "cfsign: warning: --date-less-than {expires} is not in the future: the signature is expired already"
        );
        let _ = writeln!(std::io::stderr(), "{warning}");
    }
    Ok(std::process::ExitCode::SUCCESS)
}
