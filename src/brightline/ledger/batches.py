"""Checking and hashing ledger entries a batch at a time, for verification.

`check_batch(rows, first)` takes rows (index, data, leaf_hash, record) read in index order and returns
their leaf hashes, concatenated, when every row is entry first + i, its data is the canonical leaf (the
exact bytes `ledger_append` writes) naming that index and the SHA-256 of its record, and its stored
leaf hash is SHA-256(0x00 ‖ data); otherwise None, and the caller goes entry by entry to name the
problem. `node_level(level)` hashes each pair of a level of 32-byte hashes into the level above.

Both come compiled from `_speedups.c` when it was built (one C call a batch, one reused OpenSSL
context, no per-hash set-up), and from the pure-Python versions below otherwise. They accept and reject
the same rows and give the same bytes: tests/test_batches.py holds them to each other.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from brightline.ledger.merkle import HASH_SIZE, leaf_hash, node_hash

# The canonical leaf, byte for byte: sorted keys, no whitespace, the formats ledger_append writes.
# Possessive quantifiers (*+, ++): no character they take can start what follows, so backtracking is
# useless and skipping its bookkeeping makes the match a fifth faster.
#
# Two forms. `ledger_append` writes the public form, `{"index":…,"record_sha256":…,"time":…}`: a
# commitment and a time, nothing about what happened or to whom (the event type and subject are in the
# event record). Logs written before that also hold the earlier form, which named the event type and
# subject in clear before and after those keys; their leaves cannot change (the tree commits to them),
# so both are read. The group `legacy` is set for the earlier form; `index` and `record` in both.
_NAME = rb"[a-z][a-z0-9_]*+"
_SUBJECT_VALUE = rb'(?:0|[1-9][0-9]*+|"[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}+")'
_SUBJECT_PAIR = rb'"[a-z][a-z0-9_]{0,63}+":' + _SUBJECT_VALUE
CANONICAL_LEAF = re.compile(
    rb'\{(?P<legacy>"event_type":"' + _NAME + rb"(?:\." + _NAME + rb')++",)?'
    rb'"index":(?P<index>0|[1-9][0-9]*+),'
    rb'"record_sha256":"(?P<record>[0-9a-f]{64})",'
    rb'(?(legacy)"subject":\{(?:' + _SUBJECT_PAIR + rb"(?:," + _SUBJECT_PAIR + rb")*+)?\},)"
    rb'"time":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z"\}'
)

Row = tuple[int, bytes, bytes, bytes | None]
_BYTES_LIKE = (bytes, bytearray, memoryview)


def pure_check_batch(rows: Sequence[Row], first: int) -> bytes | None:
    count = len(rows)
    if not count:
        return b""
    sha256 = hashlib.sha256
    if not all(isinstance(row, tuple) and len(row) == 4 for row in rows):
        return None
    indexes, datas, stored_leaves, records = zip(*rows, strict=True)
    if indexes != tuple(range(first, first + count)) or None in records:
        return None
    # Text where bytes belong (SQLite stores whatever it is given) is damage, named entry by entry.
    if not all(isinstance(value, _BYTES_LIKE) for value in (*datas, *stored_leaves, *records)):
        return None
    datas = tuple(map(bytes, datas))
    leaves = b"".join(map(leaf_hash, datas))
    if leaves != b"".join(stored_leaves):
        return None
    found = [
        match.group("index", "record") for match in map(CANONICAL_LEAF.fullmatch, datas) if match is not None
    ]
    if len(found) != count:
        return None
    said_indexes, said_records = zip(*found, strict=True)
    if b"".join(said_records) != "".join([sha256(record).hexdigest() for record in records]).encode():
        return None
    if b",".join(said_indexes) != ",".join(map(str, range(first, first + count))).encode():
        return None
    return leaves


def pure_node_level(level: bytes | bytearray | memoryview) -> bytes:
    hashes = bytes(level)
    if len(hashes) % HASH_SIZE:
        raise ValueError("level: a whole number of 32-byte hashes")
    return b"".join(
        node_hash(hashes[at : at + HASH_SIZE], hashes[at + HASH_SIZE : at + 2 * HASH_SIZE])
        for at in range(0, len(hashes) - 2 * HASH_SIZE + 1, 2 * HASH_SIZE)
    )


__all__ = [
    "CANONICAL_LEAF",
    "COMPILED",
    "Row",
    "check_batch",
    "node_level",
    "pure_check_batch",
    "pure_node_level",
]

try:
    from brightline.ledger._speedups import check_batch, node_level

    COMPILED = True
except ImportError:  # built without a C compiler or OpenSSL's headers: same answers, slower
    check_batch, node_level = pure_check_batch, pure_node_level
    COMPILED = False
