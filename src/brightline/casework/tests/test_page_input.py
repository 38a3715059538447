"""Numbers posted in the casework pages' forms are parsed safely: anything but a whole number (a
superscript "²", which `str.isdigit` accepts and `int` refuses) is an error naming the field, never a
server error, and nothing is stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from brightline.accounts.tests.helpers import sign_in
from brightline.casework import services
from brightline.casework.models import Request
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings: Any) -> None:
    settings.REQUIRE_MFA = False


def _submit(world: World) -> Request:
    body = request_body(world.alice, categories=["academic"])
    return services.request_submit(
        agency=world.police, document=body, channel="portal", submitted_by=world.detective
    ).request


@pytest.mark.parametrize("value", ["²", "-1", "1.5", "١", "99999999999999999999999"])
def test_a_bad_number_is_an_error_naming_the_field(world: World, value: str) -> None:
    request = _submit(world)
    office, portal = Client(), Client()
    sign_in(office, world.clerk)
    sign_in(portal, world.detective)
    response = office.post(f"/office/requests/{request.pk}/owner", {"owner": value}, follow=True)
    assert response.status_code == 200 and "Choose the owner from the list." in response.content.decode()
    request.refresh_from_db()
    assert request.owner_id is None
    response = portal.post(
        f"/portal/requests/{request.pk}/reconsider", {"items": [value], "reason": "Why?"}, follow=True
    )
    assert (
        response.status_code == 200
        and "Choose records of this request from the list." in response.content.decode()
    )
    assert not request.reconsiderations.exists()
    response = office.post(f"/office/requests/{request.pk}/release/confirm", {"items": [value]}, follow=True)
    assert (
        response.status_code == 200
        and "Choose records of this request from the list." in response.content.decode()
    )
    assert not request.items.filter(state="released").exists()


def test_a_search_with_a_filter_it_cannot_read_shows_the_error_and_no_request(world: World) -> None:
    request = _submit(world)
    office = Client()
    sign_in(office, world.clerk)
    assert request.reference in office.get("/office/search/").content.decode()
    for query in ("received_from=not-a-date", "state=nonsense", "received_from=not-a-date&format=csv"):
        response = office.get(f"/office/search/?{query}")
        page = response.content.decode()
        assert response.status_code == 200 and "usa-alert--error" in page
        assert request.reference not in page
