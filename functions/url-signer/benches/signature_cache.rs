//! What expiry rounding and the signature cache buy: the whole handler (an
//! API Gateway v2 `POST /sign` of 25 paths) with the cache on, as deployed,
//! against the same service with it off, in one run, for RSA-2048 and ECDSA
//! P-256. Percentiles and private-key operations per request, for:
//! - cold: 25 paths never signed before (every request a new page);
//! - warm: the same 25 paths again inside the expiry window;
//! - mix: a Zipf-distributed stream (s = 1) over 10,000 assets, 25 per
//!   request, 10 requests a second (the clock advances 100 ms a request), so
//!   the run crosses expiry windows as a live function would.
//!
//! First, the memory the cache costs: the process's peak resident size before
//! and after filling a cache to its default bound of 10,000 RSA signatures.
//! Run: cargo bench -p url-signer --bench signature_cache

use std::collections::HashMap;
use std::time::{Duration, Instant};

use cfsign::{Backend, KeyAlgorithm, PrivateKey, SigningKeySecret};
use lambda_http::Request;
use plumbing::settings::Settings;
use plumbing::time::ManualClock;
use url_signer::keys::fake::FakeSecrets;
use url_signer::{Config, KeyCache, KeyPolicy, SigningService, handle};

/// A multiple of 300, so a run's windows line up with the epoch's.
const START: u64 = 1_767_225_600;
const PATHS: usize = 25;
const ROUNDS: usize = 3000;
const ASSETS: usize = 10_000;

struct Bench {
    service: SigningService<FakeSecrets, ManualClock>,
    clock: ManualClock,
}

fn bench(key: &PrivateKey, cache: bool) -> Bench {
    let mut vars: HashMap<&str, &str> =
        [("DISTRIBUTION_DOMAIN", "d111111abcdef8.cloudfront.net"), ("KEY_SECRET_ID", "k"), ("ALLOWED_PREFIXES", "/")]
            .into();
    if !cache {
        vars.insert("SIGNATURE_CACHE_ENTRIES", "0");
    }
    let config = Config::from_settings(&Settings::from_pairs(vars)).unwrap();
    let secrets = FakeSecrets::with_value("v1", &SigningKeySecret::new("KBENCH", key).unwrap().to_json());
    let keys = KeyCache::new(secrets, "k", KeyPolicy::of(&config));
    let clock = ManualClock::starting_at(std::time::UNIX_EPOCH + Duration::from_secs(START));
    Bench { service: SigningService::new(config, keys, clock.clone()), clock }
}

fn request(paths: &[usize]) -> Request {
    let event = include_str!("../tests/fixtures/http-api-v2-post-sign-jwt.json");
    let mut event: serde_json::Value = serde_json::from_str(event).unwrap();
    let paths: Vec<String> = paths.iter().map(|i| format!("/assets/{i:05}.jpg")).collect();
    event["body"] = serde_json::Value::String(serde_json::json!({ "paths": paths }).to_string());
    lambda_http::request::from_str(&event.to_string()).unwrap()
}

/// Ranks 0..ASSETS drawn with probability proportional to 1 / (rank + 1).
struct Zipf {
    cumulative: Vec<f64>,
    random: fastrand::Rng,
}

impl Zipf {
    fn new(seed: u64) -> Self {
        let mut total = 0.0;
        let cumulative = (1..=ASSETS)
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        Self { cumulative, random: fastrand::Rng::with_seed(seed) }
    }

    fn draw(&mut self) -> usize {
        let target = self.random.f64() * self.cumulative[ASSETS - 1];
        self.cumulative.partition_point(|&c| c < target)
    }
}

struct Line {
    p50: f64,
    p99: f64,
    key_operations: f64,
}

/// Runs `ROUNDS` requests from `next`, each `step` after the last, and returns
/// the handler's percentiles and private-key operations per request.
fn run(
    runtime: &tokio::runtime::Runtime,
    bench: &Bench,
    step: Duration,
    mut next: impl FnMut(usize) -> Vec<usize>,
) -> Line {
    let misses = || runtime.block_on(bench.service.signature_cache_stats()).map_or(0, |s| s.misses);
    let before = misses();
    let mut samples = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let request = request(&next(round));
        let started = Instant::now();
        let response = runtime.block_on(handle(&bench.service, request)).unwrap();
        samples.push(started.elapsed());
        assert_eq!(response.status(), 200);
        bench.clock.advance(step);
    }
    samples.sort();
    let at = |p: f64| samples[((ROUNDS as f64 * p) as usize).min(ROUNDS - 1)].as_secs_f64() * 1000.0;
    // Without a cache every signature is a key operation.
    let operations = if runtime.block_on(bench.service.signature_cache_stats()).is_some() {
        (misses() - before) as f64
    } else {
        (ROUNDS * PATHS) as f64
    };
    Line { p50: at(0.50), p99: at(0.99), key_operations: operations / ROUNDS as f64 }
}

/// The process's peak resident size, from /proc/self/status (Linux).
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<f64>().unwrap() / 1024.0
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    // Memory first, while the peak is this process's start: a cache filled to
    // its entry bound with RSA signatures of URLs of ordinary length.
    let key = PrivateKey::generate(KeyAlgorithm::Rsa2048, Backend::default()).unwrap();
    let filled = bench(&key, true);
    runtime.block_on(filled.service.warm_up());
    let before = peak_rss_mib();
    for page in 0..ASSETS / PATHS {
        let paths: Vec<usize> = (page * PATHS..(page + 1) * PATHS).collect();
        runtime.block_on(handle(&filled.service, request(&paths))).unwrap();
    }
    let stats = runtime.block_on(filled.service.signature_cache_stats()).unwrap();
    println!(
        "# memory: {} RSA-2048 signatures cached, {:.2} MiB by the cache's own count; peak RSS {before:.1} MiB before, {:.1} MiB after",
        stats.entries,
        stats.bytes as f64 / 1048576.0,
        peak_rss_mib()
    );

    println!("\n# POST /sign of {PATHS} paths through the handler, {ROUNDS} requests per line, one core");
    println!("| key | workload | cache | p50 | p99 | private-key operations per request |");
    println!("|---|---|---|---:|---:|---:|");
    for algorithm in KeyAlgorithm::ALL {
        let key = PrivateKey::generate(algorithm, Backend::default()).unwrap();
        for cache in [false, true] {
            let bench = bench(&key, cache);
            runtime.block_on(bench.service.warm_up());
            let label = if cache { "on" } else { "off" };
            let mut fresh = 0;
            let cold = run(&runtime, &bench, Duration::ZERO, |_| {
                fresh += PATHS;
                (fresh..fresh + PATHS).map(|i| i % 1_000_000).collect()
            });
            let same: Vec<usize> = (0..PATHS).collect();
            runtime.block_on(handle(&bench.service, request(&same))).unwrap();
            let warm = run(&runtime, &bench, Duration::ZERO, |_| same.clone());
            // Start the mix mid-window, since a live function meets a window
            // boundary at no particular moment: the run crosses one 150 s in.
            bench.clock.advance(Duration::from_secs(150));
            let mut zipf = Zipf::new(7);
            let mix = run(&runtime, &bench, Duration::from_millis(100), |_| (0..PATHS).map(|_| zipf.draw()).collect());
            for (workload, line) in [("cold (new paths)", cold), ("warm (same 25 again)", warm), ("Zipf mix", mix)] {
                println!(
                    "| {algorithm} | {workload} | {label} | {:.3} ms | {:.3} ms | {:.2} |",
                    line.p50, line.p99, line.key_operations
                );
            }
        }
    }
}
