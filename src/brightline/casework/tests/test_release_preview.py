"""The release shows its packet first: what each student's packet will hold; the release then takes
exactly the items shown, or nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from brightline.accounts.models import StaffAccess
from brightline.accounts.tests.helpers import sign_in
from brightline.casework.models import ItemState, RequestState
from brightline.disclosures.models import ReleasePacket
from brightline.testing import World
from brightline.web.tests.test_emergency_and_holds import THREAT, emergency_request

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings: Any) -> None:
    settings.REQUIRE_MFA = False


def test_preview_then_release_exactly_what_was_shown(world: World) -> None:
    world.transit.verified = True
    world.transit.save(update_fields=["verified"])
    request = emergency_request(world)
    rs = request.students.get()
    clerk = Client()
    sign_in(clerk, world.clerk)
    clerk.post(
        f"/requests/{request.pk}/students/{rs.pk}/emergency",
        {"found": "yes", "threat": THREAT, "rationale": "Called back."},
    )
    request.refresh_from_db()
    assert request.state == RequestState.READY
    page = clerk.get(f"/office/requests/{request.pk}/").content.decode()
    assert f"/office/requests/{request.pk}/release/preview" in page
    before = StaffAccess.objects.count()
    preview = clerk.get(f"/office/requests/{request.pk}/release/preview").content.decode()
    assert "Student 1 as the request named them" in preview and "Release exactly this" in preview
    assert StaffAccess.objects.count() > before  # the preview shows a student's records: logged
    item = request.items.get()
    # A release of other items than the preview showed releases nothing.
    response = clerk.post(
        f"/office/requests/{request.pk}/release/confirm", {"items": [str(item.pk + 1000)]}, follow=True
    )
    assert "changed since the preview" in response.content.decode()
    assert not ReleasePacket.objects.filter(request=request).exists()
    # Fields read by their labels, never their ids.
    import re

    assert not re.findall(r"<dt>[a-z]+_[a-z_]+</dt>", preview)
    digest = re.search(r'name="content_sha256" value="([0-9a-f]{64})"', preview)
    assert digest
    # The same items with content other than the preview showed release nothing.
    for other in ("", "0" * 64):
        response = clerk.post(
            f"/office/requests/{request.pk}/release/confirm",
            {"items": [str(item.pk)], "content_sha256": other},
            follow=True,
        )
        assert "changed since the preview" in response.content.decode()
    assert not ReleasePacket.objects.filter(request=request).exists()
    response = clerk.post(
        f"/office/requests/{request.pk}/release/confirm",
        {"items": [str(item.pk)], "content_sha256": digest.group(1)},
        follow=True,
    )
    assert "Released." in response.content.decode()
    item.refresh_from_db()
    assert item.state == ItemState.RELEASED and ReleasePacket.objects.filter(request=request).count() == 1
