"""Notices to families: advance notice before a release, notice after an emergency release, copies of
the record of disclosures, and the custodial parent's notice when a non-custodial parent asks."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class NoticeKind(models.TextChoices):
    ADVANCE = "advance", "Advance notice before release"
    AFTER_RELEASE = "after_release", "Notice after release"
    RECORD_COPY = "record_copy", "Copy of the record of disclosures"
    CUSTODIAL_PARENT = "custodial_parent", "Notice to the custodial parent"
    ADMINISTRATOR = "administrator", "Notice an administrator decided to send"
    ORDER_ENDED = "order_ended", "Notice that a non-disclosure order ended"


class NoticeChannel(models.TextChoices):
    EMAIL = "email", "Email"
    LETTER = "letter", "Printed letter"


class NoticeState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    BOUNCED = "bounced", "Bounced"
    PRINTED = "printed", "Printed"
    MAILED = "mailed", "Printed and mailed"


# States in which the family can be taken to have been told. A bounced email is not one of them: it
# falls back to a printed letter, and only the mailed letter counts.
DELIVERED_STATES = frozenset({NoticeState.SENT, NoticeState.MAILED})

# States in which the records office owes a printed letter: a letter not yet printed, an email that
# bounced, a letter printed but not yet mailed.
LETTER_DUE_STATES = frozenset({NoticeState.QUEUED, NoticeState.BOUNCED, NoticeState.PRINTED})


class FamilyNotice(models.Model):
    """One notice to one recipient (a guardian with notice rights, or the eligible student).

    `sent_at` is the moment the family was told (email accepted by the mail server, or letter mailed);
    the advance-notice period runs from it.
    """

    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    request = models.ForeignKey(
        "casework.Request", null=True, blank=True, on_delete=models.SET_NULL, related_name="notices"
    )
    student = models.ForeignKey("roster.Student", null=True, on_delete=models.SET_NULL, related_name="+")
    guardian = models.ForeignKey(
        "roster.Guardian", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient_name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    postal_address = models.TextField(blank=True)
    language = models.CharField(max_length=16, default="en")
    channel = models.CharField(max_length=8, choices=NoticeChannel.choices)
    state = models.CharField(max_length=12, choices=NoticeState.choices, default=NoticeState.QUEUED)
    categories = models.JSONField(default=list)
    # What the letter says beyond the categories, fixed when the notice is queued: the entries of a
    # record copy, the name of the parent who asked, the date access is given.
    details = models.JSONField(default=dict, blank=True)
    queued_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    printed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # When the worker may try the email again (a claimed send holds it for a lease; a failure sets the
    # backoff). Null: due now.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-queued_at"]
        indexes = [models.Index(fields=["state", "channel"], name="notice_state_channel_idx")]

    def __str__(self) -> str:
        return f"{self.kind} notice to {self.recipient_name}"

    @property
    def delivered(self) -> bool:
        return self.state in DELIVERED_STATES

    @property
    def needs_letter(self) -> bool:
        """The records office owes this recipient a printed letter."""
        if self.state == NoticeState.BOUNCED or self.state == NoticeState.PRINTED:
            return True
        return self.channel == NoticeChannel.LETTER and self.state == NoticeState.QUEUED


class CatalogReview(models.Model):
    """A district translator's sign-off on one language's catalog, bound to the catalog's exact text.

    Reviews are appended; the latest one counts, and only while the catalog's SHA-256 still matches.
    """

    language = models.CharField(max_length=16)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by_name = models.CharField(max_length=200)
    reviewed_at = models.DateTimeField()
    catalog_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["language", "-reviewed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.language} reviewed by {self.reviewed_by_name} at {self.reviewed_at:%Y-%m-%d}"


# --- What the policy's other obligations send: counsel's copy, the missing-persons alert, and the
# administrator's decision about telling the family ------------------------------------------------


class CounselNotice(models.Model):
    """Counsel's copy of a request the policy sends to counsel (`notify_legal_advisor`: the F1
    refusals). One per request, however many of its students are matched later; read once."""

    request = models.OneToOneField(
        "casework.Request", null=True, on_delete=models.SET_NULL, related_name="counsel_notice"
    )
    # Copied: the notice still names its request if the request row goes.
    reference = models.CharField(max_length=20)
    reason = models.TextField(help_text="Why counsel gets a copy: the rules and their explanation.")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    read_by_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"counsel's copy of {self.reference}"


class MissingChildAlert(models.Model):
    """The missing-persons contact is told that records of a student flagged missing were asked for
    (`alert_police_missing_child`): one alert per request and student. Never anything to the requester."""

    request = models.ForeignKey(
        "casework.Request", null=True, on_delete=models.SET_NULL, related_name="missing_child_alerts"
    )
    student = models.ForeignKey("roster.Student", null=True, on_delete=models.SET_NULL, related_name="+")
    reference = models.CharField(max_length=20)
    agency_name = models.CharField(max_length=200)
    received_at = models.DateTimeField(help_text="When the request for the student's records arrived.")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "student"], name="missing_child_alert_once_per_student"
            )
        ]

    def __str__(self) -> str:
        return f"missing-child alert for {self.reference}"


class OfficialEmailKind(models.TextChoices):
    COUNSEL_COPY = "counsel_copy", "Copy of a request to counsel"
    MISSING_CHILD_ALERT = "missing_child_alert", "Alert to the missing-persons contact"
    FORBIDDEN_DISCLOSURE = "forbidden_disclosure", "Alert: a disclosure the policy forbids was recorded"


class OfficialEmailState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # No address to send to (the missing-persons contact is not configured, or counsel has no email):
    # kept, and shown to the administrator, rather than dropped.
    UNDELIVERABLE = "undeliverable", "Undeliverable: no address"


class OfficialEmail(models.Model):
    """One email an obligation sends to someone other than the family (counsel, the missing-persons
    unit), with the same delivery as family notices: queued on commit, sent by the task worker,
    retried with backoff, `failed` after the last attempt."""

    kind = models.CharField(max_length=24, choices=OfficialEmailKind.choices)
    counsel_notice = models.ForeignKey(
        CounselNotice, null=True, blank=True, on_delete=models.SET_NULL, related_name="emails"
    )
    missing_child_alert = models.ForeignKey(
        MissingChildAlert, null=True, blank=True, on_delete=models.SET_NULL, related_name="emails"
    )
    # An after-the-fact entry recording a disclosure to a party the policy forbids (F1, F2).
    disclosure_entry = models.ForeignKey(
        "disclosures.DisclosureEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient_name = models.CharField(max_length=200)
    email = models.CharField(max_length=320, blank=True, help_text="The address, with a name when given.")
    state = models.CharField(
        max_length=16, choices=OfficialEmailState.choices, default=OfficialEmailState.QUEUED
    )
    queued_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [models.Index(fields=["state", "kind"], name="official_email_state_kind_idx")]

    def __str__(self) -> str:
        return f"{self.kind} email to {self.recipient_name}"


class FamilyNoticeState(models.TextChoices):
    PENDING = "pending", "Waiting for the administrator's decision"
    NOTIFIED = "notified", "Family told"
    WITHHELD = "withheld", "Withheld until the review date"


class FamilyNoticeDecision(models.Model):
    """`family_notice_by_administrator` (abuse investigations): whether and when the family is told of a
    request and what was released, decided by an administrator by `due_at`.

    Until the family is told, the request's entries in the student's record of disclosures are kept from
    the family. Each decision is a ledger entry; the row holds the latest one."""

    request = models.ForeignKey(
        "casework.Request", null=True, on_delete=models.SET_NULL, related_name="family_notice_decisions"
    )
    student = models.ForeignKey("roster.Student", null=True, on_delete=models.SET_NULL, related_name="+")
    # A report of suspected abuse school staff recorded after the fact (no request): the entry kept from
    # the family until the administrator shows it or extends the hold with a reason.
    entry = models.ForeignKey(
        "disclosures.DisclosureEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reference = models.CharField(max_length=20)
    state = models.CharField(
        max_length=12, choices=FamilyNoticeState.choices, default=FamilyNoticeState.PENDING
    )
    created_at = models.DateTimeField()
    # The decision is due by then; after a decision to withhold, by the end of the review date.
    due_at = models.DateTimeField(db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_name = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True, help_text="Why the family is not told yet.")
    review_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "student"], name="family_notice_decision_once_per_student"
            )
        ]

    def __str__(self) -> str:
        return f"family notice decision for {self.reference}"


class ObjectionChannel(models.TextChoices):
    FAMILY_PAGE = "family_page", "On the family's page"
    LETTER_REPLY = "letter_reply", "A reply to the letter, entered by the records office"


class ObjectionState(models.TextChoices):
    PENDING = "pending", "Waiting for the reviewer's decision"
    UPHELD = "upheld", "Upheld: the release was denied or narrowed"
    OVERRULED = "overruled", "Overruled, with the reviewer's reason"


class Objection(models.Model):
    """A family's objection to a release while its advance notice runs: it reaches the reviewer, and
    the release gate (`casework.services.advance_notice_gate`, through `objection_pending`) holds the
    student's items until the reviewer decides on it. Each step is a ledger entry."""

    request = models.ForeignKey(
        "casework.Request", null=True, on_delete=models.SET_NULL, related_name="objections"
    )
    student = models.ForeignKey("roster.Student", null=True, on_delete=models.SET_NULL, related_name="+")
    reference = models.CharField(max_length=20)
    channel = models.CharField(max_length=16, choices=ObjectionChannel.choices)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_by_name = models.CharField(max_length=200)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    raised_at = models.DateTimeField()
    state = models.CharField(max_length=12, choices=ObjectionState.choices, default=ObjectionState.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_name = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["raised_at", "id"]

    def __str__(self) -> str:
        return f"objection to {self.reference} by {self.raised_by_name}"
