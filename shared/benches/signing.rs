//! Signing and verification cost per key type, hash and backend.
//! Run: cargo bench -p cfsign --all-features --bench signing

use cfsign::{Backend, Conditions, Epoch, HashAlgorithm, KeyAlgorithm, PrivateKey, RequestContext, Signer, Verifier};
use criterion::{Criterion, criterion_group, criterion_main};

const URL: &str = "https://d111111abcdef8.cloudfront.net/images/2026/photo-0001.jpg";

fn signing(c: &mut Criterion) {
    let conditions = Conditions::expires_at(Epoch::from_secs(1_767_225_600).unwrap());
    let request = RequestContext { at: Epoch::from_secs(1_767_225_000).unwrap(), client_ip: None };
    for algorithm in KeyAlgorithm::ALL {
        let pkcs8 = PrivateKey::generate(algorithm, Backend::default()).unwrap().to_pkcs8_pem().unwrap();
        for backend in Backend::compiled() {
            for hash in HashAlgorithm::ALL {
                let key = PrivateKey::from_bytes_with(pkcs8.as_bytes(), backend).unwrap();
                let verifier = Verifier::new().with_key("KBENCH", key.public_key().unwrap());
                let signer = Signer::new("KBENCH", key).unwrap().with_hash_algorithm(hash);
                let signed = signer.sign_url(URL, &conditions).unwrap();

                let mut group = c.benchmark_group(format!("{algorithm}/{hash}/{backend}"));
                group.bench_function("sign_url", |b| b.iter(|| signer.sign_url(URL, &conditions).unwrap()));
                group.bench_function("verify_url", |b| b.iter(|| verifier.verify_url(&signed, &request).unwrap()));
                group.finish();
            }
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(2));
    targets = signing
}
criterion_main!(benches);
