"""The figures of one transparency report, computed with GROUP BY in the database.

`report_figures(period, checkpoint)` returns the *published* figures only: suppressed cells never leave
this module with their value. Callers run it inside a snapshot of the database taken when the ledger had
exactly `checkpoint.size` entries (see services.report_publish), because every casework change commits
together with its ledger entry: the rows of that snapshot are the ledger at that size.

The counts are GROUP BY queries over the requests (their stored `disposition`), over the named
students joined to them, and over the decided requests by pair of local days (their stored
`decided_at`); Python touches only aggregated rows (a few thousand at most), never one row per request.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import BooleanField, Case, Count, DateTimeField, F, Func, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from brightline.casework.calendar import DistrictCalendar, district_zone
from brightline.casework.models import Request, RequestStudent
from brightline.disclosures.models import DisclosureEntry, EntryKind
from brightline.ledger.models import Checkpoint
from brightline.transparency.flows import figures_from_rows
from brightline.transparency.periods import Period

# 2: complementary suppression prefers cells that close another line; 3: the flow tables, counted from the
# published rows (flows.py); 4: every table counted from the published rows, and the publication recorded
# in the ledger; 5: the rows published counted, each combination once with how many records share it
# (collect.py, tallies.py)
METHOD_VERSION = 5
SMALLEST_PUBLISHED_GROUP = 10


class Scanned(Func):
    """A column compared as it is, except on SQLite, where a unary plus (a no-op on the value) keeps the
    planner from reading the period through the column's index.

    SQLite has no statistics on how much of a table a range covers, and reading through the index costs a
    random read per row: 5 s rather than 2 s for a million requests in the period. A full scan costs the
    same whatever the period, and SQLite serves small districts whose tables are small; PostgreSQL's
    planner chooses from its statistics.
    """

    template = "%(expressions)s"

    def __init__(self, column: str) -> None:
        super().__init__(F(column), output_field=DateTimeField())

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, Any]:
        return self.as_sql(compiler, connection, template="+%(expressions)s", **extra_context)


def requests_received(period: Period) -> QuerySet[Request]:
    return Request.objects.alias(received=Scanned("received_at")).filter(
        received__gte=period.utc_start, received__lt=period.utc_end
    )


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
        RequestStudent.objects.alias(received=Scanned("request__received_at"))
        .filter(received__gte=period.utc_start, received__lt=period.utc_end)
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


def utc_offsets(zone: ZoneInfo, first: dt.date, last: dt.date) -> list[tuple[dt.datetime, int]]:
    """The zone's UTC offsets (seconds) from local `first` to local `last`: (UTC instant from which it
    applies, offset), the first entry applying from the start. Found by bisecting each day whose offset
    changes, to the second."""

    def offset_at(seconds: int) -> int:
        moment = dt.datetime.fromtimestamp(seconds, dt.UTC).astimezone(zone)
        return int(moment.utcoffset().total_seconds())  # type: ignore[union-attr]

    begin = int(dt.datetime.combine(first, dt.time(), tzinfo=zone).timestamp())
    end = int(dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=zone).timestamp())
    offsets = [(dt.datetime.fromtimestamp(begin, dt.UTC), offset_at(begin))]
    for day_start in range(begin, end, 86_400):
        low, high = day_start, min(day_start + 86_400, end)
        if offset_at(high) == offset_at(low):
            continue
        while high - low > 1:  # offset_at(low) is the old offset, offset_at(high) the new one
            middle = (low + high) // 2
            low, high = (middle, high) if offset_at(middle) == offset_at(low) else (low, middle)
        offsets.append((dt.datetime.fromtimestamp(high, dt.UTC), offset_at(high)))
    return offsets


class LocalDate(TruncDate):
    """The district's calendar day of a stored UTC moment, computed by the database.

    PostgreSQL converts with AT TIME ZONE (TruncDate). Django's SQLite TruncDate calls a Python function
    for every row; here SQLite's own date() shifts each moment by the zone's offset at that moment,
    chosen by comparing the stored UTC text with the instants the offset changes (`utc_offsets` over
    the days the report can meet; moments after the last change keep its offset).
    """

    def __init__(self, expression: Any, *, zone: ZoneInfo, first: dt.date, last: dt.date) -> None:
        super().__init__(expression, tzinfo=zone)
        self.offsets = utc_offsets(zone, first, last)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.lhs)
        whens, case_params = [], []
        for (_, offset), (changes_at, _) in zip(self.offsets, self.offsets[1:], strict=False):
            whens.append(f"WHEN {sql} < %s THEN %s")
            # Django stores aware datetimes on SQLite as UTC text, 'YYYY-MM-DD HH:MM:SS[.ffffff]'.
            case_params += [*params, changes_at.replace(tzinfo=None).isoformat(" "), f"{offset:+d} seconds"]
        last_offset = f"{self.offsets[-1][1]:+d} seconds"
        if not whens:
            return f"date({sql}, %s)", (*params, last_offset)
        return (
            f"date({sql}, CASE {' '.join(whens)} ELSE %s END)",
            (*params, *case_params, last_offset),
        )


def decision_day_pairs(period: Period) -> list[dict[str, Any]]:
    """(day received, day decided, number of requests) for decided requests, days in the district's zone.

    `decided_at` is stored by casework when the request first left awaiting_match / in_review: when
    nothing was left for the records office to match or for a reviewer to decide. One GROUP BY: the
    database turns both moments into local days (`LocalDate`), so Python sees one row per pair of days.
    """
    zone = district_zone()
    first = period.start_date - dt.timedelta(days=1)
    last = max(period.end_date, timezone.localdate(timezone.now(), zone)) + dt.timedelta(days=1)
    return [
        dict(row)
        for row in requests_received(period)
        .filter(decided_at__isnull=False)
        .order_by()
        .annotate(
            received_day=LocalDate("received_at", zone=zone, first=first, last=last),
            decided_day=LocalDate("decided_at", zone=zone, first=first, last=last),
        )
        .values("received_day", "decided_day")
        .annotate(n=Count("pk"))
    ]


def after_the_fact_counts(period: Period) -> list[dict[str, Any]]:
    return [
        dict(row)
        for row in DisclosureEntry.objects.filter(
            kind__in=[EntryKind.EMERGENCY_AFTER_THE_FACT, EntryKind.ABUSE_REPORT],
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


def report_figures(*, period: Period, checkpoint: Checkpoint, now: dt.datetime) -> dict[str, Any]:
    """Every published figure of the report for `period`, computed at `checkpoint` (see module doc)."""
    return report_publication(period=period, checkpoint=checkpoint, now=now)[0]


def report_publication(
    *,
    period: Period,
    checkpoint: Checkpoint,
    now: dt.datetime,
    parts: Sequence[dict[str, Any]] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the published figures, the published rows they are counted from) of `period` at `checkpoint`;
    a half-year's rows are its quarters' published rows (`parts`, flows.union_rows).

    Method 4: every table, share and figure of time to decision is counted from the published rows
    (`flows.figures_from_rows`), so anyone holding them counts the whole report again."""
    from brightline.transparency.collect import period_rows  # collect reads the requests as defined here

    rows = period_rows(period, parts)
    counted = figures_from_rows(rows)
    figures = {
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
        **counted,
    }
    return figures, rows
