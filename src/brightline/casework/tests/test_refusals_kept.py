"""The refusals whoever the student is are kept per policy and request facts only where the moment of
evaluation cannot change them."""

from __future__ import annotations

import pytest
from django.utils import timezone

from brightline.casework import triage
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db


def test_kept_refusals_are_the_ones_computed_and_never_shared_between_requests(world: World) -> None:
    policy = triage.policy_in_effect(timezone.now())
    for overrides in (
        {"purpose": "civil_immigration_enforcement"},
        {"onward_recipients": ["immigration_enforcement"]},
        {},
        {"purpose": "juvenile_justice"},
    ):
        body = request_body(categories=["directory", "attendance", "contact"], **overrides)
        body["students"] = [{"first_name": "Nadia", "last_name": "Nobody", "birth_date": "2012-02-02"}]
        body["requester"] = {
            "kind": "municipal_police",
            "agency": "City Police",
            "name": "Det. K",
            "position": "",
        }
        now = timezone.now()
        kept = triage.refusals_whoever_the_student(body, now, policy, identified_by="name_and_birth_date")
        again = triage.refusals_whoever_the_student(body, now, policy, identified_by="name_and_birth_date")
        fresh = triage._refusals_whoever_the_student(body, now, policy, identified_by="name_and_birth_date")
        assert kept == again == fresh
        kept.clear()  # a caller's change never reaches the kept answer
        assert (
            triage.refusals_whoever_the_student(body, now, policy, identified_by="name_and_birth_date")
            == fresh
        )


def test_a_policy_that_reads_the_time_otherwise_is_never_kept() -> None:
    sunset = 'permit (principal, action, resource) when { principal.evaluated_at < datetime("2027-01-01T00:00:00Z") };'
    assert not triage._time_only_through_emergency(sunset)
    emergency = "when { principal has emergency && principal.evaluated_at < principal.emergency.ends_at };"
    assert triage._time_only_through_emergency(emergency)


def test_requests_that_differ_only_in_their_words_share_one_answer_and_facts_never_do(world: World) -> None:
    policy = triage.policy_in_effect(timezone.now())
    now = timezone.now()
    triage._WHOEVER_KEPT.clear()

    def body(**overrides: object) -> dict[str, object]:
        made = request_body(categories=["directory", "attendance"], **overrides)
        made["students"] = [{"first_name": "Nadia", "last_name": "Nobody", "birth_date": "2012-02-02"}]
        made["requester"] = {"kind": "municipal_police", "agency": "City Police", "name": "Det. K"}
        return made

    first = body(description="Burglary on Elm Street")
    worded = body(description="Another account entirely")
    worded["requester"] = {"kind": "municipal_police", "agency": "Transit Police", "name": "Det. Other"}
    for document in (first, worded):
        triage.refusals_whoever_the_student(document, now, policy, identified_by="name_and_birth_date")
    assert len(triage._WHOEVER_KEPT) == 1

    immigration = body(description="Burglary on Elm Street", onward_recipients=["immigration_enforcement"])
    refused = triage.refusals_whoever_the_student(
        immigration, now, policy, identified_by="name_and_birth_date"
    )
    assert len(triage._WHOEVER_KEPT) == 2
    assert refused == triage._refusals_whoever_the_student(
        immigration, now, policy, identified_by="name_and_birth_date"
    )
    assert refused and refused != triage.refusals_whoever_the_student(
        first, now, policy, identified_by="name_and_birth_date"
    )
