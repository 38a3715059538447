"""`brightline withheld_due [--dry-run]`: end the non-disclosure orders whose end date has come and remind
counsel and the administrator of entries kept from families that come due (run daily)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from brightline.disclosures.reminders import withheld_reminders_queue
from brightline.disclosures.services import nondisclosure_orders_end_due


class Command(BaseCommand):
    help = (
        "End the non-disclosure orders whose end date has come (their entries become visible and the "
        "family is told), and queue today's reminders of orders and family-notice decisions that come due "
        "within a business day or are overdue (run daily)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would end and be sent, changing nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        ended = nondisclosure_orders_end_due(dry_run=dry_run)
        for order in ended:
            self.stdout.write(
                f"{order.reference}: non-disclosure order ended, its entries shown to the family"
            )
        self.stdout.write(f"{len(ended)} orders {'would end' if dry_run else 'ended'}.")
        reminders = withheld_reminders_queue(dry_run=dry_run)
        for reminder in reminders:
            self.stdout.write(
                f"{reminder.reference}: {reminder.get_kind_display().lower()}"
                f"{' (overdue)' if reminder.overdue else ''} → {', '.join(reminder.roles)} "
                f"({len(reminder.recipients)} people)"
            )
        self.stdout.write(f"{len(reminders)} reminders {'would be sent' if dry_run else 'queued'}.")
