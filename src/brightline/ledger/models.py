"""The append-only ledger: entries, the event records they commit to, signed checkpoints, witnesses.

LedgerEntry, EventRecord, LedgerNode, Checkpoint and Cosignature refuse UPDATE and DELETE in the
database itself (triggers from migration 0002). Only LedgerHead changes: it is the lock that orders
appends and the compact state (size and frontier) that makes an append O(log n).
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models


class LedgerHead(models.Model):
    """The one row every append locks: the log's size and the frontier of its perfect subtrees."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField(default=0)
    # The roots of the perfect subtrees of the tree of `size` leaves, largest first, 32 bytes each.
    frontier = models.BinaryField(default=b"")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"ledger head at size {self.size}"


class EventRecord(models.Model):
    """The full record of one event, in canonical JSON; its SHA-256 is committed to by its entry.

    The bytes are `{"event_type":…,"nonce":"<32 hex>","record":{...},"subject":{...}}` (entries of
    logs written before the leaf stopped naming the event: `{"nonce","record"}`). The public leaf holds
    only this record's hash, and the random nonce keeps that hash from confirming a guess about a small
    record (which student, which agency).
    """

    canonical = models.BinaryField()

    def __str__(self) -> str:
        return f"event record {self.pk}"

    @property
    def envelope(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(bytes(self.canonical))
        return parsed

    @property
    def record(self) -> dict[str, Any]:
        record: dict[str, Any] = self.envelope["record"]
        return record


class LedgerEntry(models.Model):
    """One leaf of the Merkle tree. `data` holds the exact leaf bytes; the other columns repeat what
    the entry commits to (in its leaf and its event record) for queries, and are not trusted by
    verification, which checks them against it."""

    index = models.BigIntegerField(primary_key=True)
    appended_at = models.DateTimeField()
    event_type = models.CharField(max_length=100, db_index=True)
    subject = models.JSONField()
    record = models.OneToOneField(EventRecord, on_delete=models.PROTECT, related_name="entry")
    data = models.BinaryField()
    leaf_hash = models.BinaryField()

    class Meta:
        ordering = ["index"]
        verbose_name_plural = "ledger entries"

    def __str__(self) -> str:
        return f"entry {self.index} {self.event_type}"


class LedgerNode(models.Model):
    """The hash of a completed perfect subtree: leaves [index·2^level, (index+1)·2^level), level >= 1.

    Written by the append that completes it, so proofs read O(log² n) rows instead of the log."""

    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="ledger_node_level_index")]

    def __str__(self) -> str:
        return f"node {self.level}/{self.index}"


class Checkpoint(models.Model):
    """A signed checkpoint (C2SP tlog-checkpoint) exactly as it was signed."""

    size = models.BigIntegerField(db_index=True)
    root_hash = models.BinaryField()
    note = models.TextField()
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["-id"]
        get_latest_by = "id"

    def __str__(self) -> str:
        return f"checkpoint at size {self.size}"


class Witness(models.Model):
    """An outside party whose cosignatures (C2SP tlog-cosignature v1, Ed25519) the log accepts."""

    name = models.CharField(max_length=200, unique=True)
    public_key = models.BinaryField()
    registered_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "witnesses"

    def __str__(self) -> str:
        return self.name


class Cosignature(models.Model):
    """A witness's verified cosignature of a checkpoint; its line is published with the checkpoint."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="cosignatures")
    witness = models.ForeignKey(Witness, on_delete=models.PROTECT, related_name="cosignatures")
    timestamp = models.BigIntegerField()
    line = models.TextField()
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["checkpoint", "witness"], name="ledger_one_cosignature_per_witness"
            )
        ]

    def __str__(self) -> str:
        return f"{self.witness} on checkpoint {self.checkpoint_id}"
