"""JSON API for incident reports, for district staff only.

There is no operation that lists or sends incidents to an outside party: an agency that wants a
student's school police records submits a request naming the student, like any other request.
Agency tokens, requester and family sessions, and district staff outside the schools (records office,
reviewers, auditors) are refused on every operation here (401).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from brightline.accounts.models import User
from brightline.accounts.services import staff_access_record
from brightline.agencies.auth import ApiRequest, StaffSessionAuth
from brightline.api_schemas import ERRORS
from brightline.errors import InvalidInput
from brightline.incidents import selectors, services
from brightline.incidents.intake import IncidentIn
from brightline.incidents.models import RecordPurpose
from brightline.roster.models import School

router = Router(tags=["incidents"])


class IncidentStaffAuth(StaffSessionAuth):
    """A signed-in session of school staff, a principal or an administrator; anyone else is 401."""

    def admit(self, user: User) -> bool:
        return user.role in selectors.RECORDER_ROLES


class ReclassifierAuth(StaffSessionAuth):
    """A signed-in session of a principal or an administrator."""

    def admit(self, user: User) -> bool:
        return user.role in selectors.RECLASSIFIER_ROLES


incident_staff = [IncidentStaffAuth()]
reclassifiers = [ReclassifierAuth()]


class ReclassifyIn(Schema):
    record_category: str = Field(description="discipline or law_enforcement_unit")
    reason: str


class IncidentOut(Schema):
    id: int
    school: dict[str, Any]
    occurred_on: dt.date
    summary: str
    description: str
    conduct: list[str]
    felony: bool
    reporting_unit: str
    purpose: str
    record_category: str
    students: list[dict[str, Any]]
    classifications: list[dict[str, Any]]
    weapon_routings: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    screening_matches: list[dict[str, Any]]
    recorded_by: str
    recorded_at: dt.datetime


class IncidentListOut(Schema):
    id: int
    school: str
    occurred_on: dt.date
    summary: str
    record_category: str


def _show(request: ApiRequest, incident_id: int) -> dict[str, Any]:
    incident = selectors.incident_get(user=request.user, incident_id=incident_id)
    for row in incident.students.all():
        staff_access_record(
            user=request.user, student=row.student_sis_id, what="incident report", request=request
        )
    return selectors.incident_representation(incident)


@router.get(
    "", auth=incident_staff, response={200: list[IncidentListOut], **ERRORS}, summary="Incidents I may see"
)
def list_incidents(request: ApiRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": incident.pk,
            "school": incident.school.name,
            "occurred_on": incident.occurred_on,
            "summary": incident.summary,
            "record_category": incident.record_category,
        }
        for incident in selectors.incidents_visible_to(request.user)
    ]


@router.post("", auth=incident_staff, response={201: IncidentOut, **ERRORS}, summary="Record an incident")
def record_incident(request: ApiRequest, payload: IncidentIn) -> Status[dict[str, Any]]:
    """Record an incident: it is screened, classified by the district's criteria (who made the report,
    what for, the conduct; the answer names the criterion), and a weapon report is routed as M.G.L. c.71
    s.37L requires."""
    school = School.objects.filter(pk=payload.school_id).first()
    if school is None:
        raise InvalidInput([("school_id", "There is no school with this id.")])
    incident = services.incident_record(
        recorded_by=request.user,
        school=school,
        occurred_on=payload.occurred_on,
        summary=payload.summary,
        description=payload.description,
        conduct=payload.conduct,
        felony=payload.felony,
        students=payload.involved(),
        purpose=payload.purpose or RecordPurpose.SCHOOL_DISCIPLINE,
        reporting_unit=payload.reporting_unit,
        confirmed_screening=payload.confirmed_screening,
    )
    return Status(201, selectors.incident_representation(incident))


@router.get(
    "/{incident_id}", auth=incident_staff, response={200: IncidentOut, **ERRORS}, summary="One incident"
)
def get_incident(request: ApiRequest, incident_id: int) -> dict[str, Any]:
    return _show(request, incident_id)


@router.post(
    "/{incident_id}/reclassify",
    auth=reclassifiers,
    response={200: IncidentOut, **ERRORS},
    summary="Reclassify an incident with a written reason",
)
def reclassify_incident(request: ApiRequest, incident_id: int, payload: ReclassifyIn) -> dict[str, Any]:
    services.incident_reclassify(
        incident_id=incident_id,
        decided_by=request.user,
        record_category=payload.record_category,
        reason=payload.reason,
    )
    return selectors.incident_representation(
        selectors.incident_get(user=request.user, incident_id=incident_id)
    )


@router.post(
    "/{incident_id}/attachments",
    auth=incident_staff,
    response={201: dict[str, Any], **ERRORS},
    summary="Attach a PDF to an incident",
)
def attach_to_incident(
    request: ApiRequest, incident_id: int, file: File[UploadedFile], confirmed_screening: Form[bool] = False
) -> Status[dict[str, Any]]:
    attachment = services.incident_attach(
        incident_id=incident_id,
        upload=file,
        uploaded_by=request.user,
        confirmed_screening=confirmed_screening,
    )
    return Status(
        201,
        {
            "id": attachment.pk,
            "name": attachment.original_name,
            "size": attachment.size,
            "sha256": attachment.sha256,
            "screening": attachment.screening_note,
        },
    )
