"""`make bench-browser`: the experiment behind this toolkit. A page of 25
private images of about 1.5 MB each (generated) loads through the local edge
by signed cookies over HTTP/1.1 (the edge with h2 and h3 off, standing in for
S3's protocol), HTTP/2 and HTTP/3, at round-trip times of 0, 20, 50 and
100 ms. Chromium runs in a network namespace of its own, joined to the stack
by tun-delay (tests/local-edge/src/bin), which holds every IP packet for half
the round trip each way: TCP and QUIC alike run end to end over the delayed
path, to the app, the signer and the edge. Each load is a fresh Chromium with
a fresh profile; 5 runs each. Then the repeat visit: the page again in the same
profile, with signed URLs freshly asked of the signer.

Beside the edge's three lines, a sanity line: the same page loading each
image straight from the local S3 (the local AWS, HTTP/1.1) by pre-signed URLs.

Writes results.json, the table in BENCHMARKS.md's format (stdout) and
load-time.png (the chart), all under tests/bench-browser/."""

import json
import os
import pathlib
import signal
import statistics
import subprocess
import sys
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests" / "local-stack"))

from playwright.sync_api import sync_playwright  # noqa: E402

import demo_images  # noqa: E402
from browser import Gallery, s3_origin  # noqa: E402
from browser import launch as launch_chromium  # noqa: E402
from common import TARGET, client  # noqa: E402

RTTS_MS = (0, 20, 50, 100)
RUNS = 5
IMAGES = 25
# 708 x 708 random pixels: a PNG of about 1.5 MB that no compression shrinks.
SIDE = 708
PREFIX = "/bench/"
PROTOCOLS = {"HTTP/1.1": "http1.1", "HTTP/2": "http2", "HTTP/3": "http2and3"}
# Each line of the table: the distribution's HttpVersion and the page's view;
# the sanity line loads every image straight from the local S3 (HTTP/1.1).
S3_LINE = "local S3"
CONFIGURATIONS = {**{protocol: (version, "cookies") for protocol, version in PROTOCOLS.items()},
                  S3_LINE: (None, "s3")}
# The local stack's EXPIRY_WINDOW_SECONDS.
WINDOW_S = 300
# The browser's namespace, its end of the link, and the address it reaches
# the stack's 127.0.0.1 at (localhost maps there for the browser).
NETNS = "cfbench"
BROWSER_ADDRESS, FAR = "10.77.0.1", "10.77.0.2"
DEVICES = ("cfbench0", "cfbench1")
# Chromium started inside that namespace (Playwright still drives it over its pipe).
CHROMIUM_IN_NETNS = HERE / "chromium-in-netns"
NAMES = ("AWS_ENDPOINT_URL", "DISTRIBUTION_ID", "EDGE_URL", "APP_URL", "BUCKET")


def start_stack():
    """`make local`, and the names it prints."""
    stack = subprocess.Popen(["make", "--no-print-directory", "local"], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                             start_new_session=True)
    values = {}

    def read():
        for line in stack.stdout:
            name, _, value = line.strip().partition("=")
            if name in NAMES:
                values[name] = value

    threading.Thread(target=read, daemon=True).start()
    deadline = time.time() + 1800
    while len(values) < len(NAMES):
        if stack.poll() is not None or time.time() > deadline:
            raise SystemExit("make local did not start")
        time.sleep(1)
    return stack, values


def upload_images(values):
    s3 = client("s3", values["AWS_ENDPOINT_URL"])
    for index in range(IMAGES):
        # Cacheable by the browser for a day, as an asset bucket sets it.
        s3.put_object(Bucket=values["BUCKET"], Key=f"{PREFIX[1:]}image-{index + 1:02}.png", ContentType="image/png",
                      CacheControl="max-age=86400", Body=demo_images.noise(SIDE, SIDE, index))


def set_http_version(values, version):
    """The distribution's HttpVersion, which the edge follows within 250 ms."""
    cloudfront = client("cloudfront", values["AWS_ENDPOINT_URL"])
    current = cloudfront.get_distribution_config(Id=values["DISTRIBUTION_ID"])
    config = current["DistributionConfig"]
    config["HttpVersion"] = version
    cloudfront.update_distribution(Id=values["DISTRIBUTION_ID"], IfMatch=current["ETag"], DistributionConfig=config)
    time.sleep(1.5)


class Link:
    """The browser's namespace and the delayed link to the stack: tun-delay
    makes the two devices, then each side gets its address and route. The
    stack's side takes 127.0.0.1 from outside loopback (route_localnet) only
    on its own device, which vanishes with tun-delay."""

    def __init__(self, rtt_ms):
        # A namespace left by a run that was killed would refuse the new one.
        subprocess.run(["ip", "netns", "del", NETNS], check=False, stderr=subprocess.DEVNULL)
        subprocess.run(["ip", "netns", "add", NETNS], check=True)
        browser_tun, stack_tun = DEVICES
        self.process = None
        try:
            self.process = subprocess.Popen(
                [str(TARGET / "debug" / "tun-delay"), "--netns", f"/run/netns/{NETNS}", "--browser-tun", browser_tun,
                 "--stack-tun", stack_tun, "--far", FAR, "--rtt-ms", str(rtt_ms)], stdout=subprocess.PIPE, text=True)
            if self.process.stdout.readline().strip() != "ready":
                raise SystemExit("tun-delay did not start")
            self.configure(browser_tun, stack_tun)
        except BaseException:
            self.stop()
            raise

    def configure(self, browser_tun, stack_tun):
        for command in (["ip", "-n", NETNS, "link", "set", "lo", "up"],
                        ["ip", "-n", NETNS, "addr", "add", BROWSER_ADDRESS, "peer", FAR, "dev", browser_tun],
                        ["ip", "-n", NETNS, "link", "set", browser_tun, "up"],
                        ["sysctl", "-qw", f"net.ipv4.conf.{stack_tun}.route_localnet=1"],
                        ["ip", "link", "set", stack_tun, "up"],
                        ["ip", "route", "add", f"{BROWSER_ADDRESS}/32", "dev", stack_tun]):
            subprocess.run(command, check=True)

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait()
        subprocess.run(["ip", "netns", "del", NETNS], check=False)


def visit(context, values, view, **query):
    """One page load of the 25 images in `context`, refused unless all loaded."""
    origin = s3_origin(values) if view == "s3" else values["EDGE_URL"]
    with Gallery(context, values["APP_URL"], origin, timeout_ms=120_000, prefix=PREFIX, view=view,
                 **query) as gallery:
        result = gallery.result
        if result.get("error") or result["loaded"] != IMAGES:
            raise SystemExit(f"the page loaded {result.get('loaded')} of {IMAGES}: {result.get('error')}")
        wire = sorted({protocol for _, _, protocol in gallery.edge_answers() if protocol})
        return {"load_ms": result["loadMs"], "images_ms": result["imagesMs"], "connections": gallery.edge_connections(),
                "wire": wire, "edge_bytes": gallery.edge_bytes(),
                "sources": sorted(gallery.urls[id] for id in gallery.edge_requests())}


def launch(playwright, values, protocol):
    return launch_chromium(playwright, values, quic=protocol == "HTTP/3", localhost=FAR,
                           executable=CHROMIUM_IN_NETNS)


def repeat_visits(playwright, values, protocol):
    """The page twice in one profile, signed URLs asked of the signer each
    time: as deployed (expiries rounded to the expiry window, so the second
    visit gets the same URLs and the browser's cache serves every image), and
    with exact expiries (`lifetime=300`, never rounded: what every request got
    before issue 15, a new URL each second)."""
    results = []
    for rounding, query in (("on", {}), ("off", {"lifetime": 300})):
        # Both visits inside one window: a boundary between them would change the URLs.
        if time.time() % WINDOW_S > WINDOW_S - 60:
            time.sleep(WINDOW_S - time.time() % WINDOW_S + 1)
        browser = launch(playwright, values, protocol)
        try:
            context = browser.new_context()
            first = visit(context, values, "urls", **query)
            time.sleep(1.1)  # another second, so exact expiries differ
            again = visit(context, values, "urls", **query)
        finally:
            browser.close()
        same = first["sources"] == again["sources"]
        if same != (rounding == "on"):
            raise SystemExit(f"{protocol}, rounding {rounding}: the repeat visit's URLs were "
                             f"{'the same' if same else 'new'}")
        results.append({"protocol": protocol, "rtt_ms": 50, "rounding": rounding,
                        "first_ms": first["load_ms"], "first_bytes": first["edge_bytes"],
                        "repeat_ms": again["load_ms"], "repeat_bytes": again["edge_bytes"]})
        print(f"{protocol} repeat visit, rounding {rounding}: {again['load_ms']} ms, {again['edge_bytes']} bytes",
              file=sys.stderr, flush=True)
    return results


def measure(values):
    results = {"loads": [], "repeat": []}
    with sync_playwright() as playwright:
        for protocol, (version, view) in CONFIGURATIONS.items():
            if version:
                set_http_version(values, version)
            for rtt in RTTS_MS:
                link = Link(rtt)
                try:
                    for run in range(RUNS):
                        browser = launch(playwright, values, protocol)
                        try:
                            load = visit(browser.new_context(), values, view)
                            del load["sources"]
                        finally:
                            browser.close()
                        results["loads"].append({"protocol": protocol, "rtt_ms": rtt, "run": run, **load})
                        print(f"{protocol} {rtt} ms run {run + 1}: {load['load_ms']} ms (images {load['images_ms']} ms), "
                              f"{load['connections']} connection(s) {load['wire']}", file=sys.stderr, flush=True)
                    if rtt == 50 and view != "s3":
                        results["repeat"] += repeat_visits(playwright, values, protocol)
                finally:
                    link.stop()
    set_http_version(values, "http2and3")
    return results


def summarize(results):
    rows = {}
    for load in results["loads"]:
        rows.setdefault((load["protocol"], load["rtt_ms"]), []).append(load)
    table = []
    for (protocol, rtt), loads in sorted(rows.items(), key=lambda item: (item[0][1], list(CONFIGURATIONS).index(item[0][0]))):
        times = [load["load_ms"] for load in loads]
        table.append({"protocol": protocol, "rtt_ms": rtt, "median_ms": statistics.median(times),
                      "min_ms": min(times), "max_ms": max(times),
                      "images_median_ms": statistics.median(load["images_ms"] for load in loads),
                      "connections": statistics.median(load["connections"] for load in loads),
                      "wire": sorted({p for load in loads for p in load["wire"]})})
    baseline = {row["rtt_ms"]: row for row in table if row["protocol"] == "HTTP/1.1"}
    for row in table:
        row["speedup"] = baseline[row["rtt_ms"]]["median_ms"] / row["median_ms"]
        row["images_speedup"] = baseline[row["rtt_ms"]]["images_median_ms"] / row["images_median_ms"]
    return table


def markdown(table, repeat):
    lines = ["| RTT | protocol | page load (median) | min–max | vs HTTP/1.1 | images only (median) | vs HTTP/1.1 "
             "| connections for the images | wire |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---|"]
    for row in table:
        lines.append(f"| {row['rtt_ms']} ms | {row['protocol']} | {row['median_ms']:.0f} ms | "
                     f"{row['min_ms']:.0f}–{row['max_ms']:.0f} ms | {row['speedup']:.2f}x | "
                     f"{row['images_median_ms']:.0f} ms | {row['images_speedup']:.2f}x | "
                     f"{row['connections']:.0f} | {', '.join(row['wire'])} |")
    lines += ["", "| repeat visit at 50 ms, signed URLs asked again | expiry rounding | first visit | repeat visit |",
              "|---|---|---:|---:|"]
    for r in repeat:
        lines.append(f"| {r['protocol']} | {r['rounding']} | {r['first_ms']:.0f} ms, {r['first_bytes'] / 1e6:.1f} MB | "
                     f"{r['repeat_ms']:.0f} ms, {r['repeat_bytes'] / 1e6:.1f} MB |")
    return "\n".join(lines)


def chart(table, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    figure, axes = plt.subplots(figsize=(7, 4.2), dpi=120)
    for protocol, style in zip(CONFIGURATIONS, ("o-", "s-", "^-", "x:")):
        rows = [row for row in table if row["protocol"] == protocol]
        axes.errorbar([r["rtt_ms"] for r in rows], [r["median_ms"] for r in rows],
                      yerr=[[r["median_ms"] - r["min_ms"] for r in rows], [r["max_ms"] - r["median_ms"] for r in rows]],
                      fmt=style, capsize=3, label=protocol)
    axes.set_xlabel("round-trip time (ms)")
    axes.set_ylabel("page load, 25 images of 1.5 MB (ms)")
    axes.set_title("25 private images through the local edge by signed cookies,\n"
                   "or straight from the local S3 (median of 5, min–max)")
    axes.title.set_fontsize(10)
    axes.set_xticks(RTTS_MS)
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)


def main():
    if os.geteuid() != 0:
        raise SystemExit("make bench-browser runs as root: it makes a network namespace and TUN devices")
    stack, values = start_stack()
    try:
        upload_images(values)
        results = measure(values)
    finally:
        os.killpg(stack.pid, signal.SIGTERM)
        stack.wait(timeout=60)
    table = summarize(results)
    (HERE / "results.json").write_text(json.dumps({"table": table, **results}, indent=1) + "\n")
    chart(table, HERE / "load-time.png")
    print(markdown(table, results["repeat"]))


if __name__ == "__main__":
    main()
