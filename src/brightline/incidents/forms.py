"""Forms of the incident pages. They check the shape of what a person typed; the services decide the
rest. There is no field for immigration or citizenship status, place of birth, ethnicity or gang
affiliation, and a posted key naming one is refused with the reason."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from brightline.incidents.classification import CONDUCT
from brightline.incidents.models import RecordCategory, RecordPurpose, StudentRole
from brightline.incidents.screening import WHY, forbidden_key
from brightline.incidents.services import InvolvedStudent
from brightline.roster.models import School
from brightline.ui import DateInput

STUDENT_ROWS = 3
ROLE_CHOICES = [("", "—"), *StudentRole.choices]


class IncidentForm(forms.Form):
    school = forms.ModelChoiceField(queryset=School.objects.none(), label="School", empty_label=None)
    occurred_on = forms.DateField(label="Date of the incident", widget=DateInput())
    summary = forms.CharField(
        label="Summary", max_length=200, help_text="One line, e.g. “Fight in the cafeteria”."
    )
    description = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        help_text="Describe the conduct. Never record a student's immigration or citizenship status, place "
        "of birth, ethnicity or suspected gang affiliation.",
    )
    conduct = forms.MultipleChoiceField(
        label="What kind of conduct was it?",
        choices=list(CONDUCT.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    felony = forms.BooleanField(label="I believe the conduct would be a felony", required=False)
    purpose = forms.ChoiceField(
        label="What is this report for?",
        choices=[
            (RecordPurpose.SCHOOL_DISCIPLINE, "The school's discipline process"),
            (
                RecordPurpose.LAW_ENFORCEMENT,
                "A law-enforcement purpose, such as investigating a possible crime",
            ),
        ],
        initial=RecordPurpose.SCHOOL_DISCIPLINE,
        widget=forms.RadioSelect,
        help_text="Only a report the school police unit makes for a law-enforcement purpose is kept apart "
        "from the students' education record. A report by a principal, a teacher or any other member of "
        "staff is part of the discipline record, even when it is made for the police or sent to them.",
    )
    attachment = forms.FileField(
        label="Attach a PDF",
        required=False,
        help_text="PDF only, such as a written statement. Its text is screened like the report's.",
    )

    def __init__(self, *args: Any, schools: QuerySet[School], screening: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
        for n in range(1, STUDENT_ROWS + 1):
            self.fields[f"student{n}_id"] = forms.CharField(
                label=f"Student {n}: student ID", max_length=64, required=n == 1
            )
            self.fields[f"student{n}_role"] = forms.ChoiceField(
                label=f"Student {n}: how involved", choices=ROLE_CHOICES, required=n == 1
            )
            self.fields[f"student{n}_weapon"] = forms.BooleanField(
                label=f"Student {n} possessed or used a dangerous weapon", required=False
            )
        if screening:
            # The confirmation step: shown only once the screening has found something.
            self.fields["confirmed_screening"] = forms.BooleanField(
                label="I confirm that this report records no student's immigration or citizenship status, "
                "place of birth, ethnicity or gang affiliation; the phrases found are there for another "
                "reason",
                required=False,
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        refused = sorted(key for key in self.data if forbidden_key(str(key)))
        for key in refused:
            self.add_error(None, f"The field {key!r} is refused: {WHY}.")
        return cleaned

    def students(self) -> list[InvolvedStudent]:
        rows: list[InvolvedStudent] = []
        for n in range(1, STUDENT_ROWS + 1):
            student_id = (self.cleaned_data.get(f"student{n}_id") or "").strip()
            role = self.cleaned_data.get(f"student{n}_role") or ""
            if student_id or role:
                rows.append(
                    InvolvedStudent(student_id, role, bool(self.cleaned_data.get(f"student{n}_weapon")))
                )
        return rows

    def attachments(self) -> list[Any]:
        upload = self.cleaned_data.get("attachment")
        return [upload] if upload else []


def incident_field_map() -> dict[str, str]:
    """Service field paths to this form's fields (`students.0.role` → `student1_role`)."""
    mapping = {"attachments.0": "attachment", "students": "student1_id"}
    for n in range(STUDENT_ROWS):
        for part, suffix in (("student_id", "id"), ("role", "role"), ("possessed_weapon", "weapon")):
            mapping[f"students.{n}.{part}"] = f"student{n + 1}_{suffix}"
    return mapping


class ReclassifyForm(forms.Form):
    record_category = forms.ChoiceField(
        label="Classify it as", choices=RecordCategory.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="Your reason",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text="Kept with the incident for good and written to the ledger.",
    )
