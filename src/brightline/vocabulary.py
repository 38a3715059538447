"""The exact identifiers of DOMAIN.md, shared by the policy, the API, the CLI and every app.

Other apps import these rather than re-typing them. Tuples keep DOMAIN.md's order (used for stable output
and for choices in forms); frozensets are the named groups DOMAIN.md defines. None of these decide an
outcome: the groups are handed to Cedar as entity-group membership and the policy text decides.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

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


# ---------------------------------------------------------------------------------------------------
# Labels: every identifier above in the words people read, in one place. They stay English here
# (`gettext_noop` marks them for the catalogs); `label()` translates into the active language. Pages,
# letters, packets, e-mails and CSV headers say these words, never the identifier.
# ---------------------------------------------------------------------------------------------------
CATEGORY_LABELS: dict[str, str] = {
    "directory": gettext_noop("Directory information (name, age, grade, dates of enrollment)"),
    "contact": gettext_noop("Contact information (home address, phone, guardians' contacts)"),
    "enrollment": gettext_noop("Enrollment (school, class schedule, transportation)"),
    "attendance": gettext_noop("Attendance"),
    "academic": gettext_noop("Academic records (grades, transcript, test scores)"),
    "discipline": gettext_noop("School discipline records"),
    "health": gettext_noop("Health records"),
    "special_education": gettext_noop("Special education records"),
    "counseling": gettext_noop("Counseling records"),
    "law_enforcement_unit": gettext_noop("School police unit incident reports"),
    "child_welfare": gettext_noop("Abuse and neglect report files (51A)"),
    "immigration": gettext_noop("Citizenship, immigration status or place of birth (never collected)"),
}
CATEGORY_SHORT: dict[str, str] = {
    "directory": gettext_noop("Directory information"),
    "contact": gettext_noop("Contact information"),
    "enrollment": gettext_noop("Enrollment"),
    "attendance": gettext_noop("Attendance"),
    "academic": gettext_noop("Academic records"),
    "discipline": gettext_noop("Discipline records"),
    "health": gettext_noop("Health records"),
    "special_education": gettext_noop("Special education records"),
    "counseling": gettext_noop("Counseling records"),
    "law_enforcement_unit": gettext_noop("School police unit reports"),
    "child_welfare": gettext_noop("Abuse and neglect report files"),
    "immigration": gettext_noop("Immigration information"),
}
PURPOSE_LABELS: dict[str, str] = {
    "criminal_investigation": gettext_noop("Criminal investigation"),
    "civil_immigration_enforcement": gettext_noop("Civil immigration enforcement"),
    "health_safety_emergency": gettext_noop("Health or safety emergency"),
    "child_abuse_investigation": gettext_noop("Investigation of suspected child abuse or neglect"),
    "foster_care_case_plan": gettext_noop("Foster care case plan"),
    "juvenile_justice": gettext_noop("Juvenile justice"),
    "court_proceeding": gettext_noop("Court proceeding"),
    "school_transfer": gettext_noop("Transfer to another school"),
    "recruitment": gettext_noop("Recruitment"),
    "research": gettext_noop("Research"),
    "journalism": gettext_noop("Journalism"),
    "educational_interest": gettext_noop("Legitimate educational interest"),
    "parent_access": gettext_noop("Parent or eligible student access"),
    "welfare_check": gettext_noop("Welfare check"),
    "other": gettext_noop("Other"),
}
LEGAL_PROCESS_LABELS: dict[str, str] = {
    "none": gettext_noop("No legal process"),
    "subpoena": gettext_noop("Subpoena"),
    "administrative_subpoena": gettext_noop("Administrative subpoena"),
    "grand_jury_subpoena": gettext_noop("Grand jury subpoena"),
    "court_order": gettext_noop("Court order"),
    "judicial_warrant": gettext_noop("Warrant signed by a judge"),
    "administrative_warrant": gettext_noop("Administrative warrant (for example an immigration detainer)"),
}
IDENTIFIED_BY_LABELS: dict[str, str] = {
    "name_and_birth_date": gettext_noop("Name and date of birth"),
    "student_id": gettext_noop("Student ID number"),
    "ssn": gettext_noop("Social Security number"),
    "other": gettext_noop("Other"),
}
LAWFUL_BASIS_LABELS: dict[str, str] = {
    "consent_obtained": gettext_noop("Written consent from the parent or eligible student (FERPA 99.30)"),
    "health_safety_emergency_determined": gettext_noop(
        "A health or safety emergency with a stated threat (FERPA 99.36)"
    ),
    "legal_process_received": gettext_noop(
        "A subpoena, court order or judicial warrant was received (FERPA 99.31(a)(9))"
    ),
    "abuse_investigation": gettext_noop(
        "Child-protective services investigating suspected abuse (c.119 s.51A/51B)"
    ),
    "foster_care_case_plan": gettext_noop("Foster care case plan (Uninterrupted Scholars Act)"),
    "school_official_interest": gettext_noop(
        "School official with a legitimate educational interest (FERPA 99.31(a)(1))"
    ),
    "school_transfer": gettext_noop("The student is enrolling in another school (FERPA 99.31(a)(2))"),
    "parent_access": gettext_noop("Parent or eligible student access (FERPA 99.10)"),
    "juvenile_justice_certification": gettext_noop(
        "Juvenile justice agency certified it will not redisclose (FERPA 99.38)"
    ),
    "directory_information": gettext_noop(
        "Directory information of a student who did not opt out (FERPA 99.37)"
    ),
    "law_enforcement_unit_record": gettext_noop(
        "School police unit record, not an education record (FERPA 99.8)"
    ),
}
OBLIGATION_LABELS: dict[str, str] = {
    "record_disclosure": gettext_noop("Written into the student's record of disclosures"),
    "sealed_record": gettext_noop("Sealed: kept for auditors, hidden from the family (non-disclosure order)"),
    "notify_family_before_release": gettext_noop("The family is told before anything is released"),
    "notify_family_after_release": gettext_noop("The family is told after the release"),
    "family_notice_by_administrator": gettext_noop(
        "A building administrator decides when the family is told"
    ),
    "record_threat": gettext_noop("The threat and every recipient are recorded"),
    "redisclosure_notice": gettext_noop("The recipient must accept the redisclosure notice"),
    "notify_legal_advisor": gettext_noop("The district's legal advisor gets a copy of the request"),
    "alert_police_missing_child": gettext_noop(
        "The student is flagged missing: police are told of this request"
    ),
    "determine_emergency": gettext_noop(
        "A district official must find the threat real before anything is released"
    ),
}
REQUESTER_KIND_LABELS: dict[str, str] = {
    "municipal_police": gettext_noop("City or town police"),
    "transit_police": gettext_noop("Transit police"),
    "state_police": gettext_noop("State police"),
    "federal_law_enforcement": gettext_noop("Federal law enforcement"),
    "immigration_enforcement": gettext_noop("Immigration enforcement"),
    "fusion_center": gettext_noop("Regional intelligence (fusion) center"),
    "prosecutor": gettext_noop("Prosecutor"),
    "court": gettext_noop("Court"),
    "probation": gettext_noop("Probation"),
    "juvenile_justice": gettext_noop("Juvenile justice agency"),
    "child_protective_services": gettext_noop("Child-protective services"),
    "public_health": gettext_noop("Public health"),
    "school_official": gettext_noop("School official"),
    "school_district": gettext_noop("Another school district"),
    "military_recruiter": gettext_noop("Military recruiter"),
    "college": gettext_noop("College"),
    "researcher": gettext_noop("Researcher"),
    "media": gettext_noop("News media"),
    "parent": gettext_noop("Parent"),
    "eligible_student": gettext_noop("Eligible student"),
    "other": gettext_noop("Other"),
}
# Who a requester will pass the records on to next: any kind of requester, or a gang database (rule F2).
ONWARD_RECIPIENT_LABELS: dict[str, str] = {
    **REQUESTER_KIND_LABELS,
    "other": gettext_noop("Someone else"),
    "gang_database": gettext_noop("Gang database"),
}
OUTCOME_LABELS: dict[str, str] = {
    "release": gettext_noop("May be released without review"),
    "review": gettext_noop("Must be reviewed"),
    "refuse": gettext_noop("Refused by the policy"),
}
REVIEWER_LABELS: dict[str, str] = {
    "superintendent": gettext_noop("the superintendent"),
    "legal_advisor": gettext_noop("the legal advisor"),
}
RULE_LABELS: dict[str, str] = {
    "F1": gettext_noop("F1 · no disclosure for civil immigration enforcement"),
    "F2": gettext_noop("F2 · no disclosure to a fusion center or gang database"),
    "F3": gettext_noop("F3 · immigration information is never disclosed"),
    "F4": gettext_noop("F4 · school discipline is not handed to police"),
    "F5": gettext_noop("F5 · abuse report files go only to child-protective services"),
    "F6": gettext_noop("F6 · directory information limits"),
    "F7": gettext_noop("F7 · juvenile justice limits"),
    "L": gettext_noop("L · legal process goes to the legal advisor"),
    "V4": gettext_noop("V4 · federal agencies go to the legal advisor"),
    "R1": gettext_noop("R1 · health or safety emergency"),
    "R2": gettext_noop("R2 · abuse investigation"),
    "R3": gettext_noop("R3 · foster care"),
    "R4": gettext_noop("R4 · school police records"),
    "R5": gettext_noop("R5 · directory information"),
    "R6": gettext_noop("R6 · written consent"),
    "R7": gettext_noop("R7 · school officials"),
    "R8": gettext_noop("R8 · parents and eligible students"),
    "B": gettext_noop("B · no bulk release: a request naming many students is reviewed"),
    "V1": gettext_noop("V1 · juvenile justice review"),
    "V2": gettext_noop("V2 · courts and probation without process"),
    "V3": gettext_noop("V3 · recruiters and colleges"),
    "D": gettext_noop("D · the superintendent reviews everything else"),
}

TIER_LABELS: dict[str, str] = {
    "refuse": gettext_noop("Refused by the policy"),
    "legal_process": gettext_noop("Legal process, reviewed by the legal advisor"),
    "release": gettext_noop("May be released without review"),
    "release_fallback": gettext_noop("May be released without review"),
    "review": gettext_noop("Must be reviewed"),
    "default": gettext_noop("Must be reviewed"),
    "bulk": gettext_noop("Must be reviewed"),
}
LABELS: dict[str, dict[str, str]] = {
    "category": CATEGORY_SHORT,
    "category_long": CATEGORY_LABELS,
    "purpose": PURPOSE_LABELS,
    "legal_process": LEGAL_PROCESS_LABELS,
    "identified_by": IDENTIFIED_BY_LABELS,
    "lawful_basis": LAWFUL_BASIS_LABELS,
    "obligation": OBLIGATION_LABELS,
    "requester_kind": REQUESTER_KIND_LABELS,
    "onward_recipient": ONWARD_RECIPIENT_LABELS,
    "outcome": OUTCOME_LABELS,
    "reviewer": REVIEWER_LABELS,
    "rule": RULE_LABELS,
    "tier": TIER_LABELS,
}
# Which identifiers each table labels: a test holds every identifier to a label.
LABELLED: dict[str, tuple[str, ...]] = {
    "category": CATEGORIES,
    "category_long": CATEGORIES,
    "purpose": PURPOSES,
    "legal_process": LEGAL_PROCESS_KINDS,
    "identified_by": IDENTIFIED_BY,
    "lawful_basis": LAWFUL_BASES,
    "obligation": OBLIGATIONS,
    "requester_kind": REQUESTER_KINDS,
    "onward_recipient": ONWARD_RECIPIENTS,
    "outcome": OUTCOMES,
    "reviewer": REVIEWERS,
    "rule": RULE_IDS,
    "tier": (*TIERS, *MODIFIER_TIERS),
}


def label_en(table: str, identifier: str) -> str:
    """The English label of an identifier; an identifier without one reads as words, never as itself."""
    if not identifier:
        return ""
    return LABELS[table].get(identifier) or identifier.replace("_", " ").capitalize()


def label(table: str, identifier: str) -> str:
    """The label of an identifier in the active language."""
    from django.utils.translation import gettext

    english = label_en(table, identifier)
    return gettext(english) if english else ""
