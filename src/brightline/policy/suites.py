"""Policy test suites: cases with the outcomes a policy must give them (format in the app's README).

A suite is a JSON file:

    {"description": "...",
     "base": {<part of a case document, merged under every case>},
     "cases": [
       {"name": "immigration request is refused even with emergency",
        "rules": ["F1"],                       # optional: the rules this case is about (documentation)
        "case": {<case document, merged over base>},
        "exact": false,                        # optional: expect lists every item, in order
        "expect": [{"student_id": "S-1", "category": "contact", "outcome": "refuse", "reviewer": null,
                    "rules": ["F1"], "obligations": ["notify_legal_advisor"],
                    "explanation_contains": "rule F1"}]},
       {"name": "a warrant is not a kind of legal process",
        "case": {...}, "expect_error": "request.legal_process.kind"}
     ]}

Pure Python: runs without Django (the CLI wraps it).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brightline.policy.cases import CaseError, parse_case
from brightline.policy.engine import PolicyVersion, TriageItem
from brightline.vocabulary import CATEGORIES, OBLIGATIONS, OUTCOMES, REVIEWERS

ABSENT = "$absent"  # a value in a case that removes the key the base would supply

_SUITE_KEYS = {"description", "base", "cases"}
_CASE_KEYS = {"name", "rules", "note", "case", "exact", "expect", "expect_error"}
_EXPECT_KEYS = {
    "student_id",
    "category",
    "outcome",
    "reviewer",
    "rules",
    "obligations",
    "explanation_contains",
}


class SuiteError(ValueError):
    """A suite file that is not in the documented format."""


@dataclass(frozen=True, slots=True)
class SuiteCase:
    suite: str
    name: str
    document: Any
    expect: tuple[dict[str, Any], ...] = ()
    exact: bool = False
    expect_error: str | None = None
    rules: tuple[str, ...] = ()


@dataclass(slots=True)
class Verdict:
    suite: str
    name: str
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def merge(base: Any, override: Any) -> Any:
    """`override` over `base`: objects merge key by key, anything else replaces; "$absent" removes."""
    if isinstance(override, dict):
        merged = copy.deepcopy(base) if isinstance(base, dict) else {}
        for key, value in override.items():
            if value == ABSENT:
                merged.pop(key, None)
            else:
                merged[key] = merge(merged.get(key), value)
        return merged
    return copy.deepcopy(override)


def _check_expectation(where: str, expectation: object) -> dict[str, Any]:
    if not isinstance(expectation, dict):
        raise SuiteError(f"{where}: an expectation is an object")
    unknown = set(expectation) - _EXPECT_KEYS
    if unknown:
        raise SuiteError(f"{where}: unknown keys {sorted(unknown)}")
    if expectation.get("category") not in CATEGORIES:
        raise SuiteError(f"{where}: category must be one of the categories")
    if "outcome" in expectation and expectation["outcome"] not in OUTCOMES:
        raise SuiteError(f"{where}: unknown outcome {expectation['outcome']!r}")
    if "reviewer" in expectation and expectation["reviewer"] not in (None, *REVIEWERS):
        raise SuiteError(f"{where}: unknown reviewer {expectation['reviewer']!r}")
    for obligation in expectation.get("obligations", []):
        if obligation not in OBLIGATIONS:
            raise SuiteError(f"{where}: unknown obligation {obligation!r}")
    return expectation


def load_suite(path: Path) -> list[SuiteCase]:
    """Read one suite file (raises SuiteError for a malformed suite, OSError for an unreadable one)."""
    return load_suite_text(path.read_text(encoding="utf-8"), path)


def load_suite_text(text: str, path: Path | str) -> list[SuiteCase]:
    """A suite from its JSON text (a suite attached to a stored draft); `path` names it in messages."""
    path = Path(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SuiteError(
            f"{path}: invalid JSON (line {error.lineno}, column {error.colno}): {error.msg}"
        ) from error
    except RecursionError as error:
        raise SuiteError(f"{path}: nested too deeply to be a suite") from error
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise SuiteError(f"{path}: a suite is an object with a `cases` array")
    unknown = set(data) - _SUITE_KEYS
    if unknown:
        raise SuiteError(f"{path}: unknown keys {sorted(unknown)}")
    base = data.get("base", {})
    cases: list[SuiteCase] = []
    names: set[str] = set()
    for index, entry in enumerate(data["cases"]):
        where = f"{path.name}: cases[{index}]"
        if not isinstance(entry, dict):
            raise SuiteError(f"{where}: a case is an object")
        unknown = set(entry) - _CASE_KEYS
        if unknown:
            raise SuiteError(f"{where}: unknown keys {sorted(unknown)}")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise SuiteError(f"{where}: every case needs a name")
        if name in names:
            raise SuiteError(f"{where}: duplicate name {name!r}")
        names.add(name)
        where = f"{path.name}: {name}"
        has_expect = "expect" in entry
        if has_expect == ("expect_error" in entry):
            raise SuiteError(f"{where}: give either `expect` or `expect_error`")
        expect = entry.get("expect", [])
        if has_expect and (not isinstance(expect, list) or not expect):
            raise SuiteError(f"{where}: `expect` is a non-empty array")
        expect_error = entry.get("expect_error")
        if expect_error is not None and not isinstance(expect_error, str):
            raise SuiteError(f"{where}: `expect_error` is the field path of the expected error")
        cases.append(
            SuiteCase(
                suite=path.name,
                name=name,
                document=merge(base, entry.get("case", {})),
                expect=tuple(_check_expectation(where, item) for item in expect),
                exact=bool(entry.get("exact", False)),
                expect_error=expect_error,
                rules=tuple(entry.get("rules", ())),
            )
        )
    return cases


def suite_files(path: Path) -> list[Path]:
    """A suite file, or every *.json in a folder (sorted)."""
    if path.is_dir():
        return sorted(path.glob("*.json"))
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    return [path]


def _compare(item: TriageItem, expectation: dict[str, Any]) -> list[str]:
    label = f"{item.student_id}/{item.category}"
    problems: list[str] = []
    if "outcome" in expectation and item.outcome != expectation["outcome"]:
        problems.append(f"{label} outcome: expected {expectation['outcome']}, got {item.outcome}")
    if "reviewer" in expectation and item.reviewer != expectation["reviewer"]:
        problems.append(f"{label} reviewer: expected {expectation['reviewer']}, got {item.reviewer}")
    if "rules" in expectation and list(item.rules) != list(expectation["rules"]):
        problems.append(f"{label} rules: expected {expectation['rules']}, got {list(item.rules)}")
    if "obligations" in expectation and set(item.obligations) != set(expectation["obligations"]):
        problems.append(
            f"{label} obligations: expected {sorted(expectation['obligations'])}, got {list(item.obligations)}"
        )
    wanted = expectation.get("explanation_contains")
    if wanted is not None and wanted not in item.explanation:
        problems.append(f"{label} explanation: expected it to contain {wanted!r}, got {item.explanation!r}")
    return problems


def run_case(case: SuiteCase, policy: PolicyVersion) -> Verdict:
    verdict = Verdict(suite=case.suite, name=case.name)
    try:
        parsed = parse_case(case.document)
    except CaseError as error:
        if case.expect_error is None:
            verdict.failures.append("the case is invalid: " + "; ".join(f"{p}: {m}" for p, m in error.errors))
        elif case.expect_error not in {path for path, _ in error.errors}:
            got = "; ".join(f"{p}: {m}" for p, m in error.errors)
            verdict.failures.append(f"expected an error at {case.expect_error}, got {got}")
        return verdict
    if case.expect_error is not None:
        verdict.failures.append(f"expected an error at {case.expect_error}, but the case is valid")
        return verdict
    items = policy.triage(parsed).items
    if case.exact:
        if len(items) != len(case.expect):
            verdict.failures.append(f"expected {len(case.expect)} items, got {len(items)}")
        for item, expectation in zip(items, case.expect, strict=False):
            if (item.student_id, item.category) != (expectation.get("student_id"), expectation["category"]):
                verdict.failures.append(
                    f"item order: expected {expectation.get('student_id')}/{expectation['category']}, "
                    f"got {item.student_id}/{item.category}"
                )
            verdict.failures.extend(_compare(item, expectation))
        return verdict
    for expectation in case.expect:
        matching = [
            item
            for item in items
            if item.category == expectation["category"]
            and ("student_id" not in expectation or item.student_id == expectation["student_id"])
        ]
        if not matching:
            verdict.failures.append(
                f"no item {expectation.get('student_id', '*')}/{expectation['category']} in the result"
            )
        for item in matching:
            verdict.failures.extend(_compare(item, expectation))
    return verdict


def run_suites(paths: Iterable[Path], policy: PolicyVersion) -> list[Verdict]:
    """Every case of every suite file, in file then case order."""
    verdicts: list[Verdict] = []
    for path in paths:
        verdicts.extend(run_case(case, policy) for case in load_suite(path))
    return verdicts


def all_cases(paths: Sequence[Path]) -> list[SuiteCase]:
    return [case for path in paths for case in load_suite(path)]
