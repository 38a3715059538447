from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from brightline.accounts.models import Role, User
from brightline.roster.models import Guardian, GuardianRelationship, Student
from brightline.roster.selectors import (
    guardians_with_notice_rights,
    students_for_family_user,
    students_matching,
)
from brightline.roster.services import roster_import
from brightline.roster.tests.bundles import write_bundle

pytestmark = pytest.mark.django_db

JOSE_BORN = date(2011, 4, 2)


@pytest.fixture
def roster(tmp_path: Path) -> None:
    roster_import(directory=write_bundle(tmp_path))


def test_student_is_found_by_sis_id_exactly(roster: None) -> None:
    assert [s.sourced_id for s in students_matching(student_id="S-1001")] == ["stu1"]
    assert students_matching(student_id="s-1001") == []
    assert students_matching(student_id="S-100") == []


def test_a_matched_student_comes_with_its_school_in_one_query(
    roster: None, django_assert_num_queries: Any
) -> None:
    Student.objects.filter(sis_id="S-1002").update(school=None)
    with django_assert_num_queries(2):
        (with_school,) = students_matching(student_id="S-1001")
        (without,) = students_matching(student_id=" S-1002 ")
        assert with_school.school is not None and with_school.school.name
        assert without.school is None


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("José", "Núñez-García"),
        ("jose", "nunez garcia"),
        ("  JOSÉ ", "NUNEZGARCIA"),
        ("Jose\u0301", "Nu\u0301n\u0303ez - Garci\u0301a"),  # decomposed accents
    ],
)
def test_student_is_found_by_name_and_birth_date_whatever_the_case_accents_spaces_and_hyphens(
    roster: None, first: str, last: str
) -> None:
    found = students_matching(first_name=first, last_name=last, birth_date=JOSE_BORN)

    assert [s.sis_id for s in found] == ["S-1001"]


def test_name_match_needs_the_same_birth_date(roster: None) -> None:
    assert students_matching(first_name="José", last_name="Núñez-García", birth_date=date(2011, 4, 3)) == []


def test_two_students_with_the_same_name_and_birth_date_are_both_returned(roster: None) -> None:
    Student.objects.create(
        sourced_id="stu-other",
        sis_id="S-2001",
        first_name="Jose",
        last_name="Nunez Garcia",
        birth_date=JOSE_BORN,
    )

    found = students_matching(first_name="josé", last_name="núñez-garcía", birth_date=JOSE_BORN)

    assert sorted(s.sis_id for s in found) == ["S-1001", "S-2001"]


def test_a_student_named_without_id_or_full_name_and_birth_date_is_an_error(roster: None) -> None:
    with pytest.raises(ValueError, match="birth_date"):
        students_matching(first_name="José", last_name="Núñez-García")
    with pytest.raises(ValueError, match="first_name"):
        students_matching(first_name=" - ", last_name="Núñez-García", birth_date=JOSE_BORN)


def test_guardians_with_notice_rights_leave_out_those_without(roster: None) -> None:
    zoe = Student.objects.get(sis_id="S-1002")

    assert [g.sourced_id for g in guardians_with_notice_rights(zoe)] == ["par1"]
    GuardianRelationship.objects.filter(student=zoe, guardian__sourced_id="par2").update(
        has_notice_rights=True
    )
    assert sorted(g.sourced_id for g in guardians_with_notice_rights(zoe)) == ["par1", "par2"]


def test_family_user_sees_their_children_and_an_eligible_student_sees_themself(roster: None) -> None:
    parent = User.objects.create_user("maria", role=Role.PARENT)
    Guardian.objects.filter(sourced_id="par1").update(user=parent)
    without_rights = User.objects.create_user("ahmed", role=Role.PARENT)
    Guardian.objects.filter(sourced_id="par2").update(user=without_rights)
    student_user = User.objects.create_user("jose", role=Role.ELIGIBLE_STUDENT)
    Student.objects.filter(sis_id="S-1001").update(user=student_user)

    assert sorted(s.sis_id for s in students_for_family_user(parent)) == ["S-1001", "S-1002"]
    assert list(students_for_family_user(without_rights)) == []
    assert [s.sis_id for s in students_for_family_user(student_user)] == ["S-1001"]
