"""Reads of the ledger. Everything here is public: none of it depends on who asks.

Proofs read O(log² n) stored hashes (LedgerNode rows for completed perfect subtrees, leaf hashes for
level 0), never the whole log.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import Q

from brightline.ledger.errors import EntryNotYetCheckpointed, LedgerError
from brightline.ledger.merkle import (
    EMPTY_ROOT,
    Perfect,
    consistency_ranges,
    hashes_for_ranges,
    inclusion_ranges,
)
from brightline.ledger.models import Checkpoint, LedgerEntry, LedgerHead, LedgerNode
from brightline.ledger.receipts import receipt_json

ENTRIES_PAGE_MAX = 1000


def ledger_size() -> int:
    """The number of committed entries."""
    size = LedgerHead.objects.filter(pk=1).values_list("size", flat=True).first()
    return int(size or 0)


def entries_page(*, start: int, end: int) -> list[tuple[int, bytes]]:
    """Entries start..end inclusive (as RFC 6962 get-entries), at most ENTRIES_PAGE_MAX, as (index, data).

    An `end` past the log is cut to its last entry; a caller pages on from the last index it received.
    """
    size = ledger_size()
    if start < 0 or end < start:
        raise LedgerError("start and end: 0 <= start <= end")
    if start >= size:
        raise LedgerError(f"start: the log has {size} entries (indices 0 to {size - 1})")
    end = min(end, size - 1, start + ENTRIES_PAGE_MAX - 1)
    rows = LedgerEntry.objects.filter(index__gte=start, index__lte=end).order_by("index")
    return [(index, bytes(data)) for index, data in rows.values_list("index", "data")]


def _perfect_hashes(pieces: Sequence[Perfect]) -> dict[Perfect, bytes]:
    by_level: dict[int, list[int]] = defaultdict(list)
    for level, index in pieces:
        by_level[level].append(index)
    found: dict[Perfect, bytes] = {}
    leaves = by_level.pop(0, [])
    if leaves:
        for index, value in LedgerEntry.objects.filter(index__in=leaves).values_list("index", "leaf_hash"):
            found[(0, index)] = bytes(value)
    if by_level:
        condition = Q()
        for level, indices in by_level.items():
            condition |= Q(level=level, index__in=indices)
        for level, index, value in LedgerNode.objects.filter(condition).values_list("level", "index", "hash"):
            found[(level, index)] = bytes(value)
    missing = [piece for piece in pieces if piece not in found]
    if missing:
        raise LedgerError(
            f"the ledger is missing stored subtree hashes {missing[:3]}; run `brightline ledger verify`"
        )
    return found


def _check_size(size: int, name: str) -> None:
    current = ledger_size()
    if size < 1 or size > current:
        raise LedgerError(f"{name}: a tree size from 1 to the log's current size {current}")


def inclusion_proof(*, index: int, size: int) -> list[bytes]:
    """RFC 9162 inclusion proof of entry `index` in the tree of `size` entries."""
    _check_size(size, "size")
    if not 0 <= index < size:
        raise LedgerError(f"index: an entry index from 0 to {size - 1} for a tree of size {size}")
    return hashes_for_ranges(inclusion_ranges(index, size), _perfect_hashes)


def consistency_proof(*, first: int, second: int) -> list[bytes]:
    """RFC 9162 consistency proof that the tree of `first` entries is a prefix of the tree of `second`."""
    _check_size(second, "second")
    if not 1 <= first <= second:
        raise LedgerError(f"first: a tree size from 1 to second ({second})")
    if first == second:
        return []
    return hashes_for_ranges(consistency_ranges(first, second), _perfect_hashes)


def tree_root(*, size: int) -> bytes:
    """The root hash of the tree of the first `size` entries."""
    if size == 0:
        return EMPTY_ROOT
    _check_size(size, "size")
    return hashes_for_ranges([(0, size)], _perfect_hashes)[0]


def checkpoint_published_text(checkpoint: Checkpoint) -> str:
    """The signed note as signed, followed by the verified witness cosignature lines."""
    lines = checkpoint.cosignatures.order_by("id").values_list("line", flat=True)
    return checkpoint.note + "".join(lines)


def checkpoint_latest() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-id").first()


def checkpoints_list(*, limit: int = 100, offset: int = 0) -> list[Checkpoint]:
    """Stored checkpoints, newest first."""
    return list(Checkpoint.objects.order_by("-id").prefetch_related("cosignatures")[offset : offset + limit])


def inclusion_proof_for(entry_index: int) -> dict[str, Any]:
    """The proof that entry `entry_index` is in the log, against the latest signed checkpoint.

    For a family's record of disclosures: with the entry's data, the checkpoint and the log's key,
    anyone can check that the disclosure is in the log every auditor sees. Raises
    EntryNotYetCheckpointed until a checkpoint covers the entry (checkpoints are signed on a schedule).
    """
    entry = LedgerEntry.objects.filter(index=entry_index).values_list("data", "leaf_hash").first()
    if entry is None:
        raise LedgerError(f"entry {entry_index} does not exist")
    checkpoint = checkpoint_latest()
    if checkpoint is None or checkpoint.size <= entry_index:
        raise EntryNotYetCheckpointed(f"entry {entry_index} is not yet covered by a signed checkpoint")
    data, leaf = entry
    hashes = hashes_for_ranges(inclusion_ranges(entry_index, checkpoint.size), _perfect_hashes)
    return {
        "index": entry_index,
        "tree_size": checkpoint.size,
        "data": base64.b64encode(bytes(data)).decode(),
        "leaf_hash": base64.b64encode(bytes(leaf)).decode(),
        "hashes": [base64.b64encode(value).decode() for value in hashes],
        "checkpoint": checkpoint_published_text(checkpoint),
    }


def receipt_for(entry_index: int) -> str | None:
    """The receipt (`receipts.py`) of entry `entry_index` against the latest signed checkpoint, as JSON;
    None until a checkpoint covers the entry (checkpoints are signed on a schedule)."""
    leaf = LedgerEntry.objects.filter(index=entry_index).values_list("leaf_hash", flat=True).first()
    if leaf is None:
        raise LedgerError(f"entry {entry_index} does not exist")
    checkpoint = checkpoint_latest()
    if checkpoint is None or checkpoint.size <= entry_index:
        return None
    return receipt_json(index=entry_index, leaf=bytes(leaf), size=checkpoint.size)


def entry_indexes_of(*, event_type: str, key: str, values: Sequence[str]) -> dict[str, int]:
    """The index of the entry of `event_type` whose subject's `key` is each of `values` (the first one,
    if several): for a receipt of an event another app recorded, e.g. a request's `request.submitted`."""
    found: dict[str, int] = {}
    rows = (
        LedgerEntry.objects.filter(event_type=event_type, **{f"subject__{key}__in": list(values)})
        .order_by("index")
        .values_list("index", "subject")
    )
    for index, subject in rows:
        found.setdefault(str(subject.get(key)), int(index))
    return found
