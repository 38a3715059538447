"""Published transparency reports: one per (period, ledger checkpoint, method version).

Only published figures are stored (suppressed cells have no value here), so the table can be shown,
downloaded and archived as it is. A report is computed once per checkpoint and kept: the figures a
reader saw can always be shown again next to the checkpoint they name.
"""

from __future__ import annotations

from django.db import models


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

    class Meta:
        ordering = ["period", "-checkpoint_size"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "checkpoint", "method_version"],
                name="transparency_one_report_per_checkpoint",
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} at ledger size {self.checkpoint_size}"
