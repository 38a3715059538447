"""The records office and principals determine emergencies; the office closes students it cannot
identify; nothing is released to an agency nobody verified (policy version 2, what a requester learns)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from brightline.accounts.tests.helpers import sign_in
from brightline.agencies.models import Agency
from brightline.casework import services
from brightline.casework.models import ItemState, RequestState
from brightline.disclosures.models import ReleasePacket
from brightline.incidents.models import StaffSchool
from brightline.ledger.models import LedgerEntry
from brightline.testing import World, request_body
from brightline.training.services import training_seed_completed

pytestmark = pytest.mark.django_db

THREAT = "Caller says the student will be hurt at the bus stop this afternoon"


def emergency_request(world: World):
    body = request_body(
        world.alice,
        purpose="health_safety_emergency",
        categories=["contact"],
        emergency={"threat": THREAT, "ends_at": (timezone.now() + dt.timedelta(hours=5)).isoformat()},
    )
    return services.request_submit(
        agency=world.transit, document=body, channel="portal", submitted_by=world.transit_officer
    ).request


def test_the_records_office_determines_an_emergency_from_the_request_page(
    world: World, client: Client
) -> None:
    request = emergency_request(world)
    rs = request.students.get()
    sign_in(client, world.clerk)
    dashboard = client.get("/office/").content.decode()
    assert "Emergencies waiting for your determination" in dashboard
    page = client.get(f"/office/requests/{request.pk}/").content.decode()
    assert "Emergency to determine" in page and "Release the cleared items" not in page
    url = f"/requests/{request.pk}/students/{rs.pk}/emergency"
    form = client.get(url)
    assert form.status_code == 200 and THREAT in form.content.decode()
    missing = client.post(url, {"found": "yes", "threat": "", "rationale": ""})
    assert missing.status_code == 422
    assert "describe the threat as you found it" in missing.content.decode().lower()
    done = client.post(url, {"found": "yes", "threat": THREAT, "rationale": "Called the transit desk back."})
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.state == RequestState.READY
    page = client.get(f"/office/requests/{request.pk}/").content.decode()
    assert "Release the cleared items" in page and "Emergency to determine" not in page


def test_a_principal_determines_for_their_own_school_only(world: World, client: Client) -> None:
    request = emergency_request(world)
    rs = request.students.get()
    url = f"/requests/{request.pk}/students/{rs.pk}/emergency"
    sign_in(client, world.principal)
    assert client.get(url).status_code == 404
    assert "Emergencies waiting" not in client.get("/").content.decode()
    StaffSchool.objects.create(user=world.principal, school=world.school)
    training_seed_completed(users=[world.principal])
    assert "Emergencies waiting for your determination" in client.get("/").content.decode()
    done = client.post(url, {"found": "no", "threat": "", "rationale": "The student is in class with me."})
    assert done.status_code == 302
    item = request.items.get()
    assert item.state == ItemState.PENDING_REVIEW and item.reviewer == "superintendent"


def test_school_staff_and_reviewers_cannot_determine(world: World) -> None:
    request = emergency_request(world)
    rs = request.students.get()
    url = f"/requests/{request.pk}/students/{rs.pk}/emergency"
    for user in (world.superintendent, world.detective, world.parent):
        client = Client()
        sign_in(client, user)
        assert client.get(url).status_code in (403, 404)


def test_the_office_closes_a_student_it_cannot_identify_from_the_request_page(
    world: World, client: Client
) -> None:
    body = request_body(categories=["attendance"])
    body["students"] = [{"first_name": "Nadia", "last_name": "Nobody", "birth_date": "2012-02-02"}]
    request = services.request_submit(
        agency=world.police, document=body, channel="portal", submitted_by=world.detective
    ).request
    rs = request.students.get()
    sign_in(client, world.clerk)
    page = client.get(f"/office/requests/{request.pk}/").content.decode()
    assert "Close: no records released" in page
    url = f"/office/requests/{request.pk}/students/{rs.pk}/close"
    client.post(url, {f"close{rs.pk}-reason": ""})
    request.refresh_from_db()
    assert request.state == RequestState.AWAITING_MATCH
    client.post(url, {f"close{rs.pk}-reason": "No such student in the district's records since 2015."})
    request.refresh_from_db()
    assert request.state == RequestState.CLOSED
    detective = Client()
    sign_in(detective, world.detective)
    portal = detective.get(f"/portal/requests/{request.pk}/").content.decode()
    assert "No records released." in portal and "identif" not in portal[portal.index("<main") :].lower()


def test_nothing_is_released_to_an_agency_nobody_verified_until_it_is(world: World, client: Client) -> None:
    world.police.verified = False
    world.police.save(update_fields=["verified"])
    body = request_body(world.alice, by_name=True, categories=["directory"])
    request = services.request_submit(
        agency=world.police, document=body, channel="portal", submitted_by=world.detective
    ).request
    assert request.state == RequestState.READY
    sign_in(client, world.clerk)
    page = client.get(f"/office/requests/{request.pk}/").content.decode()
    assert "Held: the agency is not verified" in page and "Release the cleared items" not in page
    response = client.post(f"/office/requests/{request.pk}/release")
    assert response.status_code == 302
    assert not ReleasePacket.objects.exists()
    client.post(f"/office/agencies/{world.police.pk}/verify")
    assert Agency.objects.get(pk=world.police.pk).verified
    assert LedgerEntry.objects.filter(event_type="agency.verified").count() == 1
    client.post(f"/office/requests/{request.pk}/release")
    assert ReleasePacket.objects.filter(request=request).count() == 1
