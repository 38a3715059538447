"""What leaves the district from an incident report: a law-enforcement-unit record goes to the police
only on a request naming the student, carries the bright-line redisclosure terms, and cannot be
downloaded until the recipient acknowledges them. No page or operation feeds incidents to an agency."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from brightline.accounts.tests.helpers import sign_in
from brightline.api import api
from brightline.casework import services as casework
from brightline.casework.models import ItemState
from brightline.disclosures.models import DisclosureEntry, EntryKind
from brightline.disclosures.packets import TEXT_WITHHELD
from brightline.disclosures.services import delivery_link_issue, packet_acknowledge, packet_release
from brightline.errors import Conflict
from brightline.incidents.tests.helpers import assault_with_weapon, record
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db

MARKER = "Zebra-7Q incident marker"


def police_request_for_unit_records(world: World) -> Any:
    body = request_body(
        world.ben,
        categories=["law_enforcement_unit"],
        description="Investigation of the knife assault near the gym",
    )
    return casework.request_submit(
        agency=world.police, document=body, channel="portal", submitted_by=world.detective
    ).request


def test_a_law_enforcement_unit_release_carries_the_bright_line_terms_and_waits_for_acknowledgment(
    world: World,
) -> None:
    incident = assault_with_weapon(world)
    assert incident.record_category == "law_enforcement_unit"
    request = police_request_for_unit_records(world)
    item = request.items.get()
    assert item.rules == ["R4"] and item.state == ItemState.CLEARED

    packet = packet_release(request_id=request.pk, released_by=world.clerk)
    notice = packet.redisclosure_notice
    assert "regional intelligence center" in notice
    assert "gang database" in notice
    assert "civil immigration enforcement" in notice
    assert packet.content["redisclosure_notice"] == notice
    entry = DisclosureEntry.objects.get(kind=EntryKind.DISCLOSURE, student=world.ben)
    assert entry.categories == ["law_enforcement_unit"]
    # The packet carries the school police unit's own report of the incident, nothing from discipline.
    (released,) = packet.content["students"][0]["categories"]
    (report,) = released["fields"]["incident_reports"]
    # Another student (Alice) was involved: the account is withheld, the date and Ben's part released.
    assert report["summary"] == TEXT_WITHHELD and report["date"] == incident.occurred_on.isoformat()
    assert incident.summary not in json.dumps(packet.content)

    # The detective asks for the download link through the API before acknowledging: refused.
    police = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {world.police_token}"}
    link_url = f"/api/v1/requests/{request.pk}/packets/{packet.pk}/link"
    refused = police.post(link_url, **auth)
    assert refused.status_code == 409
    assert "Acknowledge" in refused.json()["detail"][0]["msg"]
    with pytest.raises(Conflict):
        delivery_link_issue(packet=packet)

    acknowledged = police.post(
        f"/api/v1/requests/{request.pk}/packets/{packet.pk}/acknowledge",
        data=json.dumps({"acknowledged_by": "Det. Dana Keane"}),
        content_type="application/json",
        **auth,
    )
    assert acknowledged.status_code == 200
    packet.refresh_from_db()
    assert packet.acknowledged_by_name == "Det. Dana Keane" and packet.acknowledged_at is not None
    link = police.post(link_url, **auth)
    assert link.status_code == 201
    download = police.get(link.json()["json_url"])
    assert download.status_code == 200


def test_acknowledging_through_the_service_opens_the_link(world: World) -> None:
    assault_with_weapon(world)
    packet = packet_release(request_id=police_request_for_unit_records(world).pk, released_by=world.clerk)
    with pytest.raises(Conflict):
        delivery_link_issue(packet=packet)
    packet_acknowledge(packet=packet, acknowledged_by_name="Det. Dana Keane")
    link, token = delivery_link_issue(packet=packet)
    assert token and link.packet_id == packet.pk


def _walk(patterns: list[Any], namespace: str = "") -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}".strip(":") if pattern.namespace else namespace
            found += _walk(pattern.url_patterns, inner)
        elif pattern.name:
            found.append((f"{namespace}:{pattern.name}".strip(":"), pattern))
    return found


def test_no_page_or_operation_shows_incidents_to_an_agency(world: World) -> None:
    incident = record(world, summary=MARKER, description=f"{MARKER}: pushing in line, nobody hurt.")
    request = police_request_for_unit_records(world)
    values = {
        "incident_id": str(incident.pk),
        "request_id": str(request.pk),
        "student_id": world.alice.sis_id,
    }
    requester = Client()
    sign_in(requester, world.detective)
    token = Client()
    personas = [(requester, {}), (token, {"HTTP_AUTHORIZATION": f"Bearer {world.police_token}"})]

    paths: list[str] = []
    for name, pattern in _walk(get_resolver().url_patterns):
        if name.startswith(("api:", "admin:")):
            continue
        params = list(pattern.pattern.regex.groupindex) or list(getattr(pattern.pattern, "converters", {}))
        try:
            paths.append(reverse(name, kwargs={p: values.get(p, "1") for p in params}))
        except Exception:  # noqa: BLE001, S112 - a page whose parameters cannot be faked is skipped
            continue
    for path, operations in api.get_openapi_schema()["paths"].items():
        if "get" not in operations:
            continue
        for param in [part[1:-1] for part in path.split("/") if part.startswith("{")]:
            path = path.replace("{" + param + "}", values.get(param, "1"))
        paths.append(path)
    assert any(path.startswith("/incidents/") for path in paths)
    for client, headers in personas:
        for path in paths:
            response = client.get(path, **headers)
            body = response.content.decode("utf-8", "replace")
            assert MARKER not in body, f"{path} shows an incident to an agency"


def test_every_incidents_operation_refuses_agencies(world: World) -> None:
    incident = record(world)
    requester = Client()
    sign_in(requester, world.detective)
    token = Client()
    operations = [
        (method.upper(), path.replace("{incident_id}", str(incident.pk)))
        for path, methods in api.get_openapi_schema()["paths"].items()
        if path.startswith("/api/v1/incidents")
        for method in methods
    ]
    assert len(operations) >= 5
    for method, path in operations:
        for client, headers in (
            (token, {"HTTP_AUTHORIZATION": f"Bearer {world.police_token}"}),
            (token, {"HTTP_AUTHORIZATION": f"Bearer {world.ice_token}"}),
            (requester, {}),
            (Client(), {}),
        ):
            response = client.generic(method, path, b"{}", content_type="application/json", **headers)
            assert response.status_code in (401, 403), f"{method} {path}: {response.status_code}"
    for name in ("incidents:list", "incidents:record"):
        assert requester.get(reverse(name)).status_code == 403
    assert requester.get(reverse("incidents:detail", args=[incident.pk])).status_code == 403
