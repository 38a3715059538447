"""The roster on a schedule: the SIS drops a OneRoster bundle in a folder, and a timer (or the task
worker) imports it (`brightline roster import-dropped`, `roster.tasks.import_dropped_roster`).

The bundle is the folder itself when it holds `users.csv`, else the newest `.zip` file or subfolder in it.
A bundle already imported (the same SHA-256 of its files) is not imported again, nor is one already
refused: the report of a refusal stays for the administrator until a new export arrives. A refused
import changes nothing (`roster_import` is all or nothing); it is recorded and every active
administrator with an e-mail address is told, with the report.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from brightline.accounts.models import Role, User
from brightline.roster.models import RosterImport
from brightline.roster.oneroster import EXTENSION_FILE
from brightline.roster.services import ImportSummary, RosterImportError, roster_import

logger = logging.getLogger("brightline.roster")
# The most a dropped .zip may unpack to: a 100,000-student export is about 60 MB.
MAX_UNPACKED_BYTES = 2 * 1024**3


@dataclass(frozen=True)
class DroppedOutcome:
    """What one scheduled run did: `state` is `imported`, `refused`, `unchanged` or `empty`."""

    state: str
    source: str
    lines: list[str]


def _bundle_in(folder: Path) -> Path | None:
    if (folder / "users.csv").is_file():
        return folder
    candidates = [
        path
        for path in folder.iterdir()
        if (path.is_dir() and (path / "users.csv").is_file()) or (path.is_file() and path.suffix == ".zip")
    ]
    return max(candidates, key=lambda path: (path.stat().st_mtime, path.name)) if candidates else None


def _fingerprint(bundle: Path) -> str:
    digest = hashlib.sha256()
    if bundle.is_file():
        digest.update(bundle.read_bytes())
        return digest.hexdigest()
    for path in sorted(bundle.glob("*.csv")):
        digest.update(path.name.encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


# The OneRoster files the import reads (roster.oneroster): nothing else in a dropped .zip is written out.
ONEROSTER_FILES = frozenset(
    {
        "manifest.csv",
        "orgs.csv",
        "users.csv",
        "roles.csv",
        "demographics.csv",
        "enrollments.csv",
        EXTENSION_FILE,
    }
)
_CHUNK = 1024 * 1024


class BundleRefused(Exception):
    """The dropped .zip is not one the import can take; the message says why."""


def _unpack(archive: Path, into: Path) -> Path:
    """The OneRoster files of a .zip, flattened into `into` (no path in the archive is followed).

    Each member is streamed to disk in chunks with a running count of the bytes written, against
    MAX_UNPACKED_BYTES: the declared sizes of a zip are not trusted, and the bundle is refused as soon as
    the count passes the limit. Two members with the same file name in different folders are refused,
    naming both: the import cannot know which one the SIS meant.
    """
    written = 0
    with zipfile.ZipFile(archive) as bundle:
        chosen: dict[str, zipfile.ZipInfo] = {}
        for info in bundle.infolist():
            if info.is_dir():
                continue
            name = PurePosixPath(info.filename).name
            if name not in ONEROSTER_FILES:
                continue
            if name in chosen:
                raise BundleRefused(
                    f"it holds {name} twice, as {chosen[name].filename} and as {info.filename}:"
                    " drop a bundle with one of each file"
                )
            chosen[name] = info
        for name, info in chosen.items():
            with bundle.open(info) as source, (into / name).open("wb") as target:
                while chunk := source.read(_CHUNK):
                    written += len(chunk)
                    if written > MAX_UNPACKED_BYTES:
                        raise BundleRefused(
                            f"it unpacks to more than {MAX_UNPACKED_BYTES // 1024**3} GB (stopped at {name})"
                        )
                    target.write(chunk)
    return into


# The refusal e-mail names the count and the first problems; the whole report stays in RosterImport.report.
MAIL_REPORT_LINES = 50


def _tell_administrators(source: str, report: list[str]) -> None:
    recipients = sorted(
        set(
            User.objects.filter(role=Role.ADMIN, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    if not recipients:
        logger.warning("roster import from %s refused and no administrator has an e-mail address", source)
        return
    shown = report[: MAIL_REPORT_LINES + 1]  # the heading line, then the first problems
    rest = len(report) - len(shown)
    body = "\n".join(
        [
            f"The roster bundle dropped at {source} was not imported: nothing in the roster changed.",
            "Correct the export in the student information system and drop it again.",
            "",
            *shown,
            *([f"  … and {rest} more lines: the whole report is on the setup checklist."] if rest else []),
            "",
            f"The report is also on the setup checklist: {settings.SITE_URL}/administration/settings/",
        ]
    )
    try:
        send_mail("Bright Line: the roster import was refused", body, None, recipients)
    except OSError as error:
        logger.error("could not tell the administrators that the roster import was refused: %s", error)


def roster_import_dropped(*, folder: Path | None = None) -> DroppedOutcome:
    """Import the bundle waiting in the drop folder (`settings.ROSTER_DROP_DIR` unless given)."""
    folder = Path(folder or settings.ROSTER_DROP_DIR)
    if not folder.is_dir():
        return DroppedOutcome("empty", str(folder), [f"the drop folder {folder} does not exist"])
    bundle = _bundle_in(folder)
    if bundle is None:
        return DroppedOutcome("empty", str(folder), [f"no bundle in {folder}"])
    fingerprint = _fingerprint(bundle)
    source = str(bundle)
    seen = RosterImport.objects.filter(fingerprint=fingerprint).order_by("-started_at", "-pk").first()
    if seen is not None:
        taken = "imported" if seen.succeeded else "refused"
        return DroppedOutcome(
            "unchanged",
            source,
            [f"{source}: already {taken} on {seen.started_at:%Y-%m-%d %H:%M}; nothing to do"],
        )
    with tempfile.TemporaryDirectory(prefix="brightline-roster-") as scratch:
        try:
            directory = _unpack(bundle, Path(scratch)) if bundle.is_file() else bundle
            summary: ImportSummary = roster_import(
                directory=directory, scheduled=True, source=source, fingerprint=fingerprint, name=source
            )
        except (RosterImportError, BundleRefused, zipfile.BadZipFile, OSError) as error:
            if isinstance(error, RosterImportError) and error.problems:
                report = error.report()
            else:
                report = [f"the bundle could not be read: {error}"]
                if not RosterImport.objects.filter(fingerprint=fingerprint).exists():
                    now = timezone.now()
                    RosterImport.objects.create(
                        started_at=now,
                        finished_at=now,
                        source=source[:1000],
                        fingerprint=fingerprint,
                        scheduled=True,
                        succeeded=False,
                        report=report,
                    )
            _tell_administrators(source, report)
            return DroppedOutcome("refused", source, report)
    return DroppedOutcome("imported", source, summary.lines())
