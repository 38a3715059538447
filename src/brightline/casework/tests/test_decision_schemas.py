"""A reviewer's decision and an official's determination of an emergency are checked by their schemas:
what the body alone tells (required fields, allowed values, lengths, what an action needs) answers 422
with every problem's path at once, before anything is read from the database."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from pydantic import ValidationError

from brightline.accounts.tests.helpers import sign_in
from brightline.casework.models import Decision, EmergencyDetermination
from brightline.casework.schemas import (
    RATIONALE_LENGTH,
    DecisionIn,
    DeterminationIn,
    decision_in,
    determination_in,
)
from brightline.errors import InvalidInput
from brightline.testing import World


def problems(model: type[Any], body: dict[str, Any]) -> dict[tuple[Any, ...], str]:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(body)
    return {tuple(error["loc"]): error["type"] for error in raised.value.errors()}


def test_an_approval_needs_its_basis_and_a_rationale_both_named_at_once() -> None:
    assert problems(DecisionIn, {"action": "approve", "rationale": "  "}) == {
        ("rationale",): "blank",
        ("lawful_basis",): "basis_required",
    }
    assert problems(
        DecisionIn, {"action": "narrow", "rationale": "ok", "lawful_basis": "legal_process_received"}
    ) == {("fields_removed",): "fields_required"}
    assert problems(DecisionIn, {"action": "deny", "rationale": "No.", "fields_removed": ["age"]}) == {
        ("fields_removed",): "fields_not_withheld"
    }
    assert problems(DecisionIn, {"action": "approve", "rationale": "x" * (RATIONALE_LENGTH + 1)}) == {
        ("rationale",): "string_too_long",
        ("lawful_basis",): "basis_required",
    }
    assert problems(DecisionIn, {"rationale": 3, "lawful_basis": "whim", "fields_removed": "age"}) == {
        ("action",): "missing",
        ("rationale",): "string_type",
        ("lawful_basis",): "literal_error",
        ("fields_removed",): "list_type",
    }


def test_a_valid_decision_is_read_stripped_and_a_denial_needs_no_basis() -> None:
    denial = DecisionIn.model_validate({"action": "deny", "rationale": "  No basis shown. "})
    assert (denial.action, denial.rationale, denial.lawful_basis, denial.fields_removed) == (
        "deny",
        "No basis shown.",
        None,
        [],
    )
    narrowed = DecisionIn.model_validate(
        {
            "action": "narrow",
            "rationale": "Only the name.",
            "lawful_basis": "legal_process_received",
            "fields_removed": ["age"],
        }
    )
    assert narrowed.fields_removed == ["age"]


def test_a_determination_found_needs_the_threat_and_every_one_needs_a_rationale() -> None:
    assert problems(DeterminationIn, {"found": True, "threat": " ", "rationale": ""}) == {
        ("threat",): "threat_required",
        ("rationale",): "blank",
    }
    assert problems(DeterminationIn, {"found": "yes", "rationale": "Called."}) == {("found",): "bool_type"}
    assert problems(DeterminationIn, {"found": False, "rationale": "Called.", "by": "me"}) == {
        ("by",): "extra_forbidden"
    }
    not_found = DeterminationIn.model_validate({"found": False, "rationale": " Called the desk. "})
    assert (not_found.threat, not_found.rationale) == ("", "Called the desk.")


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_the_api_answers_every_problem_with_its_path_and_a_sentence_and_stores_nothing(
    world: World, client: Client
) -> None:
    sign_in(client, world.superintendent)
    answer = post(client, "/api/v1/items/1/decision", {"action": "approve", "rationale": ""})
    assert answer.status_code == 422
    assert [(p["loc"], p["type"], p["msg"]) for p in answer.json()["detail"]] == [
        (["body", "rationale"], "blank", "Write the rationale: why you decide so."),
        (["body", "lawful_basis"], "basis_required", "An approval needs the lawful basis it rests on."),
    ]
    sign_in(client, world.clerk)
    answer = post(
        client, "/api/v1/request-students/1/emergency-determination", {"found": True, "rationale": " "}
    )
    assert answer.status_code == 422
    assert [p["loc"] for p in answer.json()["detail"]] == [["body", "threat"], ["body", "rationale"]]
    assert answer.json()["detail"][0]["msg"] == "Describe the threat as you found it."
    assert not Decision.objects.exists() and not EmergencyDetermination.objects.exists()


def test_any_caller_gets_the_same_checks_as_invalid_input_in_sentences() -> None:
    with pytest.raises(InvalidInput) as raised:
        decision_in({"action": "narrow", "rationale": "", "lawful_basis": "legal_process_received"})
    assert raised.value.errors == [
        ("rationale", "Write the rationale: why you decide so."),
        ("fields_removed", "Name the fields a narrowed approval withholds."),
    ]
    with pytest.raises(InvalidInput) as raised:
        determination_in({"found": True, "threat": "", "rationale": "Called."})
    assert raised.value.errors == [("threat", "Describe the threat as you found it.")]
    valid = DecisionIn.model_validate({"action": "deny", "rationale": "No."})
    assert decision_in(valid) is valid
