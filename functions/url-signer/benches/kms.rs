//! Signing latency per request with the key in KMS against the key in the
//! process, in one run: the whole handler (an API Gateway v2 `POST /sign`)
//! over the local AWS's KMS (moto, on loopback, over real HTTP through the
//! AWS SDK) and over an in-process key of the same type with SHA-256, for
//! - 1 path (a new one each request);
//! - 25 paths cold (25 paths never signed before: every signature a call);
//! - 25 paths warm (the same 25 again inside the expiry window: the cache).
//!
//! The local KMS answers on loopback in about 2 ms a call, one call at a
//! time, and signs with Python's cryptography: its figures are a floor on the calls a request
//! makes, not AWS's latency (a Sign call from Lambda in the same region
//! takes milliseconds). Counts of Sign calls per request are exact.
//! Run: cargo bench -p url-signer --bench kms

use std::time::{Duration, Instant};

use aws_sdk_kms::types::KeyUsageType;
use cfsign::{Backend, KeyAlgorithm, KmsKeySecret, PrivateKey, SigningKeySecret};
use lambda_http::Request;
use plumbing::settings::Settings;
use plumbing::time::ManualClock;
use url_signer::keys::KeySource;
use url_signer::keys::fake::FakeSecrets;
use url_signer::{AwsKeys, Config, KeyCache, KeyPolicy, SigningService, handle};

const START: u64 = 1_767_225_600;
const ROUNDS: usize = 200;

fn config() -> Config {
    let vars = [
        ("DISTRIBUTION_DOMAIN", "d111111abcdef8.cloudfront.net"),
        ("KEY_SECRET_ID", "signing-key"),
        ("ALLOWED_PREFIXES", "/"),
        ("HASH_ALGORITHM", "SHA256"),
    ];
    Config::from_settings(&Settings::from_pairs(vars)).unwrap()
}

fn service<S: KeySource>(source: S) -> SigningService<S, ManualClock> {
    let config = config();
    let keys = KeyCache::new(source, "signing-key", KeyPolicy::of(&config));
    SigningService::new(config, keys, ManualClock::starting_at(std::time::UNIX_EPOCH + Duration::from_secs(START)))
}

fn request(first: usize, count: usize) -> Request {
    let event = include_str!("../tests/fixtures/http-api-v2-post-sign-jwt.json");
    let mut event: serde_json::Value = serde_json::from_str(event).unwrap();
    let paths: Vec<String> = (first..first + count).map(|i| format!("/assets/{i:06}.jpg")).collect();
    event["body"] = serde_json::Value::String(serde_json::json!({ "paths": paths }).to_string());
    lambda_http::request::from_str(&event.to_string()).unwrap()
}

fn percentiles(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let at = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)].as_secs_f64() * 1000.0;
    format!("p50 {:>8.3} ms  p99 {:>8.3} ms", at(0.50), at(0.99))
}

/// Times ROUNDS requests of each case; `calls` reads the Sign calls made so far.
async fn run<S: KeySource>(label: &str, service: &SigningService<S, ManualClock>, calls: &dyn Fn() -> usize) {
    service.warm_up().await;
    let mut next = 0;
    for (case, paths, repeat) in [("1 path", 1, false), ("25 paths cold", 25, false), ("25 paths warm", 25, true)] {
        let mut samples = Vec::with_capacity(ROUNDS);
        if repeat {
            assert_eq!(handle(service, request(next, paths)).await.unwrap().status(), 200);
        }
        let calls_before_timing = calls();
        for _ in 0..ROUNDS {
            let request = request(next, paths);
            let started = Instant::now();
            let response = handle(service, request).await.unwrap();
            samples.push(started.elapsed());
            assert_eq!(response.status(), 200);
            if !repeat {
                next += paths;
            }
        }
        let per_request = (calls() - calls_before_timing) as f64 / ROUNDS as f64;
        println!("{label:<24} {case:<14} {}  KMS Sign calls per request {per_request:>5.1}", percentiles(samples));
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let aws = local_aws::session();
    let sdk = runtime.block_on(aws.sdk_config());
    println!("# {ROUNDS} requests per line, one core; KMS: the local AWS over HTTP on loopback");
    for algorithm in [KeyAlgorithm::Rsa2048, KeyAlgorithm::EcdsaP256] {
        let spec = cfsign::kms::key_spec(algorithm);
        aws.reset();
        let kms = aws_sdk_kms::Client::new(&sdk);
        runtime.block_on(async {
            let created = kms.create_key().key_spec(spec).key_usage(KeyUsageType::SignVerify).send().await.unwrap();
            let arn = created.key_metadata.unwrap().arn.unwrap();
            let secret = KmsKeySecret { key_pair_id: "KBENCH".into(), kms_key_arn: arn }.to_json();
            let secrets = aws_sdk_secretsmanager::Client::new(&sdk);
            secrets.create_secret().name("signing-key").secret_string(secret).send().await.unwrap();
        });
        let signs = || aws.calls().iter().filter(|c| c.service == "kms" && c.action == "Sign").count();
        runtime.block_on(run(&format!("{algorithm} in KMS"), &service(AwsKeys::from_sdk_config(&sdk)), &signs));

        let key = PrivateKey::generate(algorithm, Backend::default()).unwrap();
        let local = FakeSecrets::with_value("v1", &SigningKeySecret::new("KBENCH", &key).unwrap().to_json());
        runtime.block_on(run(&format!("{algorithm} in process"), &service(local), &|| 0));
    }
}
