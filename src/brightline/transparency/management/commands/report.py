"""`brightline report verify PERIOD [--figures FILE --rows FILE]`: count a published report's flow tables
again from its published rows, and check the ledger checkpoint it is bound to.

With `--figures` and `--rows` (the `<period>.json` and `<period>.rows.json` downloads) the recount needs
no database; the checkpoint is then checked against this installation's ledger when it has one (skip
with `--no-ledger`). Exit 0 only when every check holds; 1 when one does not; 2 on bad input.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from brightline.transparency.exports import rows_document
from brightline.transparency.selectors import report_public
from brightline.transparency.verify import checkpoint_problems, figures_problems


class Command(BaseCommand):
    help = "Recompute a published transparency report from its published rows and check its checkpoint."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        verify = actions.add_parser("verify", help="recompute every flow table and check the checkpoint")
        verify.add_argument("period", help="the period, such as 2026-Q1 or 2026-H1")
        verify.add_argument("--figures", type=Path, help="the report's JSON download (else the database)")
        verify.add_argument("--rows", type=Path, help="the report's rows download (with --figures)")
        verify.add_argument("--no-ledger", action="store_true", help="do not check the checkpoint here")

    def _load(self, path: Path, what: str) -> dict[str, Any]:
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"{what}: cannot read {path}: {error}", returncode=2) from None
        if not isinstance(loaded, dict):
            raise CommandError(f"{what}: {path} is not a JSON object", returncode=2)
        return loaded

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options["figures"]) != bool(options["rows"]):
            raise CommandError("--figures and --rows go together", returncode=2)
        if options["figures"]:
            figures = self._load(options["figures"], "--figures")
            rows = self._load(options["rows"], "--rows")
            if figures.get("period", {}).get("key") != options["period"]:
                raise CommandError(f"--figures: not the report of {options['period']}", returncode=2)
        else:
            found = report_public(options["period"])
            if found is None:
                raise CommandError(f"no published report for {options['period']}", returncode=2)
            figures, rows = found[1].figures, rows_document(found[1])
        problems = figures_problems(figures, rows)
        if not options["no_ledger"]:
            problems += checkpoint_problems(figures)
        tables = len(figures.get("flows", {}).get("tables", []))
        if problems:
            for problem in problems:
                self.stderr.write(f"FAIL {problem}")
            raise CommandError(
                f"{len(problems)} problem(s) in the report of {options['period']}", returncode=1
            )
        checkpoint = figures["checkpoint"]
        self.stdout.write(
            f"OK {options['period']}: {tables} tables recomputed from the published rows"
            + (
                ""
                if options["no_ledger"]
                else f"; bound to ledger checkpoint {checkpoint['size']} (root {checkpoint['root_hash']})"
            )
        )
