//! HTTPS over TCP (HTTP/2 and HTTP/1.1, chosen by ALPN) and, on the same port,
//! plain HTTP, told apart by the first byte: a TLS handshake starts with 0x16.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http::Request;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

use crate::edge::{Edge, Protocol, Viewer};

/// A client that has not finished its handshake or its request headers by then
/// is dropped, so slow clients cannot hold connections open.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
const TLS_RECORD_HANDSHAKE: u8 = 0x16;

/// The two TLS configurations: ALPN with h2, for a distribution offering HTTP/2, and without.
#[derive(Clone)]
pub struct TlsAcceptors {
    pub with_h2: TlsAcceptor,
    pub http1_only: TlsAcceptor,
}

pub async fn serve(listener: TcpListener, edge: Arc<Edge>, tls: TlsAcceptors) {
    loop {
        match listener.accept().await {
            Ok((stream, address)) => {
                tokio::spawn(connection(stream, address, Arc::clone(&edge), tls.clone()));
            }
            // Out of file descriptors, mostly: wait rather than spin.
            Err(e) => {
                tracing::warn!("accepting a connection: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

async fn connection(stream: TcpStream, address: SocketAddr, edge: Arc<Edge>, tls: TlsAcceptors) {
    let _ = stream.set_nodelay(true);
    let mut first = [0u8; 1];
    if !matches!(tokio::time::timeout(HANDSHAKE_TIMEOUT, stream.peek(&mut first)).await, Ok(Ok(1))) {
        return;
    }
    if first[0] != TLS_RECORD_HANDSHAKE {
        let viewer = Viewer { address, tls: false, protocol: Protocol::Http1 };
        return http(TokioIo::new(stream), viewer, edge).await;
    }
    let acceptor = if edge.offers_h2() { tls.with_h2 } else { tls.http1_only };
    let Ok(Ok(stream)) = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await else {
        return;
    };
    let protocol = if stream.get_ref().1.alpn_protocol() == Some(b"h2") { Protocol::Http2 } else { Protocol::Http1 };
    http(TokioIo::new(stream), Viewer { address, tls: true, protocol }, edge).await
}

async fn http<I>(io: TokioIo<I>, viewer: Viewer, edge: Arc<Edge>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |request: Request<Incoming>| {
        let edge = Arc::clone(&edge);
        async move {
            // GET and HEAD carry no body worth reading; any other method is refused.
            let (parts, _body) = request.into_parts();
            Ok::<_, Infallible>(edge.handle(Request::from_parts(parts, ()), viewer).await)
        }
    });
    let served = match viewer.protocol {
        Protocol::Http2 => {
            hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                .timer(TokioTimer::new())
                // Large windows and frames: cached objects leave at memory speed.
                .initial_stream_window_size(8 << 20)
                .initial_connection_window_size(32 << 20)
                .max_frame_size(1 << 20)
                .max_send_buf_size(4 << 20)
                .max_header_list_size(64 << 10)
                .max_concurrent_streams(256)
                .serve_connection(io, service)
                .await
        }
        _ => {
            hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HANDSHAKE_TIMEOUT)
                // Above CloudFront's 20,480 bytes, so the edge itself answers
                // an over-long request with CloudFront's 413.
                .max_buf_size(64 << 10)
                .max_headers(1000)
                .serve_connection(io, service)
                .await
        }
    };
    if let Err(e) = served {
        tracing::debug!(peer = %viewer.address, "connection ended: {e}");
    }
}
