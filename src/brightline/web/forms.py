"""Forms of the pages. They check the shape of what a person typed; the services decide the rest and
their `brightline.errors` are put back next to the field they name (`add_service_errors`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings

from brightline.casework.documents import PDF_MAGIC
from brightline.casework.models import OFF_PORTAL_CHANNELS, Channel, DecisionAction, DocumentKind
from brightline.disclosures.models import EntryKind
from brightline.errors import ServiceError
from brightline.web import labels

STUDENT_ROWS = 3
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def local_datetime_field(label: str, *, required: bool, help_text: str = "") -> forms.DateTimeField:
    # Entered and shown in the district's zone (settings.TIME_ZONE); stored in UTC.
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=DateTimeLocalInput(),
    )


def add_service_errors(
    form: forms.Form, error: ServiceError, field_map: dict[str, str] | None = None
) -> None:
    """Put a service's error messages next to the form fields they name (field paths like
    `students.0.birth_date` or `emergency.ends_at`); anything else goes to the top of the form."""
    pairs = getattr(error, "errors", None) or [(error.field or "", error.message)]
    for path, message in pairs:
        target = _form_field_for(form, str(path), field_map or {})
        form.add_error(target, message)


def _form_field_for(form: forms.Form, path: str, field_map: dict[str, str]) -> str | None:
    candidates = [path, path.replace(".", "_")]
    parts = path.split(".")
    if len(parts) >= 3 and parts[0] == "students" and parts[1].isdigit():
        candidates.insert(0, f"student{int(parts[1]) + 1}_{parts[2]}")
    if len(parts) >= 2 and parts[0] == "students" and parts[1].isdigit():
        candidates.append(f"student{int(parts[1]) + 1}_student_id")
    candidates.append(parts[0])
    for candidate in candidates:
        mapped = field_map.get(candidate, candidate)
        if mapped in form.fields:
            return mapped
    return None


class RequestForm(forms.Form):
    """A request for student records, as the requester portal and the records office take it."""

    purpose = forms.ChoiceField(label="Why do you need the records?", choices=labels.PURPOSE_CHOICES)
    description = forms.CharField(
        label="Describe the request",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What happened, and why these records. Plain words are best.",
        max_length=5000,
    )
    categories = forms.MultipleChoiceField(
        label="Which records?",
        choices=labels.CATEGORY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    identified_by = forms.ChoiceField(
        label="How did you identify the student?", choices=labels.IDENTIFIED_BY_CHOICES
    )
    legal_process_kind = forms.ChoiceField(
        label="Legal process", choices=labels.LEGAL_PROCESS_CHOICES, initial="none"
    )
    nondisclosure_order = forms.BooleanField(
        label="The legal process comes with an order not to tell the family", required=False
    )
    emergency_threat = forms.CharField(
        label="Health or safety emergency: the threat",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Leave empty unless there is an emergency. State the threat to health or safety.",
        max_length=5000,
    )
    emergency_ends_at = local_datetime_field(
        "Emergency: until when",
        required=False,
        help_text="The emergency is treated as over after this time.",
    )
    certification_no_redisclosure = forms.BooleanField(
        label="We certify in writing that we will not redisclose the records (juvenile justice agencies)",
        required=False,
    )
    document = forms.FileField(
        label="Legal document (PDF)",
        required=False,
        help_text="A subpoena, court order, warrant, signed consent or statement of emergency.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    document_kind = forms.ChoiceField(
        label="What is the document?", choices=DocumentKind.choices, initial=DocumentKind.OTHER
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for row in range(1, STUDENT_ROWS + 1):
            self.fields[f"student{row}_student_id"] = forms.CharField(
                label="Student ID", required=False, max_length=64
            )
            self.fields[f"student{row}_first_name"] = forms.CharField(
                label="First name", required=False, max_length=150
            )
            self.fields[f"student{row}_last_name"] = forms.CharField(
                label="Last name", required=False, max_length=150
            )
            self.fields[f"student{row}_birth_date"] = forms.DateField(
                label="Date of birth", required=False, widget=DateInput()
            )

    def student_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "number": row,
                "fields": [
                    self[f"student{row}_{name}"]
                    for name in ("student_id", "first_name", "last_name", "birth_date")
                ],
            }
            for row in range(1, STUDENT_ROWS + 1)
        ]

    def clean_document(self) -> Any:
        upload = self.cleaned_data.get("document")
        if not upload:
            return upload
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {settings.UPLOAD_MAX_BYTES // (1024 * 1024)} MB."
            )
        upload.seek(0)
        if upload.read(len(PDF_MAGIC)) != PDF_MAGIC:
            raise forms.ValidationError("The file is not a PDF document.")
        upload.seek(0)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        students: list[dict[str, str]] = []
        for row in range(1, STUDENT_ROWS + 1):
            sis = (data.get(f"student{row}_student_id") or "").strip()
            first = (data.get(f"student{row}_first_name") or "").strip()
            last = (data.get(f"student{row}_last_name") or "").strip()
            birth = data.get(f"student{row}_birth_date")
            if sis:
                if first or last or birth:
                    self.add_error(
                        f"student{row}_student_id",
                        "Give either the student ID or the name and date of birth, not both.",
                    )
                students.append({"student_id": sis})
            elif first or last or birth:
                for name, value in (("first_name", first), ("last_name", last), ("birth_date", birth)):
                    if not value:
                        self.add_error(f"student{row}_{name}", "Needed when there is no student ID.")
                if first and last and birth:
                    students.append({"first_name": first, "last_name": last, "birth_date": birth.isoformat()})
        if not students and not self.errors:
            self.add_error("student1_student_id", "Name at least one student.")
        threat = (data.get("emergency_threat") or "").strip()
        if threat and not data.get("emergency_ends_at"):
            self.add_error("emergency_ends_at", "Say until when the emergency lasts.")
        data["students"] = students
        return data

    def request_document(self) -> dict[str, Any]:
        """The request object of DOMAIN.md's case document."""
        data = self.cleaned_data
        threat = (data.get("emergency_threat") or "").strip()
        ends_at: dt.datetime | None = data.get("emergency_ends_at")
        return {
            "purpose": data["purpose"],
            "description": data["description"].strip(),
            "categories": list(data["categories"]),
            "students": data["students"],
            "identified_by": data["identified_by"],
            "legal_process": {
                "kind": data["legal_process_kind"],
                "nondisclosure_order": bool(data.get("nondisclosure_order")),
            },
            "emergency": {"threat": threat, "ends_at": ends_at.isoformat()} if threat and ends_at else None,
            "consent": None,
            "certification_no_redisclosure": bool(data.get("certification_no_redisclosure")),
            "onward_recipients": [],
        }


class OffPortalRequestForm(RequestForm):
    """A request that reached the records office by fax, email, phone, mail or in person."""

    agency = forms.TypedChoiceField(label="Requesting agency", coerce=int, choices=())
    channel = forms.ChoiceField(
        label="How did it arrive?",
        choices=[(channel.value, channel.label) for channel in OFF_PORTAL_CHANNELS],
    )
    received_at = local_datetime_field("When did it arrive?", required=True)
    requester_name = forms.CharField(label="Name of the person asking", max_length=200)
    requester_position = forms.CharField(label="Their position", max_length=120, required=False)

    field_order = ["agency", "channel", "received_at", "requester_name", "requester_position"]

    def __init__(self, *args: Any, agencies: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "Choose the agency"), *agencies]  # type: ignore[attr-defined]

    def request_document(self) -> dict[str, Any]:
        document = super().request_document()
        document["requester"] = {
            "name": self.cleaned_data["requester_name"].strip(),
            "position": (self.cleaned_data.get("requester_position") or "").strip(),
        }
        return document


CHANNEL_LABELS = dict(Channel.choices)


class StudentSearchForm(forms.Form):
    """Search the roster for the student a requester meant."""

    student_id = forms.CharField(label="Student ID", required=False, max_length=64)
    first_name = forms.CharField(label="First name", required=False, max_length=150)
    last_name = forms.CharField(label="Last name", required=False, max_length=150)
    birth_date = forms.DateField(label="Date of birth", required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("student_id") or "").strip() and not (
            data.get("first_name") and data.get("last_name") and data.get("birth_date")
        ):
            raise forms.ValidationError(
                "Search by student ID, or by first name, last name and date of birth."
            )
        return data


class MatchForm(forms.Form):
    student = forms.IntegerField(label="This is the student", widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    """A reviewer's decision on one item."""

    action = forms.ChoiceField(
        label="Decision",
        choices=[
            (DecisionAction.APPROVE, "Approve: release every field of this category"),
            (DecisionAction.NARROW, "Approve narrowed: release only some fields"),
            (DecisionAction.DENY, "Deny"),
        ],
        widget=forms.RadioSelect,
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis (needed to approve)",
        choices=[("", "Choose the lawful basis"), *labels.LAWFUL_BASIS_CHOICES],
        required=False,
    )
    fields_removed = forms.MultipleChoiceField(
        label="Fields to withhold (narrowed approval only)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    rationale = forms.CharField(
        label="Rationale",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why you decided this way. It is kept with the decision.",
        max_length=5000,
    )

    def __init__(self, *args: Any, field_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fields_removed"].choices = field_choices  # type: ignore[attr-defined]


class AcknowledgeForm(forms.Form):
    acknowledged_by = forms.CharField(label="Your full name", max_length=200)
    accept = forms.BooleanField(
        label="I have read the notice above and accept its terms for these records", required=True
    )


class DownloadForm(forms.Form):
    format = forms.ChoiceField(choices=[("pdf", "PDF"), ("json", "JSON")], initial="pdf")


class AfterTheFactForm(forms.Form):
    """An emergency disclosure or abuse report already made, recorded within 48 hours."""

    kind = forms.ChoiceField(
        label="What was disclosed?",
        choices=[
            (EntryKind.EMERGENCY_AFTER_THE_FACT, "Records shared in a health or safety emergency"),
            (
                EntryKind.ABUSE_REPORT,
                "A report of suspected abuse or neglect to child-protective services (51A)",
            ),
        ],
        widget=forms.RadioSelect,
    )
    student_id = forms.CharField(label="Student ID", max_length=64)
    disclosed_at = local_datetime_field("When was it disclosed?", required=True)
    recipient_name = forms.CharField(label="Who received it (name)", max_length=200)
    recipient_position = forms.CharField(label="Their position", max_length=120, required=False)
    recipient_affiliation = forms.CharField(label="Their agency or organisation", max_length=200)
    recipient_kind = forms.ChoiceField(label="Kind of agency", choices=labels.REQUESTER_KIND_CHOICES)
    categories = forms.MultipleChoiceField(
        label="Which records were shared?",
        choices=[choice for choice in labels.CATEGORY_CHOICES if choice[0] != "immigration"],
        widget=forms.CheckboxSelectMultiple,
    )
    details = forms.CharField(
        label="The threat, or what was reported",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )
    other_recipients = forms.CharField(
        label="Everyone else who received it (one per line)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def recipients(self) -> list[str]:
        extra = [line.strip() for line in self.cleaned_data.get("other_recipients", "").splitlines()]
        first = f"{self.cleaned_data['recipient_name'].strip()}, {self.cleaned_data['recipient_affiliation'].strip()}"
        return [first, *[line for line in extra if line]]


class EmergencyDeterminationForm(forms.Form):
    """A district official's finding on the emergency a requester stated (FERPA 99.36(c))."""

    found = forms.TypedChoiceField(
        label="Is the threat articulable and significant, and the requester an appropriate recipient?",
        choices=[
            ("yes", "Yes: I found an articulable and significant threat to health or safety"),
            ("no", "No: I did not find such a threat"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    threat = forms.CharField(
        label="The threat as you found it",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded in the student's record of disclosures with the requester's name (FERPA 99.32(a)(5)).",
        max_length=5000,
    )
    rationale = forms.CharField(
        label="What you checked, and with whom",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("found") and not (data.get("threat") or "").strip():
            self.add_error("threat", "Describe the threat as you found it.")
        return data


class CloseUnidentifiedForm(forms.Form):
    """The records office closes a named student it cannot or will not identify."""

    reason = forms.CharField(
        label="Why the student cannot be identified",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with the request. The requester reads only that no records were released.",
        max_length=2000,
    )
