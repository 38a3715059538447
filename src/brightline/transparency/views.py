"""Public pages and downloads of the transparency reports. No sign-in: nothing here names a child.

Read only: a visit shows what was published and never computes a report, writes a row or signs a
checkpoint (transparency/services.py publishes, once per period, after it ends)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from brightline.transparency.charts import flow_charts, report_charts
from brightline.transparency.exports import (
    figures_bytes,
    publication_document,
    report_csv,
    report_json,
    report_pdf,
    rows_bytes,
)
from brightline.transparency.flows import method_spec
from brightline.transparency.models import PublishedReport
from brightline.transparency.periods import Period
from brightline.transparency.selectors import report_public, reports_public, reports_trend
from brightline.transparency.templatetags.transparency import short_period


def _published(key: str) -> tuple[Period, PublishedReport]:
    found = report_public(key)
    if found is None:
        raise Http404("no published report for this period: a period's report is published after it ends")
    return found


def _trend(period: Period) -> list[tuple[str, dict[str, Any]]]:
    return [(short_period(p), figures) for p, figures in reports_trend(period)]


def _context(period: Period, report: PublishedReport) -> dict[str, object]:
    return {
        "period": period,
        "report": report,
        "figures": report.figures,
        "district_name": settings.DISTRICT_NAME,
        "method": method_spec(),
        "bound": report.publication_checkpoint_id is not None,
    }


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    periods = [Period.parse(report.period) for report in reports_public()]
    return render(request, "transparency/index.html", {"periods": periods})


@require_GET
def report(request: HttpRequest, key: str) -> HttpResponse:
    period, published = _published(key)
    context = _context(period, published)
    context["charts"] = report_charts(published.figures)
    context["flow_charts"] = flow_charts(published.figures, _trend(period))
    return render(request, "transparency/report.html", context)


def _attachment(body: str | bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def report_download(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    period, published = _published(key)
    stem = f"transparency-{period.key}-ledger-{published.checkpoint_size}"
    if fmt == "csv":
        return _attachment(report_csv(published.figures), "text/csv; charset=utf-8", f"{stem}.csv")
    if fmt == "json":
        return _attachment(figures_bytes(published), "application/json", f"{stem}.json")
    if fmt == "rows.json":
        return _attachment(rows_bytes(published), "application/json", f"{stem}.rows.json")
    if fmt == "publication.json":
        publication = publication_document(published)
        if publication is None:
            raise Http404("this report was published before publications were recorded in the ledger")
        return _attachment(report_json(publication), "application/json", f"{stem}.publication.json")
    pdf = report_pdf(published.figures, context={**_context(period, published), "trend": _trend(period)})
    return _attachment(pdf, "application/pdf", f"{stem}.pdf")
