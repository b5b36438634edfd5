//! HTTP/3 over QUIC on the UDP port of the same number as the TCP one.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use h3::server::RequestResolver;
use http::Response;
use quinn::crypto::rustls::QuicServerConfig;

use crate::body::Body;
use crate::edge::{Edge, Protocol, Viewer};
use crate::error::{Error, Result};
use crate::tls::Certificates;

pub fn endpoint(socket: std::net::UdpSocket, certificates: &Certificates) -> Result<quinn::Endpoint> {
    let tls = certificates.server_config(&[b"h3"])?;
    let crypto = QuicServerConfig::try_from(tls).map_err(|e| Error::Tls(e.to_string()))?;
    let mut config = quinn::ServerConfig::with_crypto(Arc::new(crypto));
    let mut transport = quinn::TransportConfig::default();
    // Room for a browser's burst of image requests and for large objects in flight.
    transport.max_concurrent_bidi_streams(256u32.into());
    transport.stream_receive_window((8u32 << 20).into());
    transport.receive_window((32u32 << 20).into());
    transport.send_window(32 << 20);
    config.transport_config(Arc::new(transport));
    let runtime = Arc::new(quinn::TokioRuntime);
    quinn::Endpoint::new(quinn::EndpointConfig::default(), Some(config), socket, runtime)
        .map_err(|e| Error::Listen { address: "UDP".into(), source: e })
}

pub async fn serve(endpoint: quinn::Endpoint, edge: Arc<Edge>) {
    while let Some(incoming) = endpoint.accept().await {
        if !edge.offers_h3() {
            // The distribution's HttpVersion leaves HTTP/3 out.
            incoming.refuse();
            continue;
        }
        let address = incoming.remote_address();
        let edge = Arc::clone(&edge);
        tokio::spawn(async move {
            let Ok(connection) = incoming.await else { return };
            let Ok(mut h3) = h3::server::Connection::<_, Bytes>::new(h3_quinn::Connection::new(connection)).await
            else {
                return;
            };
            while let Ok(Some(resolver)) = h3.accept().await {
                tokio::spawn(request(resolver, Arc::clone(&edge), address));
            }
        });
    }
}

async fn request(resolver: RequestResolver<h3_quinn::Connection, Bytes>, edge: Arc<Edge>, address: SocketAddr) {
    let Ok((request, mut stream)) = resolver.resolve_request().await else { return };
    let response = edge.handle(request, Viewer { address, tls: true, protocol: Protocol::Http3 }).await;
    let (parts, body) = response.into_parts();
    if stream.send_response(Response::from_parts(parts, ())).await.is_err() {
        return;
    }
    match body {
        Body::Full(Some(bytes)) => {
            if stream.send_data(bytes).await.is_err() {
                return;
            }
        }
        Body::Full(None) => {}
        Body::Streaming(mut chunks) => {
            while let Some(chunk) = chunks.recv().await {
                let Ok(chunk) = chunk else { return };
                if stream.send_data(chunk).await.is_err() {
                    return;
                }
            }
        }
    }
    let _ = stream.finish().await;
}
