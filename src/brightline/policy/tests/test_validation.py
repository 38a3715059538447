"""`validate`: a policy must parse, type-check against the schema and follow the annotation conventions."""

from __future__ import annotations

import pytest

from brightline.policy.engine import DEFAULT_POLICY, PolicyError, policy_from_text, validate_policy
from brightline.vocabulary import RULE_IDS

DEFAULT_TEXT = DEFAULT_POLICY.read_text(encoding="utf-8")


def rule(body: str, **annotations: str) -> str:
    notes = {
        "id": "X",
        "tier": "default",
        "reviewer": "superintendent",
        "obligations": "",
        "explanation": "x",
    }
    notes.update(annotations)
    return "".join(f'@{key}("{value}")\n' for key, value in notes.items() if value != "-") + body


def test_the_default_policy_is_valid() -> None:
    assert validate_policy(DEFAULT_TEXT) == []


def test_every_rule_of_domain_is_its_own_annotated_policy() -> None:
    policy = policy_from_text(DEFAULT_TEXT, policy_id="default", version="test")
    disclose_rules = {r.rule for r in policy.rules.values() if r.action == "disclose"}
    assert disclose_rules == set(RULE_IDS)
    for r in policy.rules.values():
        assert r.explanation
    refusals = {r.rule for r in policy.rules.values() if r.effect == "forbid"}
    assert refusals == {"F1", "F2", "F3", "F4", "F5", "F6", "F7", "V3"}
    assert next(r for r in policy.rules.values() if r.rule == "F1").obligations == {"notify_legal_advisor"}


def test_every_policy_cites_its_source_in_a_comment() -> None:
    blocks = DEFAULT_TEXT.split("\n\n")
    for block in blocks:
        if "@id(" in block:
            assert "// Source:" in block or "Source:" in block.split("@id(")[0], block[:80]


def test_a_misspelt_identifier_is_caught() -> None:
    text = rule('permit (principal, action == Action::"disclose", resource == Category::"discpline");')
    assert any('unknown identifier Category::"discpline"' in problem for problem in validate_policy(text))


def test_an_unknown_attribute_is_caught_by_the_schema() -> None:
    text = rule('permit (principal, action == Action::"disclose", resource) when { principal.badge == "1" };')
    problems = validate_policy(text)
    assert problems and "badge" in " ".join(problems)


def test_an_unknown_obligation_is_caught() -> None:
    text = rule('permit (principal, action == Action::"disclose", resource);', obligations="tell_the_press")
    assert any("unknown obligation 'tell_the_press'" in problem for problem in validate_policy(text))


def test_a_release_rule_written_as_forbid_is_caught() -> None:
    text = rule('forbid (principal, action == Action::"disclose", resource);', tier="release", reviewer="-")
    assert any("refuse rules are `forbid`" in problem for problem in validate_policy(text))


def test_a_review_rule_needs_a_reviewer() -> None:
    text = rule('permit (principal, action == Action::"disclose", resource);', reviewer="-")
    assert any("@reviewer" in problem for problem in validate_policy(text))


def test_a_rule_without_explanation_or_id_is_caught() -> None:
    problems = validate_policy(
        rule('permit (principal, action == Action::"disclose", resource);', id="-", explanation="-")
    )
    assert any("@id" in problem for problem in problems)
    assert any("@explanation" in problem for problem in problems)


def test_a_rule_for_no_known_action_is_caught() -> None:
    problems = validate_policy(rule("permit (principal, action, resource);"))
    assert any("the action must be one of" in problem for problem in problems)


def test_text_that_does_not_parse_is_reported_not_raised() -> None:
    problems = validate_policy("permit (principal, action, resource")
    assert problems and "does not parse" in problems[0] or "parse" in problems[0]


def test_loading_an_invalid_policy_raises_policy_error() -> None:
    with pytest.raises(PolicyError):
        policy_from_text("forbid (", policy_id="broken", version="test")
