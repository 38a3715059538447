"""Messages on a request, asking the requester to clarify (the clock stops), extensions, the owner and
internal notes: services, API and what the requester and the public learn of them."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from brightline.accounts.tests.helpers import sign_in
from brightline.casework import conversation, selectors, services
from brightline.casework.calendar import DistrictCalendar, district_zone, end_of_day
from brightline.casework.models import DeadlineChangeKind, MessageKind, Request
from brightline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from brightline.ledger.models import LedgerEntry
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db

MADE_UP = {"first_name": "Nobody", "last_name": "Atall", "birth_date": "2012-02-02"}
# A Monday, 10:00 in the district: no holiday in the fortnight after it.
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=district_zone())


def _submit(world: World, *students: Any, by_name: bool = False, **overrides: Any) -> Request:
    body = request_body(*students, by_name=by_name, **overrides)
    return services.request_submit(
        agency=world.police, document=body, channel="portal", submitted_by=world.detective
    ).request


def _told(mailoutbox: list[Any], world: World) -> list[Any]:
    return [message for message in mailoutbox if message.to == [world.detective.email]]


def test_clarify_answer_and_the_clock_moves_by_the_business_days_it_stood_still(
    world: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(MONDAY, tick=False):
        request = _submit(world, world.alice, categories=["academic"])
    due = request.decision_due_at
    assert timezone.localtime(due, district_zone()).date() == dt.date(2026, 3, 16)
    with time_machine.travel(MONDAY + dt.timedelta(days=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            asked = conversation.clarification_ask(
                request_id=request.pk, asked_by=world.clerk, body="Which school year do you mean?"
            )
    assert asked.kind == MessageKind.CLARIFICATION and asked.from_office
    request.refresh_from_db()
    assert request.clock_paused_at is not None
    told = _told(mailoutbox, world)
    assert "clarify" in told[-1].subject and f"/portal/requests/{request.pk}/" in told[-1].body
    assert "school year" not in told[-1].body  # the text is read behind the sign-in
    # A paused request is neither overdue nor reminded, however long the requester takes.
    with time_machine.travel(due + dt.timedelta(days=3), tick=False):
        assert request not in selectors.requests_overdue(user=world.clerk)
    # Answered on Thursday of the next week: 7 business days stood still (Wed..Thu next week).
    with time_machine.travel(MONDAY + dt.timedelta(days=10), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            answer = conversation.message_send(
                request_id=request.pk, author=world.detective, body="2025-26 only.", agency=world.police
            )
    assert answer.kind == MessageKind.ANSWER and not answer.from_office
    request.refresh_from_db()
    assert request.clock_paused_at is None
    stood = DistrictCalendar().business_days_between(dt.date(2026, 3, 3), dt.date(2026, 3, 12))
    assert stood == 7
    expected = end_of_day(DistrictCalendar().add_business_days(dt.date(2026, 3, 16), stood))
    assert request.decision_due_at == expected
    kinds = [change.kind for change in selectors.deadline_changes_of(request)]
    assert kinds == [DeadlineChangeKind.PAUSED, DeadlineChangeKind.RESUMED]
    assert [m.kind for m in selectors.messages_of(request)] == [MessageKind.CLARIFICATION, MessageKind.ANSWER]
    # The office is told that the requester wrote, with a link, not the text.
    office = [m for m in mailoutbox if world.clerk.email in m.to]
    assert (
        office and "2025-26" not in office[-1].body and f"/office/requests/{request.pk}/" in office[-1].body
    )


def test_message_texts_stay_in_the_database_and_the_public_log_holds_a_salted_commitment(
    world: World,
) -> None:
    request = _submit(world, world.alice, categories=["academic"])
    message = conversation.message_send(
        request_id=request.pk, author=world.clerk, body="Please send the court order."
    )
    entry = LedgerEntry.objects.filter(event_type="request.message").latest("index")
    assert b"court order" not in bytes(entry.record.canonical)
    assert (
        entry.record.record["text_sha256_salted"]
        == hashlib.sha256(message.text_salt.encode() + message.body.encode()).hexdigest()
    )


def test_a_requesters_message_is_padded_alike_whether_it_answers_or_not(world: World) -> None:
    request = _submit(world, world.alice, categories=["academic"])
    before = LedgerEntry.objects.count()
    conversation.message_send(
        request_id=request.pk, author=world.detective, body="Any news?", agency=world.police
    )
    plain = LedgerEntry.objects.count() - before
    conversation.clarification_ask(request_id=request.pk, asked_by=world.clerk, body="Which year?")
    before = LedgerEntry.objects.count()
    conversation.message_send(
        request_id=request.pk, author=world.detective, body="This year.", agency=world.police
    )
    answering = LedgerEntry.objects.count() - before
    assert plain == answering == conversation.REQUESTER_MESSAGE_LEAVES


def test_clarifying_works_alike_for_an_unidentified_student_and_an_enrolled_one(
    world: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    """What the requester reads after asking, answering and waiting is the same whoever it named."""
    seen = []
    for named in (None, MADE_UP):
        with django_capture_on_commit_callbacks(execute=True):
            if named is None:
                request = _submit(world, world.alice, by_name=True, categories=["academic"])
            else:
                body = request_body(categories=["academic"])
                body["students"] = [named]
                request = services.request_submit(
                    agency=world.police, document=body, channel="portal", submitted_by=world.detective
                ).request
            conversation.clarification_ask(request_id=request.pk, asked_by=world.clerk, body="Which year?")
            conversation.message_send(
                request_id=request.pk, author=world.detective, body="This year.", agency=world.police
            )
        found = selectors.request_get(request_id=request.pk, agency=world.police)
        view = selectors.request_representation(found, for_agency=True)
        seen.append(
            (
                view["state"],
                [item["state"] for item in view["items"]],
                [m.kind for m in selectors.messages_of(found)],
                [c.kind for c in selectors.deadline_changes_of(found)],
                [m.subject.replace(request.reference, "REF") for m in _told(mailoutbox, world)],
            )
        )
        mailoutbox.clear()
    assert seen[0] == seen[1]


def test_extension_needs_a_reason_and_a_later_business_day_and_is_told(
    world: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(MONDAY, tick=False):
        request = _submit(world, world.alice, categories=["academic"])
        with pytest.raises(InvalidInput) as error:
            conversation.deadline_extend(
                request_id=request.pk, extended_by=world.clerk, new_due_date=dt.date(2026, 3, 20), reason=" "
            )
        assert error.value.errors[0][0] == "reason"
        with pytest.raises(InvalidInput) as error:
            conversation.deadline_extend(
                request_id=request.pk,
                extended_by=world.clerk,
                new_due_date=dt.date(2026, 3, 21),
                reason="Volume",
            )
        assert error.value.errors[0][0] == "new_due_date" and "business day" in error.value.errors[0][1]
        with pytest.raises(InvalidInput):
            conversation.deadline_extend(
                request_id=request.pk,
                extended_by=world.clerk,
                new_due_date=dt.date(2026, 3, 13),
                reason="Volume",
            )
        with pytest.raises(NotAllowed):
            conversation.deadline_extend(
                request_id=request.pk,
                extended_by=world.detective,
                new_due_date=dt.date(2026, 3, 20),
                reason="x",
            )
        with django_capture_on_commit_callbacks(execute=True):
            change = conversation.deadline_extend(
                request_id=request.pk,
                extended_by=world.clerk,
                new_due_date=dt.date(2026, 3, 20),
                reason="The archive holding older records is closed this week.",
            )
    request.refresh_from_db()
    assert request.decision_due_at == end_of_day(dt.date(2026, 3, 20)) == change.due_after
    assert "deadline" in _told(mailoutbox, world)[-1].subject


def test_owner_mine_and_internal_notes_the_requester_never_reads(world: World, client: Client) -> None:
    request = _submit(world, world.alice, categories=["academic"])
    with pytest.raises(InvalidInput) as error:
        conversation.request_assign(
            request_id=request.pk, owner_id=world.detective.pk, assigned_by=world.clerk
        )
    assert error.value.errors[0][0] == "owner"
    conversation.request_assign(
        request_id=request.pk, owner_id=world.superintendent.pk, assigned_by=world.clerk
    )
    assert list(selectors.requests_mine(user=world.superintendent)) == [request]
    assert list(selectors.requests_mine(user=world.clerk)) == []
    conversation.note_add(request_id=request.pk, author=world.clerk, body="Principal says the file is thin.")
    with pytest.raises(NotAllowed):
        conversation.note_add(request_id=request.pk, author=world.detective, body="hello")
    assert len(selectors.internal_notes_of(request=request, user=world.superintendent)) == 1
    assert selectors.internal_notes_of(request=request, user=world.detective) == []
    # Nothing of the note in what the requester reads, on the API or the portal.
    response = client.get(f"/api/v1/requests/{request.pk}", HTTP_AUTHORIZATION=f"Bearer {world.police_token}")
    assert "thin" not in response.content.decode()


def test_another_agency_cannot_write_on_a_request_and_reads_it_as_missing(world: World) -> None:
    request = _submit(world, world.alice, categories=["academic"])
    with pytest.raises(NotFound):
        conversation.message_send(
            request_id=request.pk, author=world.transit_officer, body="hi", agency=world.transit
        )
    with pytest.raises(Conflict):
        conversation.clock_resume(request_id=request.pk, resumed_by=world.clerk, reason="phoned")


# -- the API ---------------------------------------------------------------------------------------------


def _post(client: Client, url: str, body: object, token: str | None = None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_api_messages_clarification_extension_owner_and_notes(world: World, client: Client) -> None:
    created = _post(client, "/api/v1/requests", request_body(world.alice), world.police_token).json()
    url = f"/api/v1/requests/{created['id']}"
    # An agency writes and reads the conversation on its own requests only.
    response = _post(client, f"{url}/messages", {"body": "Any news?"}, world.police_token)
    assert response.status_code == 201, response.content
    assert _post(client, f"{url}/messages", {"body": "hi"}, world.transit_token).status_code == 404
    assert _post(client, f"{url}/messages", {"body": ""}, world.police_token).status_code == 422
    staff = Client()
    sign_in(staff, world.clerk)
    response = staff.post(
        f"{url}/clarification", data=json.dumps({"body": "Which year?"}), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    listed = client.get(f"{url}/messages", HTTP_AUTHORIZATION=f"Bearer {world.police_token}").json()
    assert [m["kind"] for m in listed["messages"]] == ["message", "clarification"]
    assert listed["clock_paused"] is True and listed["messages"][1]["from_office"] is True
    assert "author" not in listed["messages"][1]
    response = staff.post(
        f"{url}/extension",
        data=json.dumps({"new_due_date": "2000-01-03", "reason": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "new_due_date"
    response = staff.post(
        f"{url}/owner", data=json.dumps({"owner": world.clerk.pk}), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    response = staff.post(
        f"{url}/notes", data=json.dumps({"body": "Call back."}), content_type="application/json"
    )
    assert response.status_code == 201
    assert [n["body"] for n in staff.get(f"{url}/notes").json()] == ["Call back."]
    assert client.get(f"{url}/notes", HTTP_AUTHORIZATION=f"Bearer {world.police_token}").status_code in (
        401,
        403,
    )


def test_the_office_pauses_without_a_question_and_only_the_office_resumes(
    world: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    """Waiting for a court's answer: the clock stops with an internal reason; the requester reads that it
    is paused (portal, API, e-mail) and never why; its message does not start the clock; the office's
    resumption moves the deadline by the business days it stood still, as after a clarification."""
    with time_machine.travel(MONDAY, tick=False):
        request = _submit(world, world.alice, categories=["academic"])
    reason = "Waiting for the juvenile court's answer about Alice's custody."
    with pytest.raises(NotAllowed):
        conversation.clock_pause(request_id=request.pk, paused_by=world.superintendent, reason=reason)
    with pytest.raises(InvalidInput) as error:
        conversation.clock_pause(request_id=request.pk, paused_by=world.clerk, reason="  ")
    assert error.value.errors == [("reason", "Write why the clock is paused.")]
    before = LedgerEntry.objects.count()
    with time_machine.travel(MONDAY + dt.timedelta(days=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            change = conversation.clock_pause(request_id=request.pk, paused_by=world.clerk, reason=reason)
    assert change.kind == DeadlineChangeKind.PAUSED and change.reason == reason
    paused = LedgerEntry.objects.filter(index__gte=before).get()
    assert paused.event_type == "request.deadline_paused" and "custody" not in json.dumps(
        paused.record.record
    )
    request.refresh_from_db()
    assert request.clock_paused_at is not None and not conversation.clock_waits_for_requester(request)
    told = _told(mailoutbox, world)
    assert "paused" in told[-1].subject and "custody" not in told[-1].body
    with pytest.raises(Conflict):
        conversation.clock_pause(request_id=request.pk, paused_by=world.clerk, reason=reason)
    with pytest.raises(Conflict):
        conversation.clarification_ask(request_id=request.pk, asked_by=world.clerk, body="Which year?")

    # The requester reads that the clock is paused, never why.
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {world.police_token}"}
    read = client.get(f"/api/v1/requests/{request.pk}/messages", **auth).json()
    assert read["clock_paused"] is True
    assert [(c["kind"], c["reason"]) for c in read["deadline_changes"]] == [("paused", "")]
    assert "custody" not in json.dumps(read)

    # A message from the requester is a message, not an answer: the clock stays paused.
    with time_machine.travel(MONDAY + dt.timedelta(days=3), tick=False):
        message = conversation.message_send(
            request_id=request.pk, author=world.detective, body="Any news?", agency=world.police
        )
    assert message.kind == MessageKind.MESSAGE
    request.refresh_from_db()
    assert request.clock_paused_at is not None

    # Resumed by the office on Thursday of the next week: 7 business days stood still.
    with time_machine.travel(MONDAY + dt.timedelta(days=10), tick=False):
        conversation.clock_resume(request_id=request.pk, resumed_by=world.clerk, reason="The court answered.")
    request.refresh_from_db()
    assert request.clock_paused_at is None
    expected = end_of_day(DistrictCalendar().add_business_days(dt.date(2026, 3, 16), 7))
    assert request.decision_due_at == expected
    read = client.get(f"/api/v1/requests/{request.pk}/messages", **auth).json()
    assert read["clock_paused"] is False
    assert [(c["kind"], c["reason"]) for c in read["deadline_changes"]] == [("paused", ""), ("resumed", "")]
