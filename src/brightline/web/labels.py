"""Plain-language words for the identifiers of DOMAIN.md, as people read them on the pages.

Presentational only: nothing here decides an outcome. Every identifier of the vocabulary has a label;
`label()` falls back to the identifier with spaces so that a new identifier still reads sensibly. The
labels the public policy page shows are marked for the catalogs (`gettext_noop`: they stay English here;
the page translates them).
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from brightline.casework.models import ItemState, RequestState
from brightline.vocabulary import (
    CATEGORIES,
    IDENTIFIED_BY,
    LAWFUL_BASES,
    LEGAL_PROCESS_KINDS,
    ONWARD_RECIPIENTS,
    PURPOSES,
    REQUESTER_KINDS,
)

CATEGORY_LABELS: dict[str, str] = {
    "directory": "Directory information (name, age, grade, dates of enrollment)",
    "contact": "Contact information (home address, phone, guardians' contacts)",
    "enrollment": "Enrollment (school, class schedule, transportation)",
    "attendance": "Attendance",
    "academic": "Academic records (grades, transcript, test scores)",
    "discipline": "School discipline records",
    "health": "Health records",
    "special_education": "Special education records",
    "counseling": "Counseling records",
    "law_enforcement_unit": "School police unit incident reports",
    "child_welfare": "Abuse and neglect report files (51A)",
    "immigration": "Citizenship, immigration status or place of birth (never collected)",
}
CATEGORY_SHORT: dict[str, str] = {
    "directory": "Directory information",
    "contact": "Contact information",
    "enrollment": "Enrollment",
    "attendance": "Attendance",
    "academic": "Academic records",
    "discipline": "Discipline records",
    "health": "Health records",
    "special_education": "Special education records",
    "counseling": "Counseling records",
    "law_enforcement_unit": "School police unit reports",
    "child_welfare": "Abuse and neglect report files",
    "immigration": "Immigration information",
}
PURPOSE_LABELS: dict[str, str] = {
    "criminal_investigation": "Criminal investigation",
    "civil_immigration_enforcement": "Civil immigration enforcement",
    "health_safety_emergency": "Health or safety emergency",
    "child_abuse_investigation": "Investigation of suspected child abuse or neglect",
    "foster_care_case_plan": "Foster care case plan",
    "juvenile_justice": "Juvenile justice",
    "court_proceeding": "Court proceeding",
    "school_transfer": "Transfer to another school",
    "recruitment": "Recruitment",
    "research": "Research",
    "journalism": "Journalism",
    "educational_interest": "Legitimate educational interest",
    "parent_access": "Parent or eligible student access",
    "welfare_check": "Welfare check",
    "other": "Other",
}
LEGAL_PROCESS_LABELS: dict[str, str] = {
    "none": "No legal process",
    "subpoena": "Subpoena",
    "administrative_subpoena": "Administrative subpoena",
    "grand_jury_subpoena": "Grand jury subpoena",
    "court_order": "Court order",
    "judicial_warrant": "Warrant signed by a judge",
    "administrative_warrant": "Administrative warrant (for example an immigration detainer)",
}
IDENTIFIED_BY_LABELS: dict[str, str] = {
    "name_and_birth_date": "Name and date of birth",
    "student_id": "Student ID number",
    "ssn": "Social Security number",
    "other": "Other",
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
    "municipal_police": "City or town police",
    "transit_police": "Transit police",
    "state_police": "State police",
    "federal_law_enforcement": "Federal law enforcement",
    "immigration_enforcement": "Immigration enforcement",
    "fusion_center": "Regional intelligence (fusion) center",
    "prosecutor": "Prosecutor",
    "court": "Court",
    "probation": "Probation",
    "juvenile_justice": "Juvenile justice agency",
    "child_protective_services": "Child-protective services",
    "public_health": "Public health",
    "school_official": "School official",
    "school_district": "Another school district",
    "military_recruiter": "Military recruiter",
    "college": "College",
    "researcher": "Researcher",
    "media": "News media",
    "parent": "Parent",
    "eligible_student": "Eligible student",
    "other": "Other",
}
# Who a requester will pass the records on to next: any kind of requester, or a gang database (rule F2).
ONWARD_RECIPIENT_LABELS: dict[str, str] = {
    **REQUESTER_KIND_LABELS,
    "other": "Someone else",
    "gang_database": "Gang database",
}
OUTCOME_LABELS: dict[str, str] = {
    "release": "May be released without review",
    "review": "Must be reviewed",
    "refuse": "Refused by the policy",
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

TABLES: dict[str, dict[str, str]] = {
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
    "item_state": {state.value: state.label for state in ItemState},
    # The obligations a requester is shown (casework.selectors.REQUESTER_OBLIGATIONS), said to it.
    "requester_obligation": {
        "redisclosure_notice": "You must accept the notice on redisclosure (FERPA 99.33) before you download",
        "notify_family_before_release": "The family is told before anything is released: this waits for the notice period",
    },
    "request_state": {state.value: state.label for state in RequestState},
}


def label(table: str, identifier: str) -> str:
    if not identifier:
        return ""
    return TABLES[table].get(identifier, identifier.replace("_", " ").capitalize())


def choices(table: str, identifiers: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(identifier, label(table, identifier)) for identifier in identifiers]


CATEGORY_CHOICES = choices("category_long", CATEGORIES)
PURPOSE_CHOICES = choices("purpose", PURPOSES)
LEGAL_PROCESS_CHOICES = choices("legal_process", LEGAL_PROCESS_KINDS)
IDENTIFIED_BY_CHOICES = choices("identified_by", IDENTIFIED_BY)
LAWFUL_BASIS_CHOICES = choices("lawful_basis", LAWFUL_BASES)
REQUESTER_KIND_CHOICES = choices("requester_kind", REQUESTER_KINDS)
ONWARD_RECIPIENT_CHOICES = choices("onward_recipient", ONWARD_RECIPIENTS)

# The request states and channels the staff dashboards show (casework's own labels), marked for the
# catalogs; the dashboards translate them. A test keeps them equal to casework's.
DASHBOARD_WORDS: tuple[str, ...] = (
    gettext_noop("Waiting for the records office to identify a student"),
    gettext_noop("In review"),
    gettext_noop("Waiting for the district to confirm the emergency"),
    gettext_noop("Waiting for the family notice period"),
    gettext_noop("Ready to release"),
    gettext_noop("Released"),
    gettext_noop("Closed: nothing to release"),
    gettext_noop("Requester portal"),
    gettext_noop("API"),
    gettext_noop("Fax"),
    gettext_noop("Email"),
    gettext_noop("Phone"),
    gettext_noop("Mail"),
    gettext_noop("In person"),
)
