"""Writes for casework: submitting a request, matching students, deciding items, the notice gate.

Every function here is one transaction and appends its ledger entries inside it, so a request
never exists without its triage, and a decision never exists without its ledger entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from brightline.accounts.models import Role, User
from brightline.agencies.models import Agency
from brightline.casework import followers, selectors
from brightline.casework import triage as triage_bridge
from brightline.casework.calendar import decision_due_at
from brightline.casework.models import (
    OFF_PORTAL_CHANNELS,
    Channel,
    Decision,
    DecisionAction,
    EmergencyDetermination,
    Item,
    ItemState,
    MatchState,
    Request,
    RequestState,
    RequestStudent,
    disposition_for,
    request_state_for,
)
from brightline.casework.schemas import (
    EmergencyIn,
    RequesterIn,
    RequestIn,
    decision_in,
    determination_in,
    request_in,
)
from brightline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from brightline.ledger.canonical import canonical_json
from brightline.ledger.services import LedgerEvent, ledger_append_many, ledger_batched, ledger_padded
from brightline.policy import engine
from brightline.roster.models import DataField, Student
from brightline.roster.selectors import inventory_by_category, inventory_fields, students_matching
from brightline.training.selectors import require_trained
from brightline.vocabulary import EMERGENCY_RESPONDERS, LAWFUL_BASES, label_en

# How far back the records office may date a request it enters (received by fax, mail, in person …).
OFF_PORTAL_RECEIPT_DAYS = 30
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class SubmitResult:
    """The request, and for a new one its students and items as stored (the first request, when an
    idempotency key repeats, is read again by whoever needs its parts)."""

    request: Request
    created: bool
    students: list[RequestStudent] | None = None
    items: list[Item] | None = None


def _new_reference(received_at: dt.datetime) -> str:
    # Random rather than sequential: a reference read out on the phone must not reveal request volume.
    suffix = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
    return f"BL-{received_at:%y}-{suffix}"


def _requester_document(sent: RequesterIn | None, *, agency: Agency, user: User | None) -> dict[str, Any]:
    """The requester object, with kind and agency taken from the verified agency, never from the body."""
    sent = sent or RequesterIn()
    if sent.kind is not None and sent.kind != agency.kind:
        raise NotAllowed(
            f"This credential speaks for {agency.name} ({label_en('requester_kind', agency.kind)}), not for "
            f"another kind of requester ({label_en('requester_kind', sent.kind)}): leave the kind out.",
            field="requester.kind",
        )
    if sent.agency is not None and sent.agency != agency.name:
        raise NotAllowed(
            f"This credential speaks for {agency.name}, not for another agency: leave the agency out.",
            field="requester.agency",
        )
    requester_profile = getattr(user, "requester", None) if user is not None else None
    name = sent.name or (user.get_full_name() if user is not None else "") or agency.name
    position = sent.position or (requester_profile.position if requester_profile else "")
    return {"kind": agency.kind, "agency": agency.name, "name": name, "position": position}


def _stored_document(
    sent: RequestIn, *, agency: Agency, user: User | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The request object as stored and triaged, and the students as named."""
    named = [student.model_dump(mode="json") for student in sent.students]
    document = sent.model_dump(mode="json")
    document["requester"] = _requester_document(sent.requester, agency=agency, user=user)
    document["students"] = named
    # What the requester sent decides how the students were identified, never what it says (CONTRACTS.md).
    document["identified_by"] = triage_bridge.identified_by_request(named)
    if sent.emergency is not None and sent.emergency.ends_at is None:
        # An emergency with no time it ends is no emergency: the other rules decide (never an error).
        document["emergency"] = None
    return document, named


def emergency_note(emergency: EmergencyIn | None, *, requester_kind: str, received_at: dt.datetime) -> str:
    """Why the emergency a requester stated is not taken into account, in words it can read; "" when it
    is (or none was stated). DOMAIN.md: an emergency counts only with a threat, before its end, from an
    emergency responder."""
    if emergency is None:
        return ""
    ends_at = emergency.ends_at
    prefix = "The emergency stated in this request was not taken into account:"
    if ends_at is None:
        return f"{prefix} it gives no date and time, with a time zone, when it ends."
    if not emergency.threat or not emergency.threat.strip():
        return f"{prefix} it states no threat to health or safety."
    if requester_kind not in EMERGENCY_RESPONDERS:
        return (
            f"{prefix} under the district's policy only police, transit and state police, child protective "
            "services and public health declare an emergency."
        )
    if received_at >= ends_at:
        return f"{prefix} it had ended before the request arrived."
    return ""


def _match(named: dict[str, Any]) -> list[Student]:
    if "student_id" in named:
        return students_matching(student_id=named["student_id"])
    return students_matching(
        first_name=named["first_name"],
        last_name=named["last_name"],
        birth_date=dt.date.fromisoformat(named["birth_date"]),
    )


def _item_state_for(outcome: str, obligations: list[str], *, emergency_found: bool = False) -> ItemState:
    if outcome == "refuse":
        return ItemState.REFUSED
    if outcome == "review":
        return ItemState.PENDING_REVIEW
    return _state_once_approved(obligations, emergency_found=emergency_found)


def _state_once_approved(obligations: list[str], *, emergency_found: bool) -> ItemState:
    """Where an item goes once nothing but its gates stand between it and release: the district's
    determination of an emergency first, then the family's advance notice."""
    if "determine_emergency" in obligations and not emergency_found:
        return ItemState.AWAITING_DETERMINATION
    if "notify_family_before_release" in obligations:
        return ItemState.AWAITING_NOTICE
    return ItemState.CLEARED


def _triage_fields(
    request: Request, request_students: list[RequestStudent], policy: engine.PolicyVersion | None = None
) -> list[dict[str, Any]]:
    """The engine's triage of these (matched) students' items as item fields, in request order:
    students, then categories. `policy` is the request's version when the caller has it at hand."""
    if policy is None:
        policy = triage_bridge.policy_for_request(request.policy_sha256)
    # Students named by a district id and students named by name and birth date are triaged apart when
    # one request names both: each is identified the way the requester really identified it (rule F6).
    by_identification: dict[str, list[RequestStudent]] = {}
    for rs in request_students:
        by_identification.setdefault(triage_bridge.identified_by(rs.named), []).append(rs)
    triaged_by_student: dict[int, list[dict[str, Any]]] = {}
    categories = request.document["categories"]
    for identification, group in by_identification.items():
        result = triage_bridge.triage(
            request.document,
            [rs.facts for rs in group],  # type: ignore[misc]
            request.received_at,
            policy,
            identified_by=identification if len(by_identification) > 1 else None,
        )
        group_items = iter(result["items"])
        for rs in group:
            triaged_by_student[rs.position] = [next(group_items) for _ in categories]
    results = iter([item for rs in request_students for item in triaged_by_student[rs.position]])
    # The district's inventory as it stands, read once for the request's categories if an item needs it.
    inventory: dict[str, list[DataField]] | None = None
    fields: list[dict[str, Any]] = []
    for rs in request_students:
        for category in categories:
            triaged = next(results)
            # The engine answers in request order: students, then categories.
            assert triaged["category"] == category and triaged["student_id"] == (rs.facts or {}).get(
                "student_id"
            )
            obligations = sorted(triaged["obligations"])
            state = _item_state_for(triaged["outcome"], obligations)
            approved: list[str] = []
            if state in (ItemState.CLEARED, ItemState.AWAITING_NOTICE, ItemState.AWAITING_DETERMINATION):
                if inventory is None:
                    inventory = inventory_by_category(categories)
                approved = [data_field.field_name for data_field in inventory[category]]
            fields.append(
                {
                    "outcome": triaged["outcome"],
                    "reviewer": triaged["reviewer"] or "",
                    "rules": triaged["rules"],
                    "obligations": obligations,
                    "explanation": _explained(request, triaged["explanation"]),
                    "state": state,
                    "approved_fields": approved,
                }
            )
    return fields


def _explained(request: Request, explanation: str) -> str:
    """The engine's explanation, after the note on an emergency that was not taken into account."""
    return f"{request.emergency_note} {explanation}" if request.emergency_note else explanation


TRIAGE_COLUMNS = ("outcome", "reviewer", "rules", "obligations", "explanation", "state", "approved_fields")


def _apply_triage(request: Request, request_students: list[RequestStudent]) -> list[Item]:
    """Triage the stored items of these (matched) students and store the engine's result on each item."""
    if not request_students:
        return []
    triaged = iter(_triage_fields(request, request_students))
    items = list(
        Item.objects.filter(request_student__in=request_students)
        .order_by("position")
        .select_for_update(of=("self",))
    )
    changed: list[Item] = []
    categories = request.document["categories"]
    for rs in request_students:
        own = [item for item in items if item.request_student_id == rs.pk]
        for item, category in zip(own, categories, strict=True):
            assert item.category == category
            for name, value in next(triaged).items():
                setattr(item, name, value)
            changed.append(item)
    now = timezone.now()
    for item in changed:
        item.updated_at = now
    Item.objects.bulk_update(changed, [*TRIAGE_COLUMNS, "updated_at"])
    return changed


def request_refresh_state(request: Request, *, actor: User | None = None) -> RequestState:
    """Store the state and disposition the items imply; a change of state is a ledger entry of its own
    (in the caller's `ledger_batch`, after what it appended)."""
    items = list(request.items.select_related("request_student"))
    _append(_request_state_store(request, items, actor=actor))
    return RequestState(request.state)


def _request_state_store(request: Request, items: list[Item], *, actor: User | None) -> LedgerEvent | None:
    """Store the state and disposition these items imply (each with its `request_student`); the ledger
    event of a change of state, for the caller to append in its transaction."""
    states = [str(item.state) for item in items]
    new_state = request_state_for(states)
    disposition = disposition_for(states)
    undecided = (RequestState.AWAITING_MATCH, RequestState.IN_REVIEW, RequestState.AWAITING_DETERMINATION)
    fields: list[str] = []
    told = str(selectors.requester_state_of(request, items))
    if request.clock_paused_at is not None and told not in undecided:
        # Decided (as its requester reads it, so no earlier than the requester learns the decision): no
        # clock is left to wait for an answer. Not a resume: the deadline does not move, nothing is told.
        request.clock_paused_at = None
        fields.append("clock_paused_at")
    if request.submitted_by_id is not None and told != request.requester_told_state:
        # The requester who submitted on the portal is e-mailed when its own view of the request changes
        # (which may be without any change of the request's own state: an answer sent).
        request.requester_told_state = told
        fields.append("requester_told_state")
        transaction.on_commit(partial(_enqueue_requester_update, request.pk, told))
    if new_state == request.state and disposition == request.disposition:
        if fields:
            request.save(update_fields=[*fields, "updated_at"])
        return None
    previous = request.state
    request.state = new_state
    request.disposition = disposition
    fields += ["state", "disposition", "updated_at"]
    if request.decided_at is None and new_state not in undecided:
        request.decided_at = timezone.now()
        fields.append("decided_at")
    request.save(update_fields=fields)
    if previous == new_state:
        return None
    return LedgerEvent(
        event_type="request.state_changed",
        subject={"request": str(request.pk)},
        record={
            "request": str(request.pk),
            "from": previous,
            "to": new_state,
            "disposition": disposition,
            "actor": actor.pk if actor else None,
        },
    )


def _enqueue_requester_update(request_id: Any, state: str) -> None:
    from brightline.casework.tasks import send_requester_update

    send_requester_update.enqueue(str(request_id), state)


def _append(event: LedgerEvent | None) -> None:
    """Append one event, if any, to the caller's ledger batch."""
    if event is not None:
        ledger_append_many([event])


def _after_triage(request: Request, request_students: list[RequestStudent], items: list[Item]) -> None:
    """What follows triage for newly triaged students: their record entries, any advance notices, then
    counsel's copy, the missing-persons alert and the administrator's family-notice decision."""
    if request_students:
        own = {rs.pk: [item for item in items if item.request_student_id == rs.pk] for rs in request_students}
        followers.records().request_received(
            request=request, students=[(rs, own[rs.pk]) for rs in request_students]
        )
        for rs in request_students:
            waiting = [item for item in own[rs.pk] if item.state == ItemState.AWAITING_NOTICE]
            if waiting:
                followers.notices().before_release(request=request, student=rs.student, items=waiting)  # type: ignore[arg-type]
    # A refusal of students nobody has identified still sends counsel its copy (rule F1).
    followers.notices().after_triage(request=request, request_students=request_students, items=items)


@transaction.atomic
@ledger_batched
def request_submit(
    *,
    agency: Agency,
    document: RequestIn | dict[str, Any],
    channel: str,
    submitted_by: User | None = None,
    entered_by: User | None = None,
    received_at: dt.datetime | None = None,
    idempotency_key: str | None = None,
) -> SubmitResult:
    """Receive a request, match its students against the roster and triage every item.

    Agencies submit through the portal or the API; the records office enters requests that arrived
    by fax, email, phone, mail or in person (`entered_by`, with the date it really arrived).
    With an idempotency key, a retry returns the first request instead of making a second.
    `document` is DOMAIN.md's request object, validated here unless the API validated it already.
    """
    if channel not in Channel.values:
        raise InvalidInput(
            [
                (
                    "channel",
                    "This is not a way a request arrives: choose the portal, the API, fax, email, phone, "
                    "mail or in person.",
                )
            ]
        )
    if entered_by is not None:
        if entered_by.role not in (Role.RECORDS_CLERK, Role.ADMIN):
            raise NotAllowed("only the records office enters requests received off the portal")
        require_trained(entered_by, acting="entering a request")
        if channel not in OFF_PORTAL_CHANNELS:
            raise InvalidInput(
                [
                    (
                        "channel",
                        "a request entered by the records office arrived by fax, email, phone, mail or in person",
                    )
                ]
            )
    now = timezone.now()
    if received_at is None:
        received_at = now
    elif received_at > now + dt.timedelta(minutes=5):
        raise InvalidInput([("received_at", "The time of arrival cannot be in the future.")])
    elif entered_by is not None and received_at < now - dt.timedelta(days=OFF_PORTAL_RECEIPT_DAYS):
        # A request is triaged under the policy in effect when it arrived: an entry dated far back would
        # be judged by rules the district has since replaced.
        raise InvalidInput(
            [("received_at", f"enter a request within {OFF_PORTAL_RECEIPT_DAYS} days of its arrival")]
        )
    sent = request_in(document)
    body_hash = (
        hashlib.sha256(canonical_json(sent.model_dump(mode="json"))).hexdigest()
        if idempotency_key is not None
        else ""
    )
    if idempotency_key is not None:
        idempotency_key = idempotency_key.strip()
        if not idempotency_key or len(idempotency_key) > 255:
            raise InvalidInput([("Idempotency-Key", "An Idempotency-Key holds 1 to 255 characters.")])
        # Plain SQL for the usual answer, "not used yet"; a retry reads its first request whole.
        with transaction.get_connection().cursor() as cursor:
            cursor.execute(
                f"SELECT id, idempotency_body_sha256 FROM {Request._meta.db_table} "  # noqa: S608
                "WHERE agency_id = %s AND idempotency_key = %s",
                [agency.pk, idempotency_key],
            )
            used = cursor.fetchone()
        if used is not None:
            if used[1] != body_hash:
                raise Conflict(
                    "this Idempotency-Key was already used with a different request", field="Idempotency-Key"
                )
            return SubmitResult(Request.objects.get(pk=used[0]), created=False)

    stored, named = _stored_document(sent, agency=agency, user=submitted_by)
    with ledger_padded(
        leaves=_submission_leaves(len(named)),
        subject={},
        record={"padding_for": "request.submitted", "students_named": len(named)},
    ):
        return _request_store(
            agency=agency,
            document=sent,
            stored=stored,
            named=named,
            channel=channel,
            submitted_by=submitted_by,
            entered_by=entered_by,
            received_at=received_at,
            idempotency_key=idempotency_key,
            body_hash=body_hash,
        )


# The public log must not tell a requester what the district knows of the students it named: whether
# one is enrolled, flagged missing, in foster care. A submission's own entries (the request, each
# student's record entry, an alert, counsel's copy ...) are padded to a number of leaves fixed by what
# the requester sent and by the district's staffing, never by the students' facts.
SUBMISSION_LEAVES_PER_STUDENT = 4


def _legal_advisors() -> int:
    """Counsel's copies of a notice: one for each active legal advisor (staffing, not a student fact)."""
    return User.objects.filter(role=Role.LEGAL_ADVISOR, is_active=True).count()


def _submission_leaves(students_named: int) -> int:
    """The request, its state, counsel's notice and one copy for each legal advisor, and each named
    student's record entry, missing-persons alert and its email, and family-notice decision."""
    return 3 + _legal_advisors() + SUBMISSION_LEAVES_PER_STUDENT * students_named


def _padded_for_one_student(action: str) -> Any:
    """The office's step on one named student (matched, closed, answered) as the same number of leaves,
    whatever it found: a match writes the record entry and perhaps an alert, a closure writes neither."""
    return ledger_padded(
        leaves=2 + _legal_advisors() + SUBMISSION_LEAVES_PER_STUDENT,
        subject={},
        record={"padding_for": action},
    )


def _request_store(
    *,
    agency: Agency,
    document: RequestIn,
    stored: dict[str, Any],
    named: list[dict[str, Any]],
    channel: str,
    submitted_by: User | None,
    entered_by: User | None,
    received_at: dt.datetime,
    idempotency_key: str | None,
    body_hash: str,
) -> SubmitResult:
    """Store a validated request, match and triage its students, in the caller's transaction."""
    now = timezone.now()
    policy = triage_bridge.policy_in_effect(received_at)
    emergency = stored.get("emergency") or {}
    emergency_ends_at = dt.datetime.fromisoformat(emergency["ends_at"]) if emergency.get("ends_at") else None
    note = emergency_note(document.emergency, requester_kind=agency.kind, received_at=received_at)
    # Only an emergency the policy counts is due the same day (an emergency responder's, with a threat).
    active_emergency = (
        bool(emergency.get("threat"))
        and emergency_ends_at is not None
        and received_at < emergency_ends_at
        and not note
    )
    requester = stored["requester"]
    request = Request(
        reference=_new_reference(received_at),
        agency=agency,
        agency_name=agency.name,
        requester_kind=agency.kind,
        requester_name=requester["name"],
        requester_position=requester["position"],
        submitted_by=submitted_by,
        entered_by=entered_by,
        channel=channel,
        received_at=received_at,
        purpose=stored["purpose"],
        description=stored.get("description") or "",
        identified_by=stored["identified_by"],
        legal_process_kind=(stored.get("legal_process") or {}).get("kind", "none"),
        nondisclosure_order=bool((stored.get("legal_process") or {}).get("nondisclosure_order")),
        emergency_threat=emergency.get("threat") or "",
        emergency_ends_at=emergency_ends_at,
        emergency_note=note,
        document=stored,
        policy_id=policy.id,
        policy_version=policy.version,
        policy_sha256=policy.sha256,
        state=RequestState.AWAITING_MATCH,
        decision_due_at=decision_due_at(received_at, emergency=active_emergency).astimezone(dt.UTC),
        idempotency_key=idempotency_key,
        idempotency_body_sha256=body_hash,
    )
    if idempotency_key is None:
        request.save(force_insert=True)
    else:
        try:
            with transaction.atomic():
                request.save(force_insert=True)
        except IntegrityError:
            # Another process stored the same idempotency key between our look-up and our insert.
            existing = Request.objects.filter(agency=agency, idempotency_key=idempotency_key).first()
            if existing is None:
                raise
            return SubmitResult(existing, created=False)

    categories: list[str] = stored["categories"]
    request_students: list[RequestStudent] = []
    for position, entry in enumerate(named):
        matches = _match(entry)
        student = matches[0] if len(matches) == 1 else None
        request_students.append(
            RequestStudent(
                request=request,
                position=position,
                named=entry,
                student=student,
                match_state=MatchState.MATCHED
                if student
                else (MatchState.AMBIGUOUS if matches else MatchState.NO_MATCH),
                candidates=[match.pk for match in matches] if len(matches) > 1 else [],
                facts=student.policy_facts() if student else None,
                matched_at=now if student else None,
            )
        )
    RequestStudent.objects.bulk_create(request_students)
    # The matched students are triaged before their items are stored: each item is written once.
    matched = [rs for rs in request_students if rs.student_id is not None]
    triaged = iter(_triage_fields(request, matched, policy) if matched else [])
    # What the policy refuses whoever the student is, a student nobody has identified is refused at once
    # too: a request refused in whole answers the same whether its students are enrolled or not.
    refused_anyway: dict[str, dict[str, dict[str, Any]]] = {}
    for rs in request_students:
        how = triage_bridge.identified_by(rs.named)
        if rs.student_id is None and how not in refused_anyway:
            refused_anyway[how] = triage_bridge.refusals_whoever_the_student(
                stored, received_at, policy, identified_by=how
            )
    items: list[Item] = []
    for rs in request_students:
        for index, category in enumerate(categories):
            item = Item(
                request=request,
                request_student=rs,
                position=rs.position * len(categories) + index,
                category=category,
                state=ItemState.AWAITING_MATCH,
            )
            if rs.student_id is not None:
                for name, value in next(triaged).items():
                    setattr(item, name, value)
            else:
                refusal = refused_anyway[triage_bridge.identified_by(rs.named)].get(category)
                if refusal is not None:
                    item.outcome, item.rules = refusal["outcome"], refusal["rules"]
                    item.obligations = sorted(refusal["obligations"])
                    item.explanation = _explained(request, refusal["explanation"])
                    item.state = ItemState.REFUSED
            items.append(item)
    # bulk_create keeps each statement within the database's limit on parameters (200 students a request).
    Item.objects.bulk_create(items)
    triaged_items = [item for item in items if item.outcome]
    actor = submitted_by or entered_by
    _append(
        LedgerEvent(
            event_type="request.submitted",
            subject={"request": str(request.pk), "agency": agency.pk},
            record={
                "request": str(request.pk),
                "reference": request.reference,
                "agency": agency.pk,
                "channel": channel,
                "received_at": received_at.isoformat(),
                "document_sha256": hashlib.sha256(canonical_json(stored)).hexdigest(),
                "policy_sha256": policy.sha256,
                "items": [
                    {"item": item.pk, "category": item.category, "outcome": item.outcome, "rules": item.rules}
                    for item in triaged_items
                ],
                "unmatched_students": [rs.position for rs in request_students if rs.student_id is None],
            },
        )
    )
    _after_triage(request, matched, triaged_items)
    _append(_request_state_store(request, items, actor=actor))
    return SubmitResult(request, created=True, students=request_students, items=items)


@transaction.atomic
@ledger_batched
def student_match_resolve(*, request_student_id: int, student_id: int, resolved_by: User) -> RequestStudent:
    """The records office names the roster student a requester meant; that student's items are triaged."""
    if resolved_by.role not in (Role.RECORDS_CLERK, Role.ADMIN):
        raise NotAllowed("only the records office matches students")
    require_trained(resolved_by, acting="identifying a student")
    rs = (
        RequestStudent.objects.select_for_update(of=("self",))
        .select_related("request")
        .filter(pk=request_student_id)
        .first()
    )
    if rs is None:
        raise NotFound("no such student on a request")
    if rs.match_state == MatchState.MATCHED:
        raise Conflict("this student was already matched", field="student_id")
    student = Student.objects.filter(pk=student_id).first()
    if student is None:
        raise InvalidInput([("student_id", "no student with this id in the roster")])
    with _padded_for_one_student("request.student_matched"):
        rs.student = student
        rs.match_state = MatchState.MATCHED
        rs.facts = student.policy_facts()
        rs.matched_by = resolved_by
        rs.matched_at = timezone.now()
        rs.save(update_fields=["student", "match_state", "facts", "matched_by", "matched_at"])
        request = rs.request
        items = _apply_triage(request, [rs])
        _append(
            LedgerEvent(
                event_type="request.student_matched",
                subject={"request": str(request.pk), "request_student": rs.pk},
                record={
                    "request": str(request.pk),
                    "request_student": rs.pk,
                    "student": student.pk,
                    "matched_by": resolved_by.pk,
                    "items": [
                        {"item": item.pk, "outcome": item.outcome, "rules": item.rules} for item in items
                    ],
                },
            )
        )
        _after_triage(request, [rs], items)
        request_refresh_state(request, actor=resolved_by)
    return rs


def _case_for_item(item: Item) -> tuple[Any, dict[str, Any]]:
    """The parsed case of the item's request (its student only) and the item's triage result."""
    request = item.request
    rs = item.request_student
    case = engine.parse_case(
        triage_bridge.build_case(
            request.document,
            [rs.facts],  # type: ignore[list-item]
            request.received_at,
            identified_by=triage_bridge.identified_by(rs.named),
        )
    )
    result_item = {
        "student_id": rs.facts["student_id"],  # type: ignore[index]
        "category": item.category,
        "outcome": item.outcome,
        "reviewer": item.reviewer or None,
        "rules": item.rules,
        "obligations": item.obligations,
    }
    return case, result_item


@transaction.atomic
@ledger_batched
def item_decide(
    *,
    item_id: int,
    reviewer: User,
    action: str,
    rationale: str,
    lawful_basis: str | None = None,
    fields_removed: list[str] | None = None,
) -> Decision:
    """A reviewer approves (with a lawful basis the policy accepts), narrows, or denies one item.

    The item row is locked: of two reviewers deciding at once, one wins and the other gets a Conflict.
    On the public log a decision takes as many leaves as the office's step on a student: a denial (only
    an identified student reaches a reviewer) must not be told from the closure of a student nobody
    identified, which the requester reads alike.
    """
    with _padded_for_one_student("item.decided"):
        return _item_decide(
            item_id=item_id,
            reviewer=reviewer,
            action=action,
            rationale=rationale,
            lawful_basis=lawful_basis,
            fields_removed=fields_removed,
        )


def _item_decide(
    *,
    item_id: int,
    reviewer: User,
    action: str,
    rationale: str,
    lawful_basis: str | None,
    fields_removed: list[str] | None,
) -> Decision:
    item = (
        Item.objects.select_for_update(of=("self",))
        .select_related("request", "request_student")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFound("no such item")
    if item.state != ItemState.PENDING_REVIEW:
        raise Conflict(
            f"this item is no longer waiting for review (it is {item.get_state_display().lower()})"
        )
    if reviewer.role != item.reviewer:
        raise NotAllowed(f"This item is for the {label_en('reviewer', item.reviewer).lower()} to decide.")
    if item.request.entered_by_id == reviewer.pk:
        raise NotAllowed("whoever entered a request cannot decide it")
    require_trained(reviewer)
    # What the decision says on its own (an action, a rationale, a basis to approve, fields only when
    # narrowed) is the schema's to check; what needs the item, its policy and the inventory is checked here.
    sent = decision_in(
        {
            "action": action,
            "rationale": rationale or "",
            "lawful_basis": lawful_basis or None,
            "fields_removed": list(fields_removed or []),
        }
    )
    action, rationale, lawful_basis = sent.action, sent.rationale, sent.lawful_basis
    errors: list[tuple[str, str]] = []
    removed = list(dict.fromkeys(sent.fields_removed))
    available = inventory_fields(item.category)
    if action in (DecisionAction.APPROVE, DecisionAction.NARROW) and lawful_basis:
        lapsed = _emergency_basis_problem(item, lawful_basis, timezone.now())
        if lapsed:
            errors.append(("lawful_basis", lapsed))
        else:
            case, result_item = _case_for_item(item)
            policy = triage_bridge.policy_for_request(item.request.policy_sha256)
            allowed, reason = policy.check_lawful_basis(
                case,
                result_item,
                lawful_basis,
                students_named=triage_bridge.students_named(item.request.document),
            )
            if not allowed:
                errors.append(("lawful_basis", reason))
    if action == DecisionAction.NARROW:
        if any(field not in available for field in removed):
            category = label_en("category", item.category)
            errors.append(("fields_removed", f"Choose the fields to withhold from those of {category}."))
        elif len(removed) >= len(available):
            errors.append(("fields_removed", "Withholding every field is a denial: deny the item instead."))
    if errors:
        raise InvalidInput(errors)

    now = timezone.now()
    decision = Decision.objects.create(
        item=item,
        action=action,
        lawful_basis=(lawful_basis or "") if action != DecisionAction.DENY else "",
        rationale=rationale.strip(),
        fields_removed=removed,
        decided_by=reviewer,
        decided_by_name=reviewer.get_full_name() or reviewer.username,
        decided_by_role=reviewer.role,
        decided_by_position=reviewer.position,
        decided_at=now,
    )
    if action == DecisionAction.DENY:
        item.state = ItemState.DENIED
    else:
        item.approved_fields = [field for field in available if field not in removed]
        item.state = _state_once_approved(
            item.obligations, emergency_found=_emergency_found(item.request_student)
        )
    item.save(update_fields=["state", "approved_fields", "updated_at"])
    _append(
        LedgerEvent(
            event_type="item.decided",
            subject={"request": str(item.request_id), "item": item.pk, "decision": decision.pk},
            record={
                "item": item.pk,
                "decision": decision.pk,
                "action": action,
                "lawful_basis": decision.lawful_basis,
                "rationale_sha256": hashlib.sha256(decision.rationale.encode()).hexdigest(),
                "fields_removed": removed,
                "decided_by": reviewer.pk,
                "decided_by_role": reviewer.role,
                "state": item.state,
            },
        )
    )
    if item.state == ItemState.AWAITING_NOTICE:
        followers.notices().before_release(
            request=item.request,
            student=item.request_student.student,  # type: ignore[arg-type]
            items=[item],
        )
    request_refresh_state(item.request, actor=reviewer)
    return decision


def lawful_bases_for(item: Item) -> list[tuple[str, bool, str]]:
    """Every lawful basis with whether the policy accepts it for this item, and why: the review page
    shows reviewers which approvals are open to them before they choose."""
    case, result_item = _case_for_item(item)
    policy = triage_bridge.policy_for_request(item.request.policy_sha256)
    answers = []
    now = timezone.now()
    for basis in LAWFUL_BASES:
        lapsed = _emergency_basis_problem(item, basis, now)
        if lapsed:
            answers.append((basis, False, lapsed))
            continue
        allowed, reason = policy.check_lawful_basis(
            case, result_item, basis, students_named=triage_bridge.students_named(item.request.document)
        )
        answers.append((basis, allowed, reason))
    return answers


@transaction.atomic
@ledger_batched
def advance_notice_gate(*, request: Request, now: dt.datetime | None = None) -> list[Item]:
    """Clear items waiting for advance notice once every notice went out and the period has passed,
    and no objection of the family waits for the reviewer (the notices' side of `followers`)."""

    now = now or timezone.now()
    waiting = list(
        request.items.select_for_update(of=("self",))
        .filter(state=ItemState.AWAITING_NOTICE)
        .select_related("request_student")
    )
    cleared: list[Item] = []
    for item in waiting:
        student_id = item.request_student.student_id
        assert student_id is not None  # an item waits for a notice only once its student is matched
        if followers.notices().release_may_proceed(request=request, student_id=student_id, now=now):
            item.state = ItemState.CLEARED
            item.save(update_fields=["state", "updated_at"])
            cleared.append(item)
    if cleared:
        _items_moved(request, "item.notice_period_passed", cleared, now)
    return cleared


def _items_moved(request: Request, event_type: str, items: list[Item], now: dt.datetime) -> None:
    """The ledger entry of items the notice gate moved together, then the request's state."""
    _append(
        LedgerEvent(
            event_type=event_type,
            subject={"request": str(request.pk)},
            record={"request": str(request.pk), "items": [item.pk for item in items], "at": now.isoformat()},
        )
    )
    request_refresh_state(request)


def advance_notice_period() -> dt.timedelta:
    return dt.timedelta(days=settings.ADVANCE_NOTICE_DAYS)


def request_access_record(*, user: User, request: Request, what: str, http_request: Any = None) -> None:
    """Write to the staff access log that a member of staff read this request, once per named student
    (families and requesters are not logged: they read only what is theirs)."""
    from brightline.accounts.services import staff_access_record

    if not getattr(user, "is_district_staff", False):
        return
    for rs in request.students.all():
        if rs.student is not None:
            staff_access_record(user=user, student=rs.student, what=what, request=http_request)


# ---------------------------------------------------------------------------------------------------
# Emergencies (rule R1): the district's determination, and the re-check before anything leaves
# ---------------------------------------------------------------------------------------------------

EMERGENCY_BASIS = "health_safety_emergency_determined"
DETERMINING_ROLES = frozenset({Role.RECORDS_CLERK, Role.PRINCIPAL, Role.ADMIN})


def _local_time(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%B %-d, %Y at %-I:%M %p}"


def emergency_has_ended(request: Request, now: dt.datetime) -> bool:
    """The emergency a request stated is over (or there never was a time it lasted until)."""
    return request.emergency_ends_at is None or now >= request.emergency_ends_at


def _emergency_found(rs: RequestStudent) -> bool:
    determination = EmergencyDetermination.objects.filter(request_student=rs).only("found").first()
    return bool(determination and determination.found)


def _emergency_basis_problem(item: Item, basis: str, now: dt.datetime) -> str:
    """Why an approval cannot rest on the emergency now, or "" when nothing stands in its way here (the
    policy's own check of the basis still follows)."""
    if basis != EMERGENCY_BASIS:
        return ""
    request = item.request
    if (
        request.emergency_threat
        and request.emergency_ends_at is not None
        and now >= request.emergency_ends_at
    ):
        return (
            f"The emergency this request stated ended on {_local_time(request.emergency_ends_at)}: an approval "
            "can no longer rest on it. Approve on another lawful basis, or deny."
        )
    determination = EmergencyDetermination.objects.filter(request_student_id=item.request_student_id).first()
    if determination is not None and not determination.found:
        return (
            f"{determination.determined_by_name} found no articulable and significant threat on "
            f"{_local_time(determination.determined_at)}: an approval cannot rest on the emergency."
        )
    return ""


def _back_to_review(items: list[Item], *, why: str, now: dt.datetime) -> None:
    """Send items back to a reviewer, saying why; the superintendent unless counsel already had them."""
    for item in items:
        item.state = ItemState.PENDING_REVIEW
        item.reviewer = item.reviewer or "superintendent"
        item.explanation = f"{why} {item.explanation}"
        item.updated_at = now
    Item.objects.bulk_update(items, ["state", "reviewer", "explanation", "updated_at"])


def items_reconsidered_on_objection(
    *, items: list[Item], decided_by: User, reason: str, fields_removed: dict[int, list[str]] | None = None
) -> list[dict[str, Any]]:
    """Approved items not yet released (waiting for their notice period, or cleared by it), decided again
    because the reviewer upheld the family's objection: each is narrowed (when some, not all, of its
    approved fields are removed) or denied, a Decision appended to it as a reviewer's own is. Called inside the caller's transaction on
    items it locked (notices' `objection_decide`, whose ledger entry lists what changed here); the
    request's state is refreshed. Returns what changed, item by item."""
    now = timezone.now()
    changed: list[dict[str, Any]] = []
    for item in items:
        if item.state not in (ItemState.AWAITING_NOTICE, ItemState.CLEARED):
            raise Conflict("only an item approved and not yet released is decided again on an objection")
        removed = [name for name in (fields_removed or {}).get(item.pk, []) if name in item.approved_fields]
        narrow = bool(removed) and len(removed) < len(item.approved_fields)
        Decision.objects.create(
            item=item,
            action=DecisionAction.NARROW if narrow else DecisionAction.DENY,
            lawful_basis=(item.decision.lawful_basis if item.decision is not None else "") if narrow else "",
            rationale=f"Family's objection upheld: {reason.strip()}",
            fields_removed=removed if narrow else [],
            decided_by=decided_by,
            decided_by_name=decided_by.get_full_name() or decided_by.username,
            decided_by_role=decided_by.role,
            decided_by_position=decided_by.position,
            decided_at=now,
        )
        if narrow:
            item.approved_fields = [name for name in item.approved_fields if name not in removed]
        else:
            item.state = ItemState.DENIED
        item.save(update_fields=["state", "approved_fields", "updated_at"])
        changed.append({"item": item.pk, "action": "narrow" if narrow else "deny", "fields_removed": removed})
    if changed:
        request_refresh_state(items[0].request, actor=decided_by)
    return changed


R = TypeVar("R")


_release_expected: ContextVar[list[int] | None] = ContextVar("release_expected", default=None)


@contextmanager
def release_as_previewed(item_ids: list[int]) -> Iterator[None]:
    """A release inside this block releases exactly these items or nothing (`Conflict`): the items the
    office saw in the packet's preview."""
    token = _release_expected.set(list(item_ids))
    try:
        yield
    finally:
        _release_expected.reset(token)


def items_release(
    *,
    request_id: Any,
    released_by: User,
    write: Callable[[Request, list[Item], dt.datetime], R],
) -> R:
    """The one way items leave the district: disclosures asks casework, casework moves the items.

    An emergency that ended first sends its items back to review, in a transaction of its own, so that
    the change stands even when nothing is then left to release. Then, in one transaction: the request
    is locked, items whose advance-notice period passed are cleared, the cleared items are checked
    again (a notice that bounced or an objection since sends an item back to waiting for notice, an
    emergency that ended sends it back to review), `write(request, items, now)` writes what the
    release leaves behind (the packet, the record of disclosures, family notices), and the items are
    released. Raises Conflict when nothing is cleared for release."""
    request_emergency_recheck(request_id=request_id, actor=released_by)
    return _items_release(request_id=request_id, released_by=released_by, write=write)


@transaction.atomic
@ledger_batched
def _items_release(
    *,
    request_id: Any,
    released_by: User,
    write: Callable[[Request, list[Item], dt.datetime], R],
) -> R:
    request = Request.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        raise NotFound("no such request")
    now = timezone.now()
    advance_notice_gate(request=request, now=now)
    items = list(
        request.items.select_for_update(of=("self",))
        .filter(state=ItemState.CLEARED)
        .select_related("request_student__student__school", "request_student__determination")
        .prefetch_related("decisions")
        .order_by("position")
    )
    items = _held_for_notice(request=request, items=items, now=now)
    items = items_emergency_recheck(request=request, items=items, now=now, actor=released_by)
    if not items:
        raise Conflict("nothing on this request is cleared for release")
    expected = _release_expected.get()
    if expected is not None and sorted(expected) != sorted(item.pk for item in items):
        # The release shows its packet first (the office's preview): what leaves is what was shown.
        raise Conflict("the records cleared for release changed since the preview: look at it again")
    result = write(request, items, now)
    Item.objects.filter(pk__in=[item.pk for item in items]).update(state=ItemState.RELEASED, updated_at=now)
    for item in items:
        item.state = ItemState.RELEASED
    request_refresh_state(request, actor=released_by)
    return result


def _held_for_notice(*, request: Request, items: list[Item], now: dt.datetime) -> list[Item]:
    """A notice can bounce after the gate cleared an item, or the family object after it: such an item
    goes back to waiting, and only items whose families were really told, and did not object, leave."""
    ready: list[Item] = []
    held: list[Item] = []
    for item in items:
        student_id = item.request_student.student_id
        if item.has_obligation("notify_family_before_release") and (
            student_id is None
            or not followers.notices().release_may_proceed(request=request, student_id=student_id, now=now)
        ):
            held.append(item)
        else:
            ready.append(item)
    if held:
        Item.objects.filter(pk__in=[item.pk for item in held]).update(
            state=ItemState.AWAITING_NOTICE, updated_at=now
        )
        _items_moved(request, "item.notice_undelivered", held, now)
    return ready


def items_emergency_recheck(
    *, request: Request, items: list[Item], now: dt.datetime, actor: User | None = None
) -> list[Item]:
    """The emergency is checked again at the moment of release (DOMAIN.md R1): items that carry
    `determine_emergency` go back to review when the emergency has ended. Returns the items that may
    still leave. Called by the release, inside its transaction, on items it locked."""
    lapsed = [item for item in items if item.has_obligation("determine_emergency")]
    if not lapsed or not emergency_has_ended(request, now):
        return items
    ended = request.emergency_ends_at
    why = (
        f"The emergency ended on {_local_time(ended)}, before these records were released, so they need review again."
        if ended
        else "The request states no time the emergency lasts until, so these records need review."
    )
    _back_to_review(lapsed, why=why, now=now)
    _append(
        LedgerEvent(
            event_type="item.emergency_ended",
            subject={"request": str(request.pk)},
            record={
                "request": str(request.pk),
                "items": [item.pk for item in lapsed],
                "emergency_ends_at": ended.isoformat() if ended else None,
                "at": now.isoformat(),
            },
        )
    )
    request_refresh_state(request, actor=actor)
    gone = {item.pk for item in lapsed}
    return [item for item in items if item.pk not in gone]


@transaction.atomic
@ledger_batched
def request_emergency_recheck(
    *, request_id: Any, actor: User | None = None, now: dt.datetime | None = None
) -> list[Item]:
    """Send back to review the items of a request that wait for release under an emergency that has
    ended (cleared, or waiting for the district's determination). Returns the items sent back."""
    request = Request.objects.select_for_update().filter(pk=request_id).first()
    if request is None or not request.emergency_threat:
        return []
    now = now or timezone.now()
    if not emergency_has_ended(request, now):
        return []
    items = [
        item
        for item in request.items.select_for_update(of=("self",)).filter(
            state__in=(ItemState.CLEARED, ItemState.AWAITING_DETERMINATION)
        )
        if item.has_obligation("determine_emergency")
    ]
    if not items:
        return []
    items_emergency_recheck(request=request, items=items, now=now, actor=actor)
    return items


@dataclass(frozen=True)
class DeterminationResult:
    """What came of recording a determination: the row, or None when the emergency had already ended
    (the waiting items then went back to review instead)."""

    determination: EmergencyDetermination | None
    items: list[Item]


@transaction.atomic
@ledger_batched
def emergency_determine(
    *, request_student_id: int, official: User, found: bool, threat: str, rationale: str
) -> DeterminationResult:
    """A records clerk, the student's principal or an administrator records whether the emergency a
    requester stated is an articulable and significant threat (FERPA 99.36(c)), for one student.

    Found: the student's items waiting for it are cleared, and the determination is written to the
    student's record of disclosures (99.32(a)(5): the threat and the parties) and to the ledger. Not
    found: the items go to the superintendent, who cannot approve them on the emergency. An emergency
    that has already ended cannot be found: its items go back to review."""
    from brightline.incidents.selectors import schools_for

    if official.role not in DETERMINING_ROLES:
        raise NotAllowed(
            "only the records office, the student's principal or an administrator determines an emergency"
        )
    rs = (
        RequestStudent.objects.select_for_update(of=("self",))
        .select_related("request", "student")
        .filter(pk=request_student_id)
        .first()
    )
    if rs is None:
        raise NotFound("no such student on a request")
    request = rs.request
    if rs.student is None:
        raise Conflict("match the student to the roster before determining the emergency")
    school_id = rs.student.school_id
    if official.role == Role.PRINCIPAL and (
        school_id is None or not schools_for(official).filter(pk=school_id).exists()
    ):
        raise NotAllowed("a principal determines emergencies only for students of their own school")
    items = list(Item.objects.select_for_update(of=("self",)).filter(request_student=rs).order_by("position"))
    concerned = [item for item in items if item.has_obligation("determine_emergency")]
    if not concerned:
        raise Conflict("no record of this student waits for an emergency determination")
    if EmergencyDetermination.objects.filter(request_student=rs).exists():
        raise Conflict("the emergency was already determined for this student")
    sent = determination_in({"found": found, "threat": threat or "", "rationale": rationale or ""})
    threat, rationale = sent.threat, sent.rationale.strip()
    require_trained(official)
    now = timezone.now()
    waiting = [item for item in concerned if item.state == ItemState.AWAITING_DETERMINATION]
    if found and emergency_has_ended(request, now):
        items_emergency_recheck(request=request, items=waiting, now=now, actor=official)
        return DeterminationResult(None, waiting)

    determination = EmergencyDetermination.objects.create(
        request=request,
        request_student=rs,
        found=found,
        threat=threat,
        rationale=rationale,
        determined_by=official,
        determined_by_name=official.get_full_name() or official.username,
        determined_by_role=official.role,
        determined_by_position=official.position,
        determined_at=now,
    )
    if found:
        for item in waiting:
            item.state = _state_once_approved(item.obligations, emergency_found=True)
            item.updated_at = now
        Item.objects.bulk_update(waiting, ["state", "updated_at"])
    else:
        open_items = [
            item
            for item in concerned
            if item.state in (ItemState.AWAITING_DETERMINATION, ItemState.PENDING_REVIEW)
        ]
        why = (
            f"A district official found no articulable and significant threat on {_local_time(now)}, "
            "so the emergency is no ground to release these records."
        )
        _back_to_review(
            [item for item in open_items if item.state == ItemState.AWAITING_DETERMINATION], why=why, now=now
        )
        waiting = open_items
    _append(
        LedgerEvent(
            event_type="emergency.determined",
            subject={"request": str(request.pk), "request_student": rs.pk},
            record={
                "request": str(request.pk),
                "request_student": rs.pk,
                "determination": determination.pk,
                "found": found,
                "threat_sha256": hashlib.sha256(threat.encode()).hexdigest(),
                "rationale_sha256": hashlib.sha256(rationale.encode()).hexdigest(),
                "determined_by": official.pk,
                "determined_by_role": official.role,
                "items": [{"item": item.pk, "state": item.state} for item in waiting],
            },
        )
    )
    if found:
        followers.records().emergency_found(request=request, request_student=rs, determination=determination)
    request_refresh_state(request, actor=official)
    return DeterminationResult(determination, waiting)


# ---------------------------------------------------------------------------------------------------
# Students the district cannot identify
# ---------------------------------------------------------------------------------------------------

UNIDENTIFIED_REASON_AFTER_DEADLINE = (
    "not identified by the records office before the deadline had long passed"
)


def _close_unidentified(
    rs: RequestStudent, *, reason: str, actor: User | None, now: dt.datetime
) -> list[Item]:
    with _padded_for_one_student("request.student_closed"):
        return _close_unidentified_padded(rs, reason=reason, actor=actor, now=now)


def _close_unidentified_padded(
    rs: RequestStudent, *, reason: str, actor: User | None, now: dt.datetime
) -> list[Item]:
    items = list(
        Item.objects.select_for_update(of=("self",))
        .filter(request_student=rs, state=ItemState.AWAITING_MATCH)
        .order_by("position")
    )
    for item in items:
        item.state = ItemState.UNIDENTIFIED
        item.outcome = item.outcome or "refuse"
        item.explanation = "No records released: the student was not identified."
        item.updated_at = now
    Item.objects.bulk_update(items, ["state", "outcome", "explanation", "updated_at"])
    rs.match_state = MatchState.CLOSED
    # Closing a student is the office's answer for it: a refusal already made on a rule that reads the
    # student's facts (which a student nobody identified gets too) is told now, as for any student.
    rs.answer_sent_at = now
    rs.answer_sent_by = actor
    rs.save(update_fields=["match_state", "answer_sent_at", "answer_sent_by"])
    _append(
        LedgerEvent(
            event_type="request.student_closed",
            subject={"request": str(rs.request_id), "request_student": rs.pk},
            record={
                "request": str(rs.request_id),
                "request_student": rs.pk,
                "reason_sha256": hashlib.sha256(reason.encode()).hexdigest(),
                "closed_by": actor.pk if actor else None,
                "items": [item.pk for item in items],
            },
        )
    )
    request_refresh_state(rs.request, actor=actor)
    return items


@transaction.atomic
@ledger_batched
def student_close_unidentified(*, request_student_id: int, closed_by: User, reason: str) -> list[Item]:
    """The records office closes a named student it cannot (or will not) identify: nothing about that
    student is released, and the requester reads "no records released", as for a refused item."""
    if closed_by.role not in (Role.RECORDS_CLERK, Role.ADMIN):
        raise NotAllowed("only the records office closes a student it cannot identify")
    require_trained(closed_by, acting="closing a student")
    rs = (
        RequestStudent.objects.select_for_update(of=("self",))
        .select_related("request")
        .filter(pk=request_student_id)
        .first()
    )
    if rs is None:
        raise NotFound("no such student on a request")
    if rs.match_state in (MatchState.MATCHED, MatchState.CLOSED):
        raise Conflict(
            f"this student is already {rs.get_match_state_display().lower()}", field="request_student"
        )
    if not reason or not reason.strip():
        raise InvalidInput(
            [("reason", "say why the student cannot be identified (it stays with the request)")]
        )
    return _close_unidentified(rs, reason=reason.strip(), actor=closed_by, now=timezone.now())


def held_answers(rs: RequestStudent) -> list[Item]:
    """This student's refusals the requester still reads as in review (`selectors.answer_held`)."""
    policy = triage_bridge.policy_for_request(rs.request.policy_sha256)
    items = list(rs.items.select_related("request_student").order_by("position"))
    hidden: frozenset[str] = policy.rules_reading_student_facts
    return [item for item in items if selectors.answer_held(item, hidden_rules=hidden)]


def _answer_send(rs: RequestStudent, *, actor: User | None, now: dt.datetime) -> list[Item]:
    with _padded_for_one_student("request.student_answered"):
        return _answer_send_padded(rs, actor=actor, now=now)


def _answer_send_padded(rs: RequestStudent, *, actor: User | None, now: dt.datetime) -> list[Item]:
    held = held_answers(rs)
    rs.answer_sent_at = now
    rs.answer_sent_by = actor
    rs.save(update_fields=["answer_sent_at", "answer_sent_by"])
    _append(
        LedgerEvent(
            event_type="request.student_answered",
            subject={"request": str(rs.request_id), "request_student": rs.pk},
            record={
                "request": str(rs.request_id),
                "request_student": rs.pk,
                "sent_by": actor.pk if actor else None,
                "items": [item.pk for item in held],
            },
        )
    )
    request_refresh_state(rs.request, actor=actor)
    return held


@transaction.atomic
@ledger_batched
def student_answer_send(*, request_student_id: int, sent_by: User) -> list[Item]:
    """The records office tells the requester "no records released" for a student whose records the
    policy refused on the student's own facts. Until then the requester reads those records as in
    review, exactly as it reads a student nobody has identified yet, so the moment of the answer is the
    office's, whether or not the student is enrolled."""
    if sent_by.role not in (Role.RECORDS_CLERK, Role.ADMIN):
        raise NotAllowed("only the records office sends a requester its answer")
    require_trained(sent_by, acting="sending a requester its answer")
    rs = (
        RequestStudent.objects.select_for_update(of=("self",))
        .select_related("request")
        .filter(pk=request_student_id)
        .first()
    )
    if rs is None:
        raise NotFound("no such student on a request")
    if rs.answer_sent_at is not None or not held_answers(rs):
        raise Conflict("the requester has no answer waiting for this student", field="request_student")
    return _answer_send(rs, actor=sent_by, now=timezone.now())


def _past_the_closing_day(rs: RequestStudent, *, calendar: Any, today: dt.date) -> bool:
    from brightline.casework.calendar import district_zone

    closing_day = calendar.add_business_days(
        timezone.localtime(rs.request.decision_due_at, district_zone()).date(),
        settings.UNIDENTIFIED_CLOSE_DAYS,
    )
    return bool(closing_day <= today)


def unidentified_close_overdue(
    *, now: dt.datetime | None = None, dry_run: bool = False
) -> list[RequestStudent]:
    """A request never stays open for ever: students still unidentified `UNIDENTIFIED_CLOSE_DAYS`
    business days after the decision deadline are closed, and answers still held for a student refused
    on its facts are sent on that same day, each in its own transaction (the office was reminded every
    day before). Run daily by `brightline remind_deadlines`."""
    from brightline.casework.calendar import DistrictCalendar, district_zone

    now = now or timezone.now()
    calendar = DistrictCalendar.load()
    today = timezone.localtime(now, district_zone()).date()
    unidentified = RequestStudent.objects.filter(
        match_state__in=(MatchState.NO_MATCH, MatchState.AMBIGUOUS),
        request__decision_due_at__lt=now,
        request__clock_paused_at__isnull=True,
    ).select_related("request")
    unanswered = RequestStudent.objects.filter(
        match_state=MatchState.MATCHED,
        answer_sent_at__isnull=True,
        items__state=ItemState.REFUSED,
        items__outcome="refuse",
        request__decision_due_at__lt=now,
        # A clock stopped for the requester's answer closes nothing, enrolled student or not.
        request__clock_paused_at__isnull=True,
    ).distinct()
    overdue = [
        rs
        for rs in [*unidentified, *unanswered.select_related("request")]
        if _past_the_closing_day(rs, calendar=calendar, today=today)
        and (rs.match_state != MatchState.MATCHED or held_answers(rs))
    ]
    if dry_run:
        return overdue
    for rs in overdue:
        with transaction.atomic():
            locked = (
                RequestStudent.objects.select_for_update(of=("self",)).select_related("request").get(pk=rs.pk)
            )
            if locked.match_state in (MatchState.NO_MATCH, MatchState.AMBIGUOUS):
                _close_unidentified(locked, reason=UNIDENTIFIED_REASON_AFTER_DEADLINE, actor=None, now=now)
            elif locked.answer_sent_at is None and held_answers(locked):
                _answer_send(locked, actor=None, now=now)
    return overdue
