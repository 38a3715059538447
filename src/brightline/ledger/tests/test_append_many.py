"""`ledger_append_many`: several entries under one head lock, exactly as appending them one by one."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core.management import call_command
from django.db import transaction

from brightline.ledger import merkle
from brightline.ledger.canonical import canonical_json
from brightline.ledger.errors import LedgerUsageError
from brightline.ledger.models import EventRecord, LedgerEntry, LedgerHead, LedgerNode
from brightline.ledger.selectors import tree_root
from brightline.ledger.services import INSERT_CHUNK, LedgerEvent, checkpoint_sign, ledger_append_many
from brightline.ledger.tests.conftest import append_disclosures

pytestmark = pytest.mark.django_db


def _events(count: int, start: int = 0) -> list[LedgerEvent]:
    return [
        LedgerEvent(
            event_type="disclosure_record.request",
            subject={"request": "r-1", "disclosure_entry": start + number},
            record={"student": start + number, "categories": ["attendance"], "name": f"Ana {number}"},
        )
        for number in range(count)
    ]


@pytest.mark.django_db(transaction=True)
def test_appending_many_outside_a_transaction_is_refused() -> None:
    with pytest.raises(LedgerUsageError, match=r"transaction\.atomic"):
        ledger_append_many(_events(2))
    assert not LedgerEntry.objects.exists()


def test_nothing_to_append_writes_nothing() -> None:
    with transaction.atomic():
        assert ledger_append_many([]) == []
    assert not LedgerEntry.objects.exists()


def test_many_entries_are_numbered_after_the_head_with_canonical_leaves_and_their_own_records() -> None:
    append_disclosures(3)
    with transaction.atomic():
        entries = ledger_append_many(_events(6))
    assert [entry.index for entry in entries] == [3, 4, 5, 6, 7, 8]
    assert LedgerHead.objects.get().size == 9
    for number, entry in enumerate(entries):
        stored = LedgerEntry.objects.get(index=entry.index)
        data = bytes(stored.data)
        assert data == bytes(entry.data)
        parsed = json.loads(data)
        assert list(parsed) == ["index", "record_sha256", "time"]
        assert data == canonical_json(parsed)
        assert parsed["index"] == entry.index
        # Each entry commits to its own record, whatever order the database returned the record ids in.
        record = EventRecord.objects.get(pk=stored.record_id)
        assert record.envelope["subject"] == {"disclosure_entry": number, "request": "r-1"} == stored.subject
        assert record.envelope["event_type"] == "disclosure_record.request" == stored.event_type
        assert parsed["record_sha256"] == hashlib.sha256(bytes(record.canonical)).hexdigest()
        assert record.record["student"] == number
        assert bytes(stored.leaf_hash) == merkle.leaf_hash(data)


def test_appending_many_gives_the_tree_and_subtree_hashes_of_appending_one_by_one() -> None:
    append_disclosures(5)
    with transaction.atomic():
        entries = ledger_append_many(_events(11))
    append_disclosures(2)
    leaves = [merkle.leaf_hash(bytes(entry.data)) for entry in LedgerEntry.objects.order_by("index")]
    assert len(leaves) == 18 and [entry.index for entry in entries] == list(range(5, 16))
    frontier: list[bytes] = []
    for index, leaf in enumerate(leaves):
        merkle.frontier_append(frontier, index, leaf)
    assert tree_root(size=18) == merkle.root_from_frontier(frontier)
    # Every perfect subtree that is complete has its stored hash, once.
    expected = {(level, index) for level in range(1, 5) for index in range(18 >> level)}
    assert set(LedgerNode.objects.values_list("level", "index")) == expected
    checkpoint_sign()
    call_command("ledger", "verify", "--log-only")  # synthetic events: the log alone


def test_a_batch_larger_than_one_insert_is_split_and_still_whole() -> None:
    with transaction.atomic():
        entries = ledger_append_many(_events(INSERT_CHUNK + 3))
    assert [entry.index for entry in entries] == list(range(INSERT_CHUNK + 3))
    assert LedgerEntry.objects.count() == EventRecord.objects.count() == INSERT_CHUNK + 3
    call_command("ledger", "verify", "--log-only")  # synthetic events: the log alone


def test_a_bad_event_anywhere_in_the_batch_appends_nothing() -> None:
    events = [*_events(2), LedgerEvent(event_type="Bad Type", subject={}, record={})]
    with pytest.raises(ValueError, match="event_type"), transaction.atomic():
        ledger_append_many(events)
    assert not LedgerEntry.objects.exists()


def test_a_batch_rolled_back_with_its_transaction_leaves_no_trace() -> None:
    append_disclosures(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        ledger_append_many(_events(4))
        raise RuntimeError("the change failed")
    assert LedgerHead.objects.get().size == 2
    assert LedgerEntry.objects.count() == 2
