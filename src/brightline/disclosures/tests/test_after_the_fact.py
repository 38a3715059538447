"""School staff recording disclosures already made, and what families then see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from brightline.disclosures.models import EntryKind
from brightline.disclosures.selectors import disclosures_for_family
from brightline.disclosures.services import after_the_fact_record
from brightline.errors import InvalidInput, NotAllowed
from brightline.incidents.services import staff_school_assign
from brightline.ledger.models import LedgerEntry
from brightline.notices.models import FamilyNotice, NoticeKind, OfficialEmail, OfficialEmailKind
from brightline.roster.models import School, Student
from brightline.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _principal_leads_the_school(world: World) -> None:
    staff_school_assign(user=world.principal, school=world.school)


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


def test_entries_come_from_school_staff_only_and_are_checked(world: World) -> None:
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


def test_late_is_late_not_never_an_entry_after_48_hours_is_marked_late_with_its_reason(world: World) -> None:
    with pytest.raises(InvalidInput) as no_reason:
        record(world, disclosed_at=timezone.now() - dt.timedelta(hours=60))
    assert no_reason.value.errors[0][0] == "late_reason"
    entry = record(
        world,
        disclosed_at=timezone.now() - dt.timedelta(hours=60),
        late_reason="The nurse who made the call was away until today.",
    )
    assert entry.late and entry.late_reason == "The nurse who made the call was away until today."
    # The family is told, as of any emergency disclosure, and reads that it was recorded late.
    assert FamilyNotice.objects.filter(student=world.alice, kind=NoticeKind.AFTER_RELEASE).count() == 2
    from brightline.disclosures.selectors import family_record

    row = family_record(user=world.parent, student=world.alice)[0]
    assert row.late and row.late_reason == entry.late_reason
    assert not record(world).late


def test_a_principal_records_only_for_students_of_their_own_school(world: World) -> None:
    other = School.objects.create(sourced_id="org-2", name="Other Academy", address="2 Elm St")
    elsewhere = Student.objects.create(
        sis_id="S-9001", sourced_id="s-9001", first_name="Eve", last_name="Stone", school=other
    )
    with pytest.raises(NotAllowed):
        record(world, student=elsewhere)
    assert record(world).student == world.alice


def test_a_disclosure_to_a_forbidden_party_alerts_counsel_and_the_superintendent_at_once(
    world: World,
) -> None:
    entry = record(
        world,
        recipient_name="Agent Smith",
        recipient_affiliation="Immigration and Customs Enforcement",
        recipient_kind="immigration_enforcement",
    )
    alerts = OfficialEmail.objects.filter(kind=OfficialEmailKind.FORBIDDEN_DISCLOSURE, disclosure_entry=entry)
    assert {email.recipient for email in alerts} == {world.legal_advisor, world.superintendent}
    assert LedgerEntry.objects.filter(event_type="forbidden_disclosure.alerted").count() == 1
    assert (
        not OfficialEmail.objects.filter(kind=OfficialEmailKind.FORBIDDEN_DISCLOSURE)
        .exclude(disclosure_entry=entry)
        .exists()
    )


def test_an_abuse_report_comes_to_the_administrator_with_a_deadline_who_shows_it_or_extends_the_hold(
    world: World, settings: object
) -> None:
    from brightline.accounts.models import Role
    from brightline.notices.models import FamilyNoticeDecision, FamilyNoticeState
    from brightline.notices.selectors import family_notice_decisions_open
    from brightline.notices.services import family_notice_notify, family_notice_withhold
    from brightline.testing import make_user

    admin = make_user("admin", Role.ADMIN, first="Ann", last="Admin")
    entry = record(
        world,
        kind="abuse_report",
        recipient_kind="child_protective_services",
        recipient_affiliation="Department of Children and Families",
        details="Bruises observed by a teacher",
    )
    decision = FamilyNoticeDecision.objects.get(entry=entry)
    assert decision.due_at == entry.recorded_at + dt.timedelta(days=30)
    assert decision in family_notice_decisions_open(user=admin)
    family_notice_withhold(
        decision_id=decision.pk,
        decided_by=admin,
        reason="The investigation is still open.",
        review_on=timezone.localdate() + dt.timedelta(days=14),
    )
    assert list(disclosures_for_family(user=world.parent, student=world.alice)) == []
    family_notice_notify(decision_id=decision.pk, decided_by=admin)
    assert FamilyNoticeDecision.objects.get(pk=decision.pk).state == FamilyNoticeState.NOTIFIED
    assert [e.pk for e in disclosures_for_family(user=world.parent, student=world.alice)] == [entry.pk]
    events = list(
        LedgerEntry.objects.filter(event_type__startswith="family_notice_decision.").values_list(
            "event_type", flat=True
        )
    )
    assert events == [
        "family_notice_decision.opened",
        "family_notice_decision.withheld",
        "family_notice_decision.notified",
    ]


def test_the_school_form_tells_an_untrained_recorder_to_train_before_anything_about_the_student(
    world: World, client: object
) -> None:
    """An untrained account learns nothing from the form about which student ids exist or where they
    study: every id, real or not, at its school or not, gets the same training message."""
    from django.test import Client

    from brightline.accounts.models import Role
    from brightline.testing import make_user
    from brightline.training.services import training_seed_completed

    assert isinstance(client, Client)
    newcomer = make_user("newprincipal", Role.PRINCIPAL, first="Nia", last="New", position="Principal")
    staff_school_assign(user=newcomer, school=world.school)
    other = School.objects.create(name="Another School", sourced_id="school-elsewhere")
    from brightline.testing import _student

    elsewhere = _student(other, "S-7777", "Eli", "Elsewhere", dt.date(2012, 1, 1), "07")
    client.force_login(newcomer)

    def post(student_id: str) -> str:
        response = client.post(
            "/school/record/",
            {
                "kind": "emergency",
                "student_id": student_id,
                "disclosed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "recipient_name": "Officer Lee",
                "recipient_affiliation": "City Police Department",
                "recipient_kind": "municipal_police",
                "categories": ["contact"],
                "details": "A fire in the building; the student was missing",
            },
        )
        assert response.status_code == 200
        return response.content.decode()

    pages = {sid: post(sid) for sid in (world.alice.sis_id, "S-0000-NOBODY", elsewhere.sis_id)}
    for sid, page in pages.items():
        assert "Complete the training" in page, sid
        assert "No student has this ID" not in page and "not at your school" not in page, sid
    assert not LedgerEntry.objects.filter(event_type__startswith="disclosure").exists()

    training_seed_completed(users=[newcomer])
    assert "No student has this ID" in post("S-0000-NOBODY")
    assert "not at your school" in post(elsewhere.sis_id)


def test_the_api_records_a_late_disclosure_with_its_reason(world: World, client: object) -> None:
    import json

    from django.test import Client

    assert isinstance(client, Client)
    client.force_login(world.principal)
    body = {
        "student_id": world.alice.sis_id,
        "kind": "emergency",
        "disclosed_at": (timezone.now() - dt.timedelta(days=4)).isoformat(),
        "recipient_name": "Officer Diaz",
        "recipient_position": "Patrol officer",
        "recipient_affiliation": "City Police Department",
        "recipient_kind": "municipal_police",
        "categories": ["contact"],
        "details": "Student collapsed; parents unreachable",
    }

    def post(payload: dict[str, object]) -> object:
        return client.post(
            "/api/v1/disclosures/after-the-fact", json.dumps(payload), content_type="application/json"
        )

    missing = post(body)
    assert missing.status_code == 422, missing.content  # type: ignore[attr-defined]
    assert "late_reason" in missing.content.decode()  # type: ignore[attr-defined]
    wrong = post({**body, "late_reason": ["not", "text"]})
    assert wrong.status_code == 422 and "late_reason" in wrong.content.decode()  # type: ignore[attr-defined]
    recorded = post({**body, "late_reason": "The principal was away on a field trip."})
    assert recorded.status_code == 201, recorded.content  # type: ignore[attr-defined]
    from brightline.disclosures.models import DisclosureEntry

    entry = DisclosureEntry.objects.get(pk=json.loads(recorded.content)["id"])  # type: ignore[attr-defined]
    assert entry.late and entry.late_reason == "The principal was away on a field trip."
