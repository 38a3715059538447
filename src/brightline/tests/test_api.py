"""The one JSON API: every app's router is mounted, and a body's problems are named as its own fields."""

from __future__ import annotations

import json
from importlib import import_module
from pathlib import Path

import pytest
from django.test import Client

from brightline.accounts.tests.helpers import sign_in
from brightline.api import api
from brightline.testing import World


def test_every_api_module_is_mounted() -> None:
    mounted = [router for _, router in api._routers]
    package = Path(__file__).resolve().parents[1]
    modules = sorted(path.parent.name for path in package.glob("*/api.py"))
    assert "casework" in modules
    for app in modules:
        router = import_module(f"brightline.{app}.api").router
        assert router in mounted, f"{app}/api.py is not mounted in brightline/api.py"


@pytest.mark.django_db
def test_a_problem_in_a_body_is_named_as_a_field_of_the_body(world: World, client: Client) -> None:
    """As a service's InvalidInput names it (`["body", "lawful_basis"]`), not under the handler's
    argument name."""
    sign_in(client, world.clerk)
    url = "/api/v1/request-students/1/match"
    response = client.post(url, data=json.dumps({"student_id": "one"}), content_type="application/json")
    assert response.status_code == 422
    assert [problem["loc"] for problem in response.json()["detail"]] == [["body", "student_id"]]
