"""One server for the session (through the `start` script), reset before each test."""

from collections.abc import Callable, Iterator

import boto3
import pytest
from botocore.config import Config
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from localserver import Admin, Server

# Seconds an invalidation stays InProgress unless a test says otherwise.
INVALIDATION_SECONDS = 0.5


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log_path = tmp_path_factory.mktemp("local-aws") / "server.log"
    with open(log_path, "wb") as log:
        server = Server(log=log, env={"LOCAL_AWS_INVALIDATION_SECONDS": str(INVALIDATION_SECONDS)})
        yield server
        server.stop()


@pytest.fixture(scope="session", autouse=True)
def aws_environment(server: Server) -> Iterator[None]:
    """What a function under test gets: the endpoint and dummy credentials."""
    with pytest.MonkeyPatch.context() as env:
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
            env.delenv(name, raising=False)
        for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
            env.setenv(name, "/dev/null")
        env.setenv("AWS_ENDPOINT_URL", server.endpoint)
        env.setenv("AWS_ACCESS_KEY_ID", "test")
        env.setenv("AWS_SECRET_ACCESS_KEY", "test")
        env.setenv("AWS_DEFAULT_REGION", "eu-west-1")
        yield


@pytest.fixture
def admin(server: Server) -> Admin:
    return Admin(server.endpoint)


@pytest.fixture(autouse=True)
def fresh_state(admin: Admin) -> None:
    admin.reset()  # also restores INVALIDATION_SECONDS, the server's setting at start


@pytest.fixture
def endpoint(server: Server) -> str:
    return server.endpoint


@pytest.fixture
def client() -> Callable[..., object]:
    """boto3 clients that surface the first error instead of retrying it
    (a test that wants the SDK's retries passes its own retries config)."""

    def make(service: str, region: str | None = None, **config: object) -> object:
        config.setdefault("retries", {"total_max_attempts": 1})
        if service == "s3":
            config.setdefault("s3", {"addressing_style": "path"})
        return boto3.client(service, region_name=region, config=Config(**config))

    return make


@pytest.fixture
def cloudfront(client: Callable[..., object]) -> object:
    return client("cloudfront")


def _pem(public_key: object) -> str:
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


@pytest.fixture(scope="session")
def rsa_pem() -> str:
    return _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key())


@pytest.fixture
def ec_pem() -> Callable[[], str]:
    """A new P-256 public key per call: cheap enough for quota tests."""
    return lambda: _pem(ec.generate_private_key(ec.SECP256R1()).public_key())
