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
from brightline.transparency.flows import SMALLEST_GROUP, WITHHELD, rows_digest
from brightline.transparency.periods import Period
from brightline.transparency.services import report_publish
from brightline.transparency.tallies import Tally, fixed_values, generalize
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
    # The late entry's kind and lateness are withheld: its line reads "withheld", never 0.
    assert cell(late, "emergency", "yes")["display"] == "withheld"
    assert value(late, "emergency", "yes") is None

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
                # Categories and outcomes only, each combination once with its count.
                assert len(row) == len(order) + 1 and all(isinstance(v, str) for v in row[:-1]), name
                assert tuple(row[:-1]) not in combinations, name
                combinations[tuple(row[:-1])] = row[-1]
            assert all(n >= SMALLEST_GROUP for n in combinations.values()), (report.period, name)
    q1_requests = year["2025-Q1"].rows["requests"]["rows"]
    # No name, no id, no date.
    assert "carla" not in str(year["2025-Q1"].rows).lower() and "S-10" not in str(year["2025-Q1"].rows)
    assert "2025" not in str(year["2025-Q1"].rows)
    assert sum(row[-1] for row in q1_requests) == 42


def test_every_flow_figure_is_recomputed_from_the_published_rows_against_the_checkpoint(
    year: dict[str, Any],
) -> None:
    for report in year.values():
        assert figures_problems(report.figures, rows_document(report)) == []
        assert checkpoint_problems(report.figures) == []
    out = StringIO()
    call_command("report", "verify", "2025-Q1", stdout=out)
    assert "OK 2025-Q1: 24 tables recomputed" in out.getvalue()

    q1 = year["2025-Q1"]
    tampered = copy.deepcopy(rows_document(q1))
    first = tampered["sets"]["requests"]["rows"][0]
    refusal = tampered["sets"]["requests"]["attributes"].index("refusal")
    first[refusal] = "onward_sharing" if first[refusal] != "onward_sharing" else "none"
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
    # b is withheld first (x,z and w,z are rare), then a: the rare rows end up withheld in full, 11 of them.
    assert generalized(rows, ["b", "a"]) == {("y", "x"): 12, (WITHHELD, WITHHELD): 11}


def generalized(
    rows: list[dict[str, Any]], order: list[str], *, by: str = "members"
) -> dict[tuple[str, ...], int]:
    """The published counted rows of per-record `rows` (each its own request unless it names `_request`),
    the groups told apart one by one (`members`) or by how many records each holds (`sizes`)."""
    groups: dict[tuple[str, ...], dict[Any, int]] = {}
    for index, row in enumerate(rows):
        key = tuple(row[a] for a in order)
        group = row.get("_request", ("row", index))
        groups.setdefault(key, {})[group] = groups.get(key, {}).get(group, 0) + 1
    tallies = {
        key: Tally.of_members(found) if by == "members" else Tally.of_sizes(Counter(found.values()))
        for key, found in groups.items()
    }
    published = generalize(tallies, order)
    assert len({tuple(row[:-1]) for row in published}) == len(published)  # each combination once
    return {tuple(row[:-1]): row[-1] for row in published}


def test_a_report_published_one_row_per_record_is_still_recounted(year: dict[str, Any]) -> None:
    # Method 4 published one row per record; the same multiset, counted, gives every figure again.
    q1 = year["2025-Q1"]
    document = copy.deepcopy(rows_document(q1))
    for row_set in document["sets"].values():
        order = row_set["attributes"]
        row_set["rows"] = [
            dict(zip(order, row[:-1], strict=True)) for row in row_set["rows"] for _ in range(row[-1])
        ]
    figures = copy.deepcopy(q1.figures)
    figures["method_version"] = 4
    figures["flows"]["rows_sha256"] = rows_digest(document["sets"])
    assert figures_problems(figures, document) == []
    # Counted rows are what method 5 publishes: rows of one per record are refused there.
    figures["method_version"] = 5
    assert any("a row that is not" in problem for problem in figures_problems(figures, document))


def combinations_of(report: Any, name: str) -> Counter[tuple[str, ...]]:
    return Counter({tuple(row[:-1]): row[-1] for row in report.rows[name]["rows"]})


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
    items = report.rows["items"]
    category = items["attributes"].index("category")
    assert not [row for row in items["rows"] if row[category] == "contact"]
    found = table(report.figures, "flow_items_by_category_and_outcome")
    assert cell(found, "contact", "total")["display"] == "withheld"  # not 0: its items are withheld
    assert value(found, WITHHELD, "total") == 22  # the 10 items and the fewest others making 10 requests
    assert figures_problems(report.figures, rows_document(report)) == []


@pytest.mark.django_db(databases=[])
def test_a_single_request_under_10_is_not_published_whatever_its_rows() -> None:
    rows = [{"_request": 1, "a": "x"}] * 10 + [{"_request": n, "a": "y"} for n in range(2, 14)]
    # x's ten rows are one request: withheld; 9 more requests are needed and y cannot spare them.
    assert generalized(rows, ["a"]) == {(WITHHELD,): 22}


@pytest.mark.django_db(databases=[])
def test_the_last_withholding_takes_as_few_rows_as_it_needs() -> None:
    # 40 common rows and one rare: 9 of the common ones are withheld with it, not all 40.
    rows = [{"a": "x", "b": "y"}] * 40 + [{"a": "w", "b": "z"}]
    assert generalized(rows, ["b", "a"]) == {("y", "x"): 31, (WITHHELD, WITHHELD): 10}
    assert generalized(rows, ["b", "a"], by="sizes") == {("y", "x"): 31, (WITHHELD, WITHHELD): 10}


@pytest.mark.django_db(databases=[])
def test_the_last_withholding_takes_the_requests_holding_fewest_records() -> None:
    # 12 requests of x: one with 5 records, eleven with 1; one rare request of w. The 9 requests withheld
    # with w are 9 of x's one-record requests (9 records), not the one holding 5.
    rows = [{"_request": "big", "a": "x"}] * 5 + [{"_request": n, "a": "x"} for n in range(11)]
    rows += [{"_request": "rare", "a": "w"}]
    rows += [{"_request": f"y{n}", "a": "y"} for n in range(30)]
    for by in ("members", "sizes"):
        assert generalized(rows, ["a"], by=by) == {("x",): 16, ("y",): 21, (WITHHELD,): 10}, by


@pytest.mark.django_db(databases=[])
def test_a_common_combination_is_asked_for_its_fewest_requests_only_when_it_can_cost_least() -> None:
    # As the database gives items: common combinations as counts only, their requests asked on demand.
    rows = [{"_request": "big", "a": "x"}] * 5 + [{"_request": n, "a": "x"} for n in range(11)]
    rows += [{"_request": "rare", "a": "w"}]
    rows += [{"_request": f"y{n}", "a": "y"} for n in range(30)]
    rows += [{"_request": f"z{n}", "a": "z"} for n in range(40)]
    groups: dict[str, dict[Any, int]] = {}
    for row in rows:
        groups.setdefault(row["a"], {})[row["_request"]] = (
            groups.get(row["a"], {}).get(row["_request"], 0) + 1
        )
    tallies = {
        (value,): Tally.of_members(found)
        if len(found) < SMALLEST_GROUP
        else Tally(sum(found.values()), len(found))
        for value, found in groups.items()
    }
    asked: list[tuple[str, int]] = []

    def smallest(values: dict[str, str], k: int) -> list[tuple[Any, int]]:
        asked.append((values["a"], k))
        return sorted(groups[values["a"]].items(), key=lambda member: (member[1], str(member[0])))[:k]

    published = {tuple(row[:-1]): row[-1] for row in generalize(tallies, ["a"], smallest=smallest)}
    assert published == {("x",): 16, ("y",): 21, ("z",): 40, (WITHHELD,): 10}
    # x cannot spare 9 of its 12 requests; y's 9 fewest cost 9 records, the least possible: z is never asked.
    assert asked == [("y", 10)]


@pytest.mark.django_db(databases=[])
def test_a_value_fixed_for_the_period_withholds_the_fewest_records() -> None:
    # 3 requests released in part: rare. 7 more make 10: taken from the smallest value that keeps 10.
    assert fixed_values({"released_in_full": 40, "released_in_part": 3, "refused": 18}) == (
        {"released_in_part"},
        ("refused", 7),
    )
    # A whole value of 12 takes more records than 7 of a value of 40 that keeps 33.
    assert fixed_values({"released_in_full": 40, "released_in_part": 3, "refused": 12}) == (
        {"released_in_part"},
        ("released_in_full", 7),
    )
    assert fixed_values({"released_in_full": 12, "released_in_part": 3, "refused": 11}) == (
        {"released_in_part", "refused"},
        None,
    )
    assert fixed_values({"released_in_full": 40}) == (set(), None)


# The publication's ledger entry, the recount of every figure, differencing, reconsiderations --------------


def downloads(client: Any, key: str, tmp_path: Any) -> dict[str, Any]:
    paths = {}
    for suffix in ("json", "rows.json", "publication.json"):
        answer = client.get(f"/transparency/{key}.{suffix}")
        assert answer.status_code == 200, suffix
        paths[suffix] = tmp_path / f"{key}.{suffix}"
        paths[suffix].write_bytes(answer.content)
    return paths


def verify_files(key: str, figures: Any, rows: Any, publication: Any = None, *extra: str) -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    arguments = ["report", "verify", key, "--figures", figures, "--rows", rows, *extra]
    if publication is not None:
        arguments += ["--publication", publication]
    try:
        call_command(*arguments, stdout=out, stderr=err)
    except CommandError as failed:
        return failed.returncode, err.getvalue()
    return 0, out.getvalue()


def test_publishing_appends_one_ledger_entry_committing_to_the_downloads(
    year: dict[str, Any], client: Any, tmp_path: Any
) -> None:
    import base64
    import hashlib

    from brightline.ledger.models import LedgerEntry

    q1 = year["2025-Q1"]
    entries = LedgerEntry.objects.filter(event_type="transparency.report_published")
    assert sorted(entry.subject["period"] for entry in entries) == sorted(year)  # one per publication
    entry = entries.get(index=q1.ledger_index)
    assert entry.index >= q1.checkpoint_size  # after what it counted
    record = entry.record.record
    paths = downloads(client, "2025-Q1", tmp_path)
    assert record["figures_sha256"] == hashlib.sha256(paths["json"].read_bytes()).hexdigest()
    assert record["rows_sha256"] == hashlib.sha256(paths["rows.json"].read_bytes()).hexdigest()
    assert record["period"] == "2025-Q1" and record["counted_at"]["size"] == q1.checkpoint_size
    # The public leaf is a commitment like every other: no event type, no period.
    public = client.get(f"/api/v1/ledger/entries?start={entry.index}&end={entry.index}").json()["entries"][0]
    leaf = json.loads(base64.b64decode(public["data"]))
    assert set(leaf) == {"index", "record_sha256", "time"}
    # The checkpoint the report is bound to includes the entry.
    assert q1.publication_checkpoint.size > entry.index
    publication = json.loads(paths["publication.json"].read_bytes())
    assert publication["checkpoint"]["size"] == q1.publication_checkpoint.size
    assert verify_files("2025-Q1", paths["json"], paths["rows.json"], paths["publication.json"])[0] == 0
    code, said = verify_files(
        "2025-Q1", paths["json"], paths["rows.json"], paths["publication.json"], "--no-ledger"
    )
    assert code == 0, said

    # The figures changed in the database after publication: they no longer hash to the entry.
    from brightline.transparency.models import PublishedReport

    figures = copy.deepcopy(q1.figures)
    figures["computed_at"] = "2025-04-01T00:00:00+00:00"
    PublishedReport.objects.filter(pk=q1.pk).update(figures=figures)
    failed = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("report", "verify", "2025-Q1", stdout=StringIO(), stderr=failed)
    assert error.value.returncode == 1
    assert f"the figures are not the ones ledger entry {entry.index} records" in failed.getvalue()

    # A proof that does not lead to the bound checkpoint's root is named.
    publication["inclusion"] = publication["inclusion"][1:] or [base64.b64encode(b"0" * 32).decode()]
    (tmp_path / "bad.publication.json").write_text(json.dumps(publication))
    code, said = verify_files("2025-Q1", paths["json"], paths["rows.json"], tmp_path / "bad.publication.json")
    assert code == 1 and "is not in the tree of the checkpoint" in said


def test_report_verify_names_a_changed_figure_label_or_suppression_and_fails(
    year: dict[str, Any], client: Any, tmp_path: Any, world: World
) -> None:
    paths = downloads(client, "2025-Q1", tmp_path)
    published = json.loads(paths["json"].read_bytes())
    assert published["method_version"] == 5

    def tampered(change: Any) -> str:
        figures = copy.deepcopy(published)
        change(figures)
        (tmp_path / "changed.json").write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
        code, said = verify_files(
            "2025-Q1", tmp_path / "changed.json", paths["rows.json"], paths["publication.json"]
        )
        assert code == 1
        assert "the figures are not the ones ledger entry" in said  # the digest
        return said

    def old_table(figures: dict[str, Any], table_id: str) -> dict[str, Any]:
        return next(t for t in figures["tables"] if t["id"] == table_id)

    # A figure of one of the ten request and student tables.
    said = tampered(
        lambda f: cell(
            old_table(f, "requests_by_requester_kind"), "immigration_enforcement", "refused"
        ).update(value=13, display="13")
    )
    assert (
        'table requests_by_requester_kind, line immigration_enforcement, column refused: published "13"'
        in said
    )
    # A label.
    said = tampered(lambda f: old_table(f, "requests_by_purpose")["rows"][0].update(label="Routine check"))
    assert (
        'table requests_by_purpose, line criminal_investigation: its label is published as "Routine check"'
        in said
    )
    # A sentence saying what a table cannot show.
    said = tampered(lambda f: table(f, "flow_refusals").update(cannot_show="Nothing."))
    assert 'table flow_refusals: its cannot show is published as "Nothing."' in said
    # The median time to a decision.
    said = tampered(lambda f: f["time_to_decision"].update(median_business_days="1"))
    assert "time to decision: published" in said


def test_a_suppressed_cell_shown_is_named(world: World, client: Any, tmp_path: Any) -> None:
    # Three requests in the quarter: no set is published, every table says "fewer than 10".
    with time_machine.travel(at(2, 3), tick=False):
        for _ in range(3):
            submit(world.ice, world.immigration_officer, request_body(world.alice, categories=["contact"]))
    publish("2025-Q1")
    paths = downloads(client, "2025-Q1", tmp_path)
    assert verify_files("2025-Q1", paths["json"], paths["rows.json"], paths["publication.json"])[0] == 0
    figures = json.loads(paths["json"].read_bytes())
    total = next(t for t in figures["tables"] if t["id"] == "requests_by_requester_kind")["totals"]["total"]
    assert total == {"value": None, "display": "fewer than 10", "suppressed": "fewer_than_10"}
    total.update(value=3, display="3", suppressed=None)
    (tmp_path / "shown.json").write_text(json.dumps(figures))
    code, said = verify_files(
        "2025-Q1", tmp_path / "shown.json", paths["rows.json"], paths["publication.json"]
    )
    assert code == 1
    assert "table requests_by_requester_kind, line total, column total: shows 3, under 10" in said
    assert (
        'published "3" (3, suppressed null), the rows give "fewer than 10" (suppressed: fewer_than_10)'
        in said
    )


def every_cell(figures: dict[str, Any]) -> dict[tuple[str, str, str], int | None]:
    found = {}
    for shown in [*figures["tables"], *figures["flows"]["tables"]]:
        columns = [c["key"] for c in shown["columns"]] + ["total"]
        for line in [*shown["rows"], {"key": "total", **shown["totals"]}]:
            for column, value in zip(columns, [*line["cells"], line["total"]], strict=True):
                found[(shown["id"], line["key"], column)] = value["value"]
    return found


def test_a_half_year_less_a_quarter_gives_back_nothing_the_other_quarter_withheld(world: World) -> None:
    # Three transit police requests in the first quarter (a small cell there), ten in the second. Counted
    # on its own, the half-year showed 13 and the second quarter 10: the first quarter's 3 came back.
    with time_machine.travel(at(2, 3), tick=False):
        for _ in range(20):
            submit(world.ice, world.immigration_officer, request_body(world.alice, categories=["contact"]))
        for _ in range(3):
            submit(world.transit, world.transit_officer, request_body(world.alice, categories=["contact"]))
    with time_machine.travel(at(5, 5), tick=False):
        for _ in range(12):
            submit(world.ice, world.immigration_officer, request_body(world.ben, categories=["contact"]))
        for _ in range(10):
            submit(world.transit, world.transit_officer, request_body(world.ben, categories=["contact"]))
    q1, q2, h1 = (publish(key).figures for key in ("2025-Q1", "2025-Q2", "2025-H1"))
    half, first, second = every_cell(h1), every_cell(q1), every_cell(q2)
    assert first[("requests_by_requester_kind", "transit_police", "total")] is None  # withheld in Q1
    assert second[("requests_by_requester_kind", "transit_police", "total")] == 10
    assert half[("requests_by_requester_kind", "transit_police", "total")] == 10  # not 13
    for key, value in half.items():
        for other, rest in ((second, first), (first, second)):
            if value is None or other.get(key) is None:
                continue
            difference = value - other[key]
            # H1 − Q2 is Q1 as published (or 0, or 10 and more), never a count Q1 hid.
            assert difference == 0 or difference >= SMALLEST_GROUP or difference == rest.get(key), (
                key,
                difference,
            )
            if rest.get(key) is not None:
                assert difference == rest[key], key


def test_reconsiderations_are_counted_asked_and_decided_without_counsels_reasons(world: World) -> None:
    from brightline.casework.reconsideration import reconsideration_ask, reconsideration_decide

    asked = []
    with time_machine.travel(at(2, 3), tick=False):
        for _ in range(20):
            request = submit(
                world.police, world.detective, request_body(world.carla, categories=["academic"])
            )
            item = request.items.get()
            services.item_decide(
                item_id=item.pk, reviewer=world.superintendent, action="deny", rationale="No basis."
            )
            asked.append(
                reconsideration_ask(
                    request_id=request.pk,
                    agency=world.police,
                    asked_by=world.detective,
                    item_ids=[item.pk],
                    reason="The investigation needs the transcript.",
                )
            )
    with time_machine.travel(at(2, 10), tick=False):
        for reconsideration in asked[:10]:
            reconsideration_decide(
                reconsideration_id=reconsideration.pk,
                counsel=world.legal_advisor,
                outcome="upheld",
                reason="Secret-reason-that-stays-with-counsel.",
            )
    q1 = publish("2025-Q1")
    with time_machine.travel(at(4, 10), tick=False):
        for reconsideration in asked[10:]:
            reconsideration_decide(
                reconsideration_id=reconsideration.pk,
                counsel=world.legal_advisor,
                outcome="upheld",
                reason="Secret-reason-that-stays-with-counsel.",
            )
    q2 = publish("2025-Q2")
    asked_table = table(q1.figures, "flow_reconsiderations_asked")
    assert value(asked_table, "municipal_police", "upheld") == 10
    assert value(asked_table, "municipal_police", "pending") == 10  # decided after the quarter's publication
    assert value(table(q1.figures, "flow_reconsiderations_decided"), "municipal_police", "upheld") == 10
    assert value(table(q2.figures, "flow_reconsiderations_decided"), "municipal_police", "upheld") == 10
    assert value(table(q2.figures, "flow_reconsiderations_asked"), "total", "total") == 0
    for report in (q1, q2):
        assert "Secret-reason" not in json.dumps(report.figures) + json.dumps(report.rows)
        assert "transcript" not in json.dumps(report.rows)
        assert figures_problems(report.figures, rows_document(report)) == []


def test_a_value_whose_requests_were_withheld_never_reads_as_a_true_zero() -> None:
    from brightline.transparency.flows import REPORT_TABLES, flow_table

    spec = next(t for t in REPORT_TABLES if t.id == "requests_by_requester_kind")

    def counted(rows: list[list[Any]]) -> dict[str, Any]:
        found = {
            spec.rows_from: {"attributes": ["requester_kind", "outcome"], "published": True, "rows": rows}
        }
        return flow_table(spec, found)

    held = counted([["municipal_police", "released_in_full", 12], [WITHHELD, "released_in_full", 10]])
    # Immigration's requests may be among the 10 withheld ones: its line says so, not 0.
    assert cell(held, "immigration_enforcement", "released_in_full")["display"] == "withheld"
    assert value(held, "immigration_enforcement", "released_in_full") is None
    assert cell(held, "immigration_enforcement", "total")["display"] == "withheld"
    # Nothing released in part was withheld: a true zero still reads 0.
    assert cell(held, "immigration_enforcement", "released_in_part")["display"] == "0"
    assert value(held, "municipal_police", "released_in_full") == 12
    assert value(held, "total", "total") == 22
    plain = counted([["municipal_police", "released_in_full", 12]])
    assert cell(plain, "immigration_enforcement", "released_in_full")["display"] == "0"
    assert cell(plain, "immigration_enforcement", "total")["display"] == "0"


def test_a_share_is_not_published_when_some_requests_values_were_withheld() -> None:
    from brightline.transparency.flows import REPORT_TABLES, flow_table, share

    spec = next(t for t in REPORT_TABLES if t.id == "requests_by_emergency")

    def emergency_share(rows: list[list[Any]]) -> dict[str, Any]:
        found = {spec.rows_from: {"attributes": ["emergency", "outcome"], "published": True, "rows": rows}}
        return share(flow_table(spec, found), "true")

    # Six emergencies sit among the 10 withheld: "0.0% (0 of 67)" would be false, and so would "15%".
    assert emergency_share([["false", "released_in_full", 57], [WITHHELD, "released_in_full", 10]]) == {
        "percent": None,
        "display": "not published: withheld requests",
    }
    assert (
        emergency_share(
            [["true", "refused", 10], ["false", "released_in_full", 47], [WITHHELD, "released_in_full", 10]]
        )["percent"]
        is None
    )
    assert emergency_share([["true", "refused", 10], ["false", "released_in_full", 57]]) == {
        "percent": 14.9,
        "display": "14.9% (10 of 67 requests)",
    }
    assert emergency_share([["false", "released_in_full", 67]])["display"] == "0.0% (0 of 67 requests)"


def test_a_half_year_withholds_what_a_quarter_did_not_publish_rather_than_reading_0() -> None:
    from brightline.transparency.collect import union_rows
    from brightline.transparency.flows import REPORT_TABLES, flow_table, time_to_decision

    spec = next(t for t in REPORT_TABLES if t.id == "after_the_fact_entries")
    attributes = ["recipient_kind", "kind"]
    # The fourth quarter had 2 after-the-fact disclosures ("fewer than 10"), the third none.
    third = {
        spec.rows_from: {"attributes": attributes, "published": True, "rows": []},
        "decision_days": {"attributes": ["business_days_exact"], "published": True, "rows": [["3", 12]]},
    }
    fourth = {
        spec.rows_from: {"attributes": attributes, "published": False, "rows": []},
        "decision_days": {"attributes": ["business_days_exact"], "published": False, "rows": []},
    }
    half = union_rows([third, fourth])
    assert half[spec.rows_from]["published"] is False
    found = flow_table(spec, half)
    assert cell(found, "total", "total")["display"] == "withheld"  # not 0, and not "fewer than 10"
    assert cell(found, "child_protective_services", "total")["display"] == "withheld"
    assert time_to_decision(half)["display"] == "not published: withheld requests"
    # Both quarters published (the third with none): the half-year's zero is a true zero.
    both = union_rows([third, third])
    assert cell(flow_table(spec, both), "total", "total")["display"] == "0"
    assert time_to_decision(both)["median_business_days"] == "3"
