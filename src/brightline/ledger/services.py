"""Writes to the ledger. Other apps call `ledger_append` (or `ledger_append_many`) inside their own
transaction.

`ledger_append` locks the single LedgerHead row (SELECT ... FOR UPDATE on PostgreSQL; on SQLite every
transaction begins IMMEDIATE, so writers already queue), which makes sequence numbers gapless and unique
under any number of processes: the entry, its event record and the subtree hashes it completes commit
or roll back with the caller's own rows.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.db import transaction
from django.db.models import Field, Model
from django.utils import timezone

from brightline.ledger.canonical import canonical_json, iso_utc
from brightline.ledger.errors import LedgerError, LedgerUsageError
from brightline.ledger.keys import signing_key
from brightline.ledger.merkle import frontier_append, leaf_hash, pack, root_from_frontier, unpack
from brightline.ledger.models import (
    Checkpoint,
    Cosignature,
    EventRecord,
    LedgerEntry,
    LedgerHead,
    LedgerNode,
    Witness,
)
from brightline.ledger.notes import (
    KEY_NAME,
    NoteError,
    checkpoint_body,
    parse_checkpoint,
    parse_signature_line,
    sign_note,
    verify_cosignature,
)

# `request.submitted`, `item.decided`, `record_of_disclosures.entry_added`: dotted lower-case words.
EVENT_TYPE = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$")
EVENT_TYPE_MAX = 100
SUBJECT_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# Subject values are internal ids: integers, or short tokens such as a UUID. Never names or free text.
SUBJECT_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
SUBJECT_MAX_KEYS = 16
# A cosignature dated further ahead than this is refused: a witness's clock may drift, not leap.
COSIGNATURE_FUTURE_SECONDS = 600

P = ParamSpec("P")
R = TypeVar("R")
_HEAD = LedgerHead._meta.db_table
_RECORD = EventRecord._meta.db_table
_ENTRY = LedgerEntry._meta.db_table
_NODE = LedgerNode._meta.db_table
_INDEX = '"index"'  # a keyword in SQLite: always quoted


def _check_event_type(event_type: str) -> None:
    if (
        not isinstance(event_type, str)
        or len(event_type) > EVENT_TYPE_MAX
        or not EVENT_TYPE.match(event_type)
    ):
        raise ValueError(
            f"event_type {event_type!r}: expected dotted lower-case words such as 'request.submitted' "
            f"(at most {EVENT_TYPE_MAX} characters)"
        )


def _check_subject(subject: dict[str, int | str]) -> None:
    if not isinstance(subject, dict):
        raise TypeError("subject: a dict of id names to internal ids")
    if len(subject) > SUBJECT_MAX_KEYS:
        raise ValueError(f"subject: at most {SUBJECT_MAX_KEYS} ids")
    for key, value in subject.items():
        if not isinstance(key, str) or not SUBJECT_KEY.match(key):
            raise ValueError(
                f"subject key {key!r}: lower-case letters, digits and '_', starting with a letter"
            )
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError(f"subject[{key!r}]: an internal id (integer or short token)")
        if isinstance(value, int) and value < 0:
            raise ValueError(f"subject[{key!r}]: ids are not negative")
        if isinstance(value, str) and not SUBJECT_TOKEN.match(value):
            raise ValueError(
                f"subject[{key!r}]: a token of letters, digits and . _ : - (no spaces, at most 64); "
                "names and free text belong in the record"
            )


def _locked_head() -> LedgerHead:
    head = LedgerHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # The first append ever (or after a test flush). get_or_create survives a concurrent creator.
        LedgerHead.objects.get_or_create(pk=1)
        head = LedgerHead.objects.select_for_update().get(pk=1)
    return head


def _column(model: type[Model], name: str) -> Field[Any, Any]:
    field: Field[Any, Any] = model._meta.get_field(name)  # type: ignore[assignment]
    return field


@dataclass(frozen=True)
class LedgerEvent:
    """One state change to append: what `ledger_append` takes, for `ledger_append_many`."""

    event_type: str
    subject: dict[str, int | str]
    record: dict[str, Any]


@dataclass
class LeafBudget:
    """The number of leaves a padded block must come to (`ledger_padded`)."""

    leaves: int
    subject: dict[str, int | str]
    record: dict[str, Any]
    appended: int = field(default=0, init=False)

    def padding(self) -> list[LedgerEvent]:
        """The padding entries that bring what was appended to the budget (none when nothing was)."""
        if not self.appended:
            return []
        target = -(-self.appended // self.leaves) * self.leaves
        return [LedgerEvent(PADDING_EVENT, self.subject, self.record)] * (target - self.appended)


_budgets: ContextVar[tuple[LeafBudget, ...]] = ContextVar("brightline_ledger_budgets", default=())
PADDING_EVENT = "ledger.padding"


@contextmanager
def ledger_padded(*, leaves: int, subject: dict[str, int | str], record: dict[str, Any]) -> Iterator[None]:
    """Whatever the block appends comes to exactly `leaves` entries on the public log: the block's own
    entries, then `ledger.padding` entries (`subject` and `record` say for what) up to that number; a
    block that appends more is padded to the next multiple of `leaves`, one that appends nothing stays
    empty. Use it inside the caller's transaction, around a command whose number of entries would
    otherwise tell the public (and so a requester) a fact the district keeps: whether a student is
    enrolled, flagged, in foster care. The number must be a function of what the requester sent."""
    if leaves < 1:
        raise ValueError("leaves: at least 1")
    budget = LeafBudget(leaves, subject, record)
    token = _budgets.set((*_budgets.get(), budget))
    try:
        yield
        padding = budget.padding()
        if padding:
            ledger_append_many(padding)
    finally:
        _budgets.reset(token)


def ledger_append(*, event_type: str, subject: dict[str, int | str], record: dict[str, Any]) -> LedgerEntry:
    """Append one entry for a state change, in the caller's transaction.

    Must be called inside the caller's `transaction.atomic()` block, after the change itself (the head
    lock is then held only until commit). `subject` holds internal database ids only; `record` is the
    full event record (anything JSON-like, datetimes aware). The event type, subject and record are kept
    in EventRecord; the public entry holds only its index, the record's SHA-256 and the time.
    """
    return ledger_append_many([LedgerEvent(event_type, subject, record)])[0]


@dataclass
class _Batch:
    """The entries of one `ledger_batch`: numbered as they are appended (the head is locked at the first),
    written together when the batch ends."""

    first: int | None = None
    # One time for every leaf of the batch: the microseconds between leaves would tell what each was
    # (the gap after a student's record entry, the burst of padding at the end).
    time: dt.datetime | None = None
    frontier: list[bytes] = field(default_factory=list)
    entries: list[LedgerEntry] = field(default_factory=list)
    envelopes: list[bytes] = field(default_factory=list)
    completed: list[tuple[int, int, bytes]] = field(default_factory=list)


_batch: ContextVar[_Batch | None] = ContextVar("brightline_ledger_batch", default=None)


@contextmanager
def ledger_batch() -> Iterator[None]:
    """Every entry appended inside the block, by any app, through `ledger_append` or
    `ledger_append_many`, joins one batch: numbered in the order of the calls at once (each call
    returns its entries with their index), written together when the block ends, under one head lock,
    in one INSERT per table. A batch inside a batch joins the outer one. Use it inside the caller's
    `transaction.atomic()`, around a whole service: its state changes and their entries then commit
    together, in order, with no flush to remember. If the block raises, nothing is written (and the
    transaction rolls back)."""
    if _batch.get() is not None:
        yield
        return
    if not transaction.get_connection().in_atomic_block:
        raise LedgerUsageError(
            "ledger_batch must be used inside the caller's transaction.atomic() block, "
            "so that its entries commit or roll back with the changes they record"
        )
    batch = _Batch()
    token = _batch.set(batch)
    try:
        yield
        _batch_write(batch)
    finally:
        _batch.reset(token)


def ledger_batched(function: Callable[P, R]) -> Callable[P, R]:
    """Run a service inside one `ledger_batch` (under `transaction.atomic`, which must come first)."""

    @functools.wraps(function)
    def batched(*args: P.args, **kwargs: P.kwargs) -> R:
        with ledger_batch():
            return function(*args, **kwargs)

    return batched


def ledger_append_many(events: Sequence[LedgerEvent]) -> list[LedgerEntry]:
    """Append several entries, in this order, in the caller's transaction: what calling `ledger_append`
    for each in turn would write (consecutive indexes, the same leaves). Inside a `ledger_batch` they
    join it; outside one, they are a batch of their own, written at once. Same rules as
    `ledger_append`."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise LedgerUsageError(
            "ledger_append must be called inside the caller's transaction.atomic() block, "
            "so that the entry commits or rolls back with the change it records"
        )
    if not events:
        return []
    batch = _batch.get()
    if batch is None:
        with ledger_batch():
            return ledger_append_many(events)
    for budget in _budgets.get():
        budget.appended += len(events)
    envelopes: list[bytes] = []
    for event in events:
        _check_event_type(event.event_type)
        _check_subject(event.subject)
        if not isinstance(event.record, dict):
            raise TypeError("record: a dict")
        # What happened and to whom stays in the event record, which the district keeps: the public
        # leaf commits to it without naming the event type, the agency or the student.
        envelopes.append(
            canonical_json(
                {
                    "event_type": event.event_type,
                    "nonce": secrets.token_hex(16),
                    "record": event.record,
                    "subject": event.subject,
                }
            )
        )
    if batch.first is None:
        batch.first, batch.frontier = _head_locked(connection)
        batch.time = timezone.now()
    assert batch.time is not None
    now = batch.time
    entries: list[LedgerEntry] = []
    for event, envelope in zip(events, envelopes, strict=True):
        index = batch.first + len(batch.entries) + len(entries)
        data = canonical_json(
            {"index": index, "record_sha256": hashlib.sha256(envelope).hexdigest(), "time": iso_utc(now)}
        )
        leaf = leaf_hash(data)
        batch.completed.extend(frontier_append(batch.frontier, index, leaf))
        entry = LedgerEntry(
            index=index,
            appended_at=now,
            event_type=event.event_type,
            subject=event.subject,
            data=data,
            leaf_hash=leaf,
        )
        entry._state.adding = False
        entry._state.db = connection.alias
        entries.append(entry)
    batch.entries.extend(entries)
    batch.envelopes.extend(envelopes)
    return entries


def _head_locked(connection: Any) -> tuple[int, list[bytes]]:
    """Lock the head row until commit; the log's size and frontier."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT size, frontier FROM {_HEAD} WHERE id = 1{lock}")  # noqa: S608
        row = cursor.fetchone()
        if row is None:
            _locked_head()
            cursor.execute(f"SELECT size, frontier FROM {_HEAD} WHERE id = 1{lock}")  # noqa: S608
            row = cursor.fetchone()
    return int(row[0]), unpack(bytes(row[1]))


def _batch_write(batch: _Batch) -> None:
    """Write a batch's records, entries, subtree hashes and the new head."""
    if not batch.entries or batch.first is None:
        return
    connection = transaction.get_connection()
    entries, envelopes, first = batch.entries, batch.envelopes, batch.first

    def prep(model: type[Model], name: str, value: object) -> object:
        return _column(model, name).get_db_prep_save(value, connection)

    # Plain SQL on this path: every state change of every app passes through it, and the ORM's
    # per-statement overhead was most of an append's cost (see bench/bench_ledger.py).
    with connection.cursor() as cursor:
        records = [(prep(EventRecord, "canonical", envelope),) for envelope in envelopes]
        rows = [
            (
                entry.index,
                prep(LedgerEntry, "appended_at", entry.appended_at),
                entry.event_type,
                prep(LedgerEntry, "subject", entry.subject),
                prep(LedgerEntry, "data", entry.data),
                prep(LedgerEntry, "leaf_hash", entry.leaf_hash),
            )
            for entry in entries
        ]
        nodes = [
            (level, position, prep(LedgerNode, "hash", node)) for level, position, node in batch.completed
        ]
        head = [
            first + len(entries),
            prep(LedgerHead, "frontier", pack(batch.frontier)),
            prep(LedgerHead, "updated_at", entries[-1].appended_at),
        ]
        if connection.vendor == "postgresql" and len(entries) <= INSERT_CHUNK:
            record_ids = _write_in_one_statement(cursor, envelopes, records, rows, nodes, head)
        else:
            record_ids = _insert_records(cursor, envelopes, records)
            _insert_rows(
                cursor,
                f"INSERT INTO {_ENTRY} ({_INDEX}, appended_at, event_type, subject, data, leaf_hash, record_id)",
                [(*row, record_id) for row, record_id in zip(rows, record_ids, strict=True)],
            )
            _insert_rows(cursor, f"INSERT INTO {_NODE} (level, {_INDEX}, hash)", nodes)
            cursor.execute(
                f"UPDATE {_HEAD} SET size = %s, frontier = %s, updated_at = %s WHERE id = 1",  # noqa: S608
                head,
            )
    for entry, record_id in zip(entries, record_ids, strict=True):
        entry.record_id = record_id


def _write_in_one_statement(
    cursor: Any,
    envelopes: list[bytes],
    records: Sequence[Sequence[object]],
    rows: Sequence[Sequence[object]],
    nodes: Sequence[Sequence[object]],
    head: list[object],
) -> list[int]:
    """PostgreSQL: the records, the entries, the subtree hashes and the head in one statement (one
    round trip while the head is locked); the entries find their records by their bytes, since the
    order of RETURNING rows is not promised. Returns the record ids in the order given."""
    entry_marks = "(%s::bigint, %s::timestamptz, %s::varchar, %s::jsonb, %s::bytea, %s::bytea, %s::bytea)"
    sql = [
        f"WITH records AS (INSERT INTO {_RECORD} (canonical) VALUES {', '.join(['(%s)'] * len(records))} "  # noqa: S608
        "RETURNING id, canonical), ",
        f"entries AS (INSERT INTO {_ENTRY} ({_INDEX}, appended_at, event_type, subject, record_id, data, "  # noqa: S608
        "leaf_hash) SELECT v.i, v.t, v.e, v.s, records.id, v.d, v.h FROM (VALUES "
        f"{', '.join([entry_marks] * len(rows))}) AS v (i, t, e, s, c, d, h) "
        "JOIN records ON records.canonical = v.c), ",
    ]
    params: list[object] = [value for record in records for value in record]
    params += [
        value
        for (index, appended_at, event_type, subject, data, leaf), record in zip(rows, records, strict=True)
        for value in (index, appended_at, event_type, subject, record[0], data, leaf)
    ]
    if nodes:
        sql.append(
            f"nodes AS (INSERT INTO {_NODE} (level, {_INDEX}, hash) VALUES "  # noqa: S608
            f"{', '.join(['(%s, %s, %s)'] * len(nodes))}), "
        )
        params += [value for node in nodes for value in node]
    sql.append(
        f"head AS (UPDATE {_HEAD} SET size = %s, frontier = %s, updated_at = %s WHERE id = 1) "  # noqa: S608
        "SELECT id, canonical FROM records"
    )
    params += head
    cursor.execute("".join(sql), params)
    by_bytes = {bytes(canonical): int(record_id) for record_id, canonical in cursor.fetchall()}
    return [by_bytes[envelope] for envelope in envelopes]


# Rows per multi-row INSERT: well inside the bound parameters PostgreSQL and SQLite accept at once.
INSERT_CHUNK = 500


def _insert_rows(
    cursor: Any, insert: str, rows: Sequence[Sequence[object]], returning: str = ""
) -> list[Any]:
    """`insert` VALUES (...), (...): one statement per INSERT_CHUNK rows; the RETURNING rows if asked."""
    returned: list[Any] = []
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start : start + INSERT_CHUNK]
        marks = "(" + ", ".join(["%s"] * len(chunk[0])) + ")"
        cursor.execute(
            f"{insert} VALUES {', '.join([marks] * len(chunk))}{returning}",
            [value for row in chunk for value in row],
        )
        if returning:
            returned.extend(cursor.fetchall())
    return returned


def _insert_records(cursor: Any, envelopes: list[bytes], records: Sequence[Sequence[object]]) -> list[int]:
    """Insert the event records; their ids, in the order given."""
    insert = f"INSERT INTO {_RECORD} (canonical)"  # noqa: S608
    if not cursor.db.features.can_return_columns_from_insert:
        ids = []
        for record in records:
            cursor.execute(f"{insert} VALUES (%s)", record)
            ids.append(int(cursor.lastrowid))
        return ids
    # The order of RETURNING rows is not promised: match each id to its record by its bytes (unique:
    # every record carries its own random nonce).
    returned = _insert_rows(cursor, insert, records, " RETURNING id, canonical")
    by_bytes = {bytes(canonical): int(record_id) for record_id, canonical in returned}
    return [by_bytes[envelope] for envelope in envelopes]


@transaction.atomic
def checkpoint_sign(*, only_if_grown: bool = False) -> Checkpoint | None:
    """Sign a checkpoint of the log as it stands; with only_if_grown, only when it grew since the last.

    Returns None when nothing was signed. The head lock makes the size and root a committed state.
    """
    head = _locked_head()
    latest = Checkpoint.objects.order_by("-id").first()
    if only_if_grown and latest is not None and head.size <= latest.size:
        return None
    root = root_from_frontier(unpack(bytes(head.frontier)))
    origin = settings.LEDGER_ORIGIN
    note = sign_note(checkpoint_body(origin, head.size, root), origin, signing_key())
    return Checkpoint.objects.create(size=head.size, root_hash=root, note=note, signed_at=timezone.now())


@transaction.atomic
def witness_register(*, name: str, public_key: bytes) -> Witness:
    """Register an outside witness's Ed25519 cosigning key (32 raw bytes) under its key name."""
    if not KEY_NAME.match(name) or len(name) > 200:
        raise LedgerError("witness name: a key name without spaces or '+', such as witness.example.org/w1")
    if len(public_key) != 32:
        raise LedgerError("witness public key: 32 bytes of Ed25519 public key")
    try:
        Ed25519PublicKey.from_public_bytes(public_key)
    except ValueError:
        raise LedgerError("witness public key: not an Ed25519 public key") from None
    if Witness.objects.filter(name=name).exists():
        raise LedgerError(f"a witness named {name!r} is already registered")
    return Witness.objects.create(name=name, public_key=public_key, registered_at=timezone.now())


@transaction.atomic
def cosignature_accept(*, size: int, cosignature: str) -> Cosignature:
    """Verify a witness's cosignature/v1 line over our checkpoint of `size` and keep it.

    Raises LedgerError naming the problem. Sending the same line twice returns the stored one.
    """
    try:
        signature = parse_signature_line(cosignature.strip("\r\n") + "\n")
    except NoteError as error:
        raise LedgerError(f"cosignature: {error}") from None
    witness = Witness.objects.filter(name=signature.name).first()
    if witness is None:
        raise LedgerError(f"cosignature: no witness named {signature.name!r} is registered")
    checkpoint = Checkpoint.objects.filter(size=size).order_by("-id").first()
    if checkpoint is None:
        raise LedgerError(f"size: no checkpoint of tree size {size} has been signed")
    body = parse_checkpoint(checkpoint.note).body
    try:
        timestamp = verify_cosignature(body, signature, witness.name, bytes(witness.public_key))
    except NoteError as error:
        raise LedgerError(f"cosignature: {error}") from None
    if timestamp > time.time() + COSIGNATURE_FUTURE_SECONDS:
        raise LedgerError("cosignature: its timestamp is in the future")
    existing = Cosignature.objects.filter(checkpoint=checkpoint, witness=witness).first()
    if existing is not None:
        if existing.line == signature.line:
            return existing
        raise LedgerError(
            f"cosignature: witness {witness.name!r} already cosigned the checkpoint of size {size}"
        )
    return Cosignature.objects.create(
        checkpoint=checkpoint,
        witness=witness,
        timestamp=timestamp,
        line=signature.line,
        received_at=timezone.now(),
    )
