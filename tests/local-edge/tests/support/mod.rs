//! The edge's tests run it in-process against a local AWS: a bucket with
//! objects, a distribution trusting a key group, and a clock the test moves.

#![allow(dead_code)] // each test binary uses a part of this

pub mod client;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use aws_config::SdkConfig;
use aws_sdk_cloudfront::types::{
    DefaultCacheBehavior, DistributionConfig, HttpVersion, InvalidationBatch, KeyGroupConfig, Origin, Origins, Paths,
    PublicKeyConfig, S3OriginConfig, TrustedKeyGroups, ViewerProtocolPolicy,
};
use cfsign::{Clock, Conditions, Epoch, KeyAlgorithm, PrivateKey, Signer};
use local_edge::cache::Cache;
use local_edge::edge::{Edge, EdgeOptions};
use local_edge::server;
use local_edge::tls::Certificates;
use tokio::task::JoinHandle;

#[allow(unused_imports)]
pub use client::{Answer, Protocol, Viewer};

pub const BUCKET: &str = "edge-origin";
pub const PROTOCOLS: [Protocol; 3] = [Protocol::Http1, Protocol::Http2, Protocol::Http3];

/// A clock the test sets; it starts at the real time, so signatures made for
/// "now plus a minute" are valid until the test moves it.
#[derive(Clone)]
pub struct ManualClock(Arc<Mutex<SystemTime>>);

impl ManualClock {
    pub fn new() -> Self {
        Self(Arc::new(Mutex::new(SystemTime::now())))
    }

    pub fn set(&self, at: SystemTime) {
        *self.0.lock().unwrap() = at;
    }

    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }

    pub fn epoch(&self) -> Epoch {
        Epoch::from_system_time(self.now()).unwrap()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

/// The local AWS as the stack leaves it: a bucket, a key group of one key, and
/// a distribution whose default behaviour trusts the group.
pub struct Stack {
    pub aws: local_aws::Session,
    pub sdk: SdkConfig,
    pub s3: aws_sdk_s3::Client,
    pub cloudfront: aws_sdk_cloudfront::Client,
    pub distribution_id: String,
    pub key_group_id: String,
    /// The key group's members: (public key id, private key).
    pub keys: Vec<(String, Arc<PrivateKey>)>,
}

impl Stack {
    pub async fn new(algorithm: KeyAlgorithm) -> Self {
        Self::with_http_version(algorithm, HttpVersion::Http2and3).await
    }

    pub async fn with_http_version(algorithm: KeyAlgorithm, http_version: HttpVersion) -> Self {
        let aws = local_aws::session();
        let sdk = aws.sdk_config().await;
        let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&sdk).force_path_style(true).build());
        let cloudfront = aws_sdk_cloudfront::Client::new(&sdk);
        s3.create_bucket().bucket(BUCKET).send().await.unwrap();
        let (key_id, key) = create_public_key(&cloudfront, algorithm, "first").await;
        let group = KeyGroupConfig::builder().name("edge-signers").items(&key_id).build().unwrap();
        let key_group_id =
            cloudfront.create_key_group().key_group_config(group).send().await.unwrap().key_group.unwrap().id;
        let distribution_id = create_distribution(&cloudfront, Some(&key_group_id), http_version).await;
        Self { aws, sdk, s3, cloudfront, distribution_id, key_group_id, keys: vec![(key_id, Arc::new(key))] }
    }

    pub async fn put(&self, key: &str, body: impl Into<Vec<u8>>, content_type: &str, cache_control: Option<&str>) {
        self.s3
            .put_object()
            .bucket(BUCKET)
            .key(key)
            .body(body.into().into())
            .content_type(content_type)
            .set_cache_control(cache_control.map(Into::into))
            .send()
            .await
            .unwrap();
    }

    pub fn signer(&self, index: usize) -> Signer {
        let (id, key) = &self.keys[index];
        let key = PrivateKey::from_pem(&key.to_pkcs8_pem().unwrap()).unwrap();
        Signer::new(id.clone(), key).unwrap()
    }

    /// A key made and added to the group, as a rotation adds one.
    pub async fn add_key(&mut self, algorithm: KeyAlgorithm) -> usize {
        let (key_id, key) = create_public_key(&self.cloudfront, algorithm, &format!("k{}", self.keys.len())).await;
        self.keys.push((key_id, Arc::new(key)));
        self.write_group().await;
        self.keys.len() - 1
    }

    /// A key out of the group, as a revoke removes one.
    pub async fn remove_key(&mut self, index: usize) {
        self.keys.remove(index);
        self.write_group().await;
    }

    async fn write_group(&self) {
        let current = self.cloudfront.get_key_group().id(&self.key_group_id).send().await.unwrap();
        let items: Vec<String> = self.keys.iter().map(|(id, _)| id.clone()).collect();
        let config = KeyGroupConfig::builder().name("edge-signers").set_items(Some(items)).build().unwrap();
        self.cloudfront
            .update_key_group()
            .id(&self.key_group_id)
            .if_match(current.e_tag.unwrap())
            .key_group_config(config)
            .send()
            .await
            .unwrap();
    }

    /// TrustedKeyGroups on (this stack's group) or off, through UpdateDistribution.
    pub async fn trust_key_group(&self, trusted: bool) {
        let current = self.cloudfront.get_distribution_config().id(&self.distribution_id).send().await.unwrap();
        let mut config = current.distribution_config.unwrap();
        let groups = if trusted {
            TrustedKeyGroups::builder().enabled(true).quantity(1).items(&self.key_group_id).build()
        } else {
            TrustedKeyGroups::builder().enabled(false).quantity(0).build()
        };
        if let Some(behaviour) = config.default_cache_behavior.as_mut() {
            behaviour.trusted_key_groups = Some(groups.unwrap());
        }
        self.cloudfront
            .update_distribution()
            .id(&self.distribution_id)
            .if_match(current.e_tag.unwrap())
            .distribution_config(config)
            .send()
            .await
            .unwrap();
    }

    pub async fn invalidate(&self, paths: &[&str]) -> String {
        let items: Vec<String> = paths.iter().map(|p| (*p).to_owned()).collect();
        let batch = InvalidationBatch::builder()
            .caller_reference(format!("test-{}", fastrand::u64(..)))
            .paths(Paths::builder().quantity(items.len() as i32).set_items(Some(items)).build().unwrap())
            .build()
            .unwrap();
        let answer = self
            .cloudfront
            .create_invalidation()
            .distribution_id(&self.distribution_id)
            .invalidation_batch(batch)
            .send()
            .await;
        answer.unwrap().invalidation.unwrap().id
    }

    /// `https://localhost:PORT/path` signed by key `index`, valid for `lifetime` of `clock`.
    pub fn sign(&self, index: usize, edge: &RunningEdge, path: &str, lifetime: Duration) -> String {
        let url = format!("{}{path}", edge.viewer.origin());
        let conditions = Conditions::expires_at(edge.clock.epoch().plus(lifetime).unwrap());
        self.signer(index).sign_url(&url, &conditions).unwrap()
    }
}

async fn create_public_key(
    cloudfront: &aws_sdk_cloudfront::Client,
    algorithm: KeyAlgorithm,
    name: &str,
) -> (String, PrivateKey) {
    let key = PrivateKey::generate(algorithm, cfsign::Backend::default()).unwrap();
    let config = PublicKeyConfig::builder()
        .caller_reference(format!("{name}-{}", fastrand::u64(..)))
        .name(format!("{name}-{}", fastrand::u32(..)))
        .encoded_key(key.public_key().unwrap().to_pem())
        .build()
        .unwrap();
    let answer = cloudfront.create_public_key().public_key_config(config).send().await.unwrap();
    (answer.public_key.unwrap().id, key)
}

pub async fn create_distribution(
    cloudfront: &aws_sdk_cloudfront::Client,
    key_group_id: Option<&str>,
    http_version: HttpVersion,
) -> String {
    let origin = Origin::builder()
        .id("assets")
        .domain_name(format!("{BUCKET}.s3.us-east-1.amazonaws.com"))
        .s3_origin_config(S3OriginConfig::builder().origin_access_identity("").build())
        .build()
        .unwrap();
    let groups = match key_group_id {
        Some(id) => TrustedKeyGroups::builder().enabled(true).quantity(1).items(id).build(),
        None => TrustedKeyGroups::builder().enabled(false).quantity(0).build(),
    };
    let behaviour = DefaultCacheBehavior::builder()
        .target_origin_id("assets")
        .viewer_protocol_policy(ViewerProtocolPolicy::HttpsOnly)
        .trusted_key_groups(groups.unwrap())
        .cache_policy_id("658327ea-f89d-4fab-a63d-7e88639e58f6")
        .build()
        .unwrap();
    let config = DistributionConfig::builder()
        .caller_reference(format!("edge-test-{}", fastrand::u64(..)))
        .comment("")
        .enabled(true)
        .http_version(http_version)
        .origins(Origins::builder().quantity(1).items(origin).build().unwrap())
        .default_cache_behavior(behaviour)
        .build()
        .unwrap();
    cloudfront.create_distribution().distribution_config(config).send().await.unwrap().distribution.unwrap().id
}

/// The edge serving on loopback, stopped when dropped.
pub struct RunningEdge {
    pub viewer: Viewer,
    pub clock: ManualClock,
    pub edge: Arc<Edge>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for RunningEdge {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

pub fn certificates() -> Certificates {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    // One CA for every test process: made once under the target directory.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("local-edge-ca");
    static MADE: Mutex<()> = Mutex::new(());
    let _made = MADE.lock().unwrap();
    Certificates::load_or_create(&dir).unwrap()
}

pub async fn start_edge(stack: &Stack) -> RunningEdge {
    start_edge_with(stack, 64 << 20, false).await
}

pub async fn start_edge_with(stack: &Stack, cache_bytes: usize, list_bucket: bool) -> RunningEdge {
    start_edge_for(stack, &stack.distribution_id, cache_bytes, list_bucket).await
}

/// The edge of another distribution of the stack's local AWS.
pub async fn start_edge_for(
    stack: &Stack,
    distribution_id: &str,
    cache_bytes: usize,
    list_bucket: bool,
) -> RunningEdge {
    let certificates = certificates();
    let sockets = server::bind(0).unwrap();
    let port = sockets.0.local_addr().unwrap().port();
    let clock = ManualClock::new();
    let options = EdgeOptions { list_bucket, h3_port: Some(port) };
    let cache = Arc::new(Cache::new(cache_bytes));
    let (edge, mut tasks) =
        server::follow(&stack.sdk, distribution_id, cache, Arc::new(clock.clone()), options).await.unwrap();
    let edge = Arc::new(edge);
    let (_, served) = server::serve(Arc::clone(&edge), &certificates, sockets).unwrap();
    tasks.extend(served);
    RunningEdge { viewer: Viewer::new(port, certificates.ca_der.clone()), clock, edge, tasks }
}

/// The edge serving a distribution given whole, not read from the control
/// plane: for keys whose ids the local CloudFront cannot assign (peer fixtures).
pub fn start_fixed_edge(stack: &Stack, distribution: local_edge::distribution::Distribution) -> RunningEdge {
    let certificates = certificates();
    let sockets = server::bind(0).unwrap();
    let port = sockets.0.local_addr().unwrap().port();
    let clock = ManualClock::new();
    let s3 =
        aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&stack.sdk).force_path_style(true).build());
    let (_published, distribution) = tokio::sync::watch::channel(Arc::new(distribution));
    let options = EdgeOptions { list_bucket: false, h3_port: Some(port) };
    let origin = local_edge::origin::S3Origin::new(s3);
    let edge =
        Arc::new(Edge::new(distribution, origin, Arc::new(Cache::new(64 << 20)), Arc::new(clock.clone()), options));
    let (_, tasks) = server::serve(Arc::clone(&edge), &certificates, sockets).unwrap();
    RunningEdge { viewer: Viewer::new(port, certificates.ca_der.clone()), clock, edge, tasks }
}

/// Waits until `condition` holds, for at most `limit`: a change made through
/// the API shows within the edge's 2 s, whatever the machine's load; the limit
/// only bounds a test that would otherwise hang.
pub async fn eventually<F, Fut>(limit: Duration, mut condition: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !condition().await {
        assert!(start.elapsed() < limit, "the condition did not hold within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    start.elapsed()
}
