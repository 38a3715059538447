"""Canonical JSON: the one byte encoding of event records and ledger leaves.

Keys sorted by Unicode code point, no whitespace, UTF-8 (non-ASCII characters written as themselves),
aware datetimes as ISO 8601 UTC with microseconds and a `Z` (`2026-03-01T14:05:09.000000Z`), dates as
`YYYY-MM-DD`, Decimal and UUID as strings. Floats are refused: their text form differs between
languages, and a verifier in another language must produce the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

UTC = dt.UTC


def iso_utc(value: dt.datetime) -> str:
    """An aware datetime as `YYYY-MM-DDTHH:MM:SS.ffffffZ` in UTC."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: the ledger stores only aware times (USE_TZ)")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _plain(value: Any, path: str) -> Any:
    # bool before int: True is an int in Python but a JSON literal here.
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        raise TypeError(f"{path}: floats are not allowed in ledger records; use a string or an integer")
    if isinstance(value, dt.datetime):
        return iso_utc(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        plain: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path}: keys must be strings; got {key!r}")
            plain[key] = _plain(item, f"{path}.{key}")
        return plain
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        return [_plain(item, f"{path}[{position}]") for position, item in enumerate(value)]
    raise TypeError(f"{path}: {type(value).__name__} cannot be written to the ledger")


def canonical_json(value: Any) -> bytes:
    """The canonical bytes of a JSON-compatible value (see the module docstring)."""
    return json.dumps(
        _plain(value, "record"), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")
