"""The exact identifiers of DOMAIN.md, shared by the policy, the API, the CLI and every app."""

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
)
ONWARD_RECIPIENTS_FORBIDDEN: frozenset[str] = frozenset({"fusion_center", "gang_database"})
