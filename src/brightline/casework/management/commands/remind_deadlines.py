"""`brightline remind_deadlines [--dry-run]`: remind the people who must act of due and overdue requests."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from brightline.casework.reminders import deadline_reminders_queue
from brightline.casework.services import unidentified_close_overdue


class Command(BaseCommand):
    help = (
        "Queue today's reminders for requests whose decision is due within a business day or overdue, and "
        "close students still unidentified long after the deadline (run daily)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="list the reminders without sending any")

    def handle(self, *args: Any, **options: Any) -> None:
        reminders = deadline_reminders_queue(dry_run=options["dry_run"])
        for reminder in reminders:
            self.stdout.write(
                f"{reminder.request.reference}: {reminder.get_kind_display().lower()} → "
                f"{', '.join(reminder.roles)} ({len(reminder.recipients)} people)"
            )
        verb = "would be sent" if options["dry_run"] else "queued"
        self.stdout.write(f"{len(reminders)} reminders {verb}.")
        closed = unidentified_close_overdue(dry_run=options["dry_run"])
        for rs in closed:
            self.stdout.write(f"{rs.request.reference}: student {rs.position + 1} not identified, closed")
        verb = "would be closed" if options["dry_run"] else "closed"
        self.stdout.write(f"{len(closed)} unidentified students {verb} (no records released).")
        if not options["dry_run"]:
            from brightline.casework.preservation import preservations_expire_due

            ended = preservations_expire_due()
            self.stdout.write(f"{len(ended)} preservation holds expired (no legal process followed).")
