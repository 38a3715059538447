"""Scheduled work for the ledger. Tasks carry primary keys; the logic lives in services.

Until the project's task worker exists, run `brightline ledger checkpoint` from cron (it signs only
when the log has grown), e.g. every five minutes: `*/5 * * * * brightline ledger checkpoint`.
"""

from __future__ import annotations

from brightline.ledger.services import checkpoint_sign


def checkpoint_sign_if_grown() -> int | None:
    """Sign a checkpoint when the log grew since the last one; returns the new checkpoint's id."""
    checkpoint = checkpoint_sign(only_if_grown=True)
    return None if checkpoint is None else checkpoint.pk
