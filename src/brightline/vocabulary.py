"""The exact identifiers of DOMAIN.md, shared by the policy, the API, the CLI and every app.

Other apps import these rather than re-typing them. Tuples keep DOMAIN.md's order (used for stable output
and for choices in forms); frozensets are the named groups DOMAIN.md defines. None of these decide an
outcome: the groups are handed to Cedar as entity-group membership and the policy text decides.
"""

from __future__ import annotations

REQUESTER_KINDS: tuple[str, ...] = (
    "municipal_police",
    "transit_police",
    "state_police",
    "federal_law_enforcement",
    "immigration_enforcement",
    "fusion_center",
    "prosecutor",
    "court",
    "probation",
    "juvenile_justice",
    "child_protective_services",
    "public_health",
    "school_official",
    "school_district",
    "military_recruiter",
    "college",
    "researcher",
    "media",
    "parent",
    "eligible_student",
    "other",
)
LAW_ENFORCEMENT: frozenset[str] = frozenset(
    {"municipal_police", "transit_police", "state_police", "federal_law_enforcement", "prosecutor"}
)
# DOMAIN.md's emergency responders: the only requesters whose emergency counts (rule R1).
EMERGENCY_RESPONDERS: frozenset[str] = frozenset(
    {"municipal_police", "transit_police", "state_police", "child_protective_services", "public_health"}
)
PURPOSES: tuple[str, ...] = (
    "criminal_investigation",
    "civil_immigration_enforcement",
    "health_safety_emergency",
    "child_abuse_investigation",
    "foster_care_case_plan",
    "juvenile_justice",
    "court_proceeding",
    "school_transfer",
    "recruitment",
    "research",
    "journalism",
    "educational_interest",
    "parent_access",
    "welfare_check",
    "other",
)
LEGAL_PROCESS_KINDS: tuple[str, ...] = (
    "none",
    "subpoena",
    "administrative_subpoena",
    "grand_jury_subpoena",
    "court_order",
    "judicial_warrant",
    "administrative_warrant",
)
JUDICIAL_PROCESS: frozenset[str] = frozenset(
    {"subpoena", "grand_jury_subpoena", "court_order", "judicial_warrant"}
)
LEGAL_REVIEW_PROCESS: frozenset[str] = JUDICIAL_PROCESS | {"administrative_subpoena"}
CATEGORIES: tuple[str, ...] = (
    "directory",
    "contact",
    "enrollment",
    "attendance",
    "academic",
    "discipline",
    "health",
    "special_education",
    "counseling",
    "law_enforcement_unit",
    "child_welfare",
    "immigration",
)
EDUCATION_RECORDS: frozenset[str] = frozenset(CATEGORIES) - {"law_enforcement_unit", "child_welfare"}
IDENTIFIED_BY: tuple[str, ...] = ("name_and_birth_date", "student_id", "ssn", "other")
# Who a requester says will receive the records next. DOMAIN.md names `fusion_center` and `gang_database`;
# any requester kind may also be named. Free text is not accepted: the policy can only match identifiers.
ONWARD_RECIPIENTS: tuple[str, ...] = (*REQUESTER_KINDS, "gang_database")
OUTCOMES: tuple[str, ...] = ("release", "review", "refuse")
REVIEWERS: tuple[str, ...] = ("superintendent", "legal_advisor")
OBLIGATIONS: tuple[str, ...] = (
    "record_disclosure",
    "sealed_record",
    "notify_family_before_release",
    "notify_family_after_release",
    "family_notice_by_administrator",
    "record_threat",
    "redisclosure_notice",
    "notify_legal_advisor",
    "alert_police_missing_child",
    "determine_emergency",
)
# Rule ids in DOMAIN.md's order; `rules` in a triage result is listed in this order.
RULE_IDS: tuple[str, ...] = (
    "F1",
    "F2",
    "F3",
    "F4",
    "F5",
    "F6",
    "F7",
    "L",
    "V4",
    "R1",
    "R2",
    "R3",
    "R4",
    "R5",
    "R6",
    "R7",
    "R8",
    "B",
    "V1",
    "V2",
    "V3",
    "D",
)
# What a reviewer records when approving an item. Each is allowed only when the case facts support it;
# the policy's `approve` rules say when (see the policy app's README for the table).
LAWFUL_BASES: tuple[str, ...] = (
    "consent_obtained",
    "health_safety_emergency_determined",
    "legal_process_received",
    "abuse_investigation",
    "foster_care_case_plan",
    "school_official_interest",
    "school_transfer",
    "parent_access",
    "juvenile_justice_certification",
    "directory_information",
    "law_enforcement_unit_record",
)
# Precedence tiers of the `disclose` rules, strongest first (DOMAIN.md: refuse > L and V4 > release >
# review > D; R5 is a release rule that counts only when no other release rule applies).
TIERS: tuple[str, ...] = ("refuse", "legal_process", "release", "release_fallback", "review", "default")
# A tier that decides nothing on its own but changes the decision of others: a `bulk` rule (B) that
# matches turns a release into a review by its @reviewer, keeping the release rule's obligations.
MODIFIER_TIERS: tuple[str, ...] = ("bulk",)
TIER_OUTCOMES: dict[str, str] = {
    "refuse": "refuse",
    "legal_process": "review",
    "release": "release",
    "release_fallback": "release",
    "review": "review",
    "default": "review",
    "bulk": "review",
}

# Parties the policy never discloses to (F1, F2): a disclosure to one, recorded after the fact, alerts
# counsel and the superintendent at once.
FORBIDDEN_RECIPIENT_KINDS = frozenset({"immigration_enforcement", "fusion_center"})
