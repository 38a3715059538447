"""Preservation requests: the district records the hold, discloses nothing, and the hold expires
unless legal process follows. The agency reads the same answer whoever the students are."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from brightline.casework import preservation, selectors, services
from brightline.casework.models import PreservationState
from brightline.errors import Conflict, InvalidInput, NotFound
from brightline.ledger.models import LedgerEntry
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db

MADE_UP = {"first_name": "Nobody", "last_name": "Atall", "birth_date": "2012-02-02"}


def _named(world: World) -> dict[str, str]:
    return {
        "first_name": world.alice.first_name,
        "last_name": world.alice.last_name,
        "birth_date": world.alice.birth_date.isoformat(),
    }


def _comparable(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k not in ("id", "reference", "received_at", "expires_at")}


def test_the_agency_reads_the_same_answer_whether_or_not_the_student_is_enrolled(
    world: World, client: Client
) -> None:
    answers, leaves = [], []
    for student in (_named(world), MADE_UP):
        body = {
            "students": [student],
            "categories": ["attendance"],
            "process_expected": "A grand jury subpoena.",
        }
        before = LedgerEntry.objects.count()
        response = client.post(
            "/api/v1/preservations",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {world.police_token}",
        )
        assert response.status_code == 201, response.content
        leaves.append(LedgerEntry.objects.count() - before)
        answers.append(response.json())
    assert _comparable(answers[0]) == _comparable(answers[1])
    assert leaves[0] == leaves[1] == 1
    assert "matched" not in json.dumps(answers[0])
    # The district knows which hold is on an enrolled student.
    holds = selectors.preservation_holds_on(student_id=world.alice.pk)
    assert [str(h.pk) for h in holds] == [answers[0]["id"]]
    listed = client.get("/api/v1/preservations", HTTP_AUTHORIZATION=f"Bearer {world.police_token}").json()
    assert len(listed) == 2
    assert (
        client.get("/api/v1/preservations", HTTP_AUTHORIZATION=f"Bearer {world.transit_token}").json() == []
    )


def test_bad_input_names_the_field_and_stores_nothing(world: World) -> None:
    with pytest.raises(InvalidInput) as error:
        preservation.preservation_submit(
            agency=world.police,
            document={"students": [], "categories": ["attendance"], "process_expected": "x"},
        )
    assert error.value.errors[0][0] == "students"
    with pytest.raises(InvalidInput) as error:
        preservation.preservation_submit(
            agency=world.police,
            document={"students": [MADE_UP], "categories": ["attendance"], "process_expected": "  "},
        )
    assert error.value.errors[0][0] == "process_expected"
    assert not selectors.preservations_of(agency=world.police).exists()


def test_the_hold_expires_unless_process_follows_and_is_extended_once(world: World) -> None:
    body = {"students": [MADE_UP], "categories": ["attendance"], "process_expected": "A court order."}
    lapsing = preservation.preservation_submit(agency=world.police, document=body)
    kept = preservation.preservation_submit(agency=world.police, document=body)
    extended = preservation.preservation_submit(agency=world.police, document=body)
    with pytest.raises(NotFound):
        preservation.preservation_extend(agency=world.transit, preservation_id=extended.pk)
    preservation.preservation_extend(agency=world.police, preservation_id=extended.pk)
    with pytest.raises(Conflict):
        preservation.preservation_extend(agency=world.police, preservation_id=extended.pk)
    request = services.request_submit(
        agency=world.police, document=request_body(world.alice, categories=["attendance"]), channel="api"
    ).request
    with pytest.raises(InvalidInput) as error:
        preservation.preservation_followed(
            preservation_id=kept.pk, request_reference="BL-00-NOPE", recorded_by=world.clerk
        )
    assert error.value.errors[0][0] == "request_reference"
    preservation.preservation_followed(
        preservation_id=kept.pk, request_reference=request.reference, recorded_by=world.clerk
    )
    with time_machine.travel(timezone.now() + dt.timedelta(days=preservation.PRESERVATION_DAYS + 1)):
        call_command("remind_deadlines")
    states = {h.pk: h.state for h in selectors.preservations_of(agency=world.police)}
    assert states[lapsing.pk] == PreservationState.EXPIRED
    assert states[kept.pk] == PreservationState.FOLLOWED
    assert states[extended.pk] == PreservationState.ACTIVE
    assert LedgerEntry.objects.filter(event_type="preservation.expired").count() == 1


def test_preservation_through_the_pages(world: World, settings: Any) -> None:
    from brightline.accounts.tests.helpers import sign_in

    settings.REQUIRE_MFA = False
    portal, office = Client(), Client()
    sign_in(portal, world.detective)
    sign_in(office, world.clerk)
    response = portal.post(
        "/portal/preservations/",
        {
            "first_name": "Alice",
            "last_name": "Rivera",
            "birth_date": "",
            "categories": ["attendance"],
            "process_expected": "A subpoena.",
        },
        follow=True,
    )
    page = response.content.decode()
    assert (
        '<a href="#p-birth-date">Enter the student&#x27;s birth date, or give the district id instead.</a>'
        in page
    )
    assert "Students.0" not in page and "students.0" not in page
    response = portal.post(
        "/portal/preservations/",
        {"student_id": world.alice.sis_id, "categories": ["attendance"], "process_expected": "A subpoena."},
        follow=True,
    )
    page = response.content.decode()
    assert "discloses nothing" in page and "Hold in force" in page
    hold = selectors.preservations_of(agency=world.police).get()
    end = timezone.localtime(hold.expires_at).date()
    # The day the hold ends, in words.
    assert f"the hold ends on {end:%B} {end.day}, {end:%Y} unless" in page and end.isoformat() not in page
    response = portal.post(f"/portal/preservations/{hold.pk}/extend", follow=True)
    assert f"The hold {hold.reference} was extended: it ends on" in response.content.decode()
    listing = office.get("/office/preservations/").content.decode()
    assert hold.reference in listing and world.alice.sis_id in listing
    assert portal.get("/office/preservations/").status_code == 403
    request = services.request_submit(
        agency=world.police, document=request_body(world.alice, categories=["attendance"]), channel="api"
    ).request
    page = office.post(
        f"/office/preservations/{hold.pk}/followed", {"request_reference": "nope"}, follow=True
    ).content.decode()
    assert f'<a href="#followed-{hold.pk}">Enter the reference of a request from the same agency' in page
    office.post(f"/office/preservations/{hold.pk}/followed", {"request_reference": request.reference})
    hold.refresh_from_db()
    assert hold.state == PreservationState.FOLLOWED and hold.followed_by_id == request.pk


def test_an_immigration_hold_is_copied_to_counsel_and_nothing_more(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """DOMAIN.md F1: the district records an immigration enforcement agency's hold like any other and
    discloses nothing, and counsel is told of every one, in the same transaction: in its notices to read
    and by email, with no student in the email, whether or not the roster knows the students."""
    from django.core import mail

    from brightline.accounts.tests.helpers import sign_in
    from brightline.notices.models import CounselNotice, OfficialEmail, OfficialEmailState

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.REQUIRE_MFA = False
    leaves, answers = [], []
    for student in (_named(world), MADE_UP):
        body = {
            "students": [student],
            "categories": ["contact"],
            "process_expected": "An immigration detainer.",
        }
        before = LedgerEntry.objects.count()
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(
                "/api/v1/preservations",
                data=json.dumps(body),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {world.ice_token}",
            )
        assert response.status_code == 201, response.content
        leaves.append(LedgerEntry.objects.count() - before)
        answers.append(response.json())
    assert _comparable(answers[0]) == _comparable(answers[1])
    # The hold, counsel's copy and one email per legal advisor: the same whoever the students are.
    assert leaves[0] == leaves[1] == 3
    holds = {h.reference: h for h in selectors.preservations_of(agency=world.ice)}
    notices = {n.reference: n for n in CounselNotice.objects.filter(reference__in=holds)}
    assert set(notices) == set(holds)
    for reference, notice in notices.items():
        assert notice.request is None and "F1" in notice.reason and reference in notice.reason
        assert OfficialEmail.objects.get(counsel_notice=notice).state == OfficialEmailState.SENT
    sent = [m for m in mail.outbox if world.legal_advisor.email in m.to]
    assert len(sent) == 2 and not [m for m in mail.outbox if world.immigration_officer.email in m.to]
    for message in sent:
        text = f"{message.subject}\n{message.body}"
        assert any(reference in text for reference in holds)
        assert "/office/preservations/" in text and "Students named: 1" in text
        for fact in (world.alice.first_name, world.alice.last_name, world.alice.sis_id, "Nobody", "Atall"):
            assert fact not in text
        assert "2013" not in message.body and "2012-02-02" not in message.body

    # Counsel reads it among its notices, and marks it read; the holds page names the student.
    counsel = Client()
    sign_in(counsel, world.legal_advisor)
    queue = counsel.get("/review/").content.decode()
    assert "Notices to read" in queue and all(reference in queue for reference in holds)
    enrolled = next(h for h in holds.values() if h.matched_students)
    read = notices[enrolled.reference]
    assert f'id="counsel-notice-{read.pk}"' in queue
    assert counsel.post(f"/review/counsel-notices/{read.pk}/read").status_code == 302
    assert f'id="counsel-notice-{read.pk}"' not in counsel.get("/review/").content.decode()
    assert world.alice.sis_id in counsel.get("/office/preservations/").content.decode()


def test_a_police_hold_is_not_copied_to_counsel_and_a_failed_hold_leaves_no_copy(world: World) -> None:
    from django.db import transaction

    from brightline.notices.models import CounselNotice, OfficialEmail

    preservation.preservation_submit(
        agency=world.police,
        document={"students": [MADE_UP], "categories": ["attendance"], "process_expected": "A subpoena."},
    )
    assert not CounselNotice.objects.exists()
    # Counsel's copy is written in the hold's transaction: undone with it.
    with pytest.raises(RuntimeError), transaction.atomic():
        preservation.preservation_submit(
            agency=world.ice,
            document={"students": [MADE_UP], "categories": ["contact"], "process_expected": "A detainer."},
        )
        assert CounselNotice.objects.count() == 1 and OfficialEmail.objects.count() >= 1
        raise RuntimeError("the transaction fails after the hold")
    assert not CounselNotice.objects.exists() and not OfficialEmail.objects.exists()
    assert not selectors.preservations_of(agency=world.ice).exists()
