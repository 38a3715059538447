"""A policy version from draft through public comment and adoption to effect, and what triage uses."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from brightline.casework import services as casework
from brightline.casework.triage import policy_for_request, policy_in_effect
from brightline.errors import Conflict, InvalidInput, NotAllowed
from brightline.ledger.models import LedgerEntry
from brightline.policy import engine
from brightline.policy.models import Version, VersionStatus
from brightline.policy.services import (
    policy_default_seed,
    policy_draft_create,
    policy_draft_update,
    policy_version_adopt,
    policy_version_make_effective,
    policy_version_open_comment,
)
from brightline.policy.tests.lifecycle_helpers import add_training, counsel_reviews_by_default, reworded_draft
from brightline.testing import World, request_body
from brightline.training.services import training_complete

pytestmark = pytest.mark.django_db

MINUTES = "https://school-committee.example/minutes/2026-04-01"
MEETING = "Regular meeting of the school committee"


def draft(world: World, text: str, label: str = "2026.3") -> Version:
    return policy_draft_create(
        author=world.legal_advisor, label=label, text=text, summary="Rule R4 in plainer words."
    )


def submit(world: World, received_at: dt.datetime | None = None, categories: tuple[str, ...] = ("academic",)):
    body = request_body(world.alice, categories=list(categories))
    return casework.request_submit(
        agency=world.police,
        document=body,
        channel="portal",
        submitted_by=world.detective,
        received_at=received_at,
    ).request


def test_the_shipped_default_is_version_1_in_effect_from_the_beginning(world: World) -> None:
    version = Version.objects.get(number=1)
    assert version.status == VersionStatus.EFFECTIVE and version.effective_from is None
    assert version.sha256 == engine.default_policy().sha256
    assert version.label == (engine.DEFAULT_DIR / "VERSION").read_text().strip()
    assert policy_in_effect(dt.datetime(1990, 1, 1, tzinfo=dt.UTC)).sha256 == version.sha256
    assert policy_default_seed() is None  # already recorded: nothing to do


def test_a_draft_goes_through_comment_and_adoption_and_takes_effect(world: World) -> None:
    police_records = ("law_enforcement_unit",)
    before_switch = submit(
        world, received_at=timezone.now() - dt.timedelta(days=2), categories=police_records
    )
    version = draft(world, reworded_draft())
    assert version.status == VersionStatus.DRAFT and version.number == 2
    today = timezone.localdate()
    policy_version_open_comment(
        version_id=version.pk, opened_by=world.superintendent, opens_on=today, closes_on=today
    )
    # The text is what the community reads: it no longer changes.
    with pytest.raises(Conflict):
        policy_draft_update(
            version_id=version.pk,
            author=world.legal_advisor,
            label="2026.3",
            text=reworded_draft(),
            summary="x",
        )
    with pytest.raises(InvalidInput, match="comment period is open"):
        policy_version_adopt(
            version_id=version.pk,
            recorded_by=world.superintendent,
            voted_on=today,
            minutes_url=MINUTES,
            meeting=MEETING,
            result="6 to 1",
        )

    with time_machine.travel(timezone.now() + dt.timedelta(days=3), tick=True):
        vote = timezone.localdate() - dt.timedelta(days=1)
        policy_version_adopt(
            version_id=version.pk,
            recorded_by=world.superintendent,
            voted_on=vote,
            minutes_url=MINUTES,
            meeting=MEETING,
            result="6 to 1",
        )
        with pytest.raises(InvalidInput, match="training"):
            policy_version_make_effective(version_id=version.pk, made_by=world.superintendent)
        add_training(Version.objects.get(pk=version.pk), world.legal_advisor)
        switch = timezone.now()
        policy_version_make_effective(
            version_id=version.pk, made_by=world.superintendent, effective_from=switch
        )

        version.refresh_from_db()
        first = Version.objects.get(number=1)
        assert version.status == VersionStatus.EFFECTIVE and version.effective_from == switch
        assert first.status == VersionStatus.SUPERSEDED and first.superseded_at == switch
        assert version.adopted_on == vote and version.minutes_url == MINUTES
        assert (version.vote_meeting, version.vote_result) == (MEETING, "6 to 1")

        after_switch = submit(world, categories=police_records)
        received_late = submit(world, received_at=switch - dt.timedelta(hours=1), categories=police_records)

    assert before_switch.policy_sha256 == first.sha256 and before_switch.policy_version == first.label
    assert received_late.policy_sha256 == first.sha256
    assert after_switch.policy_sha256 == version.sha256 and after_switch.policy_version == "2026.3"
    assert after_switch.items.get().explanation.endswith("for an investigation of a crime (rule R4).")
    assert before_switch.items.get().explanation.endswith("for a criminal investigation (rule R4).")
    assert received_late.items.get().explanation.endswith("for a criminal investigation (rule R4).")
    # Earlier results keep their version: the stored text is loaded by its sha256.
    assert policy_for_request(before_switch.policy_sha256).text == first.text
    assert policy_for_request(after_switch.policy_sha256).text == version.text
    events = list(LedgerEntry.objects.order_by("index").values_list("event_type", flat=True))
    lifecycle = [event for event in events if event.startswith("policy.")]
    assert lifecycle == [
        "policy.draft_created",
        "policy.comment_opened",
        "policy.adopted",
        "policy.superseded",
        "policy.effective",
    ]


def test_a_draft_opens_for_comment_only_when_every_policy_test_passes(world: World) -> None:
    version = draft(world, counsel_reviews_by_default())
    today = timezone.localdate()
    with pytest.raises(InvalidInput) as error:
        policy_version_open_comment(
            version_id=version.pk, opened_by=world.superintendent, opens_on=today, closes_on=today
        )
    assert any(
        "reviewer: expected superintendent, got legal_advisor" in message for _, message in error.value.errors
    )
    assert Version.objects.get(pk=version.pk).status == VersionStatus.DRAFT


def test_an_attached_suite_must_pass_too(world: World) -> None:
    suite = """{"cases": [{"name": "counsel vets a police request for grades",
      "case": {"request": {"requester": {"kind": "municipal_police"}, "purpose": "criminal_investigation",
               "categories": ["academic"], "students": [{"student_id": "S-1"}], "identified_by": "student_id"},
               "students": [{"student_id": "S-1", "directory_opt_out": false, "missing_child_flag": false,
                             "foster_care": false, "adjudicated": false}]},
      "expect": [{"category": "academic", "reviewer": "legal_advisor"}]}]}"""
    version = policy_draft_create(
        author=world.legal_advisor, label="2026.3", text=reworded_draft(), summary="x", test_suite=suite
    )
    today = timezone.localdate()
    with pytest.raises(InvalidInput, match="counsel vets a police request for grades"):
        policy_version_open_comment(
            version_id=version.pk, opened_by=world.legal_advisor, opens_on=today, closes_on=today
        )


def test_an_invalid_text_is_not_saved_and_only_policy_staff_draft(world: World) -> None:
    with pytest.raises(InvalidInput) as error:
        draft(world, reworded_draft().replace('Category::"discipline"', 'Category::"discpline"'))
    assert any("discpline" in message for _, message in error.value.errors)
    with pytest.raises(NotAllowed):
        policy_draft_create(author=world.clerk, label="x", text=reworded_draft(), summary="x")
    assert not Version.objects.filter(number=2).exists()


def test_only_an_adopted_version_takes_effect_and_never_in_the_past(world: World) -> None:
    version = draft(world, reworded_draft())
    with pytest.raises(Conflict):
        policy_version_make_effective(version_id=version.pk, made_by=world.superintendent)
    Version.objects.filter(pk=version.pk).update(status=VersionStatus.ADOPTED)
    add_training(version, world.legal_advisor)
    with pytest.raises(InvalidInput, match="never in the past"):
        policy_version_make_effective(
            version_id=version.pk,
            made_by=world.superintendent,
            effective_from=timezone.now() - dt.timedelta(days=1),
        )
    assert Version.objects.filter(status=VersionStatus.EFFECTIVE).count() == 1


def test_a_version_scheduled_for_later_governs_only_requests_received_from_then(world: World) -> None:
    version = draft(world, reworded_draft())
    Version.objects.filter(pk=version.pk).update(status=VersionStatus.ADOPTED)
    module = add_training(version, world.legal_advisor)
    later = timezone.now() + dt.timedelta(days=7)
    policy_version_make_effective(version_id=version.pk, made_by=world.superintendent, effective_from=later)
    assert policy_in_effect(timezone.now()).sha256 == engine.default_policy().sha256
    assert policy_in_effect(later + dt.timedelta(seconds=1)).sha256 == version.sha256
    # Staff can train ahead of the switch; until then the version in effect's training is what counts.
    training_complete(user=world.superintendent, module_id=module.pk, answers=[1], attested=True)
    request = submit(world)
    decision = casework.item_decide(
        item_id=request.items.get().pk, reviewer=world.superintendent, action="deny", rationale="No basis."
    )
    assert decision.pk
