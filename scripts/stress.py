"""Run the browser and concurrency tests again and again beside busy processes: `make test-stress`.

A test that waits for time instead of for a condition passes on a quiet machine and fails on a busy one.
This starts --load processes that keep the CPUs busy (pure loops, stopped at the end and never outliving
this script), runs the tests below --runs times on SQLite and on a throwaway PostgreSQL server, and
prints every test that failed in any run. Exit status is non-zero if one did.

    python scripts/stress.py                      # 5 runs × SQLite and PostgreSQL, 2 busy processes
    python scripts/stress.py --runs 2 --database sqlite --load 4 -- -k journeys

Each run's output and JUnit XML are kept under test-artifacts/stress/.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree  # noqa: S405 (pytest's own report, not outside input)
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from run_tests import postgres_bin_dir, throwaway_postgres

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ARTIFACTS = ROOT / "test-artifacts" / "stress"

# The tests whose outcome could depend on timing: the browser journeys, threads and processes racing
# for the same rows or the ledger's next number, a server killed mid-flight.
STRESS_TESTS = [
    "src/brightline/web/tests/browser",
    "src/brightline/casework/tests/test_concurrency.py",
    "src/brightline/ledger/tests/test_concurrency.py",
    "src/brightline/operations/tests/test_crash_and_backup.py",
]

# A busy process: a pure CPU loop that stops at its deadline or as soon as its parent is gone.
BUSY = """
import os, sys, time
parent, deadline = int(sys.argv[1]), time.monotonic() + float(sys.argv[2])
while time.monotonic() < deadline and os.getppid() == parent:
    for _ in range(200_000):
        pass
"""


@dataclass
class Outcome:
    runs: int = 0
    passed: int = 0
    skipped: int = 0
    failures: list[str] = field(default_factory=list)


@dataclass
class Run:
    database: str
    number: int
    seconds: float
    exit_code: int
    counts: dict[str, int]
    log: Path


@contextmanager
def busy_processes(count: int, limit_seconds: float) -> Iterator[None]:
    processes = [
        subprocess.Popen([sys.executable, "-c", BUSY, str(os.getpid()), str(limit_seconds)])  # noqa: S603
        for _ in range(count)
    ]
    try:
        yield
    finally:
        for process in processes:
            process.kill()
        for process in processes:
            process.wait()


def first_line(text: str | None) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[0][:160] if lines else ""


def read_report(junit: Path, results: dict[tuple[str, str], Outcome], database: str) -> dict[str, int]:
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):  # noqa: S314
        name = f"{case.get('classname', '')}::{case.get('name', '')}"
        outcome = results.setdefault((name, database), Outcome())
        outcome.runs += 1
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            counts["failed"] += 1
            outcome.failures.append(first_line(problem.get("message")) or first_line(problem.text))
        elif case.find("skipped") is not None:
            counts["skipped"] += 1
            outcome.skipped += 1
        else:
            counts["passed"] += 1
            outcome.passed += 1
    return counts


def run_once(
    env: dict[str, str],
    database: str,
    number: int,
    pytest_args: list[str],
    results: dict[tuple[str, str], Outcome],
) -> Run:
    slug = database.lower()
    junit = ARTIFACTS / f"{slug}-{number}.xml"
    log = ARTIFACTS / f"{slug}-{number}.log"
    junit.unlink(missing_ok=True)
    data_dir = tempfile.mkdtemp(prefix="brightline-stress-data-")
    command = [
        str(BIN / "pytest"),
        "-p",
        "no:cacheprovider",
        f"--junitxml={junit}",
        *STRESS_TESTS,
        *pytest_args,
    ]
    started = time.monotonic()
    with log.open("w") as output:
        exit_code = subprocess.call(  # noqa: S603
            command,
            cwd=ROOT,
            env=dict(env, BRIGHTLINE_DATA_DIR=data_dir),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    seconds = time.monotonic() - started
    shutil.rmtree(data_dir, ignore_errors=True)
    if junit.is_file():
        counts = read_report(junit, results, database)
    else:
        counts = {"passed": 0, "failed": 0, "skipped": 0}
    if exit_code != 0 and counts["failed"] == 0:
        # pytest stopped before or outside a test (collection, a crash, no tests): the run itself failed.
        outcome = results.setdefault((f"(the run itself: exit status {exit_code})", database), Outcome())
        outcome.runs += 1
        outcome.failures.append(f"see {log.relative_to(ROOT)}")
        counts["failed"] += 1
    return Run(database, number, seconds, exit_code, counts, log)


def report(runs: list[Run], results: dict[tuple[str, str], Outcome], total_runs: int) -> bool:
    print("\n=== stress runs ===")
    for run in runs:
        c = run.counts
        print(
            f"{run.database:<10} run {run.number}: {c['passed']} passed, {c['skipped']} skipped, "
            f"{c['failed']} failed in {run.seconds:.0f} s"
        )
    for database in sorted({run.database for run in runs}):
        mine = [run for run in runs if run.database == database]
        clean = sum(1 for run in mine if run.counts["failed"] == 0)
        minutes = sum(run.seconds for run in mine) / 60
        print(f"{database}: {clean} of {len(mine)} runs without a failure, {minutes:.1f} min")
    failed = {key: outcome for key, outcome in results.items() if outcome.failures}
    if not failed:
        databases = sorted({run.database for run in runs})
        tests = len({name for name, _ in results})
        print(f"\nEvery test passed in every run: {total_runs} runs × {', '.join(databases)}, {tests} tests.")
        return True
    print("\n=== tests that failed in any run ===")
    width = max(len(name) for name, _ in failed)
    print(f"{'test':<{width}}  {'database':<10}  failed  first failure")
    for (name, database), outcome in sorted(failed.items()):
        ratio = f"{len(outcome.failures)}/{outcome.runs}"
        print(f"{name:<{width}}  {database:<10}  {ratio:<6}  {outcome.failures[0]}")
    print(f"\nLogs and JUnit XML: {ARTIFACTS.relative_to(ROOT)}/")
    return False


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="runs on each database (default 5)")
    parser.add_argument("--load", type=int, default=2, help="busy processes beside the tests (default 2)")
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgres", "both"],
        default="both",
        help="where the tests run (default both; PostgreSQL needs its binaries)",
    )
    parser.add_argument(
        "--load-limit",
        type=float,
        default=4 * 3600,
        help="seconds after which a busy process stops by itself, should this script be killed (default 4 h)",
    )
    parser.add_argument("pytest_args", nargs="*", help="passed to pytest after --, e.g. -- -k journeys -x")
    options = parser.parse_args()

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    base_env = dict(os.environ, BRIGHTLINE_REQUIRE_BROWSER="1")
    base_env.pop("DATABASE_URL", None)
    results: dict[tuple[str, str], Outcome] = {}
    runs: list[Run] = []

    def repeat(env: dict[str, str], database: str) -> None:
        for number in range(1, options.runs + 1):
            print(f"{database} run {number}/{options.runs} ...", flush=True)
            run = run_once(env, database, number, options.pytest_args, results)
            runs.append(run)
            c = run.counts
            print(
                f"  {c['passed']} passed, {c['skipped']} skipped, {c['failed']} failed in {run.seconds:.0f} s"
            )

    bin_dir = postgres_bin_dir()
    if options.database in {"postgres", "both"} and bin_dir is None:
        print("PostgreSQL binaries not found: run with --database sqlite, or install them", flush=True)
        return 2
    started = time.monotonic()
    print(
        f"{options.load} busy process(es) beside the tests; output in {ARTIFACTS.relative_to(ROOT)}/",
        flush=True,
    )
    with busy_processes(options.load, options.load_limit):
        if options.database in {"sqlite", "both"}:
            repeat(base_env, "SQLite")
        if options.database in {"postgres", "both"} and bin_dir is not None:
            with throwaway_postgres(bin_dir) as url:
                repeat(dict(base_env, DATABASE_URL=url, BRIGHTLINE_REQUIRE_POSTGRES="1"), "PostgreSQL")
    passed = report(runs, results, options.runs)
    print(f"Total time: {(time.monotonic() - started) / 60:.1f} min")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
