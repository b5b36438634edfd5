"""`make local`: the whole system on this machine.

Starts the local AWS, seeds it as the stack's first deploy would (bucket,
queue and notifications, distribution, the secret with rotation configured,
and the first key pair through the key-rotator's custom resource), starts the
local CloudFront edge of the distribution, serves the three functions with
`cargo lambda watch` (the url-signer signing for the edge) and the gallery
app (app.py, with a few generated images under /gallery/), delivers the
bucket's notifications to the invalidator as the SQS event source mapping
would, prints the stack's NAME=value lines, and stops everything on Ctrl-C or
SIGTERM."""

import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.parse
import urllib.request
import uuid

import demo_images
from app import App, SignerFront, localhost_tls
from common import (
    BUCKET, CHILDREN, DEAD_LETTERS, DELIVERY_ERRORS, FUNCTIONS, KEY_GROUP_NAME, KEY_SECRET_ID, QUEUE, RESPONSES_BUCKET,
    ROOT, STATE, TARGET, WORK,
    FunctionError, by_name, client, cloudformation_request, invoke,
)


# The functions' settings under `make local`, each overridable with an
# environment variable LOCAL_STACK_<NAME> (README: "The local stack's
# settings"), so a refusal or a prune can be seen without editing this file.
# None: follows another setting (see settings()).
SETTINGS = {
    "ALLOWED_PREFIXES": "/",
    "WILDCARD_PREFIXES": None,
    "MAX_LIFETIME_SECONDS": "3600",
    "DEFAULT_LIFETIME_SECONDS": None,
    "EXPIRY_WINDOW_SECONDS": None,
    # A short cache, so a rotation shows in the next signed URL.
    "KEY_CACHE_TTL_SECONDS": "2",
    "PROPAGATION_MARGIN_SECONDS": "60",
    # The local edge reads the key group every 250 ms: a rotation switches signers at once.
    "ACTIVATION_DELAY_SECONDS": "0",
    "INDEX_DOCUMENT": "index.html",
    "KEY_ALGORITHM": "rsa2048",
    # SHA-256, the hash a KMS key signs with: the end-to-end test also signs through one.
    "HASH_ALGORITHM": "SHA256",
    # secret: each key pair's private key is a PEM in the secret; kms: the
    # key-rotator makes each key pair in the local KMS, and the url-signer
    # signs through kms:Sign (`make local SIGNING_KEY_SOURCE=kms`).
    "SIGNING_KEY_SOURCE": "secret",
}
# The roles the key-rotator names in each KMS key's policy, set in both modes
# as the template sets them: the local AWS enforces no IAM, so these only need
# to be well-formed role ARNs.
KMS_ROLES = {
    "KMS_SIGNER_ROLE_ARN": "arn:aws:iam::123456789012:role/local-url-signer",
    "KMS_ROTATOR_ROLE_ARN": "arn:aws:iam::123456789012:role/local-key-rotator",
}
# What the gallery shows on first run: generated, so nothing is downloaded.
DEMO_IMAGES = 6
OVERRIDE = "LOCAL_STACK_"


def settings(environ):
    """SETTINGS with the LOCAL_STACK_ overrides in `environ`. Refuses what is
    plainly wrong here, at once: a function refusing its setting fails its cold
    start, which the stack would only see as a function that never answers."""
    unknown = sorted(n for n in environ if n.startswith(OVERRIDE) and n[len(OVERRIDE):] not in SETTINGS)
    if unknown:
        raise SystemExit(f"unknown {', '.join(unknown)}; the local stack's settings are "
                         f"{', '.join(OVERRIDE + n for n in SETTINGS)}")
    values = {name: environ.get(OVERRIDE + name, default) for name, default in SETTINGS.items()}
    # Derived so that overriding one alone still starts: the url-signer wants
    # wildcard prefixes under the allowed ones, and the default lifetime within the maximum.
    if values["WILDCARD_PREFIXES"] is None:
        values["WILDCARD_PREFIXES"] = values["ALLOWED_PREFIXES"]
    for name, value in values.items():
        if name.endswith("_SECONDS") and value is not None and not value.isdigit():
            raise SystemExit(f"{OVERRIDE}{name}={value!r}: a whole number of seconds")
        # functions.env quotes each value in single quotes.
        if value is not None and ("'" in value or "\n" in value):
            raise SystemExit(f"{OVERRIDE}{name}: no quote or newline in a value")
    if values["SIGNING_KEY_SOURCE"] not in ("secret", "kms"):
        raise SystemExit(f"{OVERRIDE}SIGNING_KEY_SOURCE={values['SIGNING_KEY_SOURCE']!r}: secret or kms")
    # The template's rule: KMS signs with SHA-256 only.
    if values["SIGNING_KEY_SOURCE"] == "kms" and values["HASH_ALGORITHM"] != "SHA256":
        raise SystemExit(f"{OVERRIDE}HASH_ALGORITHM={values['HASH_ALGORITHM']!r}: "
                         f"SIGNING_KEY_SOURCE=kms signs with SHA256 only")
    if values["DEFAULT_LIFETIME_SECONDS"] is None:
        values["DEFAULT_LIFETIME_SECONDS"] = str(min(300, int(values["MAX_LIFETIME_SECONDS"])))
    # The template's default, within the maximum lifetime as the url-signer requires.
    if values["EXPIRY_WINDOW_SECONDS"] is None:
        values["EXPIRY_WINDOW_SECONDS"] = str(min(300, int(values["MAX_LIFETIME_SECONDS"])))
    return values


def log(message):
    print(f"local-stack: {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def signal_group(pgid, signum):
    """Signals a child's process group, which may outlive the child itself."""
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        pass


class Stack:
    def __init__(self):
        self.settings = settings(os.environ)
        # Said once, so a run with overrides is not mistaken for one without.
        overridden = [f"{name}={value}" for name, value in self.settings.items() if OVERRIDE + name in os.environ]
        if overridden:
            log(f"settings from {OVERRIDE}*: {', '.join(overridden)}")
        self.children = []
        self.stopping = threading.Event()
        WORK.mkdir(parents=True, exist_ok=True)
        CHILDREN.write_text("")
        # An earlier run's errors are not this one's.
        DELIVERY_ERRORS.unlink(missing_ok=True)
        self.delivery_errors = 0
        self.app = self.signer_front = None

    def spawn(self, args, log_name, **kwargs):
        log_file = open(WORK / log_name, "w")
        kwargs.setdefault("stdout", log_file)
        # Its own session, so Ctrl-C in the terminal reaches this script only
        # and stop() ends each child with everything it started.
        child = subprocess.Popen(args, stderr=log_file, start_new_session=True, **kwargs)
        self.children.append(child)
        # Each child leads a session and process group of its own pid; the
        # end-to-end test reads them to check that stop() left nothing behind.
        with CHILDREN.open("a") as children:
            children.write(f"{child.pid}\n")
        return child

    def stop(self):
        # A stop runs to its end: a second Ctrl-C, or the SIGTERM make passes
        # on to its child, must not cut it short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        self.stopping.set()
        STATE.unlink(missing_ok=True)
        for server in (self.app, self.signer_front):
            if server:
                server.https.stop()
        # Every group, even a child that already exited: what it started may
        # still run in its group.
        for child in self.children:
            signal_group(child.pid, signal.SIGTERM)
        for child in self.children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            # Whatever of the group outlived its leader (or 10 s) has had its chance.
            signal_group(child.pid, signal.SIGKILL)
            child.wait()

    def start_local_aws(self):
        server = self.spawn([str(ROOT / "tests/local-aws/start")], "local-aws.log", stdout=subprocess.PIPE, text=True)
        line = server.stdout.readline().strip()
        if not line.startswith("AWS_ENDPOINT_URL="):
            raise SystemExit(f"the local AWS did not start; see {WORK / 'local-aws.log'}")
        self.endpoint = line.split("=", 1)[1]
        self.aws = {s: client(s, self.endpoint) for s in ("s3", "sqs", "secretsmanager", "cloudfront")}

    def seed_before_functions(self):
        """What needs no function: the bucket, its notifications, the distribution, the empty secret."""
        s3, sqs, cloudfront = self.aws["s3"], self.aws["sqs"], self.aws["cloudfront"]
        s3.create_bucket(Bucket=BUCKET)
        s3.create_bucket(Bucket=RESPONSES_BUCKET)
        # Before the notifications: images the bucket held before the stack was
        # deployed, which no invalidation is owed for.
        for index in range(DEMO_IMAGES):
            # A day in the browser's cache, as an asset bucket would set it: a
            # repeat view with the same (stable) signed URLs downloads nothing.
            s3.put_object(Bucket=BUCKET, Key=f"gallery/demo-{index + 1}.png", ContentType="image/png",
                          CacheControl="max-age=86400", Body=demo_images.gradient(600, 400, index))
        dead = sqs.create_queue(QueueName=DEAD_LETTERS)["QueueUrl"]
        dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.queue = sqs.create_queue(
            QueueName=QUEUE,
            Attributes={
                "VisibilityTimeout": "30",
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": "5"}),
            },
        )["QueueUrl"]
        self.queue_arn = sqs.get_queue_attributes(QueueUrl=self.queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        s3.put_bucket_notification_configuration(
            Bucket=BUCKET,
            NotificationConfiguration={
                "QueueConfigurations": [
                    {"QueueArn": self.queue_arn, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}
                ]
            },
        )
        # Trusting the key group comes after the key-rotator creates it, as in the stack.
        distribution = cloudfront.create_distribution(DistributionConfig={
            "CallerReference": "local-stack",
            "Comment": "local stack",
            "Enabled": True,
            # As the template's distribution; the local edge offers viewers what it says.
            "HttpVersion": "http2and3",
            "Origins": {"Quantity": 1, "Items": [{
                "Id": "assets", "DomainName": f"{BUCKET}.s3.us-east-1.amazonaws.com",
                "S3OriginConfig": {"OriginAccessIdentity": ""},
            }]},
            "DefaultCacheBehavior": {
                "TargetOriginId": "assets", "ViewerProtocolPolicy": "https-only",
                "TrustedKeyGroups": {"Enabled": False, "Quantity": 0},
            },
        })["Distribution"]
        self.distribution_id = distribution["Id"]
        # As the template's secret: no value until the custom resource writes the first key.
        self.aws["secretsmanager"].create_secret(Name=KEY_SECRET_ID, Description="CloudFront signing key (local stack)")

    def build_functions(self):
        """Builds each function as `cargo lambda watch` will run it (one package at a
        time, so features unify as in its `cargo run`): the first invocation then
        starts at once, and its Lambda deadline covers the function's work only,
        as on AWS, not a compile. Then the local edge, which start_edge runs
        from TARGET itself (cargo lambda does not serve it), and cfsign, which
        `ctl verify` runs from there: ready before the first verify."""
        log(f"building {', '.join(FUNCTIONS)}, local-edge and cfsign (the first build takes minutes; "
            f"log: {WORK / 'build.log'})")
        with open(WORK / "build.log", "w") as build_log:
            for package in (*FUNCTIONS, "local-edge", "cfsign"):
                command = [os.environ.get("CARGO", "cargo"), "build", "--manifest-path", str(ROOT / "Cargo.toml"),
                           "--package", package, "--bin", package]
                # From ROOT: a relative CARGO_TARGET_DIR is where common.TARGET looks.
                if subprocess.run(command, stdout=build_log, stderr=build_log, cwd=ROOT).returncode != 0:
                    raise SystemExit(f"building {package} failed (log: {WORK / 'build.log'})")

    def start_edge(self):
        """The distribution's local CloudFront edge: HTTPS on a free loopback port
        (HTTP/3 on its UDP twin), following the distribution, its key groups and
        invalidations through the local AWS. It prints EDGE_URL and EDGE_CA_FILE
        once it serves; its log goes to edge.log."""
        env = {**os.environ, "AWS_ENDPOINT_URL": self.endpoint, "AWS_ACCESS_KEY_ID": "test",
               "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1"}
        args = [str(TARGET / "debug" / "local-edge"), "--distribution-id", self.distribution_id,
                "--certificates", str(WORK / "edge-ca")]
        edge = self.spawn(args, "edge.log", stdout=subprocess.PIPE, text=True, env=env)
        printed = dict(edge.stdout.readline().strip().partition("=")[::2] for _ in range(2))
        if not (printed.get("EDGE_URL") and printed.get("EDGE_CA_FILE")):
            raise SystemExit(f"the local edge did not start (printed {printed}); see {WORK / 'edge.log'}")
        self.edge_url, self.edge_ca_file = printed["EDGE_URL"], printed["EDGE_CA_FILE"]
        log(f"the local edge serves {self.distribution_id} at {self.edge_url} (log: {WORK / 'edge.log'})")

    def serve_functions(self):
        self.invoke_port = free_port()
        self.invoke_base = f"http://127.0.0.1:{self.invoke_port}"
        # The gallery: its app and the signer's HTTPS front on localhost, the
        # edge's host (cookies are kept per host, not per port), so the
        # signer's cookies reach the edge (app.py says why HTTPS).
        tls = localhost_tls(WORK / "edge-ca")
        self.signer_front = SignerFront(tls, f"{self.invoke_base}/lambda-url/url-signer")
        presigner = client("s3", by_name(self.endpoint))
        self.app = App(tls, self.aws["s3"], presigner, BUCKET, self.signer_front.url, self.edge_url)
        env = {
            "AWS_ENDPOINT_URL": self.endpoint, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_REGION": "us-east-1", "AWS_LAMBDA_LOG_LEVEL": "info",
            # url-signer: URLs for the local edge (localhost:PORT), which checks them
            # against its Host header, as CloudFront does against its domain.
            "DISTRIBUTION_DOMAIN": urllib.parse.urlsplit(self.edge_url).netloc, "KEY_SECRET_ID": KEY_SECRET_ID,
            # Its s3:// locators are served by the edge, as the template sets it.
            "CONTENT_BUCKET": BUCKET,
            # The gallery page's origin: it asks for cookies with credentials.
            "CORS_ORIGINS": self.app.origin,
            # key-rotator; the local AWS's pre-signed ResponseURLs are on loopback,
            # which only this setting (never set by the template) lets it answer.
            "KEY_GROUP_NAME": KEY_GROUP_NAME, "RESPONSE_URL_HOSTS": "loopback", **KMS_ROLES,
            # invalidator
            "INVALIDATION_TARGETS": json.dumps([{"bucket": BUCKET, "distribution_id": self.distribution_id}]),
            **self.settings,
        }
        env_file = WORK / "functions.env"
        env_file.write_text("".join(f"{k}='{v}'\n" for k, v in env.items()))
        args = [str(ROOT / "tests/tools/cargo-lambda"), "watch", "--invoke-address", "127.0.0.1",
                "--invoke-port", str(self.invoke_port), "--env-file", str(env_file),
                # How long an invoke may wait for its answer: the template's longest function timeout.
                "--timeout", "900"]
        self.spawn(args, "functions.log", cwd=ROOT)
        log(f"serving {', '.join(FUNCTIONS)} (log: {WORK / 'functions.log'})")

    def bootstrap(self):
        """The SigningKeys custom resource, answered through a pre-signed S3 URL as CloudFormation's."""
        s3, cloudfront = self.aws["s3"], self.aws["cloudfront"]
        url = s3.generate_presigned_url("put_object", Params={"Bucket": RESPONSES_BUCKET, "Key": "SigningKeys"}, ExpiresIn=7200)
        deadline = time.time() + 1800
        while True:
            try:
                invoke(self.invoke_base, "key-rotator", cloudformation_request("Create", url))
                break
            except (OSError, FunctionError) as e:
                if self.stopping.is_set() or time.time() > deadline:
                    raise SystemExit(f"the key-rotator did not answer: {e}")
                time.sleep(2)
        answer = json.loads(s3.get_object(Bucket=RESPONSES_BUCKET, Key="SigningKeys")["Body"].read())
        if answer["Status"] != "SUCCESS":
            raise SystemExit(f"the first key pair failed: {answer.get('Reason')}")
        self.key_group_id = answer["Data"]["KeyGroupId"]
        current = cloudfront.get_distribution_config(Id=self.distribution_id)
        config = current["DistributionConfig"]
        config["DefaultCacheBehavior"]["TrustedKeyGroups"] = {"Enabled": True, "Quantity": 1, "Items": [self.key_group_id]}
        cloudfront.update_distribution(Id=self.distribution_id, IfMatch=current["ETag"], DistributionConfig=config)

    def configure_rotation(self):
        """As the stack's RotationSchedule: rotation on, then Secrets Manager's
        check of the function, testSecret on a temporary AWSPENDING copy of the
        current value, removed after."""
        secrets = self.aws["secretsmanager"]
        secrets.rotate_secret(SecretId=KEY_SECRET_ID, RotationRules={"AutomaticallyAfterDays": 30}, RotateImmediately=False)
        token = str(uuid.uuid4())
        current = secrets.get_secret_value(SecretId=KEY_SECRET_ID)["SecretString"]
        secrets.put_secret_value(SecretId=KEY_SECRET_ID, ClientRequestToken=token, SecretString=current,
                                 VersionStages=["AWSPENDING"])
        invoke(self.invoke_base, "key-rotator", {"Step": "testSecret", "SecretId": KEY_SECRET_ID, "ClientRequestToken": token})
        secrets.update_secret_version_stage(SecretId=KEY_SECRET_ID, VersionStage="AWSPENDING", RemoveFromVersionId=token)

    def wait_for_signer(self):
        self.signer_url = f"{self.invoke_base}/lambda-url/url-signer"
        # A path it may sign: under the first allowed prefix.
        ready = self.settings["ALLOWED_PREFIXES"].split(",")[0].strip() + "ready"
        deadline = time.time() + 600
        while True:
            try:
                with urllib.request.urlopen(f"{self.signer_url}/sign?path={ready}", timeout=60) as response:
                    if response.status == 200:
                        return
            except OSError as e:
                if time.time() > deadline:
                    raise SystemExit(f"the url-signer did not answer: {e}")
            time.sleep(1)

    def wait_for_invalidator(self):
        """An S3 test event through the queue's shape, which the invalidator
        answers with no invalidation: it is built and answering."""
        record = {
            "messageId": str(uuid.uuid4()), "receiptHandle": "ready", "md5OfBody": "", "attributes": {},
            "messageAttributes": {}, "eventSource": "aws:sqs", "eventSourceARN": self.queue_arn, "awsRegion": "us-east-1",
            "body": json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": "2024-01-01T00:00:00.000Z",
                                "Bucket": BUCKET, "RequestId": "local-stack", "HostId": "local-stack"}),
        }
        deadline = time.time() + 600
        while True:
            try:
                answer = invoke(self.invoke_base, "invalidator", {"Records": [record]})
                break
            except (OSError, FunctionError) as e:
                if self.stopping.is_set() or time.time() > deadline:
                    raise SystemExit(f"the invalidator did not answer: {e}")
                time.sleep(2)
        if (answer or {}).get("batchItemFailures"):
            raise SystemExit(f"the invalidator failed an S3 test event: {answer}")

    def deliver_notifications(self):
        """The SQS event source mapping: batches of messages to the invalidator,
        deleting those it did not report as failed. It keeps delivering after
        an error, as the mapping would; each one is counted and shown."""
        while not self.stopping.is_set():
            try:
                self.deliver_batch()
            except Exception as e:
                # The local AWS stopping under us during a stop is not an error.
                if self.stopping.is_set():
                    return
                self.delivery_failed(e)
                time.sleep(1)

    def deliver_batch(self):
        sqs = self.aws["sqs"]
        messages = sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                       AttributeNames=["All"]).get("Messages", [])
        if not messages:
            return
        event = {"Records": [{
            "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
            "attributes": m.get("Attributes", {}), "messageAttributes": {}, "md5OfBody": m["MD5OfBody"],
            "eventSource": "aws:sqs", "eventSourceARN": self.queue_arn, "awsRegion": "us-east-1",
        } for m in messages]}
        try:
            answer = invoke(self.invoke_base, "invalidator", event) or {}
            failed = {f["itemIdentifier"] for f in answer.get("batchItemFailures", [])}
        except FunctionError as e:
            # The function's own failure, in functions.log: SQS redelivers, as on AWS.
            log(f"invalidator failed, the batch will be delivered again: {e}")
            return
        for m in messages:
            if m["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=self.queue, ReceiptHandle=m["ReceiptHandle"])
        log(f"delivered {len(messages)} notification(s) to the invalidator, {len(failed)} failed")

    def delivery_failed(self, error):
        """Logs the error as its traceback ends (where, and what) with how many
        so far, and writes the same to DELIVERY_ERRORS for the end-to-end test:
        without it a broken delivery shows there only as a timeout."""
        self.delivery_errors += 1
        where = traceback.extract_tb(error.__traceback__)[-1]
        what = traceback.format_exception_only(error)[-1].strip()
        line = (f"{self.delivery_errors} delivery error(s); the last: {what} "
                f"({pathlib.Path(where.filename).name}:{where.lineno} in {where.name})")
        log(line)
        DELIVERY_ERRORS.write_text(line + "\n")

    def announce(self):
        values = {
            "SIGNER_URL": self.signer_url, "AWS_ENDPOINT_URL": self.endpoint, "BUCKET": BUCKET,
            "DISTRIBUTION_ID": self.distribution_id, "KEY_GROUP_ID": self.key_group_id, "KEY_SECRET_ID": KEY_SECRET_ID,
            "EDGE_URL": self.edge_url, "EDGE_CA_FILE": self.edge_ca_file, "APP_URL": self.app.url,
        }
        STATE.write_text("".join(f"{k}={v}\n" for k, v in values.items()) + f"INVOKE_URL={self.invoke_base}\n")
        for name, value in values.items():
            print(f"{name}={value}")
        ctl = "tests/local-stack/ctl"
        print(f"""
Ready. In another shell, from the repository (the README lists more):
  set -a; source {STATE.relative_to(ROOT)}; set +a      # the names above, in your shell
  curl "$SIGNER_URL/sign?path=/images/cat.jpg"          # a signed URL, for the local edge
  {ctl} put images/cat.jpg                       # upload; {ctl} invalidations shows its invalidation
  URL="$(curl -s -o /dev/null -w '%{{redirect_url}}' "$SIGNER_URL/sign?path=/images/cat.jpg&redirect=1")"
  curl -i --cacert "$EDGE_CA_FILE" "$URL"                # through the edge: X-Cache: Miss from cloudfront, then Hit
  {ctl} verify "$URL"                            # cfsign verify with the key group's public keys
  COOKIES="$(curl -s -D - -o /dev/null -XPOST "$SIGNER_URL/sign" -d '{{"mode":"cookies","resource":"/images/*"}}' | grep -io '^set-cookie: [^;]*' | cut -d' ' -f2 | paste -sd ';')"
  curl -i --cacert "$EDGE_CA_FILE" -b "$COOKIES" "$EDGE_URL/images/cat.jpg"   # by signed cookies for /images/*
  {ctl} rotate                                   # a rotation as Secrets Manager runs it; {ctl} key-group shows the members
  {ctl} prune                                    # the scheduled prune
Open APP_URL in a browser for the gallery (trust EDGE_CA_FILE, which issued the app's, the API's and the edge's certificates).
Ctrl-C stops everything.""", flush=True)


def main():
    stack = Stack()
    signalled = False

    def stop(signum, _frame):
        # Once: make passes a SIGTERM to its process group on to its child, so
        # one `kill -TERM -PGID` arrives twice. No call between the test and
        # the set, where the second signal's handler could run.
        nonlocal signalled
        if signalled:
            return
        signalled = True
        log("stopping")
        sys.exit(0)  # to the cleanup below

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        stack.start_local_aws()
        stack.seed_before_functions()
        stack.build_functions()
        stack.start_edge()
        stack.serve_functions()
        stack.bootstrap()
        stack.configure_rotation()
        stack.wait_for_signer()
        stack.wait_for_invalidator()
        threading.Thread(target=stack.deliver_notifications, daemon=True).start()
        stack.signer_front.https.start()
        stack.app.https.start()
        stack.announce()
        while all(child.poll() is None for child in stack.children):
            time.sleep(1)
        log("a component stopped; stopping everything (logs in .tools/local-stack/)")
        sys.exit(1)
    except BaseException:  # SystemExit too: the one place the stack stops
        stack.stop()
        raise


if __name__ == "__main__":
    main()
