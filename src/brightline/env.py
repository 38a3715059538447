"""Strict readers for configuration from the environment.

A bad value stops start-up with a message naming the variable: a district that mistypes its
time zone or database URL should find out at once, not after a request was filed under the
wrong clock.
"""

from __future__ import annotations

import os
import secrets
import zoneinfo
from pathlib import Path


class ConfigurationError(Exception):
    """A variable in the environment has a value Bright Line cannot use."""


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name}: expected one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}: expected a whole number; got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ConfigurationError(f"{name}: must be at least {minimum}; got {value}")
    if maximum is not None and value > maximum:
        raise ConfigurationError(f"{name}: must be at most {maximum}; got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [part.strip() for part in raw.split(",")]
    if any(not item for item in items):
        raise ConfigurationError(f"{name}: a comma-separated list with no empty entries; got {raw!r}")
    return items


def env_timezone(name: str, default: str) -> str:
    raw = os.environ.get(name) or default
    try:
        zoneinfo.ZoneInfo(raw)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(
            f"{name}: unknown time zone {raw!r} (use an IANA name such as America/New_York)"
        ) from None
    return raw


def env_path(name: str, default: str) -> Path:
    raw = os.environ.get(name) or default
    return Path(raw).expanduser().resolve()


def secret_key(name: str, data_dir: Path, *, production: bool) -> str:
    """The secret key: from the environment, or in development generated once into the data dir."""
    raw = os.environ.get(name)
    if raw:
        if len(raw) < 32:
            raise ConfigurationError(f"{name}: must be at least 32 characters")
        return raw
    if production:
        raise ConfigurationError(f"{name}: required when BRIGHTLINE_PRODUCTION is on")
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(50)
    # Written with O_EXCL so two processes starting together cannot end up with different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value
