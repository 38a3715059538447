"""School staff recording disclosures already made, and what families then see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from brightline.disclosures.models import EntryKind
from brightline.disclosures.selectors import disclosures_for_family
from brightline.disclosures.services import after_the_fact_record
from brightline.errors import InvalidInput, NotAllowed
from brightline.notices.models import FamilyNotice, NoticeKind
from brightline.testing import World

pytestmark = pytest.mark.django_db


def record(world: World, **overrides: object):
    values: dict[str, object] = {
        "student": world.alice,
        "kind": "emergency",
        "disclosed_at": timezone.now() - dt.timedelta(hours=3),
        "recipient_name": "Officer Diaz",
        "recipient_position": "Patrol officer",
        "recipient_affiliation": "City Police Department",
        "recipient_kind": "municipal_police",
        "categories": ["contact", "health"],
        "details": "Student collapsed; parents unreachable",
        "recorded_by": world.principal,
    }
    values.update(overrides)
    return after_the_fact_record(**values)  # type: ignore[arg-type]


def test_an_emergency_disclosure_is_recorded_with_its_threat_and_the_family_is_told(world: World) -> None:
    entry = record(world)
    assert entry.kind == EntryKind.EMERGENCY_AFTER_THE_FACT
    assert entry.threat == "Student collapsed; parents unreachable"
    assert entry.recipients == ["Officer Diaz, City Police Department"]
    assert entry.ledger_index is not None
    assert [e.pk for e in disclosures_for_family(user=world.parent, student=world.alice)] == [entry.pk]
    assert FamilyNotice.objects.filter(student=world.alice, kind=NoticeKind.AFTER_RELEASE).count() == 2


def test_an_abuse_report_is_kept_from_the_family_until_an_administrator_decides(world: World) -> None:
    entry = record(
        world,
        kind="abuse_report",
        recipient_kind="child_protective_services",
        recipient_affiliation="Department of Children and Families",
        details="Bruises observed by a teacher",
    )
    assert entry.withheld_from_family and entry.details == "Bruises observed by a teacher"
    assert list(disclosures_for_family(user=world.parent, student=world.alice)) == []
    assert not FamilyNotice.objects.filter(student=world.alice).exists()


def test_entries_come_within_48_hours_from_school_staff_only(world: World) -> None:
    with pytest.raises(InvalidInput) as late:
        record(world, disclosed_at=timezone.now() - dt.timedelta(hours=49))
    assert late.value.errors[0][0] == "disclosed_at"
    with pytest.raises(InvalidInput) as wrong:
        record(world, kind="abuse_report", details="x")
    assert (
        "recipient_kind",
        "a report of suspected abuse goes to child-protective services",
    ) in wrong.value.errors
    with pytest.raises(InvalidInput):
        record(world, categories=["immigration"])
    with pytest.raises(NotAllowed):
        record(world, recorded_by=world.detective)
