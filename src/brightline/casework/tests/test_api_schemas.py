"""The API edge is the published schema: a request is validated once, by the model the OpenAPI document
shows, whether it comes through the API or a form; every problem answers 422 with its field path; and
every answer is validated against its response schema before it is sent."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pydantic
import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brightline import vocabulary
from brightline.accounts.tests.helpers import sign_in
from brightline.agencies.models import Agency
from brightline.api import api
from brightline.casework import selectors, services
from brightline.casework.api import RequestOut
from brightline.casework.models import Request
from brightline.casework.schemas import RequestIn
from brightline.errors import InvalidInput
from brightline.policy.engine import parse_request
from brightline.testing import World, request_body


def post_json(client: Client, url: str, body: object, token: str | None = None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def locations(response: Any) -> list[list[str | int]]:
    assert response.status_code == 422, response.content
    return [problem["loc"] for problem in response.json()["detail"]]


@pytest.mark.django_db
def test_a_naive_time_of_arrival_is_refused_with_its_field_path(world: World, client: Client) -> None:
    sign_in(client, world.clerk)
    body = {
        "agency_id": world.police.pk,
        "channel": "fax",
        "received_at": (timezone.now() - dt.timedelta(hours=3)).replace(tzinfo=None).isoformat(),
        "request": request_body(world.alice, categories=["directory"]),
    }
    response = post_json(client, "/api/v1/office/requests", body)
    assert locations(response) == [["body", "received_at"]]
    assert Request.objects.count() == 0
    body["received_at"] = (timezone.now() - dt.timedelta(hours=3)).isoformat()
    assert post_json(client, "/api/v1/office/requests", body).status_code == 201


@pytest.mark.django_db
def test_a_student_named_neither_by_id_nor_by_name_and_birth_date_is_refused_with_its_path(
    world: World, client: Client
) -> None:
    body = request_body(world.alice)
    body["students"] = [
        {"student_id": world.alice.sis_id},
        {},
        {"first_name": "Alice", "last_name": "Rivera"},
        {"student_id": "S-1002", "first_name": "Ben"},
        "S-1003",
        {"student_id": "  "},
        {"student_id": "\x1f"},  # blank to the roster's look-up
        {"first_name": "-", "last_name": "Rivera", "birth_date": "2013-05-01"},  # no letter to compare
    ]
    response = post_json(client, "/api/v1/requests", body, world.police_token)
    assert locations(response) == [
        ["body", "students", 1],
        ["body", "students", 2, "birth_date"],
        ["body", "students", 3],
        ["body", "students", 4],
        ["body", "students", 5, "student_id"],
        ["body", "students", 6, "student_id"],
        ["body", "students", 7, "first_name"],
    ]
    # The portal's and the records office's forms reach the same model through the service.
    with pytest.raises(InvalidInput) as refused:
        services.request_submit(
            agency=world.police, document=body, channel="portal", submitted_by=world.detective
        )
    assert [path for path, _ in refused.value.errors] == [
        "students.1",
        "students.2.birth_date",
        "students.3",
        "students.4",
        "students.5.student_id",
        "students.6.student_id",
        "students.7.first_name",
    ]
    assert Request.objects.count() == 0


@pytest.mark.django_db
def test_an_unknown_category_purpose_or_recipient_is_refused_with_its_path(
    world: World, client: Client
) -> None:
    body = request_body(
        world.alice,
        purpose="curiosity",
        categories=["directory", "shoe_size"],
        consent={"signed_by": "A. Parent", "categories": ["grades"]},
        onward_recipients=["gang_database", "neighbours"],
        legal_process={"kind": "warrant", "nondisclosure_order": "yes"},
    )
    response = post_json(client, "/api/v1/requests", body, world.police_token)
    assert locations(response) == [
        ["body", "purpose"],
        ["body", "categories", 1],
        ["body", "legal_process", "kind"],
        ["body", "legal_process", "nondisclosure_order"],
        ["body", "consent", "categories", 0],
        ["body", "onward_recipients", 1],
    ]
    twice = request_body(world.alice, categories=["directory", "health", "directory"])
    response = post_json(client, "/api/v1/requests", twice, world.police_token)
    assert locations(response) == [["body", "categories", 2]]
    assert response.json()["detail"][0]["msg"] == "Directory information is named twice."
    assert Request.objects.count() == 0


@pytest.mark.django_db
def test_a_decision_with_an_unknown_action_or_basis_is_refused_with_its_path(
    world: World, client: Client
) -> None:
    sign_in(client, world.superintendent)
    body = {"action": "maybe", "rationale": "?", "lawful_basis": "because", "reviewer": "me"}
    response = post_json(client, "/api/v1/items/1/decision", body)
    assert locations(response) == [["body", "action"], ["body", "lawful_basis"], ["body", "reviewer"]]


@pytest.mark.django_db
def test_the_answer_to_a_submission_validates_against_the_published_schema(
    world: World, client: Client
) -> None:
    created = post_json(client, "/api/v1/requests", request_body(world.alice), world.police_token)
    assert created.status_code == 201, created.content
    answer = created.json()
    assert set(RequestOut.model_validate(answer).model_dump(exclude_unset=True)) == set(answer)
    # An agency is told no match state; the records office reads the same schema with it.
    assert all(set(student) == {"position", "named"} for student in answer["students"])
    sign_in(client, world.clerk)
    staff = client.get(f"/api/v1/requests/{answer['id']}").json()
    assert RequestOut.model_validate(staff).students[0].match_state == "matched"
    components = api.get_openapi_schema()["components"]["schemas"]
    assert set(components["RequestOut"]["required"]) == set(answer)
    assert "enum" in json.dumps(components["ItemOut"]["properties"]["category"])


@pytest.mark.django_db
def test_an_answer_that_does_not_fit_its_schema_is_never_sent(
    world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unfit(*args: Any, **kwargs: Any) -> dict[str, Any]:
        return {"id": "x", "state": "whatever the requester should not read"}

    monkeypatch.setattr(selectors, "request_representation", unfit)
    with pytest.raises(pydantic.ValidationError):
        post_json(client, "/api/v1/requests", request_body(world.alice), world.police_token)


# Documents the edge may accept, with the odd corners of dates, times and blank text: whatever it accepts,
# the engine must read.
ids = st.text(min_size=1, max_size=8)
days = st.dates().map(dt.date.isoformat) | st.sampled_from(["20130501", "2013-W18-3", "2013-02-30"])
moments = (
    st.none()
    | st.integers()
    | st.text(max_size=12)
    | st.datetimes().map(dt.datetime.isoformat)
    | st.datetimes(timezones=st.timezones()).map(dt.datetime.isoformat)
    | st.sampled_from(["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "2026-03-02T10:00Z"])
)
students = st.fixed_dictionaries({"student_id": ids}) | st.fixed_dictionaries(
    {"first_name": ids, "last_name": ids, "birth_date": days}
)
documents = st.fixed_dictionaries(
    {
        "purpose": st.sampled_from(vocabulary.PURPOSES),
        "categories": st.lists(st.sampled_from(vocabulary.CATEGORIES), min_size=1, unique=True),
        "students": st.lists(students, min_size=1, max_size=3),
    },
    optional={
        "requester": st.fixed_dictionaries({}, optional={"name": st.text(max_size=5) | st.none()}),
        "description": st.text(max_size=5) | st.none(),
        "identified_by": st.sampled_from(vocabulary.IDENTIFIED_BY),
        "legal_process": st.none()
        | st.fixed_dictionaries(
            {"kind": st.sampled_from(vocabulary.LEGAL_PROCESS_KINDS)},
            optional={"nondisclosure_order": st.booleans()},
        ),
        "emergency": st.none()
        | st.fixed_dictionaries({}, optional={"threat": st.text(max_size=5) | st.none(), "ends_at": moments}),
        "consent": st.none()
        | st.fixed_dictionaries(
            {"categories": st.lists(st.sampled_from(vocabulary.CATEGORIES), unique=True, max_size=3)},
            optional={
                "signed_by": st.text(max_size=5) | st.none(),
                "signed_on": days | st.none(),
                "purpose": st.text(max_size=5) | st.none(),
            },
        ),
        "certification_no_redisclosure": st.booleans() | st.none(),
        "onward_recipients": st.none() | st.lists(st.sampled_from(vocabulary.ONWARD_RECIPIENTS), unique=True),
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=documents)
def test_what_the_schema_accepts_the_policy_engine_reads(document: dict[str, Any]) -> None:
    """The engine parses the stored request again at every triage: what the edge lets in must parse."""
    try:
        sent = RequestIn.model_validate(document)
    except pydantic.ValidationError:
        return
    agency = Agency(name="City Police Department", kind="municipal_police")
    stored, named = services._stored_document(sent, agency=agency, user=None)
    assert len(named) == len(document["students"])
    parse_request(stored | {"students": [{"student_id": f"student-{index}"} for index in range(len(named))]})


def test_a_birth_date_in_the_future_is_refused_naming_the_student(world: World, client: Client) -> None:
    body = request_body(identified_by="name_and_birth_date") | {
        "students": [{"first_name": "Nobody", "last_name": "Future", "birth_date": "2031-01-01"}]
    }
    response = client.post(
        "/api/v1/requests",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {world.police_token}",
    )
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"][-3:] == ["students", 0, "birth_date"]
    assert problem["msg"] == "A birth date cannot be in the future."
