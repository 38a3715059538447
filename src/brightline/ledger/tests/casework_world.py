"""Requests taken through the real services to release, for the tests that read the ledger they leave."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from brightline.casework import services as casework
from brightline.casework.models import Request
from brightline.disclosures.models import EntryKind
from brightline.disclosures.services import after_the_fact_record, packet_release
from brightline.ledger.services import checkpoint_sign
from brightline.testing import World, emergencies_found, request_body


@dataclass
class Casework:
    sealed: Request  # a grand jury subpoena approved by counsel and released, sealed from the family
    emergency: Request  # an emergency found by the district: one item released, one denied
    refused: Request  # refused by the policy in whole


@pytest.fixture
def released(world: World) -> Casework:
    sealed = casework.request_submit(
        agency=world.police,
        document=request_body(
            world.alice,
            categories=["attendance"],
            legal_process={"kind": "grand_jury_subpoena", "nondisclosure_order": True},
        ),
        channel="portal",
        submitted_by=world.detective,
    ).request
    casework.item_decide(
        item_id=sealed.items.get().pk,
        reviewer=world.legal_advisor,
        action="approve",
        rationale="Grand jury subpoena, checked with the clerk of court.",
        lawful_basis="legal_process_received",
    )
    packet_release(request_id=sealed.pk, released_by=world.clerk)

    emergency = casework.request_submit(
        agency=world.transit,
        document=request_body(
            world.ben,
            purpose="health_safety_emergency",
            categories=["contact", "discipline"],
            emergency={
                "threat": "Bomb threat at the station",
                "ends_at": (timezone.now() + dt.timedelta(hours=4)).isoformat(),
            },
        ),
        channel="portal",
        submitted_by=world.transit_officer,
    ).request
    emergencies_found(emergency, world.clerk)
    casework.item_decide(
        item_id=emergency.items.get(category="discipline").pk,
        reviewer=world.superintendent,
        action="deny",
        rationale="Discipline records do not help find the threat.",
    )
    packet_release(request_id=emergency.pk, released_by=world.clerk)

    refused = casework.request_submit(
        agency=world.ice,
        document=request_body(world.carla, purpose="civil_immigration_enforcement", categories=["contact"]),
        channel="portal",
        submitted_by=world.immigration_officer,
    ).request
    after_the_fact_record(
        student=world.ben,
        kind=EntryKind.ABUSE_REPORT,
        disclosed_at=timezone.now() - dt.timedelta(hours=1),
        recipient_name="Hotline intake",
        recipient_position="Screener",
        recipient_affiliation="Department of Children and Families",
        recipient_kind="child_protective_services",
        categories=["attendance"],
        details="Bruises reported by the school nurse.",
        recorded_by=world.clerk,
    )
    checkpoint_sign()
    return Casework(sealed=sealed, emergency=emergency, refused=refused)
