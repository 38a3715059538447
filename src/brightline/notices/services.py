"""Writes for family notices: queueing them where the law asks, delivering, marking letters mailed."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from brightline.accounts.models import Role, User
from brightline.errors import Conflict, NotAllowed, NotFound
from brightline.ledger.services import ledger_append
from brightline.notices.models import FamilyNotice, NoticeChannel, NoticeKind, NoticeState
from brightline.notices.selectors import notice_recipients
from brightline.roster.models import Student


def _queue(*, kind: str, request: Any, student: Student, categories: list[str]) -> list[FamilyNotice]:
    now = timezone.now()
    notices = []
    for recipient in notice_recipients(student):
        notices.append(
            FamilyNotice.objects.create(
                kind=kind,
                request=request,
                student=student,
                guardian=recipient.guardian,
                recipient_name=recipient.name,
                email=recipient.email,
                postal_address=recipient.postal_address,
                language=recipient.language,
                channel=NoticeChannel.EMAIL if recipient.email else NoticeChannel.LETTER,
                categories=categories,
                queued_at=now,
            )
        )
    for notice in notices:
        ledger_append(
            event_type="notice.queued",
            subject={"notice": notice.pk, "request": str(request.pk) if request else ""},
            record={
                "notice": notice.pk,
                "kind": kind,
                "channel": notice.channel,
                "language": notice.language,
            },
        )
        if notice.channel == NoticeChannel.EMAIL:
            transaction.on_commit(partial(notice_send_email, notice_id=notice.pk))
    return notices


def advance_notices_queue(*, request: Any, student: Student, items: Iterable[Any]) -> list[FamilyNotice]:
    """Queue the advance notice to every guardian with notice rights (or the eligible student), once.

    Sealed items never reach here: the policy gives them no family notice.
    """
    categories = sorted({item.category for item in items if "sealed_record" not in item.obligations})
    if not categories:
        return []
    existing = FamilyNotice.objects.filter(request=request, student=student, kind=NoticeKind.ADVANCE)
    if existing.exists():
        # One notice per student per request; categories decided later ride on the same notice period.
        return []
    return _queue(kind=NoticeKind.ADVANCE, request=request, student=student, categories=categories)


def after_release_notices_queue(
    *, request: Any, student: Student, categories: list[str]
) -> list[FamilyNotice]:
    if not categories:
        return []
    return _queue(kind=NoticeKind.AFTER_RELEASE, request=request, student=student, categories=categories)


def notice_text(notice: FamilyNotice) -> tuple[str, str]:
    """Subject and body of a notice (English; the translated letters build on the same facts)."""
    request = notice.request
    student = notice.student
    who = f"{request.agency_name}" if request else "an outside party"
    what = ", ".join(category.replace("_", " ") for category in notice.categories)
    name = f"{student.first_name} {student.last_name}" if student else "your child"
    if notice.kind == NoticeKind.ADVANCE:
        subject = "Notice before student records are released"
        body = (
            f"{who} has asked the district for these records of {name}: {what}.\n"
            f"Reference {request.reference if request else ''}. The district will not release them for at least "
            "the notice period stated in its policy, so that you can seek protective action.\n"
            "You can see every request and disclosure in the family portal."
        )
    else:
        subject = "Student records were released"
        body = (
            f"The district released these records of {name} to {who}: {what}.\n"
            f"Reference {request.reference if request else ''}. The release is in {name}'s record of disclosures "
            "in the family portal."
        )
    return subject, body


@transaction.atomic
def notice_mark_sent(*, notice_id: int) -> FamilyNotice:
    notice = FamilyNotice.objects.select_for_update().get(pk=notice_id)
    notice.state = NoticeState.SENT
    notice.sent_at = timezone.now()
    notice.attempts += 1
    notice.save(update_fields=["state", "sent_at", "attempts"])
    ledger_append(
        event_type="notice.sent",
        subject={"notice": notice.pk},
        record={"notice": notice.pk, "channel": notice.channel, "sent_at": notice.sent_at.isoformat()},
    )
    return notice


@transaction.atomic
def notice_record_failure(*, notice_id: int, error: str) -> FamilyNotice:
    notice = FamilyNotice.objects.select_for_update().get(pk=notice_id)
    notice.attempts += 1
    notice.last_error = error[:2000]
    notice.save(update_fields=["attempts", "last_error"])
    return notice


def notice_send_email(*, notice_id: int) -> FamilyNotice:
    """Deliver one queued email notice through the configured SMTP server; failures stay queued."""
    notice = FamilyNotice.objects.select_related("request", "student").get(pk=notice_id)
    if notice.state != NoticeState.QUEUED or notice.channel != NoticeChannel.EMAIL:
        return notice
    subject, body = notice_text(notice)
    try:
        send_mail(subject, body, None, [notice.email])
    except OSError as error:
        return notice_record_failure(notice_id=notice_id, error=str(error))
    return notice_mark_sent(notice_id=notice_id)


@transaction.atomic
def notice_mark_mailed(*, notice_id: int, marked_by: User) -> FamilyNotice:
    """The records office printed a letter and put it in the mail."""
    if marked_by.role not in (Role.RECORDS_CLERK, Role.ADMIN):
        raise NotAllowed("only the records office marks letters mailed")
    notice = FamilyNotice.objects.select_for_update().filter(pk=notice_id).first()
    if notice is None:
        raise NotFound("no such notice")
    if notice.state in (NoticeState.SENT, NoticeState.MAILED):
        raise Conflict("this notice was already delivered")
    notice.state = NoticeState.MAILED
    notice.sent_at = timezone.now()
    notice.marked_by = marked_by
    notice.save(update_fields=["state", "sent_at", "marked_by"])
    ledger_append(
        event_type="notice.mailed",
        subject={"notice": notice.pk},
        record={"notice": notice.pk, "marked_by": marked_by.pk, "sent_at": notice.sent_at.isoformat()},
    )
    return notice
