"""`brightline compile_catalogs [--check]`: compile the gettext catalogs without GNU gettext."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from brightline.notices.catalogs import catalogs_compile


class Command(BaseCommand):
    help = "Compile every django.po under brightline/locale into django.mo (pure Python, no msgfmt)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; fail when a compiled catalog is missing or differs from its source.",
        )

    def handle(self, *args: Any, check: bool, **options: Any) -> None:
        results = catalogs_compile(check=check)
        for language, outcome in results:
            self.stdout.write(f"{language}: {outcome}")
        bad = [language for language, outcome in results if outcome in ("stale", "missing")]
        if bad:
            raise CommandError(f"catalogs not compiled or missing: {', '.join(bad)}")
