"""Helpers for page tests: requests made through the services, as the pages make them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from brightline.casework.models import Channel, Request
from brightline.casework.services import request_submit
from brightline.testing import World, request_body


def emergency_request(world: World, **overrides: Any) -> Request:
    """The detective's emergency request about Alice: contact released, academic to the superintendent."""
    body = request_body(
        world.alice,
        purpose="health_safety_emergency",
        description="A student may be in danger",
        categories=["contact", "academic"],
        emergency={
            "threat": "A credible threat to the student's safety",
            "ends_at": (timezone.now() + dt.timedelta(days=2)).isoformat(),
        },
    )
    body.update(overrides)
    return request_submit(
        agency=world.police, document=body, channel=Channel.PORTAL, submitted_by=world.detective
    ).request
