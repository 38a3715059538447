"""`brightline backup FILE`: a consistent copy of the live database (see operations/backup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from brightline.operations.backup import BackupError, backup, check


class Command(BaseCommand):
    help = "Write a consistent backup of the database to FILE (SQLite online backup or pg_dump -Fc)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        target: Path = options["file"]
        try:
            backup(target)
            summary = check(target)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"wrote {target}: {summary}")
