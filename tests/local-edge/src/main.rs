//! `local-edge`: the local CloudFront edge of one distribution of the local AWS.
//! Prints `EDGE_URL=...` and `EDGE_CA_FILE=...` on stdout once it serves.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use local_edge::cache::Cache;
use local_edge::edge::EdgeOptions;
use local_edge::server;
use local_edge::tls::Certificates;

/// A local CloudFront edge: the distribution's viewer side, over HTTPS with
/// HTTP/1.1, HTTP/2 and HTTP/3, following the distribution through the
/// CloudFront API of AWS_ENDPOINT_URL.
#[derive(Parser)]
#[command(version)]
struct Settings {
    /// The distribution to serve, by id.
    #[arg(long)]
    distribution_id: String,
    /// The loopback port for TCP and UDP both; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Where the local CA is kept (ca.pem, ca.key), created on first use.
    #[arg(long)]
    certificates: PathBuf,
    /// The cache's size for object bodies, in MiB; objects over an eighth of it stream uncached.
    #[arg(long, default_value_t = 512)]
    cache_mib: usize,
    /// The edge may list the bucket (s3:ListBucket): a missing object is 404, not 403.
    #[arg(long)]
    list_bucket: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LOCAL_EDGE_LOG").unwrap_or_else(|_| "local_edge=info".into()),
        )
        .init();
    let settings = Settings::parse();
    match run(settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(settings: Settings) -> local_edge::Result<()> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let certificates = Certificates::load_or_create(&settings.certificates)?;
    let sockets = server::bind(settings.port)?;
    let port =
        sockets.0.local_addr().map_err(|e| local_edge::Error::Listen { address: "TCP".into(), source: e })?.port();
    let sdk = aws_config::load_from_env().await;
    let cache = Arc::new(Cache::new(settings.cache_mib << 20));
    let options = EdgeOptions { list_bucket: settings.list_bucket, h3_port: Some(port) };
    let (edge, _followers) =
        server::follow(&sdk, &settings.distribution_id, cache, Arc::new(cfsign::SystemClock), options).await?;
    let (_address, _servers) = server::serve(Arc::new(edge), &certificates, sockets)?;
    println!("EDGE_URL=https://localhost:{port}");
    println!("EDGE_CA_FILE={}", certificates.ca_file.display());
    let _ = tokio::signal::ctrl_c().await;
    Ok(())
}
