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
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
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
from brightline.transparency.periods import Period
from brightline.transparency.suppression import Mark, extend, suppress_group
from brightline.vocabulary import CATEGORIES, LEGAL_PROCESS_KINDS, PURPOSES, REQUESTER_KINDS

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
    # The request and student tables (published since method 4 from rows too).
    "purpose": tuple((p, humanize(p)) for p in PURPOSES),
    "legal_process": tuple(
        (k, "No legal process" if k == "none" else humanize(k)) for k in LEGAL_PROCESS_KINDS
    ),
    "nondisclosure_order": (("true", "Yes"), ("false", "No")),
    "emergency": (("true", "Yes"), ("false", "No")),
    "recipient_kind": tuple((k, humanize(k)) for k in REQUESTER_KINDS),
    "business_days_exact": (),  # whole numbers of business days, or ranges of them ("3-5"), as found
    # Reconsiderations (casework/reconsideration.py).
    "reconsideration": (
        ("upheld", "Upheld"),
        ("reopened", "Reopened for a new decision"),
        ("pending", "Not yet decided"),
    ),
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
    "purpose": "Purpose",
    "legal_process": "Legal process",
    "nondisclosure_order": "Under a non-disclosure order",
    "emergency": "Emergency stated and active when received",
    "recipient_kind": "Recipient kind",
    "business_days_exact": "Business days to a decision",
    "reconsideration": "Counsel's decision",
}

# Each set of rows: its attributes in the order they are withheld from a rare row (first withheld first).
DIMENSIONS = ("requester_kind", "purpose", "legal_process", "nondisclosure_order", "emergency")
ROW_SETS: dict[str, tuple[str, ...]] = {
    "requests": ("business_days", "decision", "requester_kind", "refusal", "outcome"),
    "items": ("requester_kind", "item_outcome", "category"),
    "incidents": ("school", "weapon_routed", "reached", "classification"),
    "emergencies": ("duration", "determination", "released"),
    "after_the_fact": ("late", "kind"),
    # The ten tables of requests and students: one set per way of breaking them down (a projection of
    # each request, or each named student, on that dimension and the request's outcome).
    **{f"requests_by_{dimension}": (dimension, "outcome") for dimension in DIMENSIONS},
    **{f"students_by_{dimension}": (dimension, "outcome") for dimension in DIMENSIONS},
    "after_the_fact_by_recipient": ("recipient_kind", "kind"),
    "decision_days": ("business_days_exact",),
    "reconsiderations_asked": ("requester_kind", "reconsideration"),
    "reconsiderations_decided": ("requester_kind", "reconsideration"),
}
# Attributes a set never withholds on its own: they are generalized once for the whole period (a
# request's outcome, an after-the-fact entry's kind) and every set shows the same value for the same
# record, so the totals two sets share are the same numbers and their difference gives nothing back.
FIXED: dict[str, tuple[str, ...]] = {
    "requests": ("outcome",),
    **{f"requests_by_{dimension}": ("outcome",) for dimension in DIMENSIONS},
    **{f"students_by_{dimension}": ("outcome",) for dimension in DIMENSIONS},
    "after_the_fact": ("kind",),
    "after_the_fact_by_recipient": ("kind",),
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
    # Attributes whose lines (or columns) are only the values found (else every value, zeros included),
    # and values shown even when not found.
    seen_only: tuple[str, ...] = ("requester_kind",)
    always: tuple[str, ...] = ()
    # What the table counts ("requests", "students", "entries"; the set's name when not given) and the
    # tables whose totals row is the same numbers, suppressed together.
    measure: str = ""
    group: str = ""


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
    FlowTable(
        "flow_reconsiderations_asked",
        "reconsiderations_asked",
        "requester_kind",
        "reconsideration",
        "Reconsiderations asked, by requester kind and counsel's decision",
        "Requests for reconsideration of refused items asked in the period, by who asked, and what counsel "
        "decided: upheld, reopened for a new decision, or not yet decided when the report was published.",
        "It cannot show counsel's reasons, which items were asked about, or what a reopened item became.",
    ),
    FlowTable(
        "flow_reconsiderations_decided",
        "reconsiderations_decided",
        "requester_kind",
        "reconsideration",
        "Reconsiderations decided, by requester kind and counsel's decision",
        "Reconsiderations counsel decided in the period, whenever they were asked, by who asked.",
        "It cannot show counsel's reasons, nor reconsiderations still waiting for counsel.",
    ),
)

# The ten tables of requests and students and the after-the-fact table, counted from their own sets
# (method 4; before, exact counts from the database that nobody could recount).
REQUEST_HEADINGS = {
    "requester_kind": "requester kind",
    "purpose": "purpose",
    "legal_process": "legal process",
    "nondisclosure_order": "under a non-disclosure order",
    "emergency": "emergency stated and active when received",
}
REPORT_TABLES: tuple[FlowTable, ...] = (
    *(
        FlowTable(
            f"{measure}_by_{'legal_process' if dimension == 'legal_process' else dimension}",
            f"{measure}_by_{dimension}",
            dimension,
            "outcome",
            f"{noun} by {REQUEST_HEADINGS[dimension]} and outcome",
            "",
            "",
            seen_only=(),
            measure=measure,
            group=measure,
        )
        for measure, noun in (("requests", "Requests"), ("students", "Students named in requests"))
        for dimension in DIMENSIONS
    ),
    FlowTable(
        "after_the_fact_entries",
        "after_the_fact_by_recipient",
        "recipient_kind",
        "kind",
        "Disclosures recorded after the fact, by recipient",
        "",
        "",
        seen_only=("recipient_kind",),
        always=("child_protective_services",),
        measure="entries",
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
            "purpose",
            "legal_process_kind",
            "nondisclosure_order",
        )
    )
    named: dict[Any, int] = {}
    for request_id in RequestStudent.objects.filter(
        request__received_at__gte=period.utc_start, request__received_at__lt=period.utc_end
    ).values_list("request_id", flat=True):
        named[request_id] = named.get(request_id, 0) + 1
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
    projections: dict[str, list[dict[str, Any]]] = {
        f"{measure}_by_{dimension}": [] for measure in ("requests", "students") for dimension in DIMENSIONS
    }
    decision_days: list[dict[str, Any]] = []
    for request in requests:
        onward = set(request["document__onward_recipients"] or [])
        decided = request["decided_at"]
        if decided is None:
            decision, days = "undecided", "undecided"
        else:
            received_day = timezone.localtime(request["received_at"], zone).date()
            decided_day = timezone.localtime(decided, zone).date()
            exact = calendar.business_days_between(received_day, decided_day)
            days = _days_bucket(exact)
            decision = "within_deadline" if decided <= request["decision_due_at"] else "after_deadline"
            decision_days.append({GROUP: request["pk"], "business_days_exact": str(exact)})
        ends = request["emergency_ends_at"]
        values = {
            "requester_kind": request["requester_kind"],
            "purpose": request["purpose"],
            "legal_process": request["legal_process_kind"],
            "nondisclosure_order": "true" if request["nondisclosure_order"] else "false",
            "emergency": "true"
            if request["emergency_threat"] and ends is not None and ends > request["received_at"]
            else "false",
        }
        for dimension in DIMENSIONS:
            projected: dict[str, Any] = {
                GROUP: request["pk"],
                dimension: values[dimension],
                "outcome": request["disposition"],
            }
            projections[f"requests_by_{dimension}"].append(projected)
            projections[f"students_by_{dimension}"].extend(
                dict(projected) for _ in range(named.get(request["pk"], 0))
            )
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
    entries = list(
        DisclosureEntry.objects.filter(
            kind__in=[key for key, _ in VALUES["kind"]],
            occurred_at__gte=period.utc_start,
            occurred_at__lt=period.utc_end,
        )
        .order_by("occurred_at", "pk")
        .values("pk", "kind", "late", "party_kind")
    )
    return {
        "requests": request_rows,
        "items": item_rows,
        "incidents": _incident_rows(period),
        "emergencies": emergency_rows,
        "after_the_fact": [
            {GROUP: ("entry", row["pk"]), "kind": row["kind"], "late": "yes" if row["late"] else "no"}
            for row in entries
        ],
        **projections,
        "after_the_fact_by_recipient": [
            {GROUP: ("entry", row["pk"]), "recipient_kind": row["party_kind"], "kind": row["kind"]}
            for row in entries
        ],
        "decision_days": decision_days,
        **_reconsideration_rows(period),
    }


def _reconsideration_rows(period: Period) -> dict[str, list[dict[str, Any]]]:
    """Reconsiderations asked in the period (by `asked_at`, with counsel's decision as it stands at
    publication) and decided in the period (by `decided_at`), by the request's requester kind. Counsel's
    reasons are never read."""
    fields = ("request_id", "request__requester_kind", "outcome")
    asked = Reconsideration.objects.filter(asked_at__gte=period.utc_start, asked_at__lt=period.utc_end)
    decided = Reconsideration.objects.filter(
        decided_at__gte=period.utc_start, decided_at__lt=period.utc_end
    ).exclude(outcome=ReconsiderationOutcome.PENDING)

    def rows(found: Any) -> list[dict[str, Any]]:
        return [
            {
                GROUP: row["request_id"],
                "requester_kind": row["request__requester_kind"],
                "reconsideration": row["outcome"],
            }
            for row in found.order_by("pk").values(*fields)
        ]

    return {"reconsiderations_asked": rows(asked), "reconsiderations_decided": rows(decided)}


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


def _withhold(rows: list[dict[str, Any]], order: Sequence[str]) -> None:
    """Withhold values of `rows` (in place; each row carries its GROUP) until every combination of
    `order` is shared by at least 10 groups (see `generalize`)."""

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


def generalize(
    rows: Sequence[dict[str, Any]], order: Sequence[str], fixed: Sequence[str] = ()
) -> list[dict[str, str]]:
    """The rows with values withheld until each published combination is shared by at least 10 rows
    coming from at least 10 distinct requests (rows that carry no request, one each).

    For each attribute in `order`: the rows whose combination is rarer than 10 (distinct requests) lose that
    attribute's value ("withheld"). Rows that are common keep every value. Then, if fewer than 10 requests'
    rows are withheld in full (but some are), the fewest rows that make them 10 are withheld in full too:
    some of a common combination's requests when it keeps at least 10, else a whole small combination.
    Attributes in `fixed` were generalized for the whole period already (`fix_values`): they are never
    withheld here, and the rest is generalized within each of their combinations (each one of at least
    10 requests). The request a row came from is then dropped, and the rows are sorted so that their order
    tells nothing.
    """
    rows = [dict(row) for row in rows]
    for index, row in enumerate(rows):
        row.setdefault(GROUP, ("row", index))
    free = [attribute for attribute in order if attribute not in fixed]
    strata: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        strata.setdefault(tuple(row[attribute] for attribute in fixed), []).append(row)
    for stratum in strata.values():
        _withhold(stratum, free)
    for row in rows:
        del row[GROUP]
    return sorted(rows, key=lambda row: tuple(row[attribute] for attribute in order))


def fix_values(rows: Sequence[dict[str, Any]], attribute: str) -> dict[Any, str]:
    """The published value of `attribute` for each group (request, entry), generalized once for the whole
    period: a value shared by fewer than 10 groups is withheld, with the fewest others that make the
    withheld ones 10 (as `generalize`). Every set then shows the same value for the same group."""
    per_group = {row[GROUP]: row[attribute] for row in rows}
    single = [{GROUP: group, attribute: value} for group, value in per_group.items()]
    _withhold(single, [attribute])
    return {row[GROUP]: row[attribute] for row in single}


def bin_days(rows: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """Business days to a decision, one row per decided request, in ranges of consecutive values shared by at
    least 10 requests ("3" when one value is, "3-5" when it takes three; the last range joins the one
    before it when it is short): the median and 90th percentile are read from them."""
    values = sorted(int(row["business_days_exact"]) for row in rows)
    ranges: list[list[int]] = []
    for value in values:
        if ranges and (len(ranges[-1]) < SMALLEST_GROUP or value == ranges[-1][-1]):
            ranges[-1].append(value)
        else:
            ranges.append([value])
    if len(ranges) > 1 and len(ranges[-1]) < SMALLEST_GROUP:
        ranges[-2].extend(ranges.pop())
    published: list[dict[str, str]] = []
    for members in ranges:
        low, high = members[0], members[-1]
        label = str(low) if low == high else f"{low}-{high}"
        published.extend({"business_days_exact": label} for _ in members)
    return published


def day_range(label: str) -> tuple[int, int]:
    low, _, high = label.partition("-")
    return int(low), int(high or low)


def distinct_groups(rows: Sequence[dict[str, Any]]) -> int:
    return len({row.get(GROUP, ("row", index)) for index, row in enumerate(rows)})


def publishable_rows(raw: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The rows as published: each set generalized; a set of rows from fewer than 10 requests (or of 1 to
    9 rows) is not published at all (its count is itself a small cell: its tables say "fewer than 10").

    A request's outcome and an after-the-fact entry's kind are generalized once (`fix_values`) and shown
    alike in every set that holds them, so that the outcome totals the request and student tables share
    are the same numbers in each (as the totals row of a group of tables is one row)."""
    raw = {name: [dict(row) for row in raw.get(name, [])] for name in ROW_SETS}
    outcomes = fix_values(raw["requests"], "outcome")
    kinds = fix_values(raw["after_the_fact"], "kind")
    for name, fixed in FIXED.items():
        values = outcomes if "outcome" in fixed else kinds
        attribute = "outcome" if "outcome" in fixed else "kind"
        for row in raw[name]:
            row[attribute] = values[row[GROUP]]
    published: dict[str, Any] = {}
    for name, order in ROW_SETS.items():
        rows = raw[name]
        if rows and distinct_groups(rows) < SMALLEST_GROUP:
            published[name] = {"attributes": list(order), "published": False, "rows": []}
        elif name == "decision_days":
            published[name] = {"attributes": list(order), "published": True, "rows": bin_days(rows)}
        else:
            rows = generalize(rows, order, FIXED.get(name, ()))
            published[name] = {"attributes": list(order), "published": True, "rows": rows}
    return published


def union_rows(parts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A half-year's rows: exactly its quarters' published (already generalized) rows, together.

    Generalizing the half-year on its own would show combinations its quarters withheld (rare in each,
    common together), and the half-year less a quarter would give back the other quarter's rare rows.
    Together, the half-year less a quarter is the other quarter's published rows, nothing more. A set
    one quarter did not publish (fewer than 10 requests, or a set its method did not have yet) is left out
    of the half-year too."""
    published: dict[str, Any] = {}
    for name, order in ROW_SETS.items():
        sets = [part[name] for part in parts if name in part]
        rows = [dict(row) for row_set in sets if row_set["published"] for row in row_set["rows"]]
        published[name] = {
            "attributes": list(order),
            "published": len(sets) == len(parts) and (any(s["published"] for s in sets) or not sets),
            "rows": sorted(rows, key=lambda row: tuple(row[a] for a in order)),
        }
    return published


def rows_digest(rows: dict[str, Any]) -> str:
    """SHA-256 of the rows' canonical JSON (sorted keys, no spaces): the report names it."""
    return hashlib.sha256(canonical(rows)).hexdigest()


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


# Tables counted from the published rows -------------------------------------------------------------------


def _labelled(spec: FlowTable, attribute: str, seen: set[str]) -> list[tuple[str, str]]:
    known = [
        (key, label)
        for key, label in VALUES[attribute]
        if attribute not in spec.seen_only or key in seen or key in spec.always
    ]
    names = {key for key, _ in known}
    extra = sorted(value for value in seen if value not in names and value != WITHHELD)
    as_found = attribute in ("school", "business_days_exact")
    labels = [*known, *((value, value if as_found else humanize(value)) for value in extra)]
    if WITHHELD in seen:
        labels.append((WITHHELD, "Withheld"))
    return labels


def _cell(value: int, mark: Mark) -> dict[str, Any]:
    if mark is Mark.SHOWN:
        return {"value": value, "display": f"{value:,}", "suppressed": None}
    display = "fewer than 10" if mark is Mark.FEWER_THAN_10 else "withheld"
    return {"value": None, "display": display, "suppressed": mark.value}


def _layout(
    spec: FlowTable, rows: dict[str, Any]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[list[int]]]:
    """The lines, the columns and the extended grid (margins included) of a table, counted from the rows."""
    row_set = rows[spec.rows_from]
    counted = [row for row in row_set["rows"] if all(row[a] == v for a, v in spec.only)]
    line_keys = _labelled(spec, spec.row_attribute, {row[spec.row_attribute] for row in counted})
    column_keys = _labelled(spec, spec.column_attribute, {row[spec.column_attribute] for row in counted})
    lines = {key: i for i, (key, _) in enumerate(line_keys)}
    columns = {key: i for i, (key, _) in enumerate(column_keys)}
    matrix = [[0] * len(column_keys) for _ in line_keys]
    for row in counted:
        matrix[lines[row[spec.row_attribute]]][columns[row[spec.column_attribute]]] += 1
    return line_keys, column_keys, extend(matrix, len(column_keys))


def _table(
    spec: FlowTable,
    rows: dict[str, Any],
    layout: tuple[list[tuple[str, str]], list[tuple[str, str]], list[list[int]]],
    marks: list[list[Mark]],
) -> dict[str, Any]:
    line_keys, column_keys, grid = layout
    row_set = rows[spec.rows_from]
    table: dict[str, Any] = {
        "id": spec.id,
        "title": spec.title,
        "shows": spec.shows,
        "cannot_show": spec.cannot_show,
        "measure": spec.measure or spec.rows_from,
        "rows_from": spec.rows_from,
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


def tables_of(specs: Sequence[FlowTable], rows: dict[str, Any]) -> list[dict[str, Any]]:
    """The tables of `specs` counted from the published rows, each suppressed as every table of the report
    is (tables of one group together: they share their totals row). Every count of a published set is 0 or
    at least 10, so this only ever marks a set that was not published."""
    layouts = [_layout(spec, rows) for spec in specs]
    marks: dict[int, list[list[Mark]]] = {}
    groups: dict[str, list[int]] = {}
    for index, spec in enumerate(specs):
        groups.setdefault(spec.group or f"#{index}", []).append(index)
    for members in groups.values():
        for index, grid_marks in zip(members, suppress_group([layouts[i][2] for i in members]), strict=True):
            marks[index] = grid_marks
    return [_table(spec, rows, layouts[i], marks[i]) for i, spec in enumerate(specs)]


def flow_table(spec: FlowTable, rows: dict[str, Any]) -> dict[str, Any]:
    """One flow table counted from the published rows, suppressed as every table of the report is."""
    return tables_of([spec], rows)[0]


def flow_tables(rows: dict[str, Any]) -> list[dict[str, Any]]:
    return tables_of(FLOW_TABLES, rows)


def report_tables(rows: dict[str, Any]) -> list[dict[str, Any]]:
    """The ten request and student tables and the after-the-fact table, counted from their sets."""
    return tables_of(REPORT_TABLES, rows)


def share(table: dict[str, Any], row_key: str) -> dict[str, Any]:
    """A row's share of all requests, published only when both counts are published."""
    row = next(r for r in table["rows"] if r["key"] == row_key)
    part, whole = row["total"]["value"], table["totals"]["total"]["value"]
    if part is None or whole is None:
        return {"percent": None, "display": f"not published: {row['total']['display']} requests"}
    if whole == 0:
        return {"percent": None, "display": "no requests"}
    percent = round(100 * part / whole, 1)
    return {"percent": percent, "display": f"{percent}% ({part:,} of {whole:,} requests)"}


def time_to_decision(rows: dict[str, Any]) -> dict[str, Any]:
    """Median and 90th percentile (nearest rank) of business days to a decision, read from the published
    ranges of `decision_days`: each the range its rank falls in."""
    row_set = rows["decision_days"]
    ranked = sorted(
        (day_range(row["business_days_exact"]), row["business_days_exact"]) for row in row_set["rows"]
    )
    if not row_set["published"] or not ranked:
        return {
            "published": False,
            "median_business_days": None,
            "p90_business_days": None,
            "display": "not published: fewer than 10 decided requests"
            if not row_set["published"]
            else "no decided requests",
        }

    def nearest(share: float) -> str:
        label: str = ranked[max(1, math.ceil(share * len(ranked))) - 1][1]
        return label

    return {
        "published": True,
        "median_business_days": nearest(0.5),
        "p90_business_days": nearest(0.9),
        "display": None,
    }


def figures_from_rows(rows: dict[str, Any]) -> dict[str, Any]:
    """Every figure a report shows that is counted from its published rows: what `report verify` and the
    report page's check compute again."""
    tables = report_tables(rows)
    by_id = {table["id"]: table for table in tables}
    return {
        "outcomes": [{"key": key, "label": label} for key, label in VALUES["outcome"]],
        "tables": tables,
        "shares": {
            "nondisclosure_order": share(by_id["requests_by_nondisclosure_order"], "true"),
            "emergency": share(by_id["requests_by_emergency"], "true"),
        },
        "time_to_decision": time_to_decision(rows),
        "flows": {
            "rows_sha256": rows_digest(rows),
            "smallest_group": SMALLEST_GROUP,
            "tables": flow_tables(rows),
        },
    }


def period_rows(period: Period, parts: Sequence[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The published rows of `period`; a half-year passes its quarters' published rows as `parts` and
    publishes their union (`union_rows`)."""
    return union_rows(parts) if parts is not None else publishable_rows(collect_rows(period))


def method_spec() -> dict[str, Any]:
    """How every table is counted from the rows, for the report page's check in the browser (the same
    definitions `report verify` uses, read from the code, not from the published report)."""
    return {
        "smallest_group": SMALLEST_GROUP,
        "values": {name: [list(pair) for pair in values] for name, values in VALUES.items()},
        "headings": HEADINGS,
        "as_found": ["school", "business_days_exact"],
        "row_sets": {name: list(order) for name, order in ROW_SETS.items()},
        "report_tables": [_spec(spec) for spec in REPORT_TABLES],
        "flow_tables": [_spec(spec) for spec in FLOW_TABLES],
    }


def _spec(spec: FlowTable) -> dict[str, Any]:
    return {
        "id": spec.id,
        "rows_from": spec.rows_from,
        "row_attribute": spec.row_attribute,
        "column_attribute": spec.column_attribute,
        "title": spec.title,
        "shows": spec.shows,
        "cannot_show": spec.cannot_show,
        "only": [list(pair) for pair in spec.only],
        "seen_only": list(spec.seen_only),
        "always": list(spec.always),
        "measure": spec.measure or spec.rows_from,
        "group": spec.group,
    }
