"""The flow of a period: what left, to whom, and what the schools did, as published rows and the tables
counted from them.

A report of method 3 publishes, beside its tables, the **rows** it counts: one per request, per item
(one student × one record category), per incident report, per request stating an emergency and per
disclosure recorded after the fact. A row holds categories and outcomes only (no name, no id, no date).
Before they are published the rows are *generalized*: a row whose combination of values is shared by
fewer than 10 rows of its set has its values replaced by "withheld", one attribute at a time in a fixed
order, until every combination that is published is shared by at least 10 rows (and the rows withheld
in full are at least 10, or none). A reader can then single out no group smaller than 10, whatever
table they count from the rows.

The flow tables are counted **from the published rows** (`flow_tables(rows)`), with the report's
small-cell suppression applied to each; so anyone holding the rows recomputes every figure of every flow
table exactly (`verify.py`, `brightline report verify`). A value withheld from a row is counted as
"Withheld" in every table, in its own line, so totals still add up.

`collect_rows(period)` reads the database (a handful of queries, Python per row: the rows are published
one per record anyway); everything else here is a pure function of the rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from brightline.casework.calendar import DistrictCalendar, district_zone
from brightline.casework.models import EmergencyDetermination, Item, ItemState, Request
from brightline.disclosures.models import DisclosureEntry, EntryKind
from brightline.incidents.models import Incident, IncidentStudent, StudentRole, WeaponRouting
from brightline.transparency.periods import Period
from brightline.transparency.suppression import Mark, extend, suppress_group
from brightline.vocabulary import CATEGORIES, REQUESTER_KINDS

SMALLEST_GROUP = 10
WITHHELD = "withheld"
# The internal key of the request a row comes from (requests, items, emergencies): a combination is
# published only when at least 10 distinct requests share it. Never published (`generalize` drops it).
GROUP = "_request"

# The onward recipients rules F1 and F2 refuse to feed (DOMAIN.md).
ONWARD_REFUSED = frozenset({"fusion_center", "gang_database", "immigration_enforcement"})


def humanize(identifier: str) -> str:
    return identifier.replace("_", " ").capitalize()


# The values of each attribute, in the order the tables show them, with their published labels.
YES_NO = (("yes", "Yes"), ("no", "No"))
VALUES: dict[str, tuple[tuple[str, str], ...]] = {
    "requester_kind": tuple((k, humanize(k)) for k in REQUESTER_KINDS),
    "category": tuple(
        (c, "School police unit records" if c == "law_enforcement_unit" else humanize(c)) for c in CATEGORIES
    ),
    "item_outcome": (("released", "Released"), ("not_released", "Not released"), ("pending", "Pending")),
    "outcome": (
        ("released_in_full", "Released in full"),
        ("released_in_part", "Released in part"),
        ("nothing_released", "Nothing released"),
        ("refused", "Refused by the policy"),
        ("pending", "Pending"),
    ),
    "refusal": (
        ("onward_sharing", "Refused: onward sharing with a fusion center, gang database or immigration"),
        ("immigration", "Refused: immigration enforcement or immigration data"),
        ("other_refusal", "Refused or denied for another reason"),
        ("none", "Nothing refused"),
    ),
    "decision": (
        ("within_deadline", "Decided within the deadline"),
        ("after_deadline", "Decided after the deadline"),
        ("undecided", "Not yet decided"),
    ),
    "business_days": (
        ("0-2", "0 to 2 business days"),
        ("3-5", "3 to 5 business days"),
        ("6-10", "6 to 10 business days"),
        ("11+", "More than 10 business days"),
        ("undecided", "Not yet decided"),
    ),
    "classification": (
        ("discipline", "School discipline"),
        ("law_enforcement_unit", "School police unit record"),
    ),
    "school": (),  # the district's schools, by name, as found
    "reached": (("yes", "Reached an outside party"), ("no", "Stayed in the school")),
    "weapon_routed": (("yes", "Routed under c.71 s.37L"), ("no", "Not routed")),
    "determination": (
        ("found", "Emergency found by the district"),
        ("declined", "Emergency declined by the district"),
        ("none", "No determination"),
    ),
    "released": (("yes", "Something released"), ("no", "Nothing released")),
    "duration": (
        ("up_to_4h", "Up to 4 hours"),
        ("4h_to_1d", "4 to 24 hours"),
        ("1d_to_3d", "1 to 3 days"),
        ("over_3d", "More than 3 days"),
    ),
    "kind": (
        (EntryKind.EMERGENCY_AFTER_THE_FACT.value, "Emergency disclosure"),
        (EntryKind.ABUSE_REPORT.value, "Report of suspected abuse or neglect"),
    ),
    "late": (("yes", "Recorded late (after 48 hours)"), ("no", "Recorded within 48 hours")),
}
HEADINGS: dict[str, str] = {
    "requester_kind": "Requester kind",
    "category": "Record category",
    "item_outcome": "Item outcome",
    "outcome": "Outcome",
    "refusal": "Refusal",
    "decision": "Deadline",
    "business_days": "Time to decision",
    "classification": "Classification",
    "school": "School",
    "reached": "Reached an outside party",
    "weapon_routed": "Weapon report",
    "determination": "District's determination",
    "released": "Released",
    "duration": "How long the emergency lasted",
    "kind": "Kind",
    "late": "When recorded",
}

# Each set of rows: its attributes in the order they are withheld from a rare row (first withheld first).
ROW_SETS: dict[str, tuple[str, ...]] = {
    "requests": ("business_days", "decision", "requester_kind", "refusal", "outcome"),
    "items": ("requester_kind", "item_outcome", "category"),
    "incidents": ("school", "weapon_routed", "reached", "classification"),
    "emergencies": ("duration", "determination", "released"),
    "after_the_fact": ("late", "kind"),
}


@dataclass(frozen=True)
class FlowTable:
    id: str
    rows_from: str
    row_attribute: str
    column_attribute: str
    title: str
    shows: str
    cannot_show: str
    only: tuple[tuple[str, str], ...] = ()  # count only rows with these values


FLOW_TABLES: tuple[FlowTable, ...] = (
    FlowTable(
        "flow_items_by_category_and_outcome",
        "items",
        "category",
        "item_outcome",
        "Items by record category and outcome",
        "Each student's record category asked for, and whether it left the district.",
        "It cannot show which fields of a category were released, nor anything about one child.",
    ),
    FlowTable(
        "flow_items_released_by_category_and_requester",
        "items",
        "category",
        "requester_kind",
        "Items released, by record category and requester kind",
        "What left the district, and to whom.",
        "It cannot show what the recipient did with the records afterwards.",
        only=(("item_outcome", "released"),),
    ),
    FlowTable(
        "flow_school_police_records_by_requester",
        "items",
        "requester_kind",
        "item_outcome",
        "School police unit records, by requester kind and outcome",
        "Reports of the school police unit asked for, and whether they left, by who asked.",
        "It cannot show records the school police unit shared outside this system.",
        only=(("category", "law_enforcement_unit"),),
    ),
    FlowTable(
        "flow_incidents_by_school_and_classification",
        "incidents",
        "school",
        "classification",
        "Incident reports by school and classification",
        "Incident reports recorded in the period, as school discipline or as school police unit records.",
        "It cannot show incidents nobody recorded in this system.",
    ),
    FlowTable(
        "flow_incidents_reaching_outside",
        "incidents",
        "classification",
        "reached",
        "Incident reports that reached an outside party",
        "Whether an incident report left the school: released on a request or routed as a weapon report.",
        "It counts a report once however many parties it reached, and only releases recorded here.",
    ),
    FlowTable(
        "flow_weapon_reports",
        "incidents",
        "classification",
        "weapon_routed",
        "Weapon reports routed under c.71 s.37L",
        "Incident reports filed with the recipients M.G.L. c.71 s.37L names.",
        "It cannot show what the recipients did with the reports.",
    ),
    FlowTable(
        "flow_refusals",
        "requests",
        "refusal",
        "outcome",
        "Requests refused because of onward sharing or immigration",
        "Requests refused because the records would go on to a fusion center, a gang database or "
        "immigration enforcement, and other immigration-related refusals.",
        "It cannot show requests the district never received.",
    ),
    FlowTable(
        "flow_emergencies_by_determination",
        "emergencies",
        "determination",
        "released",
        "Emergency requests by the district's determination",
        "Requests stating an emergency, whether the district found the emergency real or declined it, and "
        "whether anything was released.",
        "It cannot show whether the threat was real, only what the district found.",
    ),
    FlowTable(
        "flow_emergencies_by_duration",
        "emergencies",
        "duration",
        "released",
        "Emergency requests by how long the emergency lasted",
        "How long the emergencies the requesters stated were to last, from receipt.",
        "It shows the length the requester stated, not how long the danger lasted.",
    ),
    FlowTable(
        "flow_after_the_fact_lateness",
        "after_the_fact",
        "kind",
        "late",
        "Disclosures recorded after the fact, and how many late",
        "Disclosures school staff made first and recorded afterwards; late means after 48 hours.",
        "It cannot show disclosures that were never recorded.",
    ),
    FlowTable(
        "flow_time_to_decision",
        "requests",
        "business_days",
        "decision",
        "Time to decision and share decided within the deadline",
        "Business days from receipt to the district's decision, and whether it met the deadline.",
        "It cannot show how long the records took to reach the requester after the decision.",
    ),
)


# Reading the period's rows from the database -------------------------------------------------------------


def _item_outcome(state: str) -> str:
    if state == ItemState.RELEASED:
        return "released"
    if state in (ItemState.REFUSED, ItemState.DENIED, ItemState.UNIDENTIFIED):
        return "not_released"
    return "pending"


def _refusal(rules: list[str], onward: set[str], refused: bool) -> str:
    if not refused:
        return "none"
    if ({"F1", "F2"} & set(rules)) and onward & ONWARD_REFUSED:
        return "onward_sharing"
    if {"F1", "F3"} & set(rules):
        return "immigration"
    return "other_refusal"


def _days_bucket(days: int) -> str:
    if days <= 2:
        return "0-2"
    if days <= 5:
        return "3-5"
    if days <= 10:
        return "6-10"
    return "11+"


def _duration(length: dt.timedelta) -> str:
    hours = length.total_seconds() / 3600
    if hours <= 4:
        return "up_to_4h"
    if hours <= 24:
        return "4h_to_1d"
    if hours <= 72:
        return "1d_to_3d"
    return "over_3d"


def collect_rows(period: Period) -> dict[str, list[dict[str, Any]]]:
    """The period's rows before generalization (never published as such: see `publishable_rows`)."""
    zone = district_zone()
    in_period = Q(received_at__gte=period.utc_start, received_at__lt=period.utc_end)
    requests = list(
        Request.objects.filter(in_period)
        .order_by("received_at", "pk")
        .values(
            "pk",
            "requester_kind",
            "disposition",
            "received_at",
            "decided_at",
            "decision_due_at",
            "emergency_threat",
            "emergency_ends_at",
            "document__onward_recipients",
        )
    )
    items = list(
        Item.objects.filter(
            request__received_at__gte=period.utc_start, request__received_at__lt=period.utc_end
        )
        .order_by("request__received_at", "pk")
        .values("request_id", "category", "state", "rules", "request__requester_kind")
    )
    determinations: dict[Any, list[bool]] = {}
    for row in EmergencyDetermination.objects.filter(
        request__received_at__gte=period.utc_start, request__received_at__lt=period.utc_end
    ).values("request_id", "found"):
        determinations.setdefault(row["request_id"], []).append(row["found"])
    calendar = DistrictCalendar.load()

    rules_of: dict[Any, list[str]] = {}
    refused_items: dict[Any, bool] = {}
    released_any: dict[Any, bool] = {}
    for item in items:
        rules_of.setdefault(item["request_id"], []).extend(item["rules"] or [])
        if item["state"] in (ItemState.REFUSED, ItemState.DENIED):
            refused_items[item["request_id"]] = True
        if item["state"] == ItemState.RELEASED:
            released_any[item["request_id"]] = True

    request_rows: list[dict[str, Any]] = []
    emergency_rows: list[dict[str, Any]] = []
    for request in requests:
        onward = set(request["document__onward_recipients"] or [])
        decided = request["decided_at"]
        if decided is None:
            decision, days = "undecided", "undecided"
        else:
            received_day = timezone.localtime(request["received_at"], zone).date()
            decided_day = timezone.localtime(decided, zone).date()
            days = _days_bucket(calendar.business_days_between(received_day, decided_day))
            decision = "within_deadline" if decided <= request["decision_due_at"] else "after_deadline"
        request_rows.append(
            {
                GROUP: request["pk"],
                "requester_kind": request["requester_kind"],
                "outcome": request["disposition"],
                "refusal": _refusal(
                    rules_of.get(request["pk"], []), onward, refused_items.get(request["pk"], False)
                ),
                "decision": decision,
                "business_days": days,
            }
        )
        if request["emergency_threat"]:
            found = determinations.get(request["pk"], [])
            ends = request["emergency_ends_at"]
            emergency_rows.append(
                {
                    GROUP: request["pk"],
                    "determination": "found" if any(found) else ("declined" if found else "none"),
                    "released": "yes" if released_any.get(request["pk"]) else "no",
                    "duration": _duration(ends - request["received_at"]) if ends else "up_to_4h",
                }
            )

    item_rows = [
        {
            GROUP: item["request_id"],
            "category": item["category"],
            "requester_kind": item["request__requester_kind"],
            "item_outcome": _item_outcome(item["state"]),
        }
        for item in items
    ]
    return {
        "requests": request_rows,
        "items": item_rows,
        "incidents": _incident_rows(period),
        "emergencies": emergency_rows,
        "after_the_fact": [
            {"kind": row["kind"], "late": "yes" if row["late"] else "no"}
            for row in DisclosureEntry.objects.filter(
                kind__in=[key for key, _ in VALUES["kind"]],
                occurred_at__gte=period.utc_start,
                occurred_at__lt=period.utc_end,
            )
            .order_by("occurred_at", "pk")
            .values("kind", "late")
        ],
    }


def _incident_rows(period: Period) -> list[dict[str, str]]:
    """Incidents that occurred in the period. One reached an outside party when it was routed as a weapon
    report, or when a student who took part in it had that record category released after it was
    recorded (the record a packet carries is the student's incidents of that category)."""
    incidents = list(
        Incident.objects.filter(occurred_on__gte=period.start_date, occurred_on__lt=period.end_date)
        .order_by("occurred_on", "pk")
        .values("pk", "record_category", "school__name", "recorded_at")
    )
    ids = [incident["pk"] for incident in incidents]
    routed = set(WeaponRouting.objects.filter(incident_id__in=ids).values_list("incident_id", flat=True))
    responsible: dict[Any, list[Any]] = {}
    for row in IncidentStudent.objects.filter(
        incident_id__in=ids, role=StudentRole.RESPONSIBLE, student__isnull=False
    ).values("incident_id", "student_id"):
        responsible.setdefault(row["incident_id"], []).append(row["student_id"])
    students = {student for group in responsible.values() for student in group}
    released: dict[Any, list[tuple[dt.datetime, list[str]]]] = {}
    for entry in DisclosureEntry.objects.filter(student_id__in=students, kind=EntryKind.DISCLOSURE).values(
        "student_id", "occurred_at", "categories"
    ):
        released.setdefault(entry["student_id"], []).append((entry["occurred_at"], entry["categories"]))
    rows = []
    for incident in incidents:
        reached = incident["pk"] in routed or any(
            moment >= incident["recorded_at"] and incident["record_category"] in categories
            for student in responsible.get(incident["pk"], [])
            for moment, categories in released.get(student, [])
        )
        rows.append(
            {
                "classification": incident["record_category"],
                "school": incident["school__name"],
                "reached": "yes" if reached else "no",
                "weapon_routed": "yes" if incident["pk"] in routed else "no",
            }
        )
    return rows


# Generalization: no published combination is shared by fewer than 10 rows ---------------------------------


def generalize(rows: Sequence[dict[str, Any]], order: Sequence[str]) -> list[dict[str, str]]:
    """The rows with values withheld until each published combination is shared by at least 10 rows
    coming from at least 10 distinct requests (rows that carry no request, one each).

    For each attribute in `order`: the rows whose combination is rarer than 10 (distinct requests) lose that
    attribute's value ("withheld"). Rows that are common keep every value. Then, if fewer than 10 requests'
    rows are withheld in full (but some are), the fewest rows that make them 10 are withheld in full too:
    some of a common combination's requests when it keeps at least 10, else a whole small combination.
    The request a row came from is then dropped, and the rows are sorted so that their order tells nothing.
    """
    rows = [dict(row) for row in rows]
    for index, row in enumerate(rows):
        row.setdefault(GROUP, ("row", index))

    def key(row: dict[str, Any]) -> tuple[str, ...]:
        return tuple(row[attribute] for attribute in order)

    def groups() -> dict[tuple[str, ...], dict[Any, list[dict[str, Any]]]]:
        found: dict[tuple[str, ...], dict[Any, list[dict[str, Any]]]] = {}
        for row in rows:
            found.setdefault(key(row), {}).setdefault(row[GROUP], []).append(row)
        return found

    for attribute in order:
        sizes = {combination: len(members) for combination, members in groups().items()}
        rare = [row for row in rows if sizes[key(row)] < SMALLEST_GROUP]
        if not rare:
            break
        for row in rare:
            row[attribute] = WITHHELD
    full = tuple(WITHHELD for _ in order)

    def withhold(members: list[dict[str, Any]]) -> None:
        for row in members:
            for attribute in order:
                row[attribute] = WITHHELD

    found = groups()
    while 0 < len(found.get(full, {})) < SMALLEST_GROUP and len(found) > 1:
        need = SMALLEST_GROUP - len(found[full])
        # Each way to make up the difference, by how many rows it withholds: a whole combination, or
        # `need` requests of one that keeps at least 10 (and then a request already withheld counts once).
        options: list[tuple[int, tuple[str, ...], list[Any]]] = []
        for combination, members in found.items():
            if combination == full:
                continue
            options.append((sum(len(m) for m in members.values()), combination, list(members)))
            fresh = [g for g in members if g not in found[full]]
            if len(members) - need >= SMALLEST_GROUP and len(fresh) >= need:
                chosen = fresh[:need]
                options.append((sum(len(members[g]) for g in chosen), combination, chosen))
        _, combination, chosen = min(options, key=lambda option: (option[0], option[1]))
        for group in chosen:
            withhold(found[combination][group])
        found = groups()
    for row in rows:
        del row[GROUP]
    return sorted(rows, key=key)


def distinct_groups(rows: Sequence[dict[str, Any]]) -> int:
    return len({row.get(GROUP, ("row", index)) for index, row in enumerate(rows)})


def publishable_rows(raw: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The rows as published: each set generalized; a set of rows from fewer than 10 requests (or of 1 to
    9 rows) is not published at all (its count is itself a small cell: its tables say "fewer than 10")."""
    published: dict[str, Any] = {}
    for name, order in ROW_SETS.items():
        rows = raw.get(name, [])
        if rows and distinct_groups(rows) < SMALLEST_GROUP:
            published[name] = {"attributes": list(order), "published": False, "rows": []}
        else:
            published[name] = {"attributes": list(order), "published": True, "rows": generalize(rows, order)}
    return published


def union_rows(parts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A half-year's rows: exactly its quarters' published (already generalized) rows, together.

    Generalizing the half-year on its own would show combinations its quarters withheld (rare in each,
    common together), and the half-year less a quarter would give back the other quarter's rare rows.
    Together, the half-year less a quarter is the other quarter's published rows, nothing more. A set
    one quarter did not publish (fewer than 10 requests) is left out of the half-year too."""
    published: dict[str, Any] = {}
    for name, order in ROW_SETS.items():
        sets = [part[name] for part in parts if name in part]
        rows = [dict(row) for row_set in sets if row_set["published"] for row in row_set["rows"]]
        published[name] = {
            "attributes": list(order),
            "published": any(row_set["published"] for row_set in sets) or not sets,
            "rows": sorted(rows, key=lambda row: tuple(row[a] for a in order)),
        }
    return published


def rows_digest(rows: dict[str, Any]) -> str:
    """SHA-256 of the rows' canonical JSON (sorted keys, no spaces): the report names it."""
    return hashlib.sha256(canonical(rows)).hexdigest()


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


# Tables counted from the published rows -------------------------------------------------------------------


def _labelled(attribute: str, seen: set[str]) -> list[tuple[str, str]]:
    known = [(key, label) for key, label in VALUES[attribute] if attribute != "requester_kind" or key in seen]
    names = {key for key, _ in known}
    extra = sorted(value for value in seen if value not in names and value != WITHHELD)
    labels = [*known, *((value, humanize(value) if attribute != "school" else value) for value in extra)]
    if WITHHELD in seen:
        labels.append((WITHHELD, "Withheld"))
    return labels


def _cell(value: int, mark: Mark) -> dict[str, Any]:
    if mark is Mark.SHOWN:
        return {"value": value, "display": f"{value:,}", "suppressed": None}
    display = "fewer than 10" if mark is Mark.FEWER_THAN_10 else "withheld"
    return {"value": None, "display": display, "suppressed": mark.value}


def flow_table(spec: FlowTable, rows: dict[str, Any]) -> dict[str, Any]:
    """One flow table counted from the published rows, suppressed as every table of the report is."""
    row_set = rows[spec.rows_from]
    counted = [row for row in row_set["rows"] if all(row[a] == v for a, v in spec.only)]
    line_keys = _labelled(spec.row_attribute, {row[spec.row_attribute] for row in counted})
    column_keys = _labelled(spec.column_attribute, {row[spec.column_attribute] for row in counted})
    lines = {key: i for i, (key, _) in enumerate(line_keys)}
    columns = {key: i for i, (key, _) in enumerate(column_keys)}
    matrix = [[0] * len(column_keys) for _ in line_keys]
    for row in counted:
        matrix[lines[row[spec.row_attribute]]][columns[row[spec.column_attribute]]] += 1
    grid = extend(matrix, len(column_keys))
    marks = suppress_group([grid])[0]
    table: dict[str, Any] = {
        "id": spec.id,
        "title": spec.title,
        "shows": spec.shows,
        "cannot_show": spec.cannot_show,
        "measure": spec.rows_from,
        "rows_published": row_set["published"],
        "row_heading": HEADINGS[spec.row_attribute],
        "row_attribute": spec.row_attribute,
        "column_attribute": spec.column_attribute,
        "only": [list(pair) for pair in spec.only],
        "columns": [{"key": key, "label": label} for key, label in column_keys],
        "rows": [
            {
                "key": key,
                "label": label,
                "cells": [_cell(v, m) for v, m in zip(grid[i][:-1], marks[i][:-1], strict=True)],
                "total": _cell(grid[i][-1], marks[i][-1]),
            }
            for i, (key, label) in enumerate(line_keys)
        ],
        "totals": {
            "cells": [_cell(v, m) for v, m in zip(grid[-1][:-1], marks[-1][:-1], strict=True)],
            "total": _cell(grid[-1][-1], marks[-1][-1]),
        },
    }
    if not row_set["published"]:
        # Fewer than 10 rows in the set: none is published, and the table says only that.
        table["totals"]["total"] = _cell(0, Mark.FEWER_THAN_10)
    return table


def flow_tables(rows: dict[str, Any]) -> list[dict[str, Any]]:
    return [flow_table(spec, rows) for spec in FLOW_TABLES]


def flow_figures(
    period: Period, parts: Sequence[dict[str, Any]] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the flow part of the report's figures, the published rows) for `period`; a half-year passes its
    quarters' published rows as `parts` and publishes their union (`union_rows`)."""
    rows = union_rows(parts) if parts is not None else publishable_rows(collect_rows(period))
    return {
        "rows_sha256": rows_digest(rows),
        "smallest_group": SMALLEST_GROUP,
        "tables": flow_tables(rows),
    }, rows
