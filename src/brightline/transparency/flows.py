"""The flow of a period: what left, to whom, and what the schools did, as published rows and the tables
counted from them.

A report publishes, beside its tables, the **rows** it counts: of requests, items (one student × one
record category), incident reports, requests stating an emergency, disclosures recorded after the fact
and the rest (`ROW_SETS`). A row holds categories and outcomes only (no name, no id, no date). Since
method 5 each set is published **counted**: each combination of values once, with how many records share
it (`[value, …, count]`), the same multiset as one row per record (methods 3 and 4) in a size that does
not grow with the district. Before they are published the rows are *generalized*: a combination shared
by fewer than 10 requests has its values replaced by "withheld", one attribute at a time in a fixed
order, until every combination that is published is shared by at least 10 (and the records withheld in
full are at least 10, or none). A reader can then single out no group smaller than 10, whatever table
they count from the rows.

The tables are counted **from the published rows** (`flow_tables(rows)`, `report_tables(rows)`), with
the report's small-cell suppression applied to each; so anyone holding the rows recomputes every figure
exactly (`verify.py`, `brightline report verify`). A value withheld from a row is counted as "Withheld"
in every table, in its own line, so totals still add up.

`collect.py` counts the rows in the database and `tallies.py` generalizes the counts; everything here is
a pure function of the published rows.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from brightline.disclosures.models import EntryKind
from brightline.transparency.suppression import Mark, extend, suppress_group
from brightline.transparency.tallies import SMALLEST_GROUP as SMALLEST_GROUP
from brightline.transparency.tallies import WITHHELD as WITHHELD
from brightline.transparency.tallies import counted_rows
from brightline.vocabulary import CATEGORIES, LEGAL_PROCESS_KINDS, PURPOSES, REQUESTER_KINDS

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


# The published rows' digest -------------------------------------------------------------------------------


def day_range(label: str) -> tuple[int, int]:
    low, _, high = label.partition("-")
    return int(low), int(high or low)


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
    counted = [
        (row, n) for row, n in counted_rows(rows[spec.rows_from]) if all(row[a] == v for a, v in spec.only)
    ]
    line_keys = _labelled(spec, spec.row_attribute, {row[spec.row_attribute] for row, _ in counted})
    column_keys = _labelled(spec, spec.column_attribute, {row[spec.column_attribute] for row, _ in counted})
    lines = {key: i for i, (key, _) in enumerate(line_keys)}
    columns = {key: i for i, (key, _) in enumerate(column_keys)}
    matrix = [[0] * len(column_keys) for _ in line_keys]
    for row, n in counted:
        matrix[lines[row[spec.row_attribute]]][columns[row[spec.column_attribute]]] += n
    return line_keys, column_keys, extend(matrix, len(column_keys))


def _table(
    spec: FlowTable,
    rows: dict[str, Any],
    layout: tuple[list[tuple[str, str]], list[tuple[str, str]], list[list[int]]],
    marks: list[list[Mark]],
) -> dict[str, Any]:
    line_keys, column_keys, grid = layout
    row_set = rows[spec.rows_from]
    marks = withheld_zeros(line_keys, column_keys, grid, marks)
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
        # Fewer than 10 rows in the set (or, in a half-year, a quarter that did not publish it): none is
        # published, no cell reads 0, and the table says only that.
        for line in [*table["rows"], table["totals"]]:
            line["cells"] = [_cell(0, Mark.WITHHELD) for _ in line["cells"]]
            line["total"] = _cell(0, Mark.WITHHELD)
        part = row_set.get("part_not_published")
        table["totals"]["total"] = _cell(0, Mark.WITHHELD if part else Mark.FEWER_THAN_10)
    return table


def withheld_zeros(
    line_keys: list[tuple[str, str]],
    column_keys: list[tuple[str, str]],
    grid: list[list[int]],
    marks: list[list[Mark]],
) -> list[list[Mark]]:
    """The marks, with every 0 that may hold withheld records marked withheld: a value's 0 is a true zero
    only when nothing of its line or column went to "Withheld" (its records, moved to the "Withheld" line
    or column, are not published under the value, so it does not read 0)."""
    width = len(column_keys)
    wl = next((i for i, (key, _) in enumerate(line_keys) if key == WITHHELD), None)
    wc = next((j for j, (key, _) in enumerate(column_keys) if key == WITHHELD), None)
    held_line = wl is not None and grid[wl][width] > 0
    held_column = wc is not None and grid[-1][wc] > 0
    if not held_line and not held_column:
        return marks
    out = [list(line) for line in marks]
    last = len(grid) - 1
    for i in range(len(grid)):
        for j in range(width + 1):
            if grid[i][j] or out[i][j] is not Mark.SHOWN or i == wl or j == wc:
                continue
            if i == last and j == width:
                continue
            may_hold = False
            if wl is not None and i != last:  # a value's line: its records may be in the Withheld line
                may_hold = grid[wl][j] > 0 or (wc is not None and j != width and grid[wl][wc] > 0)
            if wc is not None and j != width:  # a value's column: its records may be in the Withheld column
                may_hold = may_hold or grid[i][wc] > 0 or (wl is not None and i != last and grid[wl][wc] > 0)
            if may_hold:
                out[i][j] = Mark.WITHHELD
    return out


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
    held = next((r for r in table["rows"] if r["key"] == WITHHELD), None)
    if held is not None and held["total"]["value"] != 0:
        # Some requests' value was withheld: how many of them hold `row_key` is not published, so neither
        # is the share.
        return {"percent": None, "display": "not published: withheld requests"}
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
        (day_range(row["business_days_exact"]), row["business_days_exact"], n)
        for row, n in counted_rows(row_set)
    )
    total = sum(n for _, _, n in ranked)
    if not row_set["published"] or not total:
        return {
            "published": False,
            "median_business_days": None,
            "p90_business_days": None,
            "display": "no decided requests"
            if row_set["published"]
            else "not published: withheld requests"
            if row_set.get("part_not_published")
            else "not published: fewer than 10 decided requests",
        }

    def nearest(share: float) -> str:
        rank, seen = max(1, math.ceil(share * total)), 0
        for _, label, n in ranked:
            seen += n
            if seen >= rank:
                return str(label)
        raise ValueError("no decided requests")

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
