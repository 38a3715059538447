"""Reviewers approve only with a lawful basis the case facts support; refused items never."""

from __future__ import annotations

from typing import Any

import pytest

from brightline.policy.cases import parse_case
from brightline.policy.engine import check_lawful_basis, load_policy
from brightline.policy.tests.helpers import ACTIVE_EMERGENCY, case, consent, student
from brightline.vocabulary import LAWFUL_BASES, label_en

ENDED_EMERGENCY = {"threat": "fire", "ends_at": "2026-03-02T09:00:00-05:00"}


def check(
    document: dict[str, Any], category: str, basis: str, student_id: str = "S-1001"
) -> tuple[bool, str]:
    return check_lawful_basis(parse_case(document), {"student_id": student_id, "category": category}, basis)


# (basis, a case whose facts support it, the item's category)
SUPPORTED = [
    (
        "consent_obtained",
        case(kind="researcher", purpose="research", categories=["academic"], consent=consent("academic")),
        "academic",
    ),
    (
        "health_safety_emergency_determined",
        case(kind="public_health", categories=["academic"], emergency=ACTIVE_EMERGENCY),
        "academic",
    ),
    (
        "legal_process_received",
        case(categories=["academic"], legal_process={"kind": "administrative_subpoena"}),
        "academic",
    ),
    (
        "abuse_investigation",
        case(
            kind="child_protective_services", purpose="child_abuse_investigation", categories=["counseling"]
        ),
        "counseling",
    ),
    (
        "foster_care_case_plan",
        case(
            kind="child_protective_services",
            purpose="foster_care_case_plan",
            categories=["directory"],
            students=[student(foster_care=True)],
        ),
        "directory",
    ),
    (
        "school_official_interest",
        case(kind="school_official", purpose="educational_interest", categories=["academic"]),
        "academic",
    ),
    (
        "school_transfer",
        case(kind="school_district", purpose="school_transfer", categories=["academic"]),
        "academic",
    ),
    ("parent_access", case(kind="parent", purpose="parent_access", categories=["academic"]), "academic"),
    (
        "juvenile_justice_certification",
        case(
            kind="juvenile_justice",
            purpose="juvenile_justice",
            categories=["academic"],
            certification_no_redisclosure=True,
        ),
        "academic",
    ),
    (
        "directory_information",
        case(kind="media", purpose="journalism", categories=["directory"]),
        "directory",
    ),
    (
        "law_enforcement_unit_record",
        case(kind="school_official", purpose="educational_interest", categories=["law_enforcement_unit"]),
        "law_enforcement_unit",
    ),
]


def test_every_lawful_basis_has_a_supported_case() -> None:
    assert {basis for basis, *_ in SUPPORTED} == set(LAWFUL_BASES)


@pytest.mark.parametrize(("basis", "supported", "category"), SUPPORTED, ids=[row[0] for row in SUPPORTED])
def test_approval_is_allowed_when_the_facts_support_the_basis(
    basis: str, supported: dict, category: str
) -> None:
    allowed, reason = check(supported, category, basis)
    assert allowed, reason
    # The basis in words, never its identifier.
    assert label_en("lawful_basis", basis) in reason and basis not in reason


def test_consent_for_other_categories_is_no_basis() -> None:
    document = case(
        kind="researcher", purpose="research", categories=["academic"], consent=consent("attendance")
    )
    allowed, reason = check(document, "academic", "consent_obtained")
    assert not allowed
    assert "consent" in reason


def test_ended_emergency_is_no_basis() -> None:
    assert not check(
        case(kind="public_health", categories=["academic"], emergency=ENDED_EMERGENCY),
        "academic",
        "health_safety_emergency_determined",
    )[0]


def test_administrative_warrant_is_not_legal_process_received() -> None:
    assert not check(
        case(categories=["academic"], legal_process={"kind": "administrative_warrant"}),
        "academic",
        "legal_process_received",
    )[0]


def test_abuse_investigation_needs_that_purpose() -> None:
    document = case(kind="child_protective_services", purpose="welfare_check", categories=["counseling"])
    assert not check(document, "counseling", "abuse_investigation")[0]


def test_foster_care_basis_needs_a_student_in_foster_care() -> None:
    document = case(
        kind="child_protective_services", purpose="foster_care_case_plan", categories=["academic"]
    )
    assert not check(document, "academic", "foster_care_case_plan")[0]


def test_school_official_basis_needs_educational_interest() -> None:
    document = case(kind="school_official", purpose="research", categories=["academic"])
    assert not check(document, "academic", "school_official_interest")[0]


def test_school_transfer_basis_needs_a_transfer() -> None:
    assert not check(
        case(kind="school_district", purpose="research", categories=["academic"]),
        "academic",
        "school_transfer",
    )[0]
    assert not check(
        case(kind="college", purpose="school_transfer", categories=["academic"]),
        "academic",
        "school_transfer",
    )[0]


def test_parent_access_is_not_a_basis_for_others() -> None:
    assert not check(
        case(kind="media", purpose="parent_access", categories=["academic"]), "academic", "parent_access"
    )[0]


def test_juvenile_justice_certification_needs_the_certification() -> None:
    document = case(
        kind="court", purpose="juvenile_justice", categories=["academic"], certification_no_redisclosure=True
    )
    assert not check(document, "academic", "juvenile_justice_certification")[0]


def test_directory_basis_fails_for_an_opted_out_student_or_another_identifier() -> None:
    # The suite's subpoena puts these items in review, so the only question is the basis itself.
    process = {"kind": "subpoena", "nondisclosure_order": False}
    opted_out = case(
        categories=["directory"], legal_process=process, students=[student(directory_opt_out=True)]
    )
    by_id = case(categories=["directory"], legal_process=process, identified_by="student_id")
    assert not check(opted_out, "directory", "directory_information")[0]
    assert not check(by_id, "directory", "directory_information")[0]


def test_school_police_record_basis_is_only_for_those_records() -> None:
    assert not check(
        case(kind="school_official", purpose="educational_interest", categories=["academic"]),
        "academic",
        "law_enforcement_unit_record",
    )[0]


def test_refused_items_can_never_be_approved_whatever_the_basis() -> None:
    document = case(
        kind="immigration_enforcement",
        purpose="civil_immigration_enforcement",
        categories=["contact"],
        emergency=ACTIVE_EMERGENCY,
        consent=consent("contact"),
    )
    for basis in LAWFUL_BASES:
        allowed, reason = check(document, "contact", basis)
        assert not allowed
        assert reason.startswith("Refused items can never be approved.") and "(rule F1)" in reason


def test_an_unknown_basis_is_not_allowed() -> None:
    allowed, reason = check(case(), "contact", "because_i_said_so")
    assert not allowed
    assert "not a lawful basis" in reason


def test_an_item_outside_the_case_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="not an item of this case"):
        check(case(), "health", "consent_obtained")


def test_check_accepts_a_triage_item() -> None:
    parsed = parse_case(case(kind="school_official", purpose="educational_interest", categories=["academic"]))
    item = load_policy().triage(parsed).items[0]
    assert check_lawful_basis(parsed, item, "school_official_interest")[0]
