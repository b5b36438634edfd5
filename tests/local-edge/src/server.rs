//! Binding the edge's port (TCP and UDP, one number) and serving on it.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use aws_config::SdkConfig;
use cfsign::Clock;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::cache::Cache;
use crate::control_plane::{DistributionReader, InvalidationFollower, follow_distribution};
use crate::edge::{Edge, EdgeOptions};
use crate::error::{Error, Result};
use crate::origin::S3Origin;
use crate::tls::Certificates;
use crate::{quic, tcp};

/// How many ports to try when asked for any free one: a TCP port whose UDP twin is taken is given up.
const PORT_ATTEMPTS: usize = 20;

/// The edge of `distribution_id` as the local AWS describes it, with its
/// configuration and invalidations followed in the background.
pub async fn follow(
    sdk: &SdkConfig,
    distribution_id: &str,
    cache: Arc<Cache>,
    clock: Arc<dyn Clock>,
    options: EdgeOptions,
) -> Result<(Edge, Vec<JoinHandle<()>>)> {
    let cloudfront = aws_sdk_cloudfront::Client::new(sdk);
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(sdk).force_path_style(true).build());
    let mut reader = DistributionReader::new(cloudfront.clone(), distribution_id);
    let first = reader.read().await?;
    tracing::info!(distribution = distribution_id, bucket = %first.bucket, keys = ?first.key_ids, "distribution read");
    let (published, distribution) = watch::channel(Arc::new(first));
    let invalidations = InvalidationFollower::start(cloudfront, distribution_id, sdk.endpoint_url()).await?;
    let tasks = vec![
        tokio::spawn(follow_distribution(reader, published)),
        tokio::spawn(invalidations.follow(Arc::clone(&cache))),
    ];
    Ok((Edge::new(distribution, S3Origin::new(s3), cache, clock, options), tasks))
}

/// A TCP listener and a UDP socket on the same loopback port (`0`: any free one).
pub fn bind(port: u16) -> Result<(std::net::TcpListener, std::net::UdpSocket)> {
    let attempts = if port == 0 { PORT_ATTEMPTS } else { 1 };
    let mut last = None;
    for _ in 0..attempts {
        let listen = |e| Error::Listen { address: format!("127.0.0.1:{port}"), source: e };
        let tcp = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)).map_err(listen)?;
        let bound = tcp.local_addr().map_err(listen)?;
        match std::net::UdpSocket::bind(bound) {
            Ok(udp) => return Ok((tcp, udp)),
            Err(e) => last = Some(Error::Listen { address: format!("UDP {bound}"), source: e }),
        }
    }
    Err(last.expect("at least one attempt"))
}

/// Serves `edge` on the bound sockets until the tasks are dropped or aborted.
pub fn serve(
    edge: Arc<Edge>,
    certificates: &Certificates,
    sockets: (std::net::TcpListener, std::net::UdpSocket),
) -> Result<(SocketAddr, Vec<JoinHandle<()>>)> {
    let (tcp, udp) = sockets;
    let address = tcp.local_addr().map_err(|e| Error::Listen { address: "TCP".into(), source: e })?;
    tcp.set_nonblocking(true).map_err(|e| Error::Listen { address: address.to_string(), source: e })?;
    let listener = TcpListener::from_std(tcp).map_err(|e| Error::Listen { address: address.to_string(), source: e })?;
    let acceptors = tcp::TlsAcceptors {
        with_h2: TlsAcceptor::from(Arc::new(certificates.server_config(&[b"h2", b"http/1.1"])?)),
        http1_only: TlsAcceptor::from(Arc::new(certificates.server_config(&[b"http/1.1"])?)),
    };
    let endpoint = quic::endpoint(udp, certificates)?;
    let tasks = vec![
        tokio::spawn(tcp::serve(listener, Arc::clone(&edge), acceptors)),
        tokio::spawn(quic::serve(endpoint, edge)),
    ];
    Ok((address, tasks))
}
