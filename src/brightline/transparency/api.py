"""Public JSON API of the transparency reports, mounted at /api/v1/transparency/."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from brightline.errors import NotFound
from brightline.transparency.periods import Period
from brightline.transparency.selectors import report_public, reports_public

router = Router(tags=["transparency"])


class PeriodOut(Schema):
    key: str
    title: str
    start: str
    end: str


@router.get("/periods", response=list[PeriodOut], auth=None, summary="Periods with a published report")
def periods(request: HttpRequest) -> list[dict[str, str]]:
    """Periods whose report is published, newest first. A period's report is published after it ends."""
    found = [Period.parse(report.period) for report in reports_public()]
    return [
        {"key": p.key, "title": p.title, "start": p.start.isoformat(), "end": p.end.isoformat()}
        for p in found
    ]


@router.get("/{key}", response=dict[str, Any], auth=None, summary="A period's published figures")
def report(request: HttpRequest, key: str) -> dict[str, Any]:
    """The figures published for the period, computed once after it ended; suppressed counts are null."""
    found = report_public(key)
    if found is None:
        raise NotFound(
            "no published report for this period: expected a period such as 2026-Q1 or 2026-H1 that has "
            "ended; its report is published after it ends"
        )
    figures: dict[str, Any] = found[1].figures
    return figures
