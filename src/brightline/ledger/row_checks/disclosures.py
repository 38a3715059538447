"""Disclosure rows against the ledger: the record of disclosures and release packets.

Each record-of-disclosures entry is written with one `disclosure_record.<kind>` event
(`disclosures.services.disclosure_event`), which records the entry's student, kind, time, recipient
kind, categories, fields and sealing (a late entry: the mark and when it was recorded), and the SHA-256
of its party, interest, lawful basis, threat, recipients and releaser (a late entry: its reason too); the entry keeps that event's index for its inclusion proof. A release packet is
written with one `release.packet_released` event recording the SHA-256 of its content.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from brightline.ledger.row_checks import (
    CommittedEvent,
    Malformed,
    RowCheck,
    boolean,
    differing,
    integer,
    integers,
    json_sha256,
    listed,
    moment,
    optional_integer,
    sha256_hex,
    text,
)
from brightline.ledger.row_checks.casework import model_or_none, rows

ENTRY_EVENT = "disclosure_record."
PACKET_EVENT = "release.packet_released"

Where = tuple[int, str]


class DisclosureRows(RowCheck):
    def __init__(self) -> None:
        self.entries: dict[int, tuple[Where, dict[str, Any]]] = {}
        self.packets: dict[str, tuple[Where, dict[str, Any]]] = {}
        self.compared: dict[str, int] = {}

    def wants(self, event_type: str) -> bool:
        return event_type.startswith(ENTRY_EVENT) or event_type == PACKET_EVENT

    def event(self, event: CommittedEvent) -> None:
        record, where = event.record, (event.index, event.event_type)
        if event.event_type == PACKET_EVENT:
            integers(record, "items")
            self.packets[text(record, "packet")] = (
                where,
                {
                    "request": text(record, "request"),
                    "content_sha256": sha256_hex(record, "content_sha256"),
                    "released_by": optional_integer(record, "released_by"),
                },
            )
            return
        kind = event.event_type.removeprefix(ENTRY_EVENT)
        if text(record, "kind") != kind:
            raise Malformed(f"kind: {record['kind']!r} in an event of type {event.event_type}")
        self.entries[integer(record, "entry")] = (
            where,
            {
                "student": optional_integer(record, "student"),
                "kind": kind,
                "occurred_at": moment(record, "occurred_at"),
                "party_kind": text(record, "party_kind"),
                "categories": listed(record, "categories"),
                "fields": listed(record, "fields"),
                "sealed": boolean(record, "sealed"),
                # Only a late entry's record carries the mark and when it was recorded.
                "late": boolean(record, "late") if "late" in record else False,
                "recorded_at": moment(record, "recorded_at") if "late" in record else None,
                "details_sha256": sha256_hex(record, "details_sha256"),
            },
        )

    def finish(self) -> Iterator[str]:
        yield from self._entries()
        yield from self._packets()

    def counts(self) -> dict[str, int]:
        return self.compared

    def _entries(self) -> Iterator[str]:
        model = model_or_none("disclosures", "DisclosureEntry")
        if model is None:
            return
        label, count = model._meta.label, 0
        fields = (
            "student_id",
            "kind",
            "occurred_at",
            "party_kind",
            "categories",
            "fields",
            "sealed",
            "ledger_index",
            "late",
            "recorded_at",
            # what the record hashes as its details
            "party_name",
            "party_position",
            "party_affiliation",
            "legitimate_interest",
            "lawful_basis",
            "threat",
            "recipients",
            "released_by_name",
            "released_by_position",
        )
        for (
            pk,
            student,
            kind,
            occurred_at,
            party_kind,
            categories,
            fields_,
            sealed,
            ledger_index,
            late,
            recorded_at,
            *details,
        ) in rows(model, *fields, "late_reason"):
            count += 1
            found = self.entries.pop(pk, None)
            if found is None:
                yield f"{label} {pk}: no ledger entry records it"
                continue
            where, said = found
            differ = [
                name
                for name, stored, recorded in (
                    # The student's roster row may be removed (SET_NULL); the entry keeps its SIS id.
                    ("student", student if student is not None else said["student"], said["student"]),
                    ("kind", kind, said["kind"]),
                    ("occurred_at", occurred_at, said["occurred_at"]),
                    ("party_kind", party_kind, said["party_kind"]),
                    ("categories", categories, said["categories"]),
                    ("fields", fields_, said["fields"]),
                    ("sealed", sealed, said["sealed"]),
                    ("late", late, said["late"]),
                    ("recorded_at", recorded_at if late else None, said["recorded_at"]),
                    (
                        "party, interest, lawful basis, threat, recipients or releaser",
                        _details_sha256(*details, late=late),
                        said["details_sha256"],
                    ),
                    ("ledger_index", ledger_index, where[0]),
                )
                if stored != recorded
            ]
            if differ:
                yield differing(label, pk, differ, where)
        self.compared[label] = count
        for pk, ((index, kind), _) in self.entries.items():  # in the order the ledger named them
            yield f"{label} {pk} is missing: ledger entry {index} ({kind}) records it"

    def _packets(self) -> Iterator[str]:
        model = model_or_none("disclosures", "ReleasePacket")
        if model is None:
            return
        label, count = model._meta.label, 0
        for pk, request, content, content_sha256, released_by in rows(
            model, "request_id", "content", "content_sha256", "released_by_id"
        ):
            count += 1
            found = self.packets.pop(str(pk), None)
            if found is None:
                yield f"{label} {pk}: no ledger entry records it"
                continue
            where, said = found
            differ = [
                name
                for name, stored, recorded in (
                    ("request", str(request), said["request"]),
                    ("content", json_sha256(content), said["content_sha256"]),
                    ("content_sha256", content_sha256, said["content_sha256"]),
                    (
                        "released_by",
                        released_by if released_by is not None else said["released_by"],
                        said["released_by"],
                    ),
                )
                if stored != recorded
            ]
            if differ:
                yield differing(label, pk, differ, where)
        self.compared[label] = count
        for key, ((index, kind), _) in self.packets.items():  # in the order the ledger named them
            yield f"{label} {key} is missing: ledger entry {index} ({kind}) records it"


def _details_sha256(
    name: str,
    position: str,
    affiliation: str,
    interest: str,
    basis: str,
    threat: str,
    recipients: Any,
    released_by_name: str,
    released_by_position: str,
    late_reason: str,
    *,
    late: bool,
) -> str:
    """What `disclosure_event` hashes as an entry's details, from the row as it stands: a late entry's
    details hold its reason too."""
    return json_sha256(
        {
            "party": [name, position, affiliation],
            "interest": interest,
            "basis": basis,
            "threat": threat,
            "recipients": recipients,
            "released_by": [released_by_name, released_by_position],
            **({"late_reason": late_reason} if late else {}),
        }
    )
