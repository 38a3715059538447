"""The record of disclosures (FERPA 34 CFR 99.32, 603 CMR 23.07(1)) and release packets.

Entries are appended and never edited. Each names the party with position and affiliation, the
legitimate interest and lawful basis, the parts of the record, and who released them; emergency
entries also carry the threat and every recipient (99.32(a)(5)).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class EntryKind(models.TextChoices):
    REQUEST = "request", "Request received"
    DISCLOSURE = "disclosure", "Records released"
    EMERGENCY_DETERMINATION = "emergency_determination", "Emergency found by the district"
    EMERGENCY_AFTER_THE_FACT = "emergency", "Emergency disclosure recorded after the fact"
    ABUSE_REPORT = "abuse_report", "Report of suspected abuse or neglect"
    WEAPON_ROUTING = "weapon_routing", "Weapon report routed (M.G.L. c.71 s.37L)"


class DisclosureEntry(models.Model):
    """One line in a student's record of disclosures."""

    student = models.ForeignKey("roster.Student", null=True, on_delete=models.SET_NULL, related_name="+")
    # Copied so that the entry still names the student if the roster row is removed.
    student_sis_id = models.CharField(max_length=64, db_index=True)
    kind = models.CharField(max_length=32, choices=EntryKind.choices)
    request = models.ForeignKey(
        "casework.Request",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="disclosure_entries",
    )
    packet = models.ForeignKey(
        "disclosures.ReleasePacket", null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )
    occurred_at = models.DateTimeField(help_text="When the request arrived or the records left.")
    recorded_at = models.DateTimeField()
    party_name = models.CharField(max_length=200)
    party_position = models.CharField(max_length=120, blank=True)
    party_affiliation = models.CharField(max_length=200)
    party_kind = models.CharField(max_length=40)
    legitimate_interest = models.TextField()
    lawful_basis = models.TextField(blank=True)
    categories = models.JSONField(default=list)
    fields = models.JSONField(default=list)
    outcome = models.CharField(max_length=200, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_by_name = models.CharField(max_length=200, blank=True)
    released_by_position = models.CharField(max_length=120, blank=True)
    threat = models.TextField(blank=True)
    recipients = models.JSONField(default=list)
    details = models.TextField(
        blank=True, help_text="What was reported (abuse reports) or other particulars."
    )
    # Under a non-disclosure order the entry exists for auditors but is hidden from the family (99.32(d)(5)).
    sealed = models.BooleanField(default=False)
    # Abuse investigations: a building administrator decides whether and when the family is told.
    withheld_from_family = models.BooleanField(default=False)
    # An after-the-fact entry written more than 48 hours after the disclosure: accepted, marked late, with
    # the reason the person recording it gave.
    late = models.BooleanField(default=False)
    late_reason = models.TextField(blank=True)
    ledger_index = models.BigIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["student_sis_id", "occurred_at", "id"]
        verbose_name_plural = "disclosure entries"

    def __str__(self) -> str:
        return f"{self.student_sis_id} {self.kind} {self.occurred_at:%Y-%m-%d}"


def packet_upload_path(instance: ReleasePacket, filename: str) -> str:
    return f"packets/{instance.request_id}/{instance.id}.pdf"


class ReleasePacket(models.Model):
    """What actually left the district for one request: only approved fields, stamped and hashed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey("casework.Request", on_delete=models.PROTECT, related_name="packets")
    content = models.JSONField(help_text="The packet exactly as delivered in JSON.")
    content_sha256 = models.CharField(max_length=64)
    pdf = models.FileField(upload_to=packet_upload_path, blank=True)
    redisclosure_notice = models.TextField(blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_by_name = models.CharField(max_length=200)
    released_at = models.DateTimeField()
    # The recipient acknowledges the redisclosure terms before the download link works.
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by_name = models.CharField(max_length=200, blank=True)
    # The requester who acknowledged in a signed-in session; empty when the agency's API token did.
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-released_at"]

    def __str__(self) -> str:
        return f"packet {self.id} for {self.request}"


class DeliveryLink(models.Model):
    """An expiring, single-use link to download a packet. Only the token's SHA-256 is stored."""

    packet = models.ForeignKey(ReleasePacket, on_delete=models.CASCADE, related_name="links")
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_format = models.CharField(max_length=8, blank=True)

    def __str__(self) -> str:
        return f"link for {self.packet_id}"


class RecordExtract(models.Model):
    """The value of an inventory field that Bright Line does not hold itself (attendance, grades, ...),
    extracted by the records office from the district's other systems for a release."""

    student = models.ForeignKey("roster.Student", on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=32)
    field_name = models.CharField(max_length=80)
    value = models.JSONField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["student", "category", "field_name"], name="record_extract_lookup_idx")
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.category}.{self.field_name}"


class NondisclosureOrderState(models.TextChoices):
    IN_FORCE = "in_force", "In force"
    ENDED = "ended", "Ended on its end date"
    REVEALED = "revealed", "Revealed early, with a reason"


class NondisclosureOrder(models.Model):
    """The order not to tell the family that came with a request's legal process (rule L's
    `sealed_record`, 99.32(d)(5)): while it is in force the request's entries in the record of
    disclosures are sealed. It ends on its end date, or, "until further order", counsel reviews it every
    `BRIGHTLINE_NONDISCLOSURE_REVIEW_DAYS`; an administrator or counsel reveals the entries early with a
    reason (the order was lifted). When it ends the entries become visible and the family is told.

    A request that carries an order has no row until its terms are first recorded or it ends: until then
    it is in force until further order, reviewed from the day the request arrived. The ledger keeps each
    step; the row holds the latest."""

    request = models.OneToOneField(
        "casework.Request", null=True, on_delete=models.SET_NULL, related_name="nondisclosure_terms"
    )
    # Copied: the order still names its request if the request row goes.
    reference = models.CharField(max_length=20)
    state = models.CharField(
        max_length=12, choices=NondisclosureOrderState.choices, default=NondisclosureOrderState.IN_FORCE
    )
    ends_on = models.DateField(
        null=True, blank=True, help_text="The day the order ends; empty: until further order."
    )
    # Until further order: counsel reviews the order by the end of this day.
    review_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="Which order, from whom: the court, the docket number.")
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by_name = models.CharField(max_length=200, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Empty when the order ended on its end date (the daily job ended it).
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_by_name = models.CharField(max_length=200, blank=True)
    end_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["reference"]

    def __str__(self) -> str:
        return f"non-disclosure order of {self.reference}"


class WithheldReminderKind(models.TextChoices):
    ORDER_ENDS = "order_ends", "A non-disclosure order ends"
    ORDER_ENDED = "order_ended", "A non-disclosure order ended: the family was told"
    ORDER_REVIEW = "order_review", "Counsel's review of an order until further order"
    FAMILY_NOTICE_DECISION = "family_notice_decision", "A decision about telling the family"


class WithheldReminder(models.Model):
    """A reminder that an entry kept from a family comes due: a non-disclosure order's end or review, or
    an administrator's decision about telling the family. At most one a day for each subject and kind;
    emailed by the task worker. `subject` names what it is about ("request:<id>",
    "family_notice_decision:<id>") so that the row outlives it."""

    subject = models.CharField(max_length=80)
    reference = models.CharField(max_length=20)
    kind = models.CharField(max_length=24, choices=WithheldReminderKind.choices)
    overdue = models.BooleanField(default=False)
    due_at = models.DateTimeField()
    sent_on = models.DateField()
    roles = models.JSONField(default=list)
    recipients = models.JSONField(default=list)
    queued_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-queued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "kind", "sent_on"], name="withheld_reminder_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder for {self.reference} on {self.sent_on}"
