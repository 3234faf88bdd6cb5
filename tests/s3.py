"""A real S3-compatible server for the tests: moto's server (``moto_server``) in its own
process on a free port, spoken to over HTTP by boto3 exactly as production speaks to S3.
Never moto's in-process ``mock_aws``: the requests, signatures and responses go over the
wire."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The credentials boto3 takes from the standard AWS variables (moto accepts any).
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "sgreviews-test-key",
    "AWS_SECRET_ACCESS_KEY": "sgreviews-test-secret",
    "AWS_DEFAULT_REGION": "eu-west-2",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class S3Server:
    endpoint: str
    process: subprocess.Popen[bytes]

    def client(self) -> Any:
        import boto3

        return boto3.session.Session(
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            region_name=CREDENTIALS["AWS_DEFAULT_REGION"],
        ).client("s3", endpoint_url=self.endpoint)

    def new_bucket(self, *, versioned: bool = False) -> str:
        name = f"sgreviews-test-{secrets.token_hex(6)}"
        client = self.client()
        client.create_bucket(
            Bucket=name,
            CreateBucketConfiguration={"LocationConstraint": CREDENTIALS["AWS_DEFAULT_REGION"]},
        )
        if versioned:
            client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        return name

    def keys(self, bucket: str) -> set[str]:
        response = self.client().list_objects_v2(Bucket=bucket)
        return {item["Key"] for item in response.get("Contents", [])}

    def overrides(self, bucket: str, prefix: str = "sgreviews", **extra: str) -> dict[str, str]:
        """The settings of an app storing into ``bucket`` on this server."""
        return {
            "SGREVIEWS_STORAGE": "s3",
            "SGREVIEWS_S3_BUCKET": bucket,
            "SGREVIEWS_S3_PREFIX": prefix,
            "SGREVIEWS_S3_ENDPOINT_URL": self.endpoint,
            "SGREVIEWS_S3_REGION": CREDENTIALS["AWS_DEFAULT_REGION"],
            **extra,
        }


def start_s3_server(log: Path) -> S3Server:
    command = shutil.which("moto_server", path=str(Path(sys.executable).parent))
    assert command, "moto_server is missing: install the dev extra (moto[server])"
    port = _free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [command, "-H", "127.0.0.1", "-p", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2):
                break
        except (urllib.error.URLError, ConnectionError, OSError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(
                    f"moto_server did not start on {endpoint}: {log.read_text()[-2000:]}"
                ) from None
            time.sleep(0.2)
    return S3Server(endpoint, process)


def stop_s3_server(server: S3Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def set_credentials() -> dict[str, str | None]:
    """Put the test credentials in the environment (boto3 reads them there); returns what
    to put back."""
    previous = {name: os.environ.get(name) for name in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    return previous


def restore_environment(previous: dict[str, str | None]) -> None:
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
