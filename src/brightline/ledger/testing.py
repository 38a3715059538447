"""Test helpers for any app whose tests append to the ledger.

The ledger's tables refuse UPDATE and DELETE, and on SQLite Django flushes tables with DELETE after a
`transactional_db` test. A test module that appends ledger entries in such tests uses the fixture:

    from brightline.ledger.testing import ledger_rows_removable  # noqa: F401

    def test_something(ledger_rows_removable): ...

(On PostgreSQL the flush is a TRUNCATE, which row triggers do not see; the fixture is harmless there.)
`ledger_triggers_disabled()` is the tamper drill's tool: the only way this code base alters ledger rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module

import pytest
from django.db import connections

_TRIGGER_MIGRATION = "brightline.ledger.migrations.0002_refuse_update_and_delete"


@contextmanager
def ledger_triggers_disabled(using: str = "default") -> Iterator[None]:
    """Drop the append-only triggers for the duration of the block, then put them back."""
    migration = import_module(_TRIGGER_MIGRATION)
    connection = connections[using]
    migration.drop_triggers(connection)
    try:
        yield
    finally:
        migration.create_triggers(connection)


def ledger_rows_clear(using: str = "default") -> None:
    """Remove every ledger row (tests only): cosignatures, checkpoints, nodes, entries, records, head."""
    from brightline.ledger.models import (
        Checkpoint,
        Cosignature,
        EventRecord,
        LedgerEntry,
        LedgerHead,
        LedgerNode,
        Witness,
    )

    with ledger_triggers_disabled(using):
        for model in (Cosignature, Checkpoint, Witness, LedgerNode, LedgerEntry, EventRecord, LedgerHead):
            model.objects.using(using).all().delete()


@pytest.fixture
def ledger_rows_removable(transactional_db: None) -> Iterator[None]:
    yield
    ledger_rows_clear()
