"""What goes into a release packet: only the approved fields of the cleared items, stamped and hashed.

A field's value comes from the roster where Bright Line holds it (names, grade, school, guardians'
contacts); every other field comes from an extract the records office attached from the district's
other systems. A field outside the district's data inventory is never released.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import timezone

from brightline.casework.models import Item, Request
from brightline.policy.vocabulary import LAW_ENFORCEMENT
from brightline.roster.models import DataField, Student

NOT_HELD = None


_inventory_cache: dict[str, list[str]] = {}


def inventory_fields(category: str) -> list[str]:
    """The fields of a category in the district's data inventory, in a stable order.

    Read on nearly every triage and release, changed only by an administrator: cached per process and
    dropped whenever a DataField row is saved or deleted (see `_forget_inventory`)."""
    if category not in _inventory_cache:
        _inventory_cache[category] = list(
            DataField.objects.filter(category=category)
            .order_by("field_name")
            .values_list("field_name", flat=True)
        )
    return list(_inventory_cache[category])


@receiver([post_save, post_delete], sender=DataField)
def _forget_inventory(**kwargs: Any) -> None:
    _inventory_cache.clear()


def _custodial_guardians(student: Student) -> list[Any]:
    return [
        rel.guardian
        for rel in student.guardian_relationships.select_related("guardian").order_by("-is_custodial", "pk")
    ]


def _home_address(student: Student) -> str | None:
    for guardian in _custodial_guardians(student):
        if guardian.postal_address_lines:
            return ", ".join(guardian.postal_address_lines)
    return NOT_HELD


def _home_phone(student: Student) -> str | None:
    for guardian in _custodial_guardians(student):
        if guardian.phone:
            return str(guardian.phone)
    return NOT_HELD


ROSTER_FIELDS: dict[str, Callable[[Student, dt.date], Any]] = {
    "first_name": lambda s, day: s.first_name,
    "last_name": lambda s, day: s.last_name,
    "grade": lambda s, day: s.grade or NOT_HELD,
    "age": lambda s, day: s.age_on(day),
    "enrolled_on": lambda s, day: s.enrolled_on.isoformat() if s.enrolled_on else NOT_HELD,
    "enrollment_ends_on": lambda s, day: (
        s.enrollment_ends_on.isoformat() if s.enrollment_ends_on else NOT_HELD
    ),
    "home_address": lambda s, day: _home_address(s),
    "home_phone": lambda s, day: _home_phone(s),
    "guardian_names": lambda s, day: [f"{g.first_name} {g.last_name}" for g in _custodial_guardians(s)],
    "guardian_relationships": lambda s, day: [
        f"{rel.guardian.first_name} {rel.guardian.last_name}: {rel.get_relationship_display()}"
        for rel in s.guardian_relationships.select_related("guardian")
    ],
    "guardian_email": lambda s, day: [g.email for g in _custodial_guardians(s) if g.email],
    "guardian_phone": lambda s, day: [g.phone for g in _custodial_guardians(s) if g.phone],
    "school": lambda s, day: s.school.name if s.school else NOT_HELD,
    "school_address": lambda s, day: (s.school.address or NOT_HELD) if s.school else NOT_HELD,
}


# Fields whose records Bright Line itself keeps: the incidents recorded on each side of the bright line.
INCIDENT_FIELDS = frozenset({("discipline", "incidents"), ("law_enforcement_unit", "incident_reports")})


def field_value(
    student: Student,
    category: str,
    field_name: str,
    day: dt.date,
    extracts: dict[tuple[str, str], Any] | None = None,
) -> Any:
    """One field's value: from the roster, else from the latest extract the records office attached."""
    if field_name in ROSTER_FIELDS:
        return ROSTER_FIELDS[field_name](student, day)
    if (category, field_name) in INCIDENT_FIELDS:
        from brightline.incidents.selectors import incident_summaries

        recorded = incident_summaries(student=student, category=category)
        if recorded:
            return recorded
    if extracts is None:
        extracts = latest_extracts(student)
    return extracts.get((category, field_name), NOT_HELD)


def latest_extracts(student: Student) -> dict[tuple[str, str], Any]:
    from brightline.disclosures.models import RecordExtract

    latest: dict[tuple[str, str], Any] = {}
    for category, field_name, value in (
        RecordExtract.objects.filter(student=student)
        .order_by("entered_at", "pk")
        .values_list("category", "field_name", "value")
    ):
        latest[(category, field_name)] = value
    return latest


LAW_ENFORCEMENT_TERMS = (
    "The recipient may not enter these records, or anything derived from them, into the regional "
    "intelligence center or any gang database, may not use them for civil immigration enforcement, "
    "and may not pass them to any party that would."
)


def redisclosure_notice_for(*, request: Request, items: list[Item]) -> str:
    """The notice under 34 CFR 99.33 that travels with the records, with the bright-line terms
    for law enforcement whatever the legal process."""
    parts = []
    if any(item.has_obligation("redisclosure_notice") for item in items):
        parts.append(
            "These records are disclosed under the Family Educational Rights and Privacy Act. Under "
            "34 CFR 99.33 the recipient may use them only for the purpose for which they were disclosed and "
            "may not disclose them to any other party without the prior written consent of the parent or "
            "eligible student, except as the regulations allow."
        )
    if request.requester_kind in LAW_ENFORCEMENT:
        parts.append(LAW_ENFORCEMENT_TERMS)
    return "\n\n".join(parts)


def build_packet_content(*, request: Request, items: list[Item], released_at: dt.datetime) -> dict[str, Any]:
    day = timezone.localdate(released_at)
    students: dict[int, dict[str, Any]] = {}
    for item in items:
        rs = item.request_student
        student = rs.student
        assert student is not None
        entry = students.setdefault(
            rs.pk, {"student_id": student.sis_id, "position": rs.position, "categories": []}
        )
        allowed = set(inventory_fields(item.category))
        fields = {
            name: field_value(student, item.category, name, day)
            for name in item.approved_fields
            if name in allowed
        }
        entry["categories"].append({"category": item.category, "rules": item.rules, "fields": fields})
    return {
        "district": settings.DISTRICT_NAME,
        "request": {
            "id": str(request.pk),
            "reference": request.reference,
            "received_at": request.received_at.isoformat(),
        },
        "recipient": {
            "name": request.requester_name,
            "position": request.requester_position,
            "agency": request.agency_name,
        },
        "released_at": released_at.isoformat(),
        "students": [
            {key: value for key, value in entry.items() if key != "extracts"}
            for entry in sorted(students.values(), key=lambda entry: entry["position"])
        ],
    }


@lru_cache(maxsize=1)
def _weasyprint() -> Any:
    import weasyprint

    return weasyprint


def render_packet_pdf(packet: Any) -> bytes:
    html = render_to_string("disclosures/packet.html", {"packet": packet, "content": packet.content})
    return bytes(_weasyprint().HTML(string=html).write_pdf())
