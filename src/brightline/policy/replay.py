""" "What would change": replay past requests under a draft and list every item that would differ.

Casework owns the past requests: it hands each one over as it triaged it (`PastRequest`: the stored
request document with each matched student's stored facts, `now` = the moment it was received, and each
item's stored triage), through the function it registers here when Django starts
(`casework.selectors.past_requests_as_triaged`). Policy imports no app above it. The draft's answer is
compared with each item's stored triage (outcome, reviewer, obligations). Nothing is written.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils import timezone

from brightline.policy import engine
from brightline.vocabulary import RULE_IDS

_RULE_ORDER = {rule: index for index, rule in enumerate(RULE_IDS)}


@dataclass(frozen=True, slots=True)
class Triaged:
    outcome: str
    reviewer: str | None
    rules: tuple[str, ...]
    obligations: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "reviewer": self.reviewer,
            "rules": list(self.rules),
            "obligations": list(self.obligations),
        }


@dataclass(frozen=True, slots=True)
class PastItem:
    """One triaged item of a past request: its student, named as the request named them
    (`identified_by`, the key of the request's case they belong to), and its triage as stored."""

    item_id: int
    identified_by: str
    student_id: str
    category: str
    triaged: Triaged


@dataclass(frozen=True, slots=True)
class PastRequest:
    """A past request as casework triaged it: one DOMAIN.md case per way its matched students were named
    (by district id, or by name and birth date), the number of students the whole request named
    (rule B), and its triaged items."""

    request_id: str
    reference: str
    received_at: dt.datetime
    cases: Mapping[str, dict[str, Any]]
    students_named: int
    items: tuple[PastItem, ...]


class PastRequests(Protocol):
    def __call__(self, *, since: dt.datetime, until: dt.datetime) -> Iterable[PastRequest]:
        """The requests received in [since, until] with at least one matched student, oldest first."""


class _Source:
    past_requests: PastRequests | None = None


_source = _Source()


def register(*, past_requests: PastRequests) -> None:
    """Called once by casework at start-up (`AppConfig.ready`)."""
    _source.past_requests = past_requests


def past_requests(*, since: dt.datetime, until: dt.datetime) -> Iterable[PastRequest]:
    if _source.past_requests is None:
        raise RuntimeError("past requests are not registered: is brightline.casework installed?")
    return _source.past_requests(since=since, until=until)


@dataclass(frozen=True, slots=True)
class ChangedItem:
    request_id: str
    reference: str
    received_at: dt.datetime
    item_id: int
    student_id: str
    category: str
    before: Triaged
    after: Triaged
    changes: tuple[str, ...]  # among "outcome", "reviewer", "obligations"

    def to_json(self) -> dict[str, Any]:
        return {
            "request": self.request_id,
            "reference": self.reference,
            "received_at": self.received_at.isoformat(),
            "item": self.item_id,
            "student_id": self.student_id,
            "category": self.category,
            "changes": list(self.changes),
            "before": self.before.to_json(),
            "after": self.after.to_json(),
        }


@dataclass(slots=True)
class Simulation:
    policy: dict[str, str]
    since: dt.datetime
    until: dt.datetime
    requests: int = 0
    items: int = 0
    changed: list[ChangedItem] = field(default_factory=list)
    not_replayed: list[tuple[str, str]] = field(default_factory=list)  # (reference, why)

    @property
    def by_rule(self) -> list[tuple[str, int]]:
        """Changed items per rule: an item counts once under each rule that decided it before or after."""
        counts: Counter[str] = Counter()
        for item in self.changed:
            for rule in set(item.before.rules) | set(item.after.rules):
                counts[rule] += 1
        return sorted(counts.items(), key=lambda pair: (_RULE_ORDER.get(pair[0], len(_RULE_ORDER)), pair[0]))

    @property
    def by_change(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for item in self.changed:
            counts.update(item.changes)
        return {key: counts[key] for key in ("outcome", "reviewer", "obligations")}

    @property
    def outcome_moves(self) -> list[tuple[str, str, int]]:
        """(before, after, items) for the items whose outcome changes."""
        counts = Counter(
            (item.before.outcome, item.after.outcome) for item in self.changed if "outcome" in item.changes
        )
        return [(before, after, number) for (before, after), number in sorted(counts.items())]

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "requests": self.requests,
            "items": self.items,
            "changed": len(self.changed),
            "by_rule": dict(self.by_rule),
            "by_change": self.by_change,
            "items_changed": [item.to_json() for item in self.changed],
            "not_replayed": [{"reference": ref, "why": why} for ref, why in self.not_replayed],
        }


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time `months` calendar months earlier (the month's last day when it is shorter)."""
    month_index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def simulate(
    policy: engine.PolicyVersion,
    *,
    since: dt.datetime,
    until: dt.datetime | None = None,
    requests: Iterable[PastRequest] | None = None,
) -> Simulation:
    """Re-triage every request received in [since, until] under `policy`; list the items that differ.

    `requests`: the past requests to replay; by default those casework hands over for the window."""
    until = until or timezone.now()
    report = Simulation(policy=policy.info, since=since, until=until)
    for past in past_requests(since=since, until=until) if requests is None else requests:
        report.requests += 1
        results: dict[tuple[str, str, str], engine.TriageItem] = {}
        try:
            for how, case in past.cases.items():
                parsed = engine.parse_case(case)
                for triaged in policy.triage(parsed, students_named=past.students_named).items:
                    results[how, triaged.student_id, triaged.category] = triaged
        except engine.CaseError as error:
            report.not_replayed.append((past.reference, "; ".join(f"{p}: {m}" for p, m in error.errors)))
            continue
        for item in past.items:
            report.items += 1
            after_item = results[item.identified_by, item.student_id, item.category]
            before = item.triaged
            after = Triaged(
                after_item.outcome,
                after_item.reviewer,
                after_item.rules,
                tuple(sorted(after_item.obligations)),
            )
            changes = tuple(
                name
                for name, differs in (
                    ("outcome", before.outcome != after.outcome),
                    ("reviewer", before.reviewer != after.reviewer),
                    ("obligations", set(before.obligations) != set(after.obligations)),
                )
                if differs
            )
            if changes:
                report.changed.append(
                    ChangedItem(
                        request_id=past.request_id,
                        reference=past.reference,
                        received_at=past.received_at,
                        item_id=item.item_id,
                        student_id=item.student_id,
                        category=item.category,
                        before=before,
                        after=after,
                        changes=changes,
                    )
                )
    return report


def simulate_months(
    policy: engine.PolicyVersion, *, months: int, now: dt.datetime | None = None
) -> Simulation:
    now = now or timezone.now()
    return simulate(policy, since=months_before(now, months), until=now)
