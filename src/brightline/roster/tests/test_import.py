from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from brightline.roster.models import Guardian, GuardianRelationship, School, Student
from brightline.roster.services import RosterImportError, roster_import
from brightline.roster.tests.bundles import (
    BIRTH_CITY,
    DEMOGRAPHICS,
    DEMOGRAPHICS_HEADER,
    ENROLLMENTS,
    EXTENSION,
    ORGS,
    RESIDENCE_STATUS,
    USERS,
    USERS_HEADER,
    shared_bundle,
    write_bundle,
)

pytestmark = pytest.mark.django_db


def roster_snapshot() -> dict[str, list[dict[str, Any]]]:
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (School, Student, Guardian, GuardianRelationship)
    }


# ------------------------------------------------------------------ the two shared sample bundles


def test_classlink_sample_bundle_imports_with_its_quirks() -> None:
    summary = roster_import(directory=shared_bundle("classlink-demo-v1p1"))

    assert summary.version == "1.1"
    assert School.objects.count() == 3  # the district org is not a school
    assert Student.objects.count() == 140
    assert summary.skipped_users["teacher"] == 40
    billy = Student.objects.get(sourced_id="18125")
    # CONTRACTS.md: the SIS id is users.csv `identifier` when it is filled.
    assert (billy.sis_id, billy.first_name, billy.last_name, billy.grade) == (
        "17580",
        "BILLY",
        "FLORES",
        "11",
    )
    assert billy.school is not None and billy.school.name == "ClassLink HS"
    assert billy.birth_date is None  # demographics.csv has a header and no rows
    assert billy.enrolled_on == date(2018, 9, 5)
    assert Student.objects.filter(grade="").count() == 1  # one student has no grade in the export


def test_edfi_sample_bundle_imports_with_its_quirks() -> None:
    summary = roster_import(directory=shared_bundle("edfi-lms-toolkit-v1p1"))

    assert School.objects.get().name == "Grand Bend High School"
    assert Student.objects.count() == 8
    assert summary.skipped_users["teacher"] == 2  # teacher rows end with a stray comma
    mary = Student.objects.get(sourced_id="604863")
    # `identifier` is empty in this bundle: the sourcedId is the SIS id.
    assert (mary.sis_id, mary.grade, mary.birth_date) == ("604863", "09", date(1997, 5, 30))
    assert summary.immigration_columns_dropped == [
        "countryOfBirthCode",
        "stateOfBirthAbbreviation",
        "cityOfBirth",
        "publicSchoolResidenceStatus",
    ]


def test_reimporting_a_shared_bundle_changes_nothing() -> None:
    bundle = shared_bundle("classlink-demo-v1p1")
    roster_import(directory=bundle)
    before = roster_snapshot()

    again = roster_import(directory=bundle)

    assert roster_snapshot() == before
    assert (again.students.created, again.students.updated, again.students.unchanged) == (0, 0, 140)
    assert (again.schools.created, again.schools.updated) == (0, 0)


# ------------------------------------------------------------------ what the import stores


def test_students_guardians_and_their_links_come_from_agent_sourced_ids(tmp_path: Path) -> None:
    summary = roster_import(directory=write_bundle(tmp_path))

    jose = Student.objects.get(sis_id="S-1001")
    assert (jose.first_name, jose.middle_name, jose.last_name) == ("José", "Luis", "Núñez-García")
    assert (jose.birth_date, jose.grade, jose.school.name if jose.school else None) == (
        date(2011, 4, 2),
        "10",
        "Lincoln High",
    )
    zoe = Student.objects.get(sis_id="S-1002")
    assert sorted(g.sourced_id for g in zoe.guardians.all()) == ["par1", "par2"]
    assert (
        GuardianRelationship.objects.get(student=zoe, guardian__sourced_id="par2").relationship == "guardian"
    )
    assert Guardian.objects.get(sourced_id="par1").email == "maria@example.org"
    assert (summary.guardians.created, summary.relationships.created) == (2, 3)
    assert not Student.objects.filter(sourced_id="t1").exists()


def test_extension_file_sets_flags_language_and_notice_rights(tmp_path: Path) -> None:
    roster_import(directory=write_bundle(tmp_path))

    jose, zoe = Student.objects.get(sis_id="S-1001"), Student.objects.get(sis_id="S-1002")
    assert jose.directory_opt_out and not jose.foster_care
    assert zoe.foster_care and not zoe.directory_opt_out
    assert Guardian.objects.get(sourced_id="par1").preferred_language == "es"
    assert Guardian.objects.get(sourced_id="par2").preferred_language == "en"
    link = GuardianRelationship.objects.get(student=zoe, guardian__sourced_id="par2")
    assert (link.has_notice_rights, link.is_custodial) == (False, False)
    assert GuardianRelationship.objects.get(student=zoe, guardian__sourced_id="par1").has_notice_rights


def test_flags_set_in_the_admin_survive_a_reimport_without_extension(tmp_path: Path) -> None:
    roster_import(directory=write_bundle(tmp_path / "first"))
    Student.objects.filter(sis_id="S-1002").update(missing_child_flag=True)

    roster_import(directory=write_bundle(tmp_path / "second", brightline_extension_csv=None))

    zoe = Student.objects.get(sis_id="S-1002")
    assert zoe.missing_child_flag and zoe.foster_care


def test_reimport_updates_changed_rows_and_leaves_the_rest(tmp_path: Path) -> None:
    roster_import(directory=write_bundle(tmp_path / "first"))
    renamed = USERS.replace("Zoë,O'Brien", "Zoë,O'Brien-Walsh")

    summary = roster_import(directory=write_bundle(tmp_path / "second", users_csv=renamed))

    assert (summary.students.created, summary.students.updated, summary.students.unchanged) == (0, 1, 1)
    assert summary.relationships.created == 0
    zoe = Student.objects.get(sis_id="S-1002")
    assert (zoe.last_name, zoe.last_name_key) == ("O'Brien-Walsh", "obrienwalsh")
    assert Student.objects.count() == 2 and GuardianRelationship.objects.count() == 3


def test_student_ids_swapped_by_the_sis_are_imported(tmp_path: Path) -> None:
    roster_import(directory=write_bundle(tmp_path / "first"))
    swapped = USERS.replace("S-1001", "S-TEMP").replace("S-1002", "S-1001").replace("S-TEMP", "S-1002")

    roster_import(directory=write_bundle(tmp_path / "second", users_csv=swapped))

    assert Student.objects.get(sourced_id="stu1").sis_id == "S-1002"
    assert Student.objects.get(sourced_id="stu2").sis_id == "S-1001"


def test_oneroster_12_bundle_takes_roles_from_roles_csv(tmp_path: Path) -> None:
    users = (
        "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,"
        "email,sms,phone,agentSourcedIds,grades,password,primaryOrgSourcedId\n"
        "stu1,,,true,,,José,Núñez-García,,S-1001,,,,par1,10,,s2\n"
        "par1,,,true,,,Maria,Núñez,,,,,,stu1,,,\n"
    )
    roles = (
        "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId\n"
        "r1,,,stu1,primary,student,,,s2,\n"
        "r2,,,par1,primary,parent,,,s1,\n"
    )
    manifest = "propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\nfile.roles,bulk\n"
    directory = write_bundle(
        tmp_path,
        manifest_csv=manifest,
        users_csv=users,
        roles_csv=roles,
        enrollments_csv=None,
        demographics_csv=None,
        brightline_extension_csv=None,
    )

    summary = roster_import(directory=directory)

    assert summary.version == "1.2"
    jose = Student.objects.get(sis_id="S-1001")
    assert jose.school is not None and jose.school.sourced_id == "s2"
    assert [g.sourced_id for g in jose.guardians.all()] == ["par1"]


# ------------------------------------------------------------------ immigration data is never kept


def test_immigration_columns_are_dropped_and_the_summary_says_so(tmp_path: Path) -> None:
    summary = roster_import(directory=write_bundle(tmp_path))

    assert summary.immigration_columns_dropped == [
        "countryOfBirthCode",
        "stateOfBirthAbbreviation",
        "cityOfBirth",
        "publicSchoolResidenceStatus",
    ]
    assert summary.immigration_values_dropped == 4
    assert any("immigration-related columns dropped, never stored" in line for line in summary.lines())
    # Nothing anywhere in the database holds the place of birth or the residence status.
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row)
                assert BIRTH_CITY not in text and RESIDENCE_STATUS not in text, table
    stored = {field.name for field in Student._meta.get_fields()}
    assert not stored & {
        "country_of_birth",
        "city_of_birth",
        "state_of_birth",
        "residence_status",
        "citizenship",
    }


# ------------------------------------------------------------------ bad bundles: a report, and no change

BAD_DATE = DEMOGRAPHICS.replace("2016-11-30", "2016-02-30")
DUPLICATE_USER = USERS + "stu1,,,true,s2,student,,,Josefa,Núñez,,S-1009,,,,,11,\n"
UNKNOWN_ORG = ENROLLMENTS.replace("e2,,,c2,s1,stu2", "e2,,,c2,s9,stu2")
UNKNOWN_USER = ENROLLMENTS.replace("e2,,,c2,s1,stu2", "e2,,,c2,s1,ghost")
MISSING_COLUMN = USERS.replace(",familyName,", ",surname,", 1)
NOT_UTF8 = USERS.encode("latin-1", errors="replace")


@pytest.mark.parametrize(
    ("replace", "where"),
    [
        pytest.param({"users_csv": MISSING_COLUMN}, ("users.csv", 1, "familyName"), id="missing-column"),
        pytest.param({"demographics_csv": BAD_DATE}, ("demographics.csv", 3, "birthDate"), id="bad-date"),
        pytest.param({"users_csv": DUPLICATE_USER}, ("users.csv", 7, "sourcedId"), id="duplicate-sourcedid"),
        pytest.param(
            {"enrollments_csv": UNKNOWN_ORG}, ("enrollments.csv", 3, "schoolSourcedId"), id="unknown-org"
        ),
        pytest.param(
            {"enrollments_csv": UNKNOWN_USER}, ("enrollments.csv", 3, "userSourcedId"), id="unknown-user"
        ),
        pytest.param({"users_csv": NOT_UTF8}, ("users.csv", 2, "givenName"), id="not-utf8"),
        pytest.param(
            {"brightline_extension_csv": EXTENSION.replace("par1,,,,,,es", "par1,,,,,,klingon")},
            ("brightline_extension.csv", 4, "preferredLanguage"),
            id="unknown-language",
        ),
        pytest.param(
            {"brightline_extension_csv": EXTENSION.replace("stu1,,true", "stu1,,yes please")},
            ("brightline_extension.csv", 2, "directoryOptOut"),
            id="extension-bad-boolean",
        ),
        pytest.param(
            {"brightline_extension_csv": EXTENSION.replace("directoryOptOut", "directoryOptout")},
            ("brightline_extension.csv", 1, "directoryOptout"),
            id="extension-misspelled-column",
        ),
        pytest.param(
            {"users_csv": USERS.replace('"par1,par2"', '"par1,par7"')},
            ("users.csv", 3, "agentSourcedIds"),
            id="unknown-agent",
        ),
    ],
)
def test_bad_bundle_is_refused_with_file_line_and_field_and_nothing_changes(
    tmp_path: Path, replace: dict[str, str | bytes], where: tuple[str, int, str]
) -> None:
    roster_import(directory=write_bundle(tmp_path / "good"))
    before = roster_snapshot()
    # Valid changes ride along with the bad row: none of them may be saved.
    renamed_school = ORGS.replace("Adams Elementary", "Adams Elementary (renamed)")
    bad = write_bundle(tmp_path / "bad", orgs_csv=renamed_school, **replace)

    with pytest.raises(RosterImportError) as refused:
        roster_import(directory=bad)

    assert where in [(p.file, p.line, p.field) for p in refused.value.problems], refused.value.report()
    assert roster_snapshot() == before


def test_not_utf8_report_says_how_to_fix_it(tmp_path: Path) -> None:
    with pytest.raises(RosterImportError) as refused:
        roster_import(directory=write_bundle(tmp_path, users_csv=NOT_UTF8))

    (problem,) = [p for p in refused.value.problems if p.file == "users.csv"]
    assert "not UTF-8" in problem.message and "0xe9" in problem.message


def test_student_id_of_a_student_outside_the_bundle_cannot_be_taken(tmp_path: Path) -> None:
    roster_import(directory=write_bundle(tmp_path / "first"))
    other = USERS_HEADER + "stu9,,,true,s1,student,,,Kim,Lee,,S-1001,,,,,05,\n"
    before = roster_snapshot()

    with pytest.raises(RosterImportError) as refused:
        roster_import(
            directory=write_bundle(
                tmp_path / "second",
                users_csv=other,
                enrollments_csv=ENROLLMENTS.splitlines()[0] + "\n",
                demographics_csv=DEMOGRAPHICS_HEADER,
                brightline_extension_csv=None,
            )
        )

    assert [(p.file, p.line, p.field) for p in refused.value.problems] == [("users.csv", 2, "identifier")]
    assert roster_snapshot() == before


def test_dry_run_reports_the_changes_and_saves_nothing(tmp_path: Path) -> None:
    summary = roster_import(directory=write_bundle(tmp_path), dry_run=True)

    assert summary.students.created == 2 and summary.dry_run
    assert not Student.objects.exists() and not School.objects.exists()


# ------------------------------------------------------------------ the command


def test_roster_import_command_prints_the_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("roster", "import", str(write_bundle(tmp_path)))

    out = capsys.readouterr().out
    assert "students: 2 created" in out
    assert "immigration-related columns dropped, never stored" in out


def test_roster_import_command_exits_2_with_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(CommandError) as failed:
        call_command("roster", "import", str(write_bundle(tmp_path, demographics_csv=BAD_DATE)))

    assert failed.value.returncode == 2
    assert "demographics.csv, line 3, birthDate: '2016-02-30' is not a date" in capsys.readouterr().err
    assert not Student.objects.exists()
