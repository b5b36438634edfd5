//! A delaying network link for the browser benchmark (tests/bench-browser):
//! two TUN devices, one in the browser's network namespace and one beside the
//! stack, joined by this process, which holds every IP packet for half the
//! round-trip time in each direction.
//!
//! These machines' kernel lacks netem, so the delay is added here; unlike a
//! relay that terminates connections (the benchmark's first delay model), TCP and QUIC both run
//! end to end over the delayed path, so each side's congestion control sees
//! the full round trip, slow start included, as on a real network.
//!
//! The stack listens on 127.0.0.1 only. The browser reaches it as `--far`
//! (10.77.0.2, say): packets to that address are rewritten to 127.0.0.1 on
//! their way in, and answers from 127.0.0.1 back to it on their way out, with
//! their checksums adjusted. The stack's device needs `route_localnet`, so the
//! kernel takes 127.0.0.1 from outside its loopback device.
//!
//! `tun-delay --netns /run/netns/cfbench --browser-tun cfb0 --stack-tun cfb1 --far 10.77.0.2 --rtt-ms 50`
//! creates both devices, prints `ready`, and runs until killed; the caller
//! gives them addresses and routes (tests/bench-browser/bench.py).

use std::fs::File;
use std::io::{Read, Write};
use std::net::Ipv4Addr;
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use clap::Parser;

#[derive(Parser)]
#[command(about = "Joins a TUN device in a network namespace to one here, adding a round-trip time")]
struct Args {
    /// The browser's network namespace (a file such as /run/netns/NAME).
    #[arg(long)]
    netns: PathBuf,
    /// The TUN device to create in that namespace.
    #[arg(long)]
    browser_tun: String,
    /// The TUN device to create in this process's namespace, the stack's.
    #[arg(long)]
    stack_tun: String,
    /// The address the browser reaches the stack's 127.0.0.1 at.
    #[arg(long)]
    far: Ipv4Addr,
    /// The round-trip time to add, in milliseconds (half each way).
    #[arg(long)]
    rtt_ms: u64,
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let one_way = Duration::from_millis(args.rtt_ms) / 2;
    let browser = in_namespace(&args.netns, || create_tun(&args.browser_tun))?;
    let stack = create_tun(&args.stack_tun)?;
    let far = args.far.octets();
    let local = Ipv4Addr::LOCALHOST.octets();
    let directions = [
        (browser.try_clone()?, stack.try_clone()?, Rewrite::Destination { from: far, to: local }),
        (stack, browser, Rewrite::Source { from: local, to: far }),
    ];
    let mut threads = Vec::new();
    for (from, to, rewrite) in directions {
        let (sender, receiver) = channel();
        threads.push(std::thread::spawn(move || read_packets(from, rewrite, one_way, sender)));
        threads.push(std::thread::spawn(move || write_packets(to, receiver)));
    }
    println!("ready");
    for thread in threads {
        thread.join().expect("a link thread panicked")?;
    }
    Ok(())
}

/// Runs `work` with this thread in the network namespace `path`, then returns
/// to the namespace it was in. A TUN device belongs to the namespace it is
/// created in, and its file stays usable from anywhere.
fn in_namespace<T>(path: &PathBuf, work: impl FnOnce() -> std::io::Result<T>) -> std::io::Result<T> {
    let home = File::open("/proc/thread-self/ns/net")?;
    let target = File::open(path)?;
    setns(&target)?;
    let result = work();
    setns(&home)?;
    result
}

fn setns(namespace: &File) -> std::io::Result<()> {
    // SAFETY: setns reads a valid, open descriptor and changes only this thread's namespace.
    if unsafe { libc::setns(namespace.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// A layer-3 TUN device named `name`, without the packet-information prefix:
/// every read is one IPv4 or IPv6 packet, every write sends one.
fn create_tun(name: &str) -> std::io::Result<File> {
    const TUNSETIFF: libc::c_ulong = 0x4004_54ca;
    #[repr(C)]
    struct InterfaceRequest {
        name: [u8; libc::IFNAMSIZ],
        flags: libc::c_short,
        _rest: [u8; 22],
    }
    if name.is_empty() || name.len() >= libc::IFNAMSIZ {
        return Err(std::io::Error::other(format!("{name:?} is not a device name of 1 to 15 bytes")));
    }
    let file = File::options().read(true).write(true).open("/dev/net/tun")?;
    let mut request =
        InterfaceRequest { name: [0; libc::IFNAMSIZ], flags: (libc::IFF_TUN | libc::IFF_NO_PI) as _, _rest: [0; 22] };
    request.name[..name.len()].copy_from_slice(name.as_bytes());
    // SAFETY: TUNSETIFF reads and writes one struct ifreq, which InterfaceRequest lays out (40 bytes).
    if unsafe { libc::ioctl(file.as_raw_fd(), TUNSETIFF as _, &mut request) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(file)
}

/// What one direction changes in each IPv4 packet: where the browser sends
/// to `far`, the stack sees 127.0.0.1, and the other way round.
#[derive(Clone, Copy)]
enum Rewrite {
    Destination { from: [u8; 4], to: [u8; 4] },
    Source { from: [u8; 4], to: [u8; 4] },
}

fn read_packets(
    mut from: File,
    rewrite: Rewrite,
    delay: Duration,
    link: Sender<(Instant, Vec<u8>)>,
) -> std::io::Result<()> {
    let mut buffer = vec![0; 65_536];
    loop {
        let length = from.read(&mut buffer)?;
        let arrived = Instant::now();
        let mut packet = buffer[..length].to_vec();
        // Only IPv4 crosses: the browser reaches the stack by an IPv4 address.
        if packet.first().is_some_and(|b| b >> 4 == 4)
            && rewrite.apply(&mut packet)
            && link.send((arrived + delay, packet)).is_err()
        {
            return Ok(());
        }
    }
}

fn write_packets(mut to: File, link: Receiver<(Instant, Vec<u8>)>) -> std::io::Result<()> {
    // One delay for every packet keeps them in order: the queue is a FIFO.
    for (due, packet) in link {
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        // A packet the kernel refuses (its queue full, say) is lost, as on a network.
        let _ = to.write(&packet);
    }
    Ok(())
}

impl Rewrite {
    /// Rewrites the address if it matches and returns whether the packet goes on; a packet too short to be IPv4 is dropped.
    fn apply(self, packet: &mut [u8]) -> bool {
        let header = usize::from(packet[0] & 0x0f) * 4;
        if header < 20 || packet.len() < header {
            return false;
        }
        let (at, from, to) = match self {
            Rewrite::Destination { from, to } => (16, from, to),
            Rewrite::Source { from, to } => (12, from, to),
        };
        if packet[at..at + 4] != from {
            return true;
        }
        packet[at..at + 4].copy_from_slice(&to);
        adjust_checksum(&mut packet[10..12], from, to);
        // The transport checksum covers the addresses too (its pseudo-header);
        // only a first fragment carries the transport header.
        let first_fragment = u16::from_be_bytes([packet[6], packet[7]]) & 0x1fff == 0;
        let protocol = packet[9];
        let transport = &mut packet[header..];
        match protocol {
            6 if first_fragment && transport.len() >= 20 => adjust_checksum(&mut transport[16..18], from, to),
            // A UDP checksum of 0 means none was computed; a computed one never is 0.
            17 if first_fragment && transport.len() >= 8 && transport[6..8] != [0, 0] => {
                adjust_checksum(&mut transport[6..8], from, to);
                if transport[6..8] == [0, 0] {
                    transport[6..8].copy_from_slice(&[0xff, 0xff]);
                }
            }
            _ => {}
        }
        true
    }
}

/// RFC 1624's incremental update of a one's-complement checksum for a 32-bit field changed from `old` to `new`.
fn adjust_checksum(field: &mut [u8], old: [u8; 4], new: [u8; 4]) {
    let mut sum = u32::from(!u16::from_be_bytes([field[0], field[1]]));
    for pair in old.chunks(2) {
        sum += u32::from(!u16::from_be_bytes([pair[0], pair[1]]));
    }
    for pair in new.chunks(2) {
        sum += u32::from(u16::from_be_bytes([pair[0], pair[1]]));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    field.copy_from_slice(&(!(sum as u16)).to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one's-complement sum of `data` as 16-bit words, folded and inverted: the checksum from scratch.
    fn checksum(data: &[u8]) -> u16 {
        let mut sum: u32 = data.chunks(2).map(|w| u32::from(u16::from_be_bytes([w[0], *w.get(1).unwrap_or(&0)]))).sum();
        while sum > 0xffff {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        !(sum as u16)
    }

    /// An IPv4 packet from `source` to `destination` carrying `protocol` with
    /// `payload`, both checksums computed from scratch.
    fn packet(source: [u8; 4], destination: [u8; 4], protocol: u8, payload: &[u8]) -> Vec<u8> {
        let (header_len, checksum_at) = if protocol == 6 { (20, 16) } else { (8, 6) };
        let mut transport = vec![0u8; header_len];
        transport[..4].copy_from_slice(&[0xc3, 0x50, 0x01, 0xbb]);
        transport.extend_from_slice(payload);
        if protocol == 17 {
            let length = transport.len() as u16;
            transport[4..6].copy_from_slice(&length.to_be_bytes());
        }
        let mut pseudo = [source, destination].concat();
        pseudo.extend_from_slice(&[0, protocol]);
        pseudo.extend_from_slice(&(transport.len() as u16).to_be_bytes());
        pseudo.extend_from_slice(&transport);
        let sum = checksum(&pseudo);
        transport[checksum_at..checksum_at + 2].copy_from_slice(&sum.to_be_bytes());

        let mut ip = vec![0x45, 0, 0, 0, 0x12, 0x34, 0x40, 0, 64, protocol, 0, 0];
        ip[2..4].copy_from_slice(&((20 + transport.len()) as u16).to_be_bytes());
        ip.extend_from_slice(&source);
        ip.extend_from_slice(&destination);
        let sum = checksum(&ip);
        ip[10..12].copy_from_slice(&sum.to_be_bytes());
        ip.extend_from_slice(&transport);
        ip
    }

    const BROWSER: [u8; 4] = [10, 77, 0, 1];
    const FAR: [u8; 4] = [10, 77, 0, 2];
    const LOCAL: [u8; 4] = [127, 0, 0, 1];

    #[test]
    fn a_rewritten_packet_has_the_checksums_it_would_have_been_sent_with() {
        for protocol in [6, 17] {
            for payload in [&b""[..], b"GET / HTTP/1.1\r\n", b"odd length"] {
                let mut inbound = packet(BROWSER, FAR, protocol, payload);
                assert!(Rewrite::Destination { from: FAR, to: LOCAL }.apply(&mut inbound));
                assert_eq!(inbound, packet(BROWSER, LOCAL, protocol, payload), "protocol {protocol}, in");

                let mut outbound = packet(LOCAL, BROWSER, protocol, payload);
                assert!(Rewrite::Source { from: LOCAL, to: FAR }.apply(&mut outbound));
                assert_eq!(outbound, packet(FAR, BROWSER, protocol, payload), "protocol {protocol}, out");
            }
        }
    }

    #[test]
    fn other_addresses_pass_unchanged_and_a_truncated_header_is_dropped() {
        let original = packet(BROWSER, [10, 77, 0, 9], 6, b"x");
        let mut other = original.clone();
        assert!(Rewrite::Destination { from: FAR, to: LOCAL }.apply(&mut other));
        assert_eq!(other, original);
        let mut truncated = original[..12].to_vec();
        assert!(!Rewrite::Destination { from: FAR, to: LOCAL }.apply(&mut truncated));
    }
}
