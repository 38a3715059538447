"""Reading and checking a OneRoster 1.1 / 1.2 CSV bundle, without touching the database.

`read_bundle(directory)` streams each file once, checks every row and every reference between files,
and returns what the roster needs (schools, students, guardians, their links, the district extension)
together with the list of problems, each naming file, line and field. The service `roster_import` writes
a bundle only when that list is empty. See roster/README.md for the files and the extension format.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from brightline.roster.models import grade_number

EXTENSION_FILE = "brightline_extension.csv"

# Place of birth and residence status feed immigration enforcement: the district never keeps them
# (Plyler v. Doe; DOMAIN.md category `immigration`). The import reads past them and says so.
IMMIGRATION_COLUMNS = (
    "countryOfBirthCode",
    "stateOfBirthAbbreviation",
    "cityOfBirth",
    "publicSchoolResidenceStatus",
)
# Sex, race and ethnicity are not part of any record category the district releases: not stored either.
UNSTORED_DEMOGRAPHIC_COLUMNS = (
    "sex",
    "americanIndianOrAlaskaNative",
    "asian",
    "blackOrAfricanAmerican",
    "nativeHawaiianOrOtherPacificIslander",
    "white",
    "demographicRaceTwoOrMoreRaces",
    "hispanicOrLatinoEthnicity",
)

ORG_TYPES = frozenset({"department", "school", "district", "local", "state", "national"})
GUARDIAN_ROLES = frozenset({"parent", "guardian", "relative"})
USER_ROLES = GUARDIAN_ROLES | {
    "student",
    "teacher",
    "aide",
    "administrator",
    "proctor",
    "counselor",
    "principal",
    "districtadministrator",
    "siteadministrator",
    "systemadministrator",
}
STATUSES = {"": "active", "active": "active", "tobedeleted": "tobedeleted", "inactive": "tobedeleted"}
SUPPORTED_VERSIONS = ("1.1", "1.2")

STUDENT_EXTENSION_COLUMNS = ("directoryOptOut", "fosterCare", "missingChildFlag", "adjudicated")
GUARDIAN_EXTENSION_COLUMNS = ("preferredLanguage", "address1", "address2", "city", "state", "postalCode")
LINK_EXTENSION_COLUMNS = ("hasNoticeRights", "isCustodial")
EXTENSION_COLUMNS = (
    "sourcedId",
    "studentSourcedId",
    *STUDENT_EXTENSION_COLUMNS,
    *GUARDIAN_EXTENSION_COLUMNS,
    *LINK_EXTENSION_COLUMNS,
)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_BOOLEANS = {"true": True, "false": False}


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One thing wrong with a bundle: where it is, and what to fix."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}, {self.field}: {self.message}"


@dataclass(slots=True)
class SchoolRow:
    sourced_id: str
    name: str
    identifier: str
    address: str
    status: str


@dataclass(slots=True)
class StudentRow:
    sourced_id: str
    sis_id: str
    first_name: str
    middle_name: str
    last_name: str
    grade: str
    status: str
    line: int
    org_ids: tuple[str, ...] = ()
    primary_org: str = ""
    birth_date: date | None = None
    school: str | None = None
    enrolled_on: date | None = None
    enrollment_ends_on: date | None = None
    # Extension flags: None means "not said", which leaves the stored value alone.
    flags: dict[str, bool] = field(default_factory=dict)


@dataclass(slots=True)
class GuardianRow:
    sourced_id: str
    first_name: str
    middle_name: str
    last_name: str
    email: str
    phone: str
    role: str
    status: str
    line: int
    org_ids: tuple[str, ...] = ()
    # Extension values (preferred_language, address lines): absent keys leave the stored value alone.
    extension: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class LinkRow:
    relationship: str
    flags: dict[str, bool] = field(default_factory=dict)


@dataclass
class Bundle:
    """What a bundle says, once read and checked."""

    directory: Path
    version: str = ""
    schools: dict[str, SchoolRow] = field(default_factory=dict)
    students: dict[str, StudentRow] = field(default_factory=dict)
    guardians: dict[str, GuardianRow] = field(default_factory=dict)
    links: dict[tuple[str, str], LinkRow] = field(default_factory=dict)
    skipped_users: Counter[str] = field(default_factory=Counter)
    immigration_columns_present: list[str] = field(default_factory=list)
    immigration_values_dropped: int = 0
    unstored_columns_present: list[str] = field(default_factory=list)
    extension_rows: int = 0
    files_read: list[str] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)


@dataclass(slots=True)
class _Placement:
    """A student's enrollments at one school, summed up to choose the student's school."""

    latest_begin: date | None
    count: int
    first_begin: date | None
    last_end: date | None

    def add(self, begin: date | None, end: date | None) -> None:
        self.count += 1
        if begin and (self.latest_begin is None or begin > self.latest_begin):
            self.latest_begin = begin
        if begin and (self.first_begin is None or begin < self.first_begin):
            self.first_begin = begin
        if end and (self.last_end is None or end > self.last_end):
            self.last_end = end


class CsvTable:
    """One CSV file of the bundle, read as a stream of (line number, row as a dict)."""

    def __init__(self, path: Path, problems: list[ImportProblem]) -> None:
        self.path = path
        self.name = path.name
        self.problems = problems
        self.header: list[str] = []
        self.complete = True

    def problem(self, line: int, field_name: str, message: str) -> None:
        self.problems.append(ImportProblem(self.name, line, field_name, message))

    def _report_not_utf8(self) -> None:
        """Find the first line that is not UTF-8 and say where it is, down to the column."""
        with self.path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                try:
                    text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
                    if number == 1 and not self.header:
                        # The reader reads ahead: the bad bytes may stop it before it parsed the header.
                        self.header = [name.strip() for name in next(csv.reader([text]), [])]
                except UnicodeDecodeError as error:
                    field_name = "(header)"
                    if number > 1 and self.header:
                        before = raw[: error.start].decode("utf-8", errors="replace")
                        column = max(len(next(csv.reader([before]), [""])) - 1, 0)
                        field_name = self.header[column] if column < len(self.header) else "(extra value)"
                    self.problem(
                        number,
                        field_name,
                        f"the file is not UTF-8 (byte 0x{raw[error.start]:02x} at position {error.start + 1} of the "
                        "line); export or save it as UTF-8",
                    )
                    return

    def rows(self, *, required: Iterable[str], strip: bool = False) -> Iterator[tuple[int, dict[str, str]]]:
        """The data rows, after checking the header has every required column.

        With `strip`, spaces around values are removed; otherwise values are as in the file and callers
        strip the ones they use (the big files are read faster that way). A file with a
        missing column or bytes that are not UTF-8 is marked incomplete, so that other files'
        references into it are not reported as errors of their own.
        """
        try:
            with self.path.open(encoding="utf-8-sig", newline="") as handle:
                yield from self._rows(csv.reader(handle, strict=True), required, strip)
        except UnicodeDecodeError:
            self.complete = False
            self._report_not_utf8()

    def _rows(
        self, reader: Any, required: Iterable[str], strip: bool
    ) -> Iterator[tuple[int, dict[str, str]]]:
        try:
            try:
                self.header = [name.strip() for name in next(reader)]
            except StopIteration:
                self.complete = False
                self.problem(1, "(header)", "the file is empty: it needs at least its header line")
                return
            seen: set[str] = set()
            for name in self.header:
                if name in seen:
                    self.problem(1, name, "this column appears twice in the header")
                    self.complete = False
                seen.add(name)
            for name in required:
                if name not in seen:
                    self.problem(1, name, "required column is missing from the header")
                    self.complete = False
            if not self.complete:
                return
            header, width = self.header, len(self.header)
            for row in reader:
                if len(row) != width:
                    if not row or row == [""]:
                        continue
                    if len(row) > width and not any(value.strip() for value in row[width:]):
                        # Some exporters end rows with a stray comma: empty trailing values carry nothing.
                        row = row[:width]
                    else:
                        field_name = header[len(row)] if len(row) < width else "(extra value)"
                        self.problem(
                            reader.line_num,
                            field_name,
                            f"the row has {len(row)} values; the header has {width}",
                        )
                        continue
                yield (
                    reader.line_num,
                    dict(zip(header, [value.strip() for value in row] if strip else row, strict=True)),
                )
        except csv.Error as error:
            self.complete = False
            self.problem(reader.line_num, "(row)", f"not valid CSV: {error}")


def _split_ids(value: str) -> tuple[str, ...]:
    if "," not in value:
        value = value.strip()
        return (value,) if value else ()
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _grade_order(code: str) -> int:
    level = grade_number(code)
    return -99 if level is None else level


class BundleReader:
    """Reads one bundle directory into a `Bundle`. Use `read_bundle()`."""

    def __init__(self, directory: Path) -> None:
        self.bundle = Bundle(directory=directory)
        self.problems = self.bundle.problems
        self.modes: dict[str, tuple[str, int]] = {}
        self.orgs: dict[str, str] = {}  # sourcedId → type
        self.users: dict[str, str] = {}  # sourcedId → role (lower case)
        self.has_roles_file = False
        self.roles_from_file: dict[
            str, tuple[str, tuple[str, ...]]
        ] = {}  # 1.2 roles.csv: user → (role, orgs)
        self.incomplete: set[str] = set()
        self.placements: dict[str, dict[str, _Placement]] = {}  # student → school → their enrollments there
        self.today = timezone.localdate()
        self.dates: dict[str, date] = {}

    # ---------------------------------------------------------------- helpers

    def table(self, name: str, *, needed: bool) -> CsvTable | None:
        path = self.bundle.directory / name
        stem = name.removesuffix(".csv")
        mode = self.modes.get(stem)
        if mode is not None and mode[0] == "absent":
            return None
        if not path.is_file():
            if mode is not None:
                self.problems.append(
                    ImportProblem(
                        "manifest.csv",
                        mode[1],
                        "value",
                        f"says file.{stem} is {mode[0]}, but {name} is not in the folder",
                    )
                )
                self.incomplete.add(name)
            elif needed:
                self.problems.append(
                    ImportProblem(name, 0, "(file)", "this file is required and is not in the folder")
                )
                self.incomplete.add(name)
            return None
        self.bundle.files_read.append(name)
        return CsvTable(path, self.problems)

    def done(self, table: CsvTable) -> None:
        if not table.complete:
            self.incomplete.add(table.name)

    def check_length(self, table: CsvTable, line: int, field_name: str, value: str, limit: int) -> None:
        if len(value) > limit:
            table.problem(line, field_name, f"is {len(value)} characters long; at most {limit} fit")

    def parse_date(self, table: CsvTable, line: int, field_name: str, value: str) -> date | None:
        # A bundle holds few distinct dates (a school year's terms, a few thousand birthdays): remember them.
        parsed = self.dates.get(value)
        if parsed is not None:
            return parsed
        text = value.strip()
        if not text:
            return None
        try:
            if not _DATE.fullmatch(text):
                raise ValueError
            parsed = self.dates[value] = date.fromisoformat(text)
            return parsed
        except ValueError:
            table.problem(line, field_name, f"{value!r} is not a date in the form YYYY-MM-DD")
            return None

    def parse_status(self, table: CsvTable, line: int, value: str) -> str:
        status = STATUSES.get(value) or STATUSES.get(value.strip().lower())
        if status is None:
            table.problem(line, "status", f"{value!r} is not a OneRoster status (active, tobedeleted)")
            return "active"
        return status

    def sourced_id(self, table: CsvTable, line: int, row: dict[str, str], seen: dict[str, int]) -> str | None:
        value = row["sourcedId"].strip()
        if not value:
            table.problem(line, "sourcedId", "is empty")
            return None
        if len(value) > 255:
            self.check_length(table, line, "sourcedId", value, 255)
        first = seen.get(value)
        if first is not None:
            table.problem(line, "sourcedId", f"duplicate sourcedId {value!r}: already on line {first}")
            return None
        seen[value] = line
        return value

    # ---------------------------------------------------------------- files

    def read(self) -> Bundle:
        directory = self.bundle.directory
        if not directory.is_dir():
            self.problems.append(ImportProblem(str(directory), 0, "(folder)", "is not a folder"))
            return self.bundle
        self.read_manifest()
        self.read_orgs()
        self.read_roles()
        self.read_users()
        self.read_demographics()
        self.read_enrollments()
        self.place_students()
        self.read_extension()
        return self.bundle

    def read_manifest(self) -> None:
        table = self.table("manifest.csv", needed=False)
        if table is None:
            return
        for line, row in table.rows(required=("propertyName", "value"), strip=True):
            name, value = row["propertyName"], row["value"]
            if name == "oneroster.version":
                if value not in SUPPORTED_VERSIONS:
                    table.problem(line, "value", f"OneRoster version {value!r} is not supported (1.1 or 1.2)")
                self.bundle.version = value
            elif name.startswith("file."):
                mode = value.lower()
                if mode not in {"bulk", "delta", "absent"}:
                    table.problem(line, "value", f"{value!r} is not bulk, delta or absent")
                elif mode == "delta":
                    table.problem(
                        line,
                        "value",
                        f"{name} is a delta file; the roster imports bulk bundles only (export a full bundle)",
                    )
                self.modes[name.removeprefix("file.")] = (mode, line)
        self.done(table)

    def read_orgs(self) -> None:
        table = self.table("orgs.csv", needed=True)
        if table is None:
            return
        seen: dict[str, int] = {}
        parents: list[tuple[int, str]] = []
        for line, row in table.rows(required=("sourcedId", "name", "type"), strip=True):
            sid = self.sourced_id(table, line, row, seen)
            kind = row["type"]
            if kind not in ORG_TYPES:
                table.problem(
                    line, "type", f"{kind!r} is not a OneRoster org type ({', '.join(sorted(ORG_TYPES))})"
                )
            status = self.parse_status(table, line, row.get("status", ""))
            if sid is None:
                continue
            self.orgs[sid] = kind
            if row.get("parentSourcedId"):
                parents.append((line, row["parentSourcedId"]))
            if kind != "school":
                continue
            if not row["name"]:
                table.problem(line, "name", "a school needs a name")
            self.check_length(table, line, "name", row["name"], 255)
            self.check_length(table, line, "identifier", row.get("identifier", ""), 255)
            city_line = " ".join(
                part
                for part in (
                    row.get("metadata.city", ""),
                    row.get("metadata.state", ""),
                    row.get("metadata.postCode", ""),
                )
                if part
            )
            address = "\n".join(
                part
                for part in (row.get("metadata.address1", ""), row.get("metadata.address2", ""), city_line)
                if part
            )
            self.bundle.schools[sid] = SchoolRow(sid, row["name"], row.get("identifier", ""), address, status)
        self.done(table)
        if table.complete:
            for line, parent in parents:
                if parent not in self.orgs:
                    table.problem(line, "parentSourcedId", f"names org {parent!r}, which is not in orgs.csv")

    def read_roles(self) -> None:
        # OneRoster 1.2 moved each user's role and orgs from users.csv into roles.csv.
        if not (self.bundle.directory / "roles.csv").is_file():
            return
        table = self.table("roles.csv", needed=False)
        if table is None:
            return
        self.has_roles_file = True
        for line, row in table.rows(required=("userSourcedId", "role", "orgSourcedId"), strip=True):
            role = row["role"].lower()
            if role not in USER_ROLES:
                table.problem(line, "role", f"{row['role']!r} is not a OneRoster role")
                continue
            if (
                row["orgSourcedId"]
                and "orgs.csv" not in self.incomplete
                and row["orgSourcedId"] not in self.orgs
            ):
                table.problem(
                    line, "orgSourcedId", f"names org {row['orgSourcedId']!r}, which is not in orgs.csv"
                )
            user = row["userSourcedId"]
            current = self.roles_from_file.get(user)
            orgs = (*(current[1] if current else ()), *_split_ids(row["orgSourcedId"]))
            if current is None or row.get("roleType", "").lower() == "primary":
                self.roles_from_file[user] = (role, orgs)
            else:
                self.roles_from_file[user] = (current[0], orgs)
        self.done(table)

    def read_users(self) -> None:
        table = self.table("users.csv", needed=True)
        if table is None:
            return
        seen: dict[str, int] = {}
        sis_ids: dict[str, tuple[str, int]] = {}
        agents: list[tuple[int, str, tuple[str, ...]]] = []
        orgs = self.orgs if "orgs.csv" not in self.incomplete else None
        students, guardians, users = self.bundle.students, self.bundle.guardians, self.users
        # OneRoster 1.1 gives each user's role in users.csv; 1.2 gives it in roles.csv.
        required = ("sourcedId", "givenName", "familyName") + (() if self.has_roles_file else ("role",))
        for line, row in table.rows(required=required):
            sid = self.sourced_id(table, line, row, seen)
            if sid is None:
                continue
            if "role" in row:
                raw_role, org_ids = row["role"].strip(), _split_ids(row.get("orgSourcedIds", ""))
            else:
                raw_role, org_ids = self.roles_from_file.get(sid, ("", ()))
                if not raw_role:
                    table.problem(line, "sourcedId", f"user {sid!r} has no role in roles.csv")
                    continue
            role = raw_role.lower()
            if role not in USER_ROLES:
                table.problem(line, "role", f"{raw_role!r} is not a OneRoster role")
                continue
            users[sid] = role
            primary_org = row.get("primaryOrgSourcedId", "").strip()
            if orgs is not None:
                for org in (*org_ids, primary_org) if primary_org else org_ids:
                    if org not in orgs:
                        column = "primaryOrgSourcedId" if org == primary_org else "orgSourcedIds"
                        table.problem(line, column, f"names org {org!r}, which is not in orgs.csv")
            is_student = role == "student"
            if not is_student and role not in GUARDIAN_ROLES:
                self.bundle.skipped_users[role] += 1
                continue
            status = self.parse_status(table, line, row.get("status", ""))
            first, middle, last = (
                row["givenName"].strip(),
                row.get("middleName", "").strip(),
                row["familyName"].strip(),
            )
            if not first:
                table.problem(line, "givenName", f"a {role} needs a givenName")
            if not last:
                table.problem(line, "familyName", f"a {role} needs a familyName")
            if len(first) > 150 or len(middle) > 150 or len(last) > 150:
                for column, value in (("givenName", first), ("middleName", middle), ("familyName", last)):
                    self.check_length(table, line, column, value, 150)
            if row.get("agentSourcedIds"):
                agents.append((line, sid, _split_ids(row["agentSourcedIds"])))
            if is_student:
                sis_id = row.get("identifier", "").strip() or sid
                self.check_length(table, line, "identifier", sis_id, 255)
                other = sis_ids.get(sis_id)
                if other is not None:
                    table.problem(
                        line,
                        "identifier",
                        f"student ID {sis_id!r} already belongs to student {other[0]!r} on line {other[1]}",
                    )
                sis_ids[sis_id] = (sid, line)
                grades = _split_ids(row.get("grades", ""))
                grade = grades[0] if len(grades) == 1 else max(grades, key=_grade_order, default="")
                self.check_length(table, line, "grades", grade, 8)
                students[sid] = StudentRow(
                    sid, sis_id, first, middle, last, grade, status, line, org_ids, primary_org
                )
            else:
                email = row.get("email", "").strip()
                phone = row.get("phone", "").strip() or row.get("sms", "").strip()
                self.check_length(table, line, "email", email, 254)
                self.check_length(table, line, "phone", phone, 64)
                guardians[sid] = GuardianRow(
                    sid, first, middle, last, email, phone, role, status, line, org_ids
                )
        self.done(table)
        if table.complete:
            self.link_agents(table, agents)

    def link_agents(self, table: CsvTable, agents: list[tuple[int, str, tuple[str, ...]]]) -> None:
        """Students and their parents, guardians and relatives, from either side's agentSourcedIds."""
        students, guardians, links = self.bundle.students, self.bundle.guardians, self.bundle.links
        for line, sid, agent_ids in agents:
            for agent in agent_ids:
                if agent not in self.users:
                    table.problem(line, "agentSourcedIds", f"names user {agent!r}, who is not in users.csv")
                elif sid in students and agent in guardians:
                    links[(sid, agent)] = LinkRow(guardians[agent].role)
                elif sid in guardians and agent in students:
                    links[(agent, sid)] = LinkRow(guardians[sid].role)
                else:
                    table.problem(
                        line,
                        "agentSourcedIds",
                        f"names user {agent!r} ({self.users[agent]}): a student's agents are parents, guardians "
                        "or relatives, and theirs are students",
                    )

    def read_demographics(self) -> None:
        table = self.table("demographics.csv", needed=False)
        if table is None:
            return
        seen: dict[str, int] = {}
        users = self.users if "users.csv" not in self.incomplete else None
        students = self.bundle.students
        rows = table.rows(required=("sourcedId",))
        immigration: tuple[str, ...] | None = None
        for line, row in rows:
            if immigration is None:
                immigration = tuple(column for column in IMMIGRATION_COLUMNS if column in table.header)
            sid = self.sourced_id(table, line, row, seen)
            for column in immigration:
                if row.get(column, "").strip():
                    self.bundle.immigration_values_dropped += 1
            birth_date = self.parse_date(table, line, "birthDate", row.get("birthDate", ""))
            if birth_date is not None and birth_date > self.today:
                table.problem(line, "birthDate", f"{birth_date.isoformat()} is in the future")
                birth_date = None
            if sid is None:
                continue
            if users is not None and sid not in users:
                table.problem(line, "sourcedId", f"user {sid!r} is not in users.csv")
                continue
            student = students.get(sid)
            if student is not None:
                student.birth_date = birth_date
        self.note_demographic_columns(table.header)
        self.done(table)

    def note_demographic_columns(self, columns: Iterable[str]) -> None:
        present = set(columns)
        self.bundle.immigration_columns_present = [c for c in IMMIGRATION_COLUMNS if c in present]
        self.bundle.unstored_columns_present = [c for c in UNSTORED_DEMOGRAPHIC_COLUMNS if c in present]

    def read_enrollments(self) -> None:
        table = self.table("enrollments.csv", needed=False)
        if table is None:
            return
        seen: dict[str, int] = {}
        users = self.users if "users.csv" not in self.incomplete else None
        orgs = self.orgs if "orgs.csv" not in self.incomplete else None
        students, placements = self.bundle.students, self.placements
        for line, row in table.rows(required=("sourcedId", "schoolSourcedId", "userSourcedId", "role")):
            self.sourced_id(table, line, row, seen)
            school, user = row["schoolSourcedId"].strip(), row["userSourcedId"].strip()
            begin = self.parse_date(table, line, "beginDate", row.get("beginDate", ""))
            end = self.parse_date(table, line, "endDate", row.get("endDate", ""))
            status = self.parse_status(table, line, row.get("status", ""))
            if begin and end and end < begin:
                table.problem(
                    line, "endDate", f"{end.isoformat()} is before the beginDate {begin.isoformat()}"
                )
            if not school:
                table.problem(line, "schoolSourcedId", "is empty")
            elif orgs is not None and orgs.get(school) != "school":
                kind = orgs.get(school)
                found = "which is not in orgs.csv" if kind is None else f"a {kind}, not a school"
                table.problem(line, "schoolSourcedId", f"names org {school!r}, {found}")
                continue
            if not user:
                table.problem(line, "userSourcedId", "is empty")
                continue
            if users is not None and user not in users:
                table.problem(line, "userSourcedId", f"names user {user!r}, who is not in users.csv")
                continue
            if user not in students or status != "active" or not school:
                continue
            at = placements.setdefault(user, {})
            place = at.get(school)
            if place is None:
                at[school] = _Placement(begin, 1, begin, end)
            else:
                place.add(begin, end)
        self.done(table)

    def place_students(self) -> None:
        """Each student's school: 1.2's primaryOrgSourcedId, else where the latest enrollments are, else
        the first school among the user's orgs."""
        placements = self.placements
        schools = self.bundle.schools
        for sid, student in self.bundle.students.items():
            at = placements.get(sid, {})
            chosen: str | None = None
            if student.primary_org in schools:
                chosen = student.primary_org
            elif at:
                chosen = max(
                    at, key=lambda school: (at[school].latest_begin or date.min, at[school].count, school)
                )
            else:
                chosen = next((org for org in student.org_ids if org in schools), None)
            student.school = chosen
            if chosen is not None and chosen in at:
                student.enrolled_on = at[chosen].first_begin
                student.enrollment_ends_on = at[chosen].last_end

    def read_extension(self) -> None:
        table = self.table(EXTENSION_FILE, needed=False)
        if table is None:
            return
        languages = {code.lower(): code for code, _ in settings.LANGUAGES}
        students, guardians, links = self.bundle.students, self.bundle.guardians, self.bundle.links
        users_known = "users.csv" not in self.incomplete
        seen: dict[tuple[str, str], int] = {}
        links_of_guardian: dict[str, list[LinkRow]] = {}
        for (_, guardian_sid), link in links.items():
            links_of_guardian.setdefault(guardian_sid, []).append(link)
        for line, row in table.rows(required=("sourcedId",), strip=True):
            if not seen:
                for column in table.header:
                    if column not in EXTENSION_COLUMNS:
                        table.problem(
                            1,
                            column,
                            f"unknown column; the extension columns are {', '.join(EXTENSION_COLUMNS)}",
                        )
                        table.complete = False
                if not table.complete:
                    break
            self.bundle.extension_rows += 1
            sid, student_sid = row["sourcedId"], row.get("studentSourcedId", "")
            key = (sid, student_sid)
            if key in seen:
                table.problem(line, "sourcedId", f"{sid!r} already has a row on line {seen[key]}")
                continue
            seen[key] = line
            said = {
                column: row[column]
                for column in table.header
                if column not in {"sourcedId", "studentSourcedId"} and row[column]
            }
            if sid in students:
                for column in said:
                    if column not in STUDENT_EXTENSION_COLUMNS:
                        table.problem(line, column, f"{sid!r} is a student: this column is for guardians")
                if student_sid:
                    table.problem(line, "studentSourcedId", "is for guardian rows only")
                for column in STUDENT_EXTENSION_COLUMNS:
                    if column in said:
                        value = self.parse_bool(table, line, column, said[column])
                        if value is not None:
                            students[sid].flags[column] = value
            elif sid in guardians:
                for column in said:
                    if column in STUDENT_EXTENSION_COLUMNS:
                        table.problem(
                            line, column, f"{sid!r} is a {guardians[sid].role}: this column is for students"
                        )
                self.extend_guardian(table, line, guardians[sid], said, languages, student_sid)
                link_flags = {
                    column: value
                    for column in LINK_EXTENSION_COLUMNS
                    if column in said
                    and (value := self.parse_bool(table, line, column, said[column])) is not None
                }
                if student_sid:
                    one_link = links.get((student_sid, sid))
                    if one_link is None:
                        table.problem(
                            line,
                            "studentSourcedId",
                            f"{student_sid!r} is not linked to {sid!r} by agentSourcedIds in users.csv",
                        )
                    else:
                        one_link.flags.update(link_flags)
                elif link_flags:
                    for link in links_of_guardian.get(sid, ()):
                        # A row for one student wins over the guardian's general row, whichever comes first.
                        link.flags = {**link_flags, **link.flags}
            elif not sid:
                table.problem(line, "sourcedId", "is empty")
            elif users_known:
                what = f"a {self.users[sid]}" if sid in self.users else "not in users.csv"
                table.problem(
                    line, "sourcedId", f"user {sid!r} is {what}: the extension is for students and guardians"
                )
        self.done(table)

    def extend_guardian(
        self,
        table: CsvTable,
        line: int,
        guardian: GuardianRow,
        said: dict[str, str],
        languages: dict[str, str],
        student_sid: str,
    ) -> None:
        limits = {"address1": 200, "address2": 200, "city": 100, "state": 100, "postalCode": 20}
        for column in GUARDIAN_EXTENSION_COLUMNS:
            if column not in said:
                continue
            if student_sid:
                table.problem(
                    line,
                    column,
                    "give a guardian's language and address on their row without studentSourcedId",
                )
                continue
            value = said[column]
            if column == "preferredLanguage":
                code = languages.get(value.lower())
                if code is None:
                    table.problem(
                        line,
                        column,
                        f"{value!r} is not one of the district's languages ({', '.join(languages.values())})",
                    )
                    continue
                value = code
            else:
                self.check_length(table, line, column, value, limits[column])
            guardian.extension[column] = value

    def parse_bool(self, table: CsvTable, line: int, column: str, value: str) -> bool | None:
        parsed = _BOOLEANS.get(value.lower())
        if parsed is None:
            table.problem(line, column, f"{value!r} is not true or false")
        return parsed


def read_bundle(directory: Path) -> Bundle:
    """Read and check every file of a OneRoster bundle; problems are in `Bundle.problems`."""
    return BundleReader(directory).read()
