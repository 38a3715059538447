"""Check that requirements.lock still answers pyproject.toml: `make lint` runs this.

Every dependency pyproject.toml declares, the runtime ones and every extra's, must be pinned in the lock
at a version its specifier accepts, with hashes. Otherwise `make install` would install something other
than what pyproject.toml asks for, and the fix is `make lock` (see README.md, "Dependencies").
Runs offline: it reads the two files and asks no package index.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)")


def locked(text: str) -> dict[str, tuple[Version, bool]]:
    """Name → (pinned version, whether hashes follow) for each pin of a lock file."""
    pins: dict[str, tuple[Version, bool]] = {}
    lines = text.splitlines()
    for number, line in enumerate(lines):
        match = PIN.match(line)
        if match:
            following = lines[number + 1] if number + 1 < len(lines) else ""
            hashed = "--hash=" in line or following.strip().startswith("--hash=")
            pins[canonicalize_name(match["name"])] = (Version(match["version"]), hashed)
    return pins


def problems(pyproject: dict[str, object], lock_text: str) -> list[str]:
    project = pyproject["project"]
    assert isinstance(project, dict)
    declared = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        declared.extend(extra)
    pins = locked(lock_text)
    found = []
    for raw in declared:
        requirement = Requirement(raw)
        pin = pins.get(canonicalize_name(requirement.name))
        if pin is None:
            found.append(f"{requirement} is not in the lock")
        elif not requirement.specifier.contains(pin[0], prereleases=True):
            found.append(f"{requirement} but the lock pins {requirement.name}=={pin[0]}")
        elif not pin[1]:
            found.append(f"{requirement.name}=={pin[0]} has no hashes in the lock")
    return found


def main() -> int:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    found = problems(pyproject, (ROOT / "requirements.lock").read_text())
    if found:
        print("requirements.lock does not match pyproject.toml; run `make lock`:", file=sys.stderr)
        for problem in found:
            print(f"  {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
