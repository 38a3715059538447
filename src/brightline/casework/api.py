"""JSON API for requests: agencies submit and follow their own; staff enter, match, decide, release."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from uuid import UUID

from django.http import FileResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import AwareDatetime, ConfigDict, Field

from brightline.accounts.services import staff_accesses_record
from brightline.agencies.auth import ApiRequest, agency_with_scope, staff_only, staff_or_agency_with_scope
from brightline.agencies.models import Agency, TokenScope
from brightline.api_schemas import ERRORS
from brightline.casework import conversation, preservation, reconsideration, selectors, services
from brightline.casework.documents import document_attach, document_open
from brightline.casework.models import (
    Channel,
    DecisionAction,
    DocumentKind,
    ItemState,
    MatchState,
    RequestState,
)
from brightline.casework.schemas import (
    Category,
    DecisionIn,
    DeterminationIn,
    LawfulBasis,
    Obligation,
    OffPortalChannel,
    Outcome,
    Purpose,
    RequesterKind,
    RequestIn,
    Reviewer,
    RuleId,
)
from brightline.errors import InvalidInput, NotAllowed, NotFound
from brightline.vocabulary import label_en

router = Router(tags=["requests"])


class ItemOut(Schema):
    id: int
    student_id: str | None
    student_position: int
    category: Category
    outcome: Outcome | None
    reviewer: Reviewer | None
    rules: list[RuleId]
    obligations: list[Obligation]
    explanation: str
    state: ItemState


class PolicyRef(Schema):
    id: str
    version: str
    sha256: str


class RequesterOut(Schema):
    kind: RequesterKind
    agency: str
    name: str
    position: str


class RequestStudentOut(Schema):
    position: int
    named: dict[str, str] = Field(description="The student as the requester named them.")
    # District staff only: an agency's answer leaves these out (CONTRACTS.md: no match state).
    match_state: MatchState | None = None
    request_student_id: int | None = None
    candidates: list[int] | None = Field(None, description="The roster ids that fit, when several do.")


class DocumentOut(Schema):
    id: int
    kind: DocumentKind
    name: str
    size: int
    sha256: str


class PacketSummaryOut(Schema):
    id: str
    released_at: dt.datetime
    content_sha256: str
    acknowledgment_required: bool
    acknowledged_at: dt.datetime | None
    redisclosure_notice: str


class RequestOut(Schema):
    id: str
    reference: str
    state: RequestState
    received_at: dt.datetime
    decision_due_at: dt.datetime
    channel: Channel
    requester: RequesterOut
    purpose: Purpose
    policy: PolicyRef
    students: list[RequestStudentOut]
    items: list[ItemOut]
    documents: list[DocumentOut]
    packets: list[PacketSummaryOut]


def _viewer(request: ApiRequest) -> dict[str, Any]:
    agency = getattr(request, "agency", None)
    if agency is not None:
        return {"agency": agency}
    return {"user": request.user}


def _log_staff_view(request: ApiRequest, found: Any, what: str) -> None:
    if getattr(request, "staff", None) is not None:
        services.request_access_record(user=request.user, request=found, what=what, http_request=request)


def _log_staff_list(request: ApiRequest, requests: list[Any], what: str) -> None:
    """A page of requests shown to staff: one access-log row per identified student, in one statement
    (the students come prefetched with the page)."""
    if getattr(request, "staff", None) is not None:
        staff_accesses_record(
            user=request.user,
            students=(rs.student for found in requests for rs in found.students.all()),
            what=what,
            request=request,
        )


def _speaks_for(agency: Agency, payload: RequestIn) -> None:
    """CONTRACTS.md: a token speaks for its own agency only; a body naming another kind or agency is
    refused (403), in words: the kind by its label."""
    sent = payload.requester
    if sent is not None and sent.kind is not None and sent.kind != agency.kind:
        raise NotAllowed(
            f"This credential speaks for {agency.name} ({label_en('requester_kind', agency.kind)}), not for "
            f"another kind of requester ({label_en('requester_kind', sent.kind)}): leave the kind out.",
            field="requester.kind",
        )
    if sent is not None and sent.agency is not None and sent.agency != agency.name:
        raise NotAllowed(
            f"This credential speaks for {agency.name}, not for another agency: leave the agency out.",
            field="requester.agency",
        )


@router.post(
    "/requests",
    auth=agency_with_scope(TokenScope.SUBMIT),
    response={201: RequestOut, **ERRORS},
    exclude_unset=True,
    summary="Submit a request",
)
def submit_request(request: ApiRequest, payload: RequestIn) -> Status[dict[str, Any]]:
    """Submit a request for student records on behalf of the agency your token speaks for.

    An `Idempotency-Key` header makes a retry return the first request instead of making another. The
    request is answered as it stands now, which needs the `read_own` scope as well: a token with `submit`
    alone is answered 403, naming the request its key made."""
    agency: Agency = request.agency
    _speaks_for(agency, payload)
    api_token = getattr(request, "api_token", None)
    user = None if api_token is not None else request.user
    result = services.request_submit(
        agency=agency,
        document=payload,
        channel="api" if api_token is not None else "portal",
        submitted_by=user,
        idempotency_key=request.headers.get("Idempotency-Key"),
    )
    if result.created:
        # Answered from what the service just stored: reading it back would cost a query per relation.
        return Status(
            201,
            selectors.request_representation(
                result.request, for_agency=True, students=result.students, items=result.items
            ),
        )
    if api_token is not None and not api_token.has_scope(TokenScope.READ_OWN):
        # A replay answers the request as it stands (its items' states, its packets): a read.
        raise NotAllowed(
            f"This Idempotency-Key already made request {result.request.reference}; reading it needs a "
            "token that may also read the agency's own requests."
        )
    found = selectors.request_get(request_id=result.request.pk, agency=agency)
    return Status(201, selectors.request_representation(found, for_agency=True))


@router.get(
    "/requests",
    auth=staff_or_agency_with_scope(TokenScope.READ_OWN),
    response={200: list[RequestOut]},
    exclude_unset=True,
    summary="List requests",
)
def list_requests(
    request: ApiRequest,
    state: str | None = None,
    limit: Annotated[int, Field(ge=1, le=200)] = 50,
    offset: Annotated[int, Field(ge=0, le=10_000_000)] = 0,
) -> list[dict[str, Any]]:
    """The caller's requests, newest first, a page of at most 200 at a time."""
    viewer = _viewer(request)
    found = list(selectors.requests_list(state=state, **viewer)[offset : offset + limit])
    _log_staff_list(request, found, "request in a list of requests")
    return [selectors.request_representation(r, for_agency="agency" in viewer) for r in found]


@router.get(
    "/requests/{request_id}",
    auth=staff_or_agency_with_scope(TokenScope.READ_OWN),
    response={200: RequestOut, **ERRORS},
    exclude_unset=True,
    summary="One request",
)
def get_request(request: ApiRequest, request_id: str) -> dict[str, Any]:
    viewer = _viewer(request)
    found = selectors.request_get(request_id=request_id, **viewer)
    _log_staff_view(request, found, "request and its triage")
    return selectors.request_representation(found, for_agency="agency" in viewer)


@router.post(
    "/requests/{request_id}/documents",
    auth=staff_or_agency_with_scope(TokenScope.SUBMIT),
    response={201: DocumentOut, **ERRORS},
    summary="Attach a legal document (PDF)",
)
def upload_document(
    request: ApiRequest, request_id: str, kind: Form[str], file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    found = selectors.request_get(request_id=request_id, **_viewer(request))
    document = document_attach(
        request=found,
        upload=file,
        kind=kind,
        uploaded_by=getattr(request, "staff", None)
        or (None if getattr(request, "api_token", None) else request.user),
    )
    return Status(
        201,
        {
            "id": document.pk,
            "kind": document.kind,
            "name": document.original_name,
            "size": document.size,
            "sha256": document.sha256,
        },
    )


@router.get(
    "/requests/{request_id}/documents/{document_id}",
    auth=staff_or_agency_with_scope(TokenScope.READ_OWN),
    response={200: None, **ERRORS},
    summary="Download a legal document",
)
def download_document(request: ApiRequest, request_id: str, document_id: int) -> FileResponse:
    found = selectors.request_get(request_id=request_id, **_viewer(request))
    document = found.documents.filter(pk=document_id).first()
    if document is None:
        raise NotFound("There is no such document.")
    _log_staff_view(request, found, f"legal document {document.original_name}")
    return document_open(document=document, viewer=getattr(request, "staff", None))


class OfficeRequestIn(Schema):
    model_config = ConfigDict(extra="forbid")
    agency_id: int
    channel: OffPortalChannel
    received_at: AwareDatetime = Field(description="When it really arrived, with its UTC offset.")
    request: RequestIn


@router.post(
    "/office/requests",
    auth=staff_only,
    response={201: RequestOut, **ERRORS},
    exclude_unset=True,
    summary="Enter a request received off the portal",
)
def office_enter_request(request: ApiRequest, payload: OfficeRequestIn) -> Status[dict[str, Any]]:
    agency = Agency.objects.filter(pk=payload.agency_id).first()
    if agency is None:
        raise InvalidInput([("agency_id", "There is no agency with this id.")])
    result = services.request_submit(
        agency=agency,
        document=payload.request,
        channel=payload.channel,
        entered_by=request.user,
        received_at=payload.received_at,
    )
    found = selectors.request_get(request_id=result.request.pk, user=request.user)
    return Status(201, selectors.request_representation(found, for_agency=False))


class MatchIn(Schema):
    student_id: int = Field(description="The roster id of the student the requester meant.")


@router.post(
    "/request-students/{request_student_id}/match",
    auth=staff_only,
    response={200: RequestOut, **ERRORS},
    exclude_unset=True,
    summary="Match a named student to the roster",
)
def match_student(request: ApiRequest, request_student_id: int, payload: MatchIn) -> dict[str, Any]:
    rs = services.student_match_resolve(
        request_student_id=request_student_id,
        student_id=payload.student_id,
        resolved_by=request.user,
    )
    found = selectors.request_get(request_id=rs.request_id, user=request.user)
    return selectors.request_representation(found, for_agency=False)


class DeterminedItemOut(Schema):
    id: int
    category: Category
    state: ItemState


class DeterminationOut(Schema):
    request_id: str
    request_student: int
    found: bool | None
    emergency_ended: bool
    items: list[DeterminedItemOut]


@router.post(
    "/request-students/{request_student_id}/emergency-determination",
    auth=staff_only,
    response={201: DeterminationOut, **ERRORS},
    summary="Record the district's determination of an emergency",
)
def determine_emergency(
    request: ApiRequest, request_student_id: int, payload: DeterminationIn
) -> Status[dict[str, Any]]:
    """A records clerk, the student's principal or an administrator records whether the emergency the
    requester stated is an articulable and significant threat (FERPA 99.36(c)). Nothing carrying
    `determine_emergency` is released before it. An emergency that has ended cannot be found: its
    items go back to review (`emergency_ended`)."""
    result = services.emergency_determine(
        request_student_id=request_student_id,
        official=request.user,
        found=payload.found,
        threat=payload.threat,
        rationale=payload.rationale,
    )
    determination = result.determination
    request_id = str(result.items[0].request_id) if result.items else ""
    return Status(
        201,
        {
            "request_id": request_id,
            "request_student": request_student_id,
            "found": determination.found if determination is not None else None,
            "emergency_ended": determination is None,
            "items": [
                {"id": item.pk, "category": item.category, "state": item.state} for item in result.items
            ],
        },
    )


class DecisionOut(Schema):
    id: int
    item: int
    action: DecisionAction
    lawful_basis: LawfulBasis | Literal[""]
    rationale: str
    fields_removed: list[str]
    decided_by: str
    decided_at: dt.datetime
    item_state: ItemState


@router.post(
    "/items/{item_id}/decision",
    auth=staff_only,
    response={201: DecisionOut, **ERRORS},
    summary="Decide one item",
)
def decide_item(request: ApiRequest, item_id: int, payload: DecisionIn) -> Status[dict[str, Any]]:
    decision = services.item_decide(
        item_id=item_id,
        reviewer=request.user,
        action=payload.action,
        rationale=payload.rationale,
        lawful_basis=payload.lawful_basis,
        fields_removed=payload.fields_removed,
    )
    return Status(
        201,
        {
            "id": decision.pk,
            "item": decision.item_id,
            "action": decision.action,
            "lawful_basis": decision.lawful_basis,
            "rationale": decision.rationale,
            "fields_removed": decision.fields_removed,
            "decided_by": decision.decided_by_name,
            "decided_at": decision.decided_at,
            "item_state": decision.item.state,
        },
    )


class QueueItemOut(Schema):
    id: int
    request_id: UUID
    reference: str
    agency: str
    purpose: Purpose
    category: Category
    rules: list[RuleId]
    obligations: list[Obligation]
    explanation: str
    decision_due_at: dt.datetime


@router.get(
    "/review/queue", auth=staff_only, response={200: list[QueueItemOut]}, summary="Items waiting for me"
)
def my_queue(request: ApiRequest) -> list[dict[str, Any]]:
    items = list(selectors.review_queue(user=request.user)[:500])
    staff_accesses_record(
        user=request.user,
        students=(item.request_student.student for item in items),
        what="item in the review queue",
        request=request,
    )
    return [
        {
            "id": item.pk,
            "request_id": item.request_id,
            "reference": item.request.reference,
            "agency": item.request.agency_name,
            "purpose": item.request.purpose,
            "category": item.category,
            "rules": item.rules,
            "obligations": item.obligations,
            "explanation": item.explanation,
            "decision_due_at": item.request.decision_due_at,
        }
        for item in items
    ]


@router.get(
    "/office/overdue",
    auth=staff_only,
    response={200: list[RequestOut]},
    exclude_unset=True,
    summary="Requests past their decision deadline",
)
def overdue(request: ApiRequest) -> list[dict[str, Any]]:
    found = list(selectors.requests_overdue(user=request.user)[:200])
    _log_staff_list(request, found, "request in the overdue list")
    return [selectors.request_representation(r, for_agency=False) for r in found]


# -- the conversation on a request, its deadline, its owner, internal notes --------------------------------


class MessageIn(Schema):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(min_length=1, max_length=5000, description="The message; it stays with the request.")


class MessageOut(Schema):
    id: int
    kind: Literal["message", "clarification", "answer"]
    from_office: bool
    body: str
    sent_at: dt.datetime


class DeadlineChangeOut(Schema):
    kind: Literal["extended", "paused", "resumed"]
    reason: str
    due_before: dt.datetime
    due_after: dt.datetime
    changed_at: dt.datetime


class ConversationOut(Schema):
    reference: str
    decision_due_at: dt.datetime
    clock_paused: bool = Field(description="The decision clock waits for the requester's answer.")
    messages: list[MessageOut]
    deadline_changes: list[DeadlineChangeOut]


def _message_out(message: Any) -> dict[str, Any]:
    # Never the author's name: the requester learns that the office wrote, not who in it.
    return {
        "id": message.pk,
        "kind": message.kind,
        "from_office": message.from_office,
        "body": message.body,
        "sent_at": message.sent_at,
    }


@router.get(
    "/requests/{request_id}/messages",
    auth=staff_or_agency_with_scope(TokenScope.READ_OWN),
    response={200: ConversationOut, **ERRORS},
    summary="The conversation on a request and its deadline's changes",
)
def list_messages(request: ApiRequest, request_id: str) -> dict[str, Any]:
    viewer = _viewer(request)
    found = selectors.request_get(request_id=request_id, **viewer)
    requester = "agency" in viewer
    return {
        "reference": found.reference,
        "decision_due_at": found.decision_due_at,
        "clock_paused": found.clock_paused_at is not None,
        "messages": [_message_out(m) for m in selectors.messages_of(found)],
        "deadline_changes": [
            {
                "kind": c.kind,
                # The requester reads what its portal page shows: an extension's reason, written for it;
                # a pause or a resume without the office's internal reason (the clerk's note of a call).
                "reason": c.reason if not requester or c.kind == "extended" else "",
                "due_before": c.due_before,
                "due_after": c.due_after,
                "changed_at": c.changed_at,
            }
            for c in selectors.deadline_changes_of(found)
        ],
    }


@router.post(
    "/requests/{request_id}/messages",
    auth=staff_or_agency_with_scope(TokenScope.SUBMIT),
    response={201: MessageOut, **ERRORS},
    summary="Write on a request (the requester's answer restarts a paused clock)",
)
def post_message(request: ApiRequest, request_id: str, payload: MessageIn) -> Status[dict[str, Any]]:
    agency = getattr(request, "agency", None)
    author = None if getattr(request, "api_token", None) is not None else request.user
    message = conversation.message_send(
        request_id=request_id, author=author, body=payload.body, agency=agency
    )
    return Status(201, _message_out(message))


@router.post(
    "/requests/{request_id}/clarification",
    auth=staff_only,
    response={201: MessageOut, **ERRORS},
    summary="Ask the requester to clarify: the decision clock stops until the answer",
)
def post_clarification(request: ApiRequest, request_id: str, payload: MessageIn) -> Status[dict[str, Any]]:
    message = conversation.clarification_ask(request_id=request_id, asked_by=request.user, body=payload.body)
    return Status(201, _message_out(message))


class ResumeIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=5000)


class ExtensionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    new_due_date: dt.date = Field(description="A later business day; the decision is due at its end.")
    reason: str = Field(min_length=1, max_length=5000, description="Shown to the requester.")


@router.post(
    "/requests/{request_id}/clock/resume",
    auth=staff_only,
    response={200: DeadlineChangeOut, **ERRORS},
    summary="Start the decision clock again without a written answer",
)
def post_resume(request: ApiRequest, request_id: str, payload: ResumeIn) -> dict[str, Any]:
    change = conversation.clock_resume(request_id=request_id, resumed_by=request.user, reason=payload.reason)
    return _change_out(change)


def _change_out(change: Any) -> dict[str, Any]:
    return {
        "kind": change.kind,
        "reason": change.reason,
        "due_before": change.due_before,
        "due_after": change.due_after,
        "changed_at": change.changed_at,
    }


@router.post(
    "/requests/{request_id}/extension",
    auth=staff_only,
    response={201: DeadlineChangeOut, **ERRORS},
    summary="Extend the decision deadline, with a reason the requester reads",
)
def post_extension(request: ApiRequest, request_id: str, payload: ExtensionIn) -> Status[dict[str, Any]]:
    change = conversation.deadline_extend(
        request_id=request_id,
        extended_by=request.user,
        new_due_date=payload.new_due_date,
        reason=payload.reason,
    )
    return Status(201, _change_out(change))


class OwnerIn(Schema):
    model_config = ConfigDict(extra="forbid")
    owner: int | None = Field(description="The user id of the new owner; null for none.")


class OwnerOut(Schema):
    owner: int | None


@router.post(
    "/requests/{request_id}/owner",
    auth=staff_only,
    response={200: OwnerOut, **ERRORS},
    summary="Give a request an owner in the records office",
)
def post_owner(request: ApiRequest, request_id: str, payload: OwnerIn) -> dict[str, Any]:
    found = conversation.request_assign(
        request_id=request_id, owner_id=payload.owner, assigned_by=request.user
    )
    return {"owner": found.owner_id}


class NoteOut(Schema):
    id: int
    body: str
    author: str
    written_at: dt.datetime


@router.get(
    "/requests/{request_id}/notes",
    auth=staff_only,
    response={200: list[NoteOut], **ERRORS},
    summary="Internal notes (staff only)",
)
def list_notes(request: ApiRequest, request_id: str) -> list[dict[str, Any]]:
    found = selectors.request_get(request_id=request_id, user=request.user)
    return [
        {"id": n.pk, "body": n.body, "author": n.author_name, "written_at": n.written_at}
        for n in selectors.internal_notes_of(request=found, user=request.user)
    ]


@router.post(
    "/requests/{request_id}/notes",
    auth=staff_only,
    response={201: NoteOut, **ERRORS},
    summary="Write an internal note the requester never reads",
)
def post_note(request: ApiRequest, request_id: str, payload: MessageIn) -> Status[dict[str, Any]]:
    note = conversation.note_add(request_id=request_id, author=request.user, body=payload.body)
    return Status(
        201, {"id": note.pk, "body": note.body, "author": note.author_name, "written_at": note.written_at}
    )


# -- reconsideration ---------------------------------------------------------------------------------------


class ReconsiderationIn(Schema):
    model_config = ConfigDict(extra="forbid")
    items: list[int] = Field(description="Items you read as refused.")
    reason: str = Field(min_length=1, max_length=5000)


class ReconsiderationOut(Schema):
    id: int
    items: list[int]
    reason: str
    asked_at: dt.datetime
    outcome: Literal["pending", "upheld", "reopened"]
    decision_reason: str
    decided_at: dt.datetime | None


def _reconsideration_out(found: Any) -> dict[str, Any]:
    # Never who decided: the requester learns counsel's outcome and reason.
    return {
        "id": found.pk,
        "items": found.items,
        "reason": found.reason,
        "asked_at": found.asked_at,
        "outcome": found.outcome,
        "decision_reason": found.decision_reason,
        "decided_at": found.decided_at,
    }


@router.get(
    "/requests/{request_id}/reconsiderations",
    auth=staff_or_agency_with_scope(TokenScope.READ_OWN),
    response={200: list[ReconsiderationOut], **ERRORS},
    summary="Reconsiderations asked on a request, and counsel's decisions",
)
def list_reconsiderations(request: ApiRequest, request_id: str) -> list[dict[str, Any]]:
    found = selectors.request_get(request_id=request_id, **_viewer(request))
    return [_reconsideration_out(r) for r in selectors.reconsiderations_of(found)]


@router.post(
    "/requests/{request_id}/reconsiderations",
    auth=agency_with_scope(TokenScope.SUBMIT),
    response={201: ReconsiderationOut, **ERRORS},
    summary="Ask counsel to reconsider items you read as refused",
)
def post_reconsideration(
    request: ApiRequest, request_id: str, payload: ReconsiderationIn
) -> Status[dict[str, Any]]:
    asked_by = None if getattr(request, "api_token", None) is not None else request.user
    found = reconsideration.reconsideration_ask(
        request_id=request_id,
        agency=request.agency,
        asked_by=asked_by,
        item_ids=payload.items,
        reason=payload.reason,
    )
    return Status(201, _reconsideration_out(found))


class ReconsiderationDecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["upheld", "reopened"]
    reason: str = Field(min_length=1, max_length=5000, description="The requester reads it.")


@router.post(
    "/reconsiderations/{reconsideration_id}/decision",
    auth=staff_only,
    response={200: ReconsiderationOut, **ERRORS},
    summary="Counsel decides a reconsideration",
)
def decide_reconsideration(
    request: ApiRequest, reconsideration_id: int, payload: ReconsiderationDecisionIn
) -> dict[str, Any]:
    found = reconsideration.reconsideration_decide(
        reconsideration_id=reconsideration_id,
        counsel=request.user,
        outcome=payload.outcome,
        reason=payload.reason,
    )
    return _reconsideration_out(found)


# -- preservation ------------------------------------------------------------------------------------------


class PreservationOut(Schema):
    id: UUID
    reference: str
    state: Literal["active", "followed", "expired"]
    received_at: dt.datetime
    expires_at: dt.datetime
    extended: bool
    categories: list[Category]
    process_expected: str
    message: str = Field(description="What the district did, in words: the same whoever the students are.")


PRESERVATION_MESSAGE = (
    "The district recorded your request to preserve records. It discloses nothing in answer to it. "
    "The hold ends on the date given unless legal process follows."
)


def _preservation_out(hold: Any) -> dict[str, Any]:
    # Never which students the roster matched (CONTRACTS.md: what a requester learns).
    return {
        "id": hold.pk,
        "reference": hold.reference,
        "state": hold.state,
        "received_at": hold.received_at,
        "expires_at": hold.expires_at,
        "extended": hold.extended_at is not None,
        "categories": hold.categories,
        "process_expected": hold.process_expected,
        "message": PRESERVATION_MESSAGE,
    }


@router.post(
    "/preservations",
    auth=agency_with_scope(TokenScope.SUBMIT),
    response={201: PreservationOut, **ERRORS},
    summary="Ask the district to preserve records pending legal process",
)
def post_preservation(request: ApiRequest, payload: preservation.PreservationIn) -> Status[dict[str, Any]]:
    submitted_by = None if getattr(request, "api_token", None) is not None else request.user
    hold = preservation.preservation_submit(
        agency=request.agency, document=payload, submitted_by=submitted_by
    )
    return Status(201, _preservation_out(hold))


@router.get(
    "/preservations",
    auth=agency_with_scope(TokenScope.READ_OWN),
    response={200: list[PreservationOut]},
    summary="Your agency's preservation requests",
)
def list_preservations(
    request: ApiRequest,
    limit: Annotated[int, Field(ge=1, le=200)] = 50,
    offset: Annotated[int, Field(ge=0, le=10_000_000)] = 0,
) -> list[dict[str, Any]]:
    found = selectors.preservations_of(agency=request.agency)[offset : offset + limit]
    return [_preservation_out(hold) for hold in found]


@router.post(
    "/preservations/{preservation_id}/extension",
    auth=agency_with_scope(TokenScope.SUBMIT),
    response={200: PreservationOut, **ERRORS},
    summary="Extend a hold once, before it ends",
)
def extend_preservation(request: ApiRequest, preservation_id: str) -> dict[str, Any]:
    hold = preservation.preservation_extend(agency=request.agency, preservation_id=preservation_id)
    return _preservation_out(hold)
