"""Operations endpoints: a health check for load balancers, and the staff access log for auditors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Router, Schema

from brightline.accounts.selectors import staff_accesses_visible_to
from brightline.agencies.auth import ApiRequest, staff_only
from brightline.api_schemas import ErrorOut

router = Router(tags=["operations"])


class HealthOut(Schema):
    status: str


@router.get("/health", auth=None, response={200: HealthOut}, summary="Is the server answering")
def health(request: ApiRequest) -> dict[str, str]:
    """Answers without touching the database: the trivial endpoint a load balancer polls."""
    return {"status": "ok"}


class StaffAccessOut(Schema):
    user: str
    role: str
    student_id: str
    what: str
    path: str
    at: dt.datetime


@router.get(
    "/access-log",
    auth=staff_only,
    response={200: list[StaffAccessOut], 403: ErrorOut},
    summary="Who among district staff looked at a student's records",
)
def access_log(
    request: ApiRequest, student_id: str | None = None, limit: int = 200, offset: int = 0
) -> list[dict[str, Any]]:
    """For auditors: every view of a student's records by staff, newest first."""
    limit = max(1, min(limit, 1000))
    offset = max(0, offset)
    found = staff_accesses_visible_to(user=request.user, student_sis_id=student_id)[offset : offset + limit]
    return [
        {
            "user": entry.user_name,
            "role": entry.role,
            "student_id": entry.student_sis_id,
            "what": entry.what,
            "path": entry.path,
            "at": entry.at,
        }
        for entry in found
    ]
