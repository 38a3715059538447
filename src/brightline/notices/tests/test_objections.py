"""A voice before release: a family's objection holds the release until the reviewer decides."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from brightline.casework.models import Item, ItemState
from brightline.casework.services import advance_notice_gate
from brightline.disclosures.services import packet_release
from brightline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from brightline.ledger.models import LedgerEntry
from brightline.notices.models import FamilyNotice, NoticeKind, NoticeState, ObjectionState
from brightline.notices.selectors import family_voice, objection_pending
from brightline.notices.services import objection_decide, objection_enter, objection_raise
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db


def subpoena_told(world: World):
    """A police subpoena for Alice's attendance, approved by counsel, its advance notices delivered."""
    from brightline.casework import services as casework

    body = request_body(
        world.alice,
        purpose="criminal_investigation",
        categories=["attendance"],
        legal_process={"kind": "subpoena", "nondisclosure_order": False},
    )
    request = casework.request_submit(agency=world.police, document=body, channel="api").request
    for item in request.items.all():
        casework.item_decide(
            item_id=item.pk,
            reviewer=world.legal_advisor,
            action="approve",
            rationale="Valid subpoena received.",
            lawful_basis="legal_process_received",
        )
    FamilyNotice.objects.filter(request=request, kind=NoticeKind.ADVANCE).update(
        state=NoticeState.SENT, sent_at=timezone.now()
    )
    return request


def after_the_notice_period() -> time_machine.travel:
    return time_machine.travel(
        timezone.now() + dt.timedelta(days=settings.ADVANCE_NOTICE_DAYS, hours=1), tick=False
    )


def test_a_family_objection_holds_the_release_until_the_reviewer_overrules_it(world: World) -> None:
    request = subpoena_told(world)
    assert [
        release.request for release in family_voice(user=world.parent, student=world.alice).open_releases
    ] == [request]
    objection = objection_raise(
        request_id=request.pk,
        student=world.alice,
        raised_by=world.parent,
        text="She was a witness, not a suspect.",
    )
    assert objection_pending(request=request, student_id=world.alice.pk)
    with after_the_notice_period():
        assert advance_notice_gate(request=request) == []
        with pytest.raises(Conflict):
            packet_release(request_id=request.pk, released_by=world.clerk)
        with pytest.raises(InvalidInput):
            objection_decide(
                objection_id=objection.pk, decided_by=world.legal_advisor, action="overrule", reason=""
            )
        with pytest.raises(NotAllowed):
            objection_decide(objection_id=objection.pk, decided_by=world.clerk, action="overrule", reason="x")
        objection_decide(
            objection_id=objection.pk,
            decided_by=world.legal_advisor,
            action="overrule",
            reason="The subpoena is valid and asks only for attendance.",
        )
        packet = packet_release(request_id=request.pk, released_by=world.clerk)
    assert packet.request == request
    events = list(
        LedgerEntry.objects.filter(event_type__startswith="objection.").values_list("event_type", flat=True)
    )
    assert events == ["objection.raised", "objection.overruled"]


def test_an_upheld_objection_denies_the_waiting_items(world: World) -> None:
    request = subpoena_told(world)
    objection = objection_raise(
        request_id=request.pk, student=world.alice, raised_by=world.parent, text="No."
    )
    decided = objection_decide(
        objection_id=objection.pk, decided_by=world.legal_advisor, action="uphold", reason="Not needed."
    )
    assert decided.state == ObjectionState.UPHELD
    assert set(Item.objects.filter(request=request).values_list("state", flat=True)) == {ItemState.DENIED}
    assert Item.objects.get(request=request).decision.rationale == "Family's objection upheld: Not needed."


def test_the_records_office_enters_an_objection_from_a_letter_and_others_cannot_object(world: World) -> None:
    request = subpoena_told(world)
    with pytest.raises(NotFound):
        objection_raise(request_id=request.pk, student=world.alice, raised_by=world.other_parent, text="x")
    objection = objection_enter(
        reference=request.reference,
        student_sis_id="S-1001",
        raised_by_name="José Rivera",
        text="I object to this release.",
        entered_by=world.clerk,
    )
    assert objection.channel == "letter_reply" and objection_pending(
        request=request, student_id=world.alice.pk
    )
    with pytest.raises(NotAllowed):
        objection_enter(
            reference=request.reference,
            student_sis_id="S-1001",
            raised_by_name="x",
            text="y",
            entered_by=world.parent,
        )


def test_there_is_nothing_to_object_to_once_no_release_waits(world: World) -> None:
    from brightline.casework import services as casework

    request = casework.request_submit(
        agency=world.police, document=request_body(world.alice, categories=["directory"]), channel="api"
    ).request
    with pytest.raises(Conflict):
        objection_raise(request_id=request.pk, student=world.alice, raised_by=world.parent, text="x")


def test_a_parent_objects_from_the_family_page_and_reads_that_the_release_is_held(
    world, client, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.REQUIRE_MFA = False
    request = subpoena_told(world)
    client.force_login(world.parent)
    page = client.get("/family/").content.decode()
    assert "Object to this release" in page and request.reference in page
    response = client.post(
        f"/family/students/{world.alice.pk}/requests/{request.pk}/object", {"text": "She was only a witness."}
    )
    assert response.status_code == 302
    page = client.get("/family/").content.decode()
    assert "waiting for the reviewer; the release is held" in page
    client.force_login(world.legal_advisor)
    assert "She was only a witness." in client.get("/notices/objections/").content.decode()
