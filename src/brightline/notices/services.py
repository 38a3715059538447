"""Writes for family notices: queueing them where the law asks, sending email with retries, falling back
to printed letters, and the records office's marks (printed, mailed, bounced).

Every state change of a notice appends a ledger entry in the same transaction. Email is sent outside
any transaction: a send is first claimed with a conditional update (a lease), so two workers never send
the same notice twice, and the SMTP conversation holds no database lock.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from brightline.accounts.models import Role, User
from brightline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from brightline.ledger.services import ledger_append
from brightline.notices.catalogs import catalog_sha256, translated_languages
from brightline.notices.models import (
    CatalogReview,
    FamilyNotice,
    NoticeChannel,
    NoticeKind,
    NoticeState,
)
from brightline.notices.selectors import Recipient, notice_recipients
from brightline.roster.models import Guardian, GuardianRelationship, Student

# Waits before the 2nd, 3rd ... email attempt; after the last one the email counts as bounced and the
# records office prints a letter instead.
EMAIL_BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),
)
MAX_EMAIL_ATTEMPTS = len(EMAIL_BACKOFF) + 1
# How long a claimed send keeps other workers away (longer than any SMTP timeout).
SEND_LEASE = dt.timedelta(minutes=10)
SMTP_TIMEOUT_SECONDS = 30
# 603 CMR 23.07(5)(c): the non-custodial parent is given access 21 days after the custodial parent is told.
CUSTODIAL_NOTICE_DAYS = 21
LETTER_ROLES = frozenset({Role.RECORDS_CLERK, Role.ADMIN})


def _ledger(notice: FamilyNotice, event: str, **record: Any) -> None:
    subject: dict[str, int | str] = {"notice": notice.pk}
    if notice.request_id is not None:
        subject["request"] = str(notice.request_id)
    ledger_append(
        event_type=f"notice.{event}",
        subject=subject,
        record={"notice": notice.pk, "kind": notice.kind, "state": notice.state, **record},
    )


def _create(
    *,
    kind: str,
    request: Any,
    student: Student,
    recipient: Recipient,
    categories: list[str],
    details: dict[str, Any] | None = None,
    requested_by: User | None = None,
) -> FamilyNotice:
    notice = FamilyNotice.objects.create(
        kind=kind,
        request=request,
        student=student,
        guardian=recipient.guardian,
        recipient_name=recipient.name,
        email=recipient.email,
        postal_address=recipient.postal_address,
        language=recipient.language if recipient.language in dict(settings.LANGUAGES) else "en",
        channel=NoticeChannel.EMAIL if recipient.email else NoticeChannel.LETTER,
        categories=categories,
        details=details or {},
        queued_at=timezone.now(),
        requested_by=requested_by,
    )
    _ledger(notice, "queued", channel=notice.channel, language=notice.language)
    if notice.channel == NoticeChannel.EMAIL:
        transaction.on_commit(partial(notice_email_enqueue, notice_id=notice.pk))
    return notice


def _queue(
    *,
    kind: str,
    request: Any,
    student: Student,
    categories: list[str],
    details: dict[str, Any] | None = None,
) -> list[FamilyNotice]:
    return [
        _create(
            kind=kind,
            request=request,
            student=student,
            recipient=recipient,
            categories=categories,
            details=details,
        )
        for recipient in notice_recipients(student)
    ]


@transaction.atomic
def advance_notices_queue(*, request: Any, student: Student, items: Iterable[Any]) -> list[FamilyNotice]:
    """Queue the advance notice to every guardian with notice rights (or the eligible student), once.

    Sealed items never reach a family: a non-disclosure order gives them no notice.
    """
    categories = sorted({item.category for item in items if "sealed_record" not in item.obligations})
    if not categories:
        return []
    existing = FamilyNotice.objects.filter(request=request, student=student, kind=NoticeKind.ADVANCE)
    if existing.exists():
        # One notice per student per request; categories decided later ride on the same notice period.
        return []
    return _queue(kind=NoticeKind.ADVANCE, request=request, student=student, categories=categories)


@transaction.atomic
def after_release_notices_queue(
    *, request: Any, student: Student, categories: list[str], entry: Any | None = None
) -> list[FamilyNotice]:
    """Tell the family after an emergency release. `entry` (a DisclosureEntry) names the party and the
    date when the release was recorded after the fact, without a request."""
    if not categories:
        return []
    if entry is not None and (entry.sealed or entry.withheld_from_family):
        return []
    released_at = entry.occurred_at if entry is not None else timezone.now()
    details: dict[str, Any] = {"released_on": timezone.localdate(released_at).isoformat()}
    if entry is not None:
        details["party"] = entry.party_affiliation
    return _queue(
        kind=NoticeKind.AFTER_RELEASE,
        request=request,
        student=student,
        categories=sorted(set(categories)),
        details=details,
    )


def _family_member(*, student: Student, user: User) -> Recipient:
    """The requester as a notice recipient: their guardian record, or the eligible student themself."""
    relationship = (
        GuardianRelationship.objects.select_related("guardian")
        .filter(student=student, guardian__user=user, has_notice_rights=True)
        .first()
    )
    if relationship is not None:
        guardian = relationship.guardian
        return Recipient(
            name=f"{guardian.first_name} {guardian.last_name}",
            email=guardian.email,
            postal_address="\n".join(guardian.postal_address_lines),
            language=guardian.preferred_language,
            guardian=guardian,
        )
    for recipient in notice_recipients(student):
        if recipient.guardian is None and student.user_id == user.pk:
            return recipient
    raise NotFound("no such student")


@transaction.atomic
def record_copy_request(*, student: Student, requested_by: User) -> FamilyNotice:
    """A guardian or eligible student asks for a copy of the student's record of disclosures.

    The copy lists what the family may see (never a sealed entry, nor one an administrator withholds),
    as it stands now; it goes to the one who asked, in their language.
    """
    from brightline.disclosures.selectors import disclosures_for_family

    entries = disclosures_for_family(user=requested_by, student=student)
    recipient = _family_member(student=student, user=requested_by)
    snapshot = [
        {
            "date": timezone.localdate(entry.occurred_at).isoformat(),
            "party": ", ".join(part for part in (entry.party_name, entry.party_affiliation) if part),
            "kind": entry.kind,
            "categories": list(entry.categories),
        }
        for entry in entries.order_by("occurred_at", "id")
        if not entry.sealed and not entry.withheld_from_family
    ]
    return _create(
        kind=NoticeKind.RECORD_COPY,
        request=None,
        student=student,
        recipient=recipient,
        categories=sorted({c for row in snapshot for c in row["categories"]}),
        details={"entries": snapshot, "student_name": f"{student.first_name} {student.last_name}"},
        requested_by=requested_by,
    )


@transaction.atomic
def custodial_parent_notices_queue(
    *, student: Student, requesting_guardian: Guardian, entered_by: User
) -> list[FamilyNotice]:
    """A parent without custody asked for the student's records: tell each custodial parent, in their
    language and in English, that access follows in 21 days unless they show it must not
    (603 CMR 23.07(5))."""
    if entered_by.role not in LETTER_ROLES and requesting_guardian.user_id != entered_by.pk:
        raise NotAllowed("only the records office or the asking parent records a non-custodial request")
    asking = GuardianRelationship.objects.filter(student=student, guardian=requesting_guardian).first()
    if asking is None:
        raise NotFound("no such student")
    if asking.is_custodial:
        raise InvalidInput([("requesting_guardian", "this parent has custody: no notice is due")])
    custodial = (
        GuardianRelationship.objects.select_related("guardian")
        .filter(student=student, is_custodial=True, has_notice_rights=True)
        .exclude(guardian=requesting_guardian)
        .order_by("pk")
    )
    access_after = timezone.localdate() + dt.timedelta(days=CUSTODIAL_NOTICE_DAYS)
    details = {
        "parent": f"{requesting_guardian.first_name} {requesting_guardian.last_name}",
        "access_after": access_after.isoformat(),
        "student_name": f"{student.first_name} {student.last_name}",
    }
    return [
        _create(
            kind=NoticeKind.CUSTODIAL_PARENT,
            request=None,
            student=student,
            recipient=Recipient(
                name=f"{rel.guardian.first_name} {rel.guardian.last_name}",
                email=rel.guardian.email,
                postal_address="\n".join(rel.guardian.postal_address_lines),
                language=rel.guardian.preferred_language,
                guardian=rel.guardian,
            ),
            categories=[],
            details=details,
            requested_by=entered_by,
        )
        for rel in custodial
    ]


def notice_text(notice: FamilyNotice) -> tuple[str, str]:
    """Subject and plain-text body of a notice: the family's language, then English."""
    from brightline.notices.letters import email_message

    message = email_message(notice)
    return str(message.subject), str(message.body)


# --- Email delivery -------------------------------------------------------------------------------


def notice_email_enqueue(*, notice_id: int, run_after: dt.datetime | None = None) -> None:
    """Hand one email to the task worker (called on commit). Only the primary key travels."""
    from brightline.notices.tasks import send_notice_email

    task = send_notice_email
    if run_after is not None:
        if not task.get_backend().supports_defer:
            # A backend that cannot wait (the immediate one) leaves the retry to `notices_send_due`.
            return
        task = task.using(run_after=run_after)
    task.enqueue(notice_id=notice_id)


def _claim(notice_id: int, now: dt.datetime) -> bool:
    """Take the lease on a due, queued email. False: not due, not queued, or another worker has it."""
    claimed = (
        FamilyNotice.objects.filter(pk=notice_id, state=NoticeState.QUEUED, channel=NoticeChannel.EMAIL)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(next_attempt_at=now + SEND_LEASE)
    )
    return claimed == 1


def _is_permanent(error: Exception) -> bool:
    """A 5xx answer refusing the recipient (or the message) will not change on retry."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500 and not isinstance(error, smtplib.SMTPServerDisconnected)
    return False


def notice_send_email(*, notice_id: int, now: dt.datetime | None = None) -> FamilyNotice:
    """Deliver one queued email notice through the configured SMTP server.

    A temporary failure schedules the next attempt with backoff; a permanent refusal, or the last
    attempt failing, marks the email bounced so that a printed letter goes out instead.
    """
    from brightline.notices.letters import email_message

    now = now or timezone.now()
    if not _claim(notice_id, now):
        return FamilyNotice.objects.get(pk=notice_id)
    notice = FamilyNotice.objects.select_related("request", "student").get(pk=notice_id)
    try:
        connection = get_connection(timeout=SMTP_TIMEOUT_SECONDS)
        email_message(notice, connection=connection).send(fail_silently=False)
    except (OSError, smtplib.SMTPException) as error:
        return notice_record_failure(
            notice_id=notice_id, error=f"{type(error).__name__}: {error}", permanent=_is_permanent(error)
        )
    return notice_mark_sent(notice_id=notice_id)


@transaction.atomic
def notice_mark_sent(*, notice_id: int) -> FamilyNotice:
    notice = FamilyNotice.objects.select_for_update().get(pk=notice_id)
    if notice.state != NoticeState.QUEUED:
        # The records office mailed a letter while the email was in flight: the letter already counts.
        return notice
    notice.state = NoticeState.SENT
    notice.sent_at = timezone.now()
    notice.attempts += 1
    notice.next_attempt_at = None
    notice.last_error = ""
    notice.save(update_fields=["state", "sent_at", "attempts", "next_attempt_at", "last_error"])
    _ledger(
        notice, "sent", channel=notice.channel, sent_at=notice.sent_at.isoformat(), attempts=notice.attempts
    )
    return notice


def _bounce(notice: FamilyNotice, *, reason: str, marked_by: User | None) -> FamilyNotice:
    notice.state = NoticeState.BOUNCED
    notice.bounced_at = timezone.now()
    # A bounced email told nobody: the notice period restarts from the mailed letter.
    notice.sent_at = None
    notice.next_attempt_at = None
    notice.last_error = reason[:2000]
    if marked_by is not None:
        notice.marked_by = marked_by
    notice.save(
        update_fields=[
            "state",
            "bounced_at",
            "sent_at",
            "next_attempt_at",
            "last_error",
            "marked_by",
            "attempts",
        ]
    )
    _ledger(
        notice,
        "bounced",
        reason=notice.last_error,
        attempts=notice.attempts,
        marked_by=marked_by.pk if marked_by is not None else None,
        bounced_at=notice.bounced_at.isoformat(),
    )
    return notice


@transaction.atomic
def notice_record_failure(*, notice_id: int, error: str, permanent: bool = False) -> FamilyNotice:
    """One failed email attempt: try again later with backoff, or bounce to a printed letter."""
    notice = FamilyNotice.objects.select_for_update().get(pk=notice_id)
    if notice.state != NoticeState.QUEUED:
        return notice
    notice.attempts += 1
    if permanent or notice.attempts >= MAX_EMAIL_ATTEMPTS:
        return _bounce(notice, reason=error, marked_by=None)
    notice.last_error = error[:2000]
    notice.next_attempt_at = timezone.now() + EMAIL_BACKOFF[notice.attempts - 1]
    notice.save(update_fields=["attempts", "last_error", "next_attempt_at"])
    transaction.on_commit(
        partial(notice_email_enqueue, notice_id=notice.pk, run_after=notice.next_attempt_at)
    )
    return notice


def notices_send_due(*, now: dt.datetime | None = None, dry_run: bool = False) -> list[int]:
    """Queue a send for every email notice that is due (its retry time passed, or its task was lost).

    Returns the notices' ids; with `dry_run` nothing is queued.
    """
    now = now or timezone.now()
    due = list(
        FamilyNotice.objects.filter(state=NoticeState.QUEUED, channel=NoticeChannel.EMAIL)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("queued_at", "pk")
        .values_list("pk", flat=True)
    )
    if not dry_run:
        for notice_id in due:
            notice_email_enqueue(notice_id=notice_id)
    return due


# --- The records office's marks ---------------------------------------------------------------------


def _locked(notice_id: int) -> FamilyNotice:
    notice = FamilyNotice.objects.select_for_update().filter(pk=notice_id).first()
    if notice is None:
        raise NotFound("no such notice")
    return notice


def _require_office(user: User | AnonymousUser, action: str) -> None:
    if getattr(user, "role", None) not in LETTER_ROLES:
        raise NotAllowed(f"only the records office {action}")


@transaction.atomic
def notice_mark_bounced(*, notice_id: int, reason: str, marked_by: User) -> FamilyNotice:
    """A bounce message came back for an email already accepted by the mail server: the family was not
    told after all, and a printed letter is due."""
    _require_office(marked_by, "records returned email")
    if not reason.strip():
        raise InvalidInput([("reason", "required: what the bounce message said")])
    notice = _locked(notice_id)
    if notice.channel != NoticeChannel.EMAIL or notice.state not in (NoticeState.QUEUED, NoticeState.SENT):
        raise Conflict("only an email notice that is queued or sent can bounce")
    return _bounce(notice, reason=reason.strip(), marked_by=marked_by)


@transaction.atomic
def notice_mark_printed(*, notice_id: int, marked_by: User) -> FamilyNotice:
    """The records office printed the letter (for a family without email, or after a bounce)."""
    _require_office(marked_by, "marks letters printed")
    notice = _locked(notice_id)
    if not notice.needs_letter or notice.state == NoticeState.PRINTED:
        raise Conflict("this notice has no letter waiting to be printed")
    notice.state = NoticeState.PRINTED
    notice.printed_at = timezone.now()
    notice.marked_by = marked_by
    notice.save(update_fields=["state", "printed_at", "marked_by"])
    _ledger(notice, "printed", marked_by=marked_by.pk, printed_at=notice.printed_at.isoformat())
    return notice


@transaction.atomic
def notice_mark_mailed(*, notice_id: int, marked_by: User) -> FamilyNotice:
    """The records office put the printed letter in the mail; the family counts as told from now."""
    _require_office(marked_by, "marks letters mailed")
    notice = _locked(notice_id)
    if notice.state in (NoticeState.SENT, NoticeState.MAILED):
        raise Conflict("this notice was already delivered")
    now = timezone.now()
    notice.state = NoticeState.MAILED
    notice.sent_at = now
    notice.printed_at = notice.printed_at or now
    notice.next_attempt_at = None
    notice.marked_by = marked_by
    notice.save(update_fields=["state", "sent_at", "printed_at", "next_attempt_at", "marked_by"])
    _ledger(notice, "mailed", marked_by=marked_by.pk, sent_at=now.isoformat())
    return notice


# --- Catalog reviews --------------------------------------------------------------------------------


def may_review_catalogs(user: User | AnonymousUser) -> bool:
    """District translators hold the `notices.add_catalogreview` permission; administrators may too."""
    return bool(
        getattr(user, "is_authenticated", False)
        and (getattr(user, "role", None) == Role.ADMIN or user.has_perm("notices.add_catalogreview"))
    )


@transaction.atomic
def catalog_review_record(*, language: str, reviewed_by: User) -> CatalogReview:
    """A district translator read the catalog as it is now and signs it off; a later change makes the
    review stale."""
    if not may_review_catalogs(reviewed_by):
        raise NotAllowed("only a district translator marks a catalog reviewed")
    if language not in translated_languages():
        raise InvalidInput([("language", f"no catalog for {language!r}")])
    sha256 = catalog_sha256(language)
    if not sha256:
        raise InvalidInput([("language", f"the {language} catalog does not exist")])
    review = CatalogReview.objects.create(
        language=language,
        reviewed_by=reviewed_by,
        reviewed_by_name=reviewed_by.get_full_name() or reviewed_by.username,
        reviewed_at=timezone.now(),
        catalog_sha256=sha256,
    )
    ledger_append(
        event_type="notice.catalog_reviewed",
        subject={"catalog_review": review.pk},
        record={
            "language": language,
            "catalog_sha256": sha256,
            "reviewed_by": reviewed_by.pk,
            "reviewed_at": review.reviewed_at.isoformat(),
        },
    )
    return review
