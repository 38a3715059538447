"""Token scopes on every operation, writes included (Security round 2, item 1).

A token with `submit` alone submits and triages, and reads nothing: not through a replay of its
Idempotency-Key, not by acknowledging the redisclosure terms, not by taking a download link. A token
with `read_own` alone reads its agency's requests, and writes nothing: no document, no acknowledgment."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from brightline.agencies.models import TokenScope
from brightline.agencies.services import api_token_issue
from brightline.casework.models import Document, Request
from brightline.disclosures.models import DeliveryLink, ReleasePacket
from brightline.disclosures.services import packet_release
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def submit(client: Client, world: World, token: str, key: str) -> Any:
    body = request_body(world.alice, categories=["law_enforcement_unit"], description="Assault near the gym")
    return client.post(
        "/api/v1/requests",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
        **bearer(token),
    )


def released_by_submit_only_token(world: World, client: Client) -> tuple[str, ReleasePacket]:
    _, submit_only = api_token_issue(agency=world.police, name="intake robot", scopes=[TokenScope.SUBMIT])
    first = submit(client, world, submit_only, "case-2026-0042")
    assert first.status_code == 201, first.content
    packet = packet_release(request_id=first.json()["id"], released_by=world.clerk)
    return submit_only, packet


def test_a_submit_only_token_replaying_its_key_does_not_read_the_request_as_it_stands_now(
    world: World, client: Client
) -> None:
    submit_only, packet = released_by_submit_only_token(world, client)
    replay = submit(client, world, submit_only, "case-2026-0042")
    assert replay.status_code == 403, replay.content
    message = replay.json()["detail"][0]["msg"]
    assert "read the agency's own requests" in message and packet.request.reference in message
    assert str(packet.pk) not in replay.content.decode()
    assert Request.objects.count() == 1  # and the replay made no second request
    # A token that may read gets the request as it stands, as CONTRACTS.md says.
    full = submit(client, world, world.police_token, "case-2026-0042")
    assert full.status_code == 201 and full.json()["packets"][0]["id"] == str(packet.pk)


def test_a_submit_only_token_cannot_acknowledge_take_a_link_or_download(world: World, client: Client) -> None:
    submit_only, packet = released_by_submit_only_token(world, client)
    base = f"/api/v1/requests/{packet.request_id}/packets/{packet.pk}"
    acknowledged = client.post(
        f"{base}/acknowledge",
        data=json.dumps({"acknowledged_by": "Robot"}),
        content_type="application/json",
        **bearer(submit_only),
    )
    assert acknowledged.status_code == 403, acknowledged.content
    assert "read the agency's own requests" in acknowledged.json()["detail"][0]["msg"]
    link = client.post(f"{base}/link", **bearer(submit_only))
    assert link.status_code == 403, link.content
    packet.refresh_from_db()
    assert packet.acknowledged_at is None and not DeliveryLink.objects.exists()
    assert client.get(f"/api/v1/requests/{packet.request_id}", **bearer(submit_only)).status_code == 403


def test_a_read_own_token_cannot_upload_a_document_or_acknowledge_the_terms(
    world: World, client: Client
) -> None:
    _, packet = released_by_submit_only_token(world, client)
    _, read_only = api_token_issue(agency=world.police, name="dashboard", scopes=[TokenScope.READ_OWN])
    uploaded = client.post(
        f"/api/v1/requests/{packet.request_id}/documents",
        {"kind": "subpoena", "file": SimpleUploadedFile("subpoena.pdf", PDF)},
        **bearer(read_only),
    )
    assert uploaded.status_code == 403, uploaded.content
    assert "submit" in uploaded.json()["detail"][0]["msg"]
    assert not Document.objects.exists()
    acknowledged = client.post(
        f"/api/v1/requests/{packet.request_id}/packets/{packet.pk}/acknowledge",
        data=json.dumps({"acknowledged_by": "Dashboard"}),
        content_type="application/json",
        **bearer(read_only),
    )
    assert acknowledged.status_code == 403, acknowledged.content
    packet.refresh_from_db()
    assert packet.acknowledged_at is None
    # What it may do, it does: read the request and its packets.
    read = client.get(f"/api/v1/requests/{packet.request_id}", **bearer(read_only))
    assert read.status_code == 200 and read.json()["packets"][0]["id"] == str(packet.pk)


def test_a_token_with_both_scopes_acknowledges_takes_a_link_and_downloads_once(
    world: World, client: Client
) -> None:
    _, packet = released_by_submit_only_token(world, client)
    base = f"/api/v1/requests/{packet.request_id}/packets/{packet.pk}"
    acknowledged = client.post(
        f"{base}/acknowledge",
        data=json.dumps({"acknowledged_by": "Det. Dana Reyes"}),
        content_type="application/json",
        **bearer(world.police_token),
    )
    assert acknowledged.status_code == 200, acknowledged.content
    link = client.post(f"{base}/link", **bearer(world.police_token))
    assert link.status_code == 201, link.content
    url = link.json()["json_url"].removeprefix("http://testserver")
    assert client.get(url).status_code == 200
    assert client.get(url).status_code != 200
