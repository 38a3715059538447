"""The request object of DOMAIN.md as the API publishes it: one pydantic model that the API validates the
body with and that `request_submit` validates every other caller's dict with (the portal's and the records
office's forms, the demo), so a request is checked once, by one definition, with a field path for each
problem.

Identifiers come from the vocabulary (`brightline.vocabulary`); a document this model accepts is one the
policy engine reads (tests/test_api_schemas.py checks it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    ValidationError,
    ValidationInfo,
    WrapValidator,
    field_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from brightline import vocabulary
from brightline.api_schemas import IsoDate
from brightline.casework.models import OFF_PORTAL_CHANNELS, DecisionAction
from brightline.errors import InvalidInput, labelled, readable, value_words
from brightline.roster.models import name_key

# Only here does a request name a requester's name and position: the columns they are copied to.
REQUESTER_NAME_LENGTH = 200
REQUESTER_POSITION_LENGTH = 120
MAX_STUDENTS_PER_REQUEST = 200

if TYPE_CHECKING:
    # The checker reads identifiers as text; pydantic reads the vocabulary's enumerations.
    RequesterKind = str
    Purpose = str
    Category = str
    LegalProcessKind = str
    IdentifiedBy = str
    OnwardRecipient = str
    Outcome = str
    Reviewer = str
    RuleId = str
    Obligation = str
    LawfulBasis = str
    OffPortalChannel = str
else:
    RequesterKind = Literal[vocabulary.REQUESTER_KINDS]
    Purpose = Literal[vocabulary.PURPOSES]
    Category = Literal[vocabulary.CATEGORIES]
    LegalProcessKind = Literal[vocabulary.LEGAL_PROCESS_KINDS]
    IdentifiedBy = Literal[vocabulary.IDENTIFIED_BY]
    OnwardRecipient = Literal[vocabulary.ONWARD_RECIPIENTS]
    Outcome = Literal[vocabulary.OUTCOMES]
    Reviewer = Literal[vocabulary.REVIEWERS]
    RuleId = Literal[vocabulary.RULE_IDS]
    Obligation = Literal[vocabulary.OBLIGATIONS]
    LawfulBasis = Literal[vocabulary.LAWFUL_BASES]
    OffPortalChannel = Literal[tuple(channel.value for channel in OFF_PORTAL_CHANNELS)]


def _non_blank(value: str) -> str:
    # Python's idea of blank, the one the roster look-up strips with (it counts more as space than
    # Unicode's White_Space does).
    value = value.strip()
    if not value:
        raise PydanticCustomError("blank", "This must not be blank.")
    return value


def _comparable_name(value: str) -> str:
    # The roster compares names by their letters and digits alone: a name without any matches nobody.
    if not name_key(value):
        raise PydanticCustomError("name_letters", "A name needs at least one letter or digit.")
    return value


NonBlank = Annotated[StrictStr, Field(min_length=1), AfterValidator(_non_blank)]
Name = Annotated[NonBlank, AfterValidator(_comparable_name)]


def _usable_end(value: object) -> dt.datetime | None:
    """DOMAIN.md: an emergency is active only before its end; an end that is no date and time with a UTC
    offset (a naive time is ambiguous by hours) makes the emergency no emergency, never an error: the
    other rules decide and the answer says why (`services.emergency_note`)."""
    moment = value
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(moment, dt.datetime) or moment.utcoffset() is None:
        return None
    return moment


def _in_range(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is not None:
        try:
            moment.astimezone(dt.UTC)
        except OverflowError:
            raise PydanticCustomError(
                "datetime_range", "This date and time is out of the range a calendar holds."
            ) from None
    return moment


EmergencyEnd = Annotated[dt.datetime | None, BeforeValidator(_usable_end), AfterValidator(_in_range)]


def _no_repeats(values: list[str]) -> list[str]:
    """Each identifier once, the repeat named where it stands (`categories.2`)."""
    seen: set[str] = set()
    repeats: list[InitErrorDetails] = []
    for index, value in enumerate(values):
        if value in seen:
            repeats.append(
                {
                    "type": PydanticCustomError(
                        "repeated", "{words} is named twice.", {"value": value, "words": value_words(value)}
                    ),
                    "loc": (index,),
                    "input": value,
                }
            )
        seen.add(value)
    if repeats:
        raise ValidationError.from_exception_data("repeated identifiers", repeats)
    return values


class _Strict(BaseModel):
    # Unknown keys are refused (DOMAIN.md: never a guess), each named where it stands.
    model_config = ConfigDict(extra="forbid")


class RequesterIn(_Strict):
    """Who asks. `kind` and `agency` are the verified agency's: leave them out, or send its own (anything
    else answers 403)."""

    kind: RequesterKind | None = None
    agency: StrictStr | None = None
    name: Annotated[StrictStr, Field(max_length=REQUESTER_NAME_LENGTH)] | None = None
    position: Annotated[StrictStr, Field(max_length=REQUESTER_POSITION_LENGTH)] | None = None


class StudentById(_Strict):
    """A student named by the district's student id."""

    student_id: NonBlank


def _born_already(value: dt.date) -> dt.date:
    """A birth date no later than tomorrow (a day's grace for the time zones of whoever sends it)."""
    if value > dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1):
        raise PydanticCustomError("birth_date_future", "A birth date cannot be in the future.")
    return value


class StudentByName(_Strict):
    """A student named by name and birth date, matched against the roster by the records office."""

    first_name: Name
    last_name: Name
    birth_date: Annotated[IsoDate, AfterValidator(_born_already)]


_NAME_KEYS = ("first_name", "last_name", "birth_date")


def _named_student(value: Any, handler: Any) -> StudentById | StudentByName:
    # Which way the student is named decides which fields are required: the problems are then those
    # of that way (`students.0.birth_date`), not a union's guesses at both.
    if isinstance(value, StudentById | StudentByName):
        return value
    if not isinstance(value, dict):
        raise PydanticCustomError(
            "student_object",
            "Each student is an object naming the student's id, or their first name, last name and "
            "birth date.",
        )
    by_name = [key for key in _NAME_KEYS if key in value]
    if "student_id" in value:
        if by_name:
            raise PydanticCustomError(
                "student_named_twice",
                "Name a student either by their id or by their first name, last name and birth date, not "
                "both.",
            )
        return StudentById.model_validate(value)
    if not by_name:
        raise PydanticCustomError(
            "student_unnamed",
            "Name the student by their id, or by their first name, last name and birth date.",
        )
    return StudentByName.model_validate(value)


NamedStudent = Annotated[StudentById | StudentByName, WrapValidator(_named_student)]


class LegalProcessIn(_Strict):
    kind: LegalProcessKind
    nondisclosure_order: StrictBool = False


class EmergencyIn(_Strict):
    threat: StrictStr | None = None
    ends_at: EmergencyEnd = Field(
        None, description="With its UTC offset; an emergency without a usable end is no emergency."
    )


class ConsentIn(_Strict):
    """A written consent; a blank signature part makes it invalid for the policy (rule R6), not an error."""

    categories: Annotated[list[Category], AfterValidator(_no_repeats)]
    signed_by: StrictStr | None = None
    signed_on: IsoDate | None = None
    purpose: StrictStr | None = None
    recipient: StrictStr | None = None


class RequestIn(_Strict):
    """DOMAIN.md's request object. A student is `{"student_id"}` or `{"first_name","last_name","birth_date"}`.

    `requester.kind` and `requester.agency` come from your token and may be left out. `identified_by` is
    set by the server from what you sent (a `student_id`, or a name and a birth date); a value sent is
    ignored."""

    requester: RequesterIn | None = None
    purpose: Purpose
    description: StrictStr | None = None
    categories: Annotated[list[Category], Field(min_length=1), AfterValidator(_no_repeats)]
    students: Annotated[list[NamedStudent], Field(min_length=1, max_length=MAX_STUDENTS_PER_REQUEST)]
    identified_by: IdentifiedBy | None = None
    legal_process: LegalProcessIn | None = None
    emergency: EmergencyIn | None = None
    consent: ConsentIn | None = None
    certification_no_redisclosure: StrictBool | None = None
    onward_recipients: Annotated[list[OnwardRecipient], AfterValidator(_no_repeats)] | None = None


# -- a reviewer's decision and an official's determination of an emergency ----------------------------------
# What the body alone can tell is checked here, every problem at once with its path (a field's check reads
# the fields before it); what needs the database (the item's state, the reviewer, the fields of the item's
# category, the lawful basis the policy accepts) stays with the services.
RATIONALE_LENGTH = 5000

_APPROVALS = (DecisionAction.APPROVE.value, DecisionAction.NARROW.value)
labelled({action.value: str(action.label) for action in DecisionAction})
labelled({channel.value: str(channel.label) for channel in OFF_PORTAL_CHANNELS})


def _written(message: str) -> AfterValidator:
    """Text that must hold more than spaces, stripped; `message` says what to write."""

    def check(value: str) -> str:
        value = value.strip()
        if not value:
            raise PydanticCustomError("blank", message)
        return value

    return AfterValidator(check)


class DecisionIn(_Strict):
    """A reviewer's decision on one item."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    action: DecisionAction
    rationale: Annotated[
        StrictStr,
        Field(max_length=RATIONALE_LENGTH, description="Why: the requester may read it."),
        _written("Write the rationale: why you decide so."),
    ]
    lawful_basis: LawfulBasis | None = Field(
        None, description="Required to approve or narrow.", validate_default=True
    )
    fields_removed: list[StrictStr] = Field(
        [], description="The fields a narrowed approval withholds.", validate_default=True
    )

    @field_validator("lawful_basis")
    @classmethod
    def _basis_to_approve(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("action") in _APPROVALS and not value:
            raise PydanticCustomError("basis_required", "An approval needs the lawful basis it rests on.")
        return value

    @field_validator("fields_removed")
    @classmethod
    def _withheld_when_narrowed(cls, value: list[str], info: ValidationInfo) -> list[str]:
        action = info.data.get("action")
        if action == DecisionAction.NARROW and not value:
            raise PydanticCustomError("fields_required", "Name the fields a narrowed approval withholds.")
        if action in (DecisionAction.APPROVE, DecisionAction.DENY) and value:
            raise PydanticCustomError("fields_not_withheld", "Only a narrowed approval withholds fields.")
        return value


class DeterminationIn(_Strict):
    """A district official's determination of the emergency a requester stated, for one student."""

    found: StrictBool = Field(
        description="Whether you found an articulable and significant threat to health or safety."
    )
    threat: Annotated[StrictStr, Field(max_length=RATIONALE_LENGTH)] = Field(
        "", description="The threat as you found it (required when found).", validate_default=True
    )
    rationale: Annotated[
        StrictStr,
        Field(max_length=RATIONALE_LENGTH, description="What you checked, and with whom."),
        _written("Say why: what you checked, and with whom."),
    ]

    @field_validator("threat")
    @classmethod
    def _threat_when_found(cls, value: str, info: ValidationInfo) -> str:
        value = value.strip()
        if info.data.get("found") is True and not value:
            raise PydanticCustomError("threat_required", "Describe the threat as you found it.")
        return value


def field_path(loc: Sequence[int | str]) -> str:
    """pydantic's location as the services' dotted field path: ("students", 0, "birth_date") →
    `students.0.birth_date`."""
    return ".".join(str(part) for part in loc)


def _validated(model: type[Any], values: object) -> Any:
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise InvalidInput(
            [(field_path(problem["loc"]), readable(problem)) for problem in error.errors(include_url=False)]
        ) from None


def decision_in(values: object) -> DecisionIn:
    """A decision from any caller (the API's validated body, a page's form), checked by the one schema;
    InvalidInput with the path of every problem."""
    return values if isinstance(values, DecisionIn) else _validated(DecisionIn, values)


def determination_in(values: object) -> DeterminationIn:
    """A determination of an emergency from any caller, checked by the one schema; InvalidInput with the
    path of every problem."""
    return values if isinstance(values, DeterminationIn) else _validated(DeterminationIn, values)


def request_in(document: object) -> RequestIn:
    """A request object from any caller, validated; InvalidInput with the path of every problem."""
    if isinstance(document, RequestIn):
        return document
    try:
        return RequestIn.model_validate(document)
    except ValidationError as error:
        raise InvalidInput(
            [(field_path(problem["loc"]), readable(problem)) for problem in error.errors(include_url=False)]
        ) from None
