//! `cfsign speed`: signatures per second on one core, like `openssl speed`.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use cfsign::{Backend, Epoch, HashAlgorithm, KeyAlgorithm, Policy, PrivateKey};

use crate::cli::SpeedArgs;
use crate::{Failure, print_lines};

pub fn run(args: SpeedArgs) -> Result<ExitCode, Failure> {
    let algorithms = args.algorithm.map_or(KeyAlgorithm::ALL.to_vec(), |a| vec![a]);
    let hashes = args.hash_algorithm.map_or(HashAlgorithm::ALL.to_vec(), |h| vec![h]);
    let backends = match args.backend {
        Some(backend) if !backend.is_compiled() => {
            return Err(Failure(cfsign::Error::BackendUnavailable(backend.name()).to_string()));
        }
        Some(backend) => vec![backend],
        None => Backend::compiled(),
    };
    // What is signed in practice: a canned policy for a typical URL.
    let message = Policy::canned(
        "https://d111111abcdef8.cloudfront.net/images/2026/photo-0001.jpg",
        Epoch::from_secs(1_767_225_600)?,
    )
    .to_json();
    let duration = Duration::from_secs(args.seconds);
    for algorithm in algorithms {
        for backend in &backends {
            let key = PrivateKey::generate(algorithm, *backend)?;
            for hash in &hashes {
                let rate = signs_per_second(&key, *hash, message.as_bytes(), duration)?;
                print_lines([format!("{algorithm} {hash} {backend} {rate:.0}")])?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn signs_per_second(key: &PrivateKey, hash: HashAlgorithm, message: &[u8], duration: Duration) -> Result<f64, Failure> {
    let start = Instant::now();
    let mut count = 0u64;
    while start.elapsed() < duration {
        std::hint::black_box(key.sign(hash, std::hint::black_box(message))?);
        count += 1;
    }
    Ok(count as f64 / start.elapsed().as_secs_f64())
}
