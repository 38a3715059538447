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
