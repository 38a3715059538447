"""Forms of the pages. They check the shape of what a person typed; the services decide the rest and
their `brightline.errors` are put back next to the field they name (`brightline.ui.add_service_errors`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings

from brightline.accounts.uploads import PDF_MAGIC
from brightline.casework.models import OFF_PORTAL_CHANNELS, Channel, DecisionAction, DocumentKind
from brightline.disclosures.models import EntryKind
from brightline.ui import DateInput, local_datetime_field
from brightline.vocabulary import EMERGENCY_RESPONDERS, REQUESTER_KINDS
from brightline.web import labels

STUDENT_ROWS = 3


def _checked_pdf(upload: Any) -> Any:
    """An uploaded file that is a PDF within the size limit (read from its bytes, not its name)."""
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


def _in_words(identifiers: list[str], table: str) -> str:
    words = [labels.label(table, identifier).lower() for identifier in identifiers]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


EMERGENCY_RESPONDER_WORDS = _in_words(
    [kind for kind in REQUESTER_KINDS if kind in EMERGENCY_RESPONDERS], "requester_kind"
)

# The parts of a written consent that make it valid (DOMAIN.md rule R6), in the words the form uses when
# one is missing. A consent without one of them is still sent: the policy treats it as no consent.
CONSENT_SIGNATURE_PARTS: dict[str, str] = {
    "consent_signed_by": "who signed it",
    "consent_signed_on": "the date it was signed",
    "consent_purpose": "the purpose it states",
    "consent_recipient": "the recipient it names",
}
CONSENT_FIELDS = (*CONSENT_SIGNATURE_PARTS, "consent_categories", "consent_document")


class RequestForm(forms.Form):
    """A request for student records, as the requester portal and the records office take it.

    How the students were identified is not asked: the server reads it from what was sent (a student ID,
    or a name and date of birth). A written consent with a part missing is not refused here: the form
    warns next to each missing part and sends it only once the person ticks `consent_confirmed`
    (`needs_confirmation`); the policy then treats it as no consent."""

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
    onward_recipients = forms.MultipleChoiceField(
        label="Who will receive the records from you next?",
        choices=labels.ONWARD_RECIPIENT_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "Tick everyone you will pass the records on to, if anyone. The district refuses every request "
            "whose records would go on to immigration enforcement, a fusion center or a gang database."
        ),
    )
    legal_process_kind = forms.ChoiceField(
        label="Legal process", choices=labels.LEGAL_PROCESS_CHOICES, initial="none"
    )
    nondisclosure_order = forms.BooleanField(
        label="The legal process comes with an order not to tell the family", required=False
    )
    certification_no_redisclosure = forms.BooleanField(
        label="We certify in writing that we will not redisclose the records (juvenile justice agencies)",
        required=False,
    )
    emergency_threat = forms.CharField(
        label="The threat to health or safety",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Leave empty unless there is an emergency. State the threat: what may happen, to whom, and how soon."
        ),
        max_length=5000,
    )
    emergency_ends_at = local_datetime_field(
        "Until when does the emergency last?",
        required=False,
        help_text="The emergency is treated as over after this time.",
    )
    consent_signed_by = forms.CharField(
        label="Signed by",
        required=False,
        max_length=200,
        help_text="The parent, guardian or eligible student who signed the consent.",
    )
    consent_signed_on = forms.DateField(
        label="Signed on",
        required=False,
        widget=DateInput(),
        error_messages={
            "invalid": "Enter the date the consent was signed as a date, for example 2026-03-02."
        },
    )
    consent_purpose = forms.CharField(label="Purpose stated in the consent", required=False, max_length=1000)
    consent_recipient = forms.CharField(
        label="Recipient named in the consent",
        required=False,
        max_length=200,
        help_text="The person or agency the consent allows the records to go to.",
    )
    # Immigration information is refused whoever asks (rule F3): a consent cannot cover it.
    consent_categories = forms.MultipleChoiceField(
        label="Records the consent covers",
        choices=[choice for choice in labels.CATEGORY_CHOICES if choice[0] != "immigration"],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The consent counts only for the records it names.",
    )
    consent_document = forms.FileField(
        label="The signed consent (PDF)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    consent_confirmed = forms.BooleanField(
        label="Send anyway: I understand the consent will not be treated as valid consent", required=False
    )
    document = forms.FileField(
        label="Legal document (PDF)",
        required=False,
        help_text=(
            "A subpoena, court order, warrant or statement of emergency. "
            "A signed consent goes with the consent above."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    document_kind = forms.ChoiceField(
        label="What is the document?", choices=DocumentKind.choices, initial=DocumentKind.OTHER
    )

    emergency_responders = EMERGENCY_RESPONDER_WORDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # What is missing from a consent, by field, once the form has been checked.
        self.consent_warnings: dict[str, str] = {}
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

    def consent_rows(self) -> list[dict[str, Any]]:
        """Each consent field with the warning to show next to it (empty when nothing is missing)."""
        return [
            {"field": self[name], "warning": self.consent_warnings.get(name, "")} for name in CONSENT_FIELDS
        ]

    def needs_confirmation(self) -> bool:
        """A consent has a part missing and the person has not yet said to send it anyway."""
        return bool(self.consent_warnings) and not self.cleaned_data.get("consent_confirmed")

    def clean_document(self) -> Any:
        return _checked_pdf(self.cleaned_data.get("document"))

    def clean_consent_document(self) -> Any:
        return _checked_pdf(self.cleaned_data.get("consent_document"))

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
        data["consent"] = self._consent(data)
        return data

    def _consent(self, data: dict[str, Any]) -> dict[str, Any] | None:
        """The consent of DOMAIN.md's request object when any part of it was filled in, else None; the
        warnings for what it lacks are kept in `consent_warnings`."""
        given = [
            name for name in CONSENT_FIELDS if name in self.errors or data.get(name) not in (None, "", [])
        ]
        if not given:
            return None
        texts = {
            name: (data.get(name) or "").strip()
            for name in CONSENT_SIGNATURE_PARTS
            if name != "consent_signed_on"
        }
        signed_on: dt.date | None = data.get("consent_signed_on")
        self.consent_warnings = {
            name: (
                f"Missing: without {part}, this consent is not valid. "
                "The policy will treat the request as having no consent."
            )
            for name, part in CONSENT_SIGNATURE_PARTS.items()
            if name not in self.errors and not (signed_on if name == "consent_signed_on" else texts[name])
        }
        if not data.get("consent_categories") and "consent_categories" not in self.errors:
            self.consent_warnings["consent_categories"] = (
                "Missing: a consent that names no records covers none of them."
            )
        if not data.get("consent_document") and "consent_document" not in self.errors:
            self.consent_warnings["consent_document"] = (
                "Missing: the records office needs the signed consent form to check it. Without it a "
                "reviewer cannot rely on the consent."
            )
        if set(self.consent_warnings) <= {"consent_document"}:
            # The bound field was made (and its label read) when the fields were cleaned.
            self["consent_confirmed"].label = "Send anyway, without the signed consent form"
        return {
            "signed_by": texts["consent_signed_by"],
            "signed_on": signed_on.isoformat() if signed_on else None,
            "purpose": texts["consent_purpose"],
            "recipient": texts["consent_recipient"],
            "categories": list(data.get("consent_categories") or []),
        }

    def uploads(self) -> list[tuple[Any, str]]:
        """The files to attach to the request once it is stored, each with its document kind."""
        found = [
            (self.cleaned_data.get("document"), self.cleaned_data.get("document_kind") or DocumentKind.OTHER),
            (self.cleaned_data.get("consent_document"), DocumentKind.CONSENT),
        ]
        return [(upload, str(kind)) for upload, kind in found if upload]

    def request_document(self) -> dict[str, Any]:
        """The request object of DOMAIN.md's case document. `identified_by` is left to the server."""
        data = self.cleaned_data
        threat = (data.get("emergency_threat") or "").strip()
        ends_at: dt.datetime | None = data.get("emergency_ends_at")
        return {
            "purpose": data["purpose"],
            "description": data["description"].strip(),
            "categories": list(data["categories"]),
            "students": data["students"],
            "legal_process": {
                "kind": data["legal_process_kind"],
                "nondisclosure_order": bool(data.get("nondisclosure_order")),
            },
            "emergency": {"threat": threat, "ends_at": ends_at.isoformat()} if threat and ends_at else None,
            "consent": data.get("consent"),
            "certification_no_redisclosure": bool(data.get("certification_no_redisclosure")),
            "onward_recipients": list(data.get("onward_recipients") or []),
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
        label="Lawful basis",
        choices=[("", "Choose the lawful basis"), *labels.LAWFUL_BASIS_CHOICES],
        required=False,
        help_text="Needed to approve or narrow; a denial needs none.",
    )
    # Required for some decisions only: the page says when instead of marking it "(optional)".
    lawful_basis.conditional = True  # type: ignore[attr-defined]
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
    """An emergency disclosure or abuse report already made: due within 48 hours, accepted later with
    the reason it is late."""

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
    late_reason = forms.CharField(
        label="If it is more than 48 hours since the disclosure: why is it recorded only now?",
        help_text="A late entry is accepted and marked late with this reason; the family reads it.",
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
