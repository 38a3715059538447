"""Writes for casework: submitting a request, matching students, deciding items, the notice gate.

Every function here is one transaction and appends its ledger entries inside it, so a request
never exists without its triage, and a decision never exists without its ledger entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from brightline.accounts.models import Role, User
from brightline.agencies.models import Agency
from brightline.casework import triage as triage_bridge
from brightline.casework.calendar import decision_due_at
from brightline.casework.models import (
    OFF_PORTAL_CHANNELS,
    Channel,
    Decision,
    DecisionAction,
    Item,
    ItemState,
    MatchState,
    Request,
    RequestState,
    RequestStudent,
    disposition_for,
)
from brightline.disclosures.models import DisclosureEntry
from brightline.disclosures.packets import inventory_fields
from brightline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from brightline.ledger.services import LedgerEvent, ledger_append_many
from brightline.policy import engine
from brightline.policy.vocabulary import LAWFUL_BASES
from brightline.roster.models import Student
from brightline.roster.selectors import students_matching
from brightline.rows import insert_new
from brightline.training.selectors import require_trained

MAX_STUDENTS_PER_REQUEST = 200
NAMED_STUDENT_KEYS = frozenset({"student_id", "first_name", "last_name", "birth_date"})
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class SubmitResult:
    """The request, and for a new one its students and items as stored (the first request, when an
    idempotency key repeats, is read again by whoever needs its parts)."""

    request: Request
    created: bool
    students: list[RequestStudent] | None = None
    items: list[Item] | None = None


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def _new_reference(received_at: dt.datetime) -> str:
    # Random rather than sequential: a reference read out on the phone must not reveal request volume.
    suffix = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
    return f"BL-{received_at:%y}-{suffix}"


def _field_path(path: Any) -> str:
    """The engine reports a field as a tuple of parts or a dotted string; the API speaks dotted."""
    return ".".join(str(part) for part in path) if isinstance(path, tuple | list) else str(path)


def _validate_named_students(raw: Any) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    errors: list[tuple[str, str]] = []
    if not isinstance(raw, list) or not raw:
        return [], [("students", "a list naming at least one student is required")]
    if len(raw) > MAX_STUDENTS_PER_REQUEST:
        return [], [("students", f"at most {MAX_STUDENTS_PER_REQUEST} students per request")]
    named: list[dict[str, Any]] = []
    for index, entry in enumerate(raw):
        path = f"students.{index}"
        if not isinstance(entry, dict):
            errors.append((path, "each student is an object"))
            continue
        unknown = set(entry) - NAMED_STUDENT_KEYS
        if unknown:
            errors.append((f"{path}.{sorted(unknown)[0]}", "unknown field"))
            continue
        if "student_id" in entry:
            if not isinstance(entry["student_id"], str) or not entry["student_id"].strip():
                errors.append((f"{path}.student_id", "a non-empty string is required"))
                continue
            if set(entry) != {"student_id"}:
                errors.append(
                    (path, "name a student either by student_id or by first_name, last_name, birth_date")
                )
                continue
            named.append({"student_id": entry["student_id"].strip()})
            continue
        for key in ("first_name", "last_name", "birth_date"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                errors.append((f"{path}.{key}", "required when the student is named without student_id"))
        if any(field.startswith(path + ".") for field, _ in errors):
            continue
        try:
            dt.date.fromisoformat(entry["birth_date"])
        except ValueError:
            errors.append((f"{path}.birth_date", "expected a date as YYYY-MM-DD"))
            continue
        named.append({key: entry[key].strip() for key in ("first_name", "last_name", "birth_date")})
    return named, errors


def _requester_document(
    body: Any, *, agency: Agency, user: User | None
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The requester object, with kind and agency taken from the verified agency, never from the body."""
    if body is None:
        body = {}
    if not isinstance(body, dict):
        return {}, [("requester", "expected an object")]
    if "kind" in body and body["kind"] != agency.kind:
        raise NotAllowed(
            f"this credential speaks for {agency.name} ({agency.kind}), not for {body['kind']!r}",
            field="requester.kind",
        )
    if "agency" in body and body["agency"] != agency.name:
        raise NotAllowed(
            f"this credential speaks for {agency.name}, not for {body['agency']!r}", field="requester.agency"
        )
    requester_profile = getattr(user, "requester", None) if user is not None else None
    name = body.get("name") or (user.get_full_name() if user is not None else "") or agency.name
    position = body.get("position") or (requester_profile.position if requester_profile else "")
    errors = []
    for key in ("name", "position"):
        if key in body and not isinstance(body[key], str):
            errors.append((f"requester.{key}", "expected a string"))
    return {"kind": agency.kind, "agency": agency.name, "name": name, "position": position}, errors


def _validate_document(
    body: dict[str, Any], *, agency: Agency, user: User | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Check the request object; return it as stored (requester filled in) and the named students."""
    if not isinstance(body, dict):
        raise InvalidInput([("", "the request must be a JSON object")])
    document = dict(body)
    requester, errors = _requester_document(document.get("requester"), agency=agency, user=user)
    document["requester"] = requester
    named, student_errors = _validate_named_students(document.get("students"))
    errors.extend(student_errors)
    # The engine validates every other field exactly as `brightline policy eval` does.
    probe = dict(document, students=[{"student_id": f"student-{index}"} for index in range(len(named) or 1)])
    try:
        engine.parse_request(probe)
    except engine.CaseError as error:
        errors.extend(
            (_field_path(field).removeprefix("request."), message) for field, message in error.errors
        )
    if errors:
        raise InvalidInput(errors)
    document["students"] = named
    return document, named


def _match(named: dict[str, Any]) -> list[Student]:
    if "student_id" in named:
        return students_matching(student_id=named["student_id"])
    return students_matching(
        first_name=named["first_name"],
        last_name=named["last_name"],
        birth_date=dt.date.fromisoformat(named["birth_date"]),
    )


def _item_state_for(outcome: str, obligations: list[str]) -> ItemState:
    if outcome == "refuse":
        return ItemState.REFUSED
    if outcome == "review":
        return ItemState.PENDING_REVIEW
    if "notify_family_before_release" in obligations:
        return ItemState.AWAITING_NOTICE
    return ItemState.CLEARED


def _triage_fields(
    request: Request, request_students: list[RequestStudent], policy: engine.PolicyVersion | None = None
) -> list[dict[str, Any]]:
    """The engine's triage of these (matched) students' items as item fields, in request order:
    students, then categories. `policy` is the request's version when the caller has it at hand."""
    facts = [rs.facts for rs in request_students]
    if policy is None:
        policy = triage_bridge.policy_for_request(request.policy_sha256)
    result = triage_bridge.triage(request.document, facts, request.received_at, policy)  # type: ignore[arg-type]
    categories = request.document["categories"]
    results = iter(result["items"])
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
            fields.append(
                {
                    "outcome": triaged["outcome"],
                    "reviewer": triaged["reviewer"] or "",
                    "rules": triaged["rules"],
                    "obligations": obligations,
                    "explanation": triaged["explanation"],
                    "state": state,
                    "approved_fields": inventory_fields(category)
                    if state in (ItemState.CLEARED, ItemState.AWAITING_NOTICE)
                    else [],
                }
            )
    return fields


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


def request_state_for(states: list[str]) -> RequestState:
    """The request's state follows from its items' states; see casework/README.md."""
    present = set(states)
    if ItemState.AWAITING_MATCH in present:
        return RequestState.AWAITING_MATCH
    if ItemState.PENDING_REVIEW in present:
        return RequestState.IN_REVIEW
    if ItemState.AWAITING_NOTICE in present:
        return RequestState.AWAITING_NOTICE
    if ItemState.CLEARED in present:
        return RequestState.READY
    if ItemState.RELEASED in present:
        return RequestState.RELEASED
    return RequestState.CLOSED


def request_refresh_state(
    request: Request, *, actor: User | None = None, ledger: _LedgerQueue | None = None
) -> RequestState:
    """Store the state and disposition the items imply; a change of state is a ledger event of its own,
    appended after whatever `ledger` holds (or alone)."""
    states = list(request.items.values_list("state", flat=True))
    queue = ledger or _LedgerQueue()
    queue.add(_request_state_store(request, states, actor=actor))
    queue.flush()
    return RequestState(request.state)


def _request_state_store(request: Request, states: list[str], *, actor: User | None) -> LedgerEvent | None:
    """Store the state and disposition these item states imply; the ledger event of a change of state,
    for the caller to append in its transaction."""
    new_state = request_state_for(states)
    disposition = disposition_for(states)
    undecided = (RequestState.AWAITING_MATCH, RequestState.IN_REVIEW)
    if new_state == request.state and disposition == request.disposition:
        return None
    previous = request.state
    request.state = new_state
    request.disposition = disposition
    fields = ["state", "disposition", "updated_at"]
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


class _LedgerQueue:
    """The ledger events of one service call, appended together under one head lock in the order they
    were queued, inside the call's transaction. Anything that appends on its own (advance notices) is
    preceded by a flush, so the log keeps the order of the changes."""

    def __init__(self) -> None:
        self.events: list[LedgerEvent] = []
        self.disclosures: list[tuple[int, DisclosureEntry]] = []

    def add(self, event: LedgerEvent | None, disclosure: DisclosureEntry | None = None) -> None:
        if event is None:
            return
        if disclosure is not None:
            self.disclosures.append((len(self.events), disclosure))
        self.events.append(event)

    def flush(self) -> None:
        from brightline.disclosures.services import ledger_indexes_store

        if not self.events:
            return
        appended = ledger_append_many(self.events)
        ledger_indexes_store([(entry, appended[position]) for position, entry in self.disclosures])
        self.events, self.disclosures = [], []


def _after_triage(
    request: Request, request_students: list[RequestStudent], items: list[Item], ledger: _LedgerQueue
) -> None:
    """What follows triage for each newly triaged student: the record entry and any advance notices."""
    from brightline.disclosures.services import disclosure_event, request_received_entries
    from brightline.notices.services import advance_notices_queue

    if not request_students:
        return
    own = {rs.pk: [item for item in items if item.request_student_id == rs.pk] for rs in request_students}
    entries = request_received_entries(
        request=request, students=[(rs, own[rs.pk]) for rs in request_students]
    )
    for rs, entry in zip(request_students, entries, strict=True):
        ledger.add(disclosure_event(entry), entry)
        waiting = [item for item in own[rs.pk] if item.state == ItemState.AWAITING_NOTICE]
        if waiting:
            ledger.flush()
            advance_notices_queue(request=request, student=rs.student, items=waiting)  # type: ignore[arg-type]


@transaction.atomic
def request_submit(
    *,
    agency: Agency,
    document: dict[str, Any],
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
    """
    if channel not in Channel.values:
        raise InvalidInput([("channel", f"unknown channel {channel!r}")])
    if entered_by is not None:
        if entered_by.role not in (Role.RECORDS_CLERK, Role.ADMIN):
            raise NotAllowed("only the records office enters requests received off the portal")
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
        raise InvalidInput([("received_at", "cannot be in the future")])
    body_hash = hashlib.sha256(canonical_json(document)).hexdigest() if idempotency_key is not None else ""
    if idempotency_key is not None:
        idempotency_key = idempotency_key.strip()
        if not idempotency_key or len(idempotency_key) > 255:
            raise InvalidInput([("Idempotency-Key", "1 to 255 characters")])
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

    stored, named = _validate_document(document, agency=agency, user=submitted_by)
    policy = triage_bridge.policy_in_effect(received_at)
    emergency = stored.get("emergency") or {}
    emergency_ends_at = dt.datetime.fromisoformat(emergency["ends_at"]) if emergency.get("ends_at") else None
    active_emergency = (
        bool(emergency.get("threat")) and emergency_ends_at is not None and received_at < emergency_ends_at
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
        insert_new([request])
    else:
        try:
            with transaction.atomic():
                insert_new([request])
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
    insert_new(request_students)
    # The matched students are triaged before their items are stored: each item is written once.
    matched = [rs for rs in request_students if rs.student_id is not None]
    triaged = iter(_triage_fields(request, matched, policy) if matched else [])
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
            items.append(item)
    insert_new(items)
    triaged_items = [item for item in items if item.request_student.student_id is not None]
    actor = submitted_by or entered_by
    ledger = _LedgerQueue()
    ledger.add(
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
    _after_triage(request, matched, triaged_items, ledger)
    ledger.add(_request_state_store(request, [item.state for item in items], actor=actor))
    ledger.flush()
    return SubmitResult(request, created=True, students=request_students, items=items)


@transaction.atomic
def student_match_resolve(*, request_student_id: int, student_id: int, resolved_by: User) -> RequestStudent:
    """The records office names the roster student a requester meant; that student's items are triaged."""
    if resolved_by.role not in (Role.RECORDS_CLERK, Role.ADMIN):
        raise NotAllowed("only the records office matches students")
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
    rs.student = student
    rs.match_state = MatchState.MATCHED
    rs.facts = student.policy_facts()
    rs.matched_by = resolved_by
    rs.matched_at = timezone.now()
    rs.save(update_fields=["student", "match_state", "facts", "matched_by", "matched_at"])
    request = rs.request
    items = _apply_triage(request, [rs])
    ledger = _LedgerQueue()
    ledger.add(
        LedgerEvent(
            event_type="request.student_matched",
            subject={"request": str(request.pk), "request_student": rs.pk},
            record={
                "request": str(request.pk),
                "request_student": rs.pk,
                "student": student.pk,
                "matched_by": resolved_by.pk,
                "items": [{"item": item.pk, "outcome": item.outcome, "rules": item.rules} for item in items],
            },
        )
    )
    _after_triage(request, [rs], items, ledger)
    request_refresh_state(request, actor=resolved_by, ledger=ledger)
    return rs


def _case_for_item(item: Item) -> tuple[Any, dict[str, Any]]:
    """The parsed case of the item's request (its student only) and the item's triage result."""
    request = item.request
    rs = item.request_student
    case = engine.parse_case(triage_bridge.build_case(request.document, [rs.facts], request.received_at))  # type: ignore[list-item]
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
    """
    item = (
        Item.objects.select_for_update(of=("self",))
        .select_related("request", "request_student")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFound("no such item")
    if action not in DecisionAction.values:
        raise InvalidInput([("action", f"one of {', '.join(DecisionAction.values)}")])
    if item.state != ItemState.PENDING_REVIEW:
        raise Conflict(
            f"this item is no longer waiting for review (it is {item.get_state_display().lower()})"
        )
    if reviewer.role != item.reviewer:
        raise NotAllowed(f"this item is for the {item.reviewer.replace('_', ' ')} to decide")
    if item.request.entered_by_id == reviewer.pk:
        raise NotAllowed("whoever entered a request cannot decide it")
    require_trained(reviewer)
    errors: list[tuple[str, str]] = []
    if not rationale or not rationale.strip():
        errors.append(("rationale", "a written rationale is required"))
    removed = list(dict.fromkeys(fields_removed or []))
    available = inventory_fields(item.category)
    if action in (DecisionAction.APPROVE, DecisionAction.NARROW):
        if not lawful_basis:
            errors.append(("lawful_basis", "an approval needs the lawful basis it rests on"))
        else:
            case, result_item = _case_for_item(item)
            policy = triage_bridge.policy_for_request(item.request.policy_sha256)
            allowed, reason = engine.check_lawful_basis(case, result_item, lawful_basis, policy)
            if not allowed:
                errors.append(("lawful_basis", reason))
    if action == DecisionAction.NARROW:
        unknown = [field for field in removed if field not in available]
        if not removed:
            errors.append(("fields_removed", "name the fields to withhold"))
        elif unknown:
            errors.append(("fields_removed", f"not fields of {item.category}: {', '.join(unknown)}"))
        elif len(removed) >= len(available):
            errors.append(("fields_removed", "withholding every field is a denial: deny the item instead"))
    elif removed:
        errors.append(("fields_removed", "only a narrowed approval withholds fields"))
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
        item.state = (
            ItemState.AWAITING_NOTICE
            if item.has_obligation("notify_family_before_release")
            else ItemState.CLEARED
        )
    item.save(update_fields=["state", "approved_fields", "updated_at"])
    ledger = _LedgerQueue()
    ledger.add(
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
        from brightline.notices.services import advance_notices_queue

        ledger.flush()
        advance_notices_queue(request=item.request, student=item.request_student.student, items=[item])  # type: ignore[arg-type]
    request_refresh_state(item.request, actor=reviewer, ledger=ledger)
    return decision


def lawful_bases_for(item: Item) -> list[tuple[str, bool, str]]:
    """Every lawful basis with whether the policy accepts it for this item, and why: the review page
    shows reviewers which approvals are open to them before they choose."""
    case, result_item = _case_for_item(item)
    policy = triage_bridge.policy_for_request(item.request.policy_sha256)
    answers = []
    for basis in LAWFUL_BASES:
        allowed, reason = engine.check_lawful_basis(case, result_item, basis, policy)
        answers.append((basis, allowed, reason))
    return answers


@transaction.atomic
def advance_notice_gate(*, request: Request, now: dt.datetime | None = None) -> list[Item]:
    """Clear items waiting for advance notice once every notice went out and the period has passed."""
    from brightline.notices.selectors import advance_notice_satisfied

    now = now or timezone.now()
    waiting = list(
        request.items.select_for_update(of=("self",))
        .filter(state=ItemState.AWAITING_NOTICE)
        .select_related("request_student")
    )
    cleared: list[Item] = []
    for item in waiting:
        if advance_notice_satisfied(request=request, student_id=item.request_student.student_id, now=now):  # type: ignore[arg-type]
            item.state = ItemState.CLEARED
            item.save(update_fields=["state", "updated_at"])
            cleared.append(item)
    if cleared:
        ledger = _LedgerQueue()
        ledger.add(
            LedgerEvent(
                event_type="item.notice_period_passed",
                subject={"request": str(request.pk)},
                record={
                    "request": str(request.pk),
                    "items": [item.pk for item in cleared],
                    "at": now.isoformat(),
                },
            )
        )
        request_refresh_state(request, ledger=ledger)
    return cleared


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
