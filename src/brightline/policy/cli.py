"""What `brightline policy eval|test|validate` do, without Django (the management command wraps these).

Bad input raises InputError, whose message names the file or the field path; the command turns it into
exit status 2. Nothing here touches a database.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from brightline.policy.cases import CaseError, parse_case
from brightline.policy.engine import PolicyError, PolicyVersion, load_policy, validate_policy
from brightline.policy.suites import SuiteError, Verdict, load_suite, run_case, suite_files


class InputError(Exception):
    """Input the command cannot use: a missing or malformed file, an invalid case or policy."""


def read_json(path: str | Path) -> Any:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise InputError(f"{file}: no such file") from error
    except OSError as error:
        raise InputError(f"{file}: cannot be read ({error.strerror})") from error
    except UnicodeDecodeError as error:
        raise InputError(f"{file}: not UTF-8 text") from error
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{file}: invalid JSON (line {error.lineno}, column {error.colno}): {error.msg}"
        ) from error
    except RecursionError as error:
        raise InputError(f"{file}: nested too deeply to be a case") from error


def policy_for(path: str | Path | None) -> PolicyVersion:
    """The default policy, or the draft at `path`; InputError if it is missing or invalid."""
    try:
        return load_policy(path)
    except FileNotFoundError as error:
        raise InputError(f"{path}: no such file") from error
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from error
    except PolicyError as error:
        where = path or "the default policy"
        raise InputError("\n".join(f"{where}: {problem}" for problem in error.problems)) from error


def evaluate(case_path: str | Path, policy_path: str | Path | None = None) -> dict[str, Any]:
    """The triage result of the case in `case_path` (DOMAIN.md's result JSON)."""
    document = read_json(case_path)
    policy = policy_for(policy_path)
    try:
        case = parse_case(document)
    except CaseError as error:
        raise InputError("\n".join(f"{path}: {message}" for path, message in error.errors)) from error
    return policy.triage(case).to_json()


def run_tests(
    path: str | Path, policy_path: str | Path | None = None, report: Callable[[str], None] = print
) -> tuple[int, int]:
    """Run the suite file, or every suite in the folder; report each case's verdict. (passed, failed)."""
    policy = policy_for(policy_path)
    try:
        files = suite_files(Path(path))
    except FileNotFoundError as error:
        raise InputError(str(error)) from error
    if not files:
        raise InputError(f"{path}: no *.json suites here")
    verdicts: list[Verdict] = []
    for file in files:
        try:
            cases = load_suite(file)
        except SuiteError as error:
            raise InputError(str(error)) from error
        except OSError as error:
            raise InputError(f"{file}: cannot be read ({error.strerror})") from error
        except (UnicodeDecodeError, RecursionError) as error:
            raise InputError(f"{file}: not a suite ({error})") from error
        for case in cases:
            verdict = run_case(case, policy)
            verdicts.append(verdict)
            report(f"{'PASS' if verdict.passed else 'FAIL'}  {verdict.suite} :: {verdict.name}")
            for failure in verdict.failures:
                report(f"        {failure}")
    passed = sum(verdict.passed for verdict in verdicts)
    failed = len(verdicts) - passed
    report(f"{passed} passed, {failed} failed")
    return passed, failed


def validate(path: str | Path, schema_path: str | Path | None = None) -> list[str]:
    """Every problem of the policy file against the schema (the shipped one unless given)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
        schema = Path(schema_path).read_text(encoding="utf-8") if schema_path is not None else None
    except FileNotFoundError as error:
        raise InputError(f"{error.filename}: no such file") from error
    except OSError as error:
        raise InputError(f"{error.filename}: cannot be read ({error.strerror})") from error
    return validate_policy(text, schema)
