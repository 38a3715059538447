"""Stored policy versions and their lifecycle, and public comments on them.

A version's text is fixed once it opens for public comment: what the community read is what the
committee adopted and what triage runs. See policy/README.md, "Versions and their lifecycle".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    COMMENT = "comment", "Open for public comment"
    ADOPTED = "adopted", "Adopted by the school committee"
    EFFECTIVE = "effective", "Effective"
    SUPERSEDED = "superseded", "Superseded"


# Versions whose text the public may read (a draft is still being written).
PUBLIC_STATUSES = (
    VersionStatus.COMMENT,
    VersionStatus.ADOPTED,
    VersionStatus.EFFECTIVE,
    VersionStatus.SUPERSEDED,
)


class Version(models.Model):
    """One version of the district's policy: its Cedar text, a plain-language summary and its dates.

    `effective_from` null on an effective or superseded version means "from the beginning" (the shipped
    default, version 1). A version is in effect from `effective_from` until `superseded_at`; the
    intervals of the versions that took effect never overlap, and only one row is `effective`.
    """

    number = models.PositiveIntegerField(unique=True)
    label = models.CharField(max_length=64, unique=True, help_text="The version string, such as 2026.2.")
    policy_id = models.CharField(max_length=64, default="district")
    text = models.TextField()
    sha256 = models.CharField(max_length=64, db_index=True)
    summary = models.TextField(help_text="What the version says and what it changes, in plain language.")
    test_suite = models.TextField(blank=True, help_text="A policy test suite (JSON) attached to the draft.")
    status = models.CharField(max_length=16, choices=VersionStatus.choices, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    comment_opens_on = models.DateField(null=True, blank=True)
    comment_closes_on = models.DateField(null=True, blank=True)
    adopted_on = models.DateField(null=True, blank=True, help_text="Date of the school committee's vote.")
    minutes_url = models.URLField(max_length=500, blank=True)
    vote_meeting = models.CharField(
        max_length=200,
        blank=True,
        help_text="The school committee meeting that voted, as its minutes name it.",
    )
    vote_result = models.CharField(max_length=200, blank=True, help_text="The vote's result, such as 6 to 1.")
    effective_from = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="effective"),
                name="policy_one_effective_version",
            )
        ]

    def __str__(self) -> str:
        return f"version {self.number} ({self.label})"

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES


class CommentStatus(models.TextChoices):
    UNVERIFIED = "unverified", "Waiting for the email address to be confirmed"
    PENDING = "pending", "Waiting for moderation"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Not published"


class Comment(models.Model):
    """A member of the public's comment on a version open for comment.

    The email address is never shown; the address the comment came from is kept only as a keyed hash,
    enough to limit how many comments one address sends.
    """

    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="comments")
    name = models.CharField(max_length=120, blank=True)
    email = models.EmailField(max_length=254)
    body = models.TextField()
    rules_mentioned = models.JSONField(default=list)
    categories_mentioned = models.JSONField(default=list)
    ip_hash = models.CharField(max_length=64, db_index=True)
    token_sha256 = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=CommentStatus.choices, db_index=True)
    submitted_at = models.DateTimeField(db_index=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_by_name = models.CharField(max_length=200, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderation_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["submitted_at", "pk"]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.version}"

    @property
    def display_name(self) -> str:
        return self.name or "Anonymous"


class CommentTheme(models.Model):
    """The district's response to public comments on one theme, published before adoption: what the
    comments asked, and what changed in the draft or why not. Adoption waits until every published comment
    is answered by a theme."""

    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="comment_themes")
    title = models.CharField(max_length=200, help_text="The theme, as the comments raise it.")
    changed = models.BooleanField(help_text="Whether the draft changed for it.")
    response = models.TextField(help_text="What changed in the draft, or why not.")
    comments = models.ManyToManyField(Comment, related_name="themes")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_by_name = models.CharField(max_length=200)
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["version", "written_at", "pk"]

    def __str__(self) -> str:
        return f"response on {self.title!r} to comments on {self.version}"
