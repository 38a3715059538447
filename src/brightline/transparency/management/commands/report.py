"""`brightline report verify PERIOD [--figures FILE --rows FILE [--publication FILE]]`: count a published
report again from its published rows (every table, label, cell, suppression mark, total, share and the
time to decision), check that the figures and rows hash to what the publication's ledger entry records,
that the entry is in the tree of the checkpoint the report is bound to, and the checkpoints themselves.

With `--figures` and `--rows` (the `<period>.json` and `<period>.rows.json` downloads) the recount needs
no database; `--publication` (the `<period>.publication.json` download) checks the ledger entry from it,
else it is read from this installation's ledger. The checkpoints' signatures and roots are checked
against this installation's ledger when it has one (skip with `--no-ledger`, which then needs
`--publication`). Exit 0 only when every check holds; 1 when one does not; 2 on bad input.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from brightline.transparency.exports import figures_bytes, publication_document, rows_bytes
from brightline.transparency.selectors import report_public
from brightline.transparency.verify import (
    checkpoint_problems,
    figures_problems,
    publication_ledger_problems,
    publication_problems,
)


class Command(BaseCommand):
    help = "Recompute a published transparency report from its published rows and check its checkpoint."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        verify = actions.add_parser("verify", help="recompute every flow table and check the checkpoint")
        verify.add_argument("period", help="the period, such as 2026-Q1 or 2026-H1")
        verify.add_argument("--figures", type=Path, help="the report's JSON download (else the database)")
        verify.add_argument("--rows", type=Path, help="the report's rows download (with --figures)")
        verify.add_argument(
            "--publication",
            type=Path,
            help="the report's publication download (its ledger entry; else read from the ledger here)",
        )
        verify.add_argument("--no-ledger", action="store_true", help="do not check the checkpoint here")

    def _read(self, path: Path, what: str) -> bytes:
        try:
            return path.read_bytes()
        except OSError as error:
            raise CommandError(f"{what}: cannot read {path}: {error}", returncode=2) from None

    def _parse(self, raw: bytes, path: Path | None, what: str) -> dict[str, Any]:
        try:
            loaded = json.loads(raw.decode("utf-8"))
        except ValueError as error:
            raise CommandError(f"{what}: cannot read {path}: {error}", returncode=2) from None
        if not isinstance(loaded, dict):
            raise CommandError(f"{what}: {path} is not a JSON object", returncode=2)
        return loaded

    def _load(self, path: Path, what: str) -> dict[str, Any]:
        return self._parse(self._read(path, what), path, what)

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options["figures"]) != bool(options["rows"]):
            raise CommandError("--figures and --rows go together", returncode=2)
        publication = self._load(options["publication"], "--publication") if options["publication"] else None
        if options["figures"]:
            figures_raw = self._read(options["figures"], "--figures")
            rows_raw = self._read(options["rows"], "--rows")
            figures = self._parse(figures_raw, options["figures"], "--figures")
            rows = self._parse(rows_raw, options["rows"], "--rows")
            if figures.get("period", {}).get("key") != options["period"]:
                raise CommandError(f"--figures: not the report of {options['period']}", returncode=2)
        else:
            found = report_public(options["period"])
            if found is None:
                raise CommandError(f"no published report for {options['period']}", returncode=2)
            figures_raw, rows_raw = figures_bytes(found[1]), rows_bytes(found[1])
            figures, rows = self._parse(figures_raw, None, "figures"), self._parse(rows_raw, None, "rows")
        if publication is None and not options["no_ledger"]:
            found = report_public(options["period"])
            publication = publication_document(found[1]) if found is not None else None
        problems = figures_problems(figures, rows)
        if publication is None and options["no_ledger"]:
            problems.append("the publication's ledger entry was not checked: give --publication")
        else:
            problems += publication_problems(
                publication, period=options["period"], figures_bytes=figures_raw, rows_bytes=rows_raw
            )
        if not options["no_ledger"]:
            problems += checkpoint_problems(figures)
            if publication is not None:
                problems += publication_ledger_problems(publication)
        tables = len(figures.get("tables", [])) + len(figures.get("flows", {}).get("tables", []))
        if problems:
            for problem in problems:
                self.stderr.write(f"FAIL {problem}")
            raise CommandError(
                f"{len(problems)} problem(s) in the report of {options['period']}", returncode=1
            )
        assert publication is not None
        checkpoint = figures["checkpoint"]
        bound = publication["checkpoint"]
        self.stdout.write(
            f"OK {options['period']}: {tables} tables recomputed from the published rows, which count the "
            f"ledger at checkpoint {checkpoint['size']} (root {checkpoint['root_hash']}); figures and rows are "
            f"the ones ledger entry {publication['index']} records, in the tree of checkpoint {bound['size']} "
            f"(root {bound['root_hash']})"
            + (" (signature and ledger not checked here)" if options["no_ledger"] else "")
        )
