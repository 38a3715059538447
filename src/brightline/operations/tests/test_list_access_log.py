"""Lists that show students write the staff access log (Security round 2, item 6): the API's request
list, the overdue list, the review queue (API and page), roster search and match candidates. Each list
writes one row per student shown, in one statement for the page; lists shown to an agency write none."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from brightline.accounts.models import StaffAccess
from brightline.accounts.tests.helpers import sign_in
from brightline.casework.models import Request, RequestStudent
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db


def submitted(world: World, *students: Any, **overrides: Any) -> str:
    answer = Client().post(
        "/api/v1/requests",
        data=json.dumps(request_body(*students, **overrides)),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {world.police_token}",
    )
    assert answer.status_code == 201, answer.content
    return str(answer.json()["id"])


def inserts_into_the_log(queries: CaptureQueriesContext) -> int:
    table = StaffAccess._meta.db_table
    return sum(
        1
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith("INSERT") and table in query["sql"]
    )


def logged(what: str) -> set[str]:
    return set(StaffAccess.objects.filter(what=what).values_list("student_sis_id", flat=True))


def staff_client(user: Any) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def test_the_api_request_list_logs_every_student_shown_in_one_statement(world: World) -> None:
    submitted(world, world.alice, world.ben)
    submitted(world, world.carla)
    client = staff_client(world.clerk)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/requests").status_code == 200
    assert logged("request in a list of requests") == {
        world.alice.sis_id,
        world.ben.sis_id,
        world.carla.sis_id,
    }
    assert inserts_into_the_log(queries) == 1
    row = StaffAccess.objects.filter(what="request in a list of requests").first()
    assert row is not None and row.user == world.clerk and row.path == "/api/v1/requests"
    # An agency reading its own list is not district staff: nothing is written.
    before = StaffAccess.objects.count()
    Client().get("/api/v1/requests", HTTP_AUTHORIZATION=f"Bearer {world.police_token}")
    assert StaffAccess.objects.count() == before


def test_the_overdue_list_logs_its_students(world: World) -> None:
    request_id = submitted(world, world.alice)
    submitted(world, world.ben)  # not overdue: not shown, not logged
    Request.objects.filter(pk=request_id).update(decision_due_at=timezone.now() - dt.timedelta(days=1))
    client = staff_client(world.clerk)
    with CaptureQueriesContext(connection) as queries:
        answer = client.get("/api/v1/office/overdue")
    assert answer.status_code == 200 and [r["id"] for r in answer.json()] == [request_id]
    assert logged("request in the overdue list") == {world.alice.sis_id}
    assert inserts_into_the_log(queries) == 1


def test_the_review_queue_logs_its_students_on_the_api_and_the_page(world: World) -> None:
    submitted(world, world.alice, world.ben, categories=["directory", "health"])
    client = staff_client(world.superintendent)
    with CaptureQueriesContext(connection) as queries:
        queue = client.get("/api/v1/review/queue")
    assert queue.status_code == 200 and queue.json(), "the fixtures' request waits for the superintendent"
    shown = logged("item in the review queue")
    assert shown and shown <= {world.alice.sis_id, world.ben.sis_id}
    assert inserts_into_the_log(queries) == 1
    StaffAccess.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/review/").status_code == 200
    assert logged("item in the review queue") == shown
    assert inserts_into_the_log(queries) == 1


def test_match_candidates_and_roster_search_results_are_logged_in_one_statement(world: World) -> None:
    # Two students the roster does not know by these ids: each gets a match panel.
    body = request_body(world.alice, world.ben)
    body["students"] = [{"student_id": "S-UNKNOWN-1"}, {"student_id": "S-UNKNOWN-2"}]
    answer = Client().post(
        "/api/v1/requests",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {world.police_token}",
    )
    request_id = answer.json()["id"]
    first = RequestStudent.objects.filter(request_id=request_id).order_by("position").first()
    assert first is not None
    client = staff_client(world.clerk)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(
            f"/office/requests/{request_id}/",
            {"search_for": first.pk, f"s{first.pk}-student_id": world.alice.sis_id},
        )
    assert page.status_code == 200 and world.alice.last_name in page.content.decode()
    assert logged("match candidate or roster search result") == {world.alice.sis_id}
    assert inserts_into_the_log(queries) == 1
