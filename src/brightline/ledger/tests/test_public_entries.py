"""What the public sees of the ledger: commitments and times. The event type, the agency and the student
stay in the event records the district keeps (auditors with the records see them)."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client

from brightline.casework.models import RequestStudent
from brightline.disclosures.models import DisclosureEntry
from brightline.ledger.models import LedgerEntry
from brightline.ledger.selectors import inclusion_proof_for
from brightline.ledger.tests.casework_world import Casework
from brightline.testing import World

pytestmark = pytest.mark.django_db


def test_the_public_entries_name_no_event_type_agency_or_student(
    client: Client, world: World, released: Casework
) -> None:
    size = LedgerEntry.objects.count()
    answer = client.get(f"/api/v1/ledger/entries?start=0&end={size - 1}")
    assert answer.status_code == 200
    entries = answer.json()["entries"]
    assert [entry["index"] for entry in entries] == list(range(size))
    published = [base64.b64decode(entry["data"]) for entry in entries]
    for index, data in enumerate(published):
        assert list(json.loads(data)) == ["index", "record_sha256", "time"]
        assert json.loads(data)["index"] == index
    text = b"\n".join(published).decode()
    event_types = set(LedgerEntry.objects.values_list("event_type", flat=True))
    assert {"request.submitted", "item.decided", "release.packet_released"} <= event_types
    students = [world.alice, world.ben, world.carla]
    agencies = [world.police, world.transit, world.ice, world.dcf]
    hidden = [
        *event_types,
        *(name for event_type in event_types for name in event_type.split(".")),
        *(s.sis_id for s in students),
        *(s.last_name for s in students),
        *(a.name for a in agencies),
        "subject",
        "agency",
        "student",
        "request",
    ]
    for word in hidden:
        assert word not in text, word
    # The auditor's side: the event records hold what the public entries leave out.
    submitted = LedgerEntry.objects.filter(event_type="request.submitted").first()
    assert submitted is not None
    envelope = submitted.record.envelope
    assert envelope["event_type"] == "request.submitted" and envelope["subject"]["agency"] == world.police.pk
    assert RequestStudent.objects.exists() and DisclosureEntry.objects.exists()


def test_the_inclusion_proof_of_a_family_entry_carries_the_same_public_leaf(released: Casework) -> None:
    entry = DisclosureEntry.objects.filter(ledger_index__isnull=False).first()
    assert entry is not None and entry.ledger_index is not None
    proof = inclusion_proof_for(entry.ledger_index)
    assert list(json.loads(base64.b64decode(proof["data"]))) == ["index", "record_sha256", "time"]
