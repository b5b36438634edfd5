//! The command line, with flags named as in `aws cloudfront sign`.

use std::path::PathBuf;

use cfsign::{Backend, HashAlgorithm, KeyAlgorithm, SameSite};
use clap::{ArgGroup, Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "cfsign",
    version,
    about = "Sign, verify and explain CloudFront signed URLs and cookies",
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a signed URL.
    Sign(SignArgs),
    /// Print signed cookies as Set-Cookie values, one per line.
    Cookies(CookiesArgs),
    /// Check a signed URL as CloudFront would: exit 0 printing `valid`, or exit 1 printing why not.
    Verify(VerifyArgs),
    /// Write a new key pair: private.pem (mode 0600) and public.pem for CloudFront's CreatePublicKey.
    Keygen(KeygenArgs),
    /// Measure single-core signing speed, one line per combination: ALGORITHM HASH BACKEND SIGNS_PER_SECOND.
    Speed(SpeedArgs),
    /// Print the public key of a KMS signing key as PEM, as CloudFront's CreatePublicKey takes it.
    #[cfg(feature = "kms")]
    KmsPublicKey(KmsPublicKeyArgs),
}

/// Dates are read as the AWS CLI reads them: YYYY-MM-DD, YYYY-MM-DDThh:mm:ss
/// (UTC; a space may replace the T, fractional seconds are dropped), the same
/// with Z, +hh:mm or -hh:mm, or epoch seconds.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("object").required(true).args(["url", "key", "locator"])))]
pub struct SigningArgs {
    /// The URL to sign (for cookies, the resource, which may hold * and ? wildcards).
    #[arg(long)]
    pub url: Option<String>,
    /// An S3 object key, signed as the one path CloudFront forwards to S3 as
    /// that key, on the --distribution DOMAIN[/ORIGIN-PATH] given; for cookies,
    /// a key prefix ending in * covers every key under it.
    #[arg(long)]
    pub key: Option<String>,
    /// An s3://BUCKET/KEY locator (the key as written, not percent-decoded),
    /// signed as --key is, on the --distribution BUCKET=DOMAIN[/ORIGIN-PATH] given.
    #[arg(long)]
    pub locator: Option<String>,
    /// Where objects are served: DOMAIN[/ORIGIN-PATH] for --key, and
    /// BUCKET=DOMAIN[/ORIGIN-PATH] for the bucket of a --locator; repeatable.
    #[arg(long, value_name = "[BUCKET=]DOMAIN[/ORIGIN-PATH]", conflicts_with = "url")]
    pub distribution: Vec<String>,
    /// The CloudFront public key id.
    #[arg(long)]
    pub key_pair_id: String,
    /// The private key file (PEM or DER); file://PATH is accepted too.
    #[cfg_attr(feature = "kms", arg(long, required_unless_present = "kms_key_id", conflicts_with = "kms_key_id"))]
    #[cfg_attr(not(feature = "kms"), arg(long, required = true))]
    pub private_key: Option<String>,
    /// Sign with this AWS KMS key (id, ARN or alias/NAME; RSA_2048 or
    /// ECC_NIST_P256) instead of a private key file: the key never leaves KMS.
    /// Credentials and region come from the usual AWS chain (AWS_ENDPOINT_URL
    /// too). SHA-256 only.
    #[cfg(feature = "kms")]
    #[arg(long, value_name = "ID")]
    pub kms_key_id: Option<String>,
    /// Expiry: YYYY-MM-DD, YYYY-MM-DDThh:mm:ss (UTC) or with Z, +hh:mm or -hh:mm,
    /// or epoch seconds. Fractions of a second are dropped (truncated), as the
    /// AWS CLI does; the JavaScript signer rounds them instead.
    #[arg(long)]
    pub date_less_than: String,
    /// Start of validity, in the same forms (makes the policy custom); access is
    /// refused on or before it.
    #[arg(long)]
    pub date_greater_than: Option<String>,
    /// Allowed client IPv4 range in CIDR form; a bare address means /32 (makes the policy custom).
    #[arg(long)]
    pub ip_address: Option<String>,
    /// A policy resource other than the URL, such as https://d111111abcdef8.cloudfront.net/images/* (makes the policy custom).
    #[arg(long)]
    pub policy_resource: Option<String>,
    /// SHA1 (CloudFront's default) or SHA256, in any case; SHA256 with a KMS
    /// key, which cannot sign with SHA-1 [default: SHA1]
    #[arg(long, value_parser = hash_algorithm)]
    pub hash_algorithm: Option<HashAlgorithm>,
    /// Round --date-less-than up, and --date-greater-than down, to a whole
    /// multiple of SECONDS since the epoch, so that signing again inside one
    /// window prints the same URL (with an RSA key: ECDSA signatures are
    /// randomised). The signature stays valid up to SECONDS longer than asked.
    /// 0 rounds nothing.
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub expiry_window: u64,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    #[command(flatten)]
    pub signing: SigningArgs,
}

#[derive(Debug, Args)]
pub struct CookiesArgs {
    #[command(flatten)]
    pub signing: SigningArgs,
    /// Domain attribute of the cookies.
    #[arg(long)]
    pub domain: Option<String>,
    /// Path attribute of the cookies.
    #[arg(long)]
    pub path: Option<String>,
    /// SameSite attribute: Strict, Lax or None.
    #[arg(long)]
    pub same_site: Option<SameSite>,
    /// Print one JSON object mapping cookie name to value instead (no attributes).
    #[arg(long, conflicts_with_all = ["domain", "path", "same_site"])]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The signed URL; with --cookie or --cookies-json, the URL the cookies are sent with.
    #[arg(long)]
    pub url: String,
    /// Signed cookies to check instead of URL parameters: a Cookie header's
    /// value ('CloudFront-Policy=...; CloudFront-Signature=...; CloudFront-Key-Pair-Id=...')
    /// or one NAME=VALUE; repeatable.
    #[arg(long, value_name = "COOKIES")]
    pub cookie: Vec<String>,
    /// Signed cookies from a file written by `cfsign cookies --json`.
    #[arg(long, value_name = "FILE", conflicts_with = "cookie")]
    pub cookies_json: Option<PathBuf>,
    /// A trusted public key as ID=FILE (BEGIN PUBLIC KEY PEM or DER; FILE may be file://PATH); repeatable.
    #[arg(long = "public-key", value_name = "ID=FILE", required = true)]
    pub public_keys: Vec<String>,
    /// The time of the request (default: now).
    #[arg(long)]
    pub at: Option<String>,
    /// The client's IP address, checked against the policy's range.
    #[arg(long)]
    pub client_ip: Option<std::net::IpAddr>,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// rsa2048 or ecdsa-p256.
    #[arg(long, default_value = "rsa2048")]
    pub algorithm: KeyAlgorithm,
    /// Directory to write private.pem and public.pem into (created if missing; existing files are not overwritten).
    #[arg(long)]
    pub out: PathBuf,
}

#[cfg(feature = "kms")]
#[derive(Debug, Args)]
pub struct KmsPublicKeyArgs {
    /// The KMS key: id, ARN or alias/NAME.
    #[arg(long, value_name = "ID")]
    pub kms_key_id: String,
}

#[derive(Debug, Args)]
pub struct SpeedArgs {
    /// Seconds to sign for, per combination.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub seconds: u64,
    /// Only this key algorithm (default: both).
    #[arg(long)]
    pub algorithm: Option<KeyAlgorithm>,
    /// Only this hash, SHA1 or SHA256 in any case (default: both).
    #[arg(long, value_parser = hash_algorithm)]
    pub hash_algorithm: Option<HashAlgorithm>,
    /// Only this backend (default: every backend in this build).
    #[arg(long)]
    pub backend: Option<Backend>,
}

/// The hash's name in any case, as the AWS CLI takes it.
fn hash_algorithm(value: &str) -> Result<HashAlgorithm, String> {
    value.to_ascii_uppercase().parse()
}
