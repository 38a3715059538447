from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext

from brightline.casework.calendar import district_zone
from brightline.transparency.periods import Period
from brightline.transparency.words import month_name, public_words, share_words

register = template.Library()
register.filter("public_words", public_words)
register.filter("share_words", share_words)


@register.simple_tag
def total(figures: dict[str, Any], table_id: str) -> str:
    """The published grand total of one table, as displayed ("fewer than 10" when suppressed)."""
    table = next(t for t in figures["tables"] if t["id"] == table_id)
    return public_words(table["totals"]["total"]["display"])


@register.filter
def period_title(period: Period) -> str:
    """A period's title in the reader's language ("Quarter 1 of 2026 (January to March 2026)")."""
    first = month_name(period.first_month)
    last = month_name(period.first_month + period.months - 1)
    months = gettext("%(first)s to %(last)s %(year)s") % {"first": first, "last": last, "year": period.year}
    if period.kind == "Q":
        return gettext("Quarter %(number)s of %(year)s (%(months)s)") % {
            "number": period.number,
            "year": period.year,
            "months": months,
        }
    if period.number == 1:
        return gettext("First half of %(year)s (%(months)s)") % {"year": period.year, "months": months}
    return gettext("Second half of %(year)s (%(months)s)") % {"year": period.year, "months": months}


@register.filter
def short_period(period: Period) -> str:
    """A period's short name for a chart's axis ("Q1 2026", "H2 2026") in the reader's language."""
    if period.kind == "Q":
        return gettext("Q%(number)s %(year)s") % {"number": period.number, "year": period.year}
    return gettext("H%(number)s %(year)s") % {"number": period.number, "year": period.year}


@register.filter
def local_time(value: str) -> str:
    """A published ISO 8601 moment as a date and time in the district's time zone, in the reader's format."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    return formats.date_format(timezone.localtime(moment, district_zone()), "DATETIME_FORMAT")


@register.filter
def before_full_stop(value: str) -> str:
    """A date or time that a sentence's full stop follows, without its own ("2:58 p.m" then "."): never
    "p.m.."."""
    text = str(value)
    return text[:-1] if text.endswith(".") else text


@register.filter
def flow_chart(charts: dict[str, Any], table_id: str) -> dict[str, Any] | None:
    return charts.get(table_id) if charts else None


@register.filter
def local_date(value: str) -> str:
    """A published ISO 8601 moment as a date in the district's time zone, in the reader's format."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    return formats.date_format(timezone.localtime(moment, district_zone()), "DATE_FORMAT")
