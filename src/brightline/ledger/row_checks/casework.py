"""Casework rows against the ledger: requests, items and review decisions.

Read through `apps.get_model` (the ledger imports no app above it). The vocabulary below is the one the
casework services write into their event records; tests/test_row_checks.py takes a request through
submission, review and release with the real services and checks that nothing here disagrees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.db.models import Model

from brightline.ledger.row_checks import (
    CommittedEvent,
    Malformed,
    RowCheck,
    differing,
    integer,
    integers,
    json_sha256,
    moment,
    objects,
    optional_integer,
    sha256_hex,
    text,
    text_sha256,
    texts,
)

ITEM_STATES = frozenset(
    {
        "awaiting_match",
        "unidentified",
        "refused",
        "pending_review",
        "denied",
        "awaiting_determination",
        "awaiting_notice",
        "cleared",
        "released",
    }
)
# Triage (at submission, or when the office matches a student) records each item's outcome. An item
# the policy releases waits at one of three gates, chosen by obligations the record does not carry.
TRIAGED = {
    "refuse": frozenset({"refused"}),
    "review": frozenset({"pending_review"}),
    "release": frozenset({"awaiting_determination", "awaiting_notice", "cleared"}),
}
# Events that move every item they list to one state.
MOVES = {
    "item.notice_period_passed": "cleared",
    "item.notice_undelivered": "awaiting_notice",
    "item.emergency_ended": "pending_review",
    "request.student_closed": "unidentified",
    "release.packet_released": "released",
}
NEVER_MOVED = "awaiting_match"  # an item no event lists has waited for its student since submission
EVENTS = frozenset(
    {
        "request.submitted",
        "request.student_matched",
        "request.state_changed",
        "item.decided",
        "emergency.determined",
    }
    | MOVES.keys()
)

Where = tuple[int, str]  # (ledger index, event type)


def rows(model: type[Model], *fields: str) -> Iterator[tuple[Any, ...]]:
    """(pk, *fields) of every row, the base manager's (no default filter can hide a row)."""
    return model._base_manager.order_by("pk").values_list("pk", *fields).iterator(chunk_size=2000)


def model_or_none(app_label: str, name: str) -> type[Model] | None:
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _state(value: str, key: str) -> str:
    if value not in ITEM_STATES:
        raise Malformed(f"{key}: unknown item state {value!r}")
    return value


class CaseworkRows(RowCheck):
    def __init__(self) -> None:
        self.decisions: dict[int, tuple[Where, dict[str, Any]]] = {}
        self.items: dict[int, tuple[Where, frozenset[str]]] = {}
        self.submitted: dict[str, tuple[Where, dict[str, Any]]] = {}
        self.states: dict[str, tuple[Where, str, str | None]] = {}
        self.compared: dict[str, int] = {}

    def wants(self, event_type: str) -> bool:
        return event_type in EVENTS

    def event(self, event: CommittedEvent) -> None:
        kind, record = event.event_type, event.record
        where = (event.index, kind)
        moved: list[tuple[int, frozenset[str]]] = []
        if kind in ("request.submitted", "request.student_matched"):
            for triaged in objects(record, "items"):
                outcome = text(triaged, "outcome")
                if outcome not in TRIAGED:
                    raise Malformed(f"items[].outcome: unknown outcome {outcome!r}")
                moved.append((integer(triaged, "item"), TRIAGED[outcome]))
            if kind == "request.submitted":
                self.submitted[text(record, "request")] = (
                    where,
                    {
                        "agency": integer(record, "agency"),
                        "received_at": moment(record, "received_at"),
                        "document_sha256": sha256_hex(record, "document_sha256"),
                    },
                )
        elif kind == "request.state_changed":
            disposition = record.get("disposition")  # recorded since dispositions were kept
            if disposition is not None and not isinstance(disposition, str):
                raise Malformed(f"disposition: expected text, found {type(disposition).__name__}")
            self.states[text(record, "request")] = (where, text(record, "to"), disposition)
        elif kind == "item.decided":
            decided = _state(text(record, "state"), "state")
            item = integer(record, "item")
            self.decisions[integer(record, "decision")] = (
                where,
                {
                    "item": item,
                    "action": text(record, "action"),
                    "lawful_basis": text(record, "lawful_basis"),
                    "rationale": sha256_hex(record, "rationale_sha256"),
                    "fields_removed": texts(record, "fields_removed"),
                    "decided_by": optional_integer(record, "decided_by"),
                    "decided_by_role": text(record, "decided_by_role"),
                },
            )
            moved.append((item, frozenset({decided})))
        elif kind == "emergency.determined":
            for found in objects(record, "items"):
                moved.append(
                    (integer(found, "item"), frozenset({_state(text(found, "state"), "items[].state")}))
                )
        else:
            to = frozenset({MOVES[kind]})
            moved.extend((pk, to) for pk in integers(record, "items"))
        for pk, allowed in moved:
            self.items[pk] = (where, allowed)

    def finish(self) -> Iterator[str]:
        yield from self._decisions()
        yield from self._items()
        yield from self._requests()

    def counts(self) -> dict[str, int]:
        return self.compared

    def _decisions(self) -> Iterator[str]:
        model = model_or_none("casework", "Decision")
        if model is None:
            return
        label, count = model._meta.label, 0
        fields = (
            "item_id",
            "action",
            "lawful_basis",
            "rationale",
            "fields_removed",
            "decided_by_id",
            "decided_by_role",
        )
        for pk, item, action, basis, rationale, removed, decided_by, role in rows(model, *fields):
            count += 1
            found = self.decisions.pop(pk, None)
            if found is None:
                yield f"{label} {pk}: no ledger entry records it"
                continue
            where, said = found
            differ = [
                name
                for name, stored, recorded in (
                    ("item", item, said["item"]),
                    ("action", action, said["action"]),
                    ("lawful_basis", basis, said["lawful_basis"]),
                    ("rationale", text_sha256(rationale), said["rationale"]),
                    ("fields_removed", removed, said["fields_removed"]),
                    # The reviewer's account may be removed (SET_NULL); the role copied on the row stays.
                    (
                        "decided_by",
                        decided_by if decided_by is not None else said["decided_by"],
                        said["decided_by"],
                    ),
                    ("decided_by_role", role, said["decided_by_role"]),
                )
                if stored != recorded
            ]
            if differ:
                yield differing(label, pk, differ, where)
        self.compared[label] = count
        for pk, (where, _) in self.decisions.items():  # in the order the ledger named them
            yield f"{label} {pk} is missing: ledger entry {where[0]} ({where[1]}) records it"

    def _items(self) -> Iterator[str]:
        model = model_or_none("casework", "Item")
        if model is None:
            return
        label, count = model._meta.label, 0
        for pk, state in rows(model, "state"):
            count += 1
            found = self.items.pop(pk, None)
            if found is None:
                if state != NEVER_MOVED:
                    yield f"{label} {pk}: its state is {state!r}, but no ledger entry moved it from {NEVER_MOVED!r}"
                continue
            (index, kind), allowed = found
            if state not in allowed:
                expected = " or ".join(repr(value) for value in sorted(allowed))
                yield f"{label} {pk}: its state is {state!r}; ledger entry {index} ({kind}) left it {expected}"
        self.compared[label] = count
        for pk, ((index, kind), _) in self.items.items():  # in the order the ledger named them
            yield f"{label} {pk} is missing: ledger entry {index} ({kind}) records it"

    def _requests(self) -> Iterator[str]:
        model = model_or_none("casework", "Request")
        if model is None:
            return
        label, count = model._meta.label, 0
        fields = (
            "agency_id",
            "received_at",
            "document",
            "state",
            "disposition",
            "purpose",
            "legal_process_kind",
            "nondisclosure_order",
            "emergency_threat",
            "emergency_ends_at",
        )
        for pk, agency, received_at, document, state, disposition, *derived in rows(model, *fields):
            count += 1
            key = str(pk)
            found = self.submitted.pop(key, None)
            if found is None:
                yield f"{label} {pk}: no ledger entry records its submission"
            else:
                where, said = found
                differ = [
                    name
                    for name, stored, recorded in (
                        ("agency", agency, said["agency"]),
                        ("received_at", received_at, said["received_at"]),
                        ("document", json_sha256(document), said["document_sha256"]),
                    )
                    if stored != recorded
                ]
                if differ:
                    yield differing(label, pk, differ, where)
                columns = _columns_differing_from(document, *derived)
                if columns:
                    yield (
                        f"{label} {pk}: {', '.join(columns)} "
                        f"{'differs' if len(columns) == 1 else 'differ'} from the document that ledger "
                        f"entry {where[0]} (request.submitted) commits to"
                    )
            changed = self.states.pop(key, None)
            if changed is None:
                if (state, disposition) != ("awaiting_match", "pending"):
                    yield (
                        f"{label} {pk}: its state is {state!r} ({disposition}), but no ledger entry "
                        "changed it from 'awaiting_match'"
                    )
                continue
            where, to, recorded_disposition = changed
            differ = [
                name
                for name, stored, recorded in (
                    ("state", state, to),
                    ("disposition", disposition, recorded_disposition),
                )
                if recorded is not None and stored != recorded
            ]
            if differ:
                yield differing(label, pk, differ, where)
        self.compared[label] = count
        for key, ((index, kind), _) in self.submitted.items():  # in the order the ledger named them
            yield f"{label} {key} is missing: ledger entry {index} ({kind}) records it"


def _columns_differing_from(
    document: Any,
    purpose: str,
    legal_process_kind: str,
    nondisclosure_order: bool,
    emergency_threat: str,
    emergency_ends_at: dt.datetime | None,
) -> list[str]:
    """The request's columns the transparency report counts by, against the stored request document
    they were copied from at submission (casework.services.request_submit)."""
    if not isinstance(document, dict):
        return ["document"]
    process = document.get("legal_process") or {}
    emergency = document.get("emergency") or {}
    if not isinstance(process, dict) or not isinstance(emergency, dict):
        return ["document"]
    try:
        ends_at = dt.datetime.fromisoformat(emergency["ends_at"]) if emergency.get("ends_at") else None
    except (TypeError, ValueError):
        return ["emergency_ends_at"]
    return [
        name
        for name, stored, recorded in (
            ("purpose", purpose, document.get("purpose")),
            ("legal_process_kind", legal_process_kind, process.get("kind", "none")),
            ("nondisclosure_order", nondisclosure_order, bool(process.get("nondisclosure_order"))),
            ("emergency_threat", emergency_threat, emergency.get("threat") or ""),
            ("emergency_ends_at", emergency_ends_at, ends_at),
        )
        if stored != recorded
    ]
