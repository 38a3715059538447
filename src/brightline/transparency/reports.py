"""The figures of one transparency report, computed with GROUP BY in the database.

`report_figures(period, checkpoint)` returns the *published* figures only: suppressed cells never leave
this module with their value. Callers run it inside a snapshot of the database taken when the ledger had
exactly `checkpoint.size` entries (see services.report_publish), because every casework change commits
together with its ledger entry: the rows of that snapshot are the ledger at that size.

The counts are GROUP BY queries over the requests (their stored `disposition`) and over the named
students joined to them. The one pass over single requests is the time to a decision: the (received_at,
decided_at) pairs of the period's decided requests are streamed and counted per pair of local days in
Python, because business days follow the district's calendar, which SQL does not know.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When
from django.utils import timezone

from brightline.casework.calendar import DistrictCalendar, district_zone
from brightline.casework.models import Request, RequestStudent
from brightline.disclosures.models import DisclosureEntry, EntryKind
from brightline.ledger.models import Checkpoint
from brightline.policy.vocabulary import LEGAL_PROCESS_KINDS, PURPOSES, REQUESTER_KINDS
from brightline.transparency.periods import Period
from brightline.transparency.suppression import Mark, extend, suppress_group

METHOD_VERSION = 2  # 2: complementary suppression prefers cells that close another line
SMALLEST_PUBLISHED_GROUP = 10

# Outcomes of a request, in the order the tables show them (README: "Outcome of a request").
OUTCOMES: tuple[tuple[str, str], ...] = (
    ("released_in_full", "Released in full"),
    ("released_in_part", "Released in part"),
    ("nothing_released", "Nothing released"),
    ("refused", "Refused by the policy"),
    ("pending", "Pending"),
)
# Decided requests are streamed from the database in chunks of this many rows.
STREAM_CHUNK = 20_000
AFTER_THE_FACT_KINDS: tuple[tuple[str, str], ...] = (
    (EntryKind.EMERGENCY_AFTER_THE_FACT.value, "Emergency disclosure"),
    (EntryKind.ABUSE_REPORT.value, "Report of suspected abuse or neglect"),
)
YES_NO: tuple[tuple[bool, str], ...] = ((True, "Yes"), (False, "No"))


def humanize(identifier: str) -> str:
    return identifier.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Dimension:
    """A way to break requests down: the field (or annotation) and its rows in display order."""

    key: str
    field: str
    heading: str
    rows: tuple[tuple[Any, str], ...]


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "requester_kind", "requester_kind", "Requester kind", tuple((k, humanize(k)) for k in REQUESTER_KINDS)
    ),
    Dimension("purpose", "purpose", "Purpose", tuple((p, humanize(p)) for p in PURPOSES)),
    Dimension(
        "legal_process",
        "legal_process_kind",
        "Legal process",
        tuple((k, "No legal process" if k == "none" else humanize(k)) for k in LEGAL_PROCESS_KINDS),
    ),
    Dimension("nondisclosure_order", "nondisclosure_order", "Under a non-disclosure order", YES_NO),
    Dimension("emergency", "emergency", "Emergency stated and active when received", YES_NO),
)


def requests_received(period: Period) -> QuerySet[Request]:
    return Request.objects.filter(received_at__gte=period.utc_start, received_at__lt=period.utc_end)


def emergency_at_receipt(prefix: str = "") -> Case:
    """True when the request stated a threat and the emergency had not ended when it was received."""
    return Case(
        When(
            Q(**{f"{prefix}emergency_threat__gt": ""})
            & Q(**{f"{prefix}emergency_ends_at__gt": F(f"{prefix}received_at")}),
            then=Value(True),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )


FIELDS = ("requester_kind", "purpose", "legal_process_kind", "nondisclosure_order", "emergency", "outcome")


def request_counts(period: Period) -> list[dict[str, Any]]:
    """Requests per combination of the five dimensions and the outcome: one GROUP BY over requests.

    The outcome is the request's `disposition`, which casework stores from its items' states exactly as
    the README defines the outcomes (`casework.models.disposition_for`).
    """
    return list(
        requests_received(period)
        .order_by()
        .annotate(outcome=F("disposition"), emergency=emergency_at_receipt())
        .values(*FIELDS)
        .annotate(n=Count("pk"))
    )


def student_counts(period: Period) -> list[dict[str, Any]]:
    """Students named per combination (a student named in two requests counts twice): one GROUP BY over
    the named students joined to their requests."""
    return list(
        RequestStudent.objects.filter(
            request__received_at__gte=period.utc_start, request__received_at__lt=period.utc_end
        )
        .order_by()
        .annotate(
            outcome=F("request__disposition"),
            emergency=emergency_at_receipt("request__"),
            requester_kind=F("request__requester_kind"),
            purpose=F("request__purpose"),
            legal_process_kind=F("request__legal_process_kind"),
            nondisclosure_order=F("request__nondisclosure_order"),
        )
        .values(*FIELDS)
        .annotate(n=Count("pk"))
    )


class LocalDays:
    """The district's calendar day of UTC moments, by bisecting the UTC instants of local midnights.

    Built once per report for the days a report can meet, so that a million moments are bucketed with a
    comparison each rather than a time-zone conversion each; a moment outside those days is converted.
    """

    def __init__(self, first: dt.date, last: dt.date, zone: ZoneInfo) -> None:
        self.zone = zone
        self.first = first
        count = (last - first).days + 2
        # The UTC instant each local day begins; dt.UTC is the tzinfo the database drivers return, and
        # datetimes sharing one tzinfo object compare without calling utcoffset().
        self.midnights = [
            dt.datetime.combine(first + dt.timedelta(days=n), dt.time(), tzinfo=zone).astimezone(dt.UTC)
            for n in range(count)
        ]

    def index(self, moment: dt.datetime) -> int:
        """Days from `first` to the local day of `moment`."""
        position = bisect.bisect_right(self.midnights, moment) - 1
        if 0 <= position < len(self.midnights) - 1:
            return position
        return (moment.astimezone(self.zone).date() - self.first).days

    def day(self, index: int) -> dt.date:
        return self.first + dt.timedelta(days=index)


def decision_moments(period: Period) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """(received_at, decided_at) of every decided request received in the period, streamed.

    `decided_at` is stored by casework when the request first left awaiting_match / in_review: when
    nothing was left for the records office to match or for a reviewer to decide.
    """
    moments = (
        requests_received(period)
        .filter(decided_at__isnull=False)
        .order_by()
        .values_list("received_at", "decided_at")
        .iterator(chunk_size=STREAM_CHUNK)
    )
    # decided_at is not null here: the filter above.
    return cast("Iterator[tuple[dt.datetime, dt.datetime]]", moments)


def decision_day_pairs(period: Period) -> list[dict[str, Any]]:
    """(day received, day decided, number of requests) for decided requests, days in the district's zone.

    One pass over the period's decided requests; the days are found by bisecting local midnights
    (`LocalDays`), and Python keeps one counter per distinct pair of days.
    """
    zone = district_zone()
    last = max(period.end_date, timezone.localdate(timezone.now(), zone)) + dt.timedelta(days=1)
    days = LocalDays(period.start_date - dt.timedelta(days=1), last, zone)
    index = days.index
    counts: Counter[tuple[int, int]] = Counter(
        (index(received), index(decided)) for received, decided in decision_moments(period)
    )
    return [
        {"received_day": days.day(received), "decided_day": days.day(decided), "n": n}
        for (received, decided), n in sorted(counts.items())
    ]


def after_the_fact_counts(period: Period) -> list[dict[str, Any]]:
    return [
        dict(row)
        for row in DisclosureEntry.objects.filter(
            kind__in=[kind for kind, _ in AFTER_THE_FACT_KINDS],
            occurred_at__gte=period.utc_start,
            occurred_at__lt=period.utc_end,
        )
        .order_by()
        .values("party_kind", "kind")
        .annotate(n=Count("pk"))
    ]


def nearest_rank(counts: Counter[int], share: float) -> int:
    """The smallest value v such that at least `share` of all values are ≤ v (nearest-rank percentile)."""
    total = sum(counts.values())
    rank = max(1, math.ceil(share * total))
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return value
    raise ValueError("no values")


def business_days_distribution(pairs: Iterable[dict[str, Any]], calendar: DistrictCalendar) -> Counter[int]:
    """Requests per number of business days after the day of receipt up to the day of decision."""
    pairs = list(pairs)
    if not pairs:
        return Counter()
    first = min(pair["received_day"] for pair in pairs)
    last = max(pair["decided_day"] for pair in pairs)
    # Business days from `first` up to and including each day: a difference of two is a count between.
    through: dict[dt.date, int] = {}
    running = 0
    for offset in range((last - first).days + 1):
        day = first + dt.timedelta(days=offset)
        if offset and calendar.is_business_day(day):
            running += 1
        through[day] = running
    days: Counter[int] = Counter()
    for pair in pairs:
        received, decided = pair["received_day"], pair["decided_day"]
        days[through[decided] - through[received] if decided > received else 0] += pair["n"]
    return days


# Building the published tables -------------------------------------------------------------------------


def _rows_for(dimension: Dimension, seen: Iterable[Any]) -> list[tuple[Any, str]]:
    """The vocabulary's rows in order (zeros are published: "no request from …" is news), then any value
    the vocabulary does not know, so nothing counted is left out of the totals."""
    known = {key for key, _ in dimension.rows}
    extra = sorted({value for value in seen if value not in known}, key=str)
    return [*dimension.rows, *((value, humanize(str(value))) for value in extra)]


def _matrix(
    rows: Sequence[dict[str, Any]],
    field: str,
    row_keys: Sequence[Any],
    column_field: str,
    column_keys: Sequence[Any],
) -> list[list[int]]:
    index = {key: i for i, key in enumerate(row_keys)}
    columns = {key: i for i, key in enumerate(column_keys)}
    matrix = [[0] * len(column_keys) for _ in row_keys]
    for row in rows:
        matrix[index[row[field]]][columns[row[column_field]]] += row["n"]
    return matrix


def _cell(value: int, mark: Mark) -> dict[str, Any]:
    if mark is Mark.SHOWN:
        return {"value": value, "display": f"{value:,}", "suppressed": None}
    display = "fewer than 10" if mark is Mark.FEWER_THAN_10 else "withheld"
    return {"value": None, "display": display, "suppressed": mark.value}


def _table(
    *,
    table_id: str,
    title: str,
    measure: str,
    row_heading: str,
    rows: Sequence[tuple[Any, str]],
    columns: Sequence[tuple[Any, str]],
    grid: list[list[int]],
    marks: list[list[Mark]],
) -> dict[str, Any]:
    body = [
        {
            "key": str(key).lower() if isinstance(key, bool) else key,
            "label": label,
            "cells": [_cell(v, m) for v, m in zip(grid[i][:-1], marks[i][:-1], strict=True)],
            "total": _cell(grid[i][-1], marks[i][-1]),
        }
        for i, (key, label) in enumerate(rows)
    ]
    return {
        "id": table_id,
        "title": title,
        "measure": measure,
        "row_heading": row_heading,
        "columns": [{"key": key, "label": label} for key, label in columns],
        "rows": body,
        "totals": {
            "cells": [_cell(v, m) for v, m in zip(grid[-1][:-1], marks[-1][:-1], strict=True)],
            "total": _cell(grid[-1][-1], marks[-1][-1]),
        },
    }


def _group(rows: Sequence[dict[str, Any]], *, measure: str, noun: str) -> list[dict[str, Any]]:
    """One table per dimension × outcome, suppressed together (they publish the same column totals)."""
    layouts = []
    grids = []
    outcome_keys = [key for key, _ in OUTCOMES]
    for dimension in DIMENSIONS:
        field = dimension.field
        row_keys = _rows_for(dimension, (row[field] for row in rows))
        grids.append(
            extend(_matrix(rows, field, [k for k, _ in row_keys], "outcome", outcome_keys), len(OUTCOMES))
        )
        layouts.append((dimension, row_keys))
    marks = suppress_group(grids)
    tables = [
        _table(
            table_id=f"{measure}_by_{dimension.key}",
            title=f"{noun} by {dimension.heading.lower()} and outcome",
            measure=measure,
            row_heading=dimension.heading,
            rows=row_keys,
            columns=OUTCOMES,
            grid=grid,
            marks=grid_marks,
        )
        for (dimension, row_keys), grid, grid_marks in zip(layouts, grids, marks, strict=True)
    ]
    return tables


def _share(table: dict[str, Any], row_key: str) -> dict[str, Any]:
    """A row's share of all requests, published only when both counts are published."""
    row = next(r for r in table["rows"] if r["key"] == row_key)
    part, whole = row["total"]["value"], table["totals"]["total"]["value"]
    if part is None or whole is None:
        return {"percent": None, "display": f"not published: {row['total']['display']} requests"}
    if whole == 0:
        return {"percent": None, "display": "no requests"}
    percent = round(100 * part / whole, 1)
    return {"percent": percent, "display": f"{percent}% ({part:,} of {whole:,} requests)"}


def report_figures(*, period: Period, checkpoint: Checkpoint, now: dt.datetime) -> dict[str, Any]:
    """Every published figure of the report for `period`, computed at `checkpoint` (see module doc)."""
    request_rows = request_counts(period)
    student_rows = student_counts(period)
    request_tables = _group(request_rows, measure="requests", noun="Requests")
    student_tables = _group(student_rows, measure="students", noun="Students named in requests")

    entry_rows = after_the_fact_counts(period)
    party_dimension = Dimension(
        "recipient_kind", "party_kind", "Recipient kind", tuple((k, humanize(k)) for k in REQUESTER_KINDS)
    )
    party_rows = [
        row
        for row in _rows_for(party_dimension, (r["party_kind"] for r in entry_rows))
        if row[0] in {r["party_kind"] for r in entry_rows} or row[0] == "child_protective_services"
    ]
    entry_grid = extend(
        _matrix(
            entry_rows, "party_kind", [k for k, _ in party_rows], "kind", [k for k, _ in AFTER_THE_FACT_KINDS]
        ),
        len(AFTER_THE_FACT_KINDS),
    )
    entry_table = _table(
        table_id="after_the_fact_entries",
        title="Disclosures recorded after the fact, by recipient",
        measure="entries",
        row_heading="Recipient kind",
        rows=party_rows,
        columns=AFTER_THE_FACT_KINDS,
        grid=entry_grid,
        marks=suppress_group([entry_grid])[0],
    )

    days = business_days_distribution(decision_day_pairs(period), DistrictCalendar.load())
    decided = sum(days.values())
    if decided >= SMALLEST_PUBLISHED_GROUP:
        timing: dict[str, Any] = {
            "published": True,
            "median_business_days": nearest_rank(days, 0.5),
            "p90_business_days": nearest_rank(days, 0.9),
            "display": None,
        }
    else:
        timing = {
            "published": False,
            "median_business_days": None,
            "p90_business_days": None,
            "display": "not published: fewer than 10 decided requests" if decided else "no decided requests",
        }

    by_table = {table["id"]: table for table in request_tables}
    return {
        "method_version": METHOD_VERSION,
        "period": {
            "key": period.key,
            "title": period.title,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "complete": period.is_complete(now),
        },
        "district": settings.DISTRICT_NAME,
        "time_zone": settings.TIME_ZONE,
        "checkpoint": {
            "id": checkpoint.pk,
            "size": checkpoint.size,
            "root_hash": bytes(checkpoint.root_hash).hex(),
            "signed_at": checkpoint.signed_at.isoformat(),
            "origin": settings.LEDGER_ORIGIN,
        },
        "computed_at": now.isoformat(),
        "outcomes": [{"key": key, "label": label} for key, label in OUTCOMES],
        "tables": [*request_tables, *student_tables, entry_table],
        "shares": {
            "nondisclosure_order": _share(by_table["requests_by_nondisclosure_order"], "true"),
            "emergency": _share(by_table["requests_by_emergency"], "true"),
        },
        "time_to_decision": timing,
    }
