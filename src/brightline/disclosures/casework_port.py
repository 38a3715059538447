"""The record of disclosures' side of the ports of casework (`casework.followers`) and incidents
(`incidents.followers`), registered at start-up."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from brightline.disclosures.models import DisclosureEntry
from brightline.disclosures.services import (
    disclosure_event,
    disclosure_record_routing,
    emergency_determination_entry,
    ledger_indexes_store,
    request_received_entries,
)
from brightline.ledger.services import ledger_append_many


def _append_recorded(entries: list[DisclosureEntry]) -> None:
    """The entries' ledger events, in the caller's batch; each entry keeps its ledger index (its proof)."""
    appended = ledger_append_many([disclosure_event(entry) for entry in entries])
    ledger_indexes_store(list(zip(entries, appended, strict=True)))


class RecordOfDisclosures:
    def request_received(self, *, request: Any, students: Sequence[tuple[Any, list[Any]]]) -> None:
        _append_recorded(request_received_entries(request=request, students=list(students)))

    def emergency_found(self, *, request: Any, request_student: Any, determination: Any) -> None:
        _append_recorded(
            [
                emergency_determination_entry(
                    request=request, request_student=request_student, determination=determination
                )
            ]
        )


class IncidentRouting:
    """The record of disclosures' side of incidents' port (`incidents.followers`)."""

    def routed(self, **copy: Any) -> DisclosureEntry:
        return disclosure_record_routing(**copy)
