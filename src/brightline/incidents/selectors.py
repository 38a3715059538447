"""Reads of incidents that depend on who asks.

An administrator sees every incident; a principal the incidents of the schools they are assigned to;
school staff the incidents they recorded themselves. Nobody else reads incidents here: outside parties
ask for a student's records through a request that names the student, like any other.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from brightline.accounts.models import Role, User
from brightline.errors import NotAllowed, NotFound
from brightline.incidents.models import Incident, IncidentStudent, ReportingUnit, StaffSchool
from brightline.roster.models import School

RECORDER_ROLES = frozenset({Role.SCHOOL_STAFF, Role.PRINCIPAL, Role.ADMIN})
RECLASSIFIER_ROLES = frozenset({Role.PRINCIPAL, Role.ADMIN})


def schools_for(user: User) -> QuerySet[School]:
    """The schools a person may record incidents at: every school for an administrator, else their own."""
    if user.role == Role.ADMIN:
        return School.objects.all()
    if user.role in RECORDER_ROLES:
        return School.objects.filter(pk__in=StaffSchool.objects.filter(user=user).values("school_id"))
    return School.objects.none()


def _unit(user: User, assigned: str | None) -> str:
    # An assignment to the police unit counts only for a school staff account: a principal or an
    # administrator is school staff whatever a row says (StaffSchool.clean refuses such a row).
    if assigned == ReportingUnit.SCHOOL_POLICE and user.role == Role.SCHOOL_STAFF:
        return ReportingUnit.SCHOOL_POLICE
    return ReportingUnit.SCHOOL_STAFF


def unit_at(user: User, school: School) -> str:
    """The unit a person works for at a school: the school police unit only when an administrator
    assigned them to it there; everyone else (principals, teachers, administrators) is school staff."""
    return _unit(
        user, StaffSchool.objects.filter(user=user, school=school).values_list("unit", flat=True).first()
    )


def units_of(user: User) -> list[tuple[School, ReportingUnit]]:
    """Each school a person is assigned to, with the unit they report for there."""
    rows = StaffSchool.objects.filter(user=user).select_related("school").order_by("school__name")
    return [(row.school, ReportingUnit(_unit(user, row.unit))) for row in rows]


def incidents_visible_to(user: User) -> QuerySet[Incident]:
    if user.role not in RECORDER_ROLES:
        raise NotAllowed("incident reports are for school staff, principals and administrators")
    incidents = Incident.objects.select_related("school")
    if user.role == Role.ADMIN:
        return incidents
    if user.role == Role.PRINCIPAL:
        return incidents.filter(school__in=schools_for(user))
    return incidents.filter(recorded_by=user)


def incident_get(*, user: User, incident_id: int) -> Incident:
    """One incident the person may see; someone else's is NotFound, as if it did not exist."""
    incident = incidents_visible_to(user).filter(pk=incident_id).first()
    if incident is None:
        raise NotFound("no such incident")
    return incident


def may_reclassify(user: User, incident: Incident) -> bool:
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.PRINCIPAL and schools_for(user).filter(pk=incident.school_id).exists()


def incident_representation(incident: Incident) -> dict[str, Any]:
    """The incident as staff see it in the API: the classification history with each reason."""
    return {
        "id": incident.pk,
        "school": {"id": incident.school_id, "name": incident.school.name},
        "occurred_on": incident.occurred_on,
        "summary": incident.summary,
        "description": incident.description,
        "conduct": incident.conduct,
        "felony": incident.felony,
        "reporting_unit": incident.reporting_unit,
        "purpose": incident.purpose,
        "record_category": incident.record_category,
        "students": [
            {"student_id": row.student_sis_id, "role": row.role, "possessed_weapon": row.possessed_weapon}
            for row in incident.students.all()
        ],
        "classifications": [
            {
                "record_category": row.record_category,
                "source": row.source,
                "criteria": row.criteria,
                "explanation": row.explanation,
                "reason": row.reason,
                "decided_by": row.decided_by_name,
                "decided_at": row.decided_at,
            }
            for row in incident.classifications.all()
        ],
        "weapon_routings": [
            {
                "student_id": row.incident_student.student_sis_id,
                "recipient": row.recipient,
                "disclosure_entry": row.disclosure_entry_id,
                "routed_at": row.routed_at,
            }
            for row in incident.routings.select_related("incident_student")
        ],
        "attachments": [
            {"id": row.pk, "name": row.original_name, "size": row.size, "screening": row.screening_note}
            for row in incident.attachments.all()
        ],
        "screening_matches": incident.screening_matches,
        "recorded_by": incident.recorded_by_name,
        "recorded_at": incident.recorded_at,
    }


def incident_summaries(*, student: Any, category: str) -> list[dict[str, Any]]:
    """The incidents a student was involved in that sit in this record category (discipline, or the
    school police unit's law-enforcement records), as a release packet lists them: date, summary, what
    happened and the student's part. Nothing is listed across the bright line: a discipline matter never
    appears among law-enforcement records, nor the reverse."""
    rows = (
        IncidentStudent.objects.filter(student=student, incident__record_category=category)
        .select_related("incident")
        .order_by("incident__occurred_on", "incident_id")
    )
    return [
        {
            "date": row.incident.occurred_on.isoformat(),
            "summary": row.incident.summary,
            "what_happened": row.incident.description,
            "involvement": row.get_role_display(),
        }
        for row in rows
    ]
