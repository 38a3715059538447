"""Who is told when the record of disclosures changes, asked through one port.

A release, an entry recorded after the fact, a non-disclosure order that ends: each has families (and
sometimes counsel and the superintendent) to tell, and telling them belongs to `notices`, which reads
the record of disclosures to do it. Disclosures imports nothing of notices: notices registers its side
of this port when Django starts (its `AppConfig.ready`), so the arrows run one way. Calls happen inside
the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from brightline.casework.models import Request
    from brightline.disclosures.models import DisclosureEntry
    from brightline.roster.models import Student


@dataclass(frozen=True)
class DecisionDue:
    """An administrator's family-notice decision coming due (for the withheld-entry reminders)."""

    pk: int
    reference: str
    due_at: dt.datetime


class FamilyNotices(Protocol):
    def after_release(
        self,
        *,
        request: Request | None,
        student: Student,
        categories: Sequence[str],
        entry: DisclosureEntry | None = None,
    ) -> None:
        """Tell the family of records released (or disclosed in an emergency) where the policy asks."""

    def entry_withheld(self, *, entry: DisclosureEntry) -> None:
        """Open the administrator's decision on when the family is told of an entry held back (51A)."""

    def forbidden_party(self, *, entry: DisclosureEntry) -> None:
        """Alert counsel and the superintendent of a disclosure to a party the policy forbids."""

    def order_ended(
        self, *, request: Request, student: Student, categories: Sequence[str], details: dict[str, Any]
    ) -> None:
        """Tell the family what a non-disclosure order that ended lets it read now."""

    def decisions_due(self, *, until: dt.datetime) -> Sequence[DecisionDue]:
        """Family-notice decisions pending or withheld, due by `until`, earliest first."""


class _Port:
    notices: FamilyNotices | None = None


_port = _Port()


def register(*, notices: FamilyNotices) -> None:
    """Called once by notices at start-up (`AppConfig.ready`)."""
    _port.notices = notices


def notices() -> FamilyNotices:
    if _port.notices is None:
        raise RuntimeError("notices are not registered: is brightline.notices installed?")
    return _port.notices
