//! Warm latency of the handler in-process, per request: 1 path and 100 paths,
//! RSA-2048 and ECDSA P-256, beside the bare signing cost (the floor) measured
//! in the same run. Percentiles, since a p99 target is what matters.
//! Run: cargo bench -p url-signer --bench latency

use std::collections::HashMap;
use std::time::{Duration, Instant};

use cfsign::{Backend, Conditions, Epoch, KeyAlgorithm, PrivateKey, Signer, SigningKeySecret};
use lambda_http::Request;
use plumbing::settings::Settings;
use plumbing::time::ManualClock;
use url_signer::keys::fake::FakeSecrets;
use url_signer::{Config, KeyCache, KeyPolicy, SigningService, handle};

const NOW: u64 = 1_767_225_600;
const ROUNDS: usize = 2000;

fn service(key: &PrivateKey) -> SigningService<FakeSecrets, ManualClock> {
    let vars: HashMap<String, String> = [
        ("DISTRIBUTION_DOMAIN", "d111111abcdef8.cloudfront.net"),
        ("KEY_SECRET_ID", "signing-key"),
        ("ALLOWED_PREFIXES", "/images/"),
        // Every request signs anew: this measures signing, not the cache
        // (benches/signature_cache.rs measures that).
        ("EXPIRY_WINDOW_SECONDS", "0"),
        ("SIGNATURE_CACHE_ENTRIES", "0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let config = Config::from_settings(&Settings::from_pairs(vars)).unwrap();
    let secrets = FakeSecrets::with_value("v1", &SigningKeySecret::new("KBENCH", key).unwrap().to_json());
    let keys = KeyCache::new(secrets, "signing-key", KeyPolicy::of(&config));
    SigningService::new(
        config,
        keys,
        ManualClock::starting_at(std::time::UNIX_EPOCH + std::time::Duration::from_secs(NOW)),
    )
}

fn request(paths: usize) -> Request {
    let event = include_str!("../tests/fixtures/http-api-v2-post-sign-jwt.json");
    let mut event: serde_json::Value = serde_json::from_str(event).unwrap();
    let paths: Vec<String> = (0..paths).map(|i| format!("/images/2026/photo-{i:04}.jpg")).collect();
    event["body"] = serde_json::Value::String(serde_json::json!({ "paths": paths }).to_string());
    lambda_http::request::from_str(&event.to_string()).unwrap()
}

fn percentiles(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let at = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)].as_secs_f64() * 1000.0;
    format!("p50 {:>8.3} ms  p99 {:>8.3} ms  max {:>8.3} ms", at(0.50), at(0.99), at(1.0))
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    println!("# {ROUNDS} requests per line, one core, after {} warm-up requests", ROUNDS / 10);
    for algorithm in KeyAlgorithm::ALL {
        let key = PrivateKey::generate(algorithm, Backend::default()).unwrap();
        let service = service(&key);
        let signer = Signer::new("KBENCH", PrivateKey::from_pem(&key.to_pkcs8_pem().unwrap()).unwrap()).unwrap();
        let conditions = Conditions::expires_at(Epoch::from_secs(NOW + 300).unwrap());
        let started = Instant::now();
        runtime.block_on(service.warm_up());
        let warm_up = started.elapsed();
        let started = Instant::now();
        runtime.block_on(handle(&service, request(1))).unwrap();
        println!(
            "{algorithm:<10} key load {:.3} ms, first request {:.3} ms",
            warm_up.as_secs_f64() * 1000.0,
            started.elapsed().as_secs_f64() * 1000.0
        );
        for paths in [1, 100] {
            let mut handler = Vec::with_capacity(ROUNDS);
            let mut floor = Vec::with_capacity(ROUNDS);
            let urls: Vec<String> = (0..paths)
                .map(|i| format!("https://d111111abcdef8.cloudfront.net/images/2026/photo-{i:04}.jpg"))
                .collect();
            for round in 0..ROUNDS + ROUNDS / 10 {
                let request = request(paths);
                let started = Instant::now();
                let response = runtime.block_on(handle(&service, request)).unwrap();
                let elapsed = started.elapsed();
                assert_eq!(response.status(), 200);
                let started = Instant::now();
                for url in &urls {
                    std::hint::black_box(signer.sign_url(url, &conditions).unwrap());
                }
                let signing = started.elapsed();
                if round >= ROUNDS / 10 {
                    handler.push(elapsed);
                    floor.push(signing);
                }
            }
            println!("{algorithm:<10} {paths:>3} path(s)  handler  {}", percentiles(handler));
            println!("{algorithm:<10} {paths:>3} path(s)  sign only {}", percentiles(floor));
        }
    }
}
