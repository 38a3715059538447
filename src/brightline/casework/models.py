"""Requests for student records, their items (one student × one record category) and decisions.

See casework/README.md for the state machine. Decisions are appended, never edited; the request keeps
copies of the requester's name, position and agency so that the record survives later edits.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.fields.json import KeyTransform


class Channel(models.TextChoices):
    PORTAL = "portal", "Requester portal"
    API = "api", "API"
    FAX = "fax", "Fax"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    MAIL = "mail", "Mail"
    IN_PERSON = "in_person", "In person"


OFF_PORTAL_CHANNELS = (Channel.FAX, Channel.EMAIL, Channel.PHONE, Channel.MAIL, Channel.IN_PERSON)


class RequestState(models.TextChoices):
    AWAITING_MATCH = "awaiting_match", "Waiting for the records office to identify a student"
    IN_REVIEW = "in_review", "In review"
    AWAITING_DETERMINATION = "awaiting_determination", "Waiting for the district to confirm the emergency"
    AWAITING_NOTICE = "awaiting_notice", "Waiting for the family notice period"
    READY = "ready", "Ready to release"
    RELEASED = "released", "Released"
    CLOSED = "closed", "Closed: nothing to release"


class ItemState(models.TextChoices):
    AWAITING_MATCH = "awaiting_match", "Student not yet identified"
    # The records office could not (or would not) identify the student: nothing is released. A requester
    # sees it as a refused item, "no records released" (CONTRACTS.md).
    UNIDENTIFIED = "unidentified", "Closed: the student was not identified"
    REFUSED = "refused", "Refused by the policy"
    PENDING_REVIEW = "pending_review", "Waiting for a reviewer"
    DENIED = "denied", "Denied by a reviewer"
    # Rule R1 (determine_emergency): nothing leaves before a district official finds the threat real.
    AWAITING_DETERMINATION = "awaiting_determination", "Waiting for the district to confirm the emergency"
    AWAITING_NOTICE = "awaiting_notice", "Approved; waiting for the family notice period"
    CLEARED = "cleared", "Cleared for release"
    RELEASED = "released", "Released"


# An item in one of these states will not change again.
FINAL_ITEM_STATES = frozenset(
    {ItemState.REFUSED, ItemState.DENIED, ItemState.RELEASED, ItemState.UNIDENTIFIED}
)


class MatchState(models.TextChoices):
    MATCHED = "matched", "Matched"
    NO_MATCH = "no_match", "No student matches"
    AMBIGUOUS = "ambiguous", "Several students match"
    CLOSED = "closed", "Closed without identifying the student"


class Disposition(models.TextChoices):
    """What came of a request, from its items' states (the transparency reports count these)."""

    PENDING = "pending", "Pending"
    RELEASED_IN_FULL = "released_in_full", "Released in full"
    RELEASED_IN_PART = "released_in_part", "Released in part"
    REFUSED = "refused", "Refused by the policy"
    NOTHING_RELEASED = "nothing_released", "Nothing released"


OPEN_ITEM_STATES = frozenset(
    {
        ItemState.AWAITING_MATCH,
        ItemState.PENDING_REVIEW,
        ItemState.AWAITING_DETERMINATION,
        ItemState.AWAITING_NOTICE,
        ItemState.CLEARED,
    }
)


def disposition_for(states: list[str]) -> Disposition:
    """First match wins: pending, released in full, released in part, refused, nothing released."""
    present = set(states)
    if not present or present & OPEN_ITEM_STATES:
        return Disposition.PENDING
    if present == {ItemState.RELEASED}:
        return Disposition.RELEASED_IN_FULL
    if ItemState.RELEASED in present:
        return Disposition.RELEASED_IN_PART
    if present == {ItemState.REFUSED}:
        return Disposition.REFUSED
    return Disposition.NOTHING_RELEASED


def request_state_for(states: list[str]) -> RequestState:
    """The request's state follows from its items' states; see casework/README.md."""
    present = set(states)
    if ItemState.AWAITING_MATCH in present:
        return RequestState.AWAITING_MATCH
    if ItemState.PENDING_REVIEW in present:
        return RequestState.IN_REVIEW
    if ItemState.AWAITING_DETERMINATION in present:
        return RequestState.AWAITING_DETERMINATION
    if ItemState.AWAITING_NOTICE in present:
        return RequestState.AWAITING_NOTICE
    if ItemState.CLEARED in present:
        return RequestState.READY
    if ItemState.RELEASED in present:
        return RequestState.RELEASED
    return RequestState.CLOSED


# A requester never sees whether a student was identified (CONTRACTS.md): a student waiting for the
# records office is "in review", one it closed is "refused", exactly as an item the policy refused. An item
# the district has not yet released reads "in review" whatever gate it waits at (a reviewer, the family's
# notice period, the packet), since a student nobody identified would read so; only the emergency
# determination is shown as such.
REQUESTER_ITEM_STATES = {
    ItemState.AWAITING_MATCH: ItemState.PENDING_REVIEW,
    # Only an identified student's stated emergency waits for the district's determination.
    ItemState.AWAITING_DETERMINATION: ItemState.PENDING_REVIEW,
    ItemState.AWAITING_NOTICE: ItemState.PENDING_REVIEW,
    ItemState.CLEARED: ItemState.PENDING_REVIEW,
    ItemState.UNIDENTIFIED: ItemState.REFUSED,
    # Only an identified student's item reaches a reviewer: a denial reads as a refusal.
    ItemState.DENIED: ItemState.REFUSED,
}


class Request(models.Model):
    """One request from an outside party, as received, with the policy version that triaged it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=20, unique=True)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="requests")
    # Copies: the record of disclosures must still name the party if the agency row changes.
    agency_name = models.CharField(max_length=200)
    requester_kind = models.CharField(max_length=40)
    requester_name = models.CharField(max_length=200)
    requester_position = models.CharField(max_length=120, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when the records office typed the request in; that person may not decide it.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    received_at = models.DateTimeField(db_index=True)
    purpose = models.CharField(max_length=40)
    description = models.TextField(blank=True)
    identified_by = models.CharField(max_length=32)
    legal_process_kind = models.CharField(max_length=32, default="none")
    nondisclosure_order = models.BooleanField(default=False)
    emergency_threat = models.TextField(blank=True)
    emergency_ends_at = models.DateTimeField(null=True, blank=True)
    # Why an emergency the requester stated was not taken into account (no threat, no time it ends, not an
    # emergency responder, already over), told to the requester with each item's explanation.
    emergency_note = models.TextField(blank=True)
    # The last state the requester was e-mailed about (its own view of the request: `selectors.requester_state_of`).
    requester_told_state = models.CharField(max_length=32, blank=True)
    # The request object exactly as the engine read it (DOMAIN.md), so triage can be replayed.
    document = models.JSONField()
    policy_id = models.CharField(max_length=64)
    policy_version = models.CharField(max_length=64)
    policy_sha256 = models.CharField(max_length=64)
    state = models.CharField(max_length=32, choices=RequestState.choices, db_index=True)
    disposition = models.CharField(
        max_length=20, choices=Disposition.choices, default=Disposition.PENDING, db_index=True
    )
    # When nothing was left for the records office or a reviewer to decide (first time the request left
    # awaiting_match / in_review): the end of "days to a decision".
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_due_at = models.DateTimeField(db_index=True)
    # Set while the decision clock is stopped (the office asked the requester to clarify); on resuming,
    # the deadline moves by the business days it stood still.
    clock_paused_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The person of the records office who owns the request ("mine" in the queues).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)
    idempotency_body_sha256 = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="request_idempotency_key_unique_per_agency",
            )
        ]
        # An agency's portal list, newest first, a page at a time (ten years of one agency's requests).
        indexes = [
            models.Index(fields=["agency", "-received_at", "id"], name="request_agency_received_idx"),
            # The office's open lists (overdue, due soon), by deadline: the open requests only, not
            # ten years of decided ones whose deadlines all passed.
            models.Index(fields=["state", "decision_due_at"], name="request_state_due_idx"),
            # The undecided requests (a few hundred among ten years), already in deadline order: the
            # office's overdue and due lists and a reviewer's queue read this index alone.
            models.Index(
                fields=["decision_due_at", "id"],
                condition=models.Q(state__in=["awaiting_match", "in_review"]),
                name="request_undecided_due_idx",
            ),
            # A state's requests newest first (the dashboard's "ready to release", a search by state).
            models.Index(fields=["state", "-received_at", "id"], name="request_state_received_idx"),
            # Requests stating an emergency (few): the determinations still to make are found among them.
            models.Index(
                fields=["received_at"],
                condition=models.Q(emergency_threat__gt=""),
                name="request_emergency_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class RequestStudent(models.Model):
    """A student as the requester named them, and whom the records office matched them to."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="students")
    position = models.PositiveIntegerField()
    named = models.JSONField(help_text="How the requester identified the student.")
    student = models.ForeignKey(
        "roster.Student", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Indexed: the office's lists look for the few students not matched among every one ever named.
    match_state = models.CharField(max_length=16, choices=MatchState.choices, db_index=True)
    candidates = models.JSONField(default=list, help_text="Roster ids of the students that matched.")
    # The policy facts of the student at triage time, so that the decision can be replayed.
    facts = models.JSONField(null=True, blank=True)
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    matched_at = models.DateTimeField(null=True, blank=True)
    # A refusal that rests on a fact of the student (opted out, adjudicated, ...) is not told to the
    # requester the moment it is made: that would tell it the student is enrolled, where a student nobody
    # identified still reads "in review". The records office sends the answer, as it closes a student it
    # cannot identify (`student_answer_send`), or the deadline does.
    answer_sent_at = models.DateTimeField(null=True, blank=True)
    answer_sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["request", "position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "position"], name="request_student_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.request} student {self.position + 1}"


class Item(models.Model):
    """One student × one record category, with the policy's triage and the item's state."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="items")
    request_student = models.ForeignKey(RequestStudent, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    category = models.CharField(max_length=32)
    outcome = models.CharField(max_length=16, blank=True)
    reviewer = models.CharField(max_length=32, blank=True)
    rules = models.JSONField(default=list)
    obligations = models.JSONField(default=list)
    explanation = models.TextField(blank=True)
    state = models.CharField(max_length=32, choices=ItemState.choices, db_index=True)
    # The fields that may leave, fixed when the item is cleared (the inventory minus what was narrowed).
    approved_fields = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["request", "position"]
        constraints = [models.UniqueConstraint(fields=["request", "position"], name="item_position_unique")]
        indexes = [
            models.Index(fields=["request", "state"], name="item_request_state_idx"),
            # A reviewer's queue: the items waiting for their role (few, among millions decided).
            models.Index(fields=["state", "reviewer", "request"], name="item_state_reviewer_idx"),
            # Refusals by a rule, by their first rule: the answers the records office may still owe rest
            # on rules reading the student's facts only ("Answers to send" reads those refusals alone,
            # not every refusal of ten years).
            models.Index(
                KeyTransform("0", "rules"),
                "request",
                condition=models.Q(state="refused", outcome="refuse"),
                name="item_refused_first_rule_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} #{self.position + 1} {self.category}"

    def has_obligation(self, obligation: str) -> bool:
        return obligation in self.obligations

    @property
    def decision(self) -> Decision | None:
        """The item's latest decision. An item decided under an emergency that then ended goes back to
        review and is decided again; every decision is kept (use prefetch_related("decisions"))."""
        decisions = list(self.decisions.all())
        return max(decisions, key=lambda decision: (decision.decided_at, decision.pk)) if decisions else None


class DecisionAction(models.TextChoices):
    APPROVE = "approve", "Approve"
    NARROW = "narrow", "Approve narrowed"
    DENY = "deny", "Deny"


class Decision(models.Model):
    """A reviewer's decision on one item. Appended, never edited. An item is decided once, unless the
    emergency its approval rested on ended before release: it then goes back to review (rule R1)."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="decisions")
    action = models.CharField(max_length=16, choices=DecisionAction.choices)
    lawful_basis = models.CharField(max_length=64, blank=True)
    rationale = models.TextField()
    fields_removed = models.JSONField(default=list)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    decided_by_name = models.CharField(max_length=200)
    decided_by_role = models.CharField(max_length=32)
    decided_by_position = models.CharField(max_length=120, blank=True)
    decided_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.action} {self.item}"


class EmergencyDetermination(models.Model):
    """A district official's finding on the emergency a requester stated, for one named student: that the
    threat is articulable and significant and the requester an appropriate recipient (FERPA 99.36(c)),
    or not. Nothing carrying `determine_emergency` is released before one is found. Appended once."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="determinations")
    request_student = models.OneToOneField(
        RequestStudent, on_delete=models.PROTECT, related_name="determination"
    )
    found = models.BooleanField(help_text="Whether the official found an articulable and significant threat.")
    threat = models.TextField(help_text="The threat as the official found it.")
    rationale = models.TextField()
    determined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    determined_by_name = models.CharField(max_length=200)
    determined_by_role = models.CharField(max_length=32)
    determined_by_position = models.CharField(max_length=120, blank=True)
    determined_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"emergency {'found' if self.found else 'not found'} for {self.request_student}"


def document_upload_path(instance: Document, filename: str) -> str:
    # The stored name is random: the original name is kept in the row, never trusted as a path.
    return f"documents/{instance.request_id}/{uuid.uuid4().hex}.pdf"


class DocumentKind(models.TextChoices):
    SUBPOENA = "subpoena", "Subpoena"
    COURT_ORDER = "court_order", "Court order"
    WARRANT = "warrant", "Warrant"
    CONSENT = "consent", "Signed consent"
    CERTIFICATION = "certification", "Certification"
    EMERGENCY = "emergency", "Statement of emergency"
    OTHER = "other", "Other"


class Document(models.Model):
    """A legal document that came with a request (a subpoena, an order, a signed consent)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    file = models.FileField(upload_to=document_upload_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.request}: {self.original_name}"


class Holiday(models.Model):
    """A day the district's offices are closed; deadlines in business days skip it."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date}: {self.name}"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "Decision due within a business day"
    OVERDUE = "overdue", "Decision overdue"


class DeadlineReminder(models.Model):
    """A reminder to the people who must act on a request, at most one of each kind a day."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    sent_on = models.DateField()
    roles = models.JSONField(default=list, help_text="The roles reminded: who must act next.")
    recipients = models.JSONField(default=list)
    queued_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "kind", "sent_on"], name="deadline_reminder_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder for {self.request} on {self.sent_on}"


# ---------------------------------------------------------------------------------------------------
# The conversation on a request, its deadline and its owner in the records office
# ---------------------------------------------------------------------------------------------------


class MessageKind(models.TextChoices):
    MESSAGE = "message", "Message"
    # The records office asks the requester to clarify: the decision clock stops until the answer.
    CLARIFICATION = "clarification", "Request to clarify"
    ANSWER = "answer", "Answer to a request to clarify"


class Message(models.Model):
    """One message on a request between its requester and the records office. Appended, never edited.
    Its text stays here; the public ledger holds a salted commitment to it (`text_salt`)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    from_office = models.BooleanField()
    body = models.TextField()
    # The ledger holds SHA-256(salt ‖ body): an auditor can check the text, the public cannot guess it.
    text_salt = models.CharField(max_length=32)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=200)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["request", "sent_at", "pk"]
        indexes = [models.Index(fields=["request", "sent_at"], name="message_request_sent_idx")]

    def __str__(self) -> str:
        return f"{self.kind} on {self.request}"


class InternalNote(models.Model):
    """A note of the district's staff on a request. The requester never sees it (no requester selector
    reads this table). Appended, never edited."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="internal_notes")
    body = models.TextField()
    text_salt = models.CharField(max_length=32)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=200)
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["request", "written_at", "pk"]

    def __str__(self) -> str:
        return f"note on {self.request}"


class DeadlineChangeKind(models.TextChoices):
    EXTENDED = "extended", "Deadline extended"
    PAUSED = "paused", "Decision clock paused"
    RESUMED = "resumed", "Decision clock resumed"


class DeadlineChange(models.Model):
    """A change of a request's decision deadline: an extension (reason, new date: shown to the
    requester), a pause of the clock (waiting for the requester) or its resumption. Appended."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="deadline_changes")
    kind = models.CharField(max_length=12, choices=DeadlineChangeKind.choices)
    reason = models.TextField(blank=True)
    due_before = models.DateTimeField()
    due_after = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["request", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.request}"


# ---------------------------------------------------------------------------------------------------
# Reconsideration: the requester asks again about items it reads as refused; counsel decides
# ---------------------------------------------------------------------------------------------------


class ReconsiderationOutcome(models.TextChoices):
    PENDING = "pending", "Waiting for counsel"
    UPHELD = "upheld", "Upheld"
    # The items the requester reads as refused without a rule go back to be decided again.
    REOPENED = "reopened", "Reopened for a new decision"


class Reconsideration(models.Model):
    """A requester's request for reconsideration of items it reads as refused, with its reason, and
    counsel's decision (outcome and reason, which the requester reads). Decided once."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="reconsiderations")
    items = models.JSONField(help_text="The ids of the items the requester asked about.")
    reason = models.TextField()
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    asked_at = models.DateTimeField(db_index=True)
    outcome = models.CharField(
        max_length=12, choices=ReconsiderationOutcome.choices, default=ReconsiderationOutcome.PENDING
    )
    decision_reason = models.TextField(blank=True)
    reopened_items = models.JSONField(default=list)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_name = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["request", "asked_at", "pk"]

    def __str__(self) -> str:
        return f"reconsideration of {self.request}"


# ---------------------------------------------------------------------------------------------------
# Preservation: an agency asks the district to keep records pending legal process
# ---------------------------------------------------------------------------------------------------


class PreservationState(models.TextChoices):
    ACTIVE = "active", "Hold in force"
    FOLLOWED = "followed", "Legal process followed"
    EXPIRED = "expired", "Expired: no legal process followed"


class Preservation(models.Model):
    """An agency's request that the district preserve records pending legal process. The district
    records the hold and discloses nothing; the hold expires unless process follows (a request).
    Which students the roster matched is the district's alone: the agency reads the same answer either
    way."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=20, unique=True)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="preservations")
    agency_name = models.CharField(max_length=200)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    students = models.JSONField(help_text="The students as the agency named them.")
    # Roster ids of the students matched at receipt: the district's to know, never the agency's.
    matched_students = models.JSONField(default=list)
    categories = models.JSONField()
    process_expected = models.TextField(help_text="The legal process the agency says will follow.")
    received_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    extended_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(
        max_length=12, choices=PreservationState.choices, default=PreservationState.ACTIVE, db_index=True
    )
    followed_by = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.SET_NULL, related_name="preservations"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.reference
