"""Reads of the policy lifecycle that depend on who asks: drafts are for policy staff until they open
for comment; comments are public once published; the moderation queue is for policy staff."""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from brightline.errors import InvalidInput, NotAllowed, NotFound
from brightline.policy.models import PUBLIC_STATUSES, Comment, CommentStatus, CommentTheme, Version
from brightline.policy.replay import Simulation, simulate_months
from brightline.policy.services import POLICY_STAFF
from brightline.policy.stored import engine_policy
from brightline.vocabulary import CATEGORIES, RULE_IDS

MAX_SIMULATION_MONTHS = 36


def is_policy_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", None) in POLICY_STAFF


def versions_visible_to(user: Any) -> QuerySet[Version]:
    """Every version the public may read, plus drafts for policy staff; newest first."""
    versions = Version.objects.order_by("-number")
    if is_policy_staff(user):
        return versions
    return versions.filter(status__in=PUBLIC_STATUSES)


def version_get(user: Any, number: int) -> Version:
    """One version by its number; a draft is not found for anyone but policy staff."""
    version = versions_visible_to(user).filter(number=number).first()
    if version is None:
        raise NotFound("no such policy version")
    return version


def published_comments(version: Version) -> QuerySet[Comment]:
    return version.comments.filter(status=CommentStatus.PUBLISHED).order_by("submitted_at", "pk")


def moderation_queue(user: Any) -> QuerySet[Comment]:
    if not is_policy_staff(user):
        raise NotAllowed("only policy staff moderate comments")
    return (
        Comment.objects.filter(status=CommentStatus.PENDING)
        .select_related("version")
        .order_by("verified_at", "pk")
    )


@dataclass(frozen=True)
class CommentSummary:
    """What the school committee sees: counts by status and the rules and categories comments name."""

    received: int
    confirmed: int
    published: int
    not_published: int
    waiting: int
    rules: list[tuple[str, int]]
    categories: list[tuple[str, int]]


def comment_summary(version: Version) -> CommentSummary:
    """Counts over every confirmed comment (published or not): the committee hears from everyone who
    confirmed, even when a comment's wording kept it off the public page. Themes: rules and record
    categories named in the comments."""
    statuses = Counter(version.comments.values_list("status", flat=True))
    confirmed = version.comments.exclude(status=CommentStatus.UNVERIFIED)
    rules: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    for mentioned_rules, mentioned_categories in confirmed.values_list(
        "rules_mentioned", "categories_mentioned"
    ):
        rules.update(mentioned_rules or [])
        categories.update(mentioned_categories or [])
    return CommentSummary(
        received=sum(statuses.values()),
        confirmed=sum(statuses.values()) - statuses[CommentStatus.UNVERIFIED],
        published=statuses[CommentStatus.PUBLISHED],
        not_published=statuses[CommentStatus.REJECTED],
        waiting=statuses[CommentStatus.PENDING],
        rules=[(rule, rules[rule]) for rule in RULE_IDS if rules[rule]],
        categories=[(category, categories[category]) for category in CATEGORIES if categories[category]],
    )


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "hunk", "added", "removed", "context"
    old_number: int | None
    new_number: int | None
    text: str


@dataclass(frozen=True)
class VersionDiff:
    old: Version
    new: Version
    lines: list[DiffLine]
    unified: str
    added: int
    removed: int


def version_diff(user: Any, old_number: int, new_number: int) -> VersionDiff:
    """A unified diff (difflib) of two versions' texts, as lines a page can number and label."""
    old = version_get(user, old_number)
    new = version_get(user, new_number)
    old_lines = old.text.splitlines()
    new_lines = new.text.splitlines()
    unified = list(
        difflib.unified_diff(
            old_lines,
            new_lines,
            f"version {old.number} ({old.label})",
            f"version {new.number} ({new.label})",
            lineterm="",
        )
    )
    lines: list[DiffLine] = []
    old_at = new_at = 0
    for raw in unified[2:]:
        if raw.startswith("@@"):
            # "@@ -a,b +c,d @@": where the next lines are in each text.
            ranges = raw.split("@@")[1].split()
            old_at = int(ranges[0][1:].split(",")[0])
            new_at = int(ranges[1][1:].split(",")[0])
            lines.append(DiffLine("hunk", None, None, raw))
        elif raw.startswith("+"):
            lines.append(DiffLine("added", None, new_at, raw[1:]))
            new_at += 1
        elif raw.startswith("-"):
            lines.append(DiffLine("removed", old_at, None, raw[1:]))
            old_at += 1
        else:
            lines.append(DiffLine("context", old_at, new_at, raw[1:]))
            old_at += 1
            new_at += 1
    return VersionDiff(
        old=old,
        new=new,
        lines=lines,
        unified="\n".join(unified),
        added=sum(line.kind == "added" for line in lines),
        removed=sum(line.kind == "removed" for line in lines),
    )


def what_would_change(user: Any, version: Version, months: int) -> Simulation:
    """Re-triage the past `months` of requests under this version (policy staff only)."""
    if not is_policy_staff(user):
        raise NotAllowed("only policy staff run a simulation over past requests")
    if not 1 <= months <= MAX_SIMULATION_MONTHS:
        raise InvalidInput([("months", f"choose between 1 and {MAX_SIMULATION_MONTHS} months")])
    return simulate_months(engine_policy(version), months=months)


def comment_themes(version: Version) -> list[CommentTheme]:
    """The district's published response to the comments on `version`, theme by theme, each with the
    comments it answers (public: shown on the version page)."""
    return list(
        CommentTheme.objects.filter(version=version)
        .prefetch_related(Prefetch("comments", queryset=Comment.objects.order_by("submitted_at", "pk")))
        .order_by("written_at", "pk")
    )
