"""The demo district's year: it starts under the first policy Bright Line shipped (2026.1) and adopts
version 2026.2 through the policy lifecycle, and casework follows each version's rules."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from brightline.casework import services as casework
from brightline.casework.models import EmergencyDetermination, Item, ItemState, Request
from brightline.demo.district import (
    FIRST_POLICY_FILE,
    PUBLIC_COMMENTS,
    seed_demo,
    simulate_demo_year,
    start_under_first_policy,
)
from brightline.ledger.models import LedgerEntry
from brightline.policy import engine
from brightline.policy.models import Comment, CommentStatus, Version, VersionStatus
from brightline.policy.replay import simulate
from brightline.policy.stored import engine_policy
from brightline.testing import World, request_body
from brightline.training.models import TrainingCompletion, TrainingModule

LIFECYCLE = (
    "policy.default_recorded",
    "policy.draft_updated",
    "policy.comment_opened",
    "policy.adopted",
    "policy.effective",
)


def _events(version: Version, types: tuple[str, ...]) -> list[LedgerEntry]:
    return list(
        LedgerEntry.objects.filter(subject__policy_version=version.pk, event_type__in=types).order_by("index")
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_demo_year_adopts_version_2_through_the_lifecycle_and_casework_follows_it(
    tmp_path: Path, settings: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]
    seed_demo(data_dir=tmp_path)
    played: list[str] = []
    tally = simulate_demo_year(requests=300, progress=played.append)
    assert tally is not None and tally["released"] > 0

    # The policy history: version 1 is 2026.1, superseded; version 2 is the shipped 2026.2, in effect.
    first, second = Version.objects.order_by("number")
    history = FIRST_POLICY_FILE.read_text(encoding="utf-8")
    assert (first.number, first.label, first.status) == (1, "2026.1", VersionStatus.SUPERSEDED)
    assert first.sha256 == hashlib.sha256(history.encode()).hexdigest() and first.effective_from is None
    assert (second.number, second.label, second.status) == (2, "2026.2", VersionStatus.EFFECTIVE)
    assert second.sha256 == engine.default_policy().sha256
    assert first.superseded_at == second.effective_from
    assert second.summary.startswith("What changes from 2026.1") and "rule B" in second.summary
    # Each step at its moment of the played year, in the lifecycle's order.
    assert second.effective_from is not None and second.comment_opens_on and second.comment_closes_on
    assert second.adopted_on is not None
    assert (
        first.created_at.date()
        < second.created_at.date()
        < second.comment_opens_on
        < second.comment_closes_on
        < second.adopted_on
        < second.effective_from.date()
    )
    assert second.minutes_url.startswith("https://")
    steps = _events(second, LIFECYCLE)
    assert [entry.event_type for entry in steps] == list(LIFECYCLE)
    assert [entry.appended_at for entry in steps] == sorted(entry.appended_at for entry in steps)
    assert [entry.event_type for entry in _events(first, ("policy.superseded",))] == ["policy.superseded"]
    # Nothing in the ledger names version 1 but its supersession: it was never drafted or commented on.
    assert set(
        LedgerEntry.objects.filter(subject__policy_version=first.pk).values_list("event_type", flat=True)
    ) == {"policy.superseded"}

    # Public comment: confirmed comments were moderated; one never confirmed; one kept off the page.
    comments = Comment.objects.filter(version=second)
    assert comments.count() == len(PUBLIC_COMMENTS)
    assert comments.filter(status=CommentStatus.PUBLISHED).count() == sum(
        1 for c in PUBLIC_COMMENTS if c.publish
    )
    assert comments.filter(status=CommentStatus.REJECTED).exclude(moderation_reason="").count() == 1
    assert comments.filter(status=CommentStatus.UNVERIFIED).count() == 1
    assert all(second.comment_opens_on <= c.submitted_at.date() <= second.comment_closes_on for c in comments)
    for event_type, expected in (
        ("policy.comment_received", 6),
        ("policy.comment_verified", 5),
        ("policy.comment_moderated", 5),
    ):
        assert LedgerEntry.objects.filter(event_type=event_type).count() == expected

    # Training for 2026.2 written after the vote and completed by the demo's staff before the switch.
    (module,) = TrainingModule.objects.filter(version=second)
    completions = TrainingCompletion.objects.filter(module=module)
    assert set(completions.values_list("user__username", flat=True)) == {
        "clerk",
        "superintendent",
        "counsel",
        "admin",
        "principal",
    }
    assert all(c.completed_at < second.effective_from for c in completions)
    assert LedgerEntry.objects.filter(
        event_type="training.module_created", subject__training_module=module.pk
    ).exists()
    assert (
        LedgerEntry.objects.filter(
            event_type="training.completed", subject__training_module=module.pk
        ).count()
        == 5
    )
    # Version 1 kept its own module: the shipped module.json, written for 2026.1.
    assert TrainingModule.objects.filter(version=first).exists()

    # Requests carry the version in effect when they were received.
    before = Request.objects.filter(received_at__lt=second.effective_from)
    after = Request.objects.filter(received_at__gte=second.effective_from)
    assert before.exists() and after.exists()
    assert set(before.values_list("policy_sha256", flat=True)) == {first.sha256}
    assert set(after.values_list("policy_sha256", flat=True)) == {second.sha256}

    # Emergencies under 2026.2 were determined by the district (or, left until they ended, went back to
    # review); none is left waiting, and none under 2026.1 asked for a determination.
    determinations = EmergencyDetermination.objects.all()
    assert determinations.filter(found=True).exists()
    assert set(determinations.values_list("request__policy_sha256", flat=True)) == {second.sha256}
    assert not Item.objects.filter(state=ItemState.AWAITING_DETERMINATION).exists()
    assert not any(
        item.has_obligation("determine_emergency") for item in Item.objects.filter(request__in=before)
    )
    for item in Item.objects.filter(request__in=after, state=ItemState.RELEASED):
        if item.has_obligation("determine_emergency"):
            assert determinations.filter(request_student=item.request_student, found=True).exists()
    # A bulk request under 2026.2 releases nothing without review.
    bulk_items = [item for item in Item.objects.filter(request__in=after) if "B" in item.rules]
    assert all(item.outcome == "review" for item in bulk_items)

    # "What would change" over the year: requests triaged under 2026.1 differ; those triaged under 2026.2
    # do not (an item the district sent back to review keeps the policy's triage).
    report = simulate(engine_policy(second), since=first.created_at)
    assert any(change.received_at < second.effective_from for change in report.changed)
    assert not [change for change in report.changed if change.received_at >= second.effective_from]
    assert {"R1", "B"} <= dict(report.by_rule).keys()
    call_command("policy", "simulate", "2", "--months", "12")
    assert "items would change" in capsys.readouterr().out

    # The pages anyone reads: the history, version 2 with its comments and minutes, the diff.
    client = Client()
    listing = client.get("/policy/versions/").content.decode()
    assert "2026.1" in listing and "2026.2" in listing
    page = client.get("/policy/versions/2/").content.decode()
    assert second.minutes_url in page and "Citywide Parent Council" in page
    assert "14 Harbor Street" not in page
    diff = client.get("/policy/diff/?from=1&to=2")
    assert diff.status_code == 200
    assert "Added:" in diff.content.decode() and "Removed:" in diff.content.decode()

    call_command("ledger", "verify")


@pytest.mark.django_db
def test_a_district_that_used_version_1_keeps_it(world: World) -> None:
    casework.request_submit(
        agency=world.police, document=request_body(world.alice, categories=["academic"]), channel="api"
    )
    first = Version.objects.get(number=1)

    assert start_under_first_policy(installed_at=first.created_at) is False
    assert Version.objects.get(number=1).sha256 == first.sha256 == engine.default_policy().sha256
