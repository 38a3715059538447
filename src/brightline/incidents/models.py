"""School incident reports, the students involved, how the district's criteria sorted each one, and
every later reclassification.

An incident is either part of the students' school discipline record (`discipline`) or a report made
and kept by the school police unit for a law-enforcement purpose (`law_enforcement_unit`, FERPA 99.8).
Who made a report is the unit of the person who wrote it (`reporting_unit`), read from their assignment at
the school (`StaffSchool.unit`), never chosen on the report. The classification history is appended, never
edited: the incident's `record_category` is the latest entry's category, copied for listing.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from brightline.accounts.models import Role


class RecordCategory(models.TextChoices):
    DISCIPLINE = "discipline", "School discipline (an education record)"
    LAW_ENFORCEMENT_UNIT = "law_enforcement_unit", "Law-enforcement record (school police unit)"


class ReportingUnit(models.TextChoices):
    """Who made a report (the ids of classification.UNITS)."""

    SCHOOL_STAFF = "school_staff", "School staff"
    SCHOOL_POLICE = "school_police", "School police unit"


class RecordPurpose(models.TextChoices):
    """What a report was made for (the ids of classification.PURPOSES)."""

    SCHOOL_DISCIPLINE = "school_discipline", "The school's discipline process"
    LAW_ENFORCEMENT = "law_enforcement", "A law-enforcement purpose"


class StudentRole(models.TextChoices):
    RESPONSIBLE = "responsible", "Took part in the conduct"
    AFFECTED = "affected", "Was harmed or targeted"
    WITNESS = "witness", "Saw what happened"


class StaffSchool(models.Model):
    """The school a principal or staff member works at, and the unit they work for there: a principal
    sees that school's incidents; a member of the school police unit makes that unit's reports."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="incident_schools"
    )
    school = models.ForeignKey("roster.School", on_delete=models.CASCADE, related_name="+")
    unit = models.CharField(
        max_length=20,
        choices=ReportingUnit.choices,
        default=ReportingUnit.SCHOOL_STAFF,
        help_text="The school police unit only for its officers (school staff accounts); principals, "
        "teachers and administrators are school staff.",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "school"], name="staff_school_unique")]

    def __str__(self) -> str:
        return f"{self.user} at {self.school} ({self.get_unit_display().lower()})"

    def clean(self) -> None:
        problem = unit_problem(self.user.role if self.user_id else "", self.unit)
        if problem:
            raise ValidationError({"unit": problem})


def unit_problem(role: str, unit: str) -> str:
    """Why a person with this role cannot work for this unit ("" when they can). The school police unit's
    officers sign in with school staff accounts; a principal or an administrator is never the unit."""
    if unit not in ReportingUnit.values:
        return f"one of {', '.join(ReportingUnit.values)}"
    if unit == ReportingUnit.SCHOOL_POLICE and role != Role.SCHOOL_STAFF:
        return "only a school staff account (an officer of the unit) works for the school police unit"
    return ""


class Incident(models.Model):
    """One incident as the person recording it described it."""

    school = models.ForeignKey("roster.School", on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField()
    summary = models.CharField(max_length=200)
    description = models.TextField(help_text="What happened, in plain words.")
    conduct = models.JSONField(default=list, help_text="Kinds of conduct (incidents/classification.py).")
    felony = models.BooleanField(default=False, help_text="The person recording reports a felony.")
    # Who made the report: the author's unit at the school when they recorded it (StaffSchool.unit).
    reporting_unit = models.CharField(max_length=20, choices=ReportingUnit.choices)
    purpose = models.CharField(
        max_length=20,
        choices=RecordPurpose.choices,
        default=RecordPurpose.SCHOOL_DISCIPLINE,
        help_text="What the author made the report for.",
    )
    record_category = models.CharField(max_length=32, choices=RecordCategory.choices, db_index=True)
    # Phrases the screening found and the person recording confirmed (field, phrase, subject).
    screening_matches = models.JSONField(default=list)
    screening_confirmed = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Copied so the report still names its author if the account is removed.
    recorded_by_name = models.CharField(max_length=200)
    recorded_by_position = models.CharField(max_length=120, blank=True)
    recorded_by_role = models.CharField(max_length=32, blank=True)
    recorded_at = models.DateTimeField(db_index=True)
    ledger_index = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_on", "-recorded_at", "-id"]
        indexes = [models.Index(fields=["school", "occurred_on"], name="incident_school_date_idx")]

    def __str__(self) -> str:
        return f"incident {self.pk} at {self.school_id} on {self.occurred_on}"

    @property
    def is_law_enforcement(self) -> bool:
        return self.record_category == RecordCategory.LAW_ENFORCEMENT_UNIT

    @property
    def made_by_school_police(self) -> bool:
        return self.reporting_unit == ReportingUnit.SCHOOL_POLICE


class IncidentStudent(models.Model):
    """A student involved in an incident and how."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="students")
    student = models.ForeignKey("roster.Student", null=True, on_delete=models.SET_NULL, related_name="+")
    student_sis_id = models.CharField(max_length=255, db_index=True)
    role = models.CharField(max_length=16, choices=StudentRole.choices)
    possessed_weapon = models.BooleanField(
        default=False, help_text="The student possessed or used a dangerous weapon (M.G.L. c.71 s.37L)."
    )

    class Meta:
        ordering = ["incident", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "student_sis_id"], name="incident_student_unique")
        ]

    def __str__(self) -> str:
        return f"{self.student_sis_id} in incident {self.incident_id}"


class ClassificationSource(models.TextChoices):
    POLICY = "policy", "The district's criteria"
    ADMINISTRATOR = "administrator", "An administrator"


class IncidentClassification(models.Model):
    """One classification of an incident: the policy's on recording, then each reclassification."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="classifications")
    record_category = models.CharField(max_length=32, choices=RecordCategory.choices)
    source = models.CharField(max_length=16, choices=ClassificationSource.choices)
    criteria = models.JSONField(default=list, help_text="Ids of the policy criteria that decided.")
    explanation = models.TextField()
    reason = models.TextField(blank=True, help_text="The administrator's written reason.")
    policy_sha256 = models.CharField(max_length=64, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_name = models.CharField(max_length=200, blank=True)
    decided_by_role = models.CharField(max_length=32, blank=True)
    decided_at = models.DateTimeField()
    ledger_index = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["incident", "decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.record_category} ({self.source})"


def attachment_upload_path(instance: IncidentAttachment, filename: str) -> str:
    # The stored name is random; the original name is kept in the row, never used as a path.
    return f"incidents/{instance.incident_id}/{uuid.uuid4().hex}.pdf"


class IncidentAttachment(models.Model):
    """A PDF attached to an incident report, checked by content and screened by its text."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_upload_path)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    screening_note = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["incident", "uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.incident_id})"


class WeaponRouting(models.Model):
    """One copy of a weapon report filed with one recipient (M.G.L. c.71 s.37L), and the entry it wrote
    in the student's record of disclosures."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="routings")
    incident_student = models.ForeignKey(IncidentStudent, on_delete=models.CASCADE, related_name="routings")
    recipient = models.CharField(max_length=40)
    disclosure_entry = models.ForeignKey(
        "disclosures.DisclosureEntry", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    routed_at = models.DateTimeField()

    class Meta:
        ordering = ["incident", "incident_student", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident_student", "recipient"], name="weapon_routing_once_per_recipient"
            )
        ]

    def __str__(self) -> str:
        return f"weapon report {self.incident_id} to {self.recipient}"
