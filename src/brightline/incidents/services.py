"""Writes for incidents: recording one (screened, classified by the district's criteria, weapon reports
routed), attaching a PDF, an administrator's reclassification, and placing staff at a school in their
unit. Each is one transaction and appends its ledger entries in it."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from brightline.accounts.models import User
from brightline.accounts.uploads import PDF_MAGIC
from brightline.errors import InvalidInput, NotAllowed
from brightline.incidents import followers
from brightline.incidents.classification import CONDUCT, IncidentFacts, classification_policy
from brightline.incidents.models import (
    ClassificationSource,
    Incident,
    IncidentAttachment,
    IncidentClassification,
    IncidentStudent,
    RecordCategory,
    RecordPurpose,
    ReportingUnit,
    StaffSchool,
    StudentRole,
    WeaponRouting,
    unit_problem,
)
from brightline.incidents.screening import ScreeningMatch, pdf_text, screen_text
from brightline.incidents.selectors import (
    RECLASSIFIER_ROLES,
    RECORDER_ROLES,
    may_reclassify,
    schools_for,
    unit_at,
)
from brightline.ledger.services import ledger_append
from brightline.roster.models import School, Student
from brightline.training.selectors import require_trained

SUMMARY_MAX = 200


@dataclass(frozen=True)
class InvolvedStudent:
    """A student named on an incident report: by student ID, with how they were involved."""

    student_id: str
    role: str
    possessed_weapon: bool = False


@dataclass(frozen=True)
class Recipient:
    name: str
    position: str
    affiliation: str
    kind: str


def weapon_report_recipients() -> dict[str, Recipient]:
    """Who receives a copy of a weapon report (M.G.L. c.71 s.37L), by the policy's recipient ids."""
    district = settings.DISTRICT_NAME
    return {
        "police_chief": Recipient(
            "Chief of Police", "Chief of Police", "Local police department", "municipal_police"
        ),
        "child_protective_services": Recipient(
            "Department of Children and Families",
            "Area office",
            "Department of Children and Families",
            "child_protective_services",
        ),
        "student_services": Recipient("Office of Student Services", "", district, "school_official"),
        "school_committee": Recipient("School Committee", "", district, "school_official"),
    }


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def _facts(incident: Incident) -> IncidentFacts:
    """What the classification policy reads of a stored incident."""
    return IncidentFacts(
        made_by=incident.reporting_unit,
        purpose=incident.purpose,
        conduct=frozenset(incident.conduct),
        felony=incident.felony,
    )


def _read_upload(upload: Any, field: str, errors: list[tuple[str, str]]) -> bytes | None:
    """The bytes of a PDF upload, checked like casework documents: by content, never by name."""
    size = int(getattr(upload, "size", 0) or 0)
    if size == 0:
        errors.append((field, "the file is empty"))
        return None
    if size > settings.UPLOAD_MAX_BYTES:
        errors.append((field, f"larger than the {settings.UPLOAD_MAX_BYTES // (1024 * 1024)} MB limit"))
        return None
    upload.seek(0)
    data = bytes(upload.read())
    upload.seek(0)
    if not data.startswith(PDF_MAGIC):
        errors.append((field, "attachments are PDF documents only"))
        return None
    return data


def _screen(
    texts: Sequence[tuple[str, str]], confirmed: bool, errors: list[tuple[str, str]]
) -> list[ScreeningMatch]:
    matches = [match for field, text in texts for match in screen_text(field, text)]
    if matches and not confirmed:
        errors.extend((match.field, match.message()) for match in matches)
    return matches


def _store_attachment(
    *, incident: Incident, upload: Any, data: bytes, note: str, uploaded_by: User, now: dt.datetime
) -> IncidentAttachment:
    attachment = IncidentAttachment(
        incident=incident,
        original_name=(getattr(upload, "name", "") or "attachment.pdf")[-255:],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        screening_note=note[:200],
        uploaded_by=uploaded_by,
        uploaded_at=now,
    )
    attachment.file.save("attachment.pdf", upload, save=False)
    attachment.save()
    ledger_append(
        event_type="incident.attachment_added",
        subject={"incident": incident.pk, "attachment": attachment.pk},
        record={
            "attachment": attachment.pk,
            "sha256": attachment.sha256,
            "size": attachment.size,
            "screening": note,
        },
    )
    return attachment


@transaction.atomic
def incident_record(
    *,
    recorded_by: User,
    school: School | None,
    occurred_on: dt.date | None,
    summary: str,
    description: str,
    conduct: Sequence[str],
    felony: bool,
    students: Sequence[InvolvedStudent],
    purpose: str = RecordPurpose.SCHOOL_DISCIPLINE,
    reporting_unit: str | None = None,
    attachments: Sequence[Any] = (),
    confirmed_screening: bool = False,
) -> Incident:
    """Record an incident and sort it by the district's criteria (classification.cedar).

    Who made the report is the recorder's unit at the school (`unit_at`: the school police unit only for
    an officer an administrator assigned to it), never what the report says: a `reporting_unit` sent
    with the report must be that unit. `purpose` is what the author made the report for. A report made by
    school staff is school discipline, an education record, whatever its conduct or purpose.

    The text and the attachments are screened for immigration status, place of birth, ethnicity and gang
    affiliation; a match is refused (InvalidInput naming the field and the phrase) unless the person
    recording confirms with `confirmed_screening`. A student reported with a dangerous weapon has the
    report routed to each recipient of M.G.L. c.71 s.37L, each routing an entry in their record of
    disclosures.
    """
    if recorded_by.role not in RECORDER_ROLES:
        raise NotAllowed("school staff, principals and administrators record incidents")
    require_trained(recorded_by, acting="recording an incident")
    errors: list[tuple[str, str]] = []
    if school is None:
        errors.append(("school", "required"))
    elif not schools_for(recorded_by).filter(pk=school.pk).exists():
        errors.append(("school", "you record incidents only at the school you are assigned to"))
    today = timezone.localdate()
    if occurred_on is None:
        errors.append(("occurred_on", "required"))
    elif occurred_on > today:
        errors.append(("occurred_on", "cannot be in the future"))
    if not summary.strip():
        errors.append(("summary", "required"))
    elif len(summary.strip()) > SUMMARY_MAX:
        errors.append(("summary", f"at most {SUMMARY_MAX} characters"))
    if not description.strip():
        errors.append(("description", "say what happened"))
    unknown = [name for name in conduct if name not in CONDUCT]
    if not conduct:
        errors.append(("conduct", "choose at least one kind of conduct"))
    elif unknown:
        errors.append(("conduct", f"unknown conduct: {', '.join(map(str, unknown))}"))
    if purpose not in RecordPurpose.values:
        errors.append(("purpose", f"one of {', '.join(RecordPurpose.values)}"))
    made_by = unit_at(recorded_by, school) if school is not None else ReportingUnit.SCHOOL_STAFF
    if reporting_unit is not None and reporting_unit not in ReportingUnit.values:
        errors.append(("reporting_unit", f"one of {', '.join(ReportingUnit.values)}"))
    elif reporting_unit is not None and school is not None and reporting_unit != made_by:
        errors.append(
            (
                "reporting_unit",
                f"you report for the {ReportingUnit(made_by).label.lower()} at this school; who made a "
                "report is your assignment there, set by an administrator",
            )
        )

    found: dict[str, Student] = {}
    if not students:
        errors.append(("students", "name at least one student"))
    ids = [s.student_id.strip() for s in students]
    for student in Student.objects.filter(sis_id__in=ids):
        found[student.sis_id] = student
    seen: set[str] = set()
    for index, involved in enumerate(students):
        sis_id = involved.student_id.strip()
        where = f"students.{index}"
        if not sis_id:
            errors.append((f"{where}.student_id", "required"))
        elif sis_id not in found:
            errors.append((f"{where}.student_id", "no student has this ID"))
        elif sis_id in seen:
            errors.append((f"{where}.student_id", "this student is named twice"))
        seen.add(sis_id)
        if involved.role not in StudentRole.values:
            errors.append((f"{where}.role", f"one of {', '.join(StudentRole.values)}"))
        if involved.possessed_weapon and "weapon" not in conduct:
            errors.append(
                (f"{where}.possessed_weapon", "tick the weapon conduct when a student had a weapon")
            )
    if "weapon" in conduct and not any(s.possessed_weapon for s in students):
        errors.append(
            (
                "students",
                "mark the student who had the weapon: the report goes to those named in M.G.L. c.71 s.37L",
            )
        )

    uploads: list[tuple[Any, bytes, str]] = []
    texts: list[tuple[str, str]] = [("summary", summary), ("description", description)]
    for index, upload in enumerate(attachments):
        data = _read_upload(upload, f"attachments.{index}", errors)
        if data is None:
            continue
        text, note = pdf_text(data)
        if text:
            texts.append((f"attachments.{index}", text))
        uploads.append((upload, data, note))
    matches = _screen(texts, confirmed_screening, errors)
    if errors:
        raise InvalidInput(errors)
    assert school is not None and occurred_on is not None

    now = timezone.now()
    facts = IncidentFacts(made_by=made_by, purpose=purpose, conduct=frozenset(conduct), felony=felony)
    decided = classification_policy().classify(facts)
    incident = Incident.objects.create(
        school=school,
        occurred_on=occurred_on,
        summary=summary.strip(),
        description=description.strip(),
        conduct=sorted(set(conduct)),
        felony=felony,
        reporting_unit=made_by,
        purpose=purpose,
        record_category=decided.category,
        screening_matches=[match.to_json() for match in matches],
        screening_confirmed=bool(matches) and confirmed_screening,
        recorded_by=recorded_by,
        recorded_by_name=_name(recorded_by),
        recorded_by_position=recorded_by.position,
        recorded_by_role=recorded_by.role,
        recorded_at=now,
    )
    involved_rows = [
        IncidentStudent.objects.create(
            incident=incident,
            student=found[s.student_id.strip()],
            student_sis_id=s.student_id.strip(),
            role=s.role,
            possessed_weapon=s.possessed_weapon,
        )
        for s in students
    ]
    entry = ledger_append(
        event_type="incident.recorded",
        subject={"incident": incident.pk, "school": school.pk},
        record={
            "incident": incident.pk,
            "school": school.pk,
            "occurred_on": occurred_on.isoformat(),
            "conduct": incident.conduct,
            "felony": felony,
            "reporting_unit": made_by,
            "purpose": purpose,
            "students": [[row.student_id, row.role, row.possessed_weapon] for row in involved_rows],
            "summary_sha256": _sha256(incident.summary),
            "description_sha256": _sha256(incident.description),
            "screening_confirmed": [match.to_json() for match in matches],
            "recorded_by": recorded_by.pk,
            "recorded_by_role": recorded_by.role,
        },
    )
    Incident.objects.filter(pk=incident.pk).update(ledger_index=entry.index)
    incident.ledger_index = entry.index
    _append_classification(
        incident=incident,
        category=decided.category,
        source=ClassificationSource.POLICY,
        criteria=list(decided.criteria),
        explanation=decided.explanation,
        reason="",
        policy_sha256=decided.policy_sha256,
        decided_by=recorded_by,
        now=now,
    )
    for upload, data, note in uploads:
        _store_attachment(
            incident=incident, upload=upload, data=data, note=note, uploaded_by=recorded_by, now=now
        )
    _route_weapon_reports(incident=incident, rows=involved_rows, recorded_by=recorded_by, now=now)
    return incident


def _append_classification(
    *,
    incident: Incident,
    category: str,
    source: str,
    criteria: list[str],
    explanation: str,
    reason: str,
    policy_sha256: str,
    decided_by: User,
    now: dt.datetime,
) -> IncidentClassification:
    row = IncidentClassification.objects.create(
        incident=incident,
        record_category=category,
        source=source,
        criteria=criteria,
        explanation=explanation,
        reason=reason,
        policy_sha256=policy_sha256,
        decided_by=decided_by,
        decided_by_name=_name(decided_by),
        decided_by_role=decided_by.role,
        decided_at=now,
    )
    event = "incident.classified" if source == ClassificationSource.POLICY else "incident.reclassified"
    entry = ledger_append(
        event_type=event,
        subject={"incident": incident.pk, "classification": row.pk},
        record={
            "incident": incident.pk,
            "record_category": category,
            "source": source,
            "criteria": criteria,
            "explanation": explanation,
            "reason": reason,
            "policy_sha256": policy_sha256,
            "decided_by": decided_by.pk,
            "decided_at": now.isoformat(),
        },
    )
    IncidentClassification.objects.filter(pk=row.pk).update(ledger_index=entry.index)
    row.ledger_index = entry.index
    return row


def _route_weapon_reports(
    *, incident: Incident, rows: list[IncidentStudent], recorded_by: User, now: dt.datetime
) -> list[WeaponRouting]:
    """File a copy of the weapon report with each recipient the policy names, for each student reported
    with a weapon, and write each copy in the student's record of disclosures."""
    policy = classification_policy()
    facts = _facts(incident)
    recipients = weapon_report_recipients()
    routed: list[WeaponRouting] = []
    for row in rows:
        decision = policy.weapon_routing(facts, possessed_weapon=row.possessed_weapon)
        if row.student is None:
            continue
        for recipient_id in decision.recipients:
            recipient = recipients[recipient_id]
            entry = followers.records().routed(
                student=row.student,
                recipient_name=recipient.name,
                recipient_position=recipient.position,
                recipient_affiliation=recipient.affiliation,
                recipient_kind=recipient.kind,
                categories=[incident.record_category],
                basis=f"M.G.L. c.71 s.37L weapon report: {decision.explanation}",
                details=f"Weapon report of the incident of {incident.occurred_on.isoformat()} at "
                f"{incident.school.name}: {incident.summary}",
                recorded_by=recorded_by,
                occurred_at=now,
            )
            routing = WeaponRouting.objects.create(
                incident=incident,
                incident_student=row,
                recipient=recipient_id,
                disclosure_entry=entry,
                routed_at=now,
            )
            ledger_append(
                event_type="incident.weapon_report_routed",
                subject={"incident": incident.pk, "routing": routing.pk, "disclosure_entry": entry.pk},
                record={
                    "incident": incident.pk,
                    "student": row.student_id,
                    "recipient": recipient_id,
                    "criterion": decision.criterion,
                    "disclosure_entry": entry.pk,
                },
            )
            routed.append(routing)
    return routed


@transaction.atomic
def incident_attach(
    *, incident_id: int, upload: Any, uploaded_by: User, confirmed_screening: bool = False
) -> IncidentAttachment:
    """Attach a PDF to an incident already recorded; its text is screened like the report's."""
    from brightline.incidents.selectors import incident_get

    require_trained(uploaded_by, acting="attaching a file to an incident")
    incident = incident_get(user=uploaded_by, incident_id=incident_id)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    errors: list[tuple[str, str]] = []
    data = _read_upload(upload, "file", errors)
    note = ""
    if data is not None:
        text, note = pdf_text(data)
        _screen([("file", text or "")], confirmed_screening, errors)
    if errors:
        raise InvalidInput(errors)
    assert data is not None
    return _store_attachment(
        incident=incident, upload=upload, data=data, note=note, uploaded_by=uploaded_by, now=timezone.now()
    )


@transaction.atomic
def incident_reclassify(
    *, incident_id: int, decided_by: User, record_category: str, reason: str
) -> IncidentClassification:
    """An administrator (or the school's principal) moves an incident to the other record category with a
    written reason. The policy's classification and every earlier one stay on file. Only a report the
    school police unit made can become a law-enforcement record (FERPA 99.8): school staff's reports are
    education records, whoever reclassifies them."""
    from brightline.incidents.selectors import incident_get

    if decided_by.role not in RECLASSIFIER_ROLES:
        raise NotAllowed("only an administrator or the school's principal reclassifies an incident")
    require_trained(decided_by, acting="reclassifying an incident")
    incident = incident_get(user=decided_by, incident_id=incident_id)
    incident = Incident.objects.select_for_update(of=("self",)).select_related("school").get(pk=incident.pk)
    if not may_reclassify(decided_by, incident):
        raise NotAllowed("only an administrator or the school's principal reclassifies an incident")
    errors: list[tuple[str, str]] = []
    if record_category not in RecordCategory.values:
        errors.append(("record_category", f"one of {', '.join(RecordCategory.values)}"))
    elif record_category == incident.record_category:
        errors.append(("record_category", "the incident is already classified this way"))
    elif record_category == RecordCategory.LAW_ENFORCEMENT_UNIT and not incident.made_by_school_police:
        errors.append(
            (
                "record_category",
                "school staff made this report, not the school police unit, so it is an education record "
                "and cannot be made a law-enforcement record (FERPA 99.8)",
            )
        )
    if len(reason.strip()) < 10:
        errors.append(("reason", "write the reason for the change (at least a sentence)"))
    if errors:
        raise InvalidInput(errors)
    label = RecordCategory(record_category).label
    row = _append_classification(
        incident=incident,
        category=record_category,
        source=ClassificationSource.ADMINISTRATOR,
        criteria=[],
        explanation=f"Reclassified as {label.lower()} by {_name(decided_by)}: {reason.strip()}",
        reason=reason.strip(),
        policy_sha256="",
        decided_by=decided_by,
        now=timezone.now(),
    )
    Incident.objects.filter(pk=incident.pk).update(record_category=record_category)
    return row


@transaction.atomic
def staff_school_assign(*, user: User, school: School, unit: str = ReportingUnit.SCHOOL_STAFF) -> StaffSchool:
    """Place a principal or staff member at a school, in their unit there: they then record and see that
    school's incidents, and an officer placed in the school police unit makes that unit's reports."""
    problem = unit_problem(user.role, unit)
    if problem:
        raise InvalidInput([("unit", problem)])
    assignment, _ = StaffSchool.objects.update_or_create(user=user, school=school, defaults={"unit": unit})
    return assignment
