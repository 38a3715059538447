"""`insert_new`: new rows of one model written by the ORM's `bulk_create`.

Kept only for the record of disclosures (`disclosures.services`) until it calls `bulk_create` itself;
nothing else uses it. `bulk_create` keeps each statement within the database's limit on parameters,
sets `auto_now` fields and gives each row its new primary key.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Model


def insert_new(rows: Sequence[Model]) -> None:
    """INSERT these new rows of one model, as `bulk_create` does (it is `bulk_create`)."""
    type(rows[0])._default_manager.bulk_create(list(rows))
