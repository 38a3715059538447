"""`brightline ledger checkpoint | verify | verify-remote`."""

from __future__ import annotations

import base64
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from brightline.ledger import keys
from brightline.ledger.notes import NoteError, VerifierKey, parse_verifier_key
from brightline.ledger.remote import RemoteVerificationError, verify_remote
from brightline.ledger.row_checks import verify_rows
from brightline.ledger.selectors import checkpoint_latest, ledger_size
from brightline.ledger.services import checkpoint_sign
from brightline.ledger.verification import default_workers, verify_ledger


class Command(BaseCommand):
    help = "Sign ledger checkpoints, verify the local ledger, or verify a published one."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        sign = actions.add_parser("checkpoint", help="sign a checkpoint if the log grew (run it from cron)")
        sign.add_argument("--force", action="store_true", help="sign even if the log has not grown")
        sign.add_argument("--dry-run", action="store_true", help="say what would be signed; sign nothing")
        verify = actions.add_parser("verify", help="recompute the tree and check every entry and checkpoint")
        verify.add_argument("--key", help="the log's verifier key (default: this installation's key)")
        verify.add_argument("--workers", type=int, default=default_workers(), help="processes hashing chunks")
        verify.add_argument(
            "--log-only",
            action="store_true",
            help="check the log alone, not the rows people read against what it recorded",
        )
        remote = actions.add_parser("verify-remote", help="verify a published Bright Line ledger over HTTP")
        remote.add_argument(
            "url", help="the base URL of the Bright Line site, e.g. https://records.example.org"
        )
        remote.add_argument("--since", type=Path, help="a checkpoint saved earlier: prove the log only grew")
        remote.add_argument("--key", help="the log's verifier key (default: fetched from URL/ledger/key)")
        remote.add_argument("--entries", action="store_true", help="also fetch and re-hash every entry")
        remote.add_argument("--save", type=Path, help="write the verified latest checkpoint to this file")
        remote.add_argument(
            "--receipt",
            help='a receipt as JSON (\'{"index":…,"leaf":…,"size":…}\') or a file holding one: '
            "prove that entry is in the signed log",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "checkpoint":
            self._checkpoint(force=options["force"], dry_run=options["dry_run"])
        elif action == "verify":
            self._verify(
                key_text=options["key"], workers=max(1, options["workers"]), rows=not options["log_only"]
            )
        else:
            self._verify_remote(options)

    def _checkpoint(self, *, force: bool, dry_run: bool) -> None:
        latest = checkpoint_latest()
        size = ledger_size()
        if dry_run:
            grown = latest is None or size > latest.size
            verb = "would sign" if grown or force else "would not sign"
            self.stdout.write(
                f"{verb} a checkpoint of size {size} (latest signed: {latest.size if latest else 'none'})"
            )
            return
        checkpoint = checkpoint_sign(only_if_grown=not force)
        if checkpoint is None:
            self.stdout.write(f"the log has not grown since the checkpoint of size {size}: nothing signed")
            return
        self.stdout.write(checkpoint.note, ending="")

    def _verify(self, *, key_text: str | None, workers: int, rows: bool) -> None:
        key: VerifierKey | None
        if key_text:
            try:
                key = parse_verifier_key(key_text)
            except NoteError as error:
                raise CommandError(f"--key: {error}") from None
        else:
            public = keys.existing_public_key()
            key = None if public is None else VerifierKey(settings.LEDGER_ORIGIN, 0x01, public)
        started = time.perf_counter()
        report = verify_ledger(key=key, workers=workers)
        log_seconds = time.perf_counter() - started
        # The rows are checked even when the log is not sound: every row that differs is named.
        checked = verify_rows() if rows else None
        messages = report.messages() + (checked.messages() if checked is not None else [])
        if messages:
            for message in messages:
                self.stderr.write(message)
            raise CommandError(f"the ledger does not verify: {messages[0]}", returncode=1)
        self.stdout.write(
            f"ledger verified: {report.entries} entries, root {base64.b64encode(report.root).decode()}, "
            f"{report.checkpoints} checkpoints and {report.cosignatures} cosignatures ({log_seconds:.2f} s)"
        )
        if checked is not None:
            compared = ", ".join(f"{count} {label}" for label, count in checked.rows.items())
            self.stdout.write(
                f"rows agree with the ledger: {compared or 'no rows'}, against {checked.events} event "
                f"records ({checked.seconds:.2f} s)"
            )

    def _verify_remote(self, options: dict[str, Any]) -> None:
        since_text = None
        if options["since"] is not None:
            try:
                since_text = options["since"].read_text(encoding="utf-8")
            except OSError as error:
                raise CommandError(f"--since: cannot read {options['since']}: {error.strerror}") from None
        receipt_text = options["receipt"]
        if receipt_text is not None and not receipt_text.lstrip().startswith("{"):
            try:
                receipt_text = Path(receipt_text).read_text(encoding="utf-8")
            except OSError as error:
                raise CommandError(f"--receipt: cannot read {receipt_text}: {error.strerror}") from None
        try:
            report = verify_remote(
                options["url"],
                since_text=since_text,
                key_text=options["key"],
                rehash=options["entries"],
                receipt_text=receipt_text,
            )
        except RemoteVerificationError as error:
            raise CommandError(f"the published ledger does not verify: {error}", returncode=1) from None
        for line in report.lines:
            self.stdout.write(line)
        if options["save"] is not None:
            checkpoint = report.checkpoint
            text = checkpoint.body + "\n" + "".join(signature.line for signature in checkpoint.signatures)
            options["save"].write_text(text, encoding="utf-8")
            self.stdout.write(f"saved the latest checkpoint to {options['save']}")
