"""Reads of the roster.

These do not check who is asking: they serve casework, disclosures and notices, which decide first
whether the person may see the result (see roster/README.md, "Who may call what").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Q, QuerySet

from brightline.accounts.models import User
from brightline.roster.models import DataField, Guardian, Student, name_key


def students_matching(
    *,
    student_id: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    birth_date: date | None = None,
) -> list[Student]:
    """The students a request names, by SIS id exactly or by name and birth date.

    Names compare without regard to case, accents, spaces, hyphens or punctuation; the birth date must be
    equal. Returns every match: the caller treats zero or several as "the records office must look",
    never as a guess. A student ID wins over names when both are given. Raises ValueError when neither
    an ID nor all of first name, last name and birth date are given.
    """
    students = Student.objects.select_related("school")
    if student_id is not None and student_id.strip():
        return list(students.filter(sis_id=student_id.strip()))  # unique: no order needed
    else:
        missing = [
            name
            for name, value in (
                ("first_name", first_name),
                ("last_name", last_name),
                ("birth_date", birth_date),
            )
            if value is None or (isinstance(value, str) and not name_key(value))
        ]
        if missing:
            raise ValueError(
                f"a student is named by student_id, or by first_name, last_name and birth_date; missing: {', '.join(missing)}"
            )
        return list(
            students.filter(
                first_name_key=name_key(first_name or ""),
                last_name_key=name_key(last_name or ""),
                birth_date=birth_date,
            ).order_by("sis_id")
        )


def guardians_with_notice_rights(student: Student) -> list[Guardian]:
    """The guardians who receive this student's family notices, in their own language."""
    return list(
        Guardian.objects.filter(relationships__student=student, relationships__has_notice_rights=True)
        .order_by("last_name", "first_name", "pk")
        .distinct()
    )


def students_for_family_user(user: User) -> QuerySet[Student]:
    """The students whose records this family sign-in may see: the eligible student themself, or the
    students of whom the user is a guardian with notice rights."""
    return (
        Student.objects.filter(
            Q(user=user)
            | Q(guardian_relationships__guardian__user=user, guardian_relationships__has_notice_rights=True)
        )
        .select_related("school")
        .distinct()
    )


def inventory_fields(category: str) -> list[str]:
    """The names of one record category's fields in the district's data inventory, in name order (none
    for `immigration`). Read from the database every time: an administrator's change is seen at once by
    every process."""
    return list(
        DataField.objects.filter(category=category)
        .order_by("field_name")
        .values_list("field_name", flat=True)
    )


def inventory_by_category(categories: Iterable[str] | None = None) -> dict[str, list[DataField]]:
    """The district's inventory fields by record category, in name order, in one query: of these
    categories only (each of them a key, empty when it has no field), or of every category."""
    queryset = DataField.objects.order_by("category", "field_name")
    inventory: dict[str, list[DataField]] = {}
    if categories is not None:
        inventory = {category: [] for category in categories}
        queryset = queryset.filter(category__in=list(inventory))
    for data_field in queryset:
        inventory.setdefault(data_field.category, []).append(data_field)
    return inventory
