"""Writes for family notices: queueing them where the law asks, sending email with retries, falling back
to printed letters, and the records office's marks (printed, mailed, bounced).

Every state change of a notice appends a ledger entry in the same transaction. Email is sent outside
any transaction: a send is first claimed with a conditional update (a lease), so two workers never send
the same notice twice, and the SMTP conversation holds no database lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import smtplib
from collections.abc import Iterable, Sequence
from email.utils import getaddresses
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from brightline.accounts.models import Role, User
from brightline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from brightline.ledger.services import LedgerEvent, ledger_append, ledger_append_many
from brightline.notices.catalogs import catalog_sha256, translated_languages
from brightline.notices.models import (
    CatalogReview,
    CounselNotice,
    FamilyNotice,
    FamilyNoticeDecision,
    FamilyNoticeState,
    MissingChildAlert,
    NoticeChannel,
    NoticeKind,
    NoticeState,
    Objection,
    ObjectionChannel,
    ObjectionState,
    OfficialEmail,
    OfficialEmailKind,
    OfficialEmailState,
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


# --- Obligations carried out for counsel, the missing-persons unit and the administrator -------------
#
# DOMAIN.md: "Every obligation is carried out by the running system, not only displayed." Casework calls
# `obligations_after_triage` wherever items are triaged (on submission, and when the records office
# matches a student); each obligation happens once per request (counsel) or once per request and student
# (the alert, the administrator's decision), however often a request's students are matched.

NOTIFY_LEGAL_ADVISOR = "notify_legal_advisor"
ALERT_POLICE_MISSING_CHILD = "alert_police_missing_child"
FAMILY_NOTICE_BY_ADMINISTRATOR = "family_notice_by_administrator"
OBLIGATIONS_CARRIED_HERE = frozenset(
    {NOTIFY_LEGAL_ADVISOR, ALERT_POLICE_MISSING_CHILD, FAMILY_NOTICE_BY_ADMINISTRATOR}
)


def obligations_after_triage(*, request: Any, request_students: Sequence[Any], items: Sequence[Any]) -> None:
    """Carry out counsel's copy, the missing-persons alert and the administrator's family-notice decision
    for these newly triaged students' items, inside the caller's transaction (and its `ledger_batch`).

    Nothing is read or written when no item carries one of these obligations: the usual submission
    costs nothing more."""
    if not any(OBLIGATIONS_CARRIED_HERE.intersection(item.obligations) for item in items):
        return
    events: list[LedgerEvent] = []
    counsel_items = [item for item in items if NOTIFY_LEGAL_ADVISOR in item.obligations]
    if counsel_items:
        events += _counsel_notice_create(request=request, items=counsel_items)
    for rs in request_students:
        own = [item for item in items if item.request_student_id == rs.pk]
        if rs.student is None or not own:
            continue
        if any(ALERT_POLICE_MISSING_CHILD in item.obligations for item in own):
            events += _missing_child_alert_create(request=request, student=rs.student)
        if any(FAMILY_NOTICE_BY_ADMINISTRATOR in item.obligations for item in own):
            events += _family_notice_decision_open(request=request, student=rs.student)
    ledger_append_many(events)


def _created_once(model: Any, **fields: Any) -> Any | None:
    """Create the row unless its unique fields already name one (a student matched later, or a second
    process matching another student of the same request): None when it existed."""
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError:
        return None


def _request_subject(request: Any, **ids: int | str) -> dict[str, int | str]:
    return {"request": str(request.pk), **ids} if request is not None else dict(ids)


def _official_email(
    *,
    kind: str,
    recipient_name: str,
    email: str,
    request: Any,
    recipient: User | None = None,
    counsel_notice: CounselNotice | None = None,
    missing_child_alert: MissingChildAlert | None = None,
    disclosure_entry: Any = None,
) -> tuple[OfficialEmail, LedgerEvent]:
    """Queue one email (sent on commit), or keep it as undeliverable when there is no address."""
    message = OfficialEmail.objects.create(
        kind=kind,
        counsel_notice=counsel_notice,
        missing_child_alert=missing_child_alert,
        disclosure_entry=disclosure_entry,
        recipient=recipient,
        recipient_name=recipient_name,
        email=email,
        state=OfficialEmailState.QUEUED if email else OfficialEmailState.UNDELIVERABLE,
        queued_at=timezone.now(),
    )
    if message.state == OfficialEmailState.QUEUED:
        transaction.on_commit(partial(official_email_enqueue, email_id=message.pk))
    event = LedgerEvent(
        event_type=f"official_email.{message.state}",
        subject=_request_subject(request, official_email=message.pk),
        record={
            "official_email": message.pk,
            "kind": kind,
            "state": message.state,
            "recipient": recipient.pk if recipient is not None else None,
            "address_sha256": hashlib.sha256(email.encode()).hexdigest() if email else "",
        },
    )
    return message, event


def forbidden_disclosure_alert(*, entry: Any) -> list[OfficialEmail]:
    """Email every active legal advisor and superintendent about an after-the-fact entry recording a
    disclosure to a party the policy forbids; called inside the recording transaction. Each email is
    a ledger entry (`official_email.<state>`), beside `forbidden_disclosure.alerted`."""
    people = list(
        User.objects.filter(role__in=(Role.LEGAL_ADVISOR, Role.SUPERINTENDENT), is_active=True).order_by("pk")
    )
    messages: list[OfficialEmail] = []
    events = [
        LedgerEvent(
            event_type="forbidden_disclosure.alerted",
            subject={"disclosure_entry": entry.pk},
            record={
                "disclosure_entry": entry.pk,
                "party_kind": entry.party_kind,
                "alerted": [person.pk for person in people],
            },
        )
    ]
    for person in people:
        message, event = _official_email(
            kind=OfficialEmailKind.FORBIDDEN_DISCLOSURE,
            recipient=person,
            recipient_name=person.get_full_name() or person.username,
            email=person.email,
            request=None,
            disclosure_entry=entry,
        )
        messages.append(message)
        events.append(event)
    ledger_append_many(events)
    return messages


def _counsel_notice_create(*, request: Any, items: list[Any]) -> list[LedgerEvent]:
    rules = sorted({rule for item in items for rule in item.rules})
    explanations = list(dict.fromkeys(item.explanation for item in items if item.explanation))
    reason = f"Rule {', '.join(rules)}: {' '.join(explanations)}" if rules else " ".join(explanations)
    notice = _created_once(
        CounselNotice, request=request, reference=request.reference, reason=reason, created_at=timezone.now()
    )
    if notice is None:
        return []
    events = [
        LedgerEvent(
            event_type="counsel_notice.created",
            subject=_request_subject(request, counsel_notice=notice.pk),
            record={
                "counsel_notice": notice.pk,
                "request": str(request.pk),
                "reference": request.reference,
                "rules": rules,
                "items": [item.pk for item in items],
            },
        )
    ]
    for advisor in User.objects.filter(role=Role.LEGAL_ADVISOR, is_active=True).order_by("pk"):
        _message, event = _official_email(
            kind=OfficialEmailKind.COUNSEL_COPY,
            recipient=advisor,
            recipient_name=advisor.get_full_name() or advisor.username,
            email=advisor.email,
            request=request,
            counsel_notice=notice,
        )
        events.append(event)
    return events


def counsel_notice_for_preservation(*, preservation: Any) -> CounselNotice | None:
    """Counsel's copy of a preservation request from an agency the district does not help (immigration
    enforcement, DOMAIN.md rule F1): the hold is recorded and nothing is disclosed, and counsel is told,
    in its notices to read and by email to each legal advisor, inside the caller's transaction and ledger
    batch. The copy names the hold, never a student (counsel opens the holds page for them)."""
    notice: CounselNotice | None = _created_once(
        CounselNotice,
        request=None,
        reference=preservation.reference,
        reason=(
            f"Preservation request {preservation.reference} from {preservation.agency_name}, an immigration "
            "enforcement agency (rule F1): the district recorded the hold and discloses nothing in answer "
            "to it."
        ),
        created_at=timezone.now(),
    )
    if notice is None:
        return None
    events = [
        LedgerEvent(
            event_type="counsel_notice.created",
            subject={"preservation": str(preservation.pk), "counsel_notice": notice.pk},
            record={
                "counsel_notice": notice.pk,
                "preservation": str(preservation.pk),
                "reference": preservation.reference,
                "rules": ["F1"],
            },
        )
    ]
    for advisor in User.objects.filter(role=Role.LEGAL_ADVISOR, is_active=True).order_by("pk"):
        _message, event = _official_email(
            kind=OfficialEmailKind.COUNSEL_COPY,
            recipient=advisor,
            recipient_name=advisor.get_full_name() or advisor.username,
            email=advisor.email,
            request=None,
            counsel_notice=notice,
        )
        events.append(event)
    ledger_append_many(events)
    return notice


def _contact_name(contact: str) -> str:
    name, address = getaddresses([contact])[0]
    return name or address


def _missing_child_alert_create(*, request: Any, student: Student) -> list[LedgerEvent]:
    alert = _created_once(
        MissingChildAlert,
        request=request,
        student=student,
        reference=request.reference,
        agency_name=request.agency_name,
        received_at=request.received_at,
        created_at=timezone.now(),
    )
    if alert is None:
        return []
    contact = settings.MISSING_PERSONS_CONTACT
    events = [
        LedgerEvent(
            event_type="missing_child_alert.created",
            subject=_request_subject(request, missing_child_alert=alert.pk),
            # Ids only: the student's name never enters the ledger.
            record={
                "missing_child_alert": alert.pk,
                "request": str(request.pk),
                "student": student.pk,
                "received_at": request.received_at.isoformat(),
                "contact_configured": bool(contact),
            },
        )
    ]
    _message, event = _official_email(
        kind=OfficialEmailKind.MISSING_CHILD_ALERT,
        recipient_name=_contact_name(contact) if contact else "Missing-persons contact (not configured)",
        email=contact,
        request=request,
        missing_child_alert=alert,
    )
    events.append(event)
    return events


def family_notice_decision_due(received_at: dt.datetime) -> dt.datetime:
    """The end of the `FAMILY_NOTICE_DECISION_DAYS`th business day after the request arrived."""
    from brightline.casework.calendar import DistrictCalendar, district_zone, end_of_day

    received_day = timezone.localtime(received_at, district_zone()).date()
    calendar = DistrictCalendar.load(after=received_day)
    return end_of_day(calendar.add_business_days(received_day, settings.FAMILY_NOTICE_DECISION_DAYS))


def _family_notice_decision_open(*, request: Any, student: Student) -> list[LedgerEvent]:
    decision = _created_once(
        FamilyNoticeDecision,
        request=request,
        student=student,
        reference=request.reference,
        created_at=timezone.now(),
        due_at=family_notice_decision_due(request.received_at),
    )
    if decision is None:
        return []
    return [
        LedgerEvent(
            event_type="family_notice_decision.opened",
            subject=_request_subject(request, family_notice_decision=decision.pk),
            record={
                "family_notice_decision": decision.pk,
                "request": str(request.pk),
                "student": student.pk,
                "due_at": decision.due_at.isoformat(),
            },
        )
    ]


# Counsel reads its copies.


@transaction.atomic
def counsel_notice_mark_read(*, counsel_notice_id: int, read_by: User) -> CounselNotice:
    """Counsel has read the copy of the request; it leaves the list of notices to read."""
    if getattr(read_by, "role", None) != Role.LEGAL_ADVISOR:
        raise NotAllowed("only counsel marks its copies read")
    notice = CounselNotice.objects.select_for_update().filter(pk=counsel_notice_id).first()
    if notice is None:
        raise NotFound("no such notice")
    if notice.read_at is not None:
        raise Conflict(f"{notice.read_by_name or 'Someone'} already marked this copy read")
    notice.read_at = timezone.now()
    notice.read_by = read_by
    notice.read_by_name = read_by.get_full_name() or read_by.username
    notice.save(update_fields=["read_at", "read_by", "read_by_name"])
    ledger_append(
        event_type="counsel_notice.read",
        subject={
            "counsel_notice": notice.pk,
            **({"request": str(notice.request_id)} if notice.request_id else {}),
        },
        record={"counsel_notice": notice.pk, "read_by": read_by.pk, "read_at": notice.read_at.isoformat()},
    )
    return notice


# The administrator decides whether the family is told.

ADMINISTRATOR_ROLES = frozenset({Role.ADMIN})


def _require_administrator(user: User | AnonymousUser) -> None:
    if getattr(user, "role", None) not in ADMINISTRATOR_ROLES:
        raise NotAllowed("only an administrator decides whether the family is told")


def _decision_locked(decision_id: int) -> FamilyNoticeDecision:
    decision = (
        FamilyNoticeDecision.objects.select_for_update(of=("self",))
        .select_related("request", "student")
        .filter(pk=decision_id)
        .first()
    )
    if decision is None:
        raise NotFound("no such decision")
    return decision


def _decision_ledger(decision: FamilyNoticeDecision, event: str, **record: Any) -> None:
    subject: dict[str, int | str] = {"family_notice_decision": decision.pk}
    if decision.request_id is not None:
        subject["request"] = str(decision.request_id)
    ledger_append(
        event_type=f"family_notice_decision.{event}",
        subject=subject,
        record={"family_notice_decision": decision.pk, "state": decision.state, **record},
    )


@transaction.atomic
def family_notice_notify(*, decision_id: int, decided_by: User) -> list[FamilyNotice]:
    """The administrator decides to tell the family now: the request's entries in the student's record of
    disclosures become visible to the family (never a sealed one), and each guardian with notice rights
    (or the eligible student) is sent a notice of what was asked for and what was released.

    Entries written after an earlier decision to tell (a release that followed) are told the same way."""
    from brightline.disclosures.models import DisclosureEntry, EntryKind

    _require_administrator(decided_by)
    decision = _decision_locked(decision_id)
    withheld: list[DisclosureEntry] = []
    if decision.entry_id is not None:
        # An abuse report recorded after the fact: showing it makes that one entry visible.
        withheld = list(
            DisclosureEntry.objects.select_for_update().filter(
                pk=decision.entry_id, withheld_from_family=True, sealed=False
            )
        )
    elif decision.request_id is not None and decision.student_id is not None:
        withheld = list(
            DisclosureEntry.objects.select_for_update()
            .filter(
                request_id=decision.request_id,
                student_id=decision.student_id,
                withheld_from_family=True,
                sealed=False,
            )
            .order_by("occurred_at", "pk")
        )
    if decision.state == FamilyNoticeState.NOTIFIED and not withheld:
        raise Conflict("the family was already told")
    now = timezone.now()
    # The record of disclosures keeps these entries from the family only until this decision.
    DisclosureEntry.objects.filter(pk__in=[entry.pk for entry in withheld]).update(withheld_from_family=False)
    decision.state = FamilyNoticeState.NOTIFIED
    decision.decided_at = now
    decision.decided_by = decided_by
    decision.decided_by_name = decided_by.get_full_name() or decided_by.username
    decision.save(update_fields=["state", "decided_at", "decided_by", "decided_by_name"])
    _decision_ledger(
        decision,
        "notified",
        decided_by=decided_by.pk,
        decided_at=now.isoformat(),
        entries=[entry.pk for entry in withheld],
    )
    asked = sorted({c for entry in withheld if entry.kind == EntryKind.REQUEST for c in entry.categories})
    released = [entry for entry in withheld if entry.kind == EntryKind.DISCLOSURE]
    released_categories = sorted({c for entry in released for c in entry.categories})
    if decision.request is None or decision.student is None or not (asked or released_categories):
        return []
    details: dict[str, Any] = {"asked": asked, "released": released_categories}
    if released:
        details["released_on"] = timezone.localdate(released[-1].occurred_at).isoformat()
    return _queue(
        kind=NoticeKind.ADMINISTRATOR,
        request=decision.request,
        student=decision.student,
        categories=asked or released_categories,
        details=details,
    )


@transaction.atomic
def family_notice_withhold(
    *, decision_id: int, decided_by: User, reason: str, review_on: dt.date
) -> FamilyNoticeDecision:
    """The administrator decides not to tell the family yet, says why, and names the day the decision is
    taken again (it is due, and then overdue, from that day's end)."""
    from brightline.casework.calendar import end_of_day

    _require_administrator(decided_by)
    errors: list[tuple[str, str]] = []
    if not reason or not reason.strip():
        errors.append(("reason", "say why the family is not told yet"))
    if review_on <= timezone.localdate():
        errors.append(("review_on", "a day after today, when the decision is taken again"))
    if errors:
        raise InvalidInput(errors)
    decision = _decision_locked(decision_id)
    if decision.state == FamilyNoticeState.NOTIFIED:
        raise Conflict("the family was already told")
    now = timezone.now()
    decision.state = FamilyNoticeState.WITHHELD
    decision.reason = reason.strip()
    decision.review_on = review_on
    decision.due_at = end_of_day(review_on)
    decision.decided_at = now
    decision.decided_by = decided_by
    decision.decided_by_name = decided_by.get_full_name() or decided_by.username
    decision.save(
        update_fields=[
            "state",
            "reason",
            "review_on",
            "due_at",
            "decided_at",
            "decided_by",
            "decided_by_name",
        ]
    )
    _decision_ledger(
        decision,
        "withheld",
        decided_by=decided_by.pk,
        decided_at=now.isoformat(),
        review_on=review_on.isoformat(),
        reason_sha256=hashlib.sha256(decision.reason.encode()).hexdigest(),
    )
    return decision


# Delivery of the emails to counsel and the missing-persons contact: as for family notices.


def official_email_enqueue(*, email_id: int, run_after: dt.datetime | None = None) -> None:
    """Hand one email to the task worker (called on commit). Only the primary key travels."""
    from brightline.notices.tasks import send_official_email

    task = send_official_email
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # `official_emails_send_due` picks the retry up
        task = task.using(run_after=run_after)
    task.enqueue(email_id=email_id)


def _official_claim(email_id: int, now: dt.datetime) -> bool:
    claimed = (
        OfficialEmail.objects.filter(pk=email_id, state=OfficialEmailState.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(next_attempt_at=now + SEND_LEASE)
    )
    return claimed == 1


def official_email_send(*, email_id: int, now: dt.datetime | None = None) -> OfficialEmail:
    """Deliver one queued email through the configured SMTP server, outside any transaction; a temporary
    failure is retried with backoff, a refusal or the last failure leaves it `failed` for the
    administrator to see."""
    from django.core.mail import EmailMessage

    from brightline.notices.official_texts import (
        counsel_copy_text,
        forbidden_disclosure_text,
        missing_child_alert_text,
    )

    now = now or timezone.now()
    if not _official_claim(email_id, now):
        return OfficialEmail.objects.get(pk=email_id)
    message = OfficialEmail.objects.select_related(
        "counsel_notice__request", "missing_child_alert__student__school", "disclosure_entry"
    ).get(pk=email_id)
    if message.counsel_notice is not None:
        subject, body = counsel_copy_text(message.counsel_notice)
    elif message.missing_child_alert is not None:
        subject, body = missing_child_alert_text(message.missing_child_alert)
    elif message.disclosure_entry is not None:
        subject, body = forbidden_disclosure_text(message.disclosure_entry)
    else:
        return official_email_record_failure(email_id=email_id, error="its notice is gone", permanent=True)
    try:
        connection = get_connection(timeout=SMTP_TIMEOUT_SECONDS)
        EmailMessage(subject=subject, body=body, to=[message.email], connection=connection).send(
            fail_silently=False
        )
    except (OSError, smtplib.SMTPException) as error:
        return official_email_record_failure(
            email_id=email_id, error=f"{type(error).__name__}: {error}", permanent=_is_permanent(error)
        )
    return official_email_mark_sent(email_id=email_id)


def _official_ledger(message: OfficialEmail, event: str, **record: Any) -> None:
    ledger_append(
        event_type=f"official_email.{event}",
        subject={"official_email": message.pk},
        record={"official_email": message.pk, "kind": message.kind, "state": message.state, **record},
    )


@transaction.atomic
def official_email_mark_sent(*, email_id: int) -> OfficialEmail:
    message = OfficialEmail.objects.select_for_update().get(pk=email_id)
    if message.state != OfficialEmailState.QUEUED:
        return message
    message.state = OfficialEmailState.SENT
    message.sent_at = timezone.now()
    message.attempts += 1
    message.next_attempt_at = None
    message.last_error = ""
    # The worker's delivery is kept on the row, not appended to the log: a leaf a few seconds after a
    # submission, there only when a student is flagged missing, would tell the requester so. The log
    # holds the email's queueing (in the submission's padded entries) and every administrator's retry.
    message.save(update_fields=["state", "sent_at", "attempts", "next_attempt_at", "last_error"])
    return message


@transaction.atomic
def official_email_record_failure(*, email_id: int, error: str, permanent: bool = False) -> OfficialEmail:
    message = OfficialEmail.objects.select_for_update().get(pk=email_id)
    if message.state != OfficialEmailState.QUEUED:
        return message
    message.attempts += 1
    message.last_error = error[:2000]
    if permanent or message.attempts >= MAX_EMAIL_ATTEMPTS:
        message.state = OfficialEmailState.FAILED
        message.next_attempt_at = None
        message.save(update_fields=["state", "attempts", "last_error", "next_attempt_at"])
        return message
    message.next_attempt_at = timezone.now() + EMAIL_BACKOFF[message.attempts - 1]
    message.save(update_fields=["attempts", "last_error", "next_attempt_at"])
    transaction.on_commit(
        partial(official_email_enqueue, email_id=message.pk, run_after=message.next_attempt_at)
    )
    return message


def official_emails_send_due(*, now: dt.datetime | None = None, dry_run: bool = False) -> list[int]:
    """Queue a send for every email to counsel or the missing-persons contact that is due."""
    now = now or timezone.now()
    due = list(
        OfficialEmail.objects.filter(state=OfficialEmailState.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("queued_at", "pk")
        .values_list("pk", flat=True)
    )
    if not dry_run:
        for email_id in due:
            official_email_enqueue(email_id=email_id)
    return due


@transaction.atomic
def official_email_retry(*, email_id: int, retried_by: User) -> OfficialEmail:
    """The administrator sends again an email that could not go: an alert to the missing-persons contact
    as configured now, counsel's copy to the advisor's address as it is now."""
    _require_administrator(retried_by)
    message = (
        OfficialEmail.objects.select_for_update(of=("self",))
        .select_related("recipient")
        .filter(pk=email_id)
        .first()
    )
    if message is None:
        raise NotFound("no such email")
    if message.state not in (OfficialEmailState.UNDELIVERABLE, OfficialEmailState.FAILED):
        raise Conflict("only an email that could not be delivered is sent again")
    if message.kind == OfficialEmailKind.MISSING_CHILD_ALERT:
        address = settings.MISSING_PERSONS_CONTACT
        if not address:
            raise InvalidInput(
                [("email", "set BRIGHTLINE_MISSING_PERSONS_CONTACT first: there is nobody to send it to")]
            )
        message.recipient_name = _contact_name(address)
    else:
        address = message.recipient.email if message.recipient is not None else ""
        if not address:
            raise InvalidInput([("email", "this advisor has no email address")])
    message.email = address
    message.state = OfficialEmailState.QUEUED
    message.attempts = 0
    message.next_attempt_at = None
    message.last_error = ""
    message.queued_at = timezone.now()
    message.save(
        update_fields=[
            "email",
            "recipient_name",
            "state",
            "attempts",
            "next_attempt_at",
            "last_error",
            "queued_at",
        ]
    )
    _official_ledger(
        message,
        "queued",
        retried_by=retried_by.pk,
        address_sha256=hashlib.sha256(address.encode()).hexdigest(),
    )
    transaction.on_commit(partial(official_email_enqueue, email_id=message.pk))
    return message


# --- A voice before release: the family's objection while an advance notice runs -------------------


def _waiting_items(*, request: Any, student: Student, lock: bool = False) -> list[Any]:
    """The student's items of this request that wait for the advance-notice period (or cleared by it
    and not yet released): the release an objection can still stop."""
    from brightline.casework.models import Item, ItemState

    items = Item.objects.filter(
        request=request,
        request_student__student=student,
        state__in=(ItemState.AWAITING_NOTICE, ItemState.CLEARED),
    ).order_by("position")
    if lock:
        items = items.select_for_update(of=("self",))
    return [item for item in items if item.has_obligation("notify_family_before_release")]


def _objection_ledger(objection: Objection, event: str, **record: Any) -> None:
    ledger_append(
        event_type=f"objection.{event}",
        subject={"request": str(objection.request_id), "objection": objection.pk},
        record={
            "objection": objection.pk,
            "request": str(objection.request_id),
            "student": objection.student_id,
            "state": objection.state,
            **record,
        },
    )


def _objection_open(
    *,
    request: Any,
    student: Student,
    channel: str,
    raised_by: User | None,
    raised_by_name: str,
    entered_by: User | None,
    text: str,
) -> Objection:
    if not text.strip():
        raise InvalidInput([("text", "say what you object to")])
    if not _waiting_items(request=request, student=student, lock=True):
        raise Conflict(
            "no release of this request is waiting for its notice period: there is nothing to stop"
        )
    objection = Objection.objects.create(
        request=request,
        student=student,
        reference=request.reference,
        channel=channel,
        raised_by=raised_by,
        raised_by_name=raised_by_name.strip(),
        entered_by=entered_by,
        text=text.strip(),
        raised_at=timezone.now(),
    )
    _objection_ledger(
        objection,
        "raised",
        channel=channel,
        raised_by=raised_by.pk if raised_by is not None else None,
        entered_by=entered_by.pk if entered_by is not None else None,
        text_sha256=hashlib.sha256(objection.text.encode()).hexdigest(),
    )
    return objection


@transaction.atomic
def objection_raise(*, request_id: Any, student: Student, raised_by: User, text: str) -> Objection:
    """A guardian with notice rights, or the eligible student, objects from the family page while the
    advance notice of a release runs. The release is held until the reviewer decides."""
    from brightline.casework.models import Request
    from brightline.disclosures.selectors import students_of_family

    if not students_of_family(raised_by).filter(pk=student.pk).exists():
        raise NotFound("no such student")
    request = Request.objects.filter(pk=request_id).first()
    if request is None:
        raise NotFound("no such request")
    return _objection_open(
        request=request,
        student=student,
        channel=ObjectionChannel.FAMILY_PAGE,
        raised_by=raised_by,
        raised_by_name=raised_by.get_full_name() or raised_by.username,
        entered_by=None,
        text=text,
    )


@transaction.atomic
def objection_enter(
    *, reference: str, student_sis_id: str, raised_by_name: str, text: str, entered_by: User
) -> Objection:
    """The records office enters an objection a family sent by replying to the letter."""
    from brightline.casework.models import Request

    _require_office(entered_by, "enters a family's objection")
    errors = [
        (name, "required") for name, value in (("raised_by_name", raised_by_name),) if not value.strip()
    ]
    request = Request.objects.filter(reference=reference.strip().upper()).first()
    if request is None:
        errors.append(("reference", "no request has this reference"))
    student = Student.objects.filter(sis_id=student_sis_id.strip()).first()
    if student is None:
        errors.append(("student_id", "no student has this ID"))
    if errors:
        raise InvalidInput(errors)
    assert request is not None and student is not None
    return _objection_open(
        request=request,
        student=student,
        channel=ObjectionChannel.LETTER_REPLY,
        raised_by=None,
        raised_by_name=raised_by_name,
        entered_by=entered_by,
        text=text,
    )


@transaction.atomic
def objection_decide(
    *,
    objection_id: int,
    decided_by: User,
    action: str,
    reason: str,
    fields_removed: dict[int, list[str]] | None = None,
) -> Objection:
    """The reviewer of the student's waiting items decides on an objection.

    `uphold`: each waiting item is denied, or narrowed when `fields_removed` names some (not all) of its
    approved fields; each is a Decision appended to the item, as a reviewer's own decision is.
    `overrule`: the reason is required; the release gate may then clear. Either way a ledger entry.

    The items themselves are casework's: `items_reconsidered_on_objection` decides them again."""
    from brightline.casework.services import items_reconsidered_on_objection

    if decided_by.role not in (Role.SUPERINTENDENT, Role.LEGAL_ADVISOR):
        raise NotAllowed("only the reviewer decides on a family's objection")
    objection = Objection.objects.select_for_update().filter(pk=objection_id).first()
    if objection is None or objection.request is None or objection.student is None:
        raise NotFound("no such objection")
    if objection.state != ObjectionState.PENDING:
        raise Conflict("this objection was already decided")
    if action not in ("uphold", "overrule"):
        raise InvalidInput([("action", "uphold or overrule")])
    if not reason.strip():
        raise InvalidInput([("reason", "give the reason for the decision; the family reads it")])
    items = _waiting_items(request=objection.request, student=objection.student, lock=True)
    reviewers = {item.reviewer for item in items if item.reviewer}
    if reviewers and decided_by.role not in reviewers:
        raise NotAllowed(
            f"this release is for the {' or '.join(sorted(reviewers)).replace('_', ' ')} to decide"
        )
    now = timezone.now()
    changed: list[dict[str, Any]] = []
    if action == "uphold":
        changed = items_reconsidered_on_objection(
            items=items, decided_by=decided_by, reason=reason, fields_removed=fields_removed
        )
    objection.state = ObjectionState.UPHELD if action == "uphold" else ObjectionState.OVERRULED
    objection.decided_by = decided_by
    objection.decided_by_name = decided_by.get_full_name() or decided_by.username
    objection.decided_at = now
    objection.reason = reason.strip()
    objection.save(update_fields=["state", "decided_by", "decided_by_name", "decided_at", "reason"])
    _objection_ledger(
        objection,
        objection.state,
        decided_by=decided_by.pk,
        reason_sha256=hashlib.sha256(objection.reason.encode()).hexdigest(),
        items=changed,
    )
    return objection


def user_language_set(*, user: User, language: str) -> None:
    """The language a person reads the pages in, kept on their account (the chooser on every page)."""
    if language not in dict(settings.LANGUAGES):
        raise InvalidInput([("language", "not one of the district's languages")])
    if user.preferred_language != language:
        User.objects.filter(pk=user.pk).update(preferred_language=language)
        user.preferred_language = language


@transaction.atomic
def notice_language_set(*, user: User, language: str) -> int:
    """A guardian sets the language their notices are written in (with English alongside), on the
    family page; a ledger entry. Returns how many guardian records changed (one person may be on the
    roster once per district system)."""
    if language not in dict(settings.LANGUAGES):
        raise InvalidInput([("language", "not one of the district's languages")])
    guardians = list(
        Guardian.objects.select_for_update().filter(user=user).exclude(preferred_language=language)
    )
    for guardian in guardians:
        guardian.preferred_language = language
        guardian.save(update_fields=["preferred_language"])
    if guardians:
        ledger_append(
            event_type="guardian.notice_language_set",
            subject={"user": user.pk},
            record={"guardians": [guardian.pk for guardian in guardians], "language": language},
        )
    return len(guardians)


def family_notice_decision_for_entry(*, entry: Any) -> FamilyNoticeDecision:
    """A report of suspected abuse recorded after the fact is kept from the family: an administrator
    shows it, or extends the hold with a reason, by `FAMILY_NOTICE_HOLD_DAYS` after it was recorded (the
    same decisions as `family_notice_by_administrator`, on the same page). Called in the recording
    transaction."""
    decision = FamilyNoticeDecision.objects.create(
        entry=entry,
        student=entry.student,
        reference=f"51A-{entry.pk}",
        created_at=timezone.now(),
        due_at=entry.recorded_at + dt.timedelta(days=settings.FAMILY_NOTICE_HOLD_DAYS),
    )
    ledger_append(
        event_type="family_notice_decision.opened",
        subject={"family_notice_decision": decision.pk, "disclosure_entry": entry.pk},
        record={
            "family_notice_decision": decision.pk,
            "disclosure_entry": entry.pk,
            "student": entry.student_id,
            "due_at": decision.due_at.isoformat(),
        },
    )
    return decision
