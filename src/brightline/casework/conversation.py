"""Writes for the conversation on a request and its deadline: messages between the requester and the
records office, asking the requester to clarify (the decision clock stops until the answer), extending
the deadline with a reason, resuming the clock, the request's owner in the office and staff's internal
notes. Each function is one transaction with its ledger entries; the texts stay in the database, the
public log holds only a salted commitment to them.

What a requester learns from these (CONTRACTS.md): the office's messages, its requests to clarify, an
extension's reason and new date, that the clock is paused. All of them are a person's act in the
office, at a person's time; none is triggered by what the district knows of a student. A requester's
own message is padded on the public log to a fixed number of leaves (whether it also resumed the clock
is the requester's own knowledge, but the count stays fixed whatever happens).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brightline.accounts.models import Role, User
from brightline.agencies.models import Agency
from brightline.casework.calendar import DistrictCalendar, district_zone, end_of_day
from brightline.casework.models import (
    DeadlineChange,
    DeadlineChangeKind,
    InternalNote,
    Message,
    MessageKind,
    Request,
    RequestState,
)
from brightline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from brightline.formats.local import local_date
from brightline.ledger.services import LedgerEvent, ledger_append_many, ledger_batched, ledger_padded

# The records office writes to requesters, asks them to clarify, extends deadlines, assigns requests.
OFFICE_ROLES = frozenset({Role.RECORDS_CLERK, Role.ADMIN})
# Staff who may own a request or write an internal note on it (auditors read, never write).
STAFF_ROLES = frozenset({Role.RECORDS_CLERK, Role.SUPERINTENDENT, Role.LEGAL_ADVISOR, Role.ADMIN})
# A request still waiting for a decision: the only one whose clock can stop or be extended.
UNDECIDED_STATES = (RequestState.AWAITING_MATCH, RequestState.IN_REVIEW, RequestState.AWAITING_DETERMINATION)
MESSAGE_MAX_CHARS = 5000
# A requester's message is one or two entries (the message, the clock resumed): always two leaves.
REQUESTER_MESSAGE_LEAVES = 2
# A requester writes on a request decided (as it reads it) for this many days after the last decision;
# later, its message is refused (a new request is the way to ask again).
MESSAGES_AFTER_DECISION_DAYS = 30
# The records office is e-mailed that a requester wrote at most once per request per clock hour.
OFFICE_NOTICE_EVERY = dt.timedelta(hours=1)
# How far an extension may move a deadline, in business days past the current one.
EXTENSION_MAX_BUSINESS_DAYS = 30


def _salted(body: str) -> tuple[str, str]:
    salt = secrets.token_hex(16)
    return salt, hashlib.sha256(salt.encode() + body.encode()).hexdigest()


def _text(value: str | None, field: str, empty: str, too_long: str) -> str:
    """A text a person wrote, stripped; `empty` and `too_long` (with `%(count)s`) are the sentences that
    name the field when it is missing or longer than `MESSAGE_MAX_CHARS`."""
    text = (value or "").strip()
    if not text:
        raise InvalidInput([(field, empty)])
    if len(text) > MESSAGE_MAX_CHARS:
        raise InvalidInput([(field, too_long % {"count": f"{MESSAGE_MAX_CHARS:,}"})])
    return text


def _day_in_words(day: dt.date) -> str:
    return local_date(day)


def _locked(request_id: Any) -> Request:
    try:
        found = Request.objects.select_for_update().filter(pk=request_id).first()
    except (ValueError, TypeError):
        found = None
    except Exception as error:  # a malformed UUID raises ValidationError from the field
        if error.__class__.__name__ != "ValidationError":
            raise
        found = None
    if found is None:
        raise NotFound("no such request")
    return found


def _undecided_for_requester(request: Request) -> bool:
    """Whether the request is still waiting for a decision in the state its requester reads
    (`selectors.requester_state_of`). A refusal held on a student's own facts is `closed` inside but
    reads "in review" until its answer is sent, exactly as a student nobody identified: the office's
    clock (clarify, extend, resume) must answer alike for both, or a routine step would tell the
    requester that the child is enrolled."""
    from brightline.casework import selectors

    items = list(request.items.select_related("request_student"))
    return selectors.requester_state_of(request, items) in UNDECIDED_STATES


def _last_decided(request: Request) -> dt.datetime | None:
    """When the requester last read a decision on the request: the latest of its decision, the answers
    sent for its students, its items' last change (a release, a closure) and counsel's decisions."""
    from django.db.models import Max

    moments = [
        request.decided_at,
        request.students.aggregate(last=Max("answer_sent_at"))["last"],
        request.items.aggregate(last=Max("updated_at"))["last"],
        request.reconsiderations.aggregate(last=Max("decided_at"))["last"],
    ]
    present = [moment for moment in moments if moment is not None]
    return max(present) if present else None


def _closed_to_messages(request: Request, now: dt.datetime) -> bool:
    if _undecided_for_requester(request):
        return False
    last = _last_decided(request)
    return last is not None and now - last > dt.timedelta(days=MESSAGES_AFTER_DECISION_DAYS)


def _office_told_recently(request: Request, now: dt.datetime) -> bool:
    """Whether a requester's message on this request already e-mailed the office in this clock hour
    (the clerks read every message on the page: one e-mail an hour says that there are some)."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    return Message.objects.filter(
        request=request, from_office=False, sent_at__gte=hour, sent_at__lt=now
    ).exists()


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, district_zone()).date()


# -- e-mail, after commit: a link, never a text or a student ------------------------------------------


def _tell_requester(request: Request, what: str) -> None:
    if request.submitted_by_id is not None:
        transaction.on_commit(partial(_enqueue_requester_notice, str(request.pk), what))


def _enqueue_requester_notice(request_id: str, what: str) -> None:
    from brightline.casework.tasks import send_requester_notice

    send_requester_notice.enqueue(request_id, what)


REQUESTER_NOTICE_SUBJECTS = {
    "message": "a new message from the records office",
    "clarification": "the records office asks you to clarify",
    "deadline": "the decision deadline changed",
    "paused": "the records office paused the decision deadline",
    "reconsideration": "counsel decided your request for reconsideration",
}


def requester_notice_send(*, request_id: str, what: str) -> bool:
    """E-mail the person who submitted a request on the portal that the office wrote or moved the
    deadline: the reference and a link to the portal page, never the text (which may name a student:
    it is read behind the sign-in and the second factor)."""
    request = Request.objects.select_related("submitted_by").filter(pk=request_id).first()
    if request is None or request.submitted_by is None or not request.submitted_by.email:
        return False
    subject = REQUESTER_NOTICE_SUBJECTS.get(what, REQUESTER_NOTICE_SUBJECTS["message"])
    link = f"{settings.SITE_URL.rstrip('/')}/portal/requests/{request.pk}/"
    send_mail(
        f"Request {request.reference}: {subject}",
        (
            f"On your request {request.reference} to {settings.DISTRICT_NAME}: {subject}.\n"
            f"Read it in the requester portal:\n{link}\n\n"
            "This e-mail carries no student information."
        ),
        settings.DEFAULT_FROM_EMAIL,
        [request.submitted_by.email],
    )
    return True


def _tell_office(request: Request) -> None:
    transaction.on_commit(partial(_enqueue_office_notice, str(request.pk)))


def _enqueue_office_notice(request_id: str) -> None:
    from brightline.casework.tasks import send_office_notice

    send_office_notice.enqueue(request_id)


def office_notice_send(*, request_id: str) -> bool:
    """E-mail the request's owner (or, when nobody owns it, the records office) that the requester
    wrote: the reference and a link to the office's page."""
    request = Request.objects.select_related("owner").filter(pk=request_id).first()
    if request is None:
        return False
    if request.owner is not None and request.owner.is_active and request.owner.email:
        recipients = [request.owner.email]
    else:
        recipients = list(
            User.objects.filter(role=Role.RECORDS_CLERK, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    if not recipients:
        return False
    link = f"{settings.SITE_URL.rstrip('/')}/office/requests/{request.pk}/"
    send_mail(
        f"Request {request.reference}: the requester wrote",
        f"{request.agency_name} wrote on request {request.reference}. Read it in Bright Line:\n{link}\n",
        settings.DEFAULT_FROM_EMAIL,
        recipients,
    )
    return True


# -- messages -------------------------------------------------------------------------------------------


def _message_store(
    request: Request,
    *,
    kind: MessageKind,
    from_office: bool,
    body: str,
    author: User | None,
    now: dt.datetime,
) -> tuple[Message, LedgerEvent]:
    salt, commitment = _salted(body)
    message = Message.objects.create(
        request=request,
        kind=kind,
        from_office=from_office,
        body=body,
        text_salt=salt,
        author=author,
        # An agency's system (an API token) writes as the agency.
        author_name=_name(author) if author is not None else request.agency_name,
        sent_at=now,
    )
    event = LedgerEvent(
        event_type="request.message",
        subject={"request": str(request.pk), "message": message.pk},
        record={
            "request": str(request.pk),
            "message": message.pk,
            "kind": str(kind),
            "from": "office" if from_office else "requester",
            "author": author.pk if author is not None else None,
            "text_sha256_salted": commitment,
            "sent_at": now,
        },
    )
    return message, event


@transaction.atomic
@ledger_batched
def message_send(*, request_id: Any, author: User | None, body: str, agency: Agency | None = None) -> Message:
    """A message on a request. From the requester (`agency`: its own requests only; another agency's
    request is "not found", like a missing one) it answers a request to clarify when the clock is
    paused, and the clock resumes; from the records office it is e-mailed to the requester as a link."""
    if agency is not None:
        text = _text(
            body,
            "body",
            _("Write your message to the records office."),
            _("Write your message to the records office in at most %(count)s characters."),
        )
    else:
        text = _text(
            body,
            "body",
            _("Write your message to the requester."),
            _("Write your message to the requester in at most %(count)s characters."),
        )
    request = _locked(request_id)
    now = timezone.now()
    if agency is not None:
        if request.agency_id != agency.pk:
            raise NotFound("no such request")
        if _closed_to_messages(request, now):
            raise Conflict(
                _(
                    "This request was decided more than %(days)s days ago: to ask for more, make a new "
                    "request."
                )
                % {"days": MESSAGES_AFTER_DECISION_DAYS},
                field="body",
            )
        coalesced = _office_told_recently(request, now)
        with ledger_padded(
            leaves=REQUESTER_MESSAGE_LEAVES, subject={}, record={"padding_for": "request.message"}
        ):
            # A pause left on a request decided since (as the requester reads it) is not waited on.
            # A pause of the office's own (no question asked) waits for the office, not for this message.
            answering = clock_waits_for_requester(request) and _undecided_for_requester(request)
            kind = MessageKind.ANSWER if answering else MessageKind.MESSAGE
            message, event = _message_store(
                request, kind=kind, from_office=False, body=text, author=author, now=now
            )
            events = [event]
            if answering:
                events.append(_resume(request, by=author, reason="the requester answered", now=now))
            ledger_append_many(events)
        if not coalesced:
            _tell_office(request)
        return message
    if author is None or author.role not in OFFICE_ROLES:
        raise NotAllowed(_("Only the records office writes to a requester."))
    message, event = _message_store(
        request, kind=MessageKind.MESSAGE, from_office=True, body=text, author=author, now=now
    )
    ledger_append_many([event])
    _tell_requester(request, "message")
    return message


@transaction.atomic
@ledger_batched
def clarification_ask(*, request_id: Any, asked_by: User, body: str) -> Message:
    """The records office asks the requester to clarify (a student it cannot find, an unclear purpose):
    the decision clock stops until the requester answers (or the office resumes it)."""
    if asked_by.role not in OFFICE_ROLES:
        raise NotAllowed(_("Only the records office asks a requester to clarify."))
    text = _text(
        body,
        "body",
        _("Write what the requester should clarify."),
        _("Write what the requester should clarify in at most %(count)s characters."),
    )
    request = _locked(request_id)
    if not _undecided_for_requester(request):
        raise Conflict(_("This request is decided: there is no clock to stop."), field="request")
    if request.clock_paused_at is not None:
        if clock_waits_for_requester(request):
            raise Conflict(_("The decision clock already waits for the requester's answer."), field="request")
        raise Conflict(
            _("The decision clock is paused: resume it before asking the requester to clarify."),
            field="request",
        )
    now = timezone.now()
    message, event = _message_store(
        request, kind=MessageKind.CLARIFICATION, from_office=True, body=text, author=asked_by, now=now
    )
    request.clock_paused_at = now
    request.save(update_fields=["clock_paused_at", "updated_at"])
    change = DeadlineChange.objects.create(
        request=request,
        kind=DeadlineChangeKind.PAUSED,
        reason="waiting for the requester to clarify",
        due_before=request.decision_due_at,
        due_after=request.decision_due_at,
        changed_by=asked_by,
        changed_at=now,
    )
    ledger_append_many([event, _deadline_event(request, change)])
    _tell_requester(request, "clarification")
    return message


def clock_waits_for_requester(request: Request) -> bool:
    """Whether the clock is paused on a question to the requester (its answer starts the clock again),
    rather than by the office without one (`clock_pause`: only the office starts it again). A question
    asked is a clarification sent at or after the moment the clock stopped: none can be asked while it
    stands still."""
    if request.clock_paused_at is None:
        return False
    return Message.objects.filter(
        request=request, kind=MessageKind.CLARIFICATION, sent_at__gte=request.clock_paused_at
    ).exists()


def current_pause(request: Request) -> DeadlineChange | None:
    """The pause the clock stands in now (its reason is the office's own), or None when it runs."""
    if request.clock_paused_at is None:
        return None
    return (
        DeadlineChange.objects.filter(request=request, kind=DeadlineChangeKind.PAUSED)
        .order_by("-changed_at", "-pk")
        .first()
    )


@transaction.atomic
@ledger_batched
def clock_pause(*, request_id: Any, paused_by: User, reason: str) -> DeadlineChange:
    """The records office stops the decision clock without asking the requester anything (it waits for a
    court's answer, another agency, counsel). The reason is internal: the requester reads that the clock
    is paused and, once the office resumes it, the new deadline, never why (the reason may say what the
    district knows of a student). A requester's message does not start this clock again; only the office
    does (`clock_resume`), and the deadline then moves by the business days it stood still."""
    if paused_by.role not in OFFICE_ROLES:
        raise NotAllowed(_("Only the records office pauses the decision clock."))
    text = _text(
        reason,
        "reason",
        _("Write why the clock is paused."),
        _("Write why the clock is paused in at most %(count)s characters."),
    )
    request = _locked(request_id)
    if not _undecided_for_requester(request):
        raise Conflict(_("This request is decided: there is no clock to pause."), field="request")
    if request.clock_paused_at is not None:
        raise Conflict(_("The decision clock is already paused."), field="request")
    now = timezone.now()
    request.clock_paused_at = now
    request.save(update_fields=["clock_paused_at", "updated_at"])
    change = DeadlineChange.objects.create(
        request=request,
        kind=DeadlineChangeKind.PAUSED,
        reason=text,
        due_before=request.decision_due_at,
        due_after=request.decision_due_at,
        changed_by=paused_by,
        changed_at=now,
    )
    ledger_append_many([_deadline_event(request, change)])
    _tell_requester(request, "paused")
    return change


def _deadline_event(request: Request, change: DeadlineChange) -> LedgerEvent:
    return LedgerEvent(
        event_type=f"request.deadline_{change.kind}",
        subject={"request": str(request.pk)},
        record={
            "request": str(request.pk),
            "change": change.pk,
            "due_before": change.due_before,
            "due_after": change.due_after,
            "reason_sha256": hashlib.sha256(change.reason.encode()).hexdigest(),
            "by": change.changed_by_id,
            "at": change.changed_at,
        },
    )


def _resume(request: Request, *, by: User | None, reason: str, now: dt.datetime) -> LedgerEvent:
    """Start the clock again: the deadline moves by the business days it stood still (counted as the
    calendar counts them: weekends, school holidays and the district's closures skipped)."""
    assert request.clock_paused_at is not None
    paused_day = _local_day(request.clock_paused_at)
    calendar = DistrictCalendar.load(after=paused_day)
    stood = calendar.business_days_between(paused_day, _local_day(now))
    before = request.decision_due_at
    due_day = _local_day(before)
    after = end_of_day(calendar.add_business_days(due_day, stood)) if stood else before
    request.decision_due_at = after
    request.clock_paused_at = None
    request.save(update_fields=["decision_due_at", "clock_paused_at", "updated_at"])
    change = DeadlineChange.objects.create(
        request=request,
        kind=DeadlineChangeKind.RESUMED,
        reason=reason,
        due_before=before,
        due_after=after,
        changed_by=by,
        changed_at=now,
    )
    _tell_requester(request, "deadline")
    return _deadline_event(request, change)


@transaction.atomic
@ledger_batched
def clock_resume(*, request_id: Any, resumed_by: User, reason: str) -> DeadlineChange:
    """The records office starts the clock again without a written answer (the requester phoned)."""
    if resumed_by.role not in OFFICE_ROLES:
        raise NotAllowed(_("Only the records office resumes the decision clock."))
    text = _text(
        reason,
        "reason",
        _("Write why the clock resumes."),
        _("Write why the clock resumes in at most %(count)s characters."),
    )
    request = _locked(request_id)
    if request.clock_paused_at is None:
        raise Conflict(_("The decision clock is running: there is nothing to resume."), field="request")
    if not _undecided_for_requester(request):
        raise Conflict(_("This request is decided: there is no clock to resume."), field="request")
    ledger_append_many([_resume(request, by=resumed_by, reason=text, now=timezone.now())])
    return DeadlineChange.objects.filter(request=request).latest("changed_at", "pk")


@transaction.atomic
@ledger_batched
def deadline_extend(
    *, request_id: Any, extended_by: User, new_due_date: dt.date | None, reason: str
) -> DeadlineChange:
    """Extend the decision deadline to the end of a later business day, with a reason the requester
    reads beside the new date."""
    if extended_by.role not in OFFICE_ROLES:
        raise NotAllowed(_("Only the records office extends a deadline."))
    problems: list[tuple[str, str]] = []
    if new_due_date is None:
        problems.append(("new_due_date", _("Enter the new decision date.")))
    try:
        text = _text(
            reason,
            "reason",
            _("Write the reason for the extension: the requester reads it."),
            _("Write the reason for the extension in at most %(count)s characters."),
        )
    except InvalidInput as error:
        problems += error.errors
    if problems:
        raise InvalidInput(problems)
    assert new_due_date is not None
    request = _locked(request_id)
    if not _undecided_for_requester(request):
        raise Conflict(_("This request is decided: there is no deadline to extend."), field="request")
    due_day = _local_day(request.decision_due_at)
    calendar = DistrictCalendar.load(after=due_day)
    if new_due_date <= due_day:
        raise InvalidInput(
            [
                (
                    "new_due_date",
                    _("Enter a new decision date after the current deadline, %(date)s.")
                    % {"date": _day_in_words(due_day)},
                )
            ]
        )
    if not calendar.is_business_day(new_due_date):
        raise InvalidInput(
            [
                (
                    "new_due_date",
                    _("Enter a new decision date that is a business day of the district: %(date)s is not.")
                    % {"date": _day_in_words(new_due_date)},
                )
            ]
        )
    if calendar.business_days_between(due_day, new_due_date) > EXTENSION_MAX_BUSINESS_DAYS:
        raise InvalidInput(
            [
                (
                    "new_due_date",
                    _(
                        "Enter a new decision date at most %(count)s business days after the current "
                        "deadline, %(date)s."
                    )
                    % {"count": EXTENSION_MAX_BUSINESS_DAYS, "date": _day_in_words(due_day)},
                )
            ]
        )
    now = timezone.now()
    before = request.decision_due_at
    request.decision_due_at = end_of_day(new_due_date)
    request.save(update_fields=["decision_due_at", "updated_at"])
    change = DeadlineChange.objects.create(
        request=request,
        kind=DeadlineChangeKind.EXTENDED,
        reason=text,
        due_before=before,
        due_after=request.decision_due_at,
        changed_by=extended_by,
        changed_at=now,
    )
    ledger_append_many([_deadline_event(request, change)])
    _tell_requester(request, "deadline")
    return change


# -- owner and internal notes ----------------------------------------------------------------------------


@transaction.atomic
@ledger_batched
def request_assign(*, request_id: Any, owner_id: int | None, assigned_by: User) -> Request:
    """Give a request an owner in the district's staff (or none)."""
    if assigned_by.role not in OFFICE_ROLES:
        raise NotAllowed(_("Only the records office assigns requests."))
    owner: User | None = None
    if owner_id is not None:
        owner = User.objects.filter(pk=owner_id, is_active=True, role__in=STAFF_ROLES).first()
        if owner is None:
            raise InvalidInput(
                [
                    (
                        "owner",
                        _("Choose the owner from the list: a member of the records office or a reviewer."),
                    )
                ]
            )
    request = _locked(request_id)
    if request.owner_id == (owner.pk if owner else None):
        return request
    previous = request.owner_id
    request.owner = owner
    request.save(update_fields=["owner", "updated_at"])
    ledger_append_many(
        [
            LedgerEvent(
                event_type="request.assigned",
                subject={"request": str(request.pk)},
                record={
                    "request": str(request.pk),
                    "from": previous,
                    "to": owner.pk if owner else None,
                    "by": assigned_by.pk,
                },
            )
        ]
    )
    return request


@transaction.atomic
@ledger_batched
def note_add(*, request_id: Any, author: User, body: str) -> InternalNote:
    """An internal note of the district's staff on a request; the requester never reads it."""
    if author.role not in STAFF_ROLES:
        raise NotAllowed(_("Only the district's casework staff write internal notes."))
    text = _text(body, "body", _("Write the note."), _("Write the note in at most %(count)s characters."))
    request = _locked(request_id)
    now = timezone.now()
    salt, commitment = _salted(text)
    note = InternalNote.objects.create(
        request=request, body=text, text_salt=salt, author=author, author_name=_name(author), written_at=now
    )
    ledger_append_many(
        [
            LedgerEvent(
                event_type="request.note_added",
                subject={"request": str(request.pk), "note": note.pk},
                record={
                    "request": str(request.pk),
                    "note": note.pk,
                    "author": author.pk,
                    "text_sha256_salted": commitment,
                    "written_at": now,
                },
            )
        ]
    )
    return note
