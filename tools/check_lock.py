"""Is requirements.lock in step with pyproject.toml? (``make lint``; offline, no resolver.)

Every dependency pyproject.toml names (the runtime list and every extra) must be pinned in
the lock, at a version its specifier accepts. A dependency added without running
``make lock`` fails here, naming it, instead of failing later on a machine that installs
from the lock. Exit status 0 when in step, 1 otherwise.

    python tools/check_lock.py [pyproject.toml] [requirements.lock]
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

try:
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name
    from packaging.version import InvalidVersion, Version
except ImportError:  # a bare virtual environment (before `make setup`): pip's own copy
    from pip._vendor.packaging.requirements import InvalidRequirement, Requirement
    from pip._vendor.packaging.utils import canonicalize_name
    from pip._vendor.packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def declared(pyproject: Path) -> list[Requirement]:
    project = tomllib.loads(pyproject.read_text())["project"]
    lines = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        lines += extra
    return [Requirement(line) for line in lines]


def pinned(lock: Path) -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in lock.read_text().splitlines():
        match = PIN.match(line)
        if match:
            pins[canonicalize_name(match.group(1))] = Version(match.group(2))
    return pins


def problems(pyproject: Path, lock: Path) -> list[str]:
    if not lock.is_file():
        return [f"{lock.name} is missing"]
    try:
        requirements = declared(pyproject)
        pins = pinned(lock)
    except (InvalidRequirement, InvalidVersion, KeyError, tomllib.TOMLDecodeError) as error:
        return [f"cannot read the dependencies: {error}"]
    found = []
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        if name not in pins:
            found.append(f"{requirement.name} is in pyproject.toml but not in {lock.name}")
        elif not requirement.specifier.contains(pins[name], prereleases=True):
            found.append(
                f"{requirement.name}: pyproject.toml asks for {requirement.specifier}, "
                f"{lock.name} pins {pins[name]}"
            )
    return found


def main(arguments: list[str]) -> int:
    pyproject = Path(arguments[0]) if arguments else ROOT / "pyproject.toml"
    lock = Path(arguments[1]) if len(arguments) > 1 else ROOT / "requirements.lock"
    found = problems(pyproject, lock)
    for problem in found:
        print(f"{lock.name} is out of date: {problem}", file=sys.stderr)
    if found:
        print("Run `make lock` and commit requirements.lock.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
