"""`brightline transparency publish [--dry-run]`: publish each period's report once, after it ends."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from brightline.transparency.selectors import periods_due
from brightline.transparency.services import reports_publish_due


class Command(BaseCommand):
    help = "Publish the transparency report of every period that has ended and is not yet published."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        publish = actions.add_parser("publish", help="publish ended periods (run it daily from cron)")
        publish.add_argument("--dry-run", action="store_true", help="name the periods; publish nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            due = periods_due()
            self.stdout.write(
                "would publish: " + ", ".join(p.key for p in due) if due else "nothing to publish"
            )
            return
        published = reports_publish_due()
        for report in published:
            self.stdout.write(
                f"published {report.period} at ledger checkpoint {report.checkpoint_size} "
                f"(root {report.checkpoint_root_hash})"
            )
        if not published:
            self.stdout.write("nothing to publish")
