"""The documented systemd pair (deploy/systemd/): each unit has what a deployment relies
on, runs a command this project really installs, and passes ``systemd-analyze verify``
where systemd's tools are installed (with the paths pointed at this checkout, since the
units name /opt/sgreviews)."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from sgreviews.settings import PROJECT_ROOT

pytestmark = pytest.mark.own_database  # no database: no per-test transaction either

UNITS = PROJECT_ROOT / "deploy" / "systemd"
INSTALLED_AT = "/opt/sgreviews"
WEB, SCHEDULER = "sgreviews-web.service", "sgreviews-scheduler.service"


def _read(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(UNITS / name)
    return parser


def _console_scripts() -> set[str]:
    return {entry.name for entry in entry_points(group="console_scripts")}


@pytest.mark.parametrize("name", [WEB, SCHEDULER])
def test_unit_has_what_a_deployment_relies_on(name: str) -> None:
    unit = _read(name)
    assert unit.sections() == ["Unit", "Service", "Install"]
    service = unit["Service"]
    for key in ("ExecStart", "EnvironmentFile", "User", "Restart", "WorkingDirectory"):
        assert service.get(key), f"{name} lacks {key}="
    assert service["User"] not in ("root", "0")
    assert service["EnvironmentFile"] == "/etc/sgreviews/sgreviews.env"
    assert service["Restart"] in ("on-failure", "always")
    assert service["WorkingDirectory"] == INSTALLED_AT
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    program, *_ = shlex.split(service["ExecStart"])
    assert program.startswith(f"{INSTALLED_AT}/.venv/bin/")
    assert Path(program).name in _console_scripts(), f"{program} is no installed console script"


def test_the_web_unit_runs_gunicorn_on_the_shipped_config_after_migrating() -> None:
    service = _read(WEB)["Service"]
    program, *arguments = shlex.split(service["ExecStart"])
    assert Path(program).name == "gunicorn"
    assert arguments[0] == "-c"
    config = Path(arguments[1].replace(INSTALLED_AT, str(PROJECT_ROOT)))
    assert config.is_file()
    assert 'wsgi_app = "sgreviews:create_app()"' in config.read_text()
    assert shlex.split(service["ExecStartPre"])[1:] == ["db", "upgrade"]


def test_the_scheduler_unit_runs_the_scheduler_command() -> None:
    from sgreviews.cli import build_cli

    service = _read(SCHEDULER)["Service"]
    program, *arguments = shlex.split(service["ExecStart"])
    assert Path(program).name == "sgreviews"
    assert arguments == ["scheduler"]
    assert "scheduler" in build_cli().list_commands(None)  # type: ignore[arg-type]
    assert "gunicorn" not in service["ExecStart"]


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze is not installed here; the key checks above still ran",
)
@pytest.mark.parametrize("name", [WEB, SCHEDULER])
def test_systemd_analyze_verify_accepts_the_unit(name: str, tmp_path: Path) -> None:
    text = (UNITS / name).read_text()
    # Pointed at this checkout, so the executables verify can check exist.
    text = text.replace(INSTALLED_AT, str(PROJECT_ROOT))
    text = text.replace("/etc/sgreviews/sgreviews.env", str(tmp_path / "sgreviews.env"))
    text = text.replace("User=sgreviews", "User=root").replace("Group=sgreviews", "Group=root")
    (tmp_path / "sgreviews.env").write_text("SGREVIEWS_ENV=production\n")
    (tmp_path / name).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / name)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr  # "ignoring" warnings are failures too
