from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError

from brightline.roster.models import DataField, Student, name_key
from brightline.vocabulary import CATEGORIES


def student(*, born: date | None, grade: str) -> Student:
    return Student(sourced_id="s", sis_id="S-1", first_name="A", last_name="B", birth_date=born, grade=grade)


@pytest.mark.parametrize(
    ("born", "grade", "on", "eligible"),
    [
        pytest.param(date(2012, 3, 10), "08", date(2026, 3, 9), False, id="13-in-grade-8"),
        pytest.param(date(2012, 3, 10), "08", date(2026, 3, 10), True, id="14th-birthday"),
        pytest.param(date(2013, 1, 1), "09", date(2026, 3, 1), True, id="13-in-grade-9"),
        pytest.param(date(2013, 1, 1), "9", date(2026, 3, 1), True, id="grade-without-leading-zero"),
        pytest.param(None, "12", date(2026, 3, 1), True, id="no-birth-date-grade-12"),
        pytest.param(None, "KG", date(2026, 3, 1), False, id="no-birth-date-kindergarten"),
        pytest.param(None, "", date(2026, 3, 1), False, id="nothing-known"),
        pytest.param(date(2008, 2, 29), "", date(2022, 2, 28), False, id="leap-day-birthday-not-yet"),
        pytest.param(date(2008, 2, 29), "", date(2022, 3, 1), True, id="leap-day-birthday-passed"),
    ],
)
def test_eligible_student_is_14_or_older_or_in_grade_9(
    born: date | None, grade: str, on: date, eligible: bool
) -> None:
    assert student(born=born, grade=grade).is_eligible_on(on) is eligible


def test_policy_facts_are_exactly_the_case_documents_student_facts() -> None:
    pupil = student(born=date(2010, 5, 1), grade="09")
    pupil.directory_opt_out = True

    assert pupil.policy_facts() == {
        "student_id": "S-1",
        "birth_date": "2010-05-01",
        "grade": "09",
        "directory_opt_out": True,
        "missing_child_flag": False,
        "foster_care": False,
        "adjudicated": False,
    }


def test_name_key_ignores_case_accents_spaces_hyphens_and_apostrophes() -> None:
    assert name_key("  Núñez-O'Brien ") == name_key("nunez obrien") == "nunezobrien"
    assert name_key("Đặng Thị Ánh") == "dangthianh"
    assert name_key("Søren Straße") == "sorenstrasse"


@pytest.mark.django_db
def test_saving_a_student_keeps_the_name_keys_in_step() -> None:
    pupil = Student.objects.create(sourced_id="s1", sis_id="S-1", first_name="Zoë", last_name="Le-Blanc")
    pupil.last_name = "Leblanc Dupré"
    pupil.save(update_fields=["last_name"])

    pupil.refresh_from_db()
    assert (pupil.first_name_key, pupil.last_name_key) == ("zoe", "leblancdupre")


@pytest.mark.django_db
def test_default_inventory_covers_every_category_but_immigration() -> None:
    categories = set(DataField.objects.values_list("category", flat=True))

    assert categories == set(CATEGORIES) - {"immigration"}
    assert set(DataField.objects.filter(category="directory").values_list("field_name", flat=True)) >= {
        "first_name",
        "last_name",
        "grade",
        "age",
        "enrolled_on",
    }


@pytest.mark.django_db
def test_no_field_can_ever_be_added_to_the_immigration_category() -> None:
    with pytest.raises(IntegrityError):
        DataField.objects.create(
            category="immigration", field_name="country_of_birth", label="Country of birth"
        )
