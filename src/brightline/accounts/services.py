"""Writes for accounts: the staff access log. (Second factor: mfa.py; sign-in throttling: lockout.py.)"""

from __future__ import annotations

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
