"""What happens elsewhere when casework changes a request, asked through two ports.

Casework owns the request and its items: every state they take is written by `casework.services`. Some
of its steps have consequences that belong to apps above it:

- the record of disclosures (`disclosures`): a student's entry when a request about them is received,
  and when the district finds an emergency real;
- notices (`notices`): the family told before a release, counsel's copy of a refused request (and of
  an immigration enforcement agency's preservation request), the missing-persons alert, the administrator's family-notice decision, and the family's say (an advance
  notice period still running, an objection waiting) before an item may be released.

Casework imports neither app. Each registers its side of the port when Django starts (its
`AppConfig.ready`), so the arrows run one way: disclosures and notices import casework, never the
reverse. Calls happen inside casework's transaction and ledger batch, in the order written here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from brightline.casework.models import EmergencyDetermination, Item, Preservation, Request, RequestStudent
    from brightline.roster.models import Student


class RecordOfDisclosures(Protocol):
    """The record of disclosures' side (FERPA 99.32, 603 CMR 23.07)."""

    def request_received(
        self, *, request: Request, students: Sequence[tuple[RequestStudent, list[Item]]]
    ) -> None:
        """Write each newly triaged student's entry for this request, with its ledger entry."""

    def emergency_found(
        self, *, request: Request, request_student: RequestStudent, determination: EmergencyDetermination
    ) -> None:
        """Write the student's entry for an emergency the district found real (99.32(a)(5))."""


class FamilyAndCounsel(Protocol):
    """The notices' side: who must be told, and whether the family's say still holds a release."""

    def before_release(self, *, request: Request, student: Student, items: Sequence[Item]) -> None:
        """Queue the advance notices these items wait for."""

    def after_triage(
        self, *, request: Request, request_students: Sequence[RequestStudent], items: Sequence[Item]
    ) -> None:
        """Counsel's copy, the missing-persons alert, the administrator's family-notice decision."""

    def preservation_recorded(self, *, preservation: Preservation) -> None:
        """Counsel's copy of a preservation request the district holds without helping it (an immigration
        enforcement agency's: DOMAIN.md rule F1), with its ledger entries."""

    def release_may_proceed(self, *, request: Request, student_id: int, now: dt.datetime) -> bool:
        """Every advance notice went out, its period passed, and no objection waits for the reviewer."""


class _Ports:
    records: RecordOfDisclosures | None = None
    notices: FamilyAndCounsel | None = None


_ports = _Ports()


def register(*, records: RecordOfDisclosures | None = None, notices: FamilyAndCounsel | None = None) -> None:
    """Called once by each app at start-up (`AppConfig.ready`)."""
    if records is not None:
        _ports.records = records
    if notices is not None:
        _ports.notices = notices


def records() -> RecordOfDisclosures:
    if _ports.records is None:
        raise RuntimeError(
            "the record of disclosures is not registered: is brightline.disclosures installed?"
        )
    return _ports.records


def notices() -> FamilyAndCounsel:
    if _ports.notices is None:
        raise RuntimeError("notices are not registered: is brightline.notices installed?")
    return _ports.notices
