"""Staff act as staff: only the requesting agency's own people acknowledge the redisclosure terms and
take a download link. A member of staff, the auditor included, who opens a packet is written to the
staff access log and never recorded as the recipient. The acknowledgment's ledger entry names who
acknowledged."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from brightline.accounts.models import Role, StaffAccess
from brightline.accounts.tests.helpers import sign_in
from brightline.casework import services as casework
from brightline.disclosures.models import DeliveryLink, ReleasePacket
from brightline.disclosures.services import delivery_link_issue, packet_acknowledge, packet_release
from brightline.errors import NotAllowed
from brightline.ledger.models import LedgerEntry
from brightline.testing import World, make_user, request_body

pytestmark = pytest.mark.django_db


def released(world: World) -> ReleasePacket:
    """A law-enforcement-unit release to the City Police: it carries the bright-line terms, so the
    recipient must acknowledge them before any link works."""
    body = request_body(world.alice, categories=["law_enforcement_unit"], description="Assault near the gym")
    request = casework.request_submit(
        agency=world.police, document=body, channel="portal", submitted_by=world.detective
    ).request
    packet = packet_release(request_id=request.pk, released_by=world.clerk)
    assert packet.redisclosure_notice
    return packet


def staff(world: World) -> list[Any]:
    return [world.clerk, world.auditor, world.superintendent, make_user("admin", Role.ADMIN, first="Ari")]


def base(packet: ReleasePacket) -> str:
    return f"/api/v1/requests/{packet.request_id}/packets/{packet.pk}"


def acknowledge(client: Client, packet: ReleasePacket, name: str, **headers: str) -> Any:
    return client.post(
        f"{base(packet)}/acknowledge",
        data=json.dumps({"acknowledged_by": name}),
        content_type="application/json",
        **headers,
    )


def test_no_member_of_staff_acknowledges_or_takes_a_link_through_the_api(world: World) -> None:
    packet = released(world)
    for person in staff(world):
        client = Client()
        sign_in(client, person)
        answer = acknowledge(client, packet, person.get_full_name())
        assert answer.status_code == 403, (person.role, answer.content)
        assert "District staff cannot act as the recipient" in answer.json()["detail"][0]["msg"]
        answer = client.post(f"{base(packet)}/link")
        assert answer.status_code == 403, (person.role, answer.content)
        assert "District staff" in answer.json()["detail"][0]["msg"]
    packet.refresh_from_db()
    assert packet.acknowledged_at is None and packet.acknowledged_by_name == ""
    assert not DeliveryLink.objects.exists()
    assert not LedgerEntry.objects.filter(event_type="release.acknowledged").exists()


def test_no_member_of_staff_acknowledges_or_takes_a_link_through_the_pages(world: World) -> None:
    packet = released(world)
    pages = f"/portal/requests/{packet.request_id}/releases/{packet.pk}"
    for person in [world.clerk, world.auditor]:
        client = Client()
        sign_in(client, person)
        form = {f"ack-{packet.pk}-acknowledged_by": person.get_full_name(), f"ack-{packet.pk}-accept": "on"}
        assert client.post(f"{pages}/acknowledge", form).status_code == 403
        assert client.post(f"{pages}/download", {"format": "json"}).status_code == 403
    packet.refresh_from_db()
    assert packet.acknowledged_at is None and not DeliveryLink.objects.exists()


def test_the_services_refuse_staff_and_other_agencies(world: World) -> None:
    packet = released(world)
    for person in [world.auditor, world.clerk]:
        with pytest.raises(NotAllowed):
            packet_acknowledge(packet=packet, acknowledged_by_name="Ada Auditor", user=person)
        with pytest.raises(NotAllowed):
            delivery_link_issue(packet=packet, user=person)
    with pytest.raises(NotAllowed):
        packet_acknowledge(packet=packet, acknowledged_by_name="Sgt. Alves", agency=world.transit)
    with pytest.raises(NotAllowed):
        packet_acknowledge(packet=packet, acknowledged_by_name="Sgt. Alves", user=world.transit_officer)
    packet.refresh_from_db()
    assert packet.acknowledged_at is None


def test_the_acknowledgment_in_the_ledger_names_the_requester_who_acknowledged(world: World) -> None:
    packet = released(world)
    client = Client()
    sign_in(client, world.detective)
    page = client.post(
        f"/portal/requests/{packet.request_id}/releases/{packet.pk}/acknowledge",
        {f"ack-{packet.pk}-acknowledged_by": "Det. Dana Keane", f"ack-{packet.pk}-accept": "on"},
    )
    assert page.status_code == 302
    packet.refresh_from_db()
    assert packet.acknowledged_by_id == world.detective.pk
    entry = LedgerEntry.objects.get(event_type="release.acknowledged")
    assert entry.record.record["acknowledged_by"] == {
        "name": "Det. Dana Keane",
        "user": world.detective.pk,
        "api_token": None,
        "agency": world.police.pk,
        "agency_name": "City Police Department",
    }
    # The public entry carries ids only, never the name.
    assert b"Keane" not in bytes(entry.data)


def test_the_acknowledgment_in_the_ledger_names_the_agency_token_that_acknowledged(world: World) -> None:
    from brightline.agencies.models import ApiToken

    packet = released(world)
    answer = acknowledge(
        Client(), packet, "Det. Dana Keane", HTTP_AUTHORIZATION=f"Bearer {world.police_token}"
    )
    assert answer.status_code == 200
    packet.refresh_from_db()
    assert packet.acknowledged_by is None and packet.acknowledged_by_name == "Det. Dana Keane"
    record = LedgerEntry.objects.get(event_type="release.acknowledged").record.record["acknowledged_by"]
    assert record["name"] == "Det. Dana Keane" and record["user"] is None
    assert record["api_token"] == ApiToken.objects.get(agency=world.police).pk
    assert record["agency"] == world.police.pk


def test_staff_open_a_packet_through_the_access_log_and_are_never_its_recipient(world: World) -> None:
    packet = released(world)
    auditor = Client()
    sign_in(auditor, world.auditor)
    downloads_before = LedgerEntry.objects.filter(event_type="release.downloaded").count()

    as_json = auditor.get(f"{base(packet)}?format=json")
    as_pdf = auditor.get(f"{base(packet)}?format=pdf")

    assert as_json.status_code == 200 and json.loads(as_json.content) == packet.content
    assert as_pdf.status_code == 200 and as_pdf.content.startswith(b"%PDF-")
    opened = StaffAccess.objects.filter(user=world.auditor, student_sis_id=world.alice.sis_id)
    assert opened.count() == 2
    assert all(row.what == f"release packet of {packet.request.reference}" for row in opened)
    assert opened.first().role == Role.AUDITOR  # type: ignore[union-attr]
    packet.refresh_from_db()
    assert packet.acknowledged_at is None and packet.acknowledged_by_name == ""
    assert LedgerEntry.objects.filter(event_type="release.downloaded").count() == downloads_before
    assert not DeliveryLink.objects.exists()

    # Requesters do not open packets this way: they acknowledge and take a link.
    requester = Client()
    sign_in(requester, world.detective)
    assert requester.get(f"{base(packet)}?format=json").status_code == 401
    assert Client().get(base(packet), HTTP_AUTHORIZATION=f"Bearer {world.police_token}").status_code == 401


def test_a_member_of_staff_who_follows_the_recipients_link_is_refused_and_the_link_kept(world: World) -> None:
    packet = released(world)
    police = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {world.police_token}"}
    assert acknowledge(police, packet, "Det. Dana Keane", **auth).status_code == 200
    link = police.post(f"{base(packet)}/link", **auth).json()

    clerk = Client()
    sign_in(clerk, world.clerk)
    refused = clerk.get(link["json_url"])
    assert refused.status_code == 403
    assert not LedgerEntry.objects.filter(event_type="release.downloaded").exists()
    assert DeliveryLink.objects.get().used_at is None

    assert police.get(link["json_url"]).status_code == 200
    assert LedgerEntry.objects.filter(event_type="release.downloaded").count() == 1


def test_the_records_office_opens_a_release_from_the_request_page_and_is_logged(world: World) -> None:
    packet = released(world)
    clerk = Client()
    sign_in(clerk, world.clerk)
    page = clerk.get(f"/office/requests/{packet.request_id}/").content.decode()
    opened = f"/api/v1/requests/{packet.request_id}/packets/{packet.pk}?format=pdf"
    assert f'href="{opened}"' in page
    assert clerk.get(opened).content.startswith(b"%PDF-")
    assert StaffAccess.objects.filter(
        user=world.clerk, student_sis_id=world.alice.sis_id, what__startswith="release packet"
    ).exists()
    packet.refresh_from_db()
    assert packet.acknowledged_at is None
