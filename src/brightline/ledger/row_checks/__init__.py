"""Rows against the ledger: what the event records say about the rows people read, checked row by row.

The log check (`verification.verify_ledger`) proves that the entries and event records were not
changed. It cannot see a change made to the application's own tables behind the ledger's back: a
decision's rationale edited, a record-of-disclosures entry given another party, an item set to
"released". This pass reads every event record once, in index order, keeps what each registered check
asks for, and then lets each check compare the rows as they stand with what the ledger recorded. Every
row that differs is named by its model and primary key.

Only what an entry commits to is trusted: the event type and subject come from the event record (or,
for entries written before the leaf stopped naming them, from the leaf's data), never from the
`event_type` and `subject` columns, which this pass checks against them instead.

Checks are registered (`register`) by whoever owns the rows. The ledger imports no app above it: its
own checks of casework and disclosure rows (`row_checks.casework`, `row_checks.disclosures`) read the
models through `django.apps.apps.get_model` and are registered by the ledger's AppConfig.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import connection

from brightline.ledger.canonical import canonical_json
from brightline.ledger.models import EventRecord, LedgerEntry

BATCH = 8192
# Enough to name every row a realistic tampering touches; past it the rest are counted.
MAX_PROBLEMS = 10_000
# Canonical JSON sorts keys, so an event record (and an earlier-form leaf) starts with its event type.
EVENT_TYPE_PREFIX = b'{"event_type":"'


class Malformed(Exception):
    """An event record without the fields or types its event type writes: tampering, named by entry."""


@dataclass(frozen=True)
class CommittedEvent:
    """One ledger entry as its entry commits to it."""

    index: int
    event_type: str
    subject: dict[str, Any]
    record: dict[str, Any]


class RowCheck(Protocol):
    """One pass's check of some rows: `event` sees each committed event of the types it `wants`, in
    index order; `finish` then compares the rows and yields a message per row that differs."""

    def wants(self, event_type: str) -> bool: ...

    def event(self, event: CommittedEvent) -> None: ...

    def finish(self) -> Iterator[str]: ...

    def counts(self) -> dict[str, int]:
        """How many rows of each model were compared (for the command's summary)."""
        return {}


_REGISTERED: list[Callable[[], RowCheck]] = []


def register(factory: Callable[[], RowCheck]) -> None:
    """Add a check to every later `ledger verify`; `factory` makes a fresh one for each pass."""
    if factory not in _REGISTERED:
        _REGISTERED.append(factory)


def registered() -> list[Callable[[], RowCheck]]:
    return list(_REGISTERED)


@dataclass
class RowReport:
    entries: int = 0
    events: int = 0  # event records parsed for a check
    rows: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    more: int = 0  # problems past MAX_PROBLEMS, counted only
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)
        else:
            self.more += 1

    def messages(self) -> list[str]:
        tail = [f"… and {self.more} more rows that differ from the ledger"] if self.more else []
        return [*self.problems, *tail]


def _entries() -> Iterator[tuple[Any, ...]]:
    """(index, data, event record, event_type column, subject column) in index order, a batch at a time."""
    quote = connection.ops.quote_name
    index = quote("index")
    sql = (
        f"SELECT e.{index}, e.data, r.canonical, e.event_type, e.subject "  # noqa: S608
        f"FROM {LedgerEntry._meta.db_table} e LEFT JOIN {EventRecord._meta.db_table} r ON r.id = e.record_id "
        f"WHERE e.{index} >= %s ORDER BY e.{index} LIMIT %s"
    )
    position = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, [position, BATCH])
            batch = cursor.fetchall()
            if not batch:
                return
            yield from batch
            position = int(batch[-1][0]) + 1


def _bytes(value: object) -> bytes | None:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return None


def _event_type_at_start(raw: bytes) -> bytes | None:
    if not raw.startswith(EVENT_TYPE_PREFIX):
        return None
    end = raw.find(b'"', len(EVENT_TYPE_PREFIX))
    return None if end < 0 else raw[len(EVENT_TYPE_PREFIX) : end]


def _parse(index: int, event_type: str, data: bytes, record: bytes, legacy: bool) -> CommittedEvent:
    try:
        envelope = json.loads(record)
        leaf = json.loads(data) if legacy else envelope
    except (ValueError, UnicodeDecodeError) as error:
        raise Malformed(f"not JSON ({error})") from None
    if not isinstance(envelope, dict) or not isinstance(leaf, dict):
        raise Malformed("not a JSON object")
    subject, body = leaf.get("subject"), envelope.get("record")
    if not isinstance(subject, dict):
        raise Malformed("no subject object")
    if not isinstance(body, dict):
        raise Malformed("no record object")
    return CommittedEvent(index, event_type, subject, body)


def verify_rows(*, checks: list[RowCheck] | None = None) -> RowReport:
    """Read every event record once and compare the rows the registered checks cover with it."""
    started = time.perf_counter()
    report = RowReport()
    checks = [factory() for factory in _REGISTERED] if checks is None else checks
    routes: dict[bytes, tuple[str, list[RowCheck]]] = {}  # event type -> (its text, the checks that want it)
    for index, raw_data, raw_record, column_type, column_subject in _entries():
        report.entries += 1
        data, record = _bytes(raw_data), _bytes(raw_record)
        if data is None or record is None:
            # The log check names the entry; here: the rows it records cannot be checked against it.
            report.add(
                f"entry {index}: its data or event record cannot be read, so the rows it records go unchecked"
            )
            continue
        legacy = data.startswith(EVENT_TYPE_PREFIX)
        said = _event_type_at_start(data if legacy else record)
        if said is None:
            report.add(f"entry {index}: its event record names no event type")
            continue
        route = routes.get(said)
        if route is None:
            text = said.decode("utf-8", "replace")
            route = routes[said] = (text, [check for check in checks if check.wants(text)])
        event_type, wanting = route
        if column_type != event_type:
            report.add(
                f"entry {index}: its event_type column says {column_type!r}; it commits to {event_type!r}"
            )
        if not wanting:
            continue
        report.events += 1
        try:
            event = _parse(index, event_type, data, record, legacy)
        except Malformed as error:
            report.add(f"entry {index}: its {event_type} event record is malformed: {error}")
            continue
        if _column_subject(column_subject) != event.subject:
            report.add(f"entry {index}: its subject column differs from the subject it commits to")
        for check in wanting:
            try:
                check.event(event)
            except Malformed as error:
                report.add(f"entry {index}: its {event_type} event record is malformed: {error}")
            except (TypeError, ValueError, KeyError, AttributeError) as error:
                report.add(f"entry {index}: its {event_type} event record is malformed: {error!r}")
    for check in checks:
        try:
            for message in check.finish():
                report.add(message)
        except (ValueError, TypeError, AttributeError, KeyError) as error:
            # A value the ORM cannot even read back (SQLite keeps whatever it is given) is damage too.
            report.add(f"{type(check).__name__}: a row could not be read to compare it ({error!r})")
        report.rows.update(check.counts())
    report.seconds = time.perf_counter() - started
    return report


def _column_subject(value: object) -> object:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


# ---- reading event records: a missing field or a wrong type is Malformed, never a crash ----


def _field(record: dict[str, Any], key: str) -> Any:
    if key not in record:
        raise Malformed(f"{key} missing")
    return record[key]


def _wrong(key: str, expected: str, value: object) -> Malformed:
    return Malformed(f"{key}: expected {expected}, found {type(value).__name__}")


def integer(record: dict[str, Any], key: str) -> int:
    value = _field(record, key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong(key, "an integer", value)
    return value


def optional_integer(record: dict[str, Any], key: str) -> int | None:
    return None if record.get(key) is None else integer(record, key)


def text(record: dict[str, Any], key: str) -> str:
    value = _field(record, key)
    if not isinstance(value, str):
        raise _wrong(key, "text", value)
    return value


def boolean(record: dict[str, Any], key: str) -> bool:
    value = _field(record, key)
    if not isinstance(value, bool):
        raise _wrong(key, "true or false", value)
    return value


def sha256_hex(record: dict[str, Any], key: str) -> str:
    value = text(record, key)
    if len(value) != 64 or value.strip("0123456789abcdef"):
        raise Malformed(f"{key}: expected 64 lower-case hex digits")
    return value


def listed(record: dict[str, Any], key: str) -> list[Any]:
    value = _field(record, key)
    if not isinstance(value, list):
        raise _wrong(key, "a list", value)
    return value


def integers(record: dict[str, Any], key: str) -> list[int]:
    values = listed(record, key)
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _wrong(f"{key}[]", "an integer", value)
    return values


def texts(record: dict[str, Any], key: str) -> list[str]:
    values = listed(record, key)
    for value in values:
        if not isinstance(value, str):
            raise _wrong(f"{key}[]", "text", value)
    return values


def objects(record: dict[str, Any], key: str) -> list[dict[str, Any]]:
    values = listed(record, key)
    for value in values:
        if not isinstance(value, dict):
            raise _wrong(f"{key}[]", "an object", value)
    return values


def moment(record: dict[str, Any], key: str) -> dt.datetime:
    value = text(record, key)
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise Malformed(f"{key}: not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise Malformed(f"{key}: a time without its offset")
    return parsed


def json_sha256(value: Any) -> str:
    """SHA-256 of the canonical JSON (`ledger.canonical`) the apps hash their rows' content with
    (tests/test_row_checks.py holds them to each other). A value canonical JSON refuses (a float, a key
    that is not text) never matches: no service could have hashed it."""
    try:
        return hashlib.sha256(canonical_json(value)).hexdigest()
    except (TypeError, ValueError):
        return f"<{type(value).__name__} not canonical JSON>"


def text_sha256(value: object) -> str:
    """SHA-256 of a text column's UTF-8, as the services record it; a non-text value never matches."""
    if not isinstance(value, str):
        return f"<{type(value).__name__}>"
    return hashlib.sha256(value.encode()).hexdigest()


def differing(label: str, pk: object, fields: list[str], event: tuple[int, str]) -> str:
    """`casework.Decision 7: rationale, lawful_basis differ from ledger entry 41 (item.decided)`."""
    verb = "differs" if len(fields) == 1 else "differ"
    return f"{label} {pk}: {', '.join(fields)} {verb} from ledger entry {event[0]} ({event[1]})"
