"""The bare ``sgreviews`` command (issue 21): ``--help`` needs no configuration, a
configuration the app refuses is one line on stderr and a non-zero exit, never a
traceback, and the checkout's ``.env`` written by ``make setup`` is read."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sgreviews.cli import load_local_environment
from sgreviews.settings import PROJECT_ROOT

SGREVIEWS = str(Path(sys.executable).parent / "sgreviews")


def _bare_environment(tmp_path: Path, **variables: str) -> dict[str, str]:
    """The shell of someone who exported nothing: no .env read, no SECRET_KEY."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SGREVIEWS_", "FLASK_")) and key not in ("SECRET_KEY",)
    }
    env.update(
        {
            "FLASK_SKIP_DOTENV": "1",
            "SGREVIEWS_INSTANCE_PATH": str(tmp_path / "instance"),
            **variables,
        }
    )
    return env


def _run(tmp_path: Path, *args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SGREVIEWS, *args],
        env=_bare_environment(tmp_path, **variables),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("args", [["--help"], ["reminders", "run", "--help"], ["db", "--help"]])
def test_help_needs_no_configuration(tmp_path: Path, args: list[str]) -> None:
    result = _run(tmp_path, *args, SGREVIEWS_ENV="production")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr == ""
    if args == ["--help"]:
        for command in ("deadline", "scheduler", "backup", "reminders", "import", "db", "run"):
            assert f"  {command} " in result.stdout


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"SGREVIEWS_ENV": "production"}, "SECRET_KEY is not set"),
        ({"SGREVIEWS_ENV": "staging"}, "SGREVIEWS_ENV must be one of"),
        ({"SGREVIEWS_ENV": "development", "SGREVIEWS_CONFIG_DIR": "/nowhere"}, "/nowhere"),
        (
            {"SGREVIEWS_ENV": "development", "SGREVIEWS_SIGN_IN_METHODS": "sso"},
            "needs the provider",
        ),
    ],
)
def test_a_configuration_error_is_one_line_and_fails(
    tmp_path: Path, variables: dict[str, str], named: str
) -> None:
    result = _run(tmp_path, "deadline", "lcspr", "2025-01-06", **variables)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert named in lines[0]


def test_the_local_env_file_fills_what_the_environment_lacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("SGREVIEWS_ENV=development\nSECRET_KEY=from-the-file\n")
    monkeypatch.delenv("FLASK_SKIP_DOTENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("SGREVIEWS_ENV", "testing")
    load_local_environment(env_file)
    assert os.environ["SECRET_KEY"] == "from-the-file"
    # What the environment already says wins over the file.
    assert os.environ["SGREVIEWS_ENV"] == "testing"


def test_a_command_works_bare_with_the_local_env_file(tmp_path: Path) -> None:
    """What `make setup` writes is enough for a command that builds the app."""
    env_file = tmp_path / "checkout.env"
    env_file.write_text("SGREVIEWS_ENV=development\nSECRET_KEY=a-local-key\n")
    code = (
        "from pathlib import Path; from sgreviews import cli; "
        f"cli.load_local_environment(Path({str(env_file)!r})); "
        "cli.build_cli().main(['deadline', 'lcspr', '2025-01-06'], prog_name='sgreviews')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=_bare_environment(tmp_path, FLASK_SKIP_DOTENV=""),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "2025" in result.stdout


def test_a_misspelt_key_in_sso_toml_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    sso = config / "sso.toml"
    sso.write_text(sso.read_text().replace("groups_claim", "group_claim"), encoding="utf-8")
    result = _run(
        tmp_path,
        "deadline",
        "lcspr",
        "2025-01-06",
        SGREVIEWS_ENV="development",
        SGREVIEWS_CONFIG_DIR=str(config),
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "sso.toml: unknown key 'group_claim'" in lines[0], result.stderr
