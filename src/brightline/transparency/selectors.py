"""Reads for transparency. Everything here is public: nothing depends on who asks, and nothing
returns a figure that suppression withheld."""

from __future__ import annotations

import datetime as dt

from django.db.models import Min
from django.utils import timezone

from brightline.casework.calendar import district_zone
from brightline.casework.models import Request
from brightline.disclosures.models import DisclosureEntry, EntryKind
from brightline.transparency.models import PublishedReport
from brightline.transparency.periods import Period, periods_from


def periods_available(*, now: dt.datetime | None = None) -> list[Period]:
    """Quarters and half-years from the first request (or after-the-fact entry) to today, newest first."""
    now = now or timezone.now()
    today = timezone.localtime(now, district_zone()).date()
    first_request = Request.objects.aggregate(first=Min("received_at"))["first"]
    first_entry = DisclosureEntry.objects.filter(
        kind__in=[EntryKind.EMERGENCY_AFTER_THE_FACT, EntryKind.ABUSE_REPORT]
    ).aggregate(first=Min("occurred_at"))["first"]
    starts = [timezone.localtime(t, district_zone()).date() for t in (first_request, first_entry) if t]
    return periods_from(min(starts, default=today), today)


def period_reportable(key: str, *, now: dt.datetime | None = None) -> Period | None:
    """The period named by `key` if it is well formed and has begun; None otherwise."""
    try:
        period = Period.parse(key)
    except ValueError:
        return None
    return period if period.has_started(now or timezone.now()) else None


def reports_published(*, period: Period) -> list[PublishedReport]:
    """Every report kept for the period, newest checkpoint first."""
    return list(PublishedReport.objects.filter(period=period.key).order_by("-checkpoint_size", "-id"))
