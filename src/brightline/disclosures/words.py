"""The record of disclosures in a family's words: every identifier an entry holds, said plainly and
through the gettext catalogs, so that the family page never shows a code.

Presentational only; nothing here decides an outcome.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from brightline.vocabulary import LAWFUL_BASES

# The lawful basis (casework.Decision.lawful_basis, policy.vocabulary.LAWFUL_BASES) in plain words.
LAWFUL_BASIS_WORDS = {
    "consent_obtained": _("A parent or the student gave written consent (FERPA 99.30)."),
    "health_safety_emergency_determined": _(
        "A health or safety emergency: the district found a serious threat (FERPA 99.36)."
    ),
    "legal_process_received": _(
        "The district received a subpoena, court order or judge's warrant (FERPA 99.31(a)(9))."
    ),
    "abuse_investigation": _(
        "Child-protective services is investigating suspected abuse or neglect (M.G.L. c.119 s.51A/51B)."
    ),
    "foster_care_case_plan": _("The student's foster care case plan (Uninterrupted Scholars Act)."),
    "school_official_interest": _(
        "A school official who needs the records to do their job (FERPA 99.31(a)(1))."
    ),
    "school_transfer": _("The student is enrolling in another school (FERPA 99.31(a)(2))."),
    "parent_access": _("A parent or the student asked to see their own records (FERPA 99.10)."),
    "juvenile_justice_certification": _(
        "A juvenile justice agency promised in writing not to pass the records on (FERPA 99.38)."
    ),
    "directory_information": _(
        "Directory information of a student whose family did not opt out (FERPA 99.37)."
    ),
    "law_enforcement_unit_record": _(
        "A report of the school police unit, which is not an education record (FERPA 99.8)."
    ),
}
assert set(LAWFUL_BASIS_WORDS) == set(LAWFUL_BASES)

# The release rules that let an item go without a reviewer, and the lawful basis each rests on.
RULE_BASIS = {
    "R1": "health_safety_emergency_determined",
    "R2": "abuse_investigation",
    "R3": "foster_care_case_plan",
    "R4": "law_enforcement_unit_record",
    "R5": "directory_information",
    "R6": "consent_obtained",
    "R7": "school_official_interest",
    "R8": "parent_access",
    "L": "legal_process_received",
}

KIND_WORDS = {
    "request": _("Request received"),
    "disclosure": _("Records released"),
    "emergency_determination": _("Emergency found by the district"),
    "emergency": _("Released in an emergency, recorded afterwards"),
    "abuse_report": _("Report of suspected abuse or neglect"),
    "weapon_routing": _("Weapon report sent as the law requires"),
}

CATEGORY_WORDS = {
    "directory": _("Directory information (name, age, grade, dates of enrollment)"),
    "contact": _("Home address and phone numbers"),
    "enrollment": _("School, class schedule and transportation"),
    "attendance": _("Attendance"),
    "academic": _("Grades, transcript and test scores"),
    "discipline": _("Discipline records"),
    "health": _("Health records"),
    "special_education": _("Special education records"),
    "counseling": _("Counseling records"),
    "law_enforcement_unit": _("School police reports"),
    "child_welfare": _("Reports of suspected abuse or neglect"),
    "immigration": _("Citizenship or immigration information"),
}

PURPOSE_WORDS = {
    "criminal_investigation": _("A criminal investigation"),
    "civil_immigration_enforcement": _("Civil immigration enforcement"),
    "health_safety_emergency": _("A health or safety emergency"),
    "child_abuse_investigation": _("An investigation of suspected child abuse or neglect"),
    "foster_care_case_plan": _("A foster care case plan"),
    "juvenile_justice": _("Juvenile justice"),
    "court_proceeding": _("A court proceeding"),
    "school_transfer": _("A transfer to another school"),
    "recruitment": _("Recruitment"),
    "research": _("Research"),
    "journalism": _("Journalism"),
    "educational_interest": _("A school official's work"),
    "parent_access": _("A parent's or student's own access"),
    "welfare_check": _("A welfare check"),
    "other": _("Another purpose"),
}

# What became of one asked-for part of the record (casework.ItemState), as a family reads it.
ITEM_STATE_WORDS = {
    "awaiting_match": _("not decided yet"),
    "unidentified": _("nothing released"),
    "refused": _("refused: the district's policy forbids it"),
    "pending_review": _("waiting for a reviewer's decision"),
    "denied": _("refused by a reviewer"),
    "awaiting_determination": _("waiting for the district to confirm the emergency"),
    "awaiting_notice": _("approved; not released before the notice period ends"),
    "cleared": _("approved; not released yet"),
    "released": _("released"),
}


def words(table: Mapping[str, object], identifier: str) -> str:
    """The plain words for an identifier; an unknown one reads as itself with spaces."""
    value = table.get(identifier)
    return str(value) if value is not None else identifier.replace("_", " ").capitalize()
