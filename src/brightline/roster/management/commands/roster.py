"""`brightline roster import DIR [--dry-run]`: load the district roster from a OneRoster CSV bundle."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from brightline.roster.scheduled import roster_import_dropped
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

        dropped = actions.add_parser(
            "import-dropped",
            help="Import the bundle the SIS dropped in BRIGHTLINE_ROSTER_DROP_DIR (a folder or a .zip), once; "
            "run by a timer. A refusal changes nothing, is kept for the setup checklist and e-mailed to the "
            "administrators; exit status 2.",
        )
        dropped.add_argument("--folder", type=Path, default=None, help="another drop folder than the setting")
        dropped.add_argument(
            "--enqueue",
            action="store_true",
            help="leave the import to the task worker (brightline db_worker)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self.import_bundle(directory=options["directory"], dry_run=options["dry_run"])
        elif options["action"] == "import-dropped":
            self.import_dropped(folder=options["folder"], enqueue=options["enqueue"])

    def import_dropped(self, *, folder: Path | None, enqueue: bool) -> None:
        if enqueue:
            if folder is not None:
                raise CommandError("--enqueue imports from BRIGHTLINE_ROSTER_DROP_DIR; leave out --folder")
            from brightline.roster.tasks import import_dropped_roster

            result = import_dropped_roster.enqueue()
            self.stdout.write(f"queued for the task worker: {result.id}")
            return
        outcome = roster_import_dropped(folder=folder)
        for line in outcome.lines:
            (self.stderr if outcome.state == "refused" else self.stdout).write(line)
        if outcome.state == "refused":
            raise CommandError("the roster import was refused; nothing changed", returncode=2)

    def import_bundle(self, *, directory: Path, dry_run: bool) -> None:
        try:
            summary = roster_import(directory=directory, dry_run=dry_run)
        except RosterImportError as error:
            for line in error.report()[1:]:
                self.stderr.write(line)
            raise CommandError(str(error), returncode=2) from error
        for line in summary.lines():
            self.stdout.write(line)
