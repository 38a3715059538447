"""Preservation requests: an agency asks the district to preserve a student's records pending legal
process (as the large providers accept, 18 U.S.C. 2703(f)). The district records the hold, discloses
nothing, and the hold expires after `PRESERVATION_DAYS` unless process follows (a request that names
the hold) or the agency extends it once. A hold asked by an immigration enforcement agency is recorded
the same way, and counsel gets a copy of it (`COUNSEL_COPY_KINDS`).

The bright line: the agency's answer (reference, state, end of the hold) is the same whether or not
the roster knows the students it named; the roster's matches are kept for the district's staff alone,
and the public log gets one entry per step, whoever the students are.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field, StrictStr, ValidationError

from brightline.accounts.models import Role, User
from brightline.agencies.models import Agency
from brightline.casework import followers
from brightline.casework.models import Preservation, PreservationState, Request
from brightline.casework.schemas import Category, NamedStudent, _no_repeats, _Strict, field_path
from brightline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from brightline.ledger.services import LedgerEvent, ledger_append_many, ledger_batch, ledger_batched

PRESERVATION_DAYS = 90
MAX_STUDENTS = 20
# The district does not assist civil immigration enforcement (DOMAIN.md rule F1, whose obligation is
# `notify_legal_advisor`): it records such an agency's hold like any other and discloses nothing, and
# counsel gets a copy of every one, in its notices to read and by email, in the same transaction.
COUNSEL_COPY_KINDS = frozenset({"immigration_enforcement"})


class PreservationIn(_Strict):
    """What an agency asks the district to preserve, and the legal process it says will follow."""

    students: Annotated[list[NamedStudent], Field(min_length=1, max_length=MAX_STUDENTS)]
    categories: Annotated[list[Category], Field(min_length=1), AfterValidator(_no_repeats)]
    process_expected: Annotated[StrictStr, Field(min_length=1, max_length=2000)]


def preservation_in(document: object) -> PreservationIn:
    if isinstance(document, PreservationIn):
        return document
    try:
        sent = PreservationIn.model_validate(document)
    except ValidationError as error:
        raise InvalidInput(
            [(field_path(problem["loc"]), problem["msg"]) for problem in error.errors(include_url=False)]
        ) from None
    if not sent.process_expected.strip():
        raise InvalidInput([("process_expected", _("Say which legal process will follow."))])
    return sent


def _new_reference(now: dt.datetime) -> str:
    from brightline.casework.services import REFERENCE_ALPHABET

    return f"PH-{now:%y}-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _position in range(6))


def _matched(named: list[dict[str, Any]]) -> list[int]:
    from brightline.casework.services import _match

    found: list[int] = []
    for student in named:
        candidates = _match(student)
        if len(candidates) == 1:
            found.append(candidates[0].pk)
    return found


def _event(hold: Preservation, event_type: str, **record: Any) -> LedgerEvent:
    return LedgerEvent(
        event_type=event_type,
        subject={"preservation": str(hold.pk)},
        record={"preservation": str(hold.pk), "agency": hold.agency_id, **record},
    )


@transaction.atomic
@ledger_batched
def preservation_submit(
    *, agency: Agency, document: PreservationIn | dict[str, Any], submitted_by: User | None = None
) -> Preservation:
    """Record an agency's preservation request. Nothing is disclosed; the hold ends in
    `PRESERVATION_DAYS` days unless legal process follows."""
    sent = preservation_in(document)
    now = timezone.now()
    named = [student.model_dump(mode="json") for student in sent.students]
    hold = Preservation.objects.create(
        reference=_new_reference(now),
        agency=agency,
        agency_name=agency.name,
        submitted_by=submitted_by,
        students=named,
        matched_students=_matched(named),
        categories=list(sent.categories),
        process_expected=sent.process_expected.strip(),
        received_at=now,
        expires_at=now + dt.timedelta(days=PRESERVATION_DAYS),
    )
    ledger_append_many(
        [
            _event(
                hold,
                "preservation.recorded",
                students_named=len(named),
                categories=hold.categories,
                expires_at=hold.expires_at,
            )
        ]
    )
    if agency.kind in COUNSEL_COPY_KINDS:
        # Whoever the students are: the copy depends on the agency alone, so its entries on the public
        # log say nothing of the roster.
        followers.notices().preservation_recorded(preservation=hold)
    return hold


def _own(agency: Agency, preservation_id: Any) -> Preservation:
    try:
        hold = Preservation.objects.select_for_update().filter(pk=preservation_id, agency=agency).first()
    except (ValueError, TypeError):
        hold = None
    except Exception as error:  # a malformed UUID
        if error.__class__.__name__ != "ValidationError":
            raise
        hold = None
    if hold is None:
        raise NotFound("no such preservation request")
    return hold


@transaction.atomic
@ledger_batched
def preservation_extend(*, agency: Agency, preservation_id: Any) -> Preservation:
    """The agency extends its hold once, by another `PRESERVATION_DAYS` days, before it ends."""
    hold = _own(agency, preservation_id)
    now = timezone.now()
    if hold.state != PreservationState.ACTIVE or hold.expires_at <= now:
        raise Conflict(_("This hold is no longer in force."), field="preservation")
    if hold.extended_at is not None:
        raise Conflict(_("A hold is extended once: legal process must follow."), field="preservation")
    hold.expires_at = hold.expires_at + dt.timedelta(days=PRESERVATION_DAYS)
    hold.extended_at = now
    hold.save(update_fields=["expires_at", "extended_at"])
    ledger_append_many([_event(hold, "preservation.extended", expires_at=hold.expires_at)])
    return hold


@transaction.atomic
@ledger_batched
def preservation_followed(*, preservation_id: Any, request_reference: str, recorded_by: User) -> Preservation:
    """The records office records that legal process followed: the request that carries it. The hold
    then ends with that request (its records are kept with it)."""
    if recorded_by.role not in (Role.RECORDS_CLERK, Role.ADMIN):
        raise NotAllowed(_("Only the records office records that legal process followed."))
    hold = Preservation.objects.select_for_update().filter(pk=preservation_id).first()
    if hold is None:
        raise NotFound("no such preservation request")
    if hold.state != PreservationState.ACTIVE:
        raise Conflict(_("This hold is no longer in force."), field="preservation")
    request = Request.objects.filter(reference=(request_reference or "").strip().upper()).first()
    if request is None or request.agency_id != hold.agency_id:
        raise InvalidInput(
            [
                (
                    "request_reference",
                    _("Enter the reference of a request from the same agency, such as BL-26-7K3QX9."),
                )
            ]
        )
    now = timezone.now()
    hold.state = PreservationState.FOLLOWED
    hold.followed_by = request
    hold.ended_at = now
    hold.save(update_fields=["state", "followed_by", "ended_at"])
    ledger_append_many(
        [_event(hold, "preservation.followed", request=str(request.pk), recorded_by=recorded_by.pk)]
    )
    return hold


def preservations_expire_due(*, now: dt.datetime | None = None) -> list[Preservation]:
    """End every hold whose time ran out with no legal process, each in its own transaction (run daily
    by `brightline remind_deadlines`)."""
    now = now or timezone.now()
    ended: list[Preservation] = []
    for pk in Preservation.objects.filter(state=PreservationState.ACTIVE, expires_at__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            hold = Preservation.objects.select_for_update().get(pk=pk)
            if hold.state != PreservationState.ACTIVE or hold.expires_at > now:
                continue
            with ledger_batch():
                hold.state = PreservationState.EXPIRED
                hold.ended_at = now
                hold.save(update_fields=["state", "ended_at"])
                ledger_append_many([_event(hold, "preservation.expired", at=now)])
            ended.append(hold)
    return ended
