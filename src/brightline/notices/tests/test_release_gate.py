"""The casework gate releases an item waiting for advance notice only after every notice was delivered
and the notice period passed; a bounced email does not count."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from brightline.casework.models import ItemState
from brightline.casework.services import advance_notice_gate
from brightline.disclosures.services import packet_release
from brightline.errors import Conflict
from brightline.notices import services
from brightline.notices.conftest import Mailbox
from brightline.notices.models import FamilyNotice, NoticeKind, NoticeState
from brightline.notices.tests.helpers import subpoena_approved
from brightline.testing import World

pytestmark = pytest.mark.django_db

PERIOD = dt.timedelta(days=10)


@pytest.fixture(autouse=True)
def ten_day_period(settings) -> None:
    settings.ADVANCE_NOTICE_DAYS = 10


def test_release_waits_for_the_mailed_letter_and_then_the_full_period(
    world: World, smtp_server: Mailbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        request = subpoena_approved(world, world.alice)
    item = request.items.get()
    assert item.state == ItemState.AWAITING_NOTICE
    maria = FamilyNotice.objects.get(request=request, email="maria@example.org")
    jose = FamilyNotice.objects.get(request=request, recipient_name="José Rivera")
    assert maria.state == NoticeState.SENT and jose.state == NoticeState.QUEUED
    with pytest.raises(Conflict):
        packet_release(request_id=request.pk, released_by=world.clerk)
    # Long after the email, the letter to José is still owed: nothing is released.
    assert advance_notice_gate(request=request, now=timezone.now() + 3 * PERIOD) == []
    services.notice_mark_printed(notice_id=jose.pk, marked_by=world.clerk)
    assert advance_notice_gate(request=request, now=timezone.now() + 3 * PERIOD) == []
    mailed = services.notice_mark_mailed(notice_id=jose.pk, marked_by=world.clerk)
    # The period runs from the last delivery: the mailed letter.
    assert advance_notice_gate(request=request, now=mailed.sent_at + PERIOD - dt.timedelta(minutes=1)) == []
    with pytest.raises(Conflict):
        packet_release(request_id=request.pk, released_by=world.clerk)
    # The release itself happens once the period has really passed (it checks the notices again).
    with time_machine.travel(mailed.sent_at + PERIOD, tick=False):
        cleared = advance_notice_gate(request=request)
        assert [i.pk for i in cleared] == [item.pk]
        packet = packet_release(request_id=request.pk, released_by=world.clerk)
    assert [c["category"] for c in packet.content["students"][0]["categories"]] == ["attendance"]


def test_bounced_email_holds_the_release_until_its_letter_is_mailed(
    world: World, smtp_server: Mailbox, django_capture_on_commit_callbacks
) -> None:
    smtp_server.refuse.add("maria@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        request = subpoena_approved(world, world.alice)
    maria = FamilyNotice.objects.get(request=request, email="maria@example.org")
    jose = FamilyNotice.objects.get(request=request, recipient_name="José Rivera")
    assert maria.state == NoticeState.BOUNCED
    services.notice_mark_mailed(notice_id=jose.pk, marked_by=world.clerk)
    assert advance_notice_gate(request=request, now=timezone.now() + 3 * PERIOD) == []
    services.notice_mark_printed(notice_id=maria.pk, marked_by=world.clerk)
    mailed = services.notice_mark_mailed(notice_id=maria.pk, marked_by=world.clerk)
    assert advance_notice_gate(request=request, now=mailed.sent_at + PERIOD - dt.timedelta(seconds=1)) == []
    assert len(advance_notice_gate(request=request, now=mailed.sent_at + PERIOD)) == 1


def test_email_that_bounces_after_it_was_sent_no_longer_counts(
    world: World, smtp_server: Mailbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        request = subpoena_approved(world, world.alice)
    maria = FamilyNotice.objects.get(request=request, email="maria@example.org")
    jose = FamilyNotice.objects.get(request=request, recipient_name="José Rivera")
    services.notice_mark_mailed(notice_id=jose.pk, marked_by=world.clerk)
    services.notice_mark_bounced(
        notice_id=maria.pk, reason="returned: mailbox unavailable", marked_by=world.clerk
    )
    assert advance_notice_gate(request=request, now=timezone.now() + 3 * PERIOD) == []


def test_sealed_items_never_produce_a_family_notice(world: World) -> None:
    from brightline.casework import services as casework
    from brightline.testing import request_body

    body = request_body(
        world.alice,
        purpose="criminal_investigation",
        categories=["attendance"],
        legal_process={"kind": "grand_jury_subpoena", "nondisclosure_order": True},
    )
    request = casework.request_submit(
        agency=world.police, document=body, channel="portal", submitted_by=world.detective
    ).request
    item = request.items.get()
    casework.item_decide(
        item_id=item.pk,
        reviewer=world.legal_advisor,
        action="approve",
        rationale="Grand jury subpoena with a non-disclosure order.",
        lawful_basis="legal_process_received",
    )
    packet_release(request_id=request.pk, released_by=world.clerk)
    assert not FamilyNotice.objects.filter(request=request).exists()
    assert not FamilyNotice.objects.filter(kind=NoticeKind.ADVANCE).exists()
