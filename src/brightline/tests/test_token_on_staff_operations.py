"""An agency's token sent to an operation only district staff may use is told it is not let in (401, a
sentence), never that a CSRF check failed: without a session cookie there is nothing to forge."""

from __future__ import annotations

import pytest
from django.test import Client

from brightline.testing import World

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/disclosures/after-the-fact", "/api/v1/incidents/"])
def test_a_token_on_a_staff_operation_is_answered_401_in_words(world: World, path: str) -> None:
    response = Client(enforce_csrf_checks=True).post(
        path, data="{}", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {world.police_token}"
    )
    assert response.status_code == 401, response.content
    message = response.json()["detail"]
    assert "CSRF" not in message and message.startswith("Sign in as someone who may use this operation")
