"""The record of disclosures as a family reads it: complete, in words, the agency by its verified name."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from brightline.agencies.models import Agency
from brightline.casework.models import Request
from brightline.casework.services import request_submit
from brightline.disclosures.selectors import family_record
from brightline.disclosures.services import packet_release
from brightline.testing import World, emergencies_found, request_body

pytestmark = pytest.mark.django_db


def emergency_released(world: World) -> Request:
    body = request_body(
        world.alice,
        purpose="health_safety_emergency",
        description="A student may be in danger",
        categories=["contact"],
        emergency={
            "threat": "Student missing after a bomb threat at the station",
            "ends_at": (timezone.now() + dt.timedelta(hours=6)).isoformat(),
        },
    )
    request = request_submit(
        agency=world.police, document=body, channel="portal", submitted_by=world.detective
    ).request
    emergencies_found(request, world.clerk)
    packet_release(request_id=request.pk, released_by=world.clerk)
    return request


def test_a_released_entry_names_who_released_what_to_whom_and_why_in_words(world: World) -> None:
    emergency_released(world)
    record = family_record(user=world.parent, student=world.alice)
    released = next(row for row in record if row.entry.kind == "disclosure")
    assert released.kind == "Records released"
    assert released.agency == "City Police Department"
    assert released.person == "Dana Keane, Detective"
    assert released.released_by == "Rita Clerk, Records Manager"
    assert released.threat == "Student missing after a bomb threat at the station"
    assert released.recipients == ["Dana Keane, City Police Department"]
    assert released.bases == [
        (
            "Home address and phone numbers",
            "A health or safety emergency: the district found a serious threat (FERPA 99.36).",
        )
    ]
    part, fields = released.disclosed[0]
    assert part == "Home address and phone numbers"
    assert fields and all("_" not in name for name in fields)


def test_a_refused_request_is_listed_with_what_became_of_each_part(world: World) -> None:
    body = request_body(world.alice, purpose="civil_immigration_enforcement", categories=["directory"])
    request_submit(agency=world.ice, document=body, channel="api")
    record = family_record(user=world.parent, student=world.alice)
    assert len(record) == 1
    assert record[0].agency == "Immigration and Customs Enforcement"
    assert record[0].asked == [
        (
            "Directory information (name, age, grade, dates of enrollment)",
            "refused: the district's policy forbids it",
        )
    ]


def test_the_family_sees_the_agency_verified_name_not_the_request_text(world: World) -> None:
    request = request_submit(agency=world.police, document=request_body(world.alice), channel="api").request
    Request.objects.filter(pk=request.pk).update(agency_name="Friendly Neighbourhood Helpers")
    Agency.objects.filter(pk=world.police.pk).update(name="City of Boston Police Department")
    record = family_record(user=world.parent, student=world.alice)
    assert record[0].agency == "City of Boston Police Department"
    Agency.objects.filter(pk=world.police.pk).update(verified=False)
    assert family_record(user=world.parent, student=world.alice)[0].agency == (
        "An agency not yet verified by the district"
    )


def test_the_family_page_shows_no_codes(world: World, client: Client, settings: object) -> None:
    settings.REQUIRE_MFA = False  # type: ignore[attr-defined]
    emergency_released(world)
    client.force_login(world.parent)
    body = client.get("/family/").content.decode()
    assert "Released by" in body and "Rita Clerk, Records Manager" in body
    assert "Everyone who received it" in body
    for code in ("health_safety_emergency", "policy rule", "R1", "(released)", "Basis:"):
        assert code not in body
