"""Check that the lock files still answer pyproject.toml: `make lint` runs this.

Each lock pins one set of dependencies: requirements.lock the product's (what `make install` installs),
requirements-demo.lock the product's and the `demo` extra's (`make run`), requirements-dev.lock the
product's and every extra's (`make test`, `make lint`). Every dependency of a lock's set must be pinned in
it at a version its specifier accepts, with hashes, and a package pinned in two locks must be pinned at
the same version. Otherwise `make` would install something other than what pyproject.toml asks for, or
the demo and the tests would run other versions than a district, and the fix is `make lock` (see
README.md, "Dependencies"). Runs offline: it reads the files and asks no package index.
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
# Each lock file and the extras whose dependencies it pins beside the product's (None: every extra).
LOCKS: dict[str, tuple[str, ...] | None] = {
    "requirements.lock": (),
    "requirements-demo.lock": ("demo",),
    "requirements-dev.lock": None,
}
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


def declared(pyproject: dict[str, object], extras: tuple[str, ...] | None) -> list[str]:
    """The product's dependencies and those of `extras` (None: every extra)."""
    project = pyproject["project"]
    assert isinstance(project, dict)
    optional = project.get("optional-dependencies", {})
    requirements = list(project.get("dependencies", []))
    for extra in optional if extras is None else extras:
        requirements.extend(optional[extra])
    return requirements


def problems(requirements: list[str], lock_text: str) -> list[str]:
    pins = locked(lock_text)
    found = []
    for raw in requirements:
        requirement = Requirement(raw)
        pin = pins.get(canonicalize_name(requirement.name))
        if pin is None:
            found.append(f"{requirement} is not in the lock")
        elif not requirement.specifier.contains(pin[0], prereleases=True):
            found.append(f"{requirement} but the lock pins {requirement.name}=={pin[0]}")
        elif not pin[1]:
            found.append(f"{requirement.name}=={pin[0]} has no hashes in the lock")
    return found


def disagreements(locks: dict[str, str]) -> list[str]:
    """Packages pinned at different versions in different locks."""
    versions: dict[str, dict[Version, list[str]]] = {}
    for name, text in locks.items():
        for package, (version, _) in locked(text).items():
            versions.setdefault(package, {}).setdefault(version, []).append(name)
    return [
        f"{package} is pinned at "
        + ", ".join(f"{version} in {' and '.join(names)}" for version, names in pins.items())
        for package, pins in sorted(versions.items())
        if len(pins) > 1
    ]


def main() -> int:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    texts = {name: (ROOT / name).read_text() for name in LOCKS}
    failed = False
    for name, extras in LOCKS.items():
        found = problems(declared(pyproject, extras), texts[name])
        if found:
            failed = True
            print(f"{name} does not match pyproject.toml; run `make lock`:", file=sys.stderr)
            for problem in found:
                print(f"  {problem}", file=sys.stderr)
    found = disagreements(texts)
    if found:
        failed = True
        print("the lock files disagree; run `make lock`:", file=sys.stderr)
        for problem in found:
            print(f"  {problem}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
