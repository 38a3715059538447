"""Requests that need family notice, made through the casework services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from brightline.casework import services as casework
from brightline.casework.models import Item, Request
from brightline.roster.models import Student
from brightline.testing import World, emergencies_found, request_body


def subpoena_approved(world: World, student: Student, *, categories: list[str] | None = None) -> Request:
    """A police subpoena for `student`, approved by counsel: its items wait for advance notice."""
    body = request_body(
        student,
        purpose="criminal_investigation",
        categories=categories or ["attendance"],
        legal_process={"kind": "subpoena", "nondisclosure_order": False},
    )
    # Sent by the police's records system through the API: the requester is not e-mailed about it, so
    # the mailbox holds only what the family is sent.
    request = casework.request_submit(agency=world.police, document=body, channel="api").request
    item: Item
    for item in request.items.all():
        casework.item_decide(
            item_id=item.pk,
            reviewer=world.legal_advisor,
            action="approve",
            rationale="Valid subpoena received.",
            lawful_basis="legal_process_received",
        )
    return request


def emergency_request(world: World, student: Student, categories: list[str]) -> Request:
    body: dict[str, Any] = request_body(
        student,
        purpose="health_safety_emergency",
        categories=categories,
        emergency={
            "threat": "Student missing after a bomb threat at the station",
            "ends_at": (timezone.now() + dt.timedelta(hours=6)).isoformat(),
        },
    )
    request = casework.request_submit(agency=world.transit, document=body, channel="api").request
    emergencies_found(request, world.clerk)
    return request
