"""Writes for accounts: the staff access log. (Second factor: mfa.py; sign-in throttling: lockout.py.)"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from brightline.accounts.models import StaffAccess, User


@transaction.atomic
def staff_access_record(
    *, user: User, student: Any, what: str, request: HttpRequest | None = None
) -> StaffAccess | None:
    """Log that a member of district staff looked at a student's records.

    `student` is a roster `Student` or its SIS id. Only staff reads are logged: families and requesters
    read only what is theirs, so for them this records nothing and returns None."""
    if not user.is_district_staff:
        return None
    sis_id = student if isinstance(student, str) else student.sis_id
    return StaffAccess.objects.create(
        user=user,
        user_name=(user.get_full_name() or user.get_username())[:300],
        role=user.role,
        student_sis_id=sis_id,
        what=what[:200],
        path=(request.get_full_path() if request is not None else "")[:500],
        at=timezone.now(),
    )


def staff_accesses_record(
    *, user: User, students: Iterable[Any], what: str, request: HttpRequest | None = None
) -> int:
    """Log that a member of district staff was shown these students in a list (a page of requests, the
    review queue, roster search results, match candidates): one row per student, each once, written in
    one statement. `students` are roster `Student`s or SIS ids; None is skipped. Families and requesters
    are not logged (nothing is written, 0 is returned)."""
    if not user.is_district_staff:
        return 0
    sis_ids = dict.fromkeys(
        student if isinstance(student, str) else student.sis_id for student in students if student is not None
    )
    if not sis_ids:
        return 0
    user_name = (user.get_full_name() or user.get_username())[:300]
    path = (request.get_full_path() if request is not None else "")[:500]
    at = timezone.now()
    rows = [
        StaffAccess(
            user=user,
            user_name=user_name,
            role=user.role,
            student_sis_id=sis_id,
            what=what[:200],
            path=path,
            at=at,
        )
        for sis_id in sis_ids
    ]
    StaffAccess.objects.bulk_create(rows)
    return len(rows)
