"""The case document of DOMAIN.md: strict parsing into typed, immutable facts.

Every problem is reported with its field path (`request.legal_process.kind: unknown value 'warrant'`),
all at once, and nothing is guessed: unknown keys, unknown identifiers, missing required fields and wrong
types are errors. A field the requester may leave out has a stated meaning when absent (no legal process,
no emergency, no consent, no certification, no onward recipients), never a guessed one. The student facts
that decide outcomes (opt-out, missing child, foster care, adjudication) are required for every student.

Pure Python: importable without Django, so the CLI and the benchmark start fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from brightline.vocabulary import (
    CATEGORIES,
    IDENTIFIED_BY,
    LEGAL_PROCESS_KINDS,
    ONWARD_RECIPIENTS,
    PURPOSES,
    REQUESTER_KINDS,
)

PathPart = str | int
Path = tuple[PathPart, ...]


def render_path(path: Sequence[PathPart]) -> str:
    """`("request", "students", 0, "student_id")` → `request.students[0].student_id`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "case"


class CaseError(ValueError):
    """A case (or a request) that cannot be evaluated. `errors` holds (field path, message) pairs."""

    def __init__(self, problems: Sequence[tuple[Path, str]]) -> None:
        self.locations: list[tuple[tuple[PathPart, ...], str]] = [(tuple(p), m) for p, m in problems]
        self.errors: list[tuple[str, str]] = [(render_path(p), m) for p, m in self.locations]
        super().__init__("\n".join(f"{p}: {m}" for p, m in self.errors))


# ---------------------------------------------------------------------------------------------------
# The facts
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Requester:
    kind: str
    agency: str | None = None
    name: str | None = None
    position: str | None = None


@dataclass(frozen=True, slots=True)
class StudentRef:
    """A student as the request names them: by SIS id, or by name and birth date (matched later)."""

    student_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    birth_date: date | None = None


@dataclass(frozen=True, slots=True)
class LegalProcess:
    kind: str = "none"
    nondisclosure_order: bool = False


@dataclass(frozen=True, slots=True)
class Emergency:
    threat: str
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class Consent:
    categories: tuple[str, ...]
    signed_by: str | None = None
    signed_on: date | None = None
    purpose: str | None = None
    recipient: str | None = None


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """The `request` object of a case: what was asked, by whom, on what ground."""

    requester: Requester
    purpose: str
    categories: tuple[str, ...]
    students: tuple[StudentRef, ...]
    identified_by: str
    legal_process: LegalProcess = field(default_factory=LegalProcess)
    description: str = ""
    emergency: Emergency | None = None
    consent: Consent | None = None
    certification_no_redisclosure: bool = False
    onward_recipients: tuple[str, ...] = ()

    @property
    def student_ids(self) -> tuple[str, ...]:
        """The SIS ids of the requested students, in request order (all must be matched)."""
        ids = tuple(ref.student_id for ref in self.students if ref.student_id is not None)
        if len(ids) != len(self.students):
            raise ValueError("some requested students are not matched to a student id yet")
        return ids

    def with_student_ids(self, student_ids: Sequence[str]) -> RequestFacts:
        """The same request once casework has matched each named student to the roster (same order)."""
        if len(student_ids) != len(self.students):
            raise ValueError("one student id is needed for each requested student")
        return replace(self, students=tuple(StudentRef(student_id=sid) for sid in student_ids))


@dataclass(frozen=True, slots=True)
class StudentFacts:
    """What the policy needs to know about one student (from the roster, or the case's `students`)."""

    student_id: str
    directory_opt_out: bool
    missing_child_flag: bool
    foster_care: bool
    adjudicated: bool
    birth_date: date | None = None
    grade: str | None = None

    @property
    def policy_facts(self) -> tuple[bool, bool, bool, bool]:
        """The facts a policy decision depends on; students sharing them share decisions."""
        return (self.directory_opt_out, self.missing_child_flag, self.foster_care, self.adjudicated)


@dataclass(frozen=True, slots=True)
class Case:
    """A request, the facts of each requested student, and the moment it is evaluated at."""

    request: RequestFacts
    students: Mapping[str, StudentFacts]
    now: datetime

    @classmethod
    def build(
        cls, *, request: RequestFacts, students: Iterable[StudentFacts], now: datetime | None = None
    ) -> Case:
        """Check that every requested student has facts, then build the case (raises CaseError)."""
        facts = {student.student_id: student for student in students}
        problems: list[tuple[Path, str]] = []
        for index, ref in enumerate(request.students):
            if ref.student_id is None:
                problems.append((("request", "students", index, "student_id"), "required"))
            elif ref.student_id not in facts:
                problems.append(
                    (("request", "students", index, "student_id"), f"no student facts for '{ref.student_id}'")
                )
        if now is None:
            now = datetime.now(UTC)
        elif now.tzinfo is None:
            problems.append((("now",), "must include a UTC offset"))
        if problems:
            raise CaseError(problems)
        return cls(request=request, students=facts, now=now)

    def to_json(self) -> dict[str, Any]:
        """The case document of DOMAIN.md (a snapshot casework can keep beside a triage result)."""
        return {
            "now": self.now.isoformat(),
            "request": request_to_json(self.request),
            "students": [student_to_json(self.students[sid]) for sid in self.request.student_ids],
        }


def request_to_json(request: RequestFacts) -> dict[str, Any]:
    """The `request` object of DOMAIN.md's case document."""

    def ref(student: StudentRef) -> dict[str, Any]:
        if student.student_id is not None:
            return {"student_id": student.student_id}
        return {
            "first_name": student.first_name,
            "last_name": student.last_name,
            "birth_date": student.birth_date.isoformat() if student.birth_date else None,
        }

    consent = request.consent
    return {
        "requester": {
            "kind": request.requester.kind,
            "agency": request.requester.agency,
            "name": request.requester.name,
            "position": request.requester.position,
        },
        "purpose": request.purpose,
        "description": request.description,
        "categories": list(request.categories),
        "students": [ref(student) for student in request.students],
        "identified_by": request.identified_by,
        "legal_process": {
            "kind": request.legal_process.kind,
            "nondisclosure_order": request.legal_process.nondisclosure_order,
        },
        "emergency": (
            {"threat": request.emergency.threat, "ends_at": request.emergency.ends_at.isoformat()}
            if request.emergency
            else None
        ),
        "consent": (
            {
                "signed_by": consent.signed_by,
                "signed_on": consent.signed_on.isoformat() if consent.signed_on else None,
                "purpose": consent.purpose,
                "recipient": consent.recipient,
                "categories": list(consent.categories),
            }
            if consent
            else None
        ),
        "certification_no_redisclosure": request.certification_no_redisclosure,
        "onward_recipients": list(request.onward_recipients),
    }


def student_to_json(student: StudentFacts) -> dict[str, Any]:
    return {
        "student_id": student.student_id,
        "birth_date": student.birth_date.isoformat() if student.birth_date else None,
        "grade": student.grade,
        "directory_opt_out": student.directory_opt_out,
        "missing_child_flag": student.missing_child_flag,
        "foster_care": student.foster_care,
        "adjudicated": student.adjudicated,
    }


# ---------------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------------


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


class _Reader:
    """Collects every problem of a document instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[tuple[Path, str]] = []

    def problem(self, path: Path, message: str) -> None:
        self.problems.append((path, message))

    def record(
        self, value: object, path: Path, *, required: Iterable[str], optional: Iterable[str]
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problem(path, f"expected an object, got {_json_type(value)}")
            return None
        required = tuple(required)
        known = set(required) | set(optional)
        for key in value:
            if key not in known:
                self.problem((*path, str(key)), "unknown field")
        for key in required:
            if key not in value:
                self.problem((*path, key), "required field missing")
        return value

    def string(self, value: object, path: Path, *, nullable: bool = False) -> str | None:
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            self.problem(path, f"expected a string, got {_json_type(value)}")
            return None
        return value

    def text(self, value: object, path: Path) -> str | None:
        """An optional free-text field: null and blank both mean "not filled in"."""
        text = self.string(value, path, nullable=True)
        if text is None or not text.strip():
            return None
        return text.strip()

    def identifier(self, value: object, path: Path, choices: Sequence[str]) -> str | None:
        text = self.string(value, path)
        if text is None:
            return None
        if text not in choices:
            self.problem(path, f"unknown value {text!r}")
            return None
        return text

    def identifiers(
        self, value: object, path: Path, choices: Sequence[str], *, non_empty: bool
    ) -> tuple[str, ...] | None:
        if not isinstance(value, list):
            self.problem(path, f"expected an array, got {_json_type(value)}")
            return None
        if non_empty and not value:
            self.problem(path, "must name at least one")
            return None
        found: list[str] = []
        for index, item in enumerate(value):
            name = self.identifier(item, (*path, index), choices)
            if name is None:
                continue
            if name in found:
                self.problem((*path, index), f"duplicate value {name!r}")
                continue
            found.append(name)
        return tuple(found)

    def boolean(self, value: object, path: Path) -> bool | None:
        # JSON true/false only: 0, 1, "yes" are not guesses we make about a legal fact.
        if not isinstance(value, bool):
            self.problem(path, f"expected a boolean, got {_json_type(value)}")
            return None
        return value

    def moment(self, value: object, path: Path) -> datetime | None:
        text = self.string(value, path)
        if text is None:
            return None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.problem(path, f"expected an ISO 8601 date-time with a UTC offset, got {text!r}")
            return None
        if moment.tzinfo is None or moment.utcoffset() is None:
            # A naive time is ambiguous by hours: an emergency could look active when it has ended.
            self.problem(path, f"must include a UTC offset (e.g. {text}Z or {text}-05:00)")
            return None
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            self.problem(path, f"out of range: {text!r}")
            return None

    def day(self, value: object, path: Path, *, nullable: bool = True) -> date | None:
        if value is None and nullable:
            return None
        text = self.string(value, path)
        if text is None:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.problem(path, f"expected an ISO 8601 date (YYYY-MM-DD), got {text!r}")
            return None


def _requester(reader: _Reader, value: object, path: Path) -> Requester | None:
    data = reader.record(value, path, required=("kind",), optional=("agency", "name", "position"))
    if data is None:
        return None
    kind = reader.identifier(data["kind"], (*path, "kind"), REQUESTER_KINDS) if "kind" in data else None
    agency = reader.text(data.get("agency"), (*path, "agency"))
    name = reader.text(data.get("name"), (*path, "name"))
    position = reader.text(data.get("position"), (*path, "position"))
    if kind is None:
        return None
    return Requester(kind=kind, agency=agency, name=name, position=position)


def _student_ref(reader: _Reader, value: object, path: Path) -> StudentRef | None:
    data = reader.record(
        value, path, required=(), optional=("student_id", "first_name", "last_name", "birth_date")
    )
    if data is None:
        return None
    student_id = reader.text(data.get("student_id"), (*path, "student_id"))
    first_name = reader.text(data.get("first_name"), (*path, "first_name"))
    last_name = reader.text(data.get("last_name"), (*path, "last_name"))
    birth_date = reader.day(data.get("birth_date"), (*path, "birth_date"))
    if student_id is None and not (first_name and last_name and birth_date):
        if not any(key in data for key in ("first_name", "last_name", "birth_date")):
            reader.problem((*path, "student_id"), "required field missing")
        else:
            for key, present in (
                ("first_name", first_name),
                ("last_name", last_name),
                ("birth_date", birth_date),
            ):
                if not present and key not in data:
                    reader.problem((*path, key), "required field missing")
        return None
    return StudentRef(
        student_id=student_id, first_name=first_name, last_name=last_name, birth_date=birth_date
    )


def _legal_process(reader: _Reader, value: object, path: Path) -> LegalProcess | None:
    if value is None:
        return LegalProcess()
    data = reader.record(value, path, required=("kind",), optional=("nondisclosure_order",))
    if data is None:
        return None
    kind = reader.identifier(data["kind"], (*path, "kind"), LEGAL_PROCESS_KINDS) if "kind" in data else None
    order = reader.boolean(data.get("nondisclosure_order", False), (*path, "nondisclosure_order"))
    if kind is None or order is None:
        return None
    return LegalProcess(kind=kind, nondisclosure_order=order)


def _emergency(reader: _Reader, value: object, path: Path) -> Emergency | None:
    data = reader.record(value, path, required=("ends_at",), optional=("threat",))
    if data is None:
        return None
    # No threat stated is allowed here and means "no emergency" to the policy (DOMAIN.md R1).
    threat = reader.text(data.get("threat"), (*path, "threat")) or ""
    ends_at = reader.moment(data["ends_at"], (*path, "ends_at")) if "ends_at" in data else None
    if ends_at is None:
        return None
    return Emergency(threat=threat, ends_at=ends_at)


def _consent(reader: _Reader, value: object, path: Path) -> Consent | None:
    # The signature fields may be blank: such a consent is invalid for the policy (R6), not an error.
    data = reader.record(
        value, path, required=("categories",), optional=("signed_by", "signed_on", "purpose", "recipient")
    )
    if data is None:
        return None
    categories = (
        reader.identifiers(data["categories"], (*path, "categories"), CATEGORIES, non_empty=False)
        if "categories" in data
        else None
    )
    signed_by = reader.text(data.get("signed_by"), (*path, "signed_by"))
    signed_on = reader.day(data.get("signed_on"), (*path, "signed_on"))
    purpose = reader.text(data.get("purpose"), (*path, "purpose"))
    recipient = reader.text(data.get("recipient"), (*path, "recipient"))
    if categories is None:
        return None
    return Consent(
        categories=categories, signed_by=signed_by, signed_on=signed_on, purpose=purpose, recipient=recipient
    )


_REQUEST_REQUIRED = ("requester", "purpose", "categories", "students", "identified_by")
_REQUEST_OPTIONAL = (
    "description",
    "legal_process",
    "emergency",
    "consent",
    "certification_no_redisclosure",
    "onward_recipients",
)


def _request(reader: _Reader, value: object, path: Path) -> RequestFacts | None:
    problems_before = len(reader.problems)
    data = reader.record(value, path, required=_REQUEST_REQUIRED, optional=_REQUEST_OPTIONAL)
    if data is None:
        return None

    requester = _requester(reader, data["requester"], (*path, "requester")) if "requester" in data else None
    purpose = reader.identifier(data["purpose"], (*path, "purpose"), PURPOSES) if "purpose" in data else None
    categories = (
        reader.identifiers(data["categories"], (*path, "categories"), CATEGORIES, non_empty=True)
        if "categories" in data
        else None
    )
    students: list[StudentRef] = []
    if "students" in data:
        value_students = data["students"]
        if not isinstance(value_students, list):
            reader.problem((*path, "students"), f"expected an array, got {_json_type(value_students)}")
        elif not value_students:
            reader.problem((*path, "students"), "must name at least one")
        else:
            seen: set[str] = set()
            for index, item in enumerate(value_students):
                ref = _student_ref(reader, item, (*path, "students", index))
                if ref is None:
                    continue
                if ref.student_id is not None:
                    if ref.student_id in seen:
                        reader.problem(
                            (*path, "students", index, "student_id"), f"duplicate student {ref.student_id!r}"
                        )
                        continue
                    seen.add(ref.student_id)
                students.append(ref)
    identified_by = (
        reader.identifier(data["identified_by"], (*path, "identified_by"), IDENTIFIED_BY)
        if "identified_by" in data
        else None
    )
    description = reader.string(data.get("description", ""), (*path, "description"), nullable=True) or ""
    legal_process = _legal_process(reader, data.get("legal_process"), (*path, "legal_process"))
    emergency_value = data.get("emergency")
    emergency = (
        _emergency(reader, emergency_value, (*path, "emergency")) if emergency_value is not None else None
    )
    consent_value = data.get("consent")
    consent = _consent(reader, consent_value, (*path, "consent")) if consent_value is not None else None
    certification_value = data.get("certification_no_redisclosure")
    certification = (
        reader.boolean(certification_value, (*path, "certification_no_redisclosure"))
        if certification_value is not None
        else False
    )
    onward_value = data.get("onward_recipients")
    onward = (
        reader.identifiers(onward_value, (*path, "onward_recipients"), ONWARD_RECIPIENTS, non_empty=False)
        if onward_value is not None
        else ()
    )

    if len(reader.problems) != problems_before:
        return None
    assert requester is not None and purpose is not None and categories is not None
    assert identified_by is not None and legal_process is not None and onward is not None
    assert certification is not None
    return RequestFacts(
        requester=requester,
        purpose=purpose,
        description=description,
        categories=categories,
        students=tuple(students),
        identified_by=identified_by,
        legal_process=legal_process,
        emergency=emergency,
        consent=consent,
        certification_no_redisclosure=certification,
        onward_recipients=onward,
    )


_STUDENT_FACTS = ("directory_opt_out", "missing_child_flag", "foster_care", "adjudicated")


def _student_facts(reader: _Reader, value: object, path: Path) -> StudentFacts | None:
    problems_before = len(reader.problems)
    data = reader.record(
        value, path, required=("student_id", *_STUDENT_FACTS), optional=("birth_date", "grade")
    )
    if data is None:
        return None
    student_id = reader.text(data["student_id"], (*path, "student_id")) if "student_id" in data else None
    if "student_id" in data and student_id is None and len(reader.problems) == problems_before:
        reader.problem((*path, "student_id"), "must not be blank")
    flags = {key: reader.boolean(data[key], (*path, key)) for key in _STUDENT_FACTS if key in data}
    birth_date = reader.day(data.get("birth_date"), (*path, "birth_date"))
    grade_value = data.get("grade")
    grade = str(grade_value) if isinstance(grade_value, int) and not isinstance(grade_value, bool) else None
    if grade is None:
        grade = reader.string(grade_value, (*path, "grade"), nullable=True)
    if len(reader.problems) != problems_before or student_id is None:
        return None
    return StudentFacts(
        student_id=student_id,
        directory_opt_out=bool(flags["directory_opt_out"]),
        missing_child_flag=bool(flags["missing_child_flag"]),
        foster_care=bool(flags["foster_care"]),
        adjudicated=bool(flags["adjudicated"]),
        birth_date=birth_date,
        grade=grade,
    )


def parse_request(data: object) -> RequestFacts:
    """Parse the `request` object of a case (also the body of `POST /api/v1/requests`).

    Students may be named by `student_id` or by `first_name`, `last_name` and `birth_date`.
    Raises CaseError with every problem; paths start at the request (`legal_process.kind`).
    """
    reader = _Reader()
    request = _request(reader, data, ())
    if reader.problems or request is None:
        raise CaseError(reader.problems or [((), "invalid request")])
    return request


def parse_case(data: object) -> Case:
    """Parse a whole case document (`now`, `request`, `students`). Raises CaseError with every problem."""
    reader = _Reader()
    document = reader.record(data, (), required=("request", "students"), optional=("now",))
    if document is None:
        raise CaseError(reader.problems)
    now_value = document.get("now")
    now = reader.moment(now_value, ("now",)) if now_value is not None else datetime.now(UTC)
    request = _request(reader, document["request"], ("request",)) if "request" in document else None

    facts: dict[str, StudentFacts] = {}
    if "students" in document:
        value = document["students"]
        if not isinstance(value, list):
            reader.problem(("students",), f"expected an array, got {_json_type(value)}")
        else:
            for index, item in enumerate(value):
                student = _student_facts(reader, item, ("students", index))
                if student is None:
                    continue
                if student.student_id in facts:
                    reader.problem(
                        ("students", index, "student_id"), f"duplicate student {student.student_id!r}"
                    )
                    continue
                facts[student.student_id] = student

    if request is not None:
        for index, ref in enumerate(request.students):
            path: Path = ("request", "students", index, "student_id")
            if ref.student_id is None:
                reader.problem(path, "required to evaluate a case: match named students to the roster first")
            elif (
                ref.student_id not in facts
                and "students" in document
                and isinstance(document["students"], list)
            ):
                # Only when the facts list itself parsed: a broken entry is reported where it is.
                if not any(
                    isinstance(item, dict) and item.get("student_id") == ref.student_id
                    for item in document["students"]
                ):
                    reader.problem(path, f"no student facts for {ref.student_id!r} in students")

    if reader.problems or request is None or now is None:
        raise CaseError(reader.problems or [((), "invalid case")])
    return Case(request=request, students=facts, now=now)
