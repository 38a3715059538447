"""Where a weapon report routed on the district's own motion is recorded, asked through one port.

M.G.L. c.71 s.37L has the district send a report of a student with a dangerous weapon to the police
chief and others; each copy is a disclosure that belongs in the student's record of disclosures, which
the `disclosures` app keeps. Incidents imports nothing of disclosures (disclosures reads incidents to
build packets): disclosures registers its side of this port when Django starts (its
`AppConfig.ready`). Calls happen inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from brightline.accounts.models import User
    from brightline.roster.models import Student


class RecordOfDisclosures(Protocol):
    def routed(
        self,
        *,
        student: Student,
        recipient_name: str,
        recipient_position: str,
        recipient_affiliation: str,
        recipient_kind: str,
        categories: list[str],
        basis: str,
        details: str,
        recorded_by: User,
        occurred_at: dt.datetime,
    ) -> Any:
        """Record one routed copy in the student's record of disclosures; returns the entry."""


class _Port:
    records: RecordOfDisclosures | None = None


_port = _Port()


def register(*, records: RecordOfDisclosures) -> None:
    """Called once by disclosures at start-up (`AppConfig.ready`)."""
    _port.records = records


def records() -> RecordOfDisclosures:
    if _port.records is None:
        raise RuntimeError(
            "the record of disclosures is not registered: is brightline.disclosures installed?"
        )
    return _port.records
