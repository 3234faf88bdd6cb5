"""``sgreviews storage check`` on both storages: the S3 one on moto's server over HTTP,
built by create_app from the SGREVIEWS_S3_* settings; a bucket that does not exist is one
line and exit status 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_test_app
from tests.s3 import S3Server

pytestmark = pytest.mark.own_database  # the app is built here, on no database


def test_local_storage_checks_out(tmp_path: Path) -> None:
    app = make_test_app("sqlite://", tmp_path)
    result = app.test_cli_runner().invoke(args=["storage", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"evidence: the folder {tmp_path / 'evidence'} can be written, read and deleted",
        f"staged imports: the folder {tmp_path / 'imports'} can be written, read and deleted",
    ]
    assert list((tmp_path / "evidence").iterdir()) == []  # the probe is gone


@pytest.mark.parametrize("versioned", [True, False])
def test_s3_storage_from_the_settings_checks_out(
    s3_server: S3Server, tmp_path: Path, versioned: bool
) -> None:
    bucket = s3_server.new_bucket(versioned=versioned)
    app = make_test_app("sqlite://", tmp_path, **s3_server.overrides(bucket, prefix="nscp"))
    assert app.extensions["sgreviews.storage"].kind == "s3"
    result = app.test_cli_runner().invoke(args=["storage", "check"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:2] == [
        f"evidence: s3://{bucket}/nscp/evidence/ can be written, read and deleted",
        f"staged imports: s3://{bucket}/nscp/imports/ can be written, read and deleted",
    ]
    if versioned:
        assert lines[2] == "bucket versioning: Enabled"
    else:
        assert lines[2].startswith("bucket versioning: Disabled (enabling it keeps")
    assert s3_server.keys(bucket) == set()


def test_a_missing_bucket_is_one_line_and_a_failure(s3_server: S3Server, tmp_path: Path) -> None:
    app = make_test_app(
        "sqlite://", tmp_path, **s3_server.overrides("sgreviews-never-created", prefix="")
    )
    result = app.test_cli_runner().invoke(args=["storage", "check"])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: Storage: could not write probe-"
        + result.output.split("probe-", 1)[1].split(" ", 1)[0]
        + " in s3://sgreviews-never-created/evidence/: NoSuchBucket"
    )
