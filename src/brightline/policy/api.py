"""`POST /api/v1/triage`: a dry run of a case under the policy in effect. Nothing is stored or sent."""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from brightline.agencies.auth import staff_or_agency_with_scope
from brightline.agencies.models import TokenScope
from brightline.errors import allowed_words, sentence, value_words
from brightline.policy.cases import CaseError, parse_case
from brightline.policy.engine import default_policy
from brightline.policy.stored import engine_policy, version_in_effect_at
from brightline.vocabulary import (
    CATEGORIES,
    IDENTIFIED_BY,
    LABELLED,
    LEGAL_PROCESS_KINDS,
    OBLIGATIONS,
    ONWARD_RECIPIENTS,
    OUTCOMES,
    PURPOSES,
    REQUESTER_KINDS,
    REVIEWERS,
    label_en,
)

router = Router(tags=["policy"])


class PolicyInfoOut(Schema):
    id: str
    version: str
    sha256: str


class TriageItemOut(Schema):
    student_id: str
    category: str
    outcome: str
    reviewer: str | None
    rules: list[str]
    obligations: list[str]
    explanation: str


class TriageResultOut(Schema):
    policy: PolicyInfoOut
    items: list[TriageItemOut]


class FieldErrorOut(Schema):
    loc: list[str | int]
    msg: str


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut]


class ForbiddenOut(Schema):
    detail: list[FieldErrorOut]


def _enum(values: tuple[str, ...]) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


_MOMENT = {"type": "string", "format": "date-time", "description": "ISO 8601 with a UTC offset"}
_DATE = {"type": "string", "format": "date"}
_TEXT = {"type": ["string", "null"]}
_FLAG = {"type": "boolean"}

# The case document of DOMAIN.md, for the OpenAPI document. The handler validates it itself so that
# every problem comes back with its field path in one answer.
CASE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["request", "students"],
    "properties": {
        "now": _MOMENT,
        "request": {
            "type": "object",
            "additionalProperties": False,
            "required": ["requester", "purpose", "categories", "students", "identified_by"],
            "properties": {
                "requester": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["kind"],
                    "properties": {
                        "kind": _enum(REQUESTER_KINDS),
                        "agency": _TEXT,
                        "name": _TEXT,
                        "position": _TEXT,
                    },
                },
                "purpose": _enum(PURPOSES),
                "description": _TEXT,
                "categories": {
                    "type": "array",
                    "items": _enum(CATEGORIES),
                    "minItems": 1,
                    "uniqueItems": True,
                },
                "students": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["student_id"],
                        "properties": {"student_id": {"type": "string"}},
                    },
                },
                "identified_by": _enum(IDENTIFIED_BY),
                "legal_process": {
                    "type": ["object", "null"],
                    "additionalProperties": False,
                    "required": ["kind"],
                    "properties": {"kind": _enum(LEGAL_PROCESS_KINDS), "nondisclosure_order": _FLAG},
                },
                "emergency": {
                    "type": ["object", "null"],
                    "additionalProperties": False,
                    "required": ["ends_at"],
                    "properties": {"threat": _TEXT, "ends_at": _MOMENT},
                },
                "consent": {
                    "type": ["object", "null"],
                    "additionalProperties": False,
                    "required": ["categories"],
                    "properties": {
                        "signed_by": _TEXT,
                        "signed_on": _DATE,
                        "purpose": _TEXT,
                        "recipient": _TEXT,
                        "categories": {"type": "array", "items": _enum(CATEGORIES), "uniqueItems": True},
                    },
                },
                "certification_no_redisclosure": _FLAG,
                "onward_recipients": {
                    "type": "array",
                    "items": _enum(ONWARD_RECIPIENTS),
                    "uniqueItems": True,
                },
            },
        },
        "students": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "student_id",
                    "directory_opt_out",
                    "missing_child_flag",
                    "foster_care",
                    "adjudicated",
                ],
                "properties": {
                    "student_id": {"type": "string"},
                    "birth_date": _DATE,
                    "grade": _TEXT,
                    "directory_opt_out": _FLAG,
                    "missing_child_flag": _FLAG,
                    "foster_care": _FLAG,
                    "adjudicated": _FLAG,
                },
            },
        },
    },
}

_RESULT_DESCRIPTION = (
    f"One item per student × category in request order. outcome ∈ {list(OUTCOMES)}, reviewer ∈ "
    f"{list(REVIEWERS)} or null, obligations ⊆ {list(OBLIGATIONS)}."
)


# The case reader's problems (policy.cases, also the command line's) as sentences people read: the allowed
# values by their labels, never the value sent quoted back as a repr.
_TABLE_OF_FIELD = {
    "purpose": "purpose",
    "categories": "category",
    "identified_by": "identified_by",
    "onward_recipients": "onward_recipient",
}
_OBJECT_TABLES: dict[tuple[str, ...], str] = {
    ("legal_process", "kind"): "legal_process",
    ("requester", "kind"): "requester_kind",
}
_SAID = (
    (re.compile(r"expected an object"), "This must be an object (in JSON, between braces)."),
    (re.compile(r"expected a string"), "This must be text."),
    (re.compile(r"expected an array"), "This must be a list."),
    (re.compile(r"expected a boolean"), "This must be true or false."),
    (re.compile(r"unknown field"), "This field is not one this operation reads: leave it out."),
    (re.compile(r"required field missing"), "This field is required."),
    (re.compile(r"must name at least one"), "This list needs at least 1 entry."),
    (re.compile(r"must not be blank"), "This must not be blank."),
    (re.compile(r"duplicate student"), "This student is named twice."),
    (
        re.compile(r"date-time"),
        "This must be a date and time with its offset from UTC (2026-03-01T14:05:00-05:00).",
    ),
    (
        re.compile(r"must include a UTC offset"),
        "This time needs its offset from UTC (for example -05:00 or Z).",
    ),
    (re.compile(r"out of range"), "This date and time is out of the range a calendar holds."),
    (re.compile(r"ISO 8601 date \("), "This must be a date written year-month-day (2026-03-01)."),
    (
        re.compile(r"match named students to the roster"),
        "A case names each student by their id to be evaluated: match a named student to the roster first.",
    ),
    (re.compile(r"no student facts for"), "The case's students list holds no facts for this student."),
)


def _said(path: tuple[str | int, ...], message: str) -> str:
    """One problem of a case in words."""
    if message.startswith("unknown value"):
        fields = [part for part in path if isinstance(part, str)]
        table = _OBJECT_TABLES.get(tuple(fields[-2:])) or (
            _TABLE_OF_FIELD.get(fields[-1]) if fields else None
        )
        if table is None:
            return "This is not one of the values allowed."
        return f"Choose one of: {allowed_words(list(LABELLED[table]))}."
    duplicate = re.match(r"duplicate value '(.*)'$", message)
    if duplicate:
        return f"{value_words(duplicate.group(1))} is named twice."
    for pattern, said in _SAID:
        if pattern.search(message):
            return said
    return sentence(message)


def _speaks_for_agency(request: HttpRequest, data: dict[str, Any]) -> list[dict[str, Any]]:
    """An agency's token (or its requester's session) speaks for that agency only (CONTRACTS.md).

    Fills in the requester from the verified agency; returns the problems when the body names another
    kind or agency (answered 403).
    """
    agency = getattr(request, "agency", None)
    body = data.get("request")
    if agency is None or not isinstance(body, dict):
        return []
    requester = body.get("requester")
    if requester is None:
        body["requester"] = requester = {}
    if not isinstance(requester, dict):
        return []  # reported by the case's validation
    problems = []
    if requester.get("kind") not in (None, agency.kind):
        kind = label_en("requester_kind", agency.kind)
        problems.append(("kind", f"This token speaks for {agency.name} ({kind}) only: leave the kind out."))
    if requester.get("agency") not in (None, "", agency.name):
        problems.append(("agency", f"This token speaks for {agency.name} only: leave the agency out."))
    requester["kind"] = agency.kind
    requester["agency"] = agency.name
    return [{"loc": ["body", "request", "requester", field], "msg": message} for field, message in problems]


@router.post(
    "/triage",
    # A dry run before a submission: a token needs the submit scope.
    auth=staff_or_agency_with_scope(TokenScope.SUBMIT),
    response={200: TriageResultOut, 403: ForbiddenOut, 422: ValidationErrorOut},
    summary="Triage a case (dry run)",
    description=(
        "Evaluates a case document under the policy version in effect and returns the triage result: "
        "no request is stored, no notice is sent. " + _RESULT_DESCRIPTION
    ),
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": CASE_SCHEMA}}}
    },
)
def triage_case(request: HttpRequest) -> Status[Any]:
    try:
        data = json.loads(request.body or b"")
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        return Status(422, {"detail": [{"loc": ["body"], "msg": "The body is not valid JSON."}]})
    if isinstance(data, dict):
        refusals = _speaks_for_agency(request, data)
        if refusals:
            return Status(403, {"detail": refusals})
    try:
        case = parse_case(data)
    except CaseError as error:
        detail = [
            {"loc": ["body", *path], "msg": _said(tuple(path), message)} for path, message in error.locations
        ]
        return Status(422, {"detail": detail})
    version = version_in_effect_at(timezone.now())
    policy = engine_policy(version) if version is not None else default_policy()
    return Status(200, policy.triage(case).to_json())
