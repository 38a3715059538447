"""Published transparency reports: one publication per period, computed once after the period ended.

Only published figures are stored (suppressed cells have no value here), so the table can be shown,
downloaded and archived as it is. A period's report is computed once, at publication, and never again:
two computations of the same period at two moments would tell, by their difference, what happened in
between — one request's kind, purpose and outcome.

Rows with `published` false were computed before publication existed, at each new checkpoint of a
period still in progress; they are kept for the record and never shown.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class PublishedReport(models.Model):
    """The published figures of one period, computed from the ledger at one signed checkpoint."""

    period = models.CharField(max_length=7, help_text="2026-Q1 … 2026-Q4, 2026-H1, 2026-H2")
    checkpoint = models.ForeignKey("ledger.Checkpoint", on_delete=models.PROTECT, related_name="+")
    # Copied from the checkpoint so that the report names it on its own.
    checkpoint_size = models.BigIntegerField()
    checkpoint_root_hash = models.CharField(max_length=64)
    method_version = models.PositiveSmallIntegerField()
    computed_at = models.DateTimeField()
    figures = models.JSONField()
    # The rows the flow tables count (method 3 on; flows.py), generalized: the report names their SHA-256.
    rows = models.JSONField(default=dict, blank=True)
    published = models.BooleanField(
        default=False, help_text="The period's one publication, computed after the period ended."
    )
    # The ledger entry the publication appended (its record holds the SHA-256 of the figures and rows
    # downloads), and the checkpoint signed with it, whose tree includes it: the report is bound to it.
    ledger_index = models.BigIntegerField(null=True, blank=True)
    publication_checkpoint = models.ForeignKey(
        "ledger.Checkpoint", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["period", "-checkpoint_size"]
        constraints = [
            models.UniqueConstraint(
                fields=["period"], condition=Q(published=True), name="transparency_one_publication_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} at ledger size {self.checkpoint_size}"
