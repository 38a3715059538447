"""Reads for transparency. Everything here is public: nothing depends on who asks, and nothing
returns a figure that suppression withheld."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Min
from django.utils import timezone

from brightline.casework.calendar import district_zone
from brightline.casework.models import Request
from brightline.disclosures.models import DisclosureEntry, EntryKind
from brightline.transparency.models import PublishedReport
from brightline.transparency.periods import Period, periods_from


def _periods_so_far(now: dt.datetime) -> list[Period]:
    """Quarters and half-years from the first request (or after-the-fact entry) to `now`, newest first."""
    today = timezone.localtime(now, district_zone()).date()
    first_request = Request.objects.aggregate(first=Min("received_at"))["first"]
    first_entry = DisclosureEntry.objects.filter(
        kind__in=[EntryKind.EMERGENCY_AFTER_THE_FACT, EntryKind.ABUSE_REPORT]
    ).aggregate(first=Min("occurred_at"))["first"]
    starts = [timezone.localtime(t, district_zone()).date() for t in (first_request, first_entry) if t]
    return periods_from(min(starts, default=today), today)


def periods_due(*, now: dt.datetime | None = None) -> list[Period]:
    """Periods that have ended and have no publication yet, oldest first: what the publisher publishes."""
    now = now or timezone.now()
    published = set(PublishedReport.objects.filter(published=True).values_list("period", flat=True))
    due = [p for p in _periods_so_far(now) if p.is_complete(now) and p.key not in published]
    return sorted(due, key=lambda period: (period.end, period.months))


def reports_public() -> list[PublishedReport]:
    """Every published report, newest period first (a half-year before its quarters). Only these are
    public: a period in progress has none, and nothing here computes one."""
    reports = PublishedReport.objects.filter(published=True).only(
        "period", "checkpoint_size", "checkpoint_root_hash", "computed_at"
    )
    return sorted(
        reports, key=lambda r: (Period.parse(r.period).end, Period.parse(r.period).months), reverse=True
    )


def report_public(key: str) -> tuple[Period, PublishedReport] | None:
    """The published report of the period named by `key`; None when it is malformed or not published."""
    try:
        period = Period.parse(key)
    except ValueError:
        return None
    report = PublishedReport.objects.filter(period=period.key, published=True).first()
    return None if report is None else (period, report)


TREND_PERIODS = 8


def reports_trend(period: Period) -> list[tuple[Period, dict[str, Any]]]:
    """The published figures of the last eight periods of the same kind as `period` (quarters or
    half-years), up to and including it, oldest first: what the trend charts draw."""
    reports = [
        (Period.parse(report.period), report.figures)
        for report in PublishedReport.objects.filter(published=True, period__contains=f"-{period.kind}")
    ]
    earlier = sorted(((p, f) for p, f in reports if p.end <= period.end), key=lambda pair: pair[0])
    return earlier[-TREND_PERIODS:]
