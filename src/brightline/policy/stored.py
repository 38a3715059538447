"""Stored versions as the engine's PolicyVersion, and the checks a draft must pass.

Reads only: no service, no ledger. `casework/triage.py`, the services and the simulation use these.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db.models import Q, QuerySet

from brightline.policy import engine
from brightline.policy.models import Version, VersionStatus
from brightline.policy.suites import SuiteCase, SuiteError, load_suite, load_suite_text, run_case, suite_files

SHIPPED_SUITES = engine.DEFAULT_DIR / "tests"
ATTACHED_SUITE_NAME = "attached suite"


def engine_policy(version: Version) -> engine.PolicyVersion:
    """The engine's PolicyVersion of a stored version (parsed once per text, then reused)."""
    return engine.policy_from_text(version.text, policy_id=version.policy_id, version=version.label)


def _in_effect_at(moment: dt.datetime) -> QuerySet[Version]:
    """The one definition of the version in effect at a moment: one that took effect (effective or
    superseded since), at or before the moment or from the beginning, and not superseded by then. The
    intervals never overlap; the highest number wins should they ever."""
    return Version.objects.filter(
        Q(effective_from__isnull=True) | Q(effective_from__lte=moment),
        Q(superseded_at__isnull=True) | Q(superseded_at__gt=moment),
        status__in=(VersionStatus.EFFECTIVE, VersionStatus.SUPERSEDED),
    ).order_by("-number")


def version_in_effect_at(moment: dt.datetime) -> Version | None:
    """The stored version in effect at this moment, or None when no version was ever made effective."""
    return _in_effect_at(moment).first()


def version_key_in_effect_at(moment: dt.datetime) -> tuple[int, str] | None:
    """(id, sha256) of the version in effect at this moment, without its text: what a caller that keeps
    parsed versions needs to know whether it has this one. None as for version_in_effect_at."""
    key = _in_effect_at(moment).values_list("pk", "sha256").first()
    return None if key is None else (int(key[0]), str(key[1]))


def suite_cases(test_suite: str) -> list[SuiteCase]:
    """The shipped suites' cases, with the attached suite's cases added; an attached case with the name of
    a shipped one replaces it (a draft that changes a rule on purpose says so by name, in public)."""
    attached = load_suite_text(test_suite, ATTACHED_SUITE_NAME) if test_suite.strip() else []
    replaced = {case.name for case in attached}
    shipped = [
        case
        for path in suite_files(SHIPPED_SUITES)
        for case in load_suite(Path(path))
        if case.name not in replaced
    ]
    return [*shipped, *attached]


def replaced_shipped_cases(test_suite: str) -> list[str]:
    """Names of the shipped cases the attached suite replaces."""
    if not test_suite.strip():
        return []
    try:
        attached = {case.name for case in load_suite_text(test_suite, ATTACHED_SUITE_NAME)}
    except SuiteError:
        return []
    shipped = {case.name for path in suite_files(SHIPPED_SUITES) for case in load_suite(Path(path))}
    return sorted(attached & shipped)


def draft_problems(text: str, test_suite: str = "") -> list[str]:
    """Why this text (with its attached suite) may not open for comment: schema and annotation problems,
    a malformed suite, and every failing test case. [] when it may."""
    problems = engine.validate_policy(text)
    if problems:
        return problems
    try:
        cases = suite_cases(test_suite)
    except SuiteError as error:
        return [str(error)]
    policy = engine.policy_from_text(text, policy_id="draft", version="draft")
    failures: list[str] = []
    for case in cases:
        verdict = run_case(case, policy)
        failures.extend(f"test {verdict.suite} :: {verdict.name}: {failure}" for failure in verdict.failures)
    return failures
