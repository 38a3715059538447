"""Reads the pages need for which no selector exists yet in the owning app.

Each is a stand-in to be replaced by the owning app's selector (asked for in the web README); each
checks the asker's role itself so that a page can never show more than the role may see.
"""

from __future__ import annotations

from django.db.models import QuerySet

from brightline.accounts.models import Role, User
from brightline.agencies.models import Agency
from brightline.errors import NotAllowed
from brightline.notices.models import CounselNotice
from brightline.ui import RECORDS_OFFICE


def agencies_for_records_office(*, user: User) -> QuerySet[Agency]:
    """Every requesting agency, unverified first (agencies app: an `agencies_list(user)` selector)."""
    if user.role not in RECORDS_OFFICE:
        raise NotAllowed("only the records office manages agencies")
    return Agency.objects.order_by("verified", "name")


def agency_for_records_office(*, user: User, agency_id: int) -> Agency | None:
    return agencies_for_records_office(user=user).filter(pk=agency_id).first()


def counsel_notices_unread(*, user: User) -> QuerySet[CounselNotice]:
    """Counsel's copies of requests not yet marked read, oldest first, to be read a page at a time
    (notices app: `counsel_notices_to_read` as a query rather than a list)."""
    if user.role != Role.LEGAL_ADVISOR:
        raise NotAllowed("only counsel reads its copies of requests")
    return (
        CounselNotice.objects.filter(read_at__isnull=True)
        .select_related("request")
        .order_by("created_at", "pk")
    )
