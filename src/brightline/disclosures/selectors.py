"""Reads of the record of disclosures, filtered by who is asking."""

from __future__ import annotations

from django.db.models import QuerySet

from brightline.accounts.models import Role, User
from brightline.disclosures.models import DisclosureEntry
from brightline.errors import NotAllowed, NotFound
from brightline.roster.models import Student

RECORD_STAFF_ROLES = frozenset(
    {Role.RECORDS_CLERK, Role.SUPERINTENDENT, Role.LEGAL_ADVISOR, Role.AUDITOR, Role.ADMIN}
)


def disclosures_for_staff(*, user: User, sis_id: str) -> QuerySet[DisclosureEntry]:
    """Every entry for a student, sealed ones included: staff and auditors keep the full record."""
    if user.role not in RECORD_STAFF_ROLES:
        raise NotAllowed("only the records office, reviewers and auditors read the record of disclosures")
    if not Student.objects.filter(sis_id=sis_id).exists():
        raise NotFound("no such student")
    return DisclosureEntry.objects.filter(student_sis_id=sis_id).order_by("occurred_at", "id")


def students_of_family(user: User) -> QuerySet[Student]:
    """The students whose records this family member may read: their children with notice rights, or
    themself as an eligible student."""
    if user.role == Role.PARENT:
        return Student.objects.filter(
            guardian_relationships__guardian__user=user, guardian_relationships__has_notice_rights=True
        ).distinct()
    if user.role == Role.ELIGIBLE_STUDENT:
        return Student.objects.filter(user=user)
    return Student.objects.none()


def disclosures_for_family(*, user: User, student: Student) -> QuerySet[DisclosureEntry]:
    """A family's view of one student's record: sealed entries (non-disclosure orders) and entries an
    administrator has not yet released (abuse investigations) are not shown."""
    if not students_of_family(user).filter(pk=student.pk).exists():
        raise NotFound("no such student")
    return DisclosureEntry.objects.filter(student=student, sealed=False, withheld_from_family=False).order_by(
        "-occurred_at", "-id"
    )
