"""Writes for transparency: publishing a period's report, once, after the period ended.

Publication is the only computation of a report: the pages, downloads and API only read what was
published, so a visitor never causes a row to be written or a checkpoint to be signed, and no two
computations of one period exist for a reader to subtract from each other. Run `brightline
transparency publish` from cron (daily) to publish each period at the first run after it ends.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from brightline.errors import Conflict, InvalidInput
from brightline.ledger.models import Checkpoint
from brightline.ledger.selectors import checkpoint_latest, ledger_size
from brightline.ledger.services import checkpoint_sign, ledger_append
from brightline.transparency.exports import figures_bytes, rows_bytes
from brightline.transparency.models import PublishedReport
from brightline.transparency.periods import Period
from brightline.transparency.reports import METHOD_VERSION, report_publication
from brightline.transparency.selectors import periods_due

# Each attempt signs a checkpoint and opens a snapshot; a write landing in between costs one retry.
ATTEMPTS = 5


@contextmanager
def ledger_snapshot() -> Iterator[None]:
    """One consistent view of every table for the duration of the block.

    PostgreSQL: a REPEATABLE READ transaction (a snapshot; writers are not blocked). SQLite: the
    project's transactions begin IMMEDIATE, which holds the write lock, so nothing commits meanwhile.
    Inside an outer transaction (tests) the outer transaction's view is used as it is.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def current_checkpoint() -> Checkpoint:
    """The latest signed checkpoint, after signing one if the ledger grew since (or none exists)."""
    signed = checkpoint_sign(only_if_grown=True)
    if signed is not None:
        return signed
    latest = checkpoint_latest()
    assert latest is not None  # checkpoint_sign signs when there is no checkpoint at all
    return latest


def report_publish(*, period: Period, now: dt.datetime | None = None) -> PublishedReport:
    """Publish the report of `period`, which must have ended; the publication if it exists already.

    The figures count exactly what the ledger held at the latest checkpoint: they are computed in a
    snapshot in which the ledger's size equals the checkpoint's (every casework change commits with its
    ledger entry). If the ledger grows between signing and the snapshot, we sign again and retry. Once
    published, a period's figures are never computed again.
    """
    now = now or timezone.now()
    if not period.is_complete(now):
        raise InvalidInput(
            [("period", f"{period.key} has not ended: a report is published after its period")]
        )
    existing = PublishedReport.objects.filter(period=period.key, published=True).first()
    if existing is not None:
        return existing
    # A half-year publishes exactly its quarters' published rows (flows.union_rows): its quarters first.
    parts = [report_publish(period=quarter, now=now).rows for quarter in period.quarters] or None
    for _ in range(ATTEMPTS):
        existing = PublishedReport.objects.filter(period=period.key, published=True).first()
        if existing is not None:
            return existing
        checkpoint = current_checkpoint()
        with ledger_snapshot():
            if ledger_size() != checkpoint.size:
                continue
            computed_at = timezone.now()
            figures, rows = report_publication(
                period=period, checkpoint=checkpoint, now=computed_at, parts=parts
            )
        try:
            with transaction.atomic():
                report = PublishedReport.objects.create(
                    period=period.key,
                    checkpoint=checkpoint,
                    checkpoint_size=checkpoint.size,
                    checkpoint_root_hash=bytes(checkpoint.root_hash).hex(),
                    method_version=METHOD_VERSION,
                    computed_at=computed_at,
                    figures=figures,
                    rows=rows,
                    published=True,
                )
                _record_publication(report)
                return report
        except IntegrityError:
            # Another publisher got there first: its publication is the period's.
            continue
    existing = PublishedReport.objects.filter(period=period.key, published=True).first()
    if existing is not None:
        return existing
    raise Conflict("the ledger is changing faster than the report can be computed; try again shortly")


def _record_publication(report: PublishedReport) -> None:
    """Append the publication's ledger entry (the SHA-256 of the figures and rows downloads, exactly as they
    are served) and sign a checkpoint whose tree includes it: the checkpoint the report is bound to.

    In the publication's transaction: a report is never published without its entry. The public leaf is a
    commitment like every other (index, record hash, time); the event record, which names only the period,
    the counted checkpoint and the two digests, is published with the report (`publication_document`).
    """
    entry = ledger_append(
        event_type="transparency.report_published",
        subject={"period": report.period},
        record={
            "period": report.period,
            "method_version": report.method_version,
            "counted_at": {"size": report.checkpoint_size, "root_hash": report.checkpoint_root_hash},
            "figures_sha256": hashlib.sha256(figures_bytes(report)).hexdigest(),
            "rows_sha256": hashlib.sha256(rows_bytes(report)).hexdigest(),
        },
    )
    bound = checkpoint_sign(only_if_grown=True)
    assert bound is not None and bound.size > entry.index  # the entry was just appended
    report.ledger_index = entry.index
    report.publication_checkpoint = bound
    report.save(update_fields=["ledger_index", "publication_checkpoint"])


def reports_publish_due(*, now: dt.datetime | None = None) -> list[PublishedReport]:
    """Publish every period that has ended and has no publication yet; the new publications."""
    now = now or timezone.now()
    return [report_publish(period=period, now=now) for period in periods_due(now=now)]
