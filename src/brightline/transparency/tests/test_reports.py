"""Report figures on requests built through the real casework and disclosure services."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db.models import DateTimeField, Value
from django.utils import timezone

from brightline.casework import services
from brightline.casework.calendar import DistrictCalendar, district_zone
from brightline.casework.models import Holiday
from brightline.disclosures.services import after_the_fact_record, packet_release
from brightline.errors import InvalidInput
from brightline.ledger.models import Checkpoint
from brightline.ledger.selectors import ledger_size
from brightline.ledger.services import checkpoint_sign
from brightline.testing import World, emergencies_found, request_body
from brightline.transparency.models import PublishedReport
from brightline.transparency.periods import Period
from brightline.transparency.reports import (
    LocalDate,
    business_days_distribution,
    decision_day_pairs,
    report_figures,
    request_counts,
    student_counts,
)
from brightline.transparency.services import report_publish

pytestmark = pytest.mark.django_db


def period_of(moment: dt.datetime) -> Period:
    local = timezone.localtime(moment, district_zone())
    return Period(local.year, "Q", (local.month - 1) // 3 + 1)


def published(period: Period) -> PublishedReport:
    """The period's report, published as the publisher would, once the period has ended."""
    with time_machine.travel(period.end + dt.timedelta(hours=1), tick=False):
        return report_publish(period=period)


def submit(agency, user, body, **kwargs):
    return services.request_submit(
        agency=agency, document=body, channel="portal", submitted_by=user, **kwargs
    ).request


def abuse_investigation(world: World, *students):
    body = request_body(
        *students, purpose="child_abuse_investigation", categories=["directory", "attendance"]
    )
    return submit(world.dcf, world.dcf_investigator, body)


def immigration(world: World, *students):
    body = request_body(*students, purpose="civil_immigration_enforcement", categories=["contact"])
    return submit(world.ice, world.immigration_officer, body)


def emergency_in_part(world: World):
    body = request_body(
        world.alice,
        purpose="health_safety_emergency",
        categories=["contact", "discipline"],
        emergency={
            "threat": "Bomb threat at the station",
            "ends_at": (timezone.now() + dt.timedelta(hours=4)).isoformat(),
        },
    )
    request = submit(world.transit, world.transit_officer, body)
    emergencies_found(request, world.clerk)
    discipline = request.items.get(category="discipline")
    services.item_decide(
        item_id=discipline.pk, reviewer=world.superintendent, action="deny", rationale="Not needed."
    )
    packet_release(request_id=request.pk, released_by=world.clerk)
    return request


def denied(world: World):
    request = submit(world.police, world.detective, request_body(world.ben, categories=["academic"]))
    item = request.items.get()
    services.item_decide(item_id=item.pk, reviewer=world.superintendent, action="deny", rationale="No basis.")
    return request


def under_nondisclosure_order(world: World):
    body = request_body(
        world.carla,
        categories=["attendance"],
        legal_process={"kind": "grand_jury_subpoena", "nondisclosure_order": True},
    )
    return submit(world.police, world.detective, body)


def by_outcome(rows, **match) -> dict[str, int]:
    found: dict[str, int] = {}
    for row in rows:
        if all(row[key] == value for key, value in match.items()):
            found[row["outcome"]] = found.get(row["outcome"], 0) + row["n"]
    return found


def test_each_request_is_counted_once_under_the_outcome_its_items_add_up_to(world: World) -> None:
    full = abuse_investigation(world, world.alice, world.ben)
    packet_release(request_id=full.pk, released_by=world.clerk)
    immigration(world, world.alice)
    emergency_in_part(world)
    denied(world)
    under_nondisclosure_order(world)
    period = period_of(timezone.now())

    rows = request_counts(period)
    assert by_outcome(rows) == {
        "released_in_full": 1,
        "released_in_part": 1,
        "refused": 1,
        "nothing_released": 1,
        "pending": 1,
    }
    assert by_outcome(rows, requester_kind="immigration_enforcement") == {"refused": 1}
    assert by_outcome(rows, legal_process_kind="grand_jury_subpoena", nondisclosure_order=True) == {
        "pending": 1
    }
    assert by_outcome(rows, emergency=True) == {"released_in_part": 1}
    assert by_outcome(rows, purpose="child_abuse_investigation") == {"released_in_full": 1}
    # Students named: the abuse investigation named two.
    assert by_outcome(student_counts(period)) == {
        "released_in_full": 2,
        "released_in_part": 1,
        "refused": 1,
        "nothing_released": 1,
        "pending": 1,
    }


def test_the_report_is_a_handful_of_queries_however_many_requests(
    world: World, django_assert_max_num_queries
) -> None:
    for _ in range(3):
        abuse_investigation(world, world.alice, world.ben)
        denied(world)
        immigration(world, world.carla)
    checkpoint = checkpoint_sign()
    # One GROUP BY per set of rows, whatever the number of requests (collect.py): the outcomes, the requests
    # by the five dimensions with their named students, the requests by refusal, deadline and pair of days,
    # the holidays, the items, the emergencies, the incidents, the after-the-fact entries' kinds, those
    # entries twice, the reconsiderations asked and decided; and the items of the rare combinations read
    # again request by request (one query per 100 of them).
    with django_assert_max_num_queries(13):
        figures = report_figures(period=period_of(timezone.now()), checkpoint=checkpoint, now=timezone.now())
    assert figures["tables"][0]["totals"]["total"]["display"] == "fewer than 10"


def test_requests_received_outside_the_period_are_not_counted(world: World) -> None:
    abuse_investigation(world, world.alice)
    period = period_of(timezone.now())
    earlier = Period(period.year - 1, "Q", period.number)
    assert request_counts(earlier) == []
    assert by_outcome(request_counts(Period(period.year, "H", 1 if period.number <= 2 else 2))) == {
        "pending": 1
    }


def test_business_days_run_from_receipt_to_the_last_decision(world: World) -> None:
    received = timezone.now() - dt.timedelta(days=9)
    body = request_body(world.alice, purpose="school_transfer", categories=["academic"])
    request = submit(world.police, world.detective, body, received_at=received)
    item = request.items.get()
    services.item_decide(item_id=item.pk, reviewer=world.superintendent, action="deny", rationale="No.")
    pending = submit(world.police, world.detective, request_body(world.ben, categories=["academic"]))
    assert pending.state == "in_review"  # undecided requests have no time to decision
    period = period_of(received)
    pairs = decision_day_pairs(period)
    zone = district_zone()
    expected_days = DistrictCalendar.load().business_days_between(
        timezone.localtime(received, zone).date(), timezone.localdate(timezone.now(), zone)
    )
    days = [DistrictCalendar.load().business_days_between(p["received_day"], p["decided_day"]) for p in pairs]
    assert [p["n"] for p in pairs] == [1]
    assert days == [expected_days] and expected_days >= 5


def test_small_counts_are_published_as_fewer_than_10_and_never_with_their_value(world: World) -> None:
    for _ in range(12):
        immigration(world, world.alice)
    for _ in range(3):
        abuse_investigation(world, world.ben)
    for _ in range(10):
        submit(world.police, world.detective, request_body(world.carla, categories=["academic"]))
    period = period_of(timezone.now())
    figures = published(period).figures
    table = next(t for t in figures["tables"] if t["id"] == "requests_by_requester_kind")
    rows = {row["key"]: row for row in table["rows"]}
    columns = [c["key"] for c in table["columns"]]
    refused, pending = columns.index("refused"), columns.index("pending")
    assert rows["immigration_enforcement"]["cells"][refused] == {
        "value": 12,
        "display": "12",
        "suppressed": None,
    }
    # The 3 pending abuse investigations are a rare combination: their requester kind is withheld, with
    # the fewest requests that make 10 (the police's 10 pending, which could not spare 7 and keep 10).
    # Their lines read "withheld", not 0: a reader cannot tell which kinds the 13 withheld requests hold.
    assert rows["child_protective_services"]["total"]["display"] == "withheld"
    assert rows["municipal_police"]["total"]["display"] == "withheld"
    assert rows["withheld"]["cells"][pending]["value"] == 13
    assert table["totals"]["cells"][pending]["value"] == 13
    assert table["totals"]["total"]["value"] == 25
    # No fusion center request, but the rows cannot tell it from a withheld one among the pending: only
    # the columns with nothing withheld read 0.
    assert rows["fusion_center"]["total"]["display"] == "withheld"
    assert rows["fusion_center"]["cells"][refused]["display"] == "0"
    # Nowhere in the published figures, in any table, is a count from 1 to 9.
    for published_table in figures["tables"]:
        for line in [*published_table["rows"], published_table["totals"]]:
            for cell in [*line["cells"], line["total"]]:
                assert cell["value"] is None or cell["value"] == 0 or cell["value"] >= 10


def test_the_report_names_the_checkpoint_covering_exactly_what_it_counted(world: World) -> None:
    immigration(world, world.alice)
    stale = checkpoint_sign()
    abuse_investigation(world, world.ben)  # the ledger grows past the stale checkpoint
    assert ledger_size() > stale.size
    period = period_of(timezone.now())
    report = published(period)
    # The checkpoint counted, then the publication's own entry right after it, under the latest checkpoint.
    latest = Checkpoint.objects.latest()
    counted = report.checkpoint
    assert report.published
    assert report.checkpoint_size == counted.size == report.ledger_index == ledger_size() - 1
    assert report.publication_checkpoint == latest and latest.size == ledger_size()
    assert report.checkpoint_root_hash == bytes(counted.root_hash).hex()
    latest = counted
    assert report.figures["checkpoint"] == {
        "id": latest.pk,
        "size": latest.size,
        "root_hash": bytes(latest.root_hash).hex(),
        "signed_at": latest.signed_at.isoformat(),
        "origin": report.figures["checkpoint"]["origin"],
    }


def test_a_published_report_is_never_computed_again(world: World) -> None:
    immigration(world, world.alice)
    period = period_of(timezone.now())
    report = published(period)
    # A request entered later with a time inside the period, and more checkpoints: the publication stands.
    body = request_body(world.ben, purpose="civil_immigration_enforcement", categories=["contact"])
    with time_machine.travel(period.end + dt.timedelta(days=2), tick=False):
        services.request_submit(
            agency=world.ice,
            document=body,
            channel="mail",
            entered_by=world.clerk,
            received_at=period.end - dt.timedelta(days=1),
        )
        checkpoint_sign()
        again = report_publish(period=period)
    assert again.pk == report.pk and again.figures == report.figures
    assert PublishedReport.objects.filter(period=period.key).count() == 1


def test_a_period_in_progress_is_not_published(world: World) -> None:
    immigration(world, world.alice)
    before = Checkpoint.objects.count()
    with pytest.raises(InvalidInput, match="has not ended"):
        report_publish(period=period_of(timezone.now()))
    assert not PublishedReport.objects.exists() and Checkpoint.objects.count() == before


def test_a_report_signs_the_first_checkpoint_when_there_is_none(world: World) -> None:
    assert not Checkpoint.objects.exists()
    report = published(period_of(timezone.now()))
    # The one it counts at, and the one signed with the publication's ledger entry.
    assert Checkpoint.objects.count() == 2 and report.checkpoint_size == ledger_size() - 1


def test_after_the_fact_entries_are_counted_by_kind_and_recipient(world: World) -> None:
    from brightline.incidents.services import staff_school_assign

    staff_school_assign(user=world.principal, school=world.school)
    when = timezone.now() - dt.timedelta(hours=2)
    for _ in range(10):
        after_the_fact_record(
            student=world.alice,
            kind="abuse_report",
            disclosed_at=when,
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
        disclosed_at=when,
        recipient_name="Officer",
        recipient_position="Patrol",
        recipient_affiliation="City Police Department",
        recipient_kind="municipal_police",
        categories=["contact"],
        details="Student missing during a lockdown.",
        recorded_by=world.principal,
    )
    figures = published(period_of(when)).figures
    table = next(t for t in figures["tables"] if t["id"] == "after_the_fact_entries")
    rows = {row["key"]: row for row in table["rows"]}
    # The single emergency's kind is rare: withheld with the ten abuse reports (the fewest that make 10),
    # and its recipient with them; nothing tells it from the others.
    assert rows["child_protective_services"]["total"]["display"] == "withheld"
    assert "municipal_police" not in rows
    assert rows["withheld"]["total"]["value"] == 11
    assert [c["key"] for c in table["columns"]] == ["emergency", "abuse_report", "withheld"]


def test_local_dates_in_the_database_agree_with_the_time_zone_across_midnights_and_clock_changes() -> None:
    zone = district_zone()
    Holiday.objects.create(date=dt.date(2025, 12, 24), name="A row to select from")
    # Both clock changes of 2025 (9 March, 2 November), every 20 minutes, and moments outside the range.
    starts = [dt.datetime(2025, 3, 8, 3, 10, tzinfo=dt.UTC), dt.datetime(2025, 11, 1, 3, 10, tzinfo=dt.UTC)]
    moments = [start + dt.timedelta(minutes=20 * n) for start in starts for n in range(3 * 24 * 3)]
    moments += [
        dt.datetime(2024, 12, 31, 23, tzinfo=dt.UTC),
        dt.datetime(2026, 7, 1, 3, 59, 59, 5, tzinfo=dt.UTC),
    ]
    for moment in moments:
        local = LocalDate(
            Value(moment, output_field=DateTimeField()),
            zone=zone,
            first=dt.date(2025, 3, 1),
            last=dt.date(2025, 11, 30),
        )
        day = Holiday.objects.annotate(local=local).values_list("local", flat=True).get()
        assert day == moment.astimezone(zone).date(), moment


@pytest.mark.django_db(databases=[])
def test_business_days_counted_at_once_agree_with_the_calendar_day_by_day() -> None:
    calendar = DistrictCalendar([dt.date(2025, 12, 22)])  # an extra closure before the winter break
    days = [dt.date(2025, 11, 20) + dt.timedelta(days=n) for n in range(60)]
    pairs = [{"received_day": a, "decided_day": b, "n": 1} for a in days[::3] for b in days[::2]]
    expected: dict[int, int] = {}
    for pair in pairs:
        value = calendar.business_days_between(pair["received_day"], pair["decided_day"])
        expected[value] = expected.get(value, 0) + 1
    assert business_days_distribution(pairs, calendar) == expected


@pytest.mark.django_db
def test_business_days_counted_by_the_database_agree_with_the_calendar_day_by_day() -> None:
    from django.db import connection

    from brightline.transparency.collect import EPOCH, _business_days_sql

    calendar = DistrictCalendar([dt.date(2025, 12, 22)])  # an extra closure before the winter break
    days = [dt.date(2025, 11, 20) + dt.timedelta(days=n) for n in range(60)]
    closed = [(day - EPOCH).days for day in days if day.weekday() < 5 and not calendar.is_business_day(day)]
    assert len(closed) == 4  # Thanksgiving, the extra closure, Christmas, New Year's Day
    with connection.cursor() as cursor:
        for received in days[::3]:
            for decided in days[::2]:
                sql = _business_days_sql(str((received - EPOCH).days), str((decided - EPOCH).days), closed)
                cursor.execute(f"SELECT {sql}", [])  # noqa: S608 (whole numbers only)
                assert cursor.fetchone()[0] == calendar.business_days_between(received, decided), (
                    received,
                    decided,
                )
        cursor.execute(f"SELECT {_business_days_sql('NULL', 'NULL', closed)}", [])  # noqa: S608
        assert cursor.fetchone()[0] is None  # undecided
