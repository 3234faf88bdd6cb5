"""tools/check_lock.py (run by ``make lint``): the lock names every dependency of
pyproject.toml at a version it accepts, and a dependency added without ``make lock`` is
named in the failure."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from sgreviews.settings import PROJECT_ROOT

pytestmark = pytest.mark.own_database  # no database: no per-test transaction either

TOOL = PROJECT_ROOT / "tools" / "check_lock.py"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_lock", TOOL)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_lock_is_in_step_with_pyproject() -> None:
    result = subprocess.run([sys.executable, str(TOOL)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (
        _tool().problems(PROJECT_ROOT / "pyproject.toml", PROJECT_ROOT / "requirements.lock") == []
    )


PYPROJECT = """
[project]
name = "x"
dependencies = ["flask==3.1.3", "psycopg[binary]==3.3.9", "newthing>=2"]
[project.optional-dependencies]
dev = ["pytest==9.2.0", "Moto[server]==5.2.5"]
"""
LOCK = """# header
flask==3.1.0 \\
    --hash=sha256:abc
psycopg==3.3.9 ; python_version >= '3.11' \\
    --hash=sha256:def
psycopg-binary==3.3.9
pytest==9.2.0
moto==5.2.5
"""


def test_a_dependency_missing_or_at_another_version_is_named(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "requirements.lock").write_text(LOCK)
    found = _tool().problems(tmp_path / "pyproject.toml", tmp_path / "requirements.lock")
    assert found == [
        "flask: pyproject.toml asks for ==3.1.3, requirements.lock pins 3.1.0",
        "newthing is in pyproject.toml but not in requirements.lock",
    ]
    result = subprocess.run(
        [
            sys.executable,
            str(TOOL),
            str(tmp_path / "pyproject.toml"),
            str(tmp_path / "requirements.lock"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "newthing is in pyproject.toml but not in requirements.lock" in result.stderr
    assert "Run `make lock`" in result.stderr


def test_a_missing_lock_fails(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    assert _tool().problems(tmp_path / "pyproject.toml", tmp_path / "nope.lock") == [
        "nope.lock is missing"
    ]
