"""The default policy's shipped test suites, one pytest case per suite case (also run by `brightline policy test`)."""

from __future__ import annotations

import re

import pytest

from brightline.policy.engine import DEFAULT_DIR, load_policy
from brightline.policy.suites import SuiteCase, all_cases, run_case, suite_files
from brightline.vocabulary import RULE_IDS

SUITES = suite_files(DEFAULT_DIR / "tests")
CASES = all_cases(SUITES)


def _slug(case: SuiteCase) -> str:
    return re.sub(r"[^a-z0-9]+", "_", case.name.lower()).strip("_")


@pytest.mark.parametrize("suite_case", CASES, ids=[_slug(case) for case in CASES])
def test_default_policy_suite_case(suite_case: SuiteCase) -> None:
    verdict = run_case(suite_case, load_policy())
    assert verdict.passed, "\n".join(verdict.failures)


def test_every_rule_decides_some_suite_case() -> None:
    decisive = {
        rule for case in CASES for expectation in case.expect for rule in expectation.get("rules", [])
    }
    assert decisive == set(RULE_IDS)


def test_suite_case_names_are_unique_across_suites() -> None:
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))
