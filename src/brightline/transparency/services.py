"""Writes for transparency: computing and keeping a period's report at the current checkpoint."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from brightline.errors import Conflict
from brightline.ledger.models import Checkpoint
from brightline.ledger.selectors import checkpoint_latest, ledger_size
from brightline.ledger.services import checkpoint_sign
from brightline.transparency.models import PublishedReport
from brightline.transparency.periods import Period
from brightline.transparency.reports import METHOD_VERSION, report_figures

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


def report_publish(*, period: Period) -> PublishedReport:
    """The report of `period` at the latest checkpoint, computed now if it was not computed before.

    The figures count exactly what the ledger held at the checkpoint's size: they are computed in a
    snapshot in which the ledger's size equals the checkpoint's (every casework change commits with its
    ledger entry). If the ledger grows between signing and the snapshot, we sign again and retry.
    """
    for _ in range(ATTEMPTS):
        checkpoint = current_checkpoint()
        existing = PublishedReport.objects.filter(
            period=period.key, checkpoint=checkpoint, method_version=METHOD_VERSION
        ).first()
        if existing is not None:
            return existing
        with ledger_snapshot():
            if ledger_size() != checkpoint.size:
                continue
            now = timezone.now()
            figures = report_figures(period=period, checkpoint=checkpoint, now=now)
        try:
            with transaction.atomic():
                return PublishedReport.objects.create(
                    period=period.key,
                    checkpoint=checkpoint,
                    checkpoint_size=checkpoint.size,
                    checkpoint_root_hash=bytes(checkpoint.root_hash).hex(),
                    method_version=METHOD_VERSION,
                    computed_at=now,
                    figures=figures,
                )
        except IntegrityError:
            # Another reader computed the same report at the same checkpoint first: same figures.
            return PublishedReport.objects.get(
                period=period.key, checkpoint=checkpoint, method_version=METHOD_VERSION
            )
    raise Conflict("the ledger is changing faster than the report can be computed; try again shortly")
