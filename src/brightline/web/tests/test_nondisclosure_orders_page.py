"""The non-disclosure orders page: counsel records an order's terms, an administrator reveals its
entries early with a reason; bad input names the field; the page names no student."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from brightline.disclosures.models import NondisclosureOrder, NondisclosureOrderState
from brightline.disclosures.tests.test_nondisclosure_orders import administrator, sealed_subpoena
from brightline.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings: object) -> None:
    settings.REQUIRE_MFA = False  # type: ignore[attr-defined]


def test_counsel_records_the_terms_and_an_administrator_reveals_early(world: World, client: Client) -> None:
    request = sealed_subpoena(world)
    key = str(request.pk)
    client.force_login(world.legal_advisor)
    page = client.get("/administration/nondisclosure-orders/").content.decode()
    assert request.reference in page and "Its terms are not recorded yet" in page
    assert "Alice" not in page and "S-1001" not in page

    neither = client.post(f"/administration/nondisclosure-orders/{key}/terms", {})
    assert neither.status_code == 422
    assert "Give the day the order ends" in neither.content.decode()
    past = client.post(
        f"/administration/nondisclosure-orders/{key}/terms",
        {f"terms-{key}-ends_on": timezone.localdate().isoformat()},
    )
    assert past.status_code == 422 and "a day after today" in past.content.decode()
    ends_on = timezone.localdate() + dt.timedelta(days=45)
    done = client.post(
        f"/administration/nondisclosure-orders/{key}/terms",
        {f"terms-{key}-ends_on": ends_on.isoformat(), f"terms-{key}-note": "Grand jury, docket 26-114"},
    )
    assert done.status_code == 302
    assert NondisclosureOrder.objects.get(request=request).ends_on == ends_on

    client.force_login(administrator())
    blank = client.post(f"/administration/nondisclosure-orders/{key}/reveal", {f"reveal-{key}-reason": ""})
    assert blank.status_code == 422
    revealed = client.post(
        f"/administration/nondisclosure-orders/{key}/reveal",
        {f"reveal-{key}-reason": "The court vacated the order."},
        follow=True,
    )
    body = revealed.content.decode()
    assert "the family can now see these entries" in body
    assert "revealed by Ana Admin" in body and "The court vacated the order." in body
    assert NondisclosureOrder.objects.get(request=request).state == NondisclosureOrderState.REVEALED


def test_the_records_office_and_families_cannot_open_it(world: World, client: Client) -> None:
    for user in (world.clerk, world.superintendent, world.parent):
        client.force_login(user)
        assert client.get("/administration/nondisclosure-orders/").status_code == 403
