"""Background work for the roster, run by the task worker (`brightline db_worker`)."""

from __future__ import annotations

from django_tasks import task

from brightline.roster.scheduled import roster_import_dropped


@task()
def import_dropped_roster() -> str:
    """Import the bundle waiting in the drop folder; the outcome's state (`imported`, `refused`, …)."""
    return roster_import_dropped().state
