"""Submitting a request answers from what it stored, in a handful of statements, with the ledger entries
of one-by-one appends: the same answer as reading the request back, the same log."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from brightline.casework import services
from brightline.casework.calendar import DistrictCalendar, district_zone
from brightline.casework.models import Holiday
from brightline.disclosures.models import DisclosureEntry
from brightline.ledger.models import LedgerEntry
from brightline.ledger.services import PADDING_EVENT, checkpoint_sign
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db


def _post(client: Client, body: dict[str, Any], token: str) -> Any:
    return client.post(
        "/api/v1/requests",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def _bodies(world: World) -> list[dict[str, Any]]:
    unnamed = {"first_name": "Nobody", "last_name": "Known", "birth_date": "2012-04-01"}
    by_name = {"first_name": "Alice", "last_name": "Rivera", "birth_date": "2013-05-01"}
    return [
        request_body(world.alice, categories=["directory", "discipline", "attendance"]),
        request_body(world.alice, world.ben, world.carla, categories=["directory", "academic"]),
        request_body(world.dana, categories=["directory"]),
        request_body(categories=["directory", "attendance"], identified_by="name_and_birth_date")
        | {"students": [unnamed]},
        request_body(categories=["directory"], identified_by="name_and_birth_date")
        | {"students": [by_name, unnamed]},
        request_body(
            world.alice,
            purpose="health_safety_emergency",
            categories=["contact", "health"],
            emergency={
                "threat": "A student is missing after a fire alarm.",
                "ends_at": "2099-01-01T00:00:00-05:00",
            },
        ),
        request_body(
            world.alice,
            categories=["attendance"],
            legal_process={"kind": "subpoena", "nondisclosure_order": False},
        ),
    ]


def test_the_answer_to_a_submission_is_the_request_as_read_back(world: World, client: Client) -> None:
    for body in _bodies(world):
        created = _post(client, body, world.police_token)
        assert created.status_code == 201, created.content
        answer = created.json()
        read_back = client.get(
            f"/api/v1/requests/{answer['id']}", HTTP_AUTHORIZATION=f"Bearer {world.police_token}"
        )
        assert answer == read_back.json()
        assert list(answer) == list(read_back.json())  # the same fields, in the same order
        assert [list(item) for item in answer["items"]] == [list(item) for item in read_back.json()["items"]]
        assert created["Content-Type"] == read_back["Content-Type"]


def test_a_submission_costs_a_handful_of_statements(world: World, client: Client) -> None:
    _post(client, request_body(world.alice), world.police_token)  # the first one loads the policy
    unnamed = request_body(categories=["directory", "attendance"], identified_by="name_and_birth_date") | {
        "students": [{"first_name": "Nobody", "last_name": "Known", "birth_date": "2012-04-01"}]
    }
    with CaptureQueriesContext(connection) as unmatched:
        assert _post(client, unnamed, world.police_token).status_code == 201
    with CaptureQueriesContext(connection) as matched:
        assert _post(client, request_body(world.alice, world.ben), world.police_token).status_code == 201
    # token, the number of legal advisors (the public log's padding of the submission), policy in
    # effect, holidays, the request, the roster look-up, its students, its items, the ledger (head,
    # records, entries, subtree hashes, head: padding included) and for the matched the record of
    # disclosures and its ledger indexes, and the request's new state; savepoints of the test aside.
    # The rate limits' counters (per token, per address: accounts/ratelimits.py) are counted apart: one
    # statement each, once their window's row exists.
    limits = [q["sql"] for q in unmatched.captured_queries if "brightline_rate_limits" in q["sql"]]
    assert len(limits) == 2, "\n".join(limits)
    statements = [
        q["sql"]
        for q in unmatched.captured_queries
        if "SAVEPOINT" not in q["sql"] and "brightline_rate_limits" not in q["sql"]
    ]
    assert len(statements) <= 13, "\n".join(statements)
    statements = [
        q["sql"]
        for q in matched.captured_queries
        if "SAVEPOINT" not in q["sql"] and "brightline_rate_limits" not in q["sql"]
    ]
    assert len(statements) <= 18, "\n".join(statements)


def test_a_submission_appends_its_entries_in_order_and_the_log_verifies(world: World) -> None:
    body = request_body(world.alice, world.ben, categories=["directory", "academic"])
    before = LedgerEntry.objects.count()
    request = services.request_submit(
        agency=world.police, document=body, channel="portal", submitted_by=world.detective
    ).request
    appended = list(LedgerEntry.objects.filter(index__gte=before).order_by("index"))
    entries = [entry for entry in appended if entry.event_type != PADDING_EVENT]
    assert [entry.event_type for entry in entries] == [
        "request.submitted",
        "disclosure_record.request",
        "disclosure_record.request",
        "request.state_changed",
    ]
    # The padding comes last, to the number of leaves two named students always take (3 + 1 advisor + 4 × 2).
    assert appended[: len(entries)] == entries and len(appended) == 12
    assert all(entry.subject["request"] == str(request.pk) for entry in entries)
    recorded = DisclosureEntry.objects.filter(request=request).order_by("pk")
    assert [(e.student_id, e.ledger_index) for e in recorded] == [
        (world.alice.pk, entries[1].index),
        (world.ben.pk, entries[2].index),
    ]
    assert [entry.subject["disclosure_entry"] for entry in entries[1:3]] == [e.pk for e in recorded]
    submitted = entries[0].record.record
    assert [item["item"] for item in submitted["items"]] == list(
        request.items.filter(request_student__student__isnull=False).values_list("pk", flat=True)
    )
    assert submitted["unmatched_students"] == []
    checkpoint_sign()
    call_command("ledger", "verify")


def test_a_closure_after_receipt_moves_the_deadline_and_one_before_does_not(world: World) -> None:
    received = dt.datetime(2026, 3, 2, 10, 0, tzinfo=district_zone())  # a Monday
    body = request_body(world.alice, categories=["directory"])

    def due() -> dt.date:
        request = services.request_submit(
            agency=world.police, document=body, channel="fax", entered_by=world.clerk, received_at=received
        ).request
        request.refresh_from_db()
        return timezone.localtime(request.decision_due_at, district_zone()).date()

    with time_machine.travel(received + dt.timedelta(hours=1), tick=False):
        assert due() == dt.date(2026, 3, 16)  # ten business days later
        Holiday.objects.create(date=dt.date(2026, 3, 1), name="Before the receipt")
        Holiday.objects.create(date=dt.date(2026, 3, 2), name="The day of receipt itself")
        assert due() == dt.date(2026, 3, 16)
        Holiday.objects.create(date=dt.date(2026, 3, 4), name="Snow day")
        assert due() == dt.date(2026, 3, 17)
        assert DistrictCalendar.load().extra == {
            dt.date(2026, 3, 1),
            dt.date(2026, 3, 2),
            dt.date(2026, 3, 4),
        }


def test_an_idempotency_key_is_the_agencys_own(world: World) -> None:
    body = request_body(world.alice)
    first = services.request_submit(agency=world.police, document=body, channel="api", idempotency_key="k-1")
    again = services.request_submit(agency=world.police, document=body, channel="api", idempotency_key="k-1")
    other = services.request_submit(agency=world.transit, document=body, channel="api", idempotency_key="k-1")
    assert first.created and not again.created and other.created
    assert again.request.pk == first.request.pk != other.request.pk
    assert again.request.reference == first.request.reference


def test_a_field_named_with_a_superscript_digit_is_a_field_error(world: World, client: Client) -> None:
    body = request_body(world.alice, legal_process={"kind": "none", "nondisclosure_order": False, "³": 1})
    response = _post(client, body, world.police_token)
    assert response.status_code == 422
    assert ["body", "legal_process", "³"] in [problem["loc"] for problem in response.json()["detail"]]
