"""The gallery in Debian's headless Chromium, driven by Playwright (its
Python client, with the system browser: nothing is downloaded). What a
browser does with our cookies and URLs is seen here, not assumed: every image
loads through cookies and through URLs, over h2 and, with QUIC forced, h3,
and straight from the local S3 by its pre-signed URLs;
cookies for another prefix load nothing and the edge answers 403; after the
cookies expire, new loads fail."""

import base64
import hashlib
import socket
import ssl
import time
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from playwright.sync_api import sync_playwright

from common import WORK, by_name

CHROMIUM = "/usr/bin/chromium"
PREFIX = "/gallery/"
# The screenshot of the loaded gallery, kept as the test's artifact.
SCREENSHOT = WORK / "gallery.png"


def certificate_spki(url):
    """The base64 SHA-256 of the public key of the certificate `url` serves: Chromium trusts
    it for TCP and QUIC alike with --ignore-certificate-errors-spki-list."""
    parts = urllib.parse.urlsplit(url)
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=parts.hostname) as tls:
            der = tls.getpeercert(binary_form=True)
    key = x509.load_der_x509_certificate(der).public_key()
    spki = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


def launch(playwright, values, *, quic=False, localhost="127.0.0.1", executable=CHROMIUM):
    """Chromium trusting the stack's certificates (the app's and the signer
    front's are one, the edge's another), with `localhost` resolved to
    `localhost`; with `quic`, HTTP/3 to the edge from the first request.
    localhost is pinned to IPv4, where the stack listens: forced QUIC tries
    ::1 first and, unlike TCP, never falls back."""
    trust = ",".join(certificate_spki(values[name]) for name in ("EDGE_URL", "APP_URL"))
    args = ["--no-sandbox", f"--ignore-certificate-errors-spki-list={trust}",
            f"--host-resolver-rules=MAP localhost {localhost}"]
    if quic:
        port = urllib.parse.urlsplit(values["EDGE_URL"]).port
        args += ["--enable-quic", f"--origin-to-force-quic-on=localhost:{port}"]
    return playwright.chromium.launch(executable_path=str(executable), args=args)


class Gallery:
    """One view of the gallery in a page of `context`, with every answer the
    edge sent as Chromium's network layer saw it. A context manager: it
    closes its page, or with `fresh` its own profile."""

    def __init__(self, context, app_url, edge_url, *, timeout_ms=60_000, **query):
        self.page = context.new_page()
        self.edge_url = edge_url
        self.own_context = None
        # By request id. Statuses come from the network layer's own event:
        # Chromium blocks a refused image's XML body (ORB) before the page's
        # response event, but the edge's 403 was still received.
        self.urls, self.statuses, self.protocols, self.connections, self.sizes = {}, {}, {}, {}, {}
        cdp = context.new_cdp_session(self.page)
        cdp.on("Network.requestWillBeSent", lambda e: self.urls.setdefault(e["requestId"], e["request"]["url"]))
        cdp.on("Network.responseReceivedExtraInfo", lambda e: self.statuses.setdefault(e["requestId"], e["statusCode"]))
        cdp.on("Network.responseReceived", self.received)
        cdp.on("Network.loadingFinished", lambda e: self.sizes.setdefault(e["requestId"], e["encodedDataLength"]))
        cdp.send("Network.enable")
        self.page.goto(app_url + "?" + urllib.parse.urlencode({"prefix": PREFIX, **query}))
        self.page.wait_for_function("document.documentElement.dataset.state", timeout=timeout_ms)
        self.result = self.page.evaluate("window.gallery")

    @classmethod
    def fresh(cls, browser, app_url, edge_url, **query):
        """The view in a new profile (a browser context of its own)."""
        context = browser.new_context()
        gallery = cls(context, app_url, edge_url, **query)
        gallery.own_context = context
        return gallery

    def __enter__(self):
        return self

    def __exit__(self, *_):
        (self.own_context or self.page).close()

    def received(self, event):
        response = event["response"]
        self.protocols.setdefault(event["requestId"], response.get("protocol", ""))
        self.connections.setdefault(event["requestId"], response.get("connectionId"))

    def edge_requests(self):
        return [id for id, url in self.urls.items() if url.startswith(self.edge_url + "/")]

    def edge_answers(self):
        """(url, status, protocol) of every answer the edge sent; the protocol
        is "" where Chromium blocked the body."""
        return [(self.urls[id], self.statuses[id], self.protocols.get(id, ""))
                for id in self.edge_requests() if id in self.statuses]

    def edge_connections(self):
        """How many connections the page opened to the edge."""
        return len({self.connections[id] for id in self.edge_requests() if self.connections.get(id) is not None})

    def edge_bytes(self):
        """Bytes received from the edge, headers included, as sent on the wire."""
        return sum(self.sizes.get(id, 0) for id in self.edge_requests())

    def widths(self):
        """naturalWidth of every image on the page, as the DOM has it."""
        return self.page.eval_on_selector_all("#images img", "images => images.map(i => i.naturalWidth)")

    def load(self, path):
        """Loads one more image from the edge in the page: whether it loaded."""
        return self.page.evaluate("""src => new Promise(settle => {
            const image = new Image();
            image.onload = () => settle(true);
            image.onerror = () => settle(false);
            image.src = src;
        })""", self.edge_url + path)


def gallery_in_chromium(values, check):
    app_url, edge_url = values["APP_URL"], values["EDGE_URL"]
    with sync_playwright() as playwright:
        browser = launch(playwright, values)
        try:
            by_cookies(browser, app_url, edge_url, check)
            by_urls(browser, app_url, edge_url, check)
            other_prefix(browser, app_url, edge_url, check)
            expired_cookies(browser, app_url, edge_url, check)
            straight_from_s3(browser, app_url, s3_origin(values), check)
        finally:
            browser.close()
        browser = launch(playwright, values, quic=True)
        try:
            over_h3(browser, app_url, edge_url, check)
        finally:
            browser.close()


def s3_origin(values):
    """The local S3 as the page loads it."""
    return by_name(values["AWS_ENDPOINT_URL"])


def all_loaded(gallery, check, how):
    result = gallery.result
    check(result.get("error") is None, f"the gallery {how} failed: {result.get('error')}")
    check(len(result["images"]) >= 3, f"the gallery {how} listed {len(result['images'])} images under {PREFIX}")
    check(result["loaded"] == len(result["images"]), f"the gallery {how} loaded {result['loaded']} of "
          f"{len(result['images'])}: {[i['path'] for i in result['images'] if not i['loaded']]}")
    widths = gallery.widths()
    check(widths and all(width > 0 for width in widths), f"naturalWidth of the images {how}: {widths}")


def by_cookies(browser, app_url, edge_url, check):
    with Gallery.fresh(browser, app_url, edge_url, view="cookies") as gallery:
        all_loaded(gallery, check, "by cookies")
        answers = gallery.edge_answers()
        check(answers and all(status == 200 and protocol == "h2" for _, status, protocol in answers),
              f"the edge's answers by cookies, expected 200 over h2: {answers}")
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        gallery.page.screenshot(path=str(SCREENSHOT), full_page=True)


def by_urls(browser, app_url, edge_url, check):
    with Gallery.fresh(browser, app_url, edge_url, view="urls") as gallery:
        all_loaded(gallery, check, "by signed URLs")
        answers = gallery.edge_answers()
        check(answers and all("Signature=" in url and protocol == "h2" for url, _, protocol in answers),
              f"the edge's answers by signed URLs, over h2: {answers}")


def other_prefix(browser, app_url, edge_url, check):
    with Gallery.fresh(browser, app_url, edge_url, view="cookies", resource="/elsewhere/*") as gallery:
        result = gallery.result
        check(result["images"] and result["loaded"] == 0,
              f"cookies for /elsewhere/* loaded {result['loaded']} of the gallery's {len(result['images'])} images")
        statuses = sorted({status for _, status, _ in gallery.edge_answers()})
        check(statuses == [403], f"the edge answered cookies for another prefix with {statuses}, not 403")


def expired_cookies(browser, app_url, edge_url, check):
    lifetime = 5
    signed_at = time.time()
    with Gallery.fresh(browser, app_url, edge_url, view="cookies", lifetime=lifetime) as gallery:
        all_loaded(gallery, check, f"by cookies for {lifetime} s")
        first = gallery.result["images"][0]["path"]
        # Past the expiry (whole seconds, rounded up by the signer at most one second).
        time.sleep(max(0.0, signed_at + lifetime + 2 - time.time()))
        # A query string makes it a new load for the browser, not its memory cache.
        check(not gallery.load(first + "?after-expiry"), "an image loaded after the cookies expired")
        late = [answer for answer in gallery.edge_answers() if answer[0].endswith("?after-expiry")]
        check(late and late[-1][1] == 403, f"the edge's answer after the cookies expired: {late}")


def straight_from_s3(browser, app_url, s3_url, check):
    with Gallery.fresh(browser, app_url, s3_url, view="s3") as gallery:
        all_loaded(gallery, check, "straight from the local S3")
        answers = gallery.edge_answers()
        check(answers and all(status == 200 and protocol == "http/1.1" and "Signature=" in url
                              for url, status, protocol in answers),
              f"the local S3's answers to pre-signed URLs, expected 200 over http/1.1: {answers}")


def over_h3(browser, app_url, edge_url, check):
    with Gallery.fresh(browser, app_url, edge_url, view="cookies") as gallery:
        all_loaded(gallery, check, "by cookies with QUIC forced")
        answers = gallery.edge_answers()
        check(answers and all(protocol == "h3" for _, _, protocol in answers),
              f"the edge's answers with QUIC forced, expected h3: {answers}")
