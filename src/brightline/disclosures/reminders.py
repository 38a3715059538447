"""Nothing kept from a family for ever: once a day (`brightline withheld_due`, or the task
`withheld_due_daily`) the non-disclosure orders whose end date has come are ended, and counsel and the
administrator are reminded of every entry kept from a family that comes due within a business day or is
overdue: an order that ends, an order "until further order" whose review is due, a decision about
telling a family (abuse investigations), and an order that ended today. At most one reminder a day for
each subject and kind; each is emailed by the task worker. Reminders name the request's reference,
never a student."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from brightline.accounts.models import Role, User
from brightline.casework.calendar import DistrictCalendar, district_zone
from brightline.disclosures import followers
from brightline.disclosures.models import (
    NondisclosureOrder,
    WithheldReminder,
    WithheldReminderKind,
)
from brightline.disclosures.selectors import orders_in_force

ORDER_ROLES: list[str] = [Role.ADMIN, Role.LEGAL_ADVISOR]


@dataclass(frozen=True)
class Due:
    subject: str
    reference: str
    kind: str
    due_at: dt.datetime
    roles: list[str]


def _due(*, now: dt.datetime) -> list[Due]:
    today = timezone.localtime(now, district_zone()).date()
    horizon = DistrictCalendar.load().add_business_days(today, 1)
    found: list[Due] = []
    for standing in orders_in_force():
        if standing.due_at.astimezone(district_zone()).date() > horizon:
            continue
        found.append(
            Due(
                subject=f"request:{standing.request.pk}",
                reference=standing.request.reference,
                kind=WithheldReminderKind.ORDER_REVIEW
                if standing.until_further_order
                else WithheldReminderKind.ORDER_ENDS,
                due_at=standing.due_at,
                roles=ORDER_ROLES,
            )
        )
    start_of_today = dt.datetime.combine(today, dt.time.min, tzinfo=district_zone())
    for order in NondisclosureOrder.objects.filter(ended_at__gte=start_of_today, request__isnull=False):
        assert order.ended_at is not None
        found.append(
            Due(
                subject=f"request:{order.request_id}",
                reference=order.reference,
                kind=WithheldReminderKind.ORDER_ENDED,
                due_at=order.ended_at,
                roles=ORDER_ROLES,
            )
        )
    decisions = followers.notices().decisions_due(
        until=dt.datetime.combine(horizon, dt.time.max, tzinfo=district_zone())
    )
    for decision in decisions:
        found.append(
            Due(
                subject=f"family_notice_decision:{decision.pk}",
                reference=decision.reference,
                kind=WithheldReminderKind.FAMILY_NOTICE_DECISION,
                due_at=decision.due_at,
                roles=[str(Role.ADMIN)],
            )
        )
    return found


def withheld_reminders_queue(
    *, now: dt.datetime | None = None, dry_run: bool = False
) -> list[WithheldReminder]:
    """Create today's reminders (one per subject and kind a day) and queue their emails on commit."""
    now = now or timezone.now()
    today = timezone.localtime(now, district_zone()).date()
    reminders: list[WithheldReminder] = []
    for due in _due(now=now):
        recipients = list(
            User.objects.filter(role__in=due.roles, is_active=True)
            .exclude(email="")
            .order_by("pk")
            .values_list("email", flat=True)
        )
        reminder = WithheldReminder(
            subject=due.subject,
            reference=due.reference,
            kind=due.kind,
            overdue=due.due_at < now,
            due_at=due.due_at,
            sent_on=today,
            roles=[str(role) for role in due.roles],
            recipients=recipients,
            queued_at=now,
        )
        if dry_run:
            reminders.append(reminder)
            continue
        try:
            with transaction.atomic():
                reminder.save()
                transaction.on_commit(partial(_enqueue, reminder.pk))
        except IntegrityError:
            continue  # already reminded today
        reminders.append(reminder)
    return reminders


def _enqueue(reminder_id: int) -> None:
    from brightline.disclosures.tasks import send_withheld_reminder

    send_withheld_reminder.enqueue(reminder_id)


def reminder_text(reminder: WithheldReminder) -> tuple[str, str]:
    """Subject and body of a reminder, in plain English for district staff."""
    due = timezone.localtime(reminder.due_at, district_zone())
    when = f"{due:%A %B} {due.day}, {due:%Y}"
    link = settings.SITE_URL.rstrip("/")
    if reminder.kind == WithheldReminderKind.ORDER_ENDS:
        subject = f"Request {reminder.reference}: the non-disclosure order ends {when}"
        body = (
            f"The non-disclosure order on request {reminder.reference} ends on {when}. That day its sealed "
            "entries in the record of disclosures become visible to the family, and the family is told.\n"
            "If the order was extended, record its new end date before then."
        )
        page = "/administration/nondisclosure-orders/"
    elif reminder.kind == WithheldReminderKind.ORDER_REVIEW:
        status = "was due" if reminder.overdue else "is due"
        subject = f"Request {reminder.reference}: review of the non-disclosure order {status} ({when})"
        body = (
            f"The non-disclosure order on request {reminder.reference} runs until further order. Counsel's "
            f"review {status} by {when}: record that it is still in force, record its end date, or reveal "
            "the sealed entries to the family with a reason."
        )
        page = "/administration/nondisclosure-orders/"
    elif reminder.kind == WithheldReminderKind.ORDER_ENDED:
        subject = f"Request {reminder.reference}: the non-disclosure order ended"
        body = (
            f"The non-disclosure order on request {reminder.reference} ended on {when}. Its entries in the "
            "record of disclosures are now visible to the family, and the family was sent a notice."
        )
        page = "/administration/nondisclosure-orders/"
    else:
        status = "is overdue" if reminder.overdue else "is due"
        subject = f"Request {reminder.reference}: the decision about telling the family {status}"
        body = (
            f"Entries of {reminder.reference} are kept from the family until an administrator decides. The "
            f"decision {status} by {when}: tell the family, or say why not and when you will decide again."
        )
        page = "/administration/family-notices/"
    return subject, f"{body}\nOpen Bright Line: {link}{page}\nThis e-mail names no student."


def withheld_reminder_send(*, reminder_id: int) -> WithheldReminder:
    reminder = WithheldReminder.objects.get(pk=reminder_id)
    if reminder.delivered_at is not None or not reminder.recipients:
        return reminder
    subject, body = reminder_text(reminder)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, list(reminder.recipients))
    WithheldReminder.objects.filter(pk=reminder.pk).update(delivered_at=timezone.now())
    reminder.refresh_from_db()
    return reminder
