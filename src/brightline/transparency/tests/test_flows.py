"""The flow tables of a year built through the services, their suppression, and their recomputation from
the published rows against the checkpoint the report is bound to."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections import Counter
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from brightline.accounts.models import Role
from brightline.casework import services
from brightline.casework.calendar import district_zone
from brightline.disclosures.services import after_the_fact_record, packet_release
from brightline.incidents.models import ReportingUnit
from brightline.incidents.services import InvolvedStudent, incident_record, staff_school_assign
from brightline.ledger.services import checkpoint_sign
from brightline.testing import World, emergencies_found, make_user, request_body
from brightline.training.services import training_seed_completed
from brightline.transparency.exports import rows_document
from brightline.transparency.flows import SMALLEST_GROUP, WITHHELD, generalize
from brightline.transparency.periods import Period
from brightline.transparency.services import report_publish
from brightline.transparency.verify import checkpoint_problems, figures_problems

pytestmark = pytest.mark.django_db

YEAR = 2025


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(YEAR, month, day, hour, tzinfo=district_zone())


def submit(agency: Any, user: Any, body: dict[str, Any]) -> Any:
    return services.request_submit(agency=agency, document=body, channel="portal", submitted_by=user).request


def table(figures: dict[str, Any], table_id: str) -> dict[str, Any]:
    return next(t for t in figures["flows"]["tables"] if t["id"] == table_id)


def cell(found: dict[str, Any], line: str, column: str) -> dict[str, Any]:
    keys = [c["key"] for c in found["columns"]]
    row = found["totals"] if line == "total" else next(r for r in found["rows"] if r["key"] == line)
    return row["total"] if column == "total" else row["cells"][keys.index(column)]


def value(found: dict[str, Any], line: str, column: str) -> int | None:
    shown: int | None = cell(found, line, column)["value"]
    return shown


def quarter_one(world: World, officer: Any) -> None:
    """12 immigration refusals, 10 fusion-center onward refusals, 10 abuse investigations released in full,
    10 denials, 10 school discipline incidents and 10 school police incidents with a weapon, 10 abuse
    reports and 1 emergency disclosure recorded late (rare: withheld with the abuse reports)."""
    with time_machine.travel(at(2, 3), tick=False):
        for _ in range(12):
            submit(world.ice, world.immigration_officer, request_body(world.alice, categories=["contact"]))
        for _ in range(10):
            body = request_body(world.ben, categories=["attendance"], onward_recipients=["fusion_center"])
            submit(world.police, world.detective, body)
        for _ in range(10):
            body = request_body(
                world.alice, purpose="child_abuse_investigation", categories=["directory", "attendance"]
            )
            request = submit(world.dcf, world.dcf_investigator, body)
            packet_release(request_id=request.pk, released_by=world.clerk)
        for _ in range(10):
            request = submit(
                world.police, world.detective, request_body(world.carla, categories=["academic"])
            )
            item = request.items.get()
            services.item_decide(
                item_id=item.pk, reviewer=world.superintendent, action="deny", rationale="No basis."
            )
        for n in range(10):
            incident_record(
                recorded_by=world.principal,
                school=world.school,
                occurred_on=dt.date(YEAR, 1, 10 + n),
                summary="A fight in the hallway",
                description="Two students pushed each other near the lockers.",
                conduct=["fight"],
                felony=False,
                students=[InvolvedStudent(student_id=world.ben.sis_id, role="responsible")],
            )
            incident_record(
                recorded_by=officer,
                school=world.school,
                occurred_on=dt.date(YEAR, 1, 10 + n),
                summary="A knife found in a bag",
                description="A student brought a folding knife to school.",
                conduct=["weapon"],
                felony=True,
                purpose="law_enforcement",
                students=[
                    InvolvedStudent(student_id=world.carla.sis_id, role="responsible", possessed_weapon=True)
                ],
            )
        for _ in range(10):
            after_the_fact_record(
                student=world.alice,
                kind="abuse_report",
                disclosed_at=at(2, 2),
                recipient_name="Intake worker",
                recipient_position="Screener",
                recipient_affiliation="DCF",
                recipient_kind="child_protective_services",
                categories=["directory"],
                details="Bruises reported by the nurse.",
                recorded_by=world.principal,
            )
        after_the_fact_record(
            student=world.ben,
            kind="emergency",
            disclosed_at=at(1, 20),
            recipient_name="Officer",
            recipient_position="Patrol",
            recipient_affiliation="City Police Department",
            recipient_kind="municipal_police",
            categories=["contact"],
            details="Student missing during a lockdown.",
            recorded_by=world.principal,
            late_reason="The principal was away.",
        )


def quarter_two(world: World) -> None:
    """10 emergencies the district found, lasting 6 hours, released; 11 immigration refusals; 10
    emergency disclosures recorded late."""
    with time_machine.travel(at(5, 5), tick=False):
        for _ in range(10):
            after_the_fact_record(
                student=world.ben,
                kind="emergency",
                disclosed_at=at(5, 1),
                recipient_name="Officer",
                recipient_position="Patrol",
                recipient_affiliation="City Police Department",
                recipient_kind="municipal_police",
                categories=["contact"],
                details="Student missing during a lockdown.",
                recorded_by=world.principal,
                late_reason="Recorded after the school reopened.",
            )
        for _ in range(10):
            body = request_body(
                world.alice,
                purpose="health_safety_emergency",
                categories=["contact"],
                emergency={"threat": "Bomb threat at the station", "ends_at": at(5, 5, 16).isoformat()},
            )
            request = submit(world.transit, world.transit_officer, body)
            emergencies_found(request, world.clerk)
            packet_release(request_id=request.pk, released_by=world.clerk)
        for _ in range(11):
            submit(world.ice, world.immigration_officer, request_body(world.ben, categories=["contact"]))


def publish(key: str) -> Any:
    period = Period.parse(key)
    with time_machine.travel(period.end + dt.timedelta(hours=3), tick=False):
        return report_publish(period=period)


@pytest.fixture
def year(world: World) -> dict[str, Any]:
    officer = make_user("officer", Role.SCHOOL_STAFF, first="Olu", last="Officer", position="School officer")
    staff_school_assign(user=world.principal, school=world.school)
    staff_school_assign(user=officer, school=world.school, unit=ReportingUnit.SCHOOL_POLICE)
    training_seed_completed(users=[world.principal, officer])
    quarter_one(world, officer)
    quarter_two(world)
    return {key: publish(key) for key in ("2025-Q1", "2025-Q2", "2025-H1", "2025-Q3", "2025-Q4", "2025-H2")}


def test_the_flow_tables_of_a_year_count_what_crossed_the_line(year: dict[str, Any]) -> None:
    q1 = year["2025-Q1"].figures
    items = table(q1, "flow_items_by_category_and_outcome")
    assert value(items, "contact", "not_released") == 12
    assert value(items, "attendance", "not_released") == 10  # refused: onward sharing with a fusion center
    assert value(items, "academic", "not_released") == 10  # denied
    assert value(items, "directory", "released") == 10
    assert value(items, "attendance", "released") == 10
    assert value(items, "total", "total") == 52
    released = table(q1, "flow_items_released_by_category_and_requester")
    assert value(released, "directory", "child_protective_services") == 10
    assert value(released, "total", "total") == 20
    assert [c["key"] for c in released["columns"]] == ["child_protective_services"]

    refusals = table(q1, "flow_refusals")
    assert value(refusals, "immigration", "refused") == 12
    assert value(refusals, "onward_sharing", "refused") == 10
    assert value(refusals, "other_refusal", "nothing_released") == 10
    assert value(refusals, "none", "released_in_full") == 10

    incidents = table(q1, "flow_incidents_by_school_and_classification")
    assert value(incidents, "Frederick Douglass Middle School", "discipline") == 10
    assert value(incidents, "Frederick Douglass Middle School", "law_enforcement_unit") == 10
    weapons = table(q1, "flow_weapon_reports")
    assert value(weapons, "law_enforcement_unit", "yes") == 10
    assert value(weapons, "discipline", "no") == 10
    reached = table(q1, "flow_incidents_reaching_outside")
    assert value(reached, "law_enforcement_unit", "yes") == 10
    assert value(reached, "discipline", "no") == 10

    # Ten abuse reports on time and one emergency entry recorded late: the late one would be singled out,
    # so the rarest rows are withheld in full, together with enough others to make 10.
    late = table(q1, "flow_after_the_fact_lateness")
    assert value(late, "total", "total") == 11
    assert value(late, WITHHELD, "total") == 11
    assert value(late, "emergency", "yes") == 0

    q2 = year["2025-Q2"].figures
    emergencies = table(q2, "flow_emergencies_by_determination")
    assert value(emergencies, "found", "yes") == 10
    durations = table(q2, "flow_emergencies_by_duration")
    assert value(durations, "4h_to_1d", "yes") == 10
    assert value(table(q2, "flow_after_the_fact_lateness"), "emergency", "yes") == 10
    decisions = table(q2, "flow_time_to_decision")
    assert value(decisions, "total", "total") == 21
    assert value(decisions, "0-2", "within_deadline") == 21

    # The half-year counts its quarters' rows; the empty third quarter publishes zeros.
    h1 = year["2025-H1"].figures
    assert value(table(h1, "flow_refusals"), "immigration", "refused") == 23
    assert value(table(year["2025-Q3"].figures, "flow_refusals"), "total", "total") == 0


def test_no_published_row_or_cell_singles_out_fewer_than_10(year: dict[str, Any]) -> None:
    for report in year.values():
        for flow in report.figures["flows"]["tables"]:
            for line in [*flow["rows"], flow["totals"]]:
                for found in [*line["cells"], line["total"]]:
                    assert found["value"] is None or found["value"] == 0 or found["value"] >= SMALLEST_GROUP
        for name, row_set in report.rows.items():
            order = row_set["attributes"]
            combinations: dict[tuple[str, ...], int] = {}
            for row in row_set["rows"]:
                assert set(row) == set(order), name  # categories and outcomes only
                combination = tuple(row[a] for a in order)
                combinations[combination] = combinations.get(combination, 0) + 1
            assert all(n >= SMALLEST_GROUP for n in combinations.values()), (report.period, name)
    q1_requests = year["2025-Q1"].rows["requests"]["rows"]
    # No name, no id, no date.
    assert "carla" not in str(year["2025-Q1"].rows).lower() and "S-10" not in str(year["2025-Q1"].rows)
    assert "2025" not in str(year["2025-Q1"].rows)
    assert len(q1_requests) == 42


def test_every_flow_figure_is_recomputed_from_the_published_rows_against_the_checkpoint(
    year: dict[str, Any],
) -> None:
    for report in year.values():
        assert figures_problems(report.figures, rows_document(report)) == []
        assert checkpoint_problems(report.figures) == []
    out = StringIO()
    call_command("report", "verify", "2025-Q1", stdout=out)
    assert "OK 2025-Q1: 11 tables recomputed" in out.getvalue()

    q1 = year["2025-Q1"]
    tampered = copy.deepcopy(rows_document(q1))
    first = tampered["sets"]["requests"]["rows"][0]
    first["refusal"] = "onward_sharing" if first["refusal"] != "onward_sharing" else "none"
    problems = figures_problems(q1.figures, tampered)
    assert any("SHA-256 differs" in problem for problem in problems)
    assert any("flow_refusals" in problem for problem in problems)

    figures = copy.deepcopy(q1.figures)
    refusals = table(figures, "flow_refusals")
    cell(refusals, "immigration", "refused")["value"] = 11
    assert any("line immigration, column refused" in p for p in figures_problems(figures, rows_document(q1)))

    figures = copy.deepcopy(q1.figures)
    figures["checkpoint"]["root_hash"] = "00" * 32
    assert checkpoint_problems(figures)
    checkpoint_sign()  # later checkpoints do not unbind an earlier report
    assert checkpoint_problems(q1.figures) == []


def test_report_verify_reads_the_downloads_and_fails_on_a_changed_figure(
    year: dict[str, Any], tmp_path: Any, client: Any
) -> None:
    figures = client.get("/transparency/2025-Q1.json").content
    rows = client.get("/transparency/2025-Q1.rows.json").content
    (tmp_path / "q1.json").write_bytes(figures)
    (tmp_path / "q1.rows.json").write_bytes(rows)
    out = StringIO()
    call_command(
        "report",
        "verify",
        "2025-Q1",
        "--figures",
        tmp_path / "q1.json",
        "--rows",
        tmp_path / "q1.rows.json",
        stdout=out,
    )
    assert "OK 2025-Q1" in out.getvalue()
    changed = json.loads(figures)
    cell(table(changed, "flow_refusals"), "immigration", "refused")["value"] = 13
    (tmp_path / "bad.json").write_text(json.dumps(changed))
    with pytest.raises(CommandError) as failed:
        call_command(
            "report",
            "verify",
            "2025-Q1",
            "--figures",
            tmp_path / "bad.json",
            "--rows",
            tmp_path / "q1.rows.json",
            stderr=StringIO(),
        )
    assert failed.value.returncode == 1


@pytest.mark.django_db(databases=[])
def test_generalization_withholds_the_rare_combinations_first_by_the_least_needed_attribute() -> None:
    rows = [{"a": "x", "b": "y"}] * 12 + [{"a": "x", "b": "z"}] * 3 + [{"a": "w", "b": "z"}] * 8
    published = generalize(rows, ["b", "a"])
    counted: dict[tuple[str, str], int] = {}
    for row in published:
        counted[(row["a"], row["b"])] = counted.get((row["a"], row["b"]), 0) + 1
    # b is withheld first (x,z and w,z are rare), then a: the rare rows end up withheld in full, 11 of them.
    assert counted == {("x", "y"): 12, (WITHHELD, WITHHELD): 11}


def combinations_of(report: Any, name: str) -> Counter[tuple[str, ...]]:
    row_set = report.rows[name]
    return Counter(tuple(row[a] for a in row_set["attributes"]) for row in row_set["rows"])


def test_no_difference_of_overlapping_publications_recovers_a_group_the_quarters_withheld(
    year: dict[str, Any],
) -> None:
    # The first quarter's one emergency disclosure recorded late is rare there (withheld in full); the
    # second quarter's ten are not. Generalized on its own, the half-year showed 11 late emergencies, and
    # the half-year less the second quarter gave back the first quarter's one.
    q1_late = combinations_of(year["2025-Q1"], "after_the_fact")
    assert q1_late[("yes", "emergency")] == 0  # the first quarter withheld it
    for name in year["2025-H1"].rows:
        half = combinations_of(year["2025-H1"], name)
        for subtracted in (("2025-Q1",), ("2025-Q2",), ("2025-Q1", "2025-Q2")):
            difference = Counter(half)
            for key in subtracted:
                difference.subtract(combinations_of(year[key], name))
            for combination, count in difference.items():
                assert count >= 0, (name, subtracted, combination)
                assert count == 0 or count >= SMALLEST_GROUP, (name, subtracted, combination, count)
    # The half-year's flow tables are counted from its quarters' rows: late emergencies are the second
    # quarter's 10, the first quarter's one stays among the withheld.
    late = table(year["2025-H1"].figures, "flow_after_the_fact_lateness")
    assert value(late, "emergency", "yes") == 10
    assert value(late, WITHHELD, "total") == 11
    for key in ("2025-H1", "2025-H2"):
        assert figures_problems(year[key].figures, rows_document(year[key])) == []


def test_a_combination_needs_10_requests_not_10_items(world: World) -> None:
    # One immigration request naming 10 students for their contact details, beside 12 requests for one
    # student's directory information: the ten items of the one request are not a group of 10.
    with time_machine.travel(at(2, 3), tick=False):
        for _ in range(12):
            submit(world.ice, world.immigration_officer, request_body(world.alice, categories=["directory"]))
        body = request_body(world.alice, categories=["contact"])
        body["students"] = [{"student_id": f"S-9{n:03d}"} for n in range(10)]
        request = submit(world.ice, world.immigration_officer, body)
    assert request.items.count() == 10
    report = publish("2025-Q1")
    items = report.rows["items"]["rows"]
    assert not [row for row in items if row["category"] == "contact"]
    found = table(report.figures, "flow_items_by_category_and_outcome")
    assert value(found, "contact", "total") == 0
    assert value(found, WITHHELD, "total") == 22  # the 10 items and the fewest others making 10 requests
    assert figures_problems(report.figures, rows_document(report)) == []


@pytest.mark.django_db(databases=[])
def test_a_single_request_under_10_is_not_published_whatever_its_rows() -> None:
    rows = [{"_request": 1, "a": "x"}] * 10 + [{"_request": n, "a": "y"} for n in range(2, 14)]
    published = generalize(rows, ["a"])
    # x's ten rows are one request: withheld; 9 more requests are needed and y cannot spare them.
    assert Counter(row["a"] for row in published) == {WITHHELD: 22}
    assert all("_request" not in row for row in published)


@pytest.mark.django_db(databases=[])
def test_the_last_withholding_takes_as_few_rows_as_it_needs() -> None:
    # 40 common rows and one rare: 9 of the common ones are withheld with it, not all 40.
    rows = [{"a": "x", "b": "y"}] * 40 + [{"a": "w", "b": "z"}]
    counted = Counter((row["a"], row["b"]) for row in generalize(rows, ["b", "a"]))
    assert counted == {("x", "y"): 31, (WITHHELD, WITHHELD): 10}
