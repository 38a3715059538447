"""The incident report as the API receives it: one pydantic schema the API validates the body with once,
every problem at once with its field path. Keys are strict: a field that should not exist is refused,
and one that names a forbidden subject is refused with the reason, never silently dropped.

What the body alone tells is checked here (types, required fields, the allowed conduct, purposes, units
and roles, lengths, dates); what needs the database or the person recording (their school and unit, the
students, a date in the future, the screening of the text) stays with `services.incident_record`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from brightline.api_schemas import IsoDate
from brightline.errors import PYDANTIC_TYPES, InvalidInput, labelled, readable
from brightline.incidents.classification import CONDUCT
from brightline.incidents.models import RecordPurpose, ReportingUnit, StudentRole
from brightline.incidents.screening import WHY, forbidden_key
from brightline.incidents.services import SUMMARY_MAX, InvolvedStudent

if TYPE_CHECKING:
    Conduct = str
    Purpose = str
    Unit = str
    Role = str
else:
    Conduct = Literal[tuple(CONDUCT)]
    Purpose = Literal[tuple(RecordPurpose.values)]
    Unit = Literal[tuple(ReportingUnit.values)]
    Role = Literal[tuple(StudentRole.values)]

labelled(CONDUCT)
for _choices in (RecordPurpose, ReportingUnit, StudentRole):
    labelled({value: str(label) for value, label in _choices.choices})

REFUSED = f"Refused: {WHY}."


def _again(error: Any) -> InitErrorDetails:
    """A problem pydantic found, raised again beside the refused keys."""
    if error["type"] in PYDANTIC_TYPES:
        details: InitErrorDetails = {"type": error["type"], "loc": error["loc"], "input": error["input"]}
        if error.get("ctx"):
            details["ctx"] = error["ctx"]
        return details
    return {
        "type": PydanticCustomError(error["type"], error["msg"]),
        "loc": error["loc"],
        "input": error["input"],
    }


class _Screened(BaseModel):
    """Unknown keys are refused; one that names a forbidden subject is refused with the reason, beside
    every other problem of the object."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="wrap")
    @classmethod
    def _no_forbidden_subjects(cls, data: Any, handler: Any) -> Any:
        if not isinstance(data, dict):
            return handler(data)
        refused = [key for key in data if key not in cls.model_fields and forbidden_key(str(key))]
        if not refused:
            return handler(data)
        problems: list[InitErrorDetails] = [
            {"type": PydanticCustomError("forbidden_subject", REFUSED), "loc": (key,), "input": data[key]}
            for key in refused
        ]
        try:
            handler({key: value for key, value in data.items() if key not in refused})
        except ValidationError as error:
            problems += [_again(problem) for problem in error.errors(include_url=False)]
        raise ValidationError.from_exception_data(cls.__name__, problems)


class StudentIn(_Screened):
    student_id: StrictStr = Field(description="The student's ID in the district's roster.")
    role: Role = Field(description="responsible, affected or witness")
    possessed_weapon: StrictBool = False


class IncidentIn(_Screened):
    """An incident report. There is no field for immigration or citizenship status, place of birth,
    ethnicity or gang affiliation, and a key naming one is refused with the reason."""

    school_id: StrictInt
    occurred_on: IsoDate
    summary: Annotated[StrictStr, Field(max_length=SUMMARY_MAX)]
    description: StrictStr
    conduct: list[Conduct] = Field(description="Kinds of conduct: fight, assault, weapon, drugs, threat, …")
    felony: StrictBool = False
    purpose: Purpose | None = Field(
        RecordPurpose.SCHOOL_DISCIPLINE.value,
        description="What the report is made for: school_discipline or law_enforcement. Only a report the "
        "school police unit makes for a law-enforcement purpose is kept apart from the education record.",
    )
    reporting_unit: Unit | None = Field(
        None,
        description="Who makes the report: read from your assignment at the school (school_staff, or "
        "school_police for an officer of the unit); when sent, it must be that unit.",
    )
    students: list[StudentIn]
    confirmed_screening: StrictBool = Field(
        False, description="Confirm the text records none of the forbidden subjects the screening found."
    )

    def involved(self) -> list[InvolvedStudent]:
        return [
            InvolvedStudent(student_id=s.student_id, role=s.role, possessed_weapon=s.possessed_weapon)
            for s in self.students
        ]


def parse_incident(data: object) -> IncidentIn:
    """An incident report from any caller, validated; InvalidInput with the path of every problem."""
    try:
        return IncidentIn.model_validate(data)
    except ValidationError as error:
        raise InvalidInput(
            [
                (".".join(str(part) for part in problem["loc"]), readable(problem))
                for problem in error.errors(include_url=False)
            ]
        ) from None
