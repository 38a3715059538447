"""The roster on a schedule: a bundle dropped in a folder, imported once, what changed reported, a
refusal that changes nothing and tells the administrators."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from brightline.accounts.models import Role
from brightline.disclosures.models import DisclosureEntry, EntryKind
from brightline.roster import scheduled
from brightline.roster.models import Guardian, RosterImport, RosterStatus, Student
from brightline.roster.scheduled import BundleRefused, _unpack, roster_import_dropped
from brightline.roster.tasks import import_dropped_roster
from brightline.roster.tests.bundles import (
    DEMOGRAPHICS,
    ENROLLMENTS,
    EXTENSION,
    USERS,
    USERS_HEADER,
    write_bundle,
)
from brightline.testing import make_user

pytestmark = pytest.mark.django_db


def without_stu1(text: str) -> str:
    return "".join(line + "\n" for line in text.splitlines() if "stu1," not in line)


def roster_state() -> list[tuple[Any, ...]]:
    return sorted(Student.objects.values_list("sourced_id", "sis_id", "last_name", "status")) + sorted(
        Guardian.objects.values_list("sourced_id", "last_name", "email", "status")
    )


def test_a_dropped_folder_is_imported_once_and_the_changes_are_reported(
    tmp_path: Path, settings: Any
) -> None:
    drop = tmp_path / "drop"
    write_bundle(drop / "2026-09-01")
    settings.ROSTER_DROP_DIR = drop
    first = roster_import_dropped()
    assert first.state == "imported"
    assert Student.objects.count() == 2 and Guardian.objects.count() == 2
    run = RosterImport.objects.get()
    assert run.succeeded and run.scheduled and run.guardians_new == 2 and run.students_new == 2

    # The same bundle again: nothing to do, nothing recorded.
    assert roster_import_dropped().state == "unchanged"
    assert RosterImport.objects.count() == 1

    # A newer export: par2 left (marked deleted), par1 changed e-mail address, par3 is new.
    newer = USERS_HEADER + "".join(
        line + "\n" for line in USERS.splitlines()[1:] if not line.startswith(("par1", "par2"))
    )
    newer += (
        'par1,,,true,s1,parent,,,Maria,Núñez,,,maria.nunez@example.org,,555-0100,"stu1,stu2",,\n'
        "par2,tobedeleted,,true,s1,guardian,,,Ahmed,Hassan,,,,,,stu2,,\n"
        "par3,,,true,s1,guardian,,,Lena,Okafor,,,,,,stu2,,\n"
    )
    later = write_bundle(drop / "2026-09-08", users_csv=newer)
    os.utime(later, (timezone.now().timestamp() + 60, timezone.now().timestamp() + 60))
    outcome = import_dropped_roster.call()
    assert outcome == "imported"
    run = RosterImport.objects.first()
    assert run is not None and run.source.endswith("2026-09-08")
    # par2 is counted once, as left, not also as changed.
    assert (run.guardians_new, run.guardians_changed, run.guardians_left) == (1, 1, 1)
    assert any("1 new, 1 changed, 1 left" in line for line in run.report)
    # Which guardians, by their sourced ids (never their names).
    assert "  guardians new (sourcedId): par3" in run.report
    assert "  guardians left (sourcedId): par2" in run.report
    assert "  guardians changed (sourcedId): par1" in run.report
    assert not any("Hassan" in line or "Okafor" in line for line in run.report)
    assert Guardian.objects.get(sourced_id="par2").status == RosterStatus.TO_BE_DELETED


def test_a_student_with_disclosure_entries_is_never_deleted(tmp_path: Path, settings: Any) -> None:
    settings.ROSTER_DROP_DIR = tmp_path / "drop"
    write_bundle(settings.ROSTER_DROP_DIR)
    roster_import_dropped()
    student = Student.objects.get(sourced_id="stu1")
    now = timezone.now()
    DisclosureEntry.objects.create(
        student=student,
        student_sis_id=student.sis_id,
        kind=EntryKind.DISCLOSURE,
        occurred_at=now,
        recorded_at=now,
        party_name="Detective",
        party_affiliation="City Police",
        party_kind="law_enforcement",
        legitimate_interest="subpoena",
    )
    # The SIS deleted the student, then dropped them from the export altogether.
    deleted = USERS.replace("stu1,,,true", "stu1,tobedeleted,,true")
    write_bundle(settings.ROSTER_DROP_DIR, users_csv=deleted)
    assert roster_import_dropped().state == "imported"
    assert Student.objects.get(pk=student.pk).status == RosterStatus.TO_BE_DELETED
    without = USERS_HEADER + "".join(
        line + "\n" for line in USERS.splitlines()[1:] if not line.startswith("stu1")
    ).replace('"stu1,stu2"', "stu2")
    write_bundle(
        settings.ROSTER_DROP_DIR,
        users_csv=without,
        enrollments_csv=without_stu1(ENROLLMENTS),
        demographics_csv=without_stu1(DEMOGRAPHICS),
        brightline_extension_csv=without_stu1(EXTENSION),
    )
    assert roster_import_dropped().state == "imported"
    assert Student.objects.filter(pk=student.pk).exists()
    assert DisclosureEntry.objects.get().student_id == student.pk


def test_a_refused_bundle_changes_nothing_and_tells_the_administrators(tmp_path: Path, settings: Any) -> None:
    make_user("admin", Role.ADMIN, email="admin@district.example")
    make_user("clerk", Role.RECORDS_CLERK, email="clerk@district.example")
    settings.ROSTER_DROP_DIR = tmp_path / "drop"
    write_bundle(settings.ROSTER_DROP_DIR)
    roster_import_dropped()
    before = roster_state()
    mail.outbox.clear()
    broken = (
        USERS.replace("Zoë,O'Brien", "Zoë,Smith") + "stu9,,,true,s9,student,,,No,School,,S-1002,,,,,05,\n"
    )
    write_bundle(settings.ROSTER_DROP_DIR, users_csv=broken)
    with pytest.raises(CommandError) as refused:
        call_command("roster", "import-dropped")
    assert refused.value.returncode == 2
    assert roster_state() == before  # not even the good rows of the bundle
    run = RosterImport.objects.first()
    assert run is not None and not run.succeeded and run.scheduled
    assert any("users.csv, line" in line for line in run.report)
    assert [message.to for message in mail.outbox] == [["admin@district.example"]]
    assert "nothing in the roster changed" in mail.outbox[0].body and "users.csv, line" in mail.outbox[0].body
    # The same refused bundle is not tried (nor mailed) again on the next run.
    assert roster_import_dropped().state == "unchanged"
    assert len(mail.outbox) == 1


def test_a_dropped_zip_is_unpacked_and_imported(tmp_path: Path, settings: Any) -> None:
    bundle = write_bundle(tmp_path / "export")
    drop = tmp_path / "drop"
    drop.mkdir()
    with zipfile.ZipFile(drop / "oneroster.zip", "w") as archive:
        for path in bundle.iterdir():
            archive.write(path, f"nested/{path.name}")
    settings.ROSTER_DROP_DIR = drop
    assert roster_import_dropped().state == "imported"
    assert Student.objects.count() == 2
    # The report names the dropped file, not the temporary folder it was unpacked to (since deleted).
    run = RosterImport.objects.get()
    assert run.report[0].startswith(f"OneRoster 1.1 bundle {drop / 'oneroster.zip'}: imported"), run.report[0]


def zipped(bundle: Path, archive_path: Path, *, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(archive_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in bundle.iterdir():
            archive.write(path, f"export/{path.name}")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return archive_path


def test_a_zip_holding_the_same_file_twice_is_refused_naming_both(tmp_path: Path, settings: Any) -> None:
    bundle = write_bundle(tmp_path / "export")
    drop = tmp_path / "drop"
    drop.mkdir()
    zipped(bundle, drop / "oneroster.zip", extra={"old/users.csv": (bundle / "users.csv").read_bytes()})
    settings.ROSTER_DROP_DIR = drop
    outcome = roster_import_dropped()
    assert outcome.state == "refused"
    assert "export/users.csv" in outcome.lines[0] and "old/users.csv" in outcome.lines[0]
    assert not Student.objects.exists()


def test_a_zip_is_unpacked_in_a_stream_and_refused_once_it_passes_the_limit(
    tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = write_bundle(tmp_path / "export")
    # 3 MB of zeros in users.csv compress to a few kB: the declared sizes are not what is counted.
    padding = b"\n" * (3 * 1024 * 1024)
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
        out.writestr("users.csv", (bundle / "users.csv").read_bytes() + padding)
    assert archive.stat().st_size < 100_000
    monkeypatch.setattr(scheduled, "MAX_UNPACKED_BYTES", 2 * 1024 * 1024)
    into = tmp_path / "into"
    into.mkdir()
    with pytest.raises(BundleRefused, match="unpacks to more than"):
        _unpack(archive, into)
    # It stopped at the limit: at most one chunk past it was read, and nothing past the limit was written.
    assert (into / "users.csv").stat().st_size <= 2 * 1024 * 1024

    # Through the drop folder: refused, nothing imported.
    drop = tmp_path / "drop"
    drop.mkdir()
    archive.rename(drop / "bomb.zip")
    settings.ROSTER_DROP_DIR = drop
    outcome = roster_import_dropped()
    assert outcome.state == "refused" and "unpacks to more than" in outcome.lines[0]
    assert not Student.objects.exists()


def test_only_the_oneroster_files_of_a_zip_are_written(tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path / "export")
    archive = zipped(
        bundle,
        tmp_path / "oneroster.zip",
        extra={"export/notes.txt": b"x" * 1000, "export/courses.csv": b"sourcedId\n", ".hidden.csv": b"a"},
    )
    into = tmp_path / "into"
    into.mkdir()
    _unpack(archive, into)
    written = sorted(path.name for path in into.iterdir())
    assert written == sorted(path.name for path in bundle.iterdir())
    assert set(written) <= scheduled.ONEROSTER_FILES


def test_the_refusal_email_carries_the_count_and_the_first_fifty_problems(
    tmp_path: Path, settings: Any
) -> None:
    make_user("admin", Role.ADMIN, email="admin@district.example")
    settings.ROSTER_DROP_DIR = tmp_path / "drop"
    # 300 students at a school that is not in orgs.csv: one problem each.
    broken = USERS + "".join(
        f"stu{n},,,true,s9,student,,,No,School{n},,S-{n},,,,,05,\n" for n in range(100, 400)
    )
    write_bundle(settings.ROSTER_DROP_DIR, users_csv=broken)
    outcome = roster_import_dropped()
    assert outcome.state == "refused"
    run = RosterImport.objects.get()
    assert len(run.report) > 300  # the whole report is kept
    body = mail.outbox[0].body
    problem_lines = [line for line in body.splitlines() if line.startswith("  ") and "users.csv" in line]
    assert len(problem_lines) == 50
    assert run.report[0] in body  # the count
    assert f"and {len(run.report) - 51} more lines" in body
    assert len(body) < 20_000


def test_an_empty_drop_folder_does_nothing(tmp_path: Path, settings: Any) -> None:
    settings.ROSTER_DROP_DIR = tmp_path
    assert roster_import_dropped().state == "empty"
    assert not RosterImport.objects.exists()


def test_the_command_leaves_the_import_to_the_task_worker_with_enqueue(tmp_path: Path, settings: Any) -> None:
    settings.ROSTER_DROP_DIR = tmp_path / "drop"
    write_bundle(settings.ROSTER_DROP_DIR)
    call_command("roster", "import-dropped", "--enqueue")  # the tests' task backend runs it at once
    assert RosterImport.objects.get().scheduled
    assert Student.objects.count() == 2
