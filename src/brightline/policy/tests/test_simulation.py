""" "What would change": a draft re-triages the past months of real requests; every differing item is listed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from brightline.casework import services as casework
from brightline.casework.models import Item
from brightline.errors import NotAllowed
from brightline.policy import engine
from brightline.policy.replay import PastItem, PastRequest, Triaged, months_before, simulate, simulate_months
from brightline.policy.selectors import what_would_change
from brightline.policy.services import policy_draft_create
from brightline.policy.tests.helpers import case
from brightline.policy.tests.lifecycle_helpers import counsel_reviews_by_default
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db


def submit(world: World, agency, user, body, days_ago: float):
    return casework.request_submit(
        agency=agency,
        document=body,
        channel="portal",
        submitted_by=user,
        received_at=timezone.now() - dt.timedelta(days=days_ago),
    ).request


@pytest.fixture
def history(world: World) -> dict[str, object]:
    """Requests of the last year, and one older: only rule D's items change under the draft."""
    grades = submit(
        world,
        world.police,
        world.detective,
        request_body(world.alice, world.ben, categories=["academic", "law_enforcement_unit"]),
        40,
    )
    immigration = submit(
        world,
        world.ice,
        world.immigration_officer,
        request_body(
            world.alice, purpose="civil_immigration_enforcement", categories=["contact", "academic"]
        ),
        20,
    )
    court = submit(
        world,
        world.court,
        None,
        request_body(world.carla, purpose="court_proceeding", categories=["attendance"]),
        10,
    )
    unmatched = submit(
        world,
        world.police,
        world.detective,
        request_body(
            students=[{"first_name": "Nobody", "last_name": "Known", "birth_date": "2012-02-02"}],
            categories=["academic"],
        ),
        5,
    )
    old = submit(world, world.police, world.detective, request_body(world.ben, categories=["academic"]), 500)
    return {"grades": grades, "immigration": immigration, "court": court, "unmatched": unmatched, "old": old}


def test_what_would_change_lists_exactly_the_items_that_differ(world: World, history: dict) -> None:
    draft = engine.policy_from_text(counsel_reviews_by_default(), policy_id="district", version="draft")
    report = simulate_months(draft, months=12)

    grades = history["grades"]
    expected = set(Item.objects.filter(request=grades, category="academic").values_list("pk", flat=True))
    assert {item.item_id for item in report.changed} == expected
    for item in report.changed:
        assert item.changes == ("reviewer",)
        assert (item.before.reviewer, item.after.reviewer) == ("superintendent", "legal_advisor")
        assert item.before.rules == item.after.rules == ("D",)
        assert item.reference == grades.reference
    assert report.by_rule == [("D", 2)]
    assert report.by_change == {"outcome": 0, "reviewer": 2, "obligations": 0}
    # The older request is outside the window; the unmatched student has nothing to compare.
    assert report.requests == 3
    assert report.items == 4 + 2 + 1


def test_the_version_in_effect_changes_nothing(world: World, history: dict) -> None:
    report = simulate_months(engine.default_policy(), months=24)
    assert report.changed == [] and report.requests == 4


def test_a_stored_draft_is_simulated_for_policy_staff_only(world: World, history: dict) -> None:
    draft = policy_draft_create(
        author=world.legal_advisor, label="2026.9", text=counsel_reviews_by_default(), summary="Counsel vets."
    )
    assert len(what_would_change(world.legal_advisor, draft, 12).changed) == 2
    with pytest.raises(NotAllowed):
        what_would_change(world.clerk, draft, 12)


def test_the_command_simulates_a_file_or_a_stored_version(world: World, history: dict, tmp_path) -> None:
    path = tmp_path / "draft.cedar"
    path.write_text(counsel_reviews_by_default(), encoding="utf-8")
    out = StringIO()
    call_command("policy", "simulate", str(path), "--months", "12", stdout=out)
    text = out.getvalue()
    assert "2 items would change: outcome 0, reviewer 2, obligations 0" in text
    assert "rule D   2" in text
    assert (
        f"{history['grades'].reference} S-1001 academic: review/superintendent [D] -> review/legal_advisor [D] (reviewer)"
        in text
    )

    draft = policy_draft_create(
        author=world.legal_advisor, label="2026.9", text=counsel_reviews_by_default(), summary="Counsel vets."
    )
    out = StringIO()
    call_command("policy", "simulate", str(draft.number), "--months", "24", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["changed"] == 3 and report["by_rule"] == {"D": 3}
    assert report["policy"]["version"] == "2026.9"


def test_months_are_calendar_months() -> None:
    moment = dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC)
    assert months_before(moment, 1) == dt.datetime(2026, 2, 28, 12, tzinfo=dt.UTC)
    assert months_before(moment, 15) == dt.datetime(2024, 12, 31, 12, tzinfo=dt.UTC)


def test_the_replay_compares_the_past_requests_it_is_given_with_their_stored_triage() -> None:
    # Policy knows past requests only as casework hands them over: here, by hand.
    policy = engine.default_policy()
    document = case()
    now = dt.datetime.fromisoformat(document["now"])
    answer = {
        (item.student_id, item.category): item
        for item in policy.triage(engine.parse_case(document), students_named=1).items
    }

    def stored(item_id: int, category: str, **changed: str) -> PastItem:
        item = answer["S-1001", category]
        triaged = Triaged(item.outcome, item.reviewer, item.rules, tuple(sorted(item.obligations)))
        return PastItem(
            item_id=item_id,
            identified_by="name_and_birth_date",
            student_id="S-1001",
            category=category,
            triaged=dataclasses.replace(triaged, **changed),
        )

    past = [
        PastRequest(
            request_id="r-1",
            reference="BL-26-AAAAAA",
            received_at=now,
            cases={"name_and_birth_date": document},
            students_named=1,
            items=(stored(1, "contact"), stored(2, "attendance", outcome="refuse")),
        ),
        PastRequest(
            request_id="r-2",
            reference="BL-26-BBBBBB",
            received_at=now,
            cases={"student_id": {**document, "now": "not a time"}},
            students_named=1,
            items=(),
        ),
    ]
    report = simulate(policy, since=now - dt.timedelta(days=1), until=now, requests=past)

    assert (report.requests, report.items) == (2, 2)
    assert [(item.reference, item.category, item.changes) for item in report.changed] == [
        ("BL-26-AAAAAA", "attendance", ("outcome",))
    ]
    assert [reference for reference, _ in report.not_replayed] == ["BL-26-BBBBBB"]
