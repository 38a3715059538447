"""`brightline compile_catalogs [--check]`: compile the gettext catalogs without GNU gettext."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from brightline.notices.catalogs import catalog_completeness, catalogs_compile


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
        if check:
            # Every string of a translated template, of the notices and of the family's words must have
            # a translation in every catalog: a page is never half translated.
            incomplete = []
            for language, _outcome in results:
                completeness = catalog_completeness(language)
                if not completeness.complete:
                    gaps = completeness.missing + completeness.untranslated + completeness.fuzzy
                    incomplete.append(f"{language} ({len(gaps)}: {gaps[0]!r}…)")
            if incomplete:
                raise CommandError(
                    f"catalogs without a translation for every string: {'; '.join(incomplete)}"
                )
