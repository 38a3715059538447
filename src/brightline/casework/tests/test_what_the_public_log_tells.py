"""The public log and the requester's answers tell nothing of the students a request names: tried as an
immigration agency would that submits a request and then reads the public ledger, its answer and its
e-mail, for an enrolled student, one flagged missing and in foster care, one whose family opted out,
one adjudicated, and one the roster does not have."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from brightline.agencies.models import Agency
from brightline.agencies.services import api_token_issue
from brightline.casework import selectors, services
from brightline.casework.models import ItemState, Request, RequestState
from brightline.ledger.models import LedgerEntry
from brightline.ledger.services import PADDING_EVENT
from brightline.roster.models import Student
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db

KINDS = ("enrolled", "missing_in_foster_care", "opted_out", "adjudicated", "unknown")
REQUESTS: dict[str, tuple[str, dict[str, Any]]] = {
    "immigration agency": ("ice", {"purpose": "civil_immigration_enforcement"}),
    "police passing records on to immigration": (
        "police",
        {"onward_recipients": ["immigration_enforcement"]},
    ),
    "police": ("police", {}),
    "transit police": ("transit", {}),
}
CATEGORIES = ["directory", "enrollment", "contact", "attendance", "law_enforcement_unit"]


def _student(world: World, kind: str) -> dict[str, str]:
    if kind == "unknown":
        return {"first_name": "Nadia", "last_name": "Nobody", "birth_date": "2012-02-02"}
    student = {
        "enrolled": world.alice,
        "missing_in_foster_care": world.dana,
        "opted_out": world.carla,
    }.get(kind)
    if student is None:
        student = Student.objects.create(
            sourced_id="src-S-1109",
            sis_id="S-1109",
            first_name="Eli",
            last_name="Moreau",
            birth_date=dt.date(2008, 4, 4),
            grade="11",
            school=world.school,
            adjudicated=True,
        )
    assert student.birth_date is not None
    return {
        "first_name": student.first_name,
        "last_name": student.last_name,
        "birth_date": student.birth_date.isoformat(),
    }


def _without_ids(answer: dict[str, Any]) -> dict[str, Any]:
    answer = json.loads(json.dumps(answer, default=str))
    for key in ("id", "reference", "received_at", "decision_due_at", "students"):
        answer.pop(key)
    for item in answer["items"]:
        item.pop("id")
    return answer


def _submit(world: World, client: Client, who: str, overrides: dict[str, Any], kind: str) -> dict[str, Any]:
    body = request_body(categories=CATEGORIES, **overrides)
    body["students"] = [_student(world, kind)]
    token = getattr(world, f"{who}_token")
    before = LedgerEntry.objects.count()
    submitted = client.post(
        "/api/v1/requests",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert submitted.status_code == 201, submitted.content
    leaves = LedgerEntry.objects.count() - before
    read_back = client.get(f"/api/v1/requests/{submitted.json()['id']}", HTTP_AUTHORIZATION=f"Bearer {token}")
    return {
        "leaves": leaves,
        "submitted": _without_ids(submitted.json()),
        "read_back": _without_ids(read_back.json()),
    }


@pytest.mark.parametrize("requester", REQUESTS)
def test_a_submission_adds_the_same_number_of_leaves_and_answers_alike_whoever_the_student(
    world: World, client: Client, settings: Any, requester: str
) -> None:
    # With a missing-persons contact, an alert is a real email; without one, it is kept undeliverable.
    settings.MISSING_PERSONS_CONTACT = "Missing Persons <missing@police.example>"
    who, overrides = REQUESTS[requester]
    seen = {kind: _submit(world, client, who, overrides, kind) for kind in KINDS}
    first = seen["enrolled"]
    for kind, answer in seen.items():
        assert answer["leaves"] == first["leaves"], (kind, {k: a["leaves"] for k, a in seen.items()})
        assert answer["submitted"] == first["submitted"], kind
        assert answer["read_back"] == first["read_back"], kind
    # Behind the answers, the district acted on what it knows: the missing student's alert is there.
    assert LedgerEntry.objects.filter(event_type="missing_child_alert.created").count() == 1
    assert LedgerEntry.objects.filter(event_type=PADDING_EVENT).exists()


def test_the_padding_leaves_look_like_any_other_leaf_to_the_public(world: World, client: Client) -> None:
    _submit(world, client, "police", {}, "unknown")
    entries = client.get("/api/v1/ledger/entries?start=0&end=1000").json()["entries"]
    keys = {tuple(sorted(json.loads(base64.b64decode(entry["data"])))) for entry in entries}
    assert keys == {("index", "record_sha256", "time")}
    padding = LedgerEntry.objects.filter(event_type=PADDING_EVENT)
    assert padding.exists()
    # Each padding leaf commits to its own record (a fresh nonce): no two leaves repeat a hash.
    hashes = [json.loads(bytes(entry.data))["record_sha256"] for entry in LedgerEntry.objects.all()]
    assert len(hashes) == len(set(hashes))
    call_command("ledger", "verify")


def test_a_refusal_on_a_students_facts_is_answered_when_an_unknown_student_would_be(
    world: World, client: Client
) -> None:
    """Carla's family opted out of directory information: the refusal waits for the office's answer, and
    the deadline sends it on the day an unidentified student is closed."""
    body = request_body(world.carla, by_name=True, categories=["directory"])
    request = services.request_submit(agency=world.police, document=body, channel="api").request
    unknown_body = request_body(categories=["directory"])
    unknown_body["students"] = [_student(world, "unknown")]
    unknown = services.request_submit(agency=world.police, document=unknown_body, channel="api").request
    assert request.items.get().state == ItemState.REFUSED
    assert request.state == RequestState.CLOSED

    def requester_view(found: Any) -> dict[str, Any]:
        return _without_ids(
            client.get(
                f"/api/v1/requests/{found.pk}", HTTP_AUTHORIZATION=f"Bearer {world.police_token}"
            ).json()
        )

    assert requester_view(request) == requester_view(unknown)
    assert requester_view(request)["state"] == "in_review"
    with time_machine.travel(request.decision_due_at + dt.timedelta(days=30)):
        call_command("remind_deadlines")
    assert requester_view(request) == requester_view(unknown)
    assert requester_view(request)["state"] == "closed"
    assert LedgerEntry.objects.filter(event_type="request.student_answered").count() == 1
    assert LedgerEntry.objects.filter(event_type="request.student_closed").count() == 1


def test_the_offices_step_on_a_student_adds_the_same_number_of_leaves_whatever_it_found(
    world: World, settings: Any
) -> None:
    """Matching a student flagged missing (record entry, alert, its email), matching any other student
    (record entry), closing one nobody can identify, and sending a held answer: alike on the public log."""
    settings.MISSING_PERSONS_CONTACT = "Missing Persons <missing@police.example>"
    steps: dict[str, int] = {}

    def unmatched(first_name: str) -> Any:
        body = request_body(categories=["directory", "attendance"])
        body["students"] = [
            {"first_name": first_name, "last_name": "Spelled-Wrong", "birth_date": "2012-02-02"}
        ]
        request = services.request_submit(agency=world.police, document=body, channel="api").request
        return request.students.get()

    def leaves(step: Any) -> int:
        before = LedgerEntry.objects.count()
        step()
        return LedgerEntry.objects.count() - before

    for student in (world.dana, world.alice):
        rs = unmatched(student.first_name)
        steps[student.first_name] = leaves(
            lambda rs=rs, student=student: services.student_match_resolve(
                request_student_id=rs.pk, student_id=student.pk, resolved_by=world.clerk
            )
        )
    rs = unmatched("Nadia")
    steps["closed"] = leaves(
        lambda: services.student_close_unidentified(
            request_student_id=rs.pk, closed_by=world.clerk, reason="None."
        )
    )
    carla_body = request_body(world.carla, categories=["directory"])
    carla = services.request_submit(agency=world.police, document=carla_body, channel="api").request
    steps["answered"] = leaves(
        lambda: services.student_answer_send(request_student_id=carla.students.get().pk, sent_by=world.clerk)
    )
    assert len(set(steps.values())) == 1, steps
    assert LedgerEntry.objects.filter(event_type="missing_child_alert.created").count() == 1


def test_the_requesters_email_reads_the_same_whoever_the_student(
    world: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    told: dict[str, list[tuple[str, ...]]] = {}
    for kind in KINDS:
        body = request_body(categories=CATEGORIES)
        body["students"] = [_student(world, kind)]
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            request = services.request_submit(
                agency=world.police, document=body, channel="portal", submitted_by=world.detective
            ).request
        told[kind] = [
            tuple(
                text.replace(request.reference, "REF").replace(str(request.pk), "ID")
                for text in (message.subject, message.body)
            )
            for message in mailoutbox
            if message.to == [world.detective.email]
        ]
    assert told["enrolled"], "the requester is told its request is in review"
    for kind, messages in told.items():
        assert messages == told["enrolled"], kind


def test_the_leaves_of_one_step_share_one_time(world: World, client: Client) -> None:
    """The microseconds between leaves would tell a record entry from padding, and an alert from none."""
    _submit(world, client, "police", {}, "missing_in_foster_care")
    last = LedgerEntry.objects.order_by("-index").first()
    assert last is not None
    times = {
        json.loads(bytes(entry.data))["time"]
        for entry in LedgerEntry.objects.filter(index__gt=last.index - 8)
    }
    assert len(times) == 1


def test_an_agency_filters_its_requests_on_what_it_is_shown(world: World, client: Client) -> None:
    for kind in ("enrolled", "unknown", "opted_out"):
        _submit(world, client, "police", {}, kind)

    def listed(state: str) -> int:
        response = client.get(
            f"/api/v1/requests?state={state}", HTTP_AUTHORIZATION=f"Bearer {world.police_token}"
        )
        assert response.status_code == 200
        return len(response.json())

    # The district's own states (awaiting a match, closed on a student's facts) sort nothing apart.
    assert listed("in_review") == 3
    assert listed("awaiting_match") == 0 and listed("closed") == 0 and listed("ready") == 0


def test_an_emergency_a_denial_and_a_refusal_whoever_the_student_read_alike(
    world: World, client: Client
) -> None:
    """A stated emergency waits for the district's determination only for an identified student; only an
    identified student's item reaches a reviewer who may deny it; and a refusal on a rule that reads
    students' facts is made for an unknown student too, and answered when the office closes it."""
    ends = (timezone.now() + dt.timedelta(hours=6)).isoformat()
    emergency = {
        "purpose": "health_safety_emergency",
        "emergency": {"threat": "A fire at the school", "ends_at": ends},
    }
    seen = {kind: _submit(world, client, "police", emergency, kind) for kind in ("enrolled", "unknown")}
    assert seen["enrolled"]["submitted"] == seen["unknown"]["submitted"]
    assert seen["enrolled"]["read_back"]["state"] == "in_review"

    # A denial by the superintendent, and an unknown student closed by the office: both "no records released".
    answers = {}
    for kind in ("enrolled", "unknown"):
        body = request_body(categories=["attendance"])
        body["students"] = [_student(world, kind)]
        request = services.request_submit(agency=world.police, document=body, channel="api").request
        if kind == "enrolled":
            services.item_decide(
                item_id=request.items.get().pk, reviewer=world.superintendent, action="deny", rationale="No."
            )
        else:
            services.student_close_unidentified(
                request_student_id=request.students.get().pk, closed_by=world.clerk, reason="Not ours."
            )
        answers[kind] = _without_ids(
            client.get(
                f"/api/v1/requests/{request.pk}", HTTP_AUTHORIZATION=f"Bearer {world.police_token}"
            ).json()
        )
    assert answers["enrolled"] == answers["unknown"]
    assert answers["enrolled"]["items"][0]["state"] == "refused"
    assert answers["enrolled"]["items"][0]["obligations"] == []


def test_a_refusal_made_for_an_unknown_student_too_is_answered_when_the_office_closes_it(
    world: World, client: Client
) -> None:
    """Without its certification a juvenile justice agency is refused by a rule that also reads the
    student's facts (F7): an enrolled student's refusal waits for the office's answer, an unknown
    student's for its closure; once each is answered they read alike, and neither stays open."""
    youth = Agency.objects.create(name="Youth Services", kind="juvenile_justice", verified=True)
    token = api_token_issue(agency=youth, name="case system")[1]
    found = {}
    for kind in ("enrolled", "unknown"):
        body = request_body(purpose="juvenile_justice", categories=["attendance"])
        body["students"] = [_student(world, kind)]
        response = client.post(
            "/api/v1/requests",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert response.status_code == 201, response.content
        found[kind] = Request.objects.get(pk=response.json()["id"])

    def read(kind: str) -> dict[str, Any]:
        return _without_ids(
            client.get(f"/api/v1/requests/{found[kind].pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
        )

    assert read("enrolled") == read("unknown") and read("enrolled")["state"] == "in_review"
    services.student_answer_send(request_student_id=found["enrolled"].students.get().pk, sent_by=world.clerk)
    services.student_close_unidentified(
        request_student_id=found["unknown"].students.get().pk, closed_by=world.clerk, reason="Not ours."
    )
    assert read("enrolled") == read("unknown") and read("enrolled")["state"] == "closed"


def test_the_office_lists_an_unknown_student_refused_whoever_they_are_to_identify(world: World) -> None:
    """A request refused in whole is closed inside the district, but its unknown student still waits for
    the office's closure, which is the requester's answer: the office's list shows it."""
    youth = Agency.objects.create(name="Youth Services", kind="juvenile_justice", verified=True)
    body = request_body(purpose="juvenile_justice", categories=["attendance"])
    body["students"] = [_student(world, "unknown")]
    request = services.request_submit(agency=youth, document=body, channel="api").request
    assert request.state == RequestState.CLOSED
    assert list(selectors.requests_with_students_to_identify(user=world.clerk)) == [request]
    services.student_close_unidentified(
        request_student_id=request.students.get().pk, closed_by=world.clerk, reason="Not ours."
    )
    assert list(selectors.requests_with_students_to_identify(user=world.clerk)) == []


def test_a_denial_adds_as_many_leaves_as_closing_an_unknown_student(world: World) -> None:
    steps = {}
    for kind in ("enrolled", "unknown"):
        body = request_body(categories=["attendance"])
        body["students"] = [_student(world, kind)]
        request = services.request_submit(agency=world.police, document=body, channel="api").request
        before = LedgerEntry.objects.count()
        if kind == "enrolled":
            services.item_decide(
                item_id=request.items.get().pk, reviewer=world.superintendent, action="deny", rationale="No."
            )
        else:
            services.student_close_unidentified(
                request_student_id=request.students.get().pk, closed_by=world.clerk, reason="Not ours."
            )
        steps[kind] = LedgerEntry.objects.count() - before
    assert steps["enrolled"] == steps["unknown"], steps
