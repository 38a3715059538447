"""Nothing sealed for ever: a non-disclosure order ends on its date (or is reviewed by counsel until
further order), an administrator reveals its entries early with a reason, and the family then reads them
and is told in its own language; counsel and the administrator are reminded as each comes due."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from brightline.accounts.models import Role, User
from brightline.casework import services as casework
from brightline.casework.models import Request
from brightline.disclosures.models import (
    DisclosureEntry,
    NondisclosureOrder,
    NondisclosureOrderState,
    WithheldReminder,
    WithheldReminderKind,
)
from brightline.disclosures.reminders import withheld_reminder_send, withheld_reminders_queue
from brightline.disclosures.selectors import family_record, nondisclosure_orders_in_force
from brightline.disclosures.services import (
    nondisclosure_order_record,
    nondisclosure_order_reveal,
    nondisclosure_orders_end_due,
    packet_release,
)
from brightline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from brightline.ledger.models import LedgerEntry
from brightline.ledger.row_checks import verify_rows
from brightline.notices.models import FamilyNotice, NoticeKind
from brightline.notices.services import notice_text
from brightline.testing import World, make_user, request_body

pytestmark = pytest.mark.django_db


def administrator() -> User:
    return make_user("admin", Role.ADMIN, first="Ana", last="Admin", position="Deputy Superintendent")


def sealed_subpoena(world: World, *, release: bool = True) -> Request:
    """A police subpoena for Alice's attendance with an order not to tell the family, approved by counsel
    and released: both entries of Alice's record are sealed and no notice went out."""
    body = request_body(
        world.alice,
        purpose="criminal_investigation",
        categories=["attendance"],
        legal_process={"kind": "subpoena", "nondisclosure_order": True},
    )
    request = casework.request_submit(agency=world.police, document=body, channel="api").request
    for item in request.items.all():
        casework.item_decide(
            item_id=item.pk,
            reviewer=world.legal_advisor,
            action="approve",
            rationale="Valid subpoena with a gag order.",
            lawful_basis="legal_process_received",
        )
    if release:
        packet_release(request_id=request.pk, released_by=world.clerk)
    return request


def test_sealed_entries_appear_when_the_order_ends_and_the_family_is_told_in_its_language(
    world: World,
) -> None:
    request = sealed_subpoena(world)
    assert DisclosureEntry.objects.filter(request=request, sealed=True).count() == 2
    assert family_record(user=world.parent, student=world.alice) == []
    assert not FamilyNotice.objects.filter(request=request).exists()
    ends_on = timezone.localdate() + dt.timedelta(days=30)
    order = nondisclosure_order_record(
        request_id=request.pk, ends_on=ends_on, recorded_by=world.legal_advisor, note="Suffolk Superior Court"
    )
    assert order.review_on is None

    # Not yet: the day before the end date nothing changes.
    assert nondisclosure_orders_end_due(now=timezone.now() + dt.timedelta(days=28)) == []
    assert family_record(user=world.parent, student=world.alice) == []

    [ended] = nondisclosure_orders_end_due(now=timezone.now() + dt.timedelta(days=31))
    assert ended.state == NondisclosureOrderState.ENDED and ended.ended_by is None
    record = family_record(user=world.parent, student=world.alice)
    assert {row.entry.kind for row in record} == {"request", "disclosure"}
    released = next(row for row in record if row.entry.kind == "disclosure")
    assert released.released_by == "Rita Clerk, Records Manager"
    assert released.sealed_until == timezone.localdate(ended.ended_at)
    # Each guardian is told, in the language the family chose (Spanish), with English alongside.
    notices = list(FamilyNotice.objects.filter(request=request, kind=NoticeKind.ORDER_ENDED))
    assert sorted(notice.recipient_name for notice in notices) == ["José Rivera", "Maria Rivera"]
    assert {notice.language for notice in notices} == {"es"}
    subject, body = notice_text(notices[0])
    assert "Registro de divulgaciones de Alice Rivera" in subject
    assert "Una orden legal no permitía al distrito escolar informarle de esto hasta el" in body
    assert "A legal order did not allow the school district to tell you about this until" in body
    # Every step is in the ledger, and the rows still agree with it.
    events = list(LedgerEntry.objects.order_by("index").values_list("event_type", flat=True))
    assert "nondisclosure_order.recorded" in events and "nondisclosure_order.ended" in events
    assert verify_rows().messages() == []
    # The daily job does not end it twice.
    assert nondisclosure_orders_end_due(now=timezone.now() + dt.timedelta(days=32)) == []


def test_an_administrator_reveals_the_entries_early_with_a_reason(world: World) -> None:
    request = sealed_subpoena(world)
    admin = administrator()
    with pytest.raises(InvalidInput) as blank:
        nondisclosure_order_reveal(request_id=request.pk, revealed_by=admin, reason="  ")
    assert blank.value.errors[0][0] == "reason"
    with pytest.raises(NotAllowed):
        nondisclosure_order_reveal(request_id=request.pk, revealed_by=world.clerk, reason="Lifted.")
    order = nondisclosure_order_reveal(
        request_id=request.pk, revealed_by=admin, reason="The court lifted the order on the 2nd."
    )
    assert order.state == NondisclosureOrderState.REVEALED
    assert order.ended_by_name == "Ana Admin" and order.end_reason == "The court lifted the order on the 2nd."
    assert len(family_record(user=world.parent, student=world.alice)) == 2
    assert FamilyNotice.objects.filter(request=request, kind=NoticeKind.ORDER_ENDED).count() == 2
    with pytest.raises(Conflict):
        nondisclosure_order_reveal(request_id=request.pk, revealed_by=admin, reason="Again.")
    with pytest.raises(Conflict):
        nondisclosure_order_record(
            request_id=request.pk, ends_on=timezone.localdate() + dt.timedelta(days=3), recorded_by=admin
        )
    assert verify_rows().messages() == []


def test_counsel_records_the_terms_and_bad_terms_name_the_field(world: World) -> None:
    request = sealed_subpoena(world, release=False)
    with pytest.raises(InvalidInput) as past:
        nondisclosure_order_record(
            request_id=request.pk, ends_on=timezone.localdate(), recorded_by=world.legal_advisor
        )
    assert past.value.errors[0][0] == "ends_on"
    with pytest.raises(NotAllowed):
        nondisclosure_order_record(request_id=request.pk, ends_on=None, recorded_by=world.superintendent)
    open_body = request_body(world.ben, categories=["directory"])
    plain = casework.request_submit(agency=world.police, document=open_body, channel="api").request
    with pytest.raises(NotFound):
        nondisclosure_order_record(request_id=plain.pk, ends_on=None, recorded_by=world.legal_advisor)
    [standing] = nondisclosure_orders_in_force(user=world.legal_advisor)
    assert standing.order is None and standing.until_further_order
    assert standing.review_on == timezone.localdate(request.received_at) + dt.timedelta(
        days=settings.NONDISCLOSURE_REVIEW_DAYS
    )
    order = nondisclosure_order_record(request_id=request.pk, ends_on=None, recorded_by=world.legal_advisor)
    assert order.review_on == timezone.localdate() + dt.timedelta(days=settings.NONDISCLOSURE_REVIEW_DAYS)
    with pytest.raises(NotAllowed):
        nondisclosure_orders_in_force(user=world.clerk)


def test_a_release_after_the_order_ended_is_not_sealed(world: World) -> None:
    request = sealed_subpoena(world, release=False)
    nondisclosure_order_reveal(request_id=request.pk, revealed_by=administrator(), reason="Order vacated.")
    packet_release(request_id=request.pk, released_by=world.clerk)
    assert not DisclosureEntry.objects.filter(request=request, sealed=True).exists()
    assert {row.entry.kind for row in family_record(user=world.parent, student=world.alice)} == {
        "request",
        "disclosure",
    }


def test_counsel_and_the_administrator_are_reminded_once_a_day_as_each_comes_due(world: World) -> None:
    admin = administrator()
    ending = sealed_subpoena(world)
    nondisclosure_order_record(
        request_id=ending.pk, ends_on=timezone.localdate() + dt.timedelta(days=20), recorded_by=admin
    )
    unreviewed = sealed_subpoena(world)
    assert withheld_reminders_queue() == []

    later = timezone.now() + dt.timedelta(days=settings.NONDISCLOSURE_REVIEW_DAYS + 1)
    reminders = withheld_reminders_queue(now=later)
    by_kind = {reminder.kind: reminder for reminder in reminders}
    review = by_kind[WithheldReminderKind.ORDER_REVIEW]
    assert review.reference == unreviewed.reference and review.overdue
    assert sorted(review.recipients) == sorted([admin.email, world.legal_advisor.email])
    # The order with an end date ended by then only once the daily job runs; until then it is reminded.
    assert by_kind[WithheldReminderKind.ORDER_ENDS].reference == ending.reference
    assert withheld_reminders_queue(now=later) == []  # once a day

    withheld_reminder_send(reminder_id=review.pk)
    [sent] = mail.outbox
    assert sent.subject.startswith(
        f"Request {unreviewed.reference}: review of the non-disclosure order was due"
    )
    assert "Alice" not in sent.body and "/administration/nondisclosure-orders/" in sent.body
    assert WithheldReminder.objects.get(pk=review.pk).delivered_at is not None


def test_a_family_notice_decision_coming_due_reminds_the_administrator(world: World) -> None:
    from brightline.disclosures.services import after_the_fact_record

    administrator()
    after_the_fact_record(
        student=world.alice,
        kind="abuse_report",
        disclosed_at=timezone.now() - dt.timedelta(hours=2),
        recipient_name="Hotline worker",
        recipient_position="",
        recipient_affiliation="Department of Children and Families",
        recipient_kind="child_protective_services",
        categories=["health"],
        details="Bruises reported by the school nurse.",
        recorded_by=world.clerk,
    )
    soon = timezone.now() + dt.timedelta(days=settings.FAMILY_NOTICE_HOLD_DAYS + 1)
    [reminder] = withheld_reminders_queue(now=soon)
    assert reminder.kind == WithheldReminderKind.FAMILY_NOTICE_DECISION and reminder.overdue
    assert reminder.roles == [Role.ADMIN]


def test_the_daily_command_with_dry_run_ends_and_sends_nothing(world: World) -> None:
    from io import StringIO

    request = sealed_subpoena(world)
    nondisclosure_order_record(
        request_id=request.pk,
        ends_on=timezone.localdate() + dt.timedelta(days=1),
        recorded_by=world.legal_advisor,
    )
    out = StringIO()
    call_command("withheld_due", "--dry-run", stdout=out)
    assert "0 orders would end." in out.getvalue()
    assert f"{request.reference}: a non-disclosure order ends" in out.getvalue()
    assert not WithheldReminder.objects.exists()
    assert NondisclosureOrder.objects.get(request=request).state == NondisclosureOrderState.IN_FORCE
