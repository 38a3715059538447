"""Transparency report over 1,000,000 requests and 5,000,000 items, on SQLite and on PostgreSQL, beside
DuckDB running the same aggregation on the same rows in the same run.

The parent writes the rows once as CSV files (deterministic, seeded): requests in the first half of 2025,
their named students, five items each, reviewer decisions, and after-the-fact entries. Each database
runs in its own subprocess with its own BRIGHTLINE_DATA_DIR and DATABASE_URL: migrate, load the CSV files
(executemany on SQLite, COPY on PostgreSQL through a throwaway server from scripts/run_tests.py), ANALYZE,
then time `report_publish` for 2025-H1 — the whole report: every GROUP BY, business days, suppression,
storing the published figures. DuckDB loads the same CSV files and runs the same SQL aggregations; its
figure is the aggregation only (no Python afterwards), so the ratio slightly flatters DuckDB.
Both sides' request counts by outcome must agree, or the benchmark fails.
"""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
ROOT = HERE.parent.parent
REQUESTS = int(os.environ.get("BENCH_TRANSPARENCY_REQUESTS", "1000000"))
ITEMS_PER_REQUEST = 5
AFTER_THE_FACT = 20_000
PERIOD = "2025-H1"
NULL = r"\N"
TARGETS = {"sqlite": 10.0, "postgresql": 5.0}

KINDS = (
    "municipal_police",
    "transit_police",
    "state_police",
    "federal_law_enforcement",
    "immigration_enforcement",
    "fusion_center",
    "prosecutor",
    "court",
    "probation",
    "juvenile_justice",
    "child_protective_services",
    "public_health",
    "school_official",
    "school_district",
    "military_recruiter",
    "college",
    "researcher",
    "media",
    "parent",
    "eligible_student",
    "other",
)
PURPOSES = (
    "criminal_investigation",
    "civil_immigration_enforcement",
    "health_safety_emergency",
    "child_abuse_investigation",
    "foster_care_case_plan",
    "juvenile_justice",
    "court_proceeding",
    "school_transfer",
    "recruitment",
    "research",
    "journalism",
    "educational_interest",
    "parent_access",
    "welfare_check",
    "other",
)
PROCESSES = (
    "none",
    "none",
    "none",
    "subpoena",
    "administrative_subpoena",
    "grand_jury_subpoena",
    "court_order",
    "judicial_warrant",
    "administrative_warrant",
)
CATEGORIES = ("directory", "contact", "enrollment", "attendance", "academic")

# Table name → columns, in CSV order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "casework_request": (
        "id",
        "reference",
        "agency_id",
        "agency_name",
        "requester_kind",
        "requester_name",
        "requester_position",
        "channel",
        "received_at",
        "purpose",
        "description",
        "identified_by",
        "legal_process_kind",
        "nondisclosure_order",
        "emergency_threat",
        "emergency_ends_at",
        "document",
        "policy_id",
        "policy_version",
        "policy_sha256",
        "state",
        "decision_due_at",
        "idempotency_body_sha256",
        "updated_at",
    ),
    "casework_requeststudent": (
        "id",
        "request_id",
        "position",
        "named",
        "match_state",
        "candidates",
        "facts",
        "matched_at",
    ),
    "casework_item": (
        "id",
        "request_id",
        "request_student_id",
        "position",
        "category",
        "outcome",
        "reviewer",
        "rules",
        "obligations",
        "explanation",
        "state",
        "approved_fields",
        "updated_at",
    ),
    "casework_decision": (
        "id",
        "item_id",
        "action",
        "lawful_basis",
        "rationale",
        "fields_removed",
        "decided_by_name",
        "decided_by_role",
        "decided_by_position",
        "decided_at",
    ),
    "disclosures_disclosureentry": (
        "id",
        "student_sis_id",
        "kind",
        "occurred_at",
        "recorded_at",
        "party_name",
        "party_position",
        "party_affiliation",
        "party_kind",
        "legitimate_interest",
        "lawful_basis",
        "categories",
        "fields",
        "outcome",
        "released_by_name",
        "released_by_position",
        "threat",
        "recipients",
        "details",
        "sealed",
        "withheld_from_family",
    ),
}

# Request outcome → (request state, item states of its five items), with its share of requests.
SHAPES = (
    (0.40, "released", ("released",) * 5),
    (0.12, "released", ("released", "released", "released", "refused", "denied")),
    (0.08, "closed", ("denied", "denied", "refused", "refused", "refused")),
    (0.20, "closed", ("refused",) * 5),
    (0.10, "in_review", ("released", "pending_review", "pending_review", "refused", "cleared")),
    (0.05, "ready", ("cleared",) * 5),
    (0.05, "awaiting_notice", ("awaiting_notice",) * 5),
)


def _ts(seconds: float) -> str:
    """UTC, as Django stores datetimes on SQLite and as PostgreSQL reads them in a UTC session."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds))


def generate(directory: Path) -> dict[str, int]:
    """Write the CSV files; return row counts."""
    rng = random.Random(20250101)
    start = 1735707600  # 2025-01-01 05:00 UTC, local midnight in Boston
    span = 180 * 86400
    files = {name: (directory / f"{name}.csv").open("w", newline="") for name in COLUMNS}
    writers = {name: csv.writer(handle, lineterminator="\n") for name, handle in files.items()}
    request_w, student_w = writers["casework_request"], writers["casework_requeststudent"]
    item_w, decision_w = writers["casework_item"], writers["casework_decision"]
    cumulative = []
    total = 0.0
    for share, state, states in SHAPES:
        total += share
        cumulative.append((total, state, states))
    student_id = item_id = decision_id = 0
    for number in range(1, REQUESTS + 1):
        request_id = f"{number:032x}"
        received = start + rng.random() * span
        kind_index = min(int(rng.expovariate(0.25)), len(KINDS) - 1)
        roll = rng.random()
        state, states = next((s, st) for limit, s, st in cumulative if roll <= limit or limit == total)
        emergency = rng.random() < 0.03
        process = PROCESSES[rng.randrange(len(PROCESSES))]
        request_w.writerow(
            (
                request_id,
                f"BL-25-{number:08d}",
                kind_index + 1,
                KINDS[kind_index],
                KINDS[kind_index],
                "Officer",
                "",
                "portal",
                _ts(received),
                PURPOSES[rng.randrange(len(PURPOSES))],
                "",
                "student_id",
                process,
                1 if process != "none" and rng.random() < 0.2 else 0,
                "Threat stated" if emergency else "",
                _ts(received + 6 * 3600) if emergency else NULL,
                "{}",
                "default",
                "1",
                "0" * 64,
                state,
                _ts(received + 14 * 86400),
                "",
                _ts(received),
            )
        )
        students = 1 if rng.random() < 0.8 else ITEMS_PER_REQUEST
        first_student = student_id + 1
        for position in range(students):
            student_id += 1
            student_w.writerow(
                (student_id, request_id, position, "{}", "matched", "[]", NULL, _ts(received + 60))
            )
        for position, item_state in enumerate(states):
            item_id += 1
            owner = first_student if students == 1 else first_student + position
            item_w.writerow(
                (
                    item_id,
                    request_id,
                    owner,
                    position,
                    CATEGORIES[position],
                    "refuse" if item_state == "refused" else "review",
                    "",
                    "[]",
                    "[]",
                    "",
                    item_state,
                    "[]",
                    _ts(received),
                )
            )
            if item_state in ("denied", "released", "awaiting_notice") and rng.random() < 0.5:
                decision_id += 1
                decision_w.writerow(
                    (
                        decision_id,
                        item_id,
                        "deny" if item_state == "denied" else "approve",
                        "",
                        "Reviewed.",
                        "[]",
                        "Sam Super",
                        "superintendent",
                        "Superintendent",
                        _ts(received + rng.random() * 20 * 86400),
                    )
                )
    entry_w = writers["disclosures_disclosureentry"]
    for number in range(1, AFTER_THE_FACT + 1):
        occurred = start + rng.random() * span
        abuse = rng.random() < 0.6
        entry_w.writerow(
            (
                number,
                f"S-{number}",
                "abuse_report" if abuse else "emergency",
                _ts(occurred),
                _ts(occurred + 3600),
                "Recipient",
                "",
                "Agency",
                "child_protective_services" if abuse else KINDS[rng.randrange(3)],
                "interest",
                "basis",
                "[]",
                "[]",
                "disclosed",
                "Staff",
                "",
                "" if abuse else "threat",
                "[]",
                "details" if abuse else "",
                0,
                1 if abuse else 0,
            )
        )
    for handle in files.values():
        handle.close()
    return {"requests": REQUESTS, "students": student_id, "items": item_id, "decisions": decision_id}


# The DuckDB side: the same aggregations as brightline/transparency/reports.py, written in SQL.
DUCK_OPEN = "('awaiting_match','in_review','awaiting_notice','ready')"
DUCK_OUTCOME = f"""
    CASE WHEN r.state IN {DUCK_OPEN} THEN 'pending'
         WHEN r.state = 'released' AND EXISTS (
             SELECT 1 FROM casework_item i WHERE i.request_id = r.id AND i.state <> 'released')
             THEN 'released_in_part'
         WHEN r.state = 'released' THEN 'released_in_full'
         WHEN EXISTS (SELECT 1 FROM casework_item i WHERE i.request_id = r.id AND i.state <> 'refused')
             THEN 'nothing_released'
         ELSE 'refused' END"""  # noqa: S608 (constants only)
DUCK_DIMENSIONS = """r.requester_kind, r.purpose, r.legal_process_kind, r.nondisclosure_order,
    (r.emergency_threat <> '' AND r.emergency_ends_at > r.received_at) AS emergency"""
DUCK_PERIOD = (
    "r.received_at >= TIMESTAMP '2025-01-01 05:00:00' AND r.received_at < TIMESTAMP '2025-07-01 04:00:00'"
)
DUCK_QUERIES = {
    "requests": f"""SELECT {DUCK_DIMENSIONS}, {DUCK_OUTCOME} AS outcome, count(*) AS n
        FROM casework_request r WHERE {DUCK_PERIOD} GROUP BY ALL""",  # noqa: S608
    "students": f"""SELECT {DUCK_DIMENSIONS}, {DUCK_OUTCOME} AS outcome, count(*) AS n
        FROM casework_requeststudent s JOIN casework_request r ON r.id = s.request_id
        WHERE {DUCK_PERIOD} GROUP BY ALL""",  # noqa: S608
    "decision_days": f"""SELECT
          CAST(timezone('America/New_York', r.received_at::TIMESTAMPTZ) AS DATE) AS received_day,
          CAST(timezone('America/New_York', greatest(
              coalesce((SELECT max(d.decided_at) FROM casework_decision d JOIN casework_item i ON i.id = d.item_id
                        WHERE i.request_id = r.id), r.received_at),
              coalesce((SELECT max(s.matched_at) FROM casework_requeststudent s WHERE s.request_id = r.id),
                       r.received_at),
              r.received_at)::TIMESTAMPTZ) AS DATE) AS decided_day,
          count(*) AS n
        FROM casework_request r
        WHERE {DUCK_PERIOD} AND r.state NOT IN ('awaiting_match', 'in_review') GROUP BY ALL""",  # noqa: S608
    "after_the_fact": """SELECT party_kind, kind, count(*) FROM disclosures_disclosureentry
        WHERE kind IN ('emergency', 'abuse_report')
          AND occurred_at >= TIMESTAMP '2025-01-01 05:00:00' AND occurred_at < TIMESTAMP '2025-07-01 04:00:00'
        GROUP BY ALL""",
}
DUCK_TYPES = {
    "id": "VARCHAR",
    "request_id": "VARCHAR",
    "nondisclosure_order": "BOOLEAN",
    "received_at": "TIMESTAMP",
    "emergency_ends_at": "TIMESTAMP",
    "matched_at": "TIMESTAMP",
    "decided_at": "TIMESTAMP",
    "occurred_at": "TIMESTAMP",
    "item_id": "BIGINT",
}


def duckdb_run(directory: Path) -> dict[str, Any]:
    import duckdb

    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    for table, columns in COLUMNS.items():
        types = {column: DUCK_TYPES.get(column, "VARCHAR") for column in columns}
        if table != "casework_request" and table != "casework_requeststudent":
            types["id"] = "BIGINT"
        connection.execute(
            f"CREATE TABLE {table} AS SELECT * FROM read_csv(?, header=false, nullstr=?, columns=?)",  # noqa: S608
            [str(directory / f"{table}.csv"), NULL, types],
        )
    started = time.perf_counter()
    results = {name: connection.execute(sql).fetchall() for name, sql in DUCK_QUERIES.items()}
    elapsed = time.perf_counter() - started
    outcomes: dict[str, int] = {}
    for row in results["requests"]:
        outcomes[row[5]] = outcomes.get(row[5], 0) + row[6]
    return {"seconds": elapsed, "outcomes": outcomes}


# The Django side, in a subprocess -----------------------------------------------------------------------


def _rows(path: Path) -> Iterator[list[Any]]:
    with path.open(newline="") as handle:
        for row in csv.reader(handle):
            yield [None if value == NULL else value for value in row]


def worker(directory: Path) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from brightline.agencies.models import Agency
    from brightline.transparency.periods import Period
    from brightline.transparency.reports import (
        after_the_fact_counts,
        decision_day_pairs,
        request_counts,
        student_counts,
    )
    from brightline.transparency.services import report_publish

    call_command("migrate", verbosity=0)
    for number, kind in enumerate(KINDS, start=1):
        agency = Agency.objects.create(name=kind, kind=kind, verified=True)
        assert agency.pk == number, "a fresh database numbers agencies from 1"
    load_started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table, columns in COLUMNS.items():
            names = ", ".join(f'"{c}"' for c in columns)
            path = directory / f"{table}.csv"
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT csv, NULL '\\N')") as copy:  # type: ignore[attr-defined]
                    with path.open("rb") as handle:
                        while chunk := handle.read(1 << 20):
                            copy.write(chunk)
            else:
                marks = ", ".join("?" for _ in columns)
                cursor.connection.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", _rows(path))  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    load_seconds = time.perf_counter() - load_started

    period = Period.parse(PERIOD)
    started = time.perf_counter()
    report = report_publish(period=period)
    first = time.perf_counter() - started
    outcomes: dict[str, int] = {}
    for row in request_counts(period):
        outcomes[row["outcome"]] = outcomes.get(row["outcome"], 0) + row["n"]
    parts = {}
    for query in (request_counts, student_counts, decision_day_pairs, after_the_fact_counts):
        part_started = time.perf_counter()
        query(period)
        parts[query.__name__] = round(time.perf_counter() - part_started, 2)
    return {
        "parts": parts,
        "vendor": connection.vendor,
        "seconds": first,
        "load_seconds": load_seconds,
        "outcomes": outcomes,
        "checkpoint_size": report.checkpoint_size,
    }


def _django(directory: Path, database_url: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="brightline-bench-transparency-") as data_dir:
        env = {**os.environ, "BRIGHTLINE_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "brightline.settings"}
        env.pop("DATABASE_URL", None)
        if database_url:
            env["DATABASE_URL"] = database_url
        completed = subprocess.run(
            [sys.executable, str(HERE), "worker", str(directory)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"transparency worker failed:\n{completed.stderr[-4000:]}")
        result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
        return result


def _row(result: dict[str, Any], duck: dict[str, Any], rows: dict[str, int]) -> dict[str, Any]:
    vendor = result["vendor"]
    if result["outcomes"] != duck["outcomes"]:
        raise AssertionError(f"{vendor} and DuckDB disagree: {result['outcomes']} vs {duck['outcomes']}")
    return {
        "name": f"transparency report {PERIOD}, {rows['requests']:,} requests / {rows['items']:,} items ({vendor})",
        "figure": round(result["seconds"], 2),
        "unit": "s",
        "comparison": "DuckDB, same aggregation SQL on the same rows (in memory)",
        "comparison_figure": round(duck["seconds"], 2),
        "ratio": round(result["seconds"] / duck["seconds"], 1),
        "target": f"<= {TARGETS[vendor]:g} s",
        "load_seconds": round(result["load_seconds"], 1),
        "queries_seconds": result["parts"],
    }


def _create_database(url: str) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')


def run() -> list[dict[str, Any]]:
    sys.path.insert(0, str(ROOT / "scripts"))
    from run_tests import postgres_bin_dir, throwaway_postgres

    with tempfile.TemporaryDirectory(prefix="brightline-bench-transparency-rows-") as tmp:
        directory = Path(tmp)
        rows = generate(directory)
        duck = duckdb_run(directory)
        results = [_row(_django(directory, None), duck, rows)]
        bin_dir = postgres_bin_dir()
        if bin_dir is not None:
            with throwaway_postgres(bin_dir) as url:
                _create_database(url)
                results.append(_row(_django(directory, url), duck, rows))
        return results


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "worker":
        print(json.dumps(worker(Path(sys.argv[2]))))
    else:
        for line in run():
            print(line)
