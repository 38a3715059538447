"""Deadline reminders: the records office and the reviewers are told, once a day, of requests whose
decision is due within a business day or already overdue. Run `brightline remind_deadlines` from cron
(or the task `queue_deadline_reminders`); each reminder is emailed by the task worker."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from brightline.accounts.models import Role, User
from brightline.casework.calendar import DistrictCalendar, district_zone, end_of_day
from brightline.casework.models import DeadlineReminder, ItemState, ReminderKind, Request, RequestState
from brightline.vocabulary import label_en

UNDECIDED = (RequestState.AWAITING_MATCH, RequestState.IN_REVIEW, RequestState.AWAITING_DETERMINATION)


def roles_to_act(request: Request) -> list[str]:
    """Who must act next: the records office while a student is unmatched or an emergency waits for its
    determination, else the named reviewers."""
    if request.state in (RequestState.AWAITING_MATCH, RequestState.AWAITING_DETERMINATION):
        return [Role.RECORDS_CLERK]
    reviewers = request.items.filter(state=ItemState.PENDING_REVIEW).values_list("reviewer", flat=True)
    return sorted(set(reviewers))


def deadline_reminders_queue(
    *, now: dt.datetime | None = None, dry_run: bool = False
) -> list[DeadlineReminder]:
    """Create today's reminders (one per request and kind a day) and queue their emails on commit."""
    now = now or timezone.now()
    today = timezone.localtime(now, district_zone()).date()
    horizon = end_of_day(DistrictCalendar.load().add_business_days(today, 1))
    # A clock stopped for the requester's answer reminds nobody.
    due = Request.objects.filter(
        state__in=UNDECIDED, decision_due_at__lte=horizon, clock_paused_at__isnull=True
    ).order_by("decision_due_at")
    reminders: list[DeadlineReminder] = []
    for request in due:
        kind = ReminderKind.OVERDUE if request.decision_due_at < now else ReminderKind.DUE_SOON
        roles = roles_to_act(request)
        recipients = list(
            User.objects.filter(role__in=roles, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        reminder = DeadlineReminder(
            request=request, kind=kind, sent_on=today, roles=roles, recipients=recipients, queued_at=now
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
    from brightline.casework.tasks import send_deadline_reminder

    send_deadline_reminder.enqueue(reminder_id)


def deadline_reminder_send(*, reminder_id: int) -> DeadlineReminder:
    reminder = DeadlineReminder.objects.select_related("request").get(pk=reminder_id)
    if reminder.delivered_at is not None or not reminder.recipients:
        return reminder
    request = reminder.request
    due = timezone.localtime(request.decision_due_at, district_zone())
    status = "is overdue" if reminder.kind == ReminderKind.OVERDUE else "is due"
    send_mail(
        f"Request {request.reference}: decision {status} ({due:%a %b %d, %I:%M %p})",
        (
            f"Request {request.reference} from {request.agency_name} ({label_en('purpose', request.purpose).lower()}) "
            f"{status}: the decision deadline is {due:%A %B %d at %I:%M %p}.\n"
            f"Waiting for: {', '.join(str(Role(role).label).lower() for role in reminder.roles)}.\n"
            "Open Bright Line to act on it."
        ),
        settings.DEFAULT_FROM_EMAIL,
        reminder.recipients,
    )
    DeadlineReminder.objects.filter(pk=reminder.pk).update(delivered_at=timezone.now())
    reminder.refresh_from_db()
    return reminder


def requester_update_send(*, request_id: str, state: str) -> bool:
    """E-mail the person who submitted a request on the portal that its state changed, with a link to the
    portal page. It names the request and the state as the requester sees them, nothing about a student:
    what was released is read on the portal, behind the sign-in and the second factor."""
    request = Request.objects.select_related("submitted_by").filter(pk=request_id).first()
    if request is None or request.submitted_by is None or not request.submitted_by.email:
        return False
    label = RequestState(state).label
    link = f"{settings.SITE_URL.rstrip('/')}/portal/requests/{request.pk}/"
    send_mail(
        f"Request {request.reference}: {label.lower()}",
        (
            f"Your request {request.reference} to {settings.DISTRICT_NAME} is now: {label}.\n"
            f"Open it in the requester portal to see what was decided and what you may download:\n{link}\n\n"
            "This e-mail carries no student information."
        ),
        settings.DEFAULT_FROM_EMAIL,
        [request.submitted_by.email],
    )
    return True
