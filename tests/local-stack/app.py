"""The gallery's app under `make local` (APP_URL): the page and its script
(gallery/), where the signer and the edge are (config.json), and a listing of
what the bucket holds under a prefix (objects?prefix=/gallery/), so a fresh
upload shows on the next load (with `&s3=1`, also a pre-signed URL of the local
S3 for each object: the page's view straight from the bucket, the benchmark's
sanity line); and the signer's HTTPS front, as API Gateway stands before the
function.

All three of app, API and edge are HTTPS on localhost: one site to the
browser, as app.example.com, api.example.com and cdn.example.com are. Chromium
keeps no cookie a cross-site answer sets and sends none on a cross-site image
load (third-party cookies are blocked), so an app on http:// beside an edge on
https:// would see every image refused. Their certificates come from the
edge's local CA (EDGE_CA_FILE), so trusting it trusts all three."""

import datetime
import http.client
import json
import ssl
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from common import ROOT, WORK

PAGES = ROOT / "tests" / "local-stack" / "gallery"
FILES = {"/": ("index.html", "text/html; charset=utf-8"), "/index.html": ("index.html", "text/html; charset=utf-8"),
         "/gallery.js": ("gallery.js", "text/javascript; charset=utf-8")}


def object_path(key):
    """The edge path of an S3 key, percent-encoded as a URL path (the demo's
    keys are plain; signing by any key is issue 16's encoding)."""
    return "/" + urllib.parse.quote(key, safe="/")


def localhost_tls(ca_dir):
    """A TLS context serving a certificate for localhost issued by the CA in `ca_dir`."""
    ca_cert = x509.load_pem_x509_certificate((ca_dir / "ca.pem").read_bytes())
    ca_key = serialization.load_pem_private_key((ca_dir / "ca.key").read_bytes(), password=None)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    chain, key_file = WORK / "app-chain.pem", WORK / "app-key.pem"
    chain.write_bytes(cert.public_bytes(serialization.Encoding.PEM) + (ca_dir / "ca.pem").read_bytes())
    key_file.touch(mode=0o600)
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain, key_file)
    return context


class HttpsServer:
    """`answer(request)` behind HTTPS on a free loopback port, at https://localhost:PORT."""

    def __init__(self, tls, answer):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                answer(self)

            do_POST = do_OPTIONS = do_GET

            def log_message(self, *args):
                pass  # quiet: `make local` prints only its own lines

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # The handshake in the handler's thread, not in the loop that accepts.
        self.server.socket = tls.wrap_socket(self.server.socket, server_side=True, do_handshake_on_connect=False)
        self.origin = f"https://localhost:{self.server.server_address[1]}"

    def start(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class SignerFront:
    """The url-signer over HTTPS: each request passed on as it came, each
    answer (every Set-Cookie included) passed back."""

    def __init__(self, tls, signer_url):
        self.signer = urllib.parse.urlsplit(signer_url)
        self.https = HttpsServer(tls, self.answer)
        self.url = self.https.origin

    def answer(self, request):
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "connection")}
        connection = http.client.HTTPConnection(self.signer.hostname, self.signer.port, timeout=60)
        try:
            connection.request(request.command, self.signer.path + request.path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            request.send_response(response.status)
            for name, value in response.getheaders():
                if name.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                    request.send_header(name, value)
            request.send_header("Content-Length", str(len(payload)))
            request.end_headers()
            request.wfile.write(payload)
        finally:
            connection.close()


class App:
    """`presigner` is an S3 client whose endpoint the browser reaches (the
    local AWS as http://localhost:PORT: loopback is a secure origin, so an
    HTTPS page may load it)."""

    def __init__(self, tls, s3, presigner, bucket, signer_url, edge_url):
        self.s3, self.presigner, self.bucket = s3, presigner, bucket
        self.config = {"signerUrl": signer_url, "edgeUrl": edge_url}
        self.https = HttpsServer(tls, self.answer)
        self.origin = self.https.origin
        self.url = self.origin + "/"

    def listing(self, prefix, s3_urls):
        keys = []
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix[1:])
        for page in pages:
            keys.extend(item["Key"] for item in page.get("Contents", []))
        listing = {"prefix": prefix, "paths": [object_path(key) for key in sorted(keys)]}
        if s3_urls:
            listing["s3Urls"] = [self.presigner.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=3600) for key in sorted(keys)]
        return listing

    def answer(self, request):
        url = urllib.parse.urlsplit(request.path)
        if url.path in FILES:
            name, content_type = FILES[url.path]
            return self.send(request, 200, (PAGES / name).read_bytes(), content_type)
        if url.path == "/config.json":
            return self.send_json(request, 200, self.config)
        if url.path == "/objects":
            query = urllib.parse.parse_qs(url.query)
            prefix = query.get("prefix", ["/gallery/"])[0]
            if not (prefix.startswith("/") and prefix.endswith("/")):
                return self.send_json(request, 400, {"error": "invalid_prefix",
                                                     "message": f"prefix {prefix!r} must start and end with /"})
            return self.send_json(request, 200, self.listing(prefix, query.get("s3") == ["1"]))
        return self.send_json(request, 404, {"error": "not_found", "message": f"no such page: {url.path}"})

    def send_json(self, request, status, body):
        self.send(request, status, json.dumps(body).encode(), "application/json")

    @staticmethod
    def send(request, status, body, content_type):
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(body)))
        # The listing changes with each upload; the page is small.
        request.send_header("Cache-Control", "no-store")
        request.end_headers()
        request.wfile.write(body)
