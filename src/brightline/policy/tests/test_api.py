"""`POST /api/v1/triage`: a dry run for signed-in staff and agency tokens, 422 with field paths."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from brightline.accounts.mfa import SESSION_KEY
from brightline.accounts.models import User
from brightline.policy.tests.helpers import case
from brightline.testing import World

pytestmark = pytest.mark.django_db

URL = "/api/v1/triage"


def sign_in(client: Client, user: User) -> None:
    """A signed-in session that has shown its second factor."""
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = True
    session.save()


def post(client: Client, body: Any, token: str | None = None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", **headers)


def test_agency_token_gets_the_triage_result_and_nothing_is_stored(world: World, client: Client) -> None:
    from brightline.casework.models import Request

    body = case(kind="municipal_police", categories=["discipline", "directory"])
    response = post(client, body, world.police_token)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["policy"]["id"] == "default"
    assert [(i["category"], i["outcome"], i["rules"]) for i in data["items"]] == [
        ("discipline", "refuse", ["F4"]),
        ("directory", "release", ["R5"]),
    ]
    assert Request.objects.count() == 0


def test_agency_token_takes_the_requester_from_the_token(world: World, client: Client) -> None:
    body = case(categories=["contact"])
    del body["request"]["requester"]
    response = post(client, body, world.ice_token)
    assert response.status_code == 200
    assert response.json()["items"][0]["rules"] == ["F1"]


def test_agency_token_cannot_triage_as_another_kind(world: World, client: Client) -> None:
    response = post(client, case(kind="parent", purpose="parent_access"), world.police_token)
    assert response.status_code == 403
    assert response.json()["detail"][0]["loc"] == ["body", "request", "requester", "kind"]


def test_signed_in_staff_can_triage_any_case(world: World, client: Client) -> None:
    sign_in(client, world.clerk)
    response = post(
        client,
        case(
            kind="child_protective_services",
            purpose="child_abuse_investigation",
            categories=["child_welfare"],
        ),
    )
    assert response.status_code == 200
    assert response.json()["items"][0]["outcome"] == "release"


def test_anonymous_and_family_callers_are_refused(world: World, client: Client) -> None:
    assert post(client, case()).status_code == 401
    sign_in(client, world.parent)
    assert post(client, case()).status_code == 401


def test_bad_input_answers_422_with_every_field_path(world: World, client: Client) -> None:
    body = case(
        kind="municipal_police", legal_process={"kind": "warrant"}, categories=["contact", "shoe_size"]
    )
    body["students"][0]["foster_care"] = "maybe"
    response = post(client, body, world.police_token)
    assert response.status_code == 422
    detail = response.json()["detail"]
    said = {tuple(problem["loc"]): problem["msg"] for problem in detail}
    assert said[("body", "request", "legal_process", "kind")].startswith(
        "Choose one of: No legal process, Subpoena, Administrative subpoena, "
    )
    assert said[("body", "request", "categories", 1)].startswith("Choose one of: Directory information, ")
    assert said[("body", "students", 0, "foster_care")] == "This must be true or false."
    assert len(said) == 3


def test_a_body_that_is_not_json_answers_422(world: World, client: Client) -> None:
    response = post(client, "{ nope", world.police_token)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body"]


def test_the_endpoint_is_in_the_openapi_document(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/triage"]["post"]
    assert "policy" in operation["tags"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert (
        "warrant"
        not in schema["properties"]["request"]["properties"]["legal_process"]["properties"]["kind"]["enum"]
    )
