"""What a requester learns is what was released, nothing more (CONTRACTS.md): tried as an immigration
agency and a curious requester would, through the API and the portal page."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from brightline.accounts.tests.helpers import sign_in
from brightline.casework import services
from brightline.casework.models import ItemState, MatchState, Request, RequestState
from brightline.errors import Conflict, InvalidInput, NotAllowed
from brightline.ledger.models import LedgerEntry
from brightline.roster.models import Student
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db

MADE_UP = {"first_name": "Nadia", "last_name": "Nobody", "birth_date": "2012-02-02"}
# Words that would tell a requester a roster fact, a flag or a match state.
TELLING = re.compile(
    r"match|identif|flag|missing|foster|adjudicat|opted|opt-out|opt out|enrol|roster|"
    r"\bF6\b|\bF7\b|\bR3\b|\bV3\b|alert_police|sealed|legal advisor|counsel",
    re.IGNORECASE,
)


def post_json(client: Client, url: str, body: object, token: str) -> Any:
    return client.post(
        url, data=json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def comparable(answer: dict[str, Any]) -> dict[str, Any]:
    """An answer without what differs between any two requests: id, reference, times, item ids."""
    answer = json.loads(json.dumps(answer))
    for key in ("id", "reference", "received_at", "decision_due_at"):
        answer.pop(key)
    for item in answer["items"]:
        item.pop("id")
    return answer


def named(student: Student) -> dict[str, str]:
    assert student.birth_date is not None
    return {
        "first_name": student.first_name,
        "last_name": student.last_name,
        "birth_date": student.birth_date.isoformat(),
    }


@pytest.mark.parametrize(
    ("token", "overrides"),
    [
        ("ice_token", {"purpose": "civil_immigration_enforcement"}),
        ("police_token", {"onward_recipients": ["immigration_enforcement"]}),
    ],
)
def test_a_request_refused_in_whole_answers_the_same_for_an_enrolled_and_a_made_up_student(
    world: World, client: Client, token: str, overrides: dict[str, Any]
) -> None:
    answers = []
    for enrolled in (True, False):
        if not enrolled:
            # The same name and birth date, once no student of the roster has them.
            Student.objects.filter(pk=world.alice.pk).update(birth_date=dt.date(2001, 1, 1))
        body = request_body(categories=["directory", "enrollment", "contact"], **overrides)
        body["students"] = [named(world.alice)]
        submitted = post_json(client, "/api/v1/requests", body, getattr(world, token))
        assert submitted.status_code == 201, submitted.content
        read_back = client.get(
            f"/api/v1/requests/{submitted.json()['id']}", HTTP_AUTHORIZATION=f"Bearer {getattr(world, token)}"
        )
        assert read_back.status_code == 200
        answers.append((comparable(submitted.json()), comparable(read_back.json())))
    (enrolled_submitted, enrolled_read), (unknown_submitted, unknown_read) = answers
    assert enrolled_submitted == unknown_submitted
    assert enrolled_read == unknown_read
    assert enrolled_submitted["state"] == "closed"
    assert {item["rules"][0] for item in enrolled_submitted["items"]} == {"F1"}
    assert all(item["obligations"] == [] for item in enrolled_submitted["items"])
    # Behind the answer, the district still knows which student is enrolled.
    states = {
        rs.match_state
        for rs in Request.objects.all().prefetch_related("students")
        for rs in rs.students.all()
    }
    assert states == {MatchState.MATCHED, MatchState.NO_MATCH}


def test_the_portal_page_of_a_refused_request_reads_the_same_for_an_enrolled_and_a_made_up_student(
    world: World,
) -> None:
    pages = []
    officer = Client()
    sign_in(officer, world.immigration_officer)
    for enrolled in (True, False):
        if not enrolled:
            Student.objects.filter(pk=world.alice.pk).update(birth_date=dt.date(2001, 1, 1))
        body = request_body(purpose="civil_immigration_enforcement", categories=["contact"])
        body["students"] = [named(world.alice)]
        request = services.request_submit(
            agency=world.ice, document=body, channel="portal", submitted_by=world.immigration_officer
        ).request
        page = officer.get(f"/portal/requests/{request.pk}/").content.decode()
        main = page[page.index("<main") : page.index("</main>")]
        main = main.replace(request.reference, "REF").replace(str(request.pk), "ID")
        main = re.sub(r"(Received|Decision due)</dt><dd>[^<]*", r"\1</dt><dd>TIME", main)
        main = re.sub(r"item-\d+", "item-N", main)
        # A form's CSRF token is masked afresh on every page: not a fact about the student.
        main = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', main)
        main = re.sub(r"reconsider-\d+", "reconsider-N", main)
        main = re.sub(r'name="items" value="\d+"', 'name="items" value="N"', main)
        pages.append(main)
    assert pages[0] == pages[1]
    assert "Refused" in pages[0] or "refuse" in pages[0].lower()


def test_no_answer_or_page_tells_a_requester_a_flag_a_roster_fact_or_a_match_state(world: World) -> None:
    adjudicated = Student.objects.create(
        sourced_id="src-S-1009",
        sis_id="S-1009",
        first_name="Eli",
        last_name="Moreau",
        birth_date=dt.date(2008, 4, 4),
        grade="11",
        school=world.school,
        adjudicated=True,
    )
    # Dana is flagged missing and in foster care; Carla's family opted out of directory information.
    body = request_body(
        world.dana, world.carla, adjudicated, categories=["directory", "attendance", "law_enforcement_unit"]
    )
    body["students"].append(MADE_UP)
    police = Client()
    submitted = post_json(police, "/api/v1/requests", body, world.police_token)
    assert submitted.status_code == 201, submitted.content
    answer = submitted.json()
    request = Request.objects.get(pk=answer["id"])
    # The district's own view holds the facts ...
    dana_items = request.items.filter(request_student__student=world.dana)
    assert all("alert_police_missing_child" in item.obligations for item in dana_items)
    assert request.items.filter(request_student__student=world.carla, category="directory").get().rules == [
        "F6"
    ]
    assert request.state == RequestState.AWAITING_MATCH
    # ... the requester's answer, read-back and page hold none of them.
    read_back = police.get(
        f"/api/v1/requests/{request.pk}", HTTP_AUTHORIZATION=f"Bearer {world.police_token}"
    )
    detective = Client()
    sign_in(detective, world.detective)
    page = detective.get(f"/portal/requests/{request.pk}/").content.decode()
    listing = detective.get("/portal/").content.decode()
    for text in (
        json.dumps(answer),
        read_back.content.decode(),
        page[page.index("<main") : page.index("</main>")],
    ):
        assert not TELLING.search(text), TELLING.search(text)
    assert "awaiting_match" not in json.dumps(answer) and answer["state"] != "awaiting_match"
    assert not re.search(
        r"identify", listing[listing.index("<main") : listing.index("</main>")], re.IGNORECASE
    )
    for item in answer["items"]:
        assert item["reviewer"] is None
        assert set(item["obligations"]) <= {"redisclosure_notice", "notify_family_before_release"}
    assert all(set(student) == {"position", "named"} for student in answer["students"])
    # The made-up student reads as in review, exactly like an enrolled student's reviewed item.
    unknown = [item for item in answer["items"] if item["student_position"] == 3]
    assert {item["state"] for item in unknown} == {"pending_review"}
    assert {item["outcome"] for item in unknown} == {"review"}


def test_a_student_the_office_cannot_identify_is_closed_as_no_records_released(world: World) -> None:
    body = request_body(world.carla, categories=["directory"])
    body["students"].append(MADE_UP)
    request = services.request_submit(
        agency=world.police, document=body, channel="portal", submitted_by=world.detective
    ).request
    unknown = request.students.get(position=1)
    with pytest.raises(NotAllowed):
        services.student_close_unidentified(
            request_student_id=unknown.pk, closed_by=world.superintendent, reason="x"
        )
    with pytest.raises(InvalidInput) as missing:
        services.student_close_unidentified(request_student_id=unknown.pk, closed_by=world.clerk, reason=" ")
    assert missing.value.errors[0][0] == "reason"
    services.student_close_unidentified(
        request_student_id=unknown.pk, closed_by=world.clerk, reason="No student of that name and birth date."
    )
    with pytest.raises(Conflict):
        services.student_close_unidentified(
            request_student_id=unknown.pk, closed_by=world.clerk, reason="again"
        )
    request.refresh_from_db()
    assert request.state == RequestState.CLOSED
    assert request.items.get(request_student=unknown).state == ItemState.UNIDENTIFIED
    assert LedgerEntry.objects.filter(event_type="request.student_closed").count() == 1
    client = Client()

    def read() -> dict[str, Any]:
        answer: dict[str, Any] = client.get(
            f"/api/v1/requests/{request.pk}", HTTP_AUTHORIZATION=f"Bearer {world.police_token}"
        ).json()
        return answer

    def alike(first: dict[str, Any], second: dict[str, Any]) -> bool:
        ignored = ("id", "student_position", "student_id")
        return {k: v for k, v in first.items() if k not in ignored} == {
            k: v for k, v in second.items() if k not in ignored
        }

    # Carla's refusal (her family opted out) waits for the office's answer, as the unknown student did.
    opted_out, closed = read()["items"]
    assert opted_out["state"] == "pending_review" and read()["state"] == "in_review"
    carla = request.students.get(position=0)
    with pytest.raises(NotAllowed):
        services.student_answer_send(request_student_id=carla.pk, sent_by=world.superintendent)
    services.student_answer_send(request_student_id=carla.pk, sent_by=world.clerk)
    with pytest.raises(Conflict):
        services.student_answer_send(request_student_id=carla.pk, sent_by=world.clerk)
    assert LedgerEntry.objects.filter(event_type="request.student_answered").count() == 1
    answer = read()
    opted_out, closed = answer["items"]
    # Once each is answered, Carla's refusal and the unknown student's closure read alike.
    assert alike(opted_out, closed)
    assert closed["state"] == "refused" and closed["explanation"] == "No records released."
    assert answer["state"] == "closed"


def test_a_student_nobody_identified_is_closed_after_the_deadline_and_the_office_reminded_first(
    world: World,
) -> None:
    body = request_body(categories=["attendance"])
    body["students"] = [MADE_UP]
    request = services.request_submit(
        agency=world.police, document=body, channel="portal", submitted_by=world.detective
    ).request
    assert request.state == RequestState.AWAITING_MATCH
    with time_machine.travel(request.decision_due_at + dt.timedelta(days=1)):
        call_command("remind_deadlines")
        request.refresh_from_db()
        assert request.state == RequestState.AWAITING_MATCH
        assert request.reminders.filter(kind="overdue").exists()
    with time_machine.travel(request.decision_due_at + dt.timedelta(days=30)):
        call_command("remind_deadlines")
    request.refresh_from_db()
    assert request.state == RequestState.CLOSED
    assert request.items.get().state == ItemState.UNIDENTIFIED
    assert timezone.now() < request.decision_due_at + dt.timedelta(days=30)


def test_the_requester_is_e_mailed_when_its_view_changes_and_never_about_a_student(
    world: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    body = request_body(world.dana, by_name=True, categories=["attendance"])
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_submit(
            agency=world.police, document=body, channel="portal", submitted_by=world.detective
        ).request
    told = [message for message in mailoutbox if message.to == [world.detective.email]]
    assert len(told) == 1
    message = told[0]
    assert request.reference in message.subject and "in review" in message.subject.lower()
    assert f"/portal/requests/{request.pk}/" in message.body
    for text in (message.subject, message.body):
        assert "Dana" not in text and "Silva" not in text and not TELLING.search(text)
    item = request.items.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.item_decide(
            item_id=item.pk, reviewer=world.superintendent, action="deny", rationale="Not needed."
        )
    told = [message for message in mailoutbox if message.to == [world.detective.email]]
    assert len(told) == 2 and "closed" in told[1].subject.lower()
    # A request sent through the API by an agency's system is answered there, not by e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        services.request_submit(agency=world.police, document=body, channel="api")
    assert len([message for message in mailoutbox if message.to == [world.detective.email]]) == 2


def test_a_student_named_twice_is_answered_alike_whether_enrolled_or_not(
    world: World, client: Client
) -> None:
    answers = []
    for student in (named(world.alice), MADE_UP):
        body = request_body(purpose="civil_immigration_enforcement", categories=["directory"])
        body["students"] = [student, dict(student)]
        response = post_json(client, "/api/v1/requests", body, world.ice_token)
        assert response.status_code == 201, response.content
        answers.append(response.json())
    assert [item["state"] for item in answers[0]["items"]] == ["refused", "refused"]
    assert [comparable(a)["items"] for a in answers][0] == [comparable(a)["items"] for a in answers][1]
    # By id and by name, the same enrolled student: one triage, answered for each.
    body = request_body(world.alice, categories=["attendance"])
    body["students"].append(named(world.alice))
    assert post_json(client, "/api/v1/requests", body, world.police_token).status_code == 201


def test_the_records_office_dates_an_entry_within_a_month_of_its_arrival(world: World) -> None:
    body = request_body(world.alice, categories=["attendance"])
    with pytest.raises(InvalidInput) as too_old:
        services.request_submit(
            agency=world.police,
            document=body,
            channel="mail",
            entered_by=world.clerk,
            received_at=timezone.now() - dt.timedelta(days=90),
        )
    assert too_old.value.errors[0][0] == "received_at"
