"""Requester organisations, the people who act for them, and their API tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models


def requester_kind_choices() -> list[tuple[str, str]]:
    from brightline.vocabulary import REQUESTER_KINDS

    return [(kind, kind.replace("_", " ").capitalize()) for kind in REQUESTER_KINDS]


class Agency(models.Model):
    """An outside organisation that asks for student records (police, DCF, a court, ...)."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40, choices=requester_kind_choices)
    jurisdiction = models.CharField(max_length=200, blank=True)
    address = models.TextField(blank=True)
    # The records office checks that an agency is who it says before its portal requests are worked.
    verified = models.BooleanField(default=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Requester(models.Model):
    """A person who acts for an agency: an officer, an investigator, a clerk of court."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="requester")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="requesters")
    position = models.CharField(max_length=120)
    badge_or_id = models.CharField(max_length=60, blank=True)

    def __str__(self) -> str:
        return f"{self.user} — {self.position}, {self.agency}"


class TokenScope(models.TextChoices):
    SUBMIT = "submit", "Submit requests"
    READ_OWN = "read_own", "Read the agency's own requests"


class ApiToken(models.Model):
    """A bearer token for an agency's system. Only its SHA-256 is stored; the token is shown once."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=120)
    prefix = models.CharField(max_length=12, db_index=True)
    token_sha256 = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.agency}: {self.name} ({self.prefix}…)"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes
