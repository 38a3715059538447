"""The incident report as the API receives it: strict keys, so a field that should not exist is refused
with the reason, never silently dropped."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from brightline.errors import InvalidInput
from brightline.incidents.screening import unknown_key_errors
from brightline.incidents.services import InvolvedStudent

REPORT_KEYS = (
    "school_id",
    "occurred_on",
    "summary",
    "description",
    "conduct",
    "felony",
    "purpose",
    "reporting_unit",
    "students",
    "confirmed_screening",
)
STUDENT_KEYS = ("student_id", "role", "possessed_weapon")


@dataclass(frozen=True)
class IncidentInput:
    school_id: int | None
    occurred_on: dt.date | None
    summary: str
    description: str
    conduct: list[str]
    felony: bool
    purpose: str
    reporting_unit: str | None
    students: list[InvolvedStudent]
    confirmed_screening: bool


def _text(data: dict[str, Any], key: str, errors: list[tuple[str, str]], prefix: str = "") -> str:
    value = data.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.append((f"{prefix}{key}", "text expected"))
        return ""
    return value


def _flag(data: dict[str, Any], key: str, errors: list[tuple[str, str]], prefix: str = "") -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        errors.append((f"{prefix}{key}", "true or false"))
        return False
    return value


def parse_incident(data: object) -> IncidentInput:
    """Read an incident report body; every problem at once, each with its field path."""
    if not isinstance(data, dict):
        raise InvalidInput([("", "the body must be a JSON object")])
    errors = unknown_key_errors(data, REPORT_KEYS)
    school_id = data.get("school_id")
    if school_id is not None and (isinstance(school_id, bool) or not isinstance(school_id, int)):
        errors.append(("school_id", "the school's id, a number"))
        school_id = None
    occurred_on: dt.date | None = None
    raw_date = data.get("occurred_on")
    if raw_date is not None:
        try:
            occurred_on = dt.date.fromisoformat(str(raw_date))
        except ValueError:
            errors.append(("occurred_on", "a date, YYYY-MM-DD"))
    conduct = data.get("conduct", [])
    if not isinstance(conduct, list) or not all(isinstance(c, str) for c in conduct):
        errors.append(("conduct", "a list of conduct identifiers"))
        conduct = []
    students: list[InvolvedStudent] = []
    raw_students = data.get("students", [])
    if not isinstance(raw_students, list):
        errors.append(("students", "a list of students"))
        raw_students = []
    for index, raw in enumerate(raw_students):
        prefix = f"students.{index}."
        if not isinstance(raw, dict):
            errors.append((f"students.{index}", "an object with student_id and role"))
            continue
        errors += unknown_key_errors(raw, STUDENT_KEYS, prefix)
        students.append(
            InvolvedStudent(
                student_id=_text(raw, "student_id", errors, prefix),
                role=_text(raw, "role", errors, prefix),
                possessed_weapon=_flag(raw, "possessed_weapon", errors, prefix),
            )
        )
    parsed = IncidentInput(
        school_id=school_id,
        occurred_on=occurred_on,
        summary=_text(data, "summary", errors),
        description=_text(data, "description", errors),
        conduct=list(conduct),
        felony=_flag(data, "felony", errors),
        purpose=_text(data, "purpose", errors) or "school_discipline",
        # Who made the report is read from the recorder's assignment; one sent is only checked against it.
        reporting_unit=_text(data, "reporting_unit", errors) or None,
        students=students,
        confirmed_screening=_flag(data, "confirmed_screening", errors),
    )
    if errors:
        raise InvalidInput(errors)
    return parsed
