"""Roster import at district scale: a generated 100,000-student OneRoster bundle.

Targets (issue 2): the import finishes in under 60 s with peak memory under 1 GB, and its speed is at
least 0.3 of loading the same rows through the database's own bulk path (the driver's executemany after
a minimal CSV read, with no checks), measured in the same run on the same machine. Each load runs in its
own process against its own fresh SQLite database, so peak memory (ru_maxrss) is that load's alone.

`python bench/bench_roster_import.py` runs it on its own; `BENCH_ROSTER_STUDENTS` changes the size.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

STUDENTS = int(os.environ.get("BENCH_ROSTER_STUDENTS", "100000"))
SECONDS_TARGET = 60.0
MEMORY_TARGET_MB = 1024.0
RATIO_TARGET = 0.3


def _django(data_dir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "brightline.settings"
    os.environ["BRIGHTLINE_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _import(bundle: Path) -> dict[str, Any]:
    from brightline.roster.models import Student
    from brightline.roster.services import roster_import

    started = time.perf_counter()
    summary = roster_import(directory=bundle)
    seconds = time.perf_counter() - started
    again_started = time.perf_counter()
    again = roster_import(directory=bundle)
    again_seconds = time.perf_counter() - again_started
    assert Student.objects.count() == summary.students.created == STUDENTS
    assert again.students.unchanged == STUDENTS
    return {
        "seconds": seconds,
        "reimport_seconds": again_seconds,
        "students": summary.students.created,
        "guardians": summary.guardians.created,
        "links": summary.relationships.created,
    }


def _executemany(bundle: Path) -> dict[str, Any]:
    """The same rows into the same tables with nothing but csv.reader and cursor.executemany."""
    from django.db import connection, transaction

    from brightline.roster.models import name_key

    def rows(name: str) -> Any:
        with (bundle / name).open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            for row in reader:
                yield dict(zip(header, row, strict=True))

    started = time.perf_counter()
    births = {row["sourcedId"]: row["birthDate"] or None for row in rows("demographics.csv")}
    enrolled: dict[str, tuple[str, str]] = {}
    for row in rows("enrollments.csv"):
        if row["role"] == "student":
            first, last = enrolled.get(row["userSourcedId"], (row["beginDate"], row["endDate"]))
            enrolled[row["userSourcedId"]] = (min(first, row["beginDate"]), max(last, row["endDate"]))
    extension: dict[str, dict[str, str]] = {}
    for row in rows("brightline_extension.csv"):
        if not row["studentSourcedId"]:
            extension[row["sourcedId"]] = row
    with transaction.atomic(), connection.cursor() as cursor:
        schools = [
            (r["sourcedId"], r["name"], r["identifier"], "", "active")
            for r in rows("orgs.csv")
            if r["type"] == "school"
        ]
        cursor.executemany(
            "INSERT INTO roster_school (sourced_id, name, identifier, address, status) VALUES (%s, %s, %s, %s, %s)",
            schools,
        )
        cursor.execute("SELECT sourced_id, id FROM roster_school")
        school_pk = dict(cursor.fetchall())
        students: list[tuple[Any, ...]] = []
        guardians: list[tuple[Any, ...]] = []
        links: list[tuple[str, str, str]] = []
        for row in rows("users.csv"):
            sid, ext = row["sourcedId"], extension.get(row["sourcedId"], {})
            if row["role"] == "student":
                begin, end = enrolled.get(sid, (None, None))
                students.append(
                    (sid, row["identifier"] or sid, row["givenName"], row["middleName"], row["familyName"],
                     name_key(row["givenName"]), name_key(row["familyName"]), births.get(sid), row["grades"],
                     school_pk.get(row["orgSourcedIds"]), begin, end, ext.get("directoryOptOut") == "true",
                     ext.get("fosterCare") == "true", ext.get("missingChildFlag") == "true",
                     ext.get("adjudicated") == "true", "active")
                )  # fmt: skip
            elif row["role"] in ("parent", "guardian", "relative"):
                guardians.append(
                    (sid, row["givenName"], row["middleName"], row["familyName"], ext.get("preferredLanguage") or "en",
                     row["email"], row["phone"], ext.get("address1", ""), ext.get("address2", ""), ext.get("city", ""),
                     ext.get("state", ""), ext.get("postalCode", ""), "active")
                )  # fmt: skip
                links.extend(
                    (child, sid, row["role"]) for child in row["agentSourcedIds"].split(",") if child
                )
        cursor.executemany(
            "INSERT INTO roster_student (sourced_id, sis_id, first_name, middle_name, last_name, first_name_key,"
            " last_name_key, birth_date, grade, school_id, enrolled_on, enrollment_ends_on, directory_opt_out,"
            " foster_care, missing_child_flag, adjudicated, status)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            students,
        )
        cursor.executemany(
            "INSERT INTO roster_guardian (sourced_id, first_name, middle_name, last_name, preferred_language, email,"
            " phone, address_line1, address_line2, city, state, postal_code, status)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            guardians,
        )
        cursor.execute("SELECT sourced_id, id FROM roster_student")
        student_pk = dict(cursor.fetchall())
        cursor.execute("SELECT sourced_id, id FROM roster_guardian")
        guardian_pk = dict(cursor.fetchall())
        cursor.executemany(
            "INSERT INTO roster_guardianrelationship (student_id, guardian_id, relationship, has_notice_rights,"
            " is_custodial) VALUES (%s, %s, %s, %s, %s)",
            [(student_pk[child], guardian_pk[guardian], role, True, True) for child, guardian, role in links],
        )
    return {"seconds": time.perf_counter() - started, "students": len(students), "guardians": len(guardians)}


def _child(mode: str, bundle: Path, data_dir: Path) -> None:
    _django(data_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    before = _peak_mb()
    result = _import(bundle) if mode == "import" else _executemany(bundle)
    result["peak_mb"] = _peak_mb()
    result["peak_mb_before"] = before
    print(json.dumps(result))


def _run_child(mode: str, bundle: Path, work: Path) -> dict[str, Any]:
    data_dir = work / f"data-{mode}"
    data_dir.mkdir()
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    done = subprocess.run(
        [sys.executable, __file__, "child", mode, str(bundle), str(data_dir)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{mode} run failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run() -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="brightline-bench-roster-") as tmp:
        work = Path(tmp)
        bundle = work / "bundle"
        generator = (
            "import sys, django; django.setup();"
            "from pathlib import Path; from brightline.demo.synthetic import write_synthetic_bundle;"
            "write_synthetic_bundle(Path(sys.argv[1]), students=int(sys.argv[2]), seed=2026)"
        )
        env = dict(
            os.environ, DJANGO_SETTINGS_MODULE="brightline.settings", BRIGHTLINE_DATA_DIR=str(work / "gen")
        )
        env.pop("DATABASE_URL", None)
        subprocess.run([sys.executable, "-c", generator, str(bundle), str(STUDENTS)], env=env, check=True)
        baseline = _run_child("executemany", bundle, work)
        imported = _run_child("import", bundle, work)
    ratio = baseline["seconds"] / imported["seconds"]
    size = f"{STUDENTS:,} students, {imported['guardians']:,} guardians, {imported['links']:,} links"
    return [
        {
            "name": f"roster import ({size})",
            "figure": round(imported["seconds"], 2),
            "unit": "s",
            "comparison": "same rows via csv.reader + executemany, no checks",
            "comparison_figure": round(baseline["seconds"], 2),
            "ratio": round(ratio, 3),
            "target": f"< {SECONDS_TARGET:.0f} s and ratio >= {RATIO_TARGET}",
        },
        {
            "name": "roster import peak memory (process RSS)",
            "figure": round(imported["peak_mb"], 1),
            "unit": "MB",
            "comparison": "executemany load, peak RSS",
            "comparison_figure": round(baseline["peak_mb"], 1),
            "ratio": round(baseline["peak_mb"] / imported["peak_mb"], 3),
            "target": f"< {MEMORY_TARGET_MB:.0f} MB",
        },
        {
            "name": "roster re-import of the same bundle (nothing changes)",
            "figure": round(imported["reimport_seconds"], 2),
            "unit": "s",
            "comparison": "first import",
            "comparison_figure": round(imported["seconds"], 2),
            "ratio": round(imported["seconds"] / imported["reimport_seconds"], 3),
            "target": "faster than the first import",
        },
    ]


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "child":
        _child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        for row in run():
            print(json.dumps(row))
