"""What goes into a release packet: only the approved fields of the cleared items, stamped and hashed.

A field's value comes from the roster where Bright Line holds it (names, grade, school, guardians'
contacts); every other field comes from an extract the records office attached from the district's
other systems. A field outside the district's data inventory is never released.

What a requester learns is what was released, nothing more (CONTRACTS.md): a packet names each student
as the requester named them, so it carries the district's student id only where the requester sent it;
it holds no match state, no roster flag and no rule that would betray one (rule R3 means foster care);
and it holds nothing about any other student.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from brightline.casework.models import Item, Request
from brightline.formats.local import local_date
from brightline.incidents.models import IncidentStudent, StudentRole
from brightline.roster.models import Student
from brightline.roster.selectors import inventory_by_category, inventory_fields
from brightline.vocabulary import LAW_ENFORCEMENT

NOT_HELD = None

# Roster facts that steer the policy and never leave, whatever a district's inventory says: a field of
# one of these names is dropped from a packet even if an administrator added it to a category.
NEVER_RELEASED = frozenset(
    {
        "sis_id",
        "student_id",
        "sourced_id",
        "directory_opt_out",
        "foster_care",
        "missing_child_flag",
        "adjudicated",
        "status",
    }
)


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
        recorded = incident_records(student=student, category=category)
        if recorded:
            return recorded
    if extracts is None:
        extracts = latest_extracts(student)
    return extracts.get((category, field_name), NOT_HELD)


# An incident's account (its summary and what happened) is free text a person wrote: it can name or quote
# any child, linked to the incident or not, by a name no list catches (a nickname, "the O'Brien girl").
# A packet must hold nothing about any other student, so the account is never released on its own: the
# date, what kind of conduct it was and the student's own part in it are. A version reviewed by a person
# can be given on request.
TEXT_WITHHELD = (
    "[withheld: an incident's account is released only as a version reviewed by a person, on request "
    "to the records office]"
)


def incident_records(*, student: Student, category: str) -> list[dict[str, Any]]:
    """The incidents of this record category (discipline, or the school police unit's records) that are
    this student's record: those in which the student took part in the conduct. An incident in which the
    student was only harmed or a witness is the record of the students who did it and is left out. Nothing
    is listed across the bright line. The summary and the account of what happened are withheld
    (`TEXT_WITHHELD`): free text may be about any child."""
    rows = list(
        IncidentStudent.objects.filter(
            student=student, role=StudentRole.RESPONSIBLE, incident__record_category=category
        )
        .select_related("incident")
        .order_by("incident__occurred_on", "incident_id")
    )
    records = []
    for row in rows:
        incident = row.incident
        records.append(
            {
                "date": incident.occurred_on.isoformat(),
                "conduct": list(incident.conduct),
                "summary": TEXT_WITHHELD,
                "what_happened": TEXT_WITHHELD,
                "involvement": row.get_role_display(),
            }
        )
    return records


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


def named_as_sent(named: dict[str, Any]) -> dict[str, str]:
    """A student as the requester named them, and only so: `{"student_id"}` when they sent the
    district's id, else `{"first_name", "last_name", "birth_date"}` as they typed them."""
    if named.get("student_id"):
        return {"student_id": str(named["student_id"])}
    return {key: str(named.get(key) or "") for key in ("first_name", "last_name", "birth_date")}


def build_packet_content(*, request: Request, items: list[Item], released_at: dt.datetime) -> dict[str, Any]:
    """The packet of these cleared items. Each student is `{"named", "position", "categories"}`:
    `named` is the student as the request named them (`named_as_sent`), `position` their place in the
    request, and each category holds only the approved inventory fields. No rule ids: a rule can say
    what the roster holds (R3 applies only to a student in foster care)."""
    day = timezone.localdate(released_at)
    # The inventory as it stands now, read once per category: a field an administrator removed is gone.
    inventory = {
        category: set(inventory_fields(category)) - NEVER_RELEASED
        for category in {item.category for item in items}
    }
    students: dict[int, dict[str, Any]] = {}
    for item in items:
        rs = item.request_student
        student = rs.student
        assert student is not None
        entry = students.setdefault(
            rs.pk, {"named": named_as_sent(rs.named), "position": rs.position, "categories": []}
        )
        allowed = inventory[item.category]
        fields = {
            name: field_value(student, item.category, name, day)
            for name in item.approved_fields
            if name in allowed
        }
        entry["categories"].append({"category": item.category, "fields": fields})
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
        "students": sorted(students.values(), key=lambda entry: entry["position"]),
    }


@lru_cache(maxsize=1)
def _weasyprint() -> Any:
    import weasyprint

    return weasyprint


# Keys of a field's value that is a record (an incident), in words.
RECORD_KEYS = {
    "date": "Date",
    "conduct": "Kind of conduct",
    "summary": "Summary",
    "what_happened": "What happened",
    "involvement": "The student's part",
}


def _words(name: str) -> str:
    return RECORD_KEYS.get(name) or name.replace("_", " ").capitalize()


def _printed_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    text = str(value)
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return local_date(dt.date.fromisoformat(text))
        except ValueError:
            return text
    return text


def _printed(value: Any, *, key: str = "") -> list[str]:
    """A field's value as lines of the printed packet, in words; no lines when no record is held."""
    from brightline.incidents.classification import CONDUCT

    if value is NOT_HELD:
        return []
    if isinstance(value, dict):
        parts = []
        for inner_key, inner in value.items():
            lines = _printed(inner, key=inner_key)
            if lines:
                parts.append(f"{_words(inner_key)}: {', '.join(lines)}")
        return ["; ".join(parts)]
    if isinstance(value, list):
        return [line for inner in value for line in _printed(inner, key=key)]
    if key == "conduct":
        return [CONDUCT.get(str(value), _printed_scalar(value))]
    return [_printed_scalar(value)]


def _local(iso: str) -> dt.datetime:
    """A stored time in the district's zone (the template prints it with the zone's abbreviation)."""
    return timezone.localtime(dt.datetime.fromisoformat(iso))


def packet_html(packet: Any) -> str:
    """The printable packet as HTML: exactly the stored JSON content, in words. Each field is labelled
    as the district's data inventory names it; categories and legal process by their labels; times in
    the district's zone. The request's database id is left out: the reference is what a person files
    under. The purpose is not repeated: the packet never says why it was released (a foster-care
    purpose released at once would say what the roster holds)."""
    from brightline.vocabulary import label_en

    content = packet.content
    request = packet.request
    categories = {
        category["category"] for student in content["students"] for category in student["categories"]
    }
    inventory = {
        (data_field.category, data_field.field_name): data_field.label
        for fields in inventory_by_category(categories).values()
        for data_field in fields
    }
    students = [
        {
            "position": student["position"] + 1,
            "named": student["named"],
            "born": _printed_scalar(student["named"].get("birth_date") or ""),
            "categories": [
                {
                    "label": label_en("category", category["category"]),
                    "fields": [
                        (
                            inventory.get((category["category"], name)) or _words(name),
                            _printed(value, key=name),
                        )
                        for name, value in category["fields"].items()
                    ],
                }
                for category in student["categories"]
            ],
        }
        for student in content["students"]
    ]
    with translation.override("en"):
        return render_to_string(
            "disclosures/packet.html",
            {
                "packet": packet,
                "content": content,
                "students": students,
                "received_at": _local(content["request"]["received_at"]),
                "released_at": _local(content["released_at"]),
                "legal_process": label_en("legal_process", request.legal_process_kind),
                "requester_kind": label_en("requester_kind", request.requester_kind),
                "policy_version": request.policy_version,
                "notice_paragraphs": [part for part in packet.redisclosure_notice.split("\n\n") if part],
            },
        )


def render_packet_pdf(packet: Any) -> bytes:
    """The printable packet, a tagged PDF (PDF/UA-1) a screen reader can read."""
    return bytes(_weasyprint().HTML(string=packet_html(packet)).write_pdf(pdf_variant="pdf/ua-1"))
