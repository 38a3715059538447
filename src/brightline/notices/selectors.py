"""Reads about family notices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from brightline.notices.models import DELIVERED_STATES, FamilyNotice, NoticeKind


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str
    postal_address: str
    language: str
    guardian: Any | None  # None for the eligible student themself


def notice_recipients(student: Any) -> list[Recipient]:
    """Everyone the law asks the district to tell: each guardian with notice rights, and the student
    once eligible (14 or older, or grade 9 and above, in Massachusetts)."""
    recipients = [
        Recipient(
            name=f"{rel.guardian.first_name} {rel.guardian.last_name}",
            email=rel.guardian.email,
            postal_address="\n".join(rel.guardian.postal_address_lines),
            language=rel.guardian.preferred_language,
            guardian=rel.guardian,
        )
        for rel in student.guardian_relationships.select_related("guardian").filter(has_notice_rights=True)
    ]
    if student.is_eligible_on(timezone.localdate()):
        user = student.user
        first_address = recipients[0].postal_address if recipients else ""
        recipients.append(
            Recipient(
                name=f"{student.first_name} {student.last_name}",
                email=user.email if user is not None else "",
                postal_address=first_address,
                language=recipients[0].language if recipients else "en",
                guardian=None,
            )
        )
    return recipients


def advance_notice_satisfied(*, request: Any, student_id: int, now: dt.datetime) -> bool:
    """True once every advance notice for this student on this request was delivered and the period passed.

    A student with no advance notice at all is not satisfied: with nobody to tell, the records office
    must find a recipient first; the release never goes out unannounced.
    """
    notices = list(
        FamilyNotice.objects.filter(
            request=request, student_id=student_id, kind=NoticeKind.ADVANCE
        ).values_list("state", "sent_at")
    )
    if not notices:
        return False
    sent_times = [sent_at for state, sent_at in notices if state in DELIVERED_STATES and sent_at is not None]
    if len(sent_times) != len(notices):
        return False
    last_sent = max(sent_times)
    return now >= last_sent + dt.timedelta(days=settings.ADVANCE_NOTICE_DAYS)


def notices_visible_to_family(user: Any, student: Any) -> list[FamilyNotice]:
    return list(FamilyNotice.objects.filter(student=student).order_by("-queued_at"))
