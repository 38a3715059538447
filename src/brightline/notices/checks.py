"""The deployment checklist (`brightline check --deploy`): what the obligations need configured."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.compatibility, deploy=True)
def missing_persons_contact_configured(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if settings.MISSING_PERSONS_CONTACT:
        return []
    return [
        Warning(
            "BRIGHTLINE_MISSING_PERSONS_CONTACT is not set: alerts about students flagged missing are kept "
            "as undeliverable instead of sent.",
            hint="Set it to the police unit's address, e.g. Missing Persons Unit <mpu@police.example>; the "
            "administrator's settings page lists the alerts waiting for it.",
            id="brightline.notices.W001",
        )
    ]
