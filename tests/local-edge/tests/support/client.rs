//! A viewer for the edge's tests and benchmark: HTTP/1.1 and HTTP/2 over TLS
//! (hyper), HTTP/3 over QUIC (quinn and h3), and raw bytes for what no
//! well-behaved client sends.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use bytes::{Buf, Bytes, BytesMut};
use http::{HeaderMap, Request};
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

pub use local_edge::Protocol;

#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The protocol ALPN settled on (HTTP/1.1 or HTTP/2; HTTP/3 for QUIC).
    pub protocol: Protocol,
}

impl Answer {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// The `<Code>` of CloudFront's (or S3's) XML error body.
    pub fn code(&self) -> &str {
        let text = std::str::from_utf8(&self.body).unwrap_or("");
        text.split_once("<Code>").and_then(|(_, rest)| rest.split_once("</Code>")).map_or("", |(code, _)| code)
    }

    pub fn reason(&self) -> &str {
        self.header("x-cfsign-reason")
    }

    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap_or("<binary>")
    }
}

/// The edge's address and the CA to trust.
#[derive(Clone)]
pub struct Viewer {
    pub port: u16,
    ca: CertificateDer<'static>,
}

type Empty0 = Empty<Bytes>;

pub enum Connection {
    Tcp { sender: hyper::client::conn::http1::SendRequest<Empty0>, protocol: Protocol },
    Tcp2 { sender: hyper::client::conn::http2::SendRequest<Empty0> },
    Quic { sender: h3::client::SendRequest<h3_quinn::OpenStreams, Bytes>, _endpoint: quinn::Endpoint },
}

impl Viewer {
    pub fn new(port: u16, ca: CertificateDer<'static>) -> Self {
        Self { port, ca }
    }

    pub fn address(&self) -> SocketAddr {
        (Ipv4Addr::LOCALHOST, self.port).into()
    }

    /// `https://localhost:PORT`, the host the edge's URLs are signed for.
    pub fn origin(&self) -> String {
        format!("https://localhost:{}", self.port)
    }

    fn tls(&self, alpn: &[&[u8]]) -> rustls::ClientConfig {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.ca.clone()).expect("the edge's CA");
        let mut config = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        config
    }

    async fn tls_stream(&self, alpn: &[&[u8]]) -> std::io::Result<tokio_rustls::client::TlsStream<TcpStream>> {
        let tcp = TcpStream::connect(self.address()).await?;
        tcp.set_nodelay(true)?;
        let connector = TlsConnector::from(Arc::new(self.tls(alpn)));
        connector.connect(ServerName::try_from("localhost").expect("a name"), tcp).await
    }

    /// A connection speaking `protocol`; HTTP/2 is offered with HTTP/1.1 as ALPN
    /// does, and falls back when the edge does not offer it.
    pub async fn connect(&self, protocol: Protocol) -> Connection {
        match protocol {
            Protocol::Http1 | Protocol::Http2 => {
                let alpn: &[&[u8]] = if protocol == Protocol::Http2 { &[b"h2", b"http/1.1"] } else { &[b"http/1.1"] };
                let stream = self.tls_stream(alpn).await.expect("TLS to the edge");
                if stream.get_ref().1.alpn_protocol() == Some(b"h2") {
                    let (sender, connection) = hyper::client::conn::http2::Builder::new(TokioExecutor::new())
                        .initial_stream_window_size(8 << 20)
                        .initial_connection_window_size(32 << 20)
                        .max_frame_size(1 << 20)
                        .handshake(TokioIo::new(stream))
                        .await
                        .expect("HTTP/2 handshake");
                    tokio::spawn(connection);
                    Connection::Tcp2 { sender }
                } else {
                    let (sender, connection) =
                        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.expect("HTTP/1.1 handshake");
                    tokio::spawn(connection);
                    Connection::Tcp { sender, protocol: Protocol::Http1 }
                }
            }
            Protocol::Http3 => self.connect_quic().await.expect("an HTTP/3 connection"),
        }
    }

    /// An HTTP/3 connection, or why the edge would not have one.
    pub async fn connect_quic(&self) -> Result<Connection, String> {
        let crypto = quinn::crypto::rustls::QuicClientConfig::try_from(self.tls(&[b"h3"])).expect("QUIC TLS");
        let mut config = quinn::ClientConfig::new(Arc::new(crypto));
        let mut transport = quinn::TransportConfig::default();
        transport.stream_receive_window((8u32 << 20).into());
        transport.receive_window((32u32 << 20).into());
        config.transport_config(Arc::new(transport));
        let mut endpoint = quinn::Endpoint::client((Ipv4Addr::LOCALHOST, 0).into()).expect("a UDP socket");
        endpoint.set_default_client_config(config);
        let connecting = endpoint.connect(self.address(), "localhost").map_err(|e| e.to_string())?;
        let quic = connecting.await.map_err(|e| e.to_string())?;
        let (mut driver, sender) = h3::client::new(h3_quinn::Connection::new(quic)).await.map_err(|e| e.to_string())?;
        tokio::spawn(async move { driver.wait_idle().await });
        Ok(Connection::Quic { sender, _endpoint: endpoint })
    }

    /// A GET of `path_and_query` on a fresh connection, for the host the URLs are signed for.
    pub async fn get(&self, protocol: Protocol, path_and_query: &str) -> Answer {
        self.send(protocol, self.request(path_and_query)).await
    }

    pub fn request(&self, path_and_query: &str) -> http::request::Builder {
        Request::get(format!("{}{path_and_query}", self.origin()))
    }

    pub async fn send(&self, protocol: Protocol, request: http::request::Builder) -> Answer {
        let mut connection = self.connect(protocol).await;
        connection.send(request.body(()).expect("a request")).await
    }

    /// `bytes` as they are over plain TCP; what comes back until the edge closes.
    pub async fn plain(&self, bytes: &[u8]) -> String {
        let mut tcp = TcpStream::connect(self.address()).await.expect("TCP to the edge");
        tcp.write_all(bytes).await.expect("writing");
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), tcp.read_to_end(&mut answer)).await;
        String::from_utf8_lossy(&answer).into_owned()
    }

    /// `bytes` as they are over TLS (HTTP/1.1); the first response head and body read back.
    pub async fn raw_tls(&self, bytes: &[u8]) -> String {
        let mut stream = self.tls_stream(&[b"http/1.1"]).await.expect("TLS to the edge");
        stream.write_all(bytes).await.expect("writing");
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
        String::from_utf8_lossy(&answer).into_owned()
    }
}

impl Connection {
    /// Another handle on the same multiplexed connection (HTTP/2 and HTTP/3);
    /// none for HTTP/1.1, which carries one request at a time.
    pub fn share(&self) -> Option<Connection> {
        match self {
            Connection::Tcp { .. } => None,
            Connection::Tcp2 { sender } => Some(Connection::Tcp2 { sender: sender.clone() }),
            Connection::Quic { sender, _endpoint } => {
                Some(Connection::Quic { sender: sender.clone(), _endpoint: _endpoint.clone() })
            }
        }
    }

    pub fn protocol(&self) -> Protocol {
        match self {
            Connection::Tcp { protocol, .. } => *protocol,
            Connection::Tcp2 { .. } => Protocol::Http2,
            Connection::Quic { .. } => Protocol::Http3,
        }
    }

    pub async fn send(&mut self, request: Request<()>) -> Answer {
        let protocol = self.protocol();
        match self {
            Connection::Tcp { sender, .. } => {
                // HTTP/1.1 names the host in a header and the path alone on the request line.
                let (mut parts, ()) = request.into_parts();
                if let Some(authority) = parts.uri.authority().cloned() {
                    parts.headers.entry(http::header::HOST).or_insert(authority.as_str().parse().expect("a host"));
                    parts.uri = parts.uri.path_and_query().map_or("/", |p| p.as_str()).parse().expect("a path");
                }
                sender.ready().await.expect("the connection is ready");
                let response = sender.send_request(Request::from_parts(parts, Empty::new())).await.expect("a response");
                collect(response, protocol).await
            }
            Connection::Tcp2 { sender } => {
                sender.ready().await.expect("the connection is ready");
                let (parts, ()) = request.into_parts();
                let response = sender.send_request(Request::from_parts(parts, Empty::new())).await.expect("a response");
                collect(response, protocol).await
            }
            Connection::Quic { sender, .. } => {
                let mut stream = sender.send_request(request).await.expect("an HTTP/3 request");
                stream.finish().await.expect("the request sent");
                let response = stream.recv_response().await.expect("an HTTP/3 response");
                let mut body = BytesMut::new();
                while let Some(mut chunk) = stream.recv_data().await.expect("the HTTP/3 body") {
                    body.extend_from_slice(&chunk.copy_to_bytes(chunk.remaining()));
                }
                let (parts, ()) = response.into_parts();
                Answer { status: parts.status.as_u16(), headers: parts.headers, body: body.freeze(), protocol }
            }
        }
    }

    /// Like [`Self::send`] but counts the body's bytes without keeping them (for the benchmark).
    pub async fn send_counting(&mut self, request: Request<()>) -> usize {
        match self {
            Connection::Quic { sender, .. } => {
                let mut stream = sender.send_request(request).await.expect("an HTTP/3 request");
                stream.finish().await.expect("the request sent");
                stream.recv_response().await.expect("an HTTP/3 response");
                let mut total = 0;
                while let Some(chunk) = stream.recv_data().await.expect("the HTTP/3 body") {
                    total += chunk.remaining();
                }
                total
            }
            _ => self.send(request).await.body.len(),
        }
    }
}

async fn collect(response: http::Response<hyper::body::Incoming>, protocol: Protocol) -> Answer {
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("the body").to_bytes();
    Answer { status: parts.status.as_u16(), headers: parts.headers, body, protocol }
}
