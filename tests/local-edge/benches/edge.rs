//! The edge's speed on loopback (issue 12), recorded in BENCHMARKS.md:
//!
//! 1. cached 100 KB objects over HTTP/2: requests per second and latency with
//!    signature checks on (RSA-2048, ECDSA P-256) against the same edge code
//!    serving a distribution without trusted key groups (checks off), in one
//!    run, rounds interleaved so the machine's drift falls on every line alike;
//! 2. a cached 5 MB object over HTTP/1.1, HTTP/2 and HTTP/3: bytes per second.
//!
//! `cargo bench -p local-edge --bench edge [-- SECONDS_PER_MEASURE]`. The
//! client runs in the same process, on the same two cores, so every figure
//! is the edge and its client together: a floor for the edge alone.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use aws_sdk_cloudfront::types::HttpVersion;
use cfsign::KeyAlgorithm;
use support::client::Connection;
use support::{Protocol, RunningEdge, Stack, create_distribution, start_edge_for};

const CONNECTIONS: usize = 2;
const STREAMS_PER_CONNECTION: usize = 16;
const ROUNDS: usize = 3;

struct Measure {
    requests: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Measure {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&mut self, p: f64) -> Duration {
        self.latencies.sort();
        self.latencies[((self.latencies.len() as f64 * p) as usize).min(self.latencies.len() - 1)]
    }
}

/// `CONNECTIONS` HTTP/2 connections, each with `STREAMS_PER_CONNECTION`
/// requests in flight, for `seconds`.
async fn requests_per_second(edge: &RunningEdge, path_and_query: &str, seconds: Duration) -> Measure {
    let mut workers = Vec::new();
    let started = Instant::now();
    for _ in 0..CONNECTIONS {
        let connection = edge.viewer.connect(Protocol::Http2).await;
        for _ in 0..STREAMS_PER_CONNECTION {
            let mut connection = connection.share().expect("HTTP/2 shares its connection");
            let request = edge.viewer.request(path_and_query);
            let deadline = started + seconds;
            workers.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                let template = request.body(()).unwrap();
                while Instant::now() < deadline {
                    let mut next = http::Request::new(());
                    *next.uri_mut() = template.uri().clone();
                    let sent = Instant::now();
                    let bytes = connection.send_counting(next).await;
                    assert_eq!(bytes, 100_000);
                    latencies.push(sent.elapsed());
                }
                latencies
            }));
        }
    }
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.unwrap());
    }
    Measure { requests: latencies.len(), elapsed: started.elapsed(), latencies }
}

/// One connection fetching the 5 MB object back to back (four at a time when
/// the protocol multiplexes), for `seconds`; bytes per second.
async fn throughput(edge: &RunningEdge, protocol: Protocol, seconds: Duration) -> f64 {
    let connection = edge.viewer.connect(protocol).await;
    let in_flight = if protocol == Protocol::Http1 { 1 } else { 4 };
    let mut connections: Vec<Connection> = (1..in_flight).map(|_| connection.share().unwrap()).collect();
    connections.push(connection);
    let started = Instant::now();
    let mut workers = Vec::new();
    for mut connection in connections {
        let uri: http::Uri = format!("{}/bench/5m.bin", edge.viewer.origin()).parse().unwrap();
        workers.push(tokio::spawn(async move {
            let mut bytes = 0;
            while started.elapsed() < seconds {
                let mut request = http::Request::new(());
                *request.uri_mut() = uri.clone();
                let got = connection.send_counting(request).await;
                assert_eq!(got, 5_000_000);
                bytes += got;
            }
            bytes
        }));
    }
    let mut total = 0;
    for worker in workers {
        total += worker.await.unwrap();
    }
    total as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    let seconds = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<u64>().ok())
        .map_or(Duration::from_secs(3), Duration::from_secs);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(run(seconds));
}

async fn run(seconds: Duration) {
    let mut stack = Stack::new(KeyAlgorithm::Rsa2048).await;
    let ecdsa = stack.add_key(KeyAlgorithm::EcdsaP256).await;
    stack.put("bench/100k.jpg", vec![42u8; 100_000], "image/jpeg", None).await;
    stack
        .put("bench/5m.bin", (0..5_000_000u32).map(|i| i as u8).collect::<Vec<u8>>(), "application/octet-stream", None)
        .await;
    let public_id = create_distribution(&stack.cloudfront, None, HttpVersion::Http2and3).await;
    let restricted = start_edge_for(&stack, &stack.distribution_id, 256 << 20, false).await;
    let public = start_edge_for(&stack, &public_id, 256 << 20, false).await;
    assert_eq!(restricted.edge.distribution().key_ids.len(), 2, "both keys trusted");

    let hour = Duration::from_secs(3600);
    let path = |url: String| url[url.find("/bench").unwrap()..].to_owned();
    let lines = [
        ("checks off (no trusted key groups)", &public, "/bench/100k.jpg".to_owned()),
        ("RSA-2048 signed URL", &restricted, path(stack.sign(0, &restricted, "/bench/100k.jpg", hour))),
        ("ECDSA P-256 signed URL", &restricted, path(stack.sign(ecdsa, &restricted, "/bench/100k.jpg", hour))),
    ];
    for (_, edge, path) in &lines {
        let warm = edge.viewer.get(Protocol::Http2, path).await;
        assert_eq!(warm.status, 200, "{}", warm.reason());
        assert_eq!(edge.viewer.get(Protocol::Http2, path).await.header("x-cache"), "Hit from cloudfront");
    }
    let mut results: Vec<Vec<Measure>> = lines.iter().map(|_| Vec::new()).collect();
    for _ in 0..ROUNDS {
        for (i, (_, edge, path)) in lines.iter().enumerate() {
            results[i].push(requests_per_second(edge, path, seconds).await);
        }
    }
    println!(
        "cached 100 KB objects over HTTP/2, {CONNECTIONS} connections x {STREAMS_PER_CONNECTION} streams, {ROUNDS} rounds of {seconds:?}, rounds interleaved"
    );
    println!("{:<36} {:>10} {:>10} {:>9} {:>9} {:>9}", "configuration", "req/s", "vs off", "p50 ms", "p99 ms", "GB/s");
    let best = |measures: &[Measure]| measures.iter().map(Measure::per_second).fold(0.0, f64::max);
    let median = |measures: &[Measure]| {
        let mut rates: Vec<f64> = measures.iter().map(Measure::per_second).collect();
        rates.sort_by(f64::total_cmp);
        rates[rates.len() / 2]
    };
    let off = median(&results[0]);
    for ((name, _, _), measures) in lines.iter().zip(&mut results) {
        let rate = median(measures);
        let mut all = Measure {
            requests: 0,
            elapsed: Duration::ZERO,
            latencies: measures.iter().flat_map(|m| m.latencies.clone()).collect(),
        };
        println!(
            "{name:<36} {rate:>10.0} {:>10.3} {:>9.2} {:>9.2} {:>9.2}   (best round {:.0})",
            rate / off,
            all.percentile(0.50).as_secs_f64() * 1e3,
            all.percentile(0.99).as_secs_f64() * 1e3,
            rate * 100_000.0 / 1e9,
            best(measures),
        );
    }

    println!();
    println!("a cached 5 MB object, one connection (4 requests in flight on HTTP/2 and HTTP/3), {seconds:?} each");
    for protocol in [Protocol::Http1, Protocol::Http2, Protocol::Http3] {
        let rate = throughput(&public, protocol, seconds).await;
        println!("{:<10} {:>8.2} GB/s", format!("{protocol:?}"), rate / 1e9);
    }
}
