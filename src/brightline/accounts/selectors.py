"""Reads for accounts that depend on who asks: the staff access log is for auditors."""

from __future__ import annotations

from django.db.models import QuerySet

from brightline.accounts.models import Role, StaffAccess, User
from brightline.errors import NotAllowed

ACCESS_LOG_ROLES = frozenset({Role.AUDITOR, Role.ADMIN})


def staff_accesses_visible_to(*, user: User, student_sis_id: str | None = None) -> QuerySet[StaffAccess]:
    """Every look by staff at students' records, newest first; only auditors (and administrators) see it."""
    if user.role not in ACCESS_LOG_ROLES:
        raise NotAllowed("only auditors read the staff access log")
    found = StaffAccess.objects.all()
    if student_sis_id:
        found = found.filter(student_sis_id=student_sis_id)
    return found.order_by("-at", "-id")
