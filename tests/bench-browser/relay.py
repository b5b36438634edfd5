"""A latency relay: every TCP chunk and every UDP datagram held for half the
round-trip time in each direction, in order, between a listening address and
a target (on these machines the kernel lacks netem, so latency is added here,
in user space, per packet or chunk, for TCP and QUIC alike; the browser's
request-level throttling would not delay connection set-up).

    relay.py --listen 127.0.0.2 --target 127.0.0.1 --rtt-ms 50 --tcp 443,8443 --udp 443

Prints "ready" once every port listens; runs until killed."""

import argparse
import asyncio
import socket


async def pipe(reader, writer, delay):
    """Copies `reader` to `writer`, each chunk `delay` seconds after it arrived."""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def receive():
        while data := await reader.read(256 * 1024):
            queue.put_nowait((loop.time() + delay, data))
        queue.put_nowait((loop.time() + delay, b""))

    async def send():
        while True:
            due, data = await queue.get()
            if (wait := due - loop.time()) > 0:
                await asyncio.sleep(wait)
            if not data:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    try:
        await asyncio.gather(receive(), send())
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


def tcp_relay(target, port, delay):
    async def connected(client_reader, client_writer):
        # The kernel completed the client's handshake at once; over a network it
        # takes a round trip before the client may send. Its first bytes wait that.
        await asyncio.sleep(2 * delay)
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(target, port)
        except OSError:
            client_writer.close()
            return
        for stream in (client_writer, upstream_writer):
            stream.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        await asyncio.gather(pipe(client_reader, upstream_writer, delay), pipe(upstream_reader, client_writer, delay))

    return connected


class UdpRelay(asyncio.DatagramProtocol):
    """One upstream socket per client address, so the target sees each client apart."""

    def __init__(self, target, port, delay):
        self.target, self.port, self.delay = (target, port), port, delay
        self.upstreams = {}

    def connection_made(self, transport):
        self.transport = transport
        self.loop = asyncio.get_running_loop()

    def datagram_received(self, data, client):
        upstream = self.upstreams.get(client)
        if upstream is None:
            upstream = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            upstream.setblocking(False)
            upstream.connect(self.target)
            self.loop.add_reader(upstream, self.answer, upstream, client)
            self.upstreams[client] = upstream
        self.loop.call_later(self.delay, self.forward, upstream, data)

    @staticmethod
    def forward(upstream, data):
        try:
            upstream.send(data)
        except OSError:
            pass  # as a lost packet: QUIC retransmits

    def answer(self, upstream, client):
        while True:
            try:
                data = upstream.recv(65536)
            except (BlockingIOError, ConnectionRefusedError):
                return
            self.loop.call_later(self.delay, self.transport.sendto, data, client)


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--rtt-ms", type=float, required=True)
    parser.add_argument("--tcp", default="")
    parser.add_argument("--udp", default="")
    args = parser.parse_args()
    delay = args.rtt_ms / 2000
    loop = asyncio.get_running_loop()
    for port in filter(None, args.tcp.split(",")):
        await asyncio.start_server(tcp_relay(args.target, int(port), delay), args.listen, int(port))
    for port in filter(None, args.udp.split(",")):
        await loop.create_datagram_endpoint(lambda p=int(port): UdpRelay(args.target, p, delay),
                                            local_addr=(args.listen, int(port)))
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
