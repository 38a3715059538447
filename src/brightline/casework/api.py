"""JSON API for requests: agencies submit and follow their own; staff enter, match, decide, release."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any
from uuid import UUID

from django.http import FileResponse, HttpResponse
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from pydantic import ConfigDict, Field

from brightline.accounts.services import staff_accesses_record
from brightline.agencies.auth import ApiRequest, agency_with_scope, staff_only, staff_or_agency_with_scope
from brightline.agencies.models import Agency, TokenScope
from brightline.api_schemas import ERRORS
from brightline.casework import selectors, services
from brightline.casework.documents import document_attach, document_open
from brightline.errors import InvalidInput, NotAllowed, NotFound

router = Router(tags=["requests"])


class RequesterIn(Schema):
    model_config = ConfigDict(extra="allow")
    kind: str | None = None
    agency: str | None = None
    name: str | None = None
    position: str | None = None


class RequestIn(Schema):
    """DOMAIN.md's request object. A student is `{"student_id"}` or `{"first_name","last_name","birth_date"}`.

    `requester.kind` and `requester.agency` come from your token and may be left out. `identified_by` is
    set by the server from what you sent (a `student_id`, or a name and a birth date); a value sent is
    ignored."""

    model_config = ConfigDict(extra="allow")
    requester: RequesterIn | None = None
    purpose: str
    description: str | None = None
    categories: list[Any]
    students: list[Any]
    identified_by: str | None = None
    legal_process: dict[str, Any] | None = None
    emergency: dict[str, Any] | None = None
    consent: dict[str, Any] | None = None
    certification_no_redisclosure: bool | None = None
    onward_recipients: list[Any] | None = None


class ItemOut(Schema):
    id: int
    student_id: str | None
    student_position: int
    category: str
    outcome: str | None
    reviewer: str | None
    rules: list[str]
    obligations: list[str]
    explanation: str
    state: str


class PolicyRef(Schema):
    id: str
    version: str
    sha256: str


class RequestOut(Schema):
    id: str
    reference: str
    state: str
    received_at: dt.datetime
    decision_due_at: dt.datetime
    channel: str
    requester: dict[str, Any]
    purpose: str
    policy: PolicyRef
    students: list[dict[str, Any]]
    items: list[ItemOut]
    documents: list[dict[str, Any]]
    packets: list[dict[str, Any]]


def _raw_body(request: ApiRequest) -> dict[str, Any]:
    # The service validates the exact JSON sent (unknown keys included), not pydantic's re-dump of it.
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput([("", "the body is not valid JSON")]) from None
    if not isinstance(body, dict):
        raise InvalidInput([("", "the body must be a JSON object")])
    return body


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


@router.post(
    "/requests",
    auth=agency_with_scope(TokenScope.SUBMIT),
    response={201: RequestOut, **ERRORS},
    summary="Submit a request",
)
def submit_request(request: ApiRequest, payload: RequestIn) -> HttpResponse | tuple[int, dict[str, Any]]:
    """Submit a request for student records on behalf of the agency your token speaks for.

    An `Idempotency-Key` header makes a retry return the first request instead of making another. The
    request is answered as it stands now, which needs the `read_own` scope as well: a token with `submit`
    alone is answered 403, naming the request its key made."""
    agency: Agency = request.agency
    api_token = getattr(request, "api_token", None)
    user = None if api_token is not None else request.user
    result = services.request_submit(
        agency=agency,
        document=_raw_body(request),
        channel="api" if api_token is not None else "portal",
        submitted_by=user,
        idempotency_key=request.headers.get("Idempotency-Key"),
    )
    if result.created:
        # Answered from what the service just stored: reading it back would cost a query per relation.
        return _submitted(
            request,
            selectors.request_representation(
                result.request, for_agency=True, students=result.students, items=result.items
            ),
        )
    if api_token is not None and not api_token.has_scope(TokenScope.READ_OWN):
        # A replay answers the request as it stands (its items' states, its packets): a read.
        raise NotAllowed(
            f"this Idempotency-Key already made request {result.request.reference}; "
            "reading it needs the read_own scope"
        )
    found = selectors.request_get(request_id=result.request.pk, agency=agency)
    return 201, selectors.request_representation(found, for_agency=True)


def _submitted(request: ApiRequest, representation: dict[str, Any]) -> HttpResponse:
    """201 with exactly RequestOut's fields, rendered as the API renders every answer.

    The representation is `request_representation`'s, the function every GET of a request answers with
    (and RequestOut validates there); validating it again on the busiest call cost a twentieth of a
    submission (tests/test_submission_cost.py checks the two answers are the same)."""
    from brightline.api import api

    body = {name: representation[name] for name in RequestOut.model_fields}
    return api.create_response(request, body, status=201)


@router.get(
    "/requests",
    auth=staff_or_agency_with_scope(TokenScope.READ_OWN),
    response={200: list[RequestOut]},
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
    response={201: dict[str, Any], **ERRORS},
    summary="Attach a legal document (PDF)",
)
def upload_document(
    request: ApiRequest, request_id: str, kind: Form[str], file: File[UploadedFile]
) -> tuple[int, dict[str, Any]]:
    found = selectors.request_get(request_id=request_id, **_viewer(request))
    document = document_attach(
        request=found,
        upload=file,
        kind=kind,
        uploaded_by=getattr(request, "staff", None)
        or (None if getattr(request, "api_token", None) else request.user),
    )
    return 201, {
        "id": document.pk,
        "kind": document.kind,
        "name": document.original_name,
        "size": document.size,
        "sha256": document.sha256,
    }


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
        raise NotFound("no such document")
    _log_staff_view(request, found, f"legal document {document.original_name}")
    return document_open(document=document, viewer=getattr(request, "staff", None))


class OfficeRequestIn(Schema):
    agency_id: int
    channel: str = Field(description="fax, email, phone, mail or in_person")
    received_at: dt.datetime
    request: dict[str, Any]


@router.post(
    "/office/requests",
    auth=staff_only,
    response={201: RequestOut, **ERRORS},
    summary="Enter a request received off the portal",
)
def office_enter_request(request: ApiRequest, payload: OfficeRequestIn) -> tuple[int, dict[str, Any]]:
    agency = Agency.objects.filter(pk=payload.agency_id).first()
    if agency is None:
        raise InvalidInput([("agency_id", "no such agency")])
    if payload.received_at.tzinfo is None:
        raise InvalidInput([("received_at", "give a time zone offset")])
    result = services.request_submit(
        agency=agency,
        document=payload.request,
        channel=payload.channel,
        entered_by=request.user,
        received_at=payload.received_at,
    )
    found = selectors.request_get(request_id=result.request.pk, user=request.user)
    return 201, selectors.request_representation(found, for_agency=False)


class MatchIn(Schema):
    student_id: int = Field(description="The roster id of the student the requester meant.")


@router.post(
    "/request-students/{request_student_id}/match",
    auth=staff_only,
    response={200: RequestOut, **ERRORS},
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


class DeterminationIn(Schema):
    found: bool = Field(
        description="Whether you found an articulable and significant threat to health or safety."
    )
    threat: str = Field("", description="The threat as you found it (required when found).")
    rationale: str = Field(description="What you checked, and with whom.")


class DeterminationOut(Schema):
    request_id: str
    request_student: int
    found: bool | None
    emergency_ended: bool
    items: list[dict[str, Any]]


@router.post(
    "/request-students/{request_student_id}/emergency-determination",
    auth=staff_only,
    response={201: DeterminationOut, **ERRORS},
    summary="Record the district's determination of an emergency",
)
def determine_emergency(
    request: ApiRequest, request_student_id: int, payload: DeterminationIn
) -> tuple[int, dict[str, Any]]:
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
    return 201, {
        "request_id": request_id,
        "request_student": request_student_id,
        "found": determination.found if determination is not None else None,
        "emergency_ended": determination is None,
        "items": [{"id": item.pk, "category": item.category, "state": item.state} for item in result.items],
    }


class DecisionIn(Schema):
    action: str = Field(description="approve, narrow or deny")
    rationale: str
    lawful_basis: str | None = None
    fields_removed: list[str] = []


class DecisionOut(Schema):
    id: int
    item: int
    action: str
    lawful_basis: str
    rationale: str
    fields_removed: list[str]
    decided_by: str
    decided_at: dt.datetime
    item_state: str


@router.post(
    "/items/{item_id}/decision",
    auth=staff_only,
    response={201: DecisionOut, **ERRORS},
    summary="Decide one item",
)
def decide_item(request: ApiRequest, item_id: int, payload: DecisionIn) -> tuple[int, dict[str, Any]]:
    decision = services.item_decide(
        item_id=item_id,
        reviewer=request.user,
        action=payload.action,
        rationale=payload.rationale,
        lawful_basis=payload.lawful_basis,
        fields_removed=payload.fields_removed,
    )
    return 201, {
        "id": decision.pk,
        "item": decision.item_id,
        "action": decision.action,
        "lawful_basis": decision.lawful_basis,
        "rationale": decision.rationale,
        "fields_removed": decision.fields_removed,
        "decided_by": decision.decided_by_name,
        "decided_at": decision.decided_at,
        "item_state": decision.item.state,
    }


class QueueItemOut(Schema):
    id: int
    request_id: UUID
    reference: str
    agency: str
    purpose: str
    category: str
    rules: list[str]
    obligations: list[str]
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
    summary="Requests past their decision deadline",
)
def overdue(request: ApiRequest) -> list[dict[str, Any]]:
    found = list(selectors.requests_overdue(user=request.user)[:200])
    _log_staff_list(request, found, "request in the overdue list")
    return [selectors.request_representation(r, for_agency=False) for r in found]
