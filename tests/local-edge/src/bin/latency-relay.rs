//! A latency relay for the browser benchmark (tests/bench-browser): every TCP
//! chunk and every UDP datagram is held for half the round-trip time in each
//! direction, in order, between a listening address and a target. These
//! machines' kernel lacks netem, so the delay is added here, per chunk and per
//! datagram, for TCP and QUIC alike; a browser's own throttling delays whole
//! requests and leaves connection set-up out. Written in Rust because a relay
//! in Python spent more time per QUIC datagram than the delay it added.
//!
//! `latency-relay --listen 127.0.0.2 --target 127.0.0.1 --rtt-ms 50 --tcp 443,8443 --udp 443`
//! prints `ready` once every port listens, and runs until killed.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio::time::{Instant, sleep, sleep_until};

#[derive(Parser)]
#[command(about = "Relays TCP and UDP ports, adding a round-trip time")]
struct Args {
    /// The address to listen on, at each port.
    #[arg(long)]
    listen: IpAddr,
    /// The address to relay to, at the same port.
    #[arg(long)]
    target: IpAddr,
    /// The round-trip time to add, in milliseconds (half each way).
    #[arg(long)]
    rtt_ms: u64,
    /// TCP ports to relay.
    #[arg(long, value_delimiter = ',')]
    tcp: Vec<u16>,
    /// UDP ports to relay.
    #[arg(long, value_delimiter = ',')]
    udp: Vec<u16>,
}

/// What one direction holds: each chunk with the instant it may leave.
type Delayed = (Instant, Vec<u8>);

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let one_way = Duration::from_millis(args.rtt_ms) / 2;
    for port in args.tcp {
        let listener = TcpListener::bind((args.listen, port)).await?;
        tokio::spawn(relay_tcp(listener, SocketAddr::new(args.target, port), one_way));
    }
    for port in args.udp {
        let front = Arc::new(UdpSocket::bind((args.listen, port)).await?);
        tokio::spawn(relay_udp(front, SocketAddr::new(args.target, port), one_way));
    }
    println!("ready");
    std::future::pending::<()>().await;
    Ok(())
}

async fn relay_tcp(listener: TcpListener, target: SocketAddr, one_way: Duration) {
    loop {
        let Ok((client, _)) = listener.accept().await else { continue };
        tokio::spawn(async move {
            // The kernel completed the client's handshake at once; over a
            // network it takes a round trip before the client may send.
            sleep(one_way * 2).await;
            let Ok(upstream) = TcpStream::connect(target).await else { return };
            let _ = (client.set_nodelay(true), upstream.set_nodelay(true));
            let (client_read, client_write) = client.into_split();
            let (upstream_read, upstream_write) = upstream.into_split();
            tokio::join!(
                delayed_copy(client_read, upstream_write, one_way),
                delayed_copy(upstream_read, client_write, one_way)
            );
        });
    }
}

/// Copies `from` to `to`, each chunk `one_way` after it arrived; the end of
/// `from` reaches `to` as a shutdown, after the chunks before it.
async fn delayed_copy(mut from: impl AsyncRead + Unpin, mut to: impl AsyncWrite + Unpin, one_way: Duration) {
    let (queue, mut held) = unbounded_channel::<Delayed>();
    let receive = async move {
        let mut buffer = vec![0; 256 * 1024];
        while let Ok(read @ 1..) = from.read(&mut buffer).await {
            if queue.send((Instant::now() + one_way, buffer[..read].to_vec())).is_err() {
                break;
            }
        }
    };
    let send = async move {
        while let Some((due, chunk)) = held.recv().await {
            sleep_until(due).await;
            if to.write_all(&chunk).await.is_err() {
                return;
            }
        }
        let _ = to.shutdown().await;
    };
    tokio::join!(receive, send);
}

/// One upstream socket per client address, so the target tells clients apart.
async fn relay_udp(front: Arc<UdpSocket>, target: SocketAddr, one_way: Duration) {
    let mut upstreams: HashMap<SocketAddr, UnboundedSender<Delayed>> = HashMap::new();
    let mut buffer = vec![0; 65536];
    loop {
        let Ok((read, client)) = front.recv_from(&mut buffer).await else { continue };
        let due = Instant::now() + one_way;
        let upstream = upstreams.entry(client).or_insert_with(|| upstream(Arc::clone(&front), client, target, one_way));
        let _ = upstream.send((due, buffer[..read].to_vec()));
    }
}

fn upstream(
    front: Arc<UdpSocket>,
    client: SocketAddr,
    target: SocketAddr,
    one_way: Duration,
) -> UnboundedSender<Delayed> {
    let (queue, mut held) = unbounded_channel::<Delayed>();
    tokio::spawn(async move {
        let Ok(socket) = UdpSocket::bind((target.ip(), 0)).await else { return };
        if socket.connect(target).await.is_err() {
            return;
        }
        let socket = Arc::new(socket);
        let outward = {
            let socket = Arc::clone(&socket);
            async move {
                while let Some((due, datagram)) = held.recv().await {
                    sleep_until(due).await;
                    // A datagram that cannot be sent is lost, as on a network: QUIC resends.
                    let _ = socket.send(&datagram).await;
                }
            }
        };
        let (answers, mut held_answers) = unbounded_channel::<Delayed>();
        let receive = async move {
            let mut buffer = vec![0; 65536];
            loop {
                // An error (the target's port closed for a moment) is not the end.
                if let Ok(read) = socket.recv(&mut buffer).await {
                    let _ = answers.send((Instant::now() + one_way, buffer[..read].to_vec()));
                }
            }
        };
        let inward = async move {
            while let Some((due, datagram)) = held_answers.recv().await {
                sleep_until(due).await;
                let _ = front.send_to(&datagram, client).await;
            }
        };
        tokio::join!(outward, receive, inward);
    });
    queue
}
