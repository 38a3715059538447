"""`brightline roster import DIR [--dry-run]`: load the district roster from a OneRoster CSV bundle."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from brightline.roster.services import RosterImportError, roster_import


class Command(BaseCommand):
    help = (
        "Roster maintenance. `roster import DIR` loads a OneRoster 1.1/1.2 CSV bundle (see roster/README.md)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        load = actions.add_parser(
            "import",
            help="Import a OneRoster bundle: all or nothing; exit status 2 with a report of every bad row.",
        )
        load.add_argument(
            "directory", type=Path, help="folder holding orgs.csv, users.csv, enrollments.csv, ..."
        )
        load.add_argument(
            "--dry-run",
            action="store_true",
            help="check everything and report what would change; save nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self.import_bundle(directory=options["directory"], dry_run=options["dry_run"])

    def import_bundle(self, *, directory: Path, dry_run: bool) -> None:
        try:
            summary = roster_import(directory=directory, dry_run=dry_run)
        except RosterImportError as error:
            for line in error.report()[1:]:
                self.stderr.write(line)
            raise CommandError(str(error), returncode=2) from error
        for line in summary.lines():
            self.stdout.write(line)
