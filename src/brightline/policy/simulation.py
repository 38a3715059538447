""" "What would change": re-triage real past requests under a draft and list every item that would differ.

Each request is rebuilt exactly as casework triaged it (casework/triage.build_case): the stored request
document, each matched student's stored facts, and `now` = the moment it was received. The draft's
answer is compared with the item's stored triage (outcome, reviewer, obligations). Nothing is written.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from brightline.policy import engine
from brightline.policy.vocabulary import RULE_IDS

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
    policy: engine.PolicyVersion, *, since: dt.datetime, until: dt.datetime | None = None
) -> Simulation:
    """Re-triage every request received in [since, until] under `policy`; list the items that differ."""
    from brightline.casework.models import Request
    from brightline.casework.triage import build_case, identified_by, students_named

    until = until or timezone.now()
    report = Simulation(policy=policy.info, since=since, until=until)
    requests = (
        Request.objects.filter(received_at__gte=since, received_at__lte=until)
        .order_by("received_at", "pk")
        .prefetch_related("students", "items")
    )
    for request in requests.iterator(chunk_size=200):
        matched = [rs for rs in request.students.all() if rs.facts]
        if not matched:
            continue
        report.requests += 1
        # As casework triaged them: students named by a district id apart from students named by name and
        # birth date, and the number of students the whole request named (rule B).
        groups: dict[str, dict[str, dict[str, Any]]] = {}
        by_student: dict[int, tuple[str, str]] = {}
        for rs in matched:
            student_facts: dict[str, Any] = rs.facts or {}
            how = identified_by(rs.named)
            groups.setdefault(how, {}).setdefault(student_facts["student_id"], student_facts)
            by_student[rs.pk] = (how, student_facts["student_id"])
        results: dict[tuple[str, str, str], engine.TriageItem] = {}
        try:
            for how, facts in groups.items():
                case = engine.parse_case(
                    build_case(request.document, list(facts.values()), request.received_at, identified_by=how)
                )
                for triaged in policy.triage(case, students_named=students_named(request.document)).items:
                    results[how, triaged.student_id, triaged.category] = triaged
        except engine.CaseError as error:
            report.not_replayed.append((request.reference, "; ".join(f"{p}: {m}" for p, m in error.errors)))
            continue
        for item in request.items.all():
            named_as = by_student.get(item.request_student_id)
            if named_as is None or not item.outcome:
                continue
            how, student_id = named_as
            report.items += 1
            after_item = results[how, student_id, item.category]
            # The policy's reviewer, not one casework named later (an emergency that ended or was not
            # found sends a released item to the superintendent without changing its triage).
            reviewer = (item.reviewer or None) if item.outcome == "review" else None
            before = Triaged(item.outcome, reviewer, tuple(item.rules), tuple(sorted(item.obligations)))
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
                        request_id=str(request.pk),
                        reference=request.reference,
                        received_at=request.received_at,
                        item_id=item.pk,
                        student_id=student_id,
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
