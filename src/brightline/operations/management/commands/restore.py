"""`brightline restore FILE [--dry-run]`: replace the database's contents with a backup's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from brightline.operations.backup import BackupError, check, restore


class Command(BaseCommand):
    help = (
        "Replace the live database's contents with FILE, made by `brightline backup`. Stop the server "
        "first. Run `brightline ledger verify` afterwards."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check the file and change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["file"]
        try:
            if options["dry_run"]:
                self.stdout.write(f"would restore {source}: {check(source)} (nothing changed)")
                return
            summary = restore(source)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"restored {source}: {summary}")
