"""`brightline notices_send_due [--dry-run]`: queue every email notice whose retry time has come."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from brightline.notices.services import notices_send_due, official_emails_send_due


class Command(BaseCommand):
    help = (
        "Queue a send for each email notice, and each email to counsel or the missing-persons contact, "
        "that is due (retries, or tasks lost by the worker)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List the due notices; queue nothing.")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        due = notices_send_due(dry_run=dry_run)
        verb = "would queue" if dry_run else "queued"
        self.stdout.write(f"{verb} {len(due)} email notice(s){': ' if due else ''}{', '.join(map(str, due))}")
        official = official_emails_send_due(dry_run=dry_run)
        if official:
            self.stdout.write(
                f"{verb} {len(official)} email(s) to counsel or the missing-persons contact: "
                f"{', '.join(map(str, official))}"
            )
