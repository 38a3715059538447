"""Reading a period's rows from the database, counted: one GROUP BY per set of rows (method 5).

Each set of rows (flows.ROW_SETS) is counted by the database, one line per combination of its values
with how many records and how many distinct requests share it; Python sees aggregated lines only, never
one per record (a few hundred per set, and one per pair of local days for the time to decision). The
rare combinations (fewer than 10 requests) are read again request by request, and a common one only
when the last withholding takes some of its requests (`tallies.py`).

A request's outcome and an after-the-fact entry's kind are generalized once for the period
(`tallies.fixed_values`, from one count per value) and then computed by the database in every set that
shows them, so that every set shows the same value for the same record.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from brightline.casework.calendar import DistrictCalendar, district_zone
from brightline.casework.models import (
    EmergencyDetermination,
    Item,
    ItemState,
    Reconsideration,
    ReconsiderationOutcome,
    Request,
    RequestStudent,
)
from brightline.disclosures.models import DisclosureEntry, EntryKind
from brightline.incidents.models import Incident, IncidentStudent, StudentRole, WeaponRouting
from brightline.transparency.flows import DIMENSIONS, FIXED, ONWARD_REFUSED, ROW_SETS, VALUES
from brightline.transparency.periods import Period
from brightline.transparency.reports import LocalDate, Scanned, emergency_at_receipt, requests_received
from brightline.transparency.tallies import (
    SMALLEST_GROUP,
    WITHHELD,
    Smallest,
    Tally,
    bin_days,
    distinct_groups_at_least_10,
    fixed_values,
    generalize,
    to_counted,
)

# Sets whose records each belong to one request (or are their own group) with one combination per
# request: distinct requests of two combinations are never the same, so their counts add up.
DISJOINT = frozenset(ROW_SETS) - {"items", "reconsiderations_asked", "reconsiderations_decided"}
RARE_PER_QUERY = 100  # rare combinations read again per query


def _words(pairs: Sequence[tuple[Any, str]], field: str, default: str | None = None) -> Case | F:
    whens = [When(**{field: value}, then=Value(word)) for value, word in pairs]
    return Case(*whens, default=Value(default) if default is not None else F(field))


def _fixed(field: str, withheld: set[str], chosen: list[Any], pk: str = "pk") -> Case | F:
    """The field as generalized for the period: withheld for the rare values and the chosen records."""
    whens = []
    if chosen:
        whens.append(When(**{f"{pk}__in": chosen}, then=Value(WITHHELD)))
    if withheld:
        whens.append(When(**{f"{field}__in": sorted(withheld)}, then=Value(WITHHELD)))
    return Case(*whens, default=F(field)) if whens else F(field)


def _json_names(field: str, names: Sequence[str]) -> Q:
    """A JSON list, as its text, naming one of `names` (on SQLite and PostgreSQL alike)."""
    condition = Q()
    for name in names:
        condition |= Q(**{f"{field}__contains": f'"{name}"'})
    return condition


class _Set:
    """A set being counted: its tallies, and how to ask for a common combination's fewest requests."""

    def __init__(self, tallies: dict[tuple[str, ...], Tally], smallest: Smallest | None = None) -> None:
        self.tallies = tallies
        self.smallest = smallest


def _by_request(
    queryset: QuerySet[Any],
    columns: dict[str, Any],
    group: str,
    most_per_group: int | None = None,
    narrow: tuple[str, str] | None = None,
) -> _Set:
    """Count `queryset` by the combination of `columns` (attribute -> expression giving its published
    value), with how many distinct `group`s share each; the rare combinations group by group.

    With `most_per_group` (no group holds more records of one combination: a request's items of one
    category are one per student it names), the database counts records only, and a combination of n
    records is shared by at least n / most_per_group groups: only those that could be shared by fewer
    than 20 (10, and the most a last withholding takes) are counted again group by group, read through
    `narrow` (an attribute and the field it is, to read only their records first). Otherwise the database
    counts the distinct groups of every combination.
    """
    names = {f"v_{attribute}": expression for attribute, expression in columns.items()}
    annotated = queryset.order_by().annotate(**names)
    tallies: dict[tuple[str, ...], Tally] = {}
    uncertain: list[dict[str, Any]] = []
    counts = (
        {"rows": Count("pk")}
        if most_per_group is not None
        else {"rows": Count("pk"), "groups": Count(group, distinct=True)}
    )
    for row in annotated.values(*names).annotate(**counts):
        key = tuple(row[name] for name in names)
        if most_per_group is not None:
            least = -(-row["rows"] // max(most_per_group, 1))
            if least < 2 * SMALLEST_GROUP:
                uncertain.append(row)
            else:
                tallies[key] = Tally(row["rows"], least)
        elif row["groups"] < SMALLEST_GROUP:
            uncertain.append(row)
        else:
            tallies[key] = Tally(row["rows"], row["groups"])
    for start in range(0, len(uncertain), RARE_PER_QUERY):
        chunk = uncertain[start : start + RARE_PER_QUERY]
        condition = reduce(or_, (Q(**{name: row[name] for name in names}) for row in chunk))
        found = annotated
        if narrow is not None:
            attribute, field_name = narrow
            found = found.filter(**{f"{field_name}__in": sorted({row[f"v_{attribute}"] for row in chunk})})
        members: dict[tuple[str, ...], dict[Any, int]] = {}
        for row in found.filter(condition).values(*names, g=F(group)).annotate(n=Count("pk")):
            members.setdefault(tuple(row[name] for name in names), {})[row["g"]] = row["n"]
        tallies.update({key: Tally.of_members(found) for key, found in members.items()})

    def smallest(values: dict[str, str], k: int) -> list[tuple[Any, int]]:
        found = annotated
        if narrow is not None:
            found = found.filter(**{narrow[1]: values[narrow[0]]})
        found = (
            found.filter(**{f"v_{attribute}": values[attribute] for attribute in columns})
            .values(g=F(group))
            .annotate(n=Count("pk"))
            .order_by("n", "g")[:k]
        )
        return [(row["g"], row["n"]) for row in found]

    return _Set(tallies, smallest)


def _single(queryset: QuerySet[Any], columns: dict[str, Any]) -> _Set:
    """Count `queryset` by the combination of `columns`, each record its own group (or its request's one
    row)."""
    names = {f"v_{attribute}": expression for attribute, expression in columns.items()}
    tallies: dict[tuple[str, ...], Tally] = {}
    for row in queryset.order_by().annotate(**names).values(*names).annotate(n=Count("pk")):
        tallies[tuple(row[name] for name in names)] = Tally.single(row["n"])
    return _Set(tallies)


def _fix(queryset: QuerySet[Any], field: str, order: Sequence[str]) -> tuple[set[str], list[Any]]:
    """(the values of `field` withheld for the period, the records withheld with them): see
    tallies.fixed_values. The records taken from a common value are its first, in `order`."""
    counts = {
        row[field]: row["n"] for row in queryset.order_by().values(field).annotate(n=Count("pk")) if row["n"]
    }
    withheld, partial = fixed_values(counts)
    chosen: list[Any] = []
    if partial is not None:
        value, n = partial
        chosen = list(queryset.filter(**{field: value}).order_by(*order).values_list("pk", flat=True)[:n])
    return withheld, chosen


def _yes(condition: Any) -> Case:
    return Case(When(condition, then=Value("yes")), default=Value("no"))


def _text(name: str) -> Cast:
    return Cast(name, TextField())


def collect_sets(period: Period) -> dict[str, _Set | Counter[int]]:
    """The period's sets, counted, before generalization (never published as such: `publishable_rows`)."""
    requests = requests_received(period)
    withheld, chosen = _fix(requests, "disposition", ("received_at", "pk"))
    outcome = _fixed("disposition", withheld, chosen)
    sets: dict[str, Any] = {}

    # The ten request and student sets: the requests by the five dimensions and their outcome, with how
    # many students each names (one GROUP BY over the requests joined to their count of named students).
    counted = _named(period, requests, outcome)
    requests_by: dict[str, Counter[tuple[str, str]]] = {name: Counter() for name in DIMENSIONS}
    students_by: dict[str, dict[tuple[str, str], Counter[int]]] = {name: {} for name in DIMENSIONS}
    most_named = 0
    for row in counted:
        values = {
            "requester_kind": row["requester_kind"],
            "purpose": row["purpose"],
            "legal_process": row["legal_process_kind"],
            "nondisclosure_order": "true" if row["nondisclosure_order"] else "false",
            "emergency": "true" if row["v_emergency"] else "false",
        }
        named = row["v_named"] or 0
        most_named = max(most_named, named)
        for name in DIMENSIONS:
            key = (values[name], row["v_outcome"])
            requests_by[name][key] += row["n"]
            if named:
                students_by[name].setdefault(key, Counter())[named] += row["n"]
    for name in DIMENSIONS:
        sets[f"requests_by_{name}"] = _Set({key: Tally.single(n) for key, n in requests_by[name].items()})
        sets[f"students_by_{name}"] = _Set(
            {key: Tally.of_sizes(sizes) for key, sizes in students_by[name].items()}
        )

    sets["requests"], sets["decision_days"] = _requests(period, requests, outcome)
    items = Item.objects.alias(received=Scanned("request__received_at")).filter(
        received__gte=period.utc_start, received__lt=period.utc_end
    )
    sets["items"] = _by_request(
        items,
        {
            "requester_kind": F("request__requester_kind"),
            "item_outcome": _words(
                [
                    (ItemState.RELEASED, "released"),
                    (ItemState.REFUSED, "not_released"),
                    (ItemState.DENIED, "not_released"),
                    (ItemState.UNIDENTIFIED, "not_released"),
                ],
                "state",
                default="pending",
            ),
            "category": F("category"),
        },
        "request_id",
        most_per_group=most_named,
        narrow=("requester_kind", "request__requester_kind"),
    )
    sets["emergencies"] = _single(
        Request.objects.filter(
            received_at__gte=period.utc_start, received_at__lt=period.utc_end, emergency_threat__gt=""
        ),
        {
            "duration": Case(
                When(emergency_ends_at__isnull=True, then=Value("up_to_4h")),
                When(emergency_ends_at__lte=F("received_at") + dt.timedelta(hours=4), then=Value("up_to_4h")),
                When(
                    emergency_ends_at__lte=F("received_at") + dt.timedelta(hours=24), then=Value("4h_to_1d")
                ),
                When(
                    emergency_ends_at__lte=F("received_at") + dt.timedelta(hours=72), then=Value("1d_to_3d")
                ),
                default=Value("over_3d"),
            ),
            "determination": Case(
                When(
                    Exists(EmergencyDetermination.objects.filter(request=OuterRef("pk"), found=True)),
                    then=Value("found"),
                ),
                When(
                    Exists(EmergencyDetermination.objects.filter(request=OuterRef("pk"))),
                    then=Value("declined"),
                ),
                default=Value("none"),
            ),
            "released": _yes(Exists(Item.objects.filter(request=OuterRef("pk"), state=ItemState.RELEASED))),
        },
    )
    sets["incidents"] = _incidents(period)
    entries = DisclosureEntry.objects.filter(
        kind__in=[key for key, _ in VALUES["kind"]],
        occurred_at__gte=period.utc_start,
        occurred_at__lt=period.utc_end,
    )
    kinds_withheld, kinds_chosen = _fix(entries, "kind", ("occurred_at", "pk"))
    kind = _fixed("kind", kinds_withheld, kinds_chosen)
    sets["after_the_fact"] = _single(entries, {"late": _yes(Q(late=True)), "kind": kind})
    sets["after_the_fact_by_recipient"] = _single(entries, {"recipient_kind": F("party_kind"), "kind": kind})
    asked = Reconsideration.objects.filter(asked_at__gte=period.utc_start, asked_at__lt=period.utc_end)
    decided = Reconsideration.objects.filter(
        decided_at__gte=period.utc_start, decided_at__lt=period.utc_end
    ).exclude(outcome=ReconsiderationOutcome.PENDING)
    for name, found in (("reconsiderations_asked", asked), ("reconsiderations_decided", decided)):
        sets[name] = _by_request(
            found,
            {"requester_kind": F("request__requester_kind"), "reconsideration": F("outcome")},
            "request_id",
        )
    # Keys in each set's order of attributes.
    for name, order in ROW_SETS.items():
        if name == "decision_days":
            continue
        found = sets[name]
        columns = _columns(name)
        found.tallies = {
            tuple(key[columns.index(attribute)] for attribute in order): tally
            for key, tally in found.tallies.items()
        }
    return sets


FIVE = ("requester_kind", "purpose", "legal_process_kind", "nondisclosure_order", "v_emergency", "v_outcome")


def _named(period: Period, requests: QuerySet[Request], outcome: Any) -> list[dict[str, Any]]:
    """Requests by the five dimensions and their outcome, and how many students each names (`v_named`):
    one GROUP BY over the requests with their count of named students.

    SQLite counts each request's students through the index on their request; PostgreSQL joins the
    requests to the students counted per request (a correlated count there is a subplan per request)."""
    found = requests.order_by().annotate(v_outcome=outcome, v_emergency=emergency_at_receipt())
    if connection.vendor != "postgresql":
        students = RequestStudent.objects.filter(request=OuterRef("pk")).order_by().values("request")
        return list(
            found.annotate(v_named=students.annotate(n=Count("pk")).values("n")[:1])
            .values(*FIVE, "v_named")
            .annotate(n=Count("pk"))
        )
    request_sql, request_params = found.values(*FIVE, v_id=F("pk")).query.sql_with_params()
    named_sql, named_params = (
        RequestStudent.objects.filter(
            request__received_at__gte=period.utc_start, request__received_at__lt=period.utc_end
        )
        .order_by()
        .values("request_id")
        .annotate(v_named=Count("pk"))
        .query.sql_with_params()
    )
    columns = ", ".join(f"r.{name}" for name in FIVE)
    sql = (
        f"SELECT {columns}, s.v_named, COUNT(*) AS n FROM ({request_sql}) r "  # noqa: S608 (the ORM's SQL)
        f"LEFT JOIN ({named_sql}) s ON s.request_id = r.v_id GROUP BY {columns}, s.v_named"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*request_params, *named_params))
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _columns(name: str) -> list[str]:
    """The order in which `collect_sets` counts a set's attributes."""
    if name.startswith(("requests_by_", "students_by_")):
        return [name.split("_by_", 1)[1], "outcome"]
    return {
        "requests": ["business_days", "decision", "requester_kind", "refusal", "outcome"],
        "items": ["requester_kind", "item_outcome", "category"],
        "emergencies": ["duration", "determination", "released"],
        "incidents": ["classification", "school", "reached", "weapon_routed"],
        "after_the_fact": ["late", "kind"],
        "after_the_fact_by_recipient": ["recipient_kind", "kind"],
        "reconsiderations_asked": ["requester_kind", "reconsideration"],
        "reconsiderations_decided": ["requester_kind", "reconsideration"],
    }[name]


def _days_bucket(days: int) -> str:
    if days <= 2:
        return "0-2"
    if days <= 5:
        return "3-5"
    if days <= 10:
        return "6-10"
    return "11+"


def _requests(period: Period, requests: QuerySet[Request], outcome: Any) -> tuple[_Set, Counter[int]]:
    """The requests set, by requester kind, outcome, refusal, deadline and business days to a decision
    (counted by the database from the local days of receipt and decision and the days the district was
    closed), and the decided requests by their business days."""
    zone = district_zone()
    first = period.start_date - dt.timedelta(days=1)
    last = max(period.end_date, timezone.localdate(timezone.now(), zone)) + dt.timedelta(days=1)
    items = Item.objects.filter(request=OuterRef("pk"))
    rules = _text("rules")
    refused = Q(disposition="refused") | (
        ~Q(disposition="released_in_full")
        & Exists(items.filter(state__in=[ItemState.REFUSED, ItemState.DENIED]))
    )
    onward = _json_names("v_onward", sorted(ONWARD_REFUSED))
    by_rules: dict[tuple[str, ...], Any] = {}
    for rule_set in (("F1", "F2"), ("F1", "F3")):
        if connection.vendor == "postgresql":
            # One pass over the period's items (jsonb ?|), kept as a hashed set of requests.
            by_rules[rule_set] = Q(
                pk__in=Item.objects.filter(
                    request__received_at__gte=period.utc_start,
                    request__received_at__lt=period.utc_end,
                    rules__has_any_keys=list(rule_set),
                ).values("request_id")
            )
        else:
            # Read only for a refused request (a CASE stops at its first match): its items, by their index.
            by_rules[rule_set] = Q(
                Exists(items.alias(rules_text=rules).filter(_json_names("rules_text", rule_set)))
            )
    found = (
        requests.order_by()
        .alias(v_onward=_text("document__onward_recipients"))
        .annotate(
            v_outcome=outcome,
            v_refusal=Case(
                When(~refused, then=Value("none")),
                When(onward & by_rules[("F1", "F2")], then=Value("onward_sharing")),
                When(by_rules[("F1", "F3")], then=Value("immigration")),
                default=Value("other_refusal"),
            ),
            v_decision=Case(
                When(decided_at__isnull=True, then=Value("undecided")),
                When(decided_at__lte=F("decision_due_at"), then=Value("within_deadline")),
                default=Value("after_deadline"),
            ),
            v_received=DayNumber(LocalDate("received_at", zone=zone, first=first, last=last)),
            v_decided=DayNumber(LocalDate("decided_at", zone=zone, first=first, last=last)),
        )
        .values("requester_kind", "v_outcome", "v_refusal", "v_decision", "v_received", "v_decided")
    )
    calendar = DistrictCalendar.load()
    closed = [
        (day - EPOCH).days
        for day in (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
        if day.weekday() < 5 and not calendar.is_business_day(day)
    ]
    inner_sql, params = found.query.sql_with_params()
    # OFFSET 0 keeps the database from copying the inner expressions into the outer one (each request's
    # local days are computed once).
    fence = "LIMIT -1 OFFSET 0" if connection.vendor == "sqlite" else "OFFSET 0"
    days_sql = _business_days_sql("r.v_received", "r.v_decided", closed)
    sql = (
        f"SELECT r.requester_kind, r.v_outcome, r.v_refusal, r.v_decision, {days_sql} AS v_days, "  # noqa: S608
        f"COUNT(*) AS n FROM ({inner_sql} {fence}) r GROUP BY 1, 2, 3, 4, 5"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    counts: Counter[tuple[str, ...]] = Counter()
    days: Counter[int] = Counter()
    for kind, outcome_value, refusal, decision, exact, n in rows:
        if exact is None:
            bucket = "undecided"
        else:
            days[int(exact)] += n
            bucket = _days_bucket(int(exact))
        counts[bucket, decision, kind, refusal, outcome_value] += n
    return _Set({key: Tally.single(n) for key, n in counts.items()}), days


EPOCH = dt.date(1970, 1, 1)  # a Thursday


class DayNumber(Func):
    """Days since 1970-01-01 of a local date the database computed (`LocalDate`)."""

    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, Any]:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER)",
            **extra_context,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, Any]:
        return self.as_sql(
            compiler, connection, template="(%(expressions)s - DATE '1970-01-01')", **extra_context
        )


def _business_days_sql(received: str, decided: str, closed: Sequence[int]) -> str:
    """Business days after day `received` up to and including day `decided` (day numbers; 0 when decided
    the same day, NULL when undecided): weekdays between them, less the weekdays the district was closed
    (`closed`, day numbers). Weekdays up to day x: 5 per whole week since a Monday, and the days of the week
    so far up to Friday (1970-01-01 was a Thursday, day 3 of the week counting Monday as 0)."""

    def weekdays(x: str) -> str:
        # %% is the modulo operator once the parameters are bound.
        return f"(5 * (({x} + 3) / 7) + CASE WHEN ({x} + 3) %% 7 < 5 THEN ({x} + 3) %% 7 + 1 ELSE 5 END)"

    def closures(x: str) -> str:
        return " + ".join(f"CASE WHEN {x} >= {int(day)} THEN 1 ELSE 0 END" for day in closed) or "0"

    return (
        f"CASE WHEN {decided} IS NULL THEN NULL WHEN {decided} > {received} THEN "
        f"({weekdays(decided)} - ({closures(decided)})) - ({weekdays(received)} - ({closures(received)})) "
        "ELSE 0 END"
    )


def _incidents(period: Period) -> _Set:
    """Incidents that occurred in the period. One reached an outside party when it was routed as a weapon
    report, or when a student who took part in it had that record category released after it was
    recorded (the record a packet carries is the student's incidents of that category)."""
    routed = Exists(WeaponRouting.objects.filter(incident=OuterRef("pk")))
    released = Exists(
        DisclosureEntry.objects.alias(categories_text=_text("categories")).filter(
            student=OuterRef("student"),
            kind=EntryKind.DISCLOSURE,
            occurred_at__gte=OuterRef(OuterRef("recorded_at")),
            categories_text__contains=Concat(
                Value('"'), OuterRef(OuterRef("record_category")), Value('"'), output_field=TextField()
            ),
        )
    )
    reached = Exists(
        IncidentStudent.objects.filter(
            incident=OuterRef("pk"), role=StudentRole.RESPONSIBLE, student__isnull=False
        ).filter(released)
    )
    return _single(
        Incident.objects.filter(occurred_on__gte=period.start_date, occurred_on__lt=period.end_date),
        {
            "classification": F("record_category"),
            "school": F("school__name"),
            "reached": _yes(routed | reached),
            "weapon_routed": _yes(routed),
        },
    )


def publishable_rows(sets: dict[str, Any]) -> dict[str, Any]:
    """The rows as published: each set generalized and counted; a set of rows from fewer than 10 requests
    (or of 1 to 9 records) is not published at all (its count is itself a small cell: its tables say
    "fewer than 10")."""
    published: dict[str, Any] = {}
    for name, order in ROW_SETS.items():
        found = sets[name]
        if name == "decision_days":
            decided = sum(found.values())
            if decided and decided < SMALLEST_GROUP:
                published[name] = {"attributes": list(order), "published": False, "rows": []}
            else:
                published[name] = {"attributes": list(order), "published": True, "rows": bin_days(found)}
            continue
        tallies = {key: tally for key, tally in found.tallies.items() if tally.rows}
        if tallies and not distinct_groups_at_least_10(tallies.values(), name in DISJOINT):
            published[name] = {"attributes": list(order), "published": False, "rows": []}
            continue
        rows = generalize(tallies, order, FIXED.get(name, ()), found.smallest)
        published[name] = {"attributes": list(order), "published": True, "rows": rows}
    return published


def union_rows(parts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A half-year's rows: exactly its quarters' published (already generalized) rows, counted together.

    Generalizing the half-year on its own would show combinations its quarters withheld (rare in each,
    common together), and the half-year less a quarter would give back the other quarter's rare rows.
    Together, the half-year less a quarter is the other quarter's published rows, nothing more. A set
    one quarter did not publish (fewer than 10 requests, or a set its method did not have yet) is not
    published in the half-year either: its tables read "withheld", never the other quarters' counts."""
    published: dict[str, Any] = {}
    for name, order in ROW_SETS.items():
        sets = [part[name] for part in parts if name in part]
        total: dict[tuple[Any, ...], int] = {}
        for row_set in sets:
            if not row_set["published"]:
                continue
            for row in to_counted(row_set):
                total[tuple(row[:-1])] = total.get(tuple(row[:-1]), 0) + row[-1]
        rows = sorted(
            ([*key, n] for key, n in total.items()), key=lambda row: tuple(str(v) for v in row[:-1])
        )
        if len(sets) == len(parts) and all(s["published"] for s in sets):
            published[name] = {"attributes": list(order), "published": True, "rows": rows}
        else:
            # A quarter did not publish the set: the half-year's figures from it are withheld, never the
            # other quarters' alone (a quarter's "fewer than 10" would read 0).
            published[name] = {
                "attributes": list(order),
                "published": False,
                "part_not_published": True,
                "rows": [],
            }
    return published


def period_rows(period: Period, parts: Sequence[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The published rows of `period`; a half-year passes its quarters' published rows as `parts` and
    publishes their union (`union_rows`)."""
    return union_rows(parts) if parts is not None else publishable_rows(collect_sets(period))
