"""Notices to families: advance notice before a release, notice after an emergency release, copies."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class NoticeKind(models.TextChoices):
    ADVANCE = "advance", "Advance notice before release"
    AFTER_RELEASE = "after_release", "Notice after release"
    RECORD_COPY = "record_copy", "Copy of the record of disclosures"
    CUSTODIAL_PARENT = "custodial_parent", "Notice to the custodial parent"


class NoticeChannel(models.TextChoices):
    EMAIL = "email", "Email"
    LETTER = "letter", "Printed letter"


class NoticeState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    BOUNCED = "bounced", "Bounced"
    PRINTED = "printed", "Printed"
    MAILED = "mailed", "Printed and mailed"


# States in which the family can be taken to have been told.
DELIVERED_STATES = frozenset({NoticeState.SENT, NoticeState.MAILED})


class FamilyNotice(models.Model):
    """One notice to one recipient (a guardian with notice rights, or the eligible student)."""

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
    queued_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-queued_at"]

    def __str__(self) -> str:
        return f"{self.kind} notice to {self.recipient_name}"

    @property
    def delivered(self) -> bool:
        return self.state in DELIVERED_STATES
