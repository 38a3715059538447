"""Writes to the roster: the OneRoster import; linking family sign-ins to guardians and students, and
the district's field inventory, each with its reason and a ledger entry (at the end of this module).

`roster_import` reads and checks the whole bundle first (outside any transaction, so that a long read
does not hold the database's write lock), then writes it in one transaction: every row or none.
Existing rows are looked up by sourcedId in chunks and compared; only new and changed rows are written,
in batches through the driver's executemany. (bulk_create spent four fifths of a 100,000-student import
preparing values one field at a time; the values here are already plain Python values of the right type,
so they go to the database as they are. Both SQLite and PostgreSQL take the same statements.) Nothing is
ever deleted by an import.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from brightline.accounts.models import Role, User
from brightline.errors import Conflict, InvalidInput, NotAllowed
from brightline.ledger.services import ledger_append
from brightline.roster.models import (
    DataField,
    Guardian,
    GuardianRelationship,
    RosterImport,
    RosterStatus,
    School,
    Student,
    name_key,
)
from brightline.roster.oneroster import (
    EXTENSION_FILE,
    IMMIGRATION_COLUMNS,
    Bundle,
    ImportProblem,
    read_bundle,
)
from brightline.vocabulary import CATEGORIES

# Lookups stay well under SQLite's and PostgreSQL's parameter limits; writes go in batches that keep
# memory flat while a 100,000-student bundle goes in.
LOOKUP_CHUNK = 2000
WRITE_BATCH = 2000

STUDENT_FIELDS = (
    "sis_id",
    "first_name",
    "middle_name",
    "last_name",
    "first_name_key",
    "last_name_key",
    "birth_date",
    "grade",
    "school_id",
    "enrolled_on",
    "enrollment_ends_on",
    "status",
)
STUDENT_FLAG_FIELDS = {
    "directoryOptOut": "directory_opt_out",
    "fosterCare": "foster_care",
    "missingChildFlag": "missing_child_flag",
    "adjudicated": "adjudicated",
}
GUARDIAN_FIELDS = ("first_name", "middle_name", "last_name", "email", "phone", "status")
GUARDIAN_EXTENSION_FIELDS = {
    "preferredLanguage": "preferred_language",
    "address1": "address_line1",
    "address2": "address_line2",
    "city": "city",
    "state": "state",
    "postalCode": "postal_code",
}
LINK_FLAG_FIELDS = {"hasNoticeRights": "has_notice_rights", "isCustodial": "is_custodial"}

T = TypeVar("T")
# The most sourcedIds the stored report lists for each of new, left and changed guardians.
REPORT_IDS = 200


class RosterImportError(Exception):
    """The bundle was refused; `problems` names file, line and field of each one. Nothing was saved."""

    def __init__(self, problems: Sequence[ImportProblem]) -> None:
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the bundle; nothing was imported")

    def report(self) -> list[str]:
        return [str(self), *(f"  {problem}" for problem in self.problems)]


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # The sourcedIds of the rows created and changed (kept for guardians' report).
    created_ids: list[str] = field(default_factory=list)
    updated_ids: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class ImportSummary:
    """What an import did (or, with dry_run, would have done)."""

    directory: Path
    version: str
    dry_run: bool
    files_read: list[str]
    schools: Tally = field(default_factory=Tally)
    students: Tally = field(default_factory=Tally)
    guardians: Tally = field(default_factory=Tally)
    relationships: Tally = field(default_factory=Tally)
    students_without_school: int = 0
    skipped_users: Counter[str] = field(default_factory=Counter)
    extension_rows: int = 0
    immigration_columns_dropped: list[str] = field(default_factory=list)
    immigration_values_dropped: int = 0
    unstored_columns: list[str] = field(default_factory=list)
    students_not_in_bundle: int = 0
    guardians_not_in_bundle: int = 0
    # Guardians the SIS marks deleted in this bundle who were not marked so before: they left.
    guardians_left: int = 0
    guardians_left_ids: list[str] = field(default_factory=list)
    # What the report calls the bundle: the file or folder dropped, not a temporary folder it was unpacked to.
    name: str = ""

    def lines(self) -> list[str]:
        heading = f"OneRoster {self.version or '(version not stated)'} bundle {self.name or self.directory}"
        lines = [
            f"{heading}: {'dry run, nothing was saved' if self.dry_run else 'imported'}",
            f"  files read: {', '.join(self.files_read)}",
            f"  schools: {self.schools}",
            f"  students: {self.students}",
            f"  guardians: {self.guardians}",
            f"  guardian links: {self.relationships}",
        ]
        if self.students_without_school:
            lines.append(f"  students with no school in the bundle: {self.students_without_school}")
        if self.skipped_users:
            skipped = ", ".join(f"{count} {role}" for role, count in sorted(self.skipped_users.items()))
            lines.append(f"  users not kept on the roster (staff): {skipped}")
        if self.extension_rows:
            lines.append(f"  district extension ({EXTENSION_FILE}): {self.extension_rows} rows applied")
        else:
            lines.append(
                f"  district extension ({EXTENSION_FILE}): none; flags and languages left as they were"
            )
        if self.immigration_columns_dropped:
            lines.append(
                f"  immigration-related columns dropped, never stored: {', '.join(self.immigration_columns_dropped)}"
                f" ({self.immigration_values_dropped} filled values discarded)"
            )
        else:
            lines.append(
                f"  immigration-related columns ({', '.join(IMMIGRATION_COLUMNS)}): none in this bundle; never stored"
            )
        if self.unstored_columns:
            lines.append(
                f"  sex, race and ethnicity ({len(self.unstored_columns)} columns of demographics.csv): not stored"
            )
        lines.append(
            f"  guardians: {self.guardians.created} new, {self.guardians.updated} changed,"
            f" {self.guardians_left} left (marked deleted in the SIS; kept, with their students' records)"
        )
        for label, ids in (
            ("new", self.guardians.created_ids),
            ("left", self.guardians_left_ids),
            ("changed", self.guardians.updated_ids),
        ):
            if ids:
                shown = ", ".join(sorted(ids)[:REPORT_IDS])
                more = f" … and {len(ids) - REPORT_IDS} more" if len(ids) > REPORT_IDS else ""
                lines.append(f"  guardians {label} (sourcedId): {shown}{more}")
        if self.students_not_in_bundle or self.guardians_not_in_bundle:
            lines.append(
                f"  on the roster but not in this bundle (kept as they are): {self.students_not_in_bundle} students,"
                f" {self.guardians_not_in_bundle} guardians"
            )
        return lines


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Writer:
    """INSERT and UPDATE statements for one model's table, run with executemany in batches."""

    def __init__(self, model: type[models.Model]) -> None:
        quote = connection.ops.quote_name
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        self.columns = {f.attname: quote(str(f.column)) for f in self.fields}
        self.table = quote(model._meta.db_table)
        self.pk_column = quote(str(model._meta.pk.column if model._meta.pk else "id"))
        columns = ", ".join(self.columns.values())
        placeholders = ", ".join(["%s"] * len(self.fields))
        self.insert_sql = f"INSERT INTO {self.table} ({columns}) VALUES ({placeholders})"  # noqa: S608 (names from the model)

    def insert(self, rows: Iterable[dict[str, Any]]) -> int:
        names, defaults, count = [f.attname for f in self.fields], self.defaults, 0
        with connection.cursor() as cursor:
            for batch in _chunks(rows, WRITE_BATCH):
                cursor.executemany(
                    self.insert_sql, [tuple([row.get(n, defaults[n]) for n in names]) for row in batch]
                )
                count += len(batch)
        return count

    def update(self, names: Sequence[str], rows: Iterable[tuple[int, dict[str, Any]]]) -> None:
        """Set `names` from each (pk, values) pair."""
        columns = ", ".join(f"{self.columns[n]} = %s" for n in names)
        sql = f"UPDATE {self.table} SET {columns} WHERE {self.pk_column} = %s"  # noqa: S608 (names from the model)
        with connection.cursor() as cursor:
            for batch in _chunks(rows, WRITE_BATCH):
                cursor.executemany(sql, [(*(values[n] for n in names), pk) for pk, values in batch])


def _upsert(
    model: type[models.Model], wanted: dict[str, dict[str, Any]], fields: Sequence[str], tally: Tally
) -> dict[str, int]:
    """Create or update rows keyed by sourced_id so that each has the `wanted` values; returns the pks.

    A row's wanted values may leave out some of `fields`: those keep their stored value (or the model's
    default on a new row).
    """
    manager = model._default_manager
    pks: dict[str, int] = {}
    changed: list[tuple[int, dict[str, Any]]] = []
    for chunk in _chunks(wanted, LOOKUP_CHUNK):
        for current in manager.filter(sourced_id__in=chunk).values("pk", "sourced_id", *fields):
            sourced_id, pk = current.pop("sourced_id"), current.pop("pk")
            pks[sourced_id] = pk
            values = wanted[sourced_id]
            if all(current[name] == value for name, value in values.items()):
                tally.unchanged += 1
            else:
                changed.append((pk, {**current, **values}))
                tally.updated += 1
                tally.updated_ids.append(sourced_id)
    writer = _Writer(model)
    fresh = [sid for sid in wanted if sid not in pks]
    tally.created += writer.insert({**wanted[sid], "sourced_id": sid} for sid in fresh)
    tally.created_ids.extend(fresh)
    writer.update(fields, changed)
    for chunk in _chunks(fresh, LOOKUP_CHUNK):
        pks.update(manager.filter(sourced_id__in=chunk).values_list("sourced_id", "pk"))
    return pks


def _student_values(bundle: Bundle, school_pks: dict[str, int]) -> dict[str, dict[str, Any]]:
    wanted: dict[str, dict[str, Any]] = {}
    for sid, row in bundle.students.items():
        values: dict[str, Any] = {
            "sis_id": row.sis_id,
            "first_name": row.first_name,
            "middle_name": row.middle_name,
            "last_name": row.last_name,
            "first_name_key": name_key(row.first_name),
            "last_name_key": name_key(row.last_name),
            "birth_date": row.birth_date,
            "grade": row.grade,
            "school_id": school_pks.get(row.school) if row.school else None,
            "enrolled_on": row.enrolled_on,
            "enrollment_ends_on": row.enrollment_ends_on,
            "status": row.status,
        }
        for column, value in row.flags.items():
            values[STUDENT_FLAG_FIELDS[column]] = value
        wanted[sid] = values
    return wanted


def _guardian_values(bundle: Bundle) -> dict[str, dict[str, Any]]:
    wanted: dict[str, dict[str, Any]] = {}
    for sid, row in bundle.guardians.items():
        values: dict[str, Any] = {
            "first_name": row.first_name,
            "middle_name": row.middle_name,
            "last_name": row.last_name,
            "email": row.email,
            "phone": row.phone,
            "status": row.status,
        }
        for column, value in row.extension.items():
            values[GUARDIAN_EXTENSION_FIELDS[column]] = value
        wanted[sid] = values
    return wanted


def _check_student_ids(bundle: Bundle) -> tuple[list[ImportProblem], list[str]]:
    """Student IDs the bundle gives to students other than their holders on the roster.

    An ID held by a student who is not in this bundle cannot be taken: that is a problem. An ID held by
    another student of the bundle is moving between them (the SIS renumbered them); those holders are
    returned so their IDs can be freed before the rows are written.
    """
    owner_in_bundle = {row.sis_id: sid for sid, row in bundle.students.items()}
    problems: list[ImportProblem] = []
    moving: list[str] = []
    for chunk in _chunks(owner_in_bundle, LOOKUP_CHUNK):
        for sis_id, owner in Student.objects.filter(sis_id__in=chunk).values_list("sis_id", "sourced_id"):
            claimant = owner_in_bundle[sis_id]
            if owner == claimant:
                continue
            if owner in bundle.students:
                moving.append(owner)
            else:
                problems.append(
                    ImportProblem(
                        "users.csv",
                        bundle.students[claimant].line,
                        "identifier",
                        f"student ID {sis_id!r} already belongs to student {owner!r} on the roster, who is not in "
                        "this bundle",
                    )
                )
    return problems, moving


def _write_links(
    bundle: Bundle, student_pks: dict[str, int], guardian_pks: dict[str, int], tally: Tally
) -> None:
    wanted: dict[tuple[int, int], dict[str, Any]] = {}
    for (student_sid, guardian_sid), link in bundle.links.items():
        values: dict[str, Any] = {"relationship": link.relationship}
        for column, value in link.flags.items():
            values[LINK_FLAG_FIELDS[column]] = value
        wanted[(student_pks[student_sid], guardian_pks[guardian_sid])] = values
    if not wanted:
        return
    fields = ("relationship", "has_notice_rights", "is_custodial")
    existing: dict[tuple[int, int], dict[str, Any]] = {}
    linked_students = sorted({student for student, _ in wanted})
    for chunk in _chunks(linked_students, LOOKUP_CHUNK):
        for current in GuardianRelationship.objects.filter(student_id__in=chunk).values(
            "pk", "student_id", "guardian_id", *fields
        ):
            existing[(current.pop("student_id"), current.pop("guardian_id"))] = current
    changed: list[tuple[int, dict[str, Any]]] = []
    fresh: list[dict[str, Any]] = []
    for (student_pk, guardian_pk), values in wanted.items():
        current = existing.get((student_pk, guardian_pk))
        if current is None:
            fresh.append({"student_id": student_pk, "guardian_id": guardian_pk, **values})
        elif all(current[name] == value for name, value in values.items()):
            tally.unchanged += 1
        else:
            changed.append((current["pk"], {**current, **values}))
            tally.updated += 1
    writer = _Writer(GuardianRelationship)
    tally.created += writer.insert(fresh)
    writer.update(fields, changed)


def roster_import(
    *,
    directory: Path,
    dry_run: bool = False,
    scheduled: bool = False,
    source: str = "",
    fingerprint: str = "",
    name: str = "",
) -> ImportSummary:
    """Import a OneRoster 1.1/1.2 CSV bundle (with the optional district extension file).

    Idempotent: rows are keyed by sourcedId, unchanged rows are not written. All or nothing: on any
    problem, raises RosterImportError listing every one, and the database is as it was. With `dry_run`
    the whole import runs and is rolled back, so the summary's figures are exact.

    Each import that is not a dry run is recorded as a `RosterImport` (taken or refused, with its report),
    which the administrator's setup checklist reads.
    """
    started = timezone.now()
    try:
        summary = _roster_import(directory=directory, dry_run=dry_run, name=name)
    except RosterImportError as error:
        if not dry_run:
            RosterImport.objects.create(
                started_at=started,
                finished_at=timezone.now(),
                source=(source or str(directory))[:1000],
                fingerprint=fingerprint,
                scheduled=scheduled,
                succeeded=False,
                report=error.report(),
            )
        raise
    if not dry_run:
        RosterImport.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            source=(source or str(directory))[:1000],
            fingerprint=fingerprint,
            scheduled=scheduled,
            succeeded=True,
            report=summary.lines(),
            students_new=summary.students.created,
            students_changed=summary.students.updated,
            guardians_new=summary.guardians.created,
            guardians_changed=summary.guardians.updated,
            guardians_left=summary.guardians_left,
        )
    return summary


def _roster_import(*, directory: Path, dry_run: bool, name: str = "") -> ImportSummary:
    bundle = read_bundle(directory)
    if bundle.problems:
        raise RosterImportError(bundle.problems)
    summary = ImportSummary(
        directory=directory,
        name=name,
        version=bundle.version,
        dry_run=dry_run,
        files_read=bundle.files_read,
        skipped_users=bundle.skipped_users,
        extension_rows=bundle.extension_rows,
        immigration_columns_dropped=bundle.immigration_columns_present,
        immigration_values_dropped=bundle.immigration_values_dropped,
        unstored_columns=bundle.unstored_columns_present,
        students_without_school=sum(1 for row in bundle.students.values() if row.school is None),
    )
    try:
        _write_bundle(bundle=bundle, summary=summary, dry_run=dry_run)
    except IntegrityError as error:
        # Only a conflict the checks above cannot see gets here, such as two students swapping IDs.
        raise RosterImportError(
            [ImportProblem("users.csv", 0, "(database)", f"the database refused the roster: {error}")]
        ) from error
    return summary


@transaction.atomic
def _write_bundle(*, bundle: Bundle, summary: ImportSummary, dry_run: bool) -> None:
    problems, moving = _check_student_ids(bundle)
    if problems:
        raise RosterImportError(problems)
    for chunk in _chunks(moving, LOOKUP_CHUNK):
        # A placeholder unique to the row, replaced by the new ID below, in this same transaction.
        placeholder = Concat(Value("~moving~"), Cast("pk", output_field=models.CharField()))
        Student.objects.filter(sourced_id__in=chunk).update(sis_id=placeholder)
    school_values = {
        sid: {"name": row.name, "identifier": row.identifier, "address": row.address, "status": row.status}
        for sid, row in bundle.schools.items()
    }
    school_pks = _upsert(School, school_values, ("name", "identifier", "address", "status"), summary.schools)
    student_fields = (*STUDENT_FIELDS, *STUDENT_FLAG_FIELDS.values())
    student_pks = _upsert(Student, _student_values(bundle, school_pks), student_fields, summary.students)
    leaving = [sid for sid, row in bundle.guardians.items() if row.status == RosterStatus.TO_BE_DELETED]
    for chunk in _chunks(leaving, LOOKUP_CHUNK):
        summary.guardians_left_ids.extend(
            Guardian.objects.filter(sourced_id__in=chunk)
            .exclude(status=RosterStatus.TO_BE_DELETED)
            .values_list("sourced_id", flat=True)
        )
    summary.guardians_left = len(summary.guardians_left_ids)
    guardian_fields = (*GUARDIAN_FIELDS, *GUARDIAN_EXTENSION_FIELDS.values())
    guardian_pks = _upsert(Guardian, _guardian_values(bundle), guardian_fields, summary.guardians)
    # A guardian who left is counted once, as left, not also as changed (their status changed).
    left = set(summary.guardians_left_ids)
    summary.guardians.updated_ids = [sid for sid in summary.guardians.updated_ids if sid not in left]
    summary.guardians.updated = len(summary.guardians.updated_ids)
    _write_links(bundle, student_pks, guardian_pks, summary.relationships)
    summary.students_not_in_bundle = Student.objects.count() - len(student_pks)
    summary.guardians_not_in_bundle = Guardian.objects.count() - len(guardian_pks)
    if dry_run:
        transaction.set_rollback(True)


# --- Family sign-ins ------------------------------------------------------------------------------
#
# A parent reads a child's record of disclosures because their sign-in is the `user` of a guardian
# who holds notice rights for the child; an eligible student because their sign-in is the student's
# `user` (disclosures.selectors.students_of_family). The links between guardians and students come from
# the SIS alone; linking a sign-in is the records office's act, done here with a reason and a ledger
# entry, after it has checked who the person is.

FAMILY_LINKERS = frozenset({Role.RECORDS_CLERK, Role.ADMIN})


def _check_linker(actor: User) -> None:
    if not actor.is_active or not (actor.is_superuser or actor.role in FAMILY_LINKERS):
        raise NotAllowed("only the records office links a family sign-in to a student's record")


def _reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise InvalidInput([("reason", "say why: the reason is kept in the ledger with the change")])
    return reason.strip()


def _readable_students(guardian: Guardian) -> list[int]:
    return sorted(
        GuardianRelationship.objects.filter(guardian=guardian, has_notice_rights=True).values_list(
            "student_id", flat=True
        )
    )


@transaction.atomic
def guardian_account_link(*, guardian: Guardian, user: User, linked_by: User, reason: str) -> Guardian:
    """Make `user` the family sign-in of this guardian: they then read the record of disclosures of each
    student the guardian holds notice rights for. The entry names those students."""
    _check_linker(linked_by)
    reason = _reason(reason)
    if user.role != Role.PARENT or not user.is_active:
        raise InvalidInput([("user", "only an active sign-in with the parent role is linked to a guardian")])
    current = Guardian.objects.select_for_update().get(pk=guardian.pk)
    if current.user_id == user.pk:
        return current
    if current.user_id is not None:
        raise Conflict("this guardian already has a family sign-in: unlink it first", field="user")
    current.user = user
    current.save(update_fields=["user"])
    ledger_append(
        event_type="guardian.account_linked",
        subject={"guardian": current.pk, "user": user.pk},
        record={
            "guardian": current.pk,
            "guardian_sourced_id": current.sourced_id,
            "user": user.pk,
            "username": user.get_username(),
            "students": _readable_students(current),
            "linked_by": linked_by.pk,
            "linked_by_name": linked_by.get_username(),
            "reason": reason,
        },
    )
    return current


@transaction.atomic
def guardian_account_unlink(*, guardian: Guardian, unlinked_by: User, reason: str) -> Guardian:
    """The guardian's family sign-in no longer reads the students' records."""
    _check_linker(unlinked_by)
    reason = _reason(reason)
    current = Guardian.objects.select_for_update().get(pk=guardian.pk)
    if current.user_id is None:
        return current
    user_pk = current.user_id
    current.user = None
    current.save(update_fields=["user"])
    ledger_append(
        event_type="guardian.account_unlinked",
        subject={"guardian": current.pk, "user": user_pk},
        record={
            "guardian": current.pk,
            "guardian_sourced_id": current.sourced_id,
            "user": user_pk,
            "unlinked_by": unlinked_by.pk,
            "unlinked_by_name": unlinked_by.get_username(),
            "reason": reason,
        },
    )
    return current


@transaction.atomic
def student_account_link(*, student: Student, user: User, linked_by: User, reason: str) -> Student:
    """Make `user` the eligible student's own sign-in: they then read their own record of disclosures.
    Only a student who holds their own rights (14 or older, or grade 9 and above) has one."""
    _check_linker(linked_by)
    reason = _reason(reason)
    if user.role != Role.ELIGIBLE_STUDENT or not user.is_active:
        raise InvalidInput([("user", "only an active sign-in with the eligible-student role is linked")])
    current = Student.objects.select_for_update().get(pk=student.pk)
    if current.user_id == user.pk:
        return current
    if not current.is_eligible:
        raise InvalidInput([("student", "the student does not yet hold their own records rights")])
    if current.user_id is not None:
        raise Conflict("this student already has a sign-in: unlink it first", field="user")
    if Student.objects.filter(user=user).exists():
        raise Conflict("this sign-in is another student's", field="user")
    current.user = user
    current.save(update_fields=["user"])
    ledger_append(
        event_type="student.account_linked",
        subject={"student": current.pk, "user": user.pk},
        record={
            "student": current.pk,
            "user": user.pk,
            "username": user.get_username(),
            "linked_by": linked_by.pk,
            "linked_by_name": linked_by.get_username(),
            "reason": reason,
        },
    )
    return current


@transaction.atomic
def student_account_unlink(*, student: Student, unlinked_by: User, reason: str) -> Student:
    _check_linker(unlinked_by)
    reason = _reason(reason)
    current = Student.objects.select_for_update().get(pk=student.pk)
    if current.user_id is None:
        return current
    user_pk = current.user_id
    current.user = None
    current.save(update_fields=["user"])
    ledger_append(
        event_type="student.account_unlinked",
        subject={"student": current.pk, "user": user_pk},
        record={
            "student": current.pk,
            "user": user_pk,
            "unlinked_by": unlinked_by.pk,
            "unlinked_by_name": unlinked_by.get_username(),
            "reason": reason,
        },
    )
    return current


# --- The field inventory --------------------------------------------------------------------------
#
# Release packets hold only inventory fields, so adding a field to a category releases it wherever the
# category is released. Each change is an `inventory.*` entry with the category, the field and why.
# Rows are saved and deleted one by one through the ORM so that whatever listens for DataField's
# post_save/post_delete (the packets' inventory) hears of them.


def _check_inventory_editor(actor: User) -> None:
    if not actor.is_active or not (actor.is_superuser or actor.role == Role.ADMIN):
        raise NotAllowed("only a district administrator changes the field inventory")


def _inventory_entry(
    event_type: str, data_field: DataField, actor: User, reason: str, **extra: object
) -> None:
    ledger_append(
        event_type=event_type,
        subject={"data_field": data_field.pk},
        record={
            "data_field": data_field.pk,
            "category": data_field.category,
            "field_name": data_field.field_name,
            **extra,
            "changed_by": actor.pk,
            "changed_by_name": actor.get_username(),
            "reason": reason,
        },
    )


@transaction.atomic
def inventory_field_add(
    *, category: str, field_name: str, label: str, added_by: User, reason: str, description: str = ""
) -> DataField:
    """Add a field to a record category of the inventory. No field is ever added to `immigration`."""
    _check_inventory_editor(added_by)
    reason = _reason(reason)
    problems = []
    if category == "immigration":
        problems.append(("category", "the district never collects immigration-related information"))
    elif category not in CATEGORIES:
        problems.append(("category", f"unknown record category {category!r}"))
    if not field_name.strip():
        problems.append(("field_name", "a field has a name"))
    if not label.strip():
        problems.append(("label", "a field has a label"))
    if problems:
        raise InvalidInput(problems)
    if DataField.objects.filter(category=category, field_name=field_name.strip()).exists():
        raise Conflict(f"{category}.{field_name.strip()} is already in the inventory", field="field_name")
    data_field = DataField(
        category=category, field_name=field_name.strip(), label=label.strip(), description=description
    )
    data_field.save()
    _inventory_entry("inventory.field_added", data_field, added_by, reason, label=data_field.label)
    return data_field


@transaction.atomic
def inventory_field_change(
    *,
    data_field: DataField,
    changed_by: User,
    reason: str,
    label: str | None = None,
    description: str | None = None,
) -> DataField:
    """Change a field's label or description (None leaves one as it is). Its category and name are not
    changed: a field in another category is removed from one and added to the other."""
    _check_inventory_editor(changed_by)
    reason = _reason(reason)
    current = DataField.objects.select_for_update().get(pk=data_field.pk)
    wanted = {"label": label.strip() if label is not None else None, "description": description}
    changed = {f: v for f, v in wanted.items() if v is not None and v != getattr(current, f)}
    if not changed:
        return current
    if changed.get("label") == "":
        raise InvalidInput([("label", "a field has a label")])
    for name, value in changed.items():
        setattr(current, name, value)
    current.save(update_fields=sorted(changed))
    _inventory_entry(
        "inventory.field_changed", current, changed_by, reason, fields=sorted(changed), values=changed
    )
    return current


@transaction.atomic
def inventory_field_remove(*, data_field: DataField, removed_by: User, reason: str) -> None:
    """Take a field out of the inventory: packets no longer hold it."""
    _check_inventory_editor(removed_by)
    reason = _reason(reason)
    current = DataField.objects.select_for_update().get(pk=data_field.pk)
    _inventory_entry("inventory.field_removed", current, removed_by, reason, label=current.label)
    current.delete()
