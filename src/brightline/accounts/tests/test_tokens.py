"""Agency API tokens: hashed at rest, shown once, scoped, revocable."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.test import Client

from brightline.agencies.models import ApiToken
from brightline.agencies.services import api_token_issue, api_token_revoke, token_digest
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db


def submit(client: Client, token: str, world: World) -> int:
    response = client.post(
        "/api/v1/requests",
        data=json.dumps(request_body(world.alice)),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    return response.status_code


def read(client: Client, token: str) -> int:
    return client.get("/api/v1/requests", HTTP_AUTHORIZATION=f"Bearer {token}").status_code


def test_a_revoked_token_answers_401(world: World, client: Client) -> None:
    assert read(client, world.police_token) == 200
    api_token_revoke(token=ApiToken.objects.get(token_sha256=token_digest(world.police_token)))
    assert read(client, world.police_token) == 401
    assert submit(client, world.police_token, world) == 401


def test_a_submit_only_token_cannot_read_and_a_read_only_token_cannot_submit(
    world: World, client: Client
) -> None:
    _, submit_only = api_token_issue(agency=world.police, name="intake robot", scopes=["submit"])
    _, read_only = api_token_issue(agency=world.police, name="dashboard", scopes=["read_own"])
    assert submit(client, submit_only, world) == 201
    assert read(client, submit_only) == 403
    assert (
        client.get(
            "/api/v1/requests/00000000-0000-0000-0000-000000000000",
            HTTP_AUTHORIZATION=f"Bearer {submit_only}",
        ).status_code
        == 403
    )
    assert read(client, read_only) == 200
    assert submit(client, read_only, world) == 403


def test_the_plain_token_is_stored_nowhere(world: World, client: Client) -> None:
    token, plain = api_token_issue(agency=world.court, name="clerk's system")
    assert submit(client, plain, world) in {201, 403}  # used once, so that last-use bookkeeping runs
    assert token.token_sha256 == token_digest(plain) and plain not in token.prefix
    for model in apps.get_models():
        for row in model.objects.all().values_list():
            assert plain not in repr(row), f"{model.__name__} holds the plain token"


def test_an_unknown_token_answers_401(world: World, client: Client) -> None:
    assert read(client, "bl_" + "x" * 43) == 401
    assert read(client, "not-even-ours") == 401
