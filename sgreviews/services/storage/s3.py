"""Files in an S3-compatible object store (AWS S3, or any server speaking its API): the
choice for several web nodes, since every node and the scheduler see the same files.

Credentials come from boto3's standard chain (``AWS_ACCESS_KEY_ID`` and
``AWS_SECRET_ACCESS_KEY``, ``AWS_PROFILE``, an instance or container role); the bucket,
prefix, endpoint, region and server-side encryption from ``SGREVIEWS_S3_*``
(``settings.StorageSettings``). Each store is one prefix of the bucket:
``<prefix>evidence/`` and ``<prefix>imports/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from typing import Any

from sgreviews.services.storage import MissingFile, StorageError, StoredFile, check_name
from sgreviews.settings import StorageSettings

MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound"})


def make_client(config: StorageSettings) -> Any:
    """A boto3 S3 client for the configured endpoint and region (imported here: only an S3
    deployment pays for loading boto3)."""
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3",
        endpoint_url=config.s3_endpoint_url or None,
        region_name=config.s3_region or None,
        config=Config(
            s3={"addressing_style": config.s3_addressing_style},
            retries={"max_attempts": 5, "mode": "standard"},
            connect_timeout=10,
            read_timeout=60,
        ),
    )


def _code(error: Exception) -> str:
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


class S3Store:
    def __init__(self, client: Any, config: StorageSettings, area: str) -> None:
        self.client = client
        self.bucket = config.s3_bucket
        self.prefix = config.s3_prefix + area
        self.encryption: dict[str, str] = {}
        if config.s3_sse != "none":
            self.encryption["ServerSideEncryption"] = config.s3_sse
            if config.s3_kms_key_id:
                self.encryption["SSEKMSKeyId"] = config.s3_kms_key_id

    @property
    def description(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def key(self, name: str) -> str:
        return self.prefix + check_name(name)

    def _fail(self, doing: str, name: str, error: Exception) -> StorageError:
        code = _code(error) or type(error).__name__
        return StorageError(f"could not {doing} {name} in {self.description}: {code}")

    def put(self, name: str, data: bytes) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.put_object(
                Bucket=self.bucket, Key=self.key(name), Body=data, **self.encryption
            )
        except (BotoCoreError, ClientError) as error:
            raise self._fail("write", name, error) from error

    def read(self, name: str) -> bytes:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.key(name))
            data: bytes = response["Body"].read()
        except ClientError as error:
            if _code(error) in MISSING_CODES:
                raise MissingFile(f"{name} is not in {self.description}") from error
            raise self._fail("read", name, error) from error
        except BotoCoreError as error:
            raise self._fail("read", name, error) from error
        return data

    def exists(self, name: str) -> bool:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(name))
        except ClientError as error:
            if _code(error) in MISSING_CODES:
                return False
            raise self._fail("look for", name, error) from error
        except BotoCoreError as error:
            raise self._fail("look for", name, error) from error
        return True

    def delete(self, name: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.key(name))
        except (BotoCoreError, ClientError) as error:
            raise self._fail("delete", name, error) from error

    def files(self) -> Iterator[StoredFile]:
        from botocore.exceptions import BotoCoreError, ClientError

        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", []):
                    name = item["Key"][len(self.prefix) :]
                    if "/" in name or not name:
                        continue
                    modified = item["LastModified"]
                    if modified.tzinfo is None:
                        modified = modified.replace(tzinfo=UTC)
                    yield StoredFile(name, int(item["Size"]), modified)
        except (BotoCoreError, ClientError) as error:
            raise self._fail("list", "the files", error) from error

    def versioning_status(self) -> str:
        """The bucket's versioning: ``Enabled``, ``Suspended`` or ``Disabled`` (never set)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self.client.get_bucket_versioning(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as error:
            raise self._fail("read the versioning of", self.bucket, error) from error
        return str(response.get("Status") or "Disabled")
