"""Public JSON API of the transparency reports, mounted at /api/v1/transparency/."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from brightline.errors import NotFound
from brightline.transparency.selectors import period_reportable, periods_available
from brightline.transparency.services import report_publish

router = Router(tags=["transparency"])


class PeriodOut(Schema):
    key: str
    title: str
    start: str
    end: str


@router.get("/periods", response=list[PeriodOut], auth=None, summary="Periods with a report")
def periods(request: HttpRequest) -> list[dict[str, str]]:
    return [
        {"key": p.key, "title": p.title, "start": p.start.isoformat(), "end": p.end.isoformat()}
        for p in periods_available()
    ]


@router.get("/{key}", response=dict[str, Any], auth=None, summary="A period's published figures")
def report(request: HttpRequest, key: str) -> dict[str, Any]:
    """The report's figures at the latest signed ledger checkpoint; suppressed counts are null."""
    period = period_reportable(key)
    if period is None:
        raise NotFound(
            "no report for this period: expected a period such as 2026-Q1 or 2026-H1 that has begun"
        )
    figures: dict[str, Any] = report_publish(period=period).figures
    return figures
