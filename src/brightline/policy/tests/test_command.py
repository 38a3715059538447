"""`brightline policy eval|test|validate` on the command line: output, exit status, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from brightline.policy.engine import DEFAULT_DIR, DEFAULT_POLICY
from brightline.policy.tests.helpers import case


def write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def run(*args: str) -> tuple[str, int]:
    out = StringIO()
    try:
        call_command("policy", *args, stdout=out, stderr=StringIO())
    except CommandError as error:
        return str(error), error.returncode
    return out.getvalue(), 0


def test_eval_prints_the_triage_result(tmp_path: Path) -> None:
    output, status = run("eval", str(write(tmp_path, "case.json", case())))
    assert status == 0
    result = json.loads(output)
    assert result["policy"]["id"] == "default"
    assert [item["rules"] for item in result["items"]] == [["D"], ["D"]]


def test_eval_with_a_draft_policy_names_the_draft(tmp_path: Path) -> None:
    draft = write(tmp_path, "draft-2027.cedar", DEFAULT_POLICY.read_text(encoding="utf-8"))
    output, status = run("eval", str(write(tmp_path, "case.json", case())), "--policy", str(draft))
    assert status == 0 and json.loads(output)["policy"]["id"] == "draft-2027"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (case(legal_process={"kind": "warrant"}), "request.legal_process.kind: unknown value 'warrant'"),
        (case(badge="7"), "request.badge: unknown field"),
        (case(kind="sheriff"), "request.requester.kind: unknown value 'sheriff'"),
        ({**case(), "students": []}, "request.students[0].student_id: no student facts for 'S-1001'"),
        (case(categories="contact"), "request.categories: expected an array, got string"),
    ],
    ids=["unknown_value", "unknown_key", "unknown_kind", "student_without_facts", "wrong_type"],
)
def test_eval_refuses_bad_input_with_status_2_and_the_field_path(
    tmp_path: Path, document: dict, message: str
) -> None:
    output, status = run("eval", str(write(tmp_path, "case.json", document)))
    assert status == 2
    assert message in output


def test_eval_refuses_invalid_json_and_missing_files(tmp_path: Path) -> None:
    output, status = run("eval", str(write(tmp_path, "case.json", "{ not json")))
    assert status == 2 and "invalid JSON" in output
    output, status = run("eval", str(tmp_path / "nowhere.json"))
    assert status == 2 and "no such file" in output


def test_eval_refuses_json_nested_too_deeply(tmp_path: Path) -> None:
    output, status = run("eval", str(write(tmp_path, "case.json", "[" * 100_000)))
    assert status == 2 and "nested too deeply" in output


def test_eval_refuses_an_invalid_draft_policy(tmp_path: Path) -> None:
    draft = write(tmp_path, "draft.cedar", "permit (principal, action, resource")
    output, status = run("eval", str(write(tmp_path, "case.json", case())), "--policy", str(draft))
    assert status == 2 and "draft.cedar" in output


def test_test_runs_the_shipped_suites_and_prints_each_verdict() -> None:
    output, status = run("test", str(DEFAULT_DIR / "tests"))
    assert status == 0
    assert "PASS  refuse.json :: immigration request is refused even with emergency" in output
    assert output.strip().splitlines()[-1].endswith(" passed, 0 failed")


def test_test_exits_1_when_a_case_fails(tmp_path: Path) -> None:
    suite = {
        "cases": [
            {
                "name": "right",
                "case": case(),
                "expect": [{"category": "contact", "outcome": "review", "rules": ["D"]}],
            },
            {"name": "wrong", "case": case(), "expect": [{"category": "contact", "outcome": "release"}]},
        ]
    }
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("policy", "test", str(write(tmp_path, "suite.json", suite)), stdout=out)
    assert raised.value.returncode == 1
    text = out.getvalue()
    assert "PASS  suite.json :: right" in text
    assert "FAIL  suite.json :: wrong" in text and "outcome: expected release, got review" in text


def test_test_refuses_a_malformed_suite_with_status_2(tmp_path: Path) -> None:
    _, status = run(
        "test", str(write(tmp_path, "suite.json", {"cases": [{"name": "no expectation", "case": {}}]}))
    )
    assert status == 2


def test_validate_accepts_the_default_policy_and_rejects_a_broken_one(tmp_path: Path) -> None:
    output, status = run("validate", str(DEFAULT_POLICY))
    assert status == 0 and "valid" in output
    broken = write(
        tmp_path,
        "broken.cedar",
        DEFAULT_POLICY.read_text(encoding="utf-8").replace('"discipline"', '"discpline"'),
    )
    _, status = run("validate", str(broken))
    assert status == 1


def test_the_console_command_exits_2_without_a_traceback(tmp_path: Path) -> None:
    bad = write(tmp_path, "case.json", case(legal_process={"kind": "warrant"}))
    brightline = Path(sys.executable).parent / "brightline"
    command = [str(brightline)] if brightline.exists() else [sys.executable, "-m", "brightline"]
    completed = subprocess.run(
        [*command, "policy", "eval", str(bad)],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "brightline.settings"},
        check=False,
        timeout=120,
    )
    assert completed.returncode == 2
    assert "request.legal_process.kind: unknown value 'warrant'" in completed.stderr
    assert "Traceback" not in completed.stderr
