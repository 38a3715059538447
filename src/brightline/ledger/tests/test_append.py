from __future__ import annotations

import hashlib
import json
import re

import pytest
from django.db import DatabaseError, connection, transaction

from brightline.ledger import merkle
from brightline.ledger.canonical import canonical_json
from brightline.ledger.errors import LedgerUsageError
from brightline.ledger.models import Checkpoint, EventRecord, LedgerEntry, LedgerHead, LedgerNode
from brightline.ledger.selectors import tree_root
from brightline.ledger.services import checkpoint_sign, ledger_append
from brightline.ledger.tests.conftest import append_disclosures

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_append_outside_a_transaction_is_refused() -> None:
    with pytest.raises(LedgerUsageError, match=r"transaction\.atomic"):
        ledger_append(event_type="request.submitted", subject={"request": 1}, record={})
    assert not LedgerEntry.objects.exists()


def test_entries_are_numbered_from_zero_without_gaps() -> None:
    entries = append_disclosures(5)
    assert [entry.index for entry in entries] == [0, 1, 2, 3, 4]
    assert LedgerHead.objects.get().size == 5


def test_leaf_bytes_are_canonical_json_of_index_record_hash_and_time_only() -> None:
    (entry,) = append_disclosures(1)
    data = bytes(entry.data)
    parsed = json.loads(data)
    assert list(parsed) == ["index", "record_sha256", "time"]
    assert data == canonical_json(parsed)
    assert parsed["index"] == entry.index
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", parsed["time"])
    record = EventRecord.objects.get(pk=entry.record_id)
    assert parsed["record_sha256"] == hashlib.sha256(bytes(record.canonical)).hexdigest()
    assert bytes(entry.leaf_hash) == hashlib.sha256(b"\x00" + data).digest()


def test_the_event_type_and_subject_are_committed_to_in_the_event_record() -> None:
    (entry,) = append_disclosures(1)
    envelope = json.loads(bytes(entry.record.canonical))
    assert list(envelope) == ["event_type", "nonce", "record", "subject"]
    assert envelope["event_type"] == "disclosure.released" == entry.event_type
    assert envelope["subject"] == {"item": 5000, "request": 1000} == entry.subject
    assert b"disclosure" not in bytes(entry.data) and b"5000" not in bytes(entry.data)


def test_names_stay_in_the_event_record_and_out_of_the_public_entry() -> None:
    (entry,) = append_disclosures(1)
    assert b"Ana" not in bytes(entry.data) and b"Transit" not in bytes(entry.data)
    assert entry.record.record["student_name"] == "Ana Pereira"


def test_the_record_hash_cannot_confirm_a_guess_of_the_record() -> None:
    first, second = append_disclosures(2)
    guess = hashlib.sha256(canonical_json(first.record.record)).hexdigest()
    assert guess not in bytes(first.data).decode()
    assert (
        json.loads(bytes(first.record.canonical))["nonce"]
        != json.loads(bytes(second.record.canonical))["nonce"]
    )


def test_event_record_is_canonical_with_datetimes_in_utc() -> None:
    import datetime as dt

    moment = dt.datetime(2026, 3, 1, 9, 5, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    with transaction.atomic():
        entry = ledger_append(
            event_type="notice.sent", subject={"notice": 7}, record={"sent_at": moment, "b": 1, "a": "é"}
        )
    canonical = bytes(entry.record.canonical)
    assert b'"record":{"a":"\xc3\xa9","b":1,"sent_at":"2026-03-01T14:05:00.000000Z"}' in canonical


@pytest.mark.parametrize(
    ("event_type", "subject", "record"),
    [
        ("Request Submitted", {"request": 1}, {}),
        ("request", {"request": 1}, {}),
        ("request.submitted", {"student": "Ana Pereira"}, {}),
        ("request.submitted", {"Request": 1}, {}),
        ("request.submitted", {"request": -1}, {}),
        ("request.submitted", {"request": True}, {}),
        ("request.submitted", {"request": 1}, {"score": 0.5}),
    ],
)
def test_bad_event_types_subjects_and_records_are_refused(
    event_type: str, subject: dict, record: dict
) -> None:
    with transaction.atomic(), pytest.raises((ValueError, TypeError)):
        ledger_append(event_type=event_type, subject=subject, record=record)
    assert not LedgerEntry.objects.exists()


def test_a_rolled_back_change_leaves_no_entry_and_no_gap() -> None:
    append_disclosures(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        ledger_append(event_type="item.decided", subject={"item": 9}, record={})
        raise RuntimeError("the caller's change failed")
    (entry,) = append_disclosures(1)
    assert entry.index == 2
    assert LedgerEntry.objects.count() == 3


def test_head_frontier_and_stored_subtrees_give_the_root_of_every_size() -> None:
    entries = append_disclosures(13)
    leaves = [bytes(entry.data) for entry in entries]
    head = LedgerHead.objects.get()
    assert merkle.root_from_frontier(merkle.unpack(bytes(head.frontier))) == tree_root(size=13)
    for size in range(1, 14):
        frontier: list[bytes] = []
        for index, data in enumerate(leaves[:size]):
            merkle.frontier_append(frontier, index, merkle.leaf_hash(data))
        assert tree_root(size=size) == merkle.root_from_frontier(frontier)
    # 13 leaves complete 6 + 3 + 1 perfect subtrees of two, four and eight leaves.
    assert LedgerNode.objects.count() == 10


@pytest.mark.parametrize("model", [LedgerEntry, EventRecord, LedgerNode, Checkpoint])
def test_the_database_refuses_update_and_delete_of_ledger_rows(model: type) -> None:
    append_disclosures(2)
    checkpoint_sign()
    table = model._meta.db_table
    for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):  # noqa: S608
        if model is LedgerEntry:
            statement = statement.replace("SET id = id", "SET event_type = 'x.y'")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)
    assert model.objects.count() >= 1


def test_the_orm_cannot_delete_an_entry_either() -> None:
    (entry,) = append_disclosures(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()
