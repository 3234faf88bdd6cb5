"""The one storage interface, on both kinds: a local folder and an S3-compatible bucket on
a real server (moto's, over HTTP). The same contract is asserted of both; the S3 side is
also checked from outside, through its own client (keys, prefix, encryption)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from sgreviews.clock import utcnow
from sgreviews.services.actions import staged_imports
from sgreviews.services.storage import FileStore, MissingFile, StorageError, build_storage
from sgreviews.services.storage.local import LocalStore
from sgreviews.services.storage.s3 import S3Store, make_client
from sgreviews.settings import ConfigurationError, Settings, storage_settings
from tests.s3 import S3Server

pytestmark = pytest.mark.own_database  # no database: no per-test transaction either


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FileStore]:
    if request.param == "local":
        yield LocalStore(tmp_path / "files")
        return
    server: S3Server = request.getfixturevalue("s3_server")
    config = storage_settings(server.overrides(server.new_bucket()))
    yield S3Store(make_client(config), config, "evidence/")


def test_a_file_goes_in_comes_out_and_is_deleted(store: FileStore) -> None:
    assert not store.exists("abc123")
    assert list(store.files()) == []
    store.put("abc123", b"%PDF-1.7 evidence")
    store.put("def456.csv", b"a,b\n")
    assert store.exists("abc123")
    assert store.read("abc123") == b"%PDF-1.7 evidence"
    listed = {item.name: item for item in store.files()}
    assert set(listed) == {"abc123", "def456.csv"}
    assert listed["abc123"].size == len(b"%PDF-1.7 evidence")
    assert abs(listed["abc123"].modified - utcnow()) < timedelta(minutes=5)
    store.put("abc123", b"replaced")
    assert store.read("abc123") == b"replaced"
    store.delete("abc123")
    assert not store.exists("abc123")
    with pytest.raises(MissingFile):
        store.read("abc123")
    store.delete("abc123")  # deleting what is gone is not an error
    assert [item.name for item in store.files()] == ["def456.csv"]


@pytest.mark.parametrize("name", ["../etc/passwd", "a/b", "", ".hidden", "a..b", "x" * 300])
def test_a_name_is_never_a_path(store: FileStore, name: str) -> None:
    with pytest.raises(StorageError, match="not a stored file name"):
        store.put(name, b"x")
    with pytest.raises(StorageError, match="not a stored file name"):
        store.read(name)


def test_s3_keys_sit_under_the_prefix_and_area_with_encryption(s3_server: S3Server) -> None:
    bucket = s3_server.new_bucket()
    settings = Settings.from_env(
        {
            "SGREVIEWS_ENV": "testing",
            "SECRET_KEY": "x",
            **s3_server.overrides(bucket, prefix="/council/sgreviews/", SGREVIEWS_S3_SSE="AES256"),
        }
    )
    storage = build_storage(settings)
    assert storage.kind == "s3"
    storage.evidence.put("e1", b"evidence")
    storage.imports.put("i1.csv", b"a,b")
    assert s3_server.keys(bucket) == {
        "council/sgreviews/evidence/e1",
        "council/sgreviews/imports/i1.csv",
    }
    head = s3_server.client().head_object(Bucket=bucket, Key="council/sgreviews/evidence/e1")
    assert head["ServerSideEncryption"] == "AES256"
    # Each store sees only its own area.
    assert [item.name for item in storage.evidence.files()] == ["e1"]
    assert [item.name for item in storage.imports.files()] == ["i1.csv"]
    assert storage.evidence.description == f"s3://{bucket}/council/sgreviews/evidence/"


def test_an_unreachable_bucket_is_a_storage_error_naming_it(s3_server: S3Server) -> None:
    config = storage_settings(s3_server.overrides("sgreviews-no-such-bucket"))
    store = S3Store(make_client(config), config, "evidence/")
    with pytest.raises(StorageError, match=r"sgreviews-no-such-bucket.*NoSuchBucket"):
        store.put("e1", b"x")
    with pytest.raises(StorageError, match="NoSuchBucket"):
        list(store.files())


def test_local_storage_is_the_default_in_the_instance_folder(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"SGREVIEWS_ENV": "testing", "SECRET_KEY": "x", "SGREVIEWS_INSTANCE_PATH": str(tmp_path)}
    )
    storage = build_storage(settings)
    assert storage.kind == "local"
    storage.evidence.put("e1", b"x")
    storage.imports.put("i1.csv", b"y")
    assert (tmp_path / "evidence" / "e1").read_bytes() == b"x"
    assert (tmp_path / "imports" / "i1.csv").read_bytes() == b"y"


def test_abandoned_staged_imports_are_purged_and_recent_ones_kept(store: FileStore) -> None:
    old = staged_imports.stage(store, "csv", b"a,b\n1,2\n")
    recent = staged_imports.stage(store, "xlsx", b"PK")
    store.put("not-a-token.txt", b"left alone")
    assert staged_imports.load(store, old) == b"a,b\n1,2\n"
    # Seen from two hours ahead with a one-hour limit, both are abandoned...
    later = utcnow() + timedelta(hours=2)
    report = staged_imports.purge_abandoned(store, timedelta(hours=3), later)
    assert (report.deleted, report.kept) == (0, 2)
    report = staged_imports.purge_abandoned(store, timedelta(hours=1), later)
    assert (report.deleted, report.kept) == (2, 0)
    assert staged_imports.load(store, old) is None
    assert staged_imports.load(store, recent) is None
    assert store.exists("not-a-token.txt")
    assert str(report) == "2 abandoned staged imports deleted, 0 recent kept"


def test_a_malformed_staged_token_loads_nothing(store: FileStore) -> None:
    store.put("secret.csv", b"x")
    assert staged_imports.load(store, "secret.csv") is None
    assert staged_imports.load(store, "../secret.csv") is None


BASE = {"SGREVIEWS_STORAGE": "s3", "SGREVIEWS_S3_BUCKET": "council-evidence"}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SGREVIEWS_STORAGE": "nfs"}, "SGREVIEWS_STORAGE must be local or s3"),
        ({"SGREVIEWS_STORAGE": "s3"}, "needs SGREVIEWS_S3_BUCKET"),
        ({**BASE, "SGREVIEWS_S3_BUCKET": "Bad_Bucket"}, "SGREVIEWS_S3_BUCKET must be"),
        ({**BASE, "SGREVIEWS_S3_PREFIX": "a b"}, "SGREVIEWS_S3_PREFIX may hold"),
        ({**BASE, "SGREVIEWS_S3_ENDPOINT_URL": "minio:9000"}, "must be an http"),
        ({**BASE, "SGREVIEWS_S3_SSE": "aes"}, "SGREVIEWS_S3_SSE must be one of"),
        ({**BASE, "SGREVIEWS_S3_KMS_KEY_ID": "k"}, "needs SGREVIEWS_S3_SSE=aws:kms"),
        ({**BASE, "SGREVIEWS_S3_ADDRESSING_STYLE": "x"}, "ADDRESSING_STYLE must be"),
        ({"SGREVIEWS_S3_BUCKET": "council-evidence"}, "SGREVIEWS_STORAGE is not s3"),
        ({"SGREVIEWS_STAGED_IMPORT_HOURS": "0"}, "SGREVIEWS_STAGED_IMPORT_HOURS must be"),
        ({"SGREVIEWS_STAGED_IMPORT_HOURS": "soon"}, "must be a whole number"),
    ],
)
def test_storage_settings_are_validated(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        storage_settings(env)


def test_storage_settings_read_every_variable() -> None:
    config = storage_settings(
        {
            **BASE,
            "SGREVIEWS_S3_PREFIX": "northshire/",
            "SGREVIEWS_S3_ENDPOINT_URL": "https://s3.example.gov.uk",
            "SGREVIEWS_S3_REGION": "eu-west-2",
            "SGREVIEWS_S3_SSE": "aws:kms",
            "SGREVIEWS_S3_KMS_KEY_ID": "alias/sgreviews",
            "SGREVIEWS_S3_ADDRESSING_STYLE": "path",
            "SGREVIEWS_STAGED_IMPORT_HOURS": "48",
        }
    )
    assert config.backend == "s3"
    assert config.s3_prefix == "northshire/"
    assert (config.s3_endpoint_url, config.s3_region) == ("https://s3.example.gov.uk", "eu-west-2")
    assert (config.s3_sse, config.s3_kms_key_id) == ("aws:kms", "alias/sgreviews")
    assert config.s3_addressing_style == "path"
    assert config.staged_import_hours == 48
    assert storage_settings({}).backend == "local"
    assert storage_settings({}).staged_import_hours == 24
