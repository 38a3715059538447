"""The office's clock on a request answers on the state its requester reads: a refusal held on a named
child's own facts and a child nobody can find are clarified, extended and resumed alike; a decided
request keeps no paused clock; the requester reads only the reasons its page shows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from brightline.casework import conversation, selectors, services
from brightline.casework.calendar import district_zone
from brightline.casework.models import DeadlineChangeKind, MessageKind, Request, RequestState
from brightline.errors import Conflict
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db

MADE_UP = {"first_name": "Nobody", "last_name": "Atall", "birth_date": "2012-02-02"}
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=district_zone())


def _submit(world: World, named: Any) -> Request:
    body = request_body(categories=["directory"])
    body["students"] = [named]
    return services.request_submit(
        agency=world.police, document=body, channel="portal", submitted_by=world.detective
    ).request


def _read(world: World, request: Request) -> tuple[Any, ...]:
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {world.police_token}"}
    shown = client.get(f"/api/v1/requests/{request.pk}", **auth).json()
    talk = client.get(f"/api/v1/requests/{request.pk}/messages", **auth).json()
    return (
        shown["state"],
        [item["state"] for item in shown["items"]],
        talk["clock_paused"],
        talk["decision_due_at"],
        [(m["kind"], m["body"]) for m in talk["messages"]],
        [(c["kind"], c["reason"], c["due_after"]) for c in talk["deadline_changes"]],
    )


def test_an_answer_held_on_the_childs_facts_is_clarified_and_extended_as_a_made_up_child(
    world: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    seen = []
    for named in ({"student_id": world.carla.sis_id}, MADE_UP):
        with time_machine.travel(MONDAY, tick=False):
            request = _submit(world, named)
        # Inside, Carla's refusal (her family opted out) is closed; her requester reads "in review".
        assert (
            selectors.requester_request_state(
                selectors.request_get(request_id=request.pk, agency=world.police)
            )
            == RequestState.IN_REVIEW
        )
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            with time_machine.travel(MONDAY + dt.timedelta(days=1), tick=False):
                conversation.clarification_ask(
                    request_id=request.pk, asked_by=world.clerk, body="Which year?"
                )
            with time_machine.travel(MONDAY + dt.timedelta(days=2), tick=False):
                conversation.clock_resume(
                    request_id=request.pk, resumed_by=world.clerk, reason="They phoned."
                )
            with time_machine.travel(MONDAY + dt.timedelta(days=3), tick=False):
                conversation.deadline_extend(
                    request_id=request.pk,
                    extended_by=world.clerk,
                    new_due_date=dt.date(2026, 3, 27),
                    reason="Volume of requests.",
                )
                conversation.clarification_ask(
                    request_id=request.pk, asked_by=world.clerk, body="And the term?"
                )
            with time_machine.travel(MONDAY + dt.timedelta(days=4), tick=False):
                answer = conversation.message_send(
                    request_id=request.pk, author=world.detective, body="Spring.", agency=world.police
                )
        assert answer.kind == MessageKind.ANSWER
        seen.append(
            (
                _read(world, request),
                [
                    m.subject.replace(request.reference, "REF")
                    for m in mailoutbox
                    if m.to == [world.detective.email]
                ],
            )
        )
    assert seen[0] == seen[1]
    assert seen[0][0][0] == "in_review"


def test_a_resume_reason_stays_with_the_office_and_an_extension_reason_is_read(world: World) -> None:
    request = _submit(world, {"student_id": world.alice.sis_id})
    conversation.clarification_ask(request_id=request.pk, asked_by=world.clerk, body="Which year?")
    conversation.clock_resume(
        request_id=request.pk, resumed_by=world.clerk, reason="Phoned Det. Ruiz; internal only."
    )
    due = selectors.request_get(request_id=request.pk, agency=world.police).decision_due_at
    day = due.astimezone(district_zone()).date() + dt.timedelta(days=7)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    conversation.deadline_extend(
        request_id=request.pk, extended_by=world.clerk, new_due_date=day, reason="The archive is closed."
    )
    talk = Client().get(
        f"/api/v1/requests/{request.pk}/messages", HTTP_AUTHORIZATION=f"Bearer {world.police_token}"
    )
    assert "Ruiz" not in talk.content.decode()
    reasons = {c["kind"]: c["reason"] for c in talk.json()["deadline_changes"]}
    assert reasons == {"paused": "", "resumed": "", "extended": "The archive is closed."}
    # Staff read the office's reason.
    from brightline.accounts.tests.helpers import sign_in

    staff = Client()
    sign_in(staff, world.clerk)
    assert "Ruiz" in staff.get(f"/api/v1/requests/{request.pk}/messages").content.decode()


@pytest.mark.parametrize("named", ["made_up", "opted_out"])
def test_a_decision_ends_a_paused_clock_without_a_resume(
    world: World, named: str, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    request = _submit(world, MADE_UP if named == "made_up" else {"student_id": world.carla.sis_id})
    conversation.clarification_ask(request_id=request.pk, asked_by=world.clerk, body="Which year?")
    rs = request.students.get()
    if named == "made_up":
        services.student_close_unidentified(request_student_id=rs.pk, closed_by=world.clerk, reason="Nobody.")
    else:
        services.student_answer_send(request_student_id=rs.pk, sent_by=world.clerk)
    request.refresh_from_db()
    assert request.state == RequestState.CLOSED and request.clock_paused_at is None
    assert [c.kind for c in selectors.deadline_changes_of(request)] == [DeadlineChangeKind.PAUSED]
    with pytest.raises(Conflict):
        conversation.clock_resume(request_id=request.pk, resumed_by=world.clerk, reason="x")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message = conversation.message_send(
            request_id=request.pk, author=world.detective, body="Thanks.", agency=world.police
        )
    assert message.kind == MessageKind.MESSAGE
    assert not [m for m in mailoutbox if m.to == [world.detective.email]]
    assert [c.kind for c in selectors.deadline_changes_of(request)] == [DeadlineChangeKind.PAUSED]
    talk = (
        Client()
        .get(f"/api/v1/requests/{request.pk}/messages", HTTP_AUTHORIZATION=f"Bearer {world.police_token}")
        .json()
    )
    assert talk["clock_paused"] is False


def test_the_pause_stays_while_the_answer_is_held(world: World) -> None:
    """Cleared no earlier than the requester learns the decision: a held refusal keeps its pause."""
    request = _submit(world, {"student_id": world.carla.sis_id})
    conversation.clarification_ask(request_id=request.pk, asked_by=world.clerk, body="Which year?")
    services.request_refresh_state(request)
    request.refresh_from_db()
    assert request.clock_paused_at is not None


def test_a_long_decided_request_takes_no_more_messages_and_the_office_is_told_once_an_hour(
    world: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(MONDAY, tick=False):
        request = _submit(world, MADE_UP)
        rs = request.students.get()
        services.student_close_unidentified(request_student_id=rs.pk, closed_by=world.clerk, reason="Nobody.")

    def write(when: dt.datetime, body: str) -> None:
        with time_machine.travel(when, tick=False), django_capture_on_commit_callbacks(execute=True):
            conversation.message_send(
                request_id=request.pk, author=world.detective, body=body, agency=world.police
            )

    def office_mail() -> int:
        return len([m for m in mailoutbox if world.clerk.email in m.to])

    write(MONDAY + dt.timedelta(minutes=5), "Why?")
    write(MONDAY + dt.timedelta(minutes=20), "Why, again?")
    write(MONDAY + dt.timedelta(minutes=50), "Why, again and again?")
    assert office_mail() == 1
    write(MONDAY + dt.timedelta(minutes=65), "Still why?")
    assert office_mail() == 2
    late = MONDAY + dt.timedelta(days=conversation.MESSAGES_AFTER_DECISION_DAYS + 1)
    with pytest.raises(Conflict) as refused:
        write(late, "A month later.")
    assert refused.value.field == "body" and "new request" in refused.value.message
    assert request.messages.count() == 4 and office_mail() == 2
    # Within the days after the decision, it may still write.
    write(MONDAY + dt.timedelta(days=conversation.MESSAGES_AFTER_DECISION_DAYS - 1), "Last word.")
    assert request.messages.count() == 5
