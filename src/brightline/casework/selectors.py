"""Reads about requests that depend on who is asking. Views and API handlers use only these."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from brightline.accounts.models import Role, User
from brightline.agencies.models import Agency
from brightline.casework.models import Item, ItemState, Request, RequestState, RequestStudent
from brightline.errors import NotFound

# Staff who work or audit casework see every request; school staff see none through these selectors.
CASEWORK_ROLES = frozenset(
    {Role.RECORDS_CLERK, Role.SUPERINTENDENT, Role.LEGAL_ADVISOR, Role.AUDITOR, Role.ADMIN}
)
HIDDEN_FROM_REQUESTERS = frozenset({"alert_police_missing_child"})
OPEN_STATES = (
    RequestState.AWAITING_MATCH,
    RequestState.IN_REVIEW,
    RequestState.AWAITING_NOTICE,
    RequestState.READY,
)


def _with_items(queryset: QuerySet[Request]) -> QuerySet[Request]:
    return queryset.prefetch_related(
        Prefetch(
            "items",
            queryset=Item.objects.select_related("request_student__student")
            .prefetch_related("decisions")
            .order_by("position"),
        ),
        Prefetch("students", queryset=RequestStudent.objects.select_related("student").order_by("position")),
        "packets",
        "documents",
    )


def requests_visible_to(*, user: User | None = None, agency: Agency | None = None) -> QuerySet[Request]:
    """An agency sees its own requests only; casework staff see all; anyone else sees none."""
    if agency is not None:
        return Request.objects.filter(agency=agency)
    if user is not None and user.is_authenticated and user.role in CASEWORK_ROLES:
        return Request.objects.all()
    return Request.objects.none()


def request_get(*, request_id: Any, user: User | None = None, agency: Agency | None = None) -> Request:
    """One request as its viewer may see it. Another agency's request is 'not found', like a missing one."""
    try:
        found = _with_items(requests_visible_to(user=user, agency=agency)).filter(pk=request_id).first()
    except (ValueError, TypeError):
        found = None
    except Exception as error:  # a malformed UUID raises ValidationError from the field
        if error.__class__.__name__ != "ValidationError":
            raise
        found = None
    if found is None:
        raise NotFound("no such request")
    return found


def requests_list(
    *, user: User | None = None, agency: Agency | None = None, state: str | None = None
) -> QuerySet[Request]:
    queryset = requests_visible_to(user=user, agency=agency)
    if state:
        queryset = queryset.filter(state=state)
    return _with_items(queryset.order_by("-received_at"))


def review_queue(*, user: User) -> QuerySet[Item]:
    """Items waiting for this reviewer's role, oldest deadline first; never their own entries."""
    if user.role not in (Role.SUPERINTENDENT, Role.LEGAL_ADVISOR):
        return Item.objects.none()
    return (
        Item.objects.filter(state=ItemState.PENDING_REVIEW, reviewer=user.role)
        .exclude(request__entered_by=user)
        .select_related("request", "request_student__student")
        .order_by("request__decision_due_at", "request_id", "position")
    )


def requests_overdue(*, user: User, now: dt.datetime | None = None) -> QuerySet[Request]:
    now = now or timezone.now()
    return _with_items(
        requests_visible_to(user=user)
        .filter(state__in=(RequestState.AWAITING_MATCH, RequestState.IN_REVIEW), decision_due_at__lt=now)
        .order_by("decision_due_at")
    )


def requests_due(*, user: User, within: dt.timedelta, now: dt.datetime | None = None) -> QuerySet[Request]:
    now = now or timezone.now()
    return (
        requests_visible_to(user=user)
        .filter(
            state__in=(RequestState.AWAITING_MATCH, RequestState.IN_REVIEW),
            decision_due_at__gte=now,
            decision_due_at__lt=now + within,
        )
        .order_by("decision_due_at")
    )


def request_representation(
    request: Request,
    *,
    for_agency: bool,
    students: list[RequestStudent] | None = None,
    items: list[Item] | None = None,
) -> dict[str, Any]:
    """The API shape of CONTRACTS.md: the request with every item's triage and state.

    `students` and `items` (in position order, each item with its `request_student`) are those of a
    request just stored by `request_submit`, which has neither documents nor packets yet: given them,
    nothing is read again."""
    fresh = students is not None and items is not None
    if students is None:
        students = list(request.students.all())
    if items is None:
        items = list(request.items.all())
    shown = []
    for item in items:
        rs = item.request_student
        named_id = rs.named.get("student_id")
        sis_id = rs.student.sis_id if rs.student is not None else None
        shown.append(
            {
                "id": item.pk,
                "student_id": named_id if for_agency else (sis_id or named_id),
                "student_position": rs.position,
                "category": item.category,
                "outcome": item.outcome or None,
                "reviewer": item.reviewer or None,
                "rules": item.rules,
                # Whether a student is flagged missing is the district's to act on, not the requester's to learn.
                "obligations": [
                    o for o in item.obligations if not (for_agency and o in HIDDEN_FROM_REQUESTERS)
                ],
                "explanation": item.explanation,
                "state": item.state,
            }
        )
    return {
        "id": str(request.pk),
        "reference": request.reference,
        "state": request.state,
        "disposition": request.disposition,
        "received_at": request.received_at,
        "decision_due_at": request.decision_due_at,
        "channel": request.channel,
        "requester": {
            "kind": request.requester_kind,
            "agency": request.agency_name,
            "name": request.requester_name,
            "position": request.requester_position,
        },
        "purpose": request.purpose,
        "policy": {
            "id": request.policy_id,
            "version": request.policy_version,
            "sha256": request.policy_sha256,
        },
        "students": [
            {
                "position": rs.position,
                "named": rs.named,
                "match_state": rs.match_state,
                **({} if for_agency else {"request_student_id": rs.pk, "candidates": rs.candidates}),
            }
            for rs in students
        ],
        "items": shown,
        "documents": []
        if fresh
        else [
            {
                "id": doc.pk,
                "kind": doc.kind,
                "name": doc.original_name,
                "size": doc.size,
                "sha256": doc.sha256,
            }
            for doc in request.documents.all()
        ],
        "packets": []
        if fresh
        else [
            {
                "id": str(packet.pk),
                "released_at": packet.released_at,
                "content_sha256": packet.content_sha256,
                "acknowledgment_required": bool(packet.redisclosure_notice),
                "acknowledged_at": packet.acknowledged_at,
                "redisclosure_notice": packet.redisclosure_notice,
            }
            for packet in request.packets.all()
        ],
    }
