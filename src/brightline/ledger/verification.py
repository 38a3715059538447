"""`brightline ledger verify`: recompute the whole tree from the stored rows and check every checkpoint.

Checks, for entry p (counting from 0): a row with index p exists; its data is a canonical leaf (the
exact JSON `ledger_append` writes) naming index p; SHA-256 of its event record's bytes equals the
leaf's record_sha256; the stored leaf hash equals SHA-256(0x00 ‖ data). Then every stored checkpoint's
signature and root hash against the tree recomputed at its size, every stored cosignature, and the
head row.

Memory stays flat: rows are read in index order in batches and a chunk's leaf hashes are the most kept.
The log is cut into aligned chunks of CHUNK leaves; each chunk is hashed on its own (in worker processes
when the database is a file or a server) and the chunk roots are folded in order.

Each chunk is first checked a batch at a time (`batches.check_batch`, compiled when it was built), and
its interior nodes hashed a level at a time. Only a chunk where something does not check out is gone
through again entry by entry, to name the place.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from django.db import connection, connections

from brightline.ledger.batches import CANONICAL_LEAF, Row, check_batch, node_level
from brightline.ledger.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    frontier_levels,
    leaf_hash,
    node_hash,
    root_from_frontier,
    unpack,
)
from brightline.ledger.models import Checkpoint, Cosignature, EventRecord, LedgerEntry, LedgerHead
from brightline.ledger.notes import (
    NoteError,
    VerifierKey,
    parse_checkpoint,
    parse_signature_line,
    verify_cosignature,
    verify_note_signature,
)

CHUNK = 1 << 16
BATCH = 8192
MAX_PROBLEMS = 50

_PLACEHOLDER = bytes(32)  # stands for a missing leaf so that later positions keep their place


@dataclass
class ChunkResult:
    start: int
    end: int
    pieces: list[bytes]  # the perfect subtree roots of [start, end), largest first
    partial: dict[int, list[bytes]]  # for a size s in (start, end]: the perfect subtree roots of [start, s)
    problems: list[tuple[int, str]]


@dataclass
class Report:
    entries: int = 0
    root: bytes = EMPTY_ROOT
    checkpoints: int = 0
    cosignatures: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def messages(self) -> list[str]:
        return [message for _, message in sorted(self.problems, key=lambda problem: problem[0])]


def _batches(start: int, end: int) -> Iterator[list[Row]]:
    entry_table = LedgerEntry._meta.db_table
    record_table = EventRecord._meta.db_table
    quote = connection.ops.quote_name
    sql = (
        f"SELECT e.{quote('index')}, e.data, e.leaf_hash, r.canonical FROM {entry_table} e "  # noqa: S608
        f"LEFT JOIN {record_table} r ON r.id = e.record_id "
        f"WHERE e.{quote('index')} >= %s AND e.{quote('index')} < %s ORDER BY e.{quote('index')} LIMIT %s"
    )
    position = start
    with connection.cursor() as cursor:
        while position < end:
            cursor.execute(sql, [position, end, BATCH])
            batch = cursor.fetchall()
            if not batch:
                return
            yield batch
            position = int(batch[-1][0]) + 1


def _rows(start: int, end: int) -> Iterator[Row]:
    for batch in _batches(start, end):
        yield from batch


def verify_chunk(start: int, end: int, sizes: Sequence[int]) -> ChunkResult:
    """Check entries start..end-1 and hash them; `start` is a multiple of a power of two >= end - start."""
    # Nothing here makes reference cycles, and the cyclic collector, woken by the many row tuples,
    # would cost more than the hashing: it rests for the chunk.
    collecting = gc.isenabled()
    gc.disable()
    try:
        result = _verify_chunk_in_batches(start, end, sizes)
        if result is None:
            result = _verify_chunk_by_entry(start, end, sizes)
    finally:
        if collecting:
            gc.enable()
    return result


def _verify_chunk_in_batches(start: int, end: int, sizes: Sequence[int]) -> ChunkResult | None:
    """The chunk's result when every entry checks out; None at the first batch where one does not."""
    leaves = bytearray()
    position = start
    for batch in _batches(start, end):
        checked = check_batch(batch, position)
        if checked is None:
            return None
        leaves += checked
        position += len(batch)
    if position != end:
        return None
    return _chunk_tree(start, end, bytes(leaves), sizes)


def _chunk_tree(start: int, end: int, leaves: bytes, sizes: Sequence[int]) -> ChunkResult:
    """The perfect subtree roots of [start, end) and of [start, s) for each wanted s, from the leaf hashes."""
    levels = [leaves]
    while len(levels[-1]) >= 2 * HASH_SIZE:
        levels.append(node_level(levels[-1]))

    def pieces(count: int) -> list[bytes]:
        found, offset = [], 0
        for level in frontier_levels(count):
            at = (offset >> level) * HASH_SIZE
            found.append(levels[level][at : at + HASH_SIZE])
            offset += 1 << level
        return found

    partial = {size: pieces(size - start) for size in sizes if start < size <= end}
    return ChunkResult(start, end, pieces(end - start), partial, [])


def _verify_chunk_by_entry(start: int, end: int, sizes: Sequence[int]) -> ChunkResult:
    """The same checks entry by entry, naming every problem (up to MAX_PROBLEMS)."""
    match = CANONICAL_LEAF.fullmatch
    problems: list[tuple[int, str]] = []
    leaves = bytearray()  # a missing entry's place holds _PLACEHOLDER so that later ones keep theirs
    position = start
    deferred: tuple[int, int] | None = None  # (p, d): entry p's data says d = p + 1; is p + 1 holding p?

    def problem(at: int, message: str) -> None:
        if len(problems) < MAX_PROBLEMS:
            problems.append((at, message))

    for stored_index, raw_data, raw_leaf, raw_record in _rows(start, end):
        if stored_index != position:
            problem(position, f"entry {position} missing")
            leaves += _PLACEHOLDER * (stored_index - position)
            position = stored_index
        data, stored_leaf, record = _bytes(raw_data), _bytes(raw_leaf), _bytes(raw_record)
        for value, raw, what in ((data, raw_data, "data"), (stored_leaf, raw_leaf, "leaf hash")):
            if value is None:
                problem(position, f"entry {position}: its {what} is {_not_bytes(raw)}")
        if record is None and raw_record is not None:
            problem(position, f"entry {position}: its event record is {_not_bytes(raw_record)}")
        leaf = _PLACEHOLDER if data is None else leaf_hash(data)
        found = None if data is None else match(data)
        if found is None:
            if data is not None:
                problem(position, f"entry {position}: its data is not a canonical ledger leaf")
        elif deferred is not None or int(found["index"]) != position:
            deferred = _misplaced(position, int(found["index"]), deferred, problem)
        elif raw_record is None:
            problem(position, f"entry {position}: its event record is missing")
        elif record is not None and hashlib.sha256(record).hexdigest().encode() != found["record"]:
            problem(position, f"entry {position}: record hash does not match its event record")
        if stored_leaf is not None and data is not None and stored_leaf != leaf:
            problem(position, f"entry {position}: its stored leaf hash does not match its data")
        leaves += leaf
        position += 1
    if deferred is not None:
        problem(deferred[0], f"entry {deferred[0]} missing (its place holds entry {deferred[1]})")
    if position < end:
        problem(position, f"entry {position} missing")
        leaves += _PLACEHOLDER * (end - position)
    result = _chunk_tree(start, end, bytes(leaves), sizes)
    result.problems.extend(problems)
    return result


def _bytes(value: object) -> bytes | None:
    """The bytes of a binary column's value; None for anything else (SQLite keeps text, numbers, NULL)."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return None


def _not_bytes(value: object) -> str:
    if value is None:
        return "missing"
    return f"not bytes ({type(value).__name__} stored where bytes are expected)"


def _misplaced(
    position: int, said: int, deferred: tuple[int, int] | None, problem: Callable[[int, str], None]
) -> tuple[int, int] | None:
    """Name an entry whose data says another index; returns what to remember for the next entry.

    Two neighbours swapped read as `entries 5 and 6 out of order`; an erased entry (with or without the
    later ones renumbered) as `entry 17 missing`. A leaf out of its place has its record compared nowhere:
    it is already named.
    """
    if deferred is not None:
        if said == deferred[0]:
            problem(deferred[0], f"entries {deferred[0]} and {position} out of order")
            return None
        problem(deferred[0], f"entry {deferred[0]} missing (its place holds entry {deferred[1]})")
    if said == position:
        return None
    if said == position + 1:
        return (position, said)
    if said > position:
        problem(position, f"entry {position} missing (its place holds entry {said})")
    else:
        problem(position, f"entry {position}: its data says index {said}")
    return None


def _verify_chunk_in_worker(task: tuple[int, int, list[int]]) -> ChunkResult:
    return verify_chunk(*task)


def _can_fork() -> bool:
    settings = connection.settings_dict
    in_memory = connection.vendor == "sqlite" and bool(connection.is_in_memory_db())  # type: ignore[attr-defined]
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and not in_memory
        and not connection.in_atomic_block
        and bool(settings.get("NAME"))
    )


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _chunk_results(size: int, sizes: Sequence[int], workers: int, chunk: int) -> Iterator[ChunkResult]:
    tasks = []
    for start in range(0, size, chunk):
        end = min(start + chunk, size)
        tasks.append((start, end, [s for s in sizes if start < s <= end]))
    if workers > 1 and len(tasks) > 1 and _can_fork():
        # Children open their own connections; none may inherit ours.
        connections.close_all()
        context = multiprocessing.get_context("fork")
        with context.Pool(min(workers, len(tasks))) as pool:
            yield from pool.imap(_verify_chunk_in_worker, tasks)
    else:
        for task in tasks:
            yield verify_chunk(*task)


def verify_ledger(*, key: VerifierKey | None, workers: int = 1, chunk: int = CHUNK) -> Report:
    """Recompute the tree from the stored entries and records; check checkpoints, cosignatures, head.

    `key` is the log's verifier key (None when no key exists: then any stored checkpoint is a problem).
    `chunk`, a power of two, is how many leaves one worker hashes at a time.
    """
    if chunk < 1 or chunk & (chunk - 1):
        raise ValueError("chunk: a power of two")
    report = Report()
    last = LedgerEntry.objects.order_by("-index").values_list("index", flat=True).first()
    size = 0 if last is None else int(last) + 1
    report.entries = size
    checkpoints = list(Checkpoint.objects.order_by("id").values_list("id", "size", "root_hash", "note"))
    report.checkpoints = len(checkpoints)
    sizes = sorted({int(row[1]) for row in checkpoints})
    head = LedgerHead.objects.filter(pk=1).values_list("size", "frontier").first()
    if head is not None:
        sizes = sorted({*sizes, int(head[0])})
    roots: dict[int, bytes] = {0: EMPTY_ROOT}

    # The fold of the chunk roots: (level, hash) pairs, largest first, merged like binary addition.
    frontier: list[tuple[int, bytes]] = []
    for result in _chunk_results(size, sizes, workers, chunk):
        report.problems.extend(result.problems)
        done = [value for _, value in frontier]
        for at, pieces in result.partial.items():
            roots[at] = root_from_frontier(done + pieces)
        if result.end - result.start == chunk:
            frontier.append((chunk.bit_length() - 1, result.pieces[0]))
            while len(frontier) > 1 and frontier[-1][0] == frontier[-2][0]:
                (level, right), (_, left) = frontier.pop(), frontier.pop()
                frontier.append((level + 1, node_hash(left, right)))
        else:
            frontier.extend((-1, value) for value in result.pieces)
    report.root = root_from_frontier([value for _, value in frontier])
    roots[size] = report.root

    _check_head(report, head, size, roots)
    _check_checkpoints(report, checkpoints, size, roots, key)
    return report


def _check_head(
    report: Report, head: tuple[int, bytes | memoryview] | None, size: int, roots: dict[int, bytes]
) -> None:
    head_size = 0 if head is None else int(head[0])
    if head_size > size:
        report.problems.append((size, f"entry {size} missing: the ledger head counts {head_size} entries"))
    elif head_size < size:
        report.problems.append(
            (head_size, f"entry {head_size}: beyond the {head_size} entries the ledger head counts")
        )
    elif head is not None and root_from_frontier(unpack(bytes(head[1]))) != roots.get(size):
        report.problems.append((size, "the ledger head's frontier does not match the recomputed tree"))


def _check_checkpoints(
    report: Report,
    checkpoints: list[tuple[int, int, bytes | memoryview, str]],
    size: int,
    roots: dict[int, bytes],
    key: VerifierKey | None,
) -> None:
    after = size + 1  # checkpoint problems sort after every entry problem
    for checkpoint_id, stored_size, stored_root, note in checkpoints:
        label = f"checkpoint {checkpoint_id} (size {stored_size})"
        try:
            parsed = parse_checkpoint(note)
        except NoteError as error:
            report.problems.append((after, f"{label}: {error}"))
            continue
        if key is None:
            report.problems.append((after, f"{label}: no log key to check its signature against"))
        else:
            try:
                verify_note_signature(parsed, key)
            except NoteError as error:
                report.problems.append((after, f"{label}: {error}"))
        if parsed.size != stored_size or parsed.root != bytes(stored_root):
            report.problems.append((after, f"{label}: its size or root column differs from its signed note"))
        if parsed.size > size:
            report.problems.append((size, f"entry {size} missing: {label} covers {parsed.size} entries"))
        elif roots.get(parsed.size) != parsed.root:
            report.problems.append(
                (after, f"{label}: root hash does not match the log at size {parsed.size}")
            )
    bodies = {checkpoint_id: note for checkpoint_id, _, _, note in checkpoints}
    cosignatures = Cosignature.objects.select_related("witness").order_by("id")
    for cosignature in cosignatures.iterator(chunk_size=500):
        report.cosignatures += 1
        label = f"cosignature {cosignature.pk} by {cosignature.witness.name}"
        try:
            body = parse_checkpoint(bodies[cosignature.checkpoint_id]).body
            verify_cosignature(
                body,
                parse_signature_line(cosignature.line),
                cosignature.witness.name,
                bytes(cosignature.witness.public_key),
            )
        except (NoteError, KeyError) as error:
            report.problems.append((after, f"{label}: {error}"))
