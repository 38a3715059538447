"""The record of disclosures and the release packets are hashed with the ledger's one canonical JSON
encoder, byte for byte as they were before it: the hashes of entries and packets already recorded still
verify. The digests below were computed with the encoder this app used before (`json.dumps` with sorted
keys, no spaces, UTF-8 as itself), on values of the kinds the app stores."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from brightline.disclosures.models import DisclosureEntry, ReleasePacket
from brightline.disclosures.services import after_the_fact_record, disclosure_event, packet_json_bytes
from brightline.incidents.services import staff_school_assign
from brightline.ledger.row_checks import verify_rows
from brightline.testing import World

DETAILS_SHA256 = "4f4480e03334a8240627fe977cfb9209c23318aec37c09146e2c4fa318db1971"
LATE_DETAILS_SHA256 = "c5ea4b696e9005ed8aeca0eed143c626116d4dee1a74632a9a6eea65a39e1870"
PACKET_SHA256 = "3762eb7548fc2f4a56d9eba35c9ebf9db628271387dbc4b9f2ef205c309d07c9"

PACKET_CONTENT = {
    "district": "Springfield Public Schools",
    "request": {
        "id": "4f0e1f3a-6a51-4f0f-9f57-0e2b6c0d3a11",
        "reference": "R-2026-0001",
        "received_at": "2026-03-01T14:05:09.123456+00:00",
    },
    "recipient": {"name": "Zoë", "position": None, "agency": "Policía"},
    "released_at": "2026-03-02T09:00:00+00:00",
    "students": [
        {
            "named": {"first_name": "Ana", "last_name": "Li", "birth_date": "2012-05-01"},
            "position": 0,
            "categories": [
                {
                    "category": "directory",
                    "fields": {
                        "age": 13,
                        "grade": "7",
                        "guardian_names": ["Mª José"],
                        "home_phone": None,
                        "incidents": [{"date": "2026-01-02", "conduct": ["fight"], "summary": "[withheld]"}],
                    },
                }
            ],
        }
    ],
    "redisclosure_notice": "Ne pas divulguer.\nLine two",
}


def _entry(**overrides: object) -> DisclosureEntry:
    values: dict[str, object] = {
        "pk": 7,
        "kind": "disclosure",
        "occurred_at": dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC),
        "party_name": "Zoë Ñúñez",
        "party_position": "Détective",
        "party_affiliation": "Policía — 東京",
        "party_kind": "municipal_police",
        "legitimate_interest": "criminal investigation: a break-in",
        "lawful_basis": "court_order",
        "threat": "",
        "recipients": ["Zoë Ñúñez, Policía — 東京"],
        "released_by_name": "Records Clerk",
        "released_by_position": "",
    }
    values.update(overrides)
    return DisclosureEntry(**values)  # type: ignore[arg-type]


def test_an_entrys_details_hash_to_the_bytes_recorded_before() -> None:
    assert disclosure_event(_entry()).record["details_sha256"] == DETAILS_SHA256
    late = _entry(
        late=True,
        recorded_at=dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC),
        late_reason='The nurse was away "until" today.',
    )
    assert disclosure_event(late).record["details_sha256"] == LATE_DETAILS_SHA256


def test_a_packet_is_delivered_in_the_bytes_whose_hash_was_stamped_before() -> None:
    delivered = packet_json_bytes(ReleasePacket(content=PACKET_CONTENT))
    assert hashlib.sha256(delivered).hexdigest() == PACKET_SHA256
    assert delivered.startswith(b'{"district":"Springfield Public Schools","recipient":{"agency":')
    assert "Mª José".encode() in delivered  # UTF-8 as itself, not \u escapes


@pytest.mark.django_db
def test_an_entry_recorded_late_agrees_with_the_ledger_and_its_reason_is_held_to_it(world: World) -> None:
    staff_school_assign(user=world.principal, school=world.school)
    entry = after_the_fact_record(
        student=world.alice,
        kind="emergency",
        disclosed_at=timezone.now() - dt.timedelta(hours=60),
        recipient_name="Officer Diaz",
        recipient_position="Patrol officer",
        recipient_affiliation="City Police Department",
        recipient_kind="municipal_police",
        categories=["contact"],
        details="Student collapsed; parents unreachable",
        recorded_by=world.principal,
        late_reason="The nurse who made the call was away until today.",
    )
    assert entry.late
    assert verify_rows().messages() == []
    DisclosureEntry.objects.filter(pk=entry.pk).update(late_reason="Recorded on time.")
    assert verify_rows().messages() == [
        f"disclosures.DisclosureEntry {entry.pk}: party, interest, lawful basis, threat, recipients or "
        f"releaser differs from ledger entry {entry.ledger_index} (disclosure_record.emergency)"
    ]
    DisclosureEntry.objects.filter(pk=entry.pk).update(
        late_reason=entry.late_reason, recorded_at=entry.recorded_at - dt.timedelta(days=2)
    )
    assert [message.split(":")[1] for message in verify_rows().messages()] == [
        " recorded_at differs from ledger entry " + str(entry.ledger_index) + " (disclosure_record.emergency)"
    ]
