"""People who sign in, and the role each holds in the district's process."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    RECORDS_CLERK = "records_clerk", "Records clerk"
    SUPERINTENDENT = "superintendent", "Superintendent"
    LEGAL_ADVISOR = "legal_advisor", "Legal advisor"
    PRINCIPAL = "principal", "School principal"
    SCHOOL_STAFF = "school_staff", "School staff"
    AUDITOR = "auditor", "Auditor"
    ADMIN = "admin", "Administrator"
    REQUESTER = "requester", "Requester (agency staff)"
    PARENT = "parent", "Parent or guardian"
    ELIGIBLE_STUDENT = "eligible_student", "Eligible student"


STAFF_ROLES = frozenset(
    {
        Role.RECORDS_CLERK,
        Role.SUPERINTENDENT,
        Role.LEGAL_ADVISOR,
        Role.PRINCIPAL,
        Role.SCHOOL_STAFF,
        Role.AUDITOR,
        Role.ADMIN,
    }
)
REVIEWER_ROLES = frozenset({Role.SUPERINTENDENT, Role.LEGAL_ADVISOR})
FAMILY_ROLES = frozenset({Role.PARENT, Role.ELIGIBLE_STUDENT})


class User(AbstractUser):
    """A person with a sign-in. The role decides what they may see and do; see accounts/README.md."""

    role = models.CharField(max_length=32, choices=Role.choices)
    position = models.CharField(max_length=120, blank=True, help_text="Job title, recorded on disclosures.")
    preferred_language = models.CharField(max_length=16, default="en")

    @property
    def is_district_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_reviewer(self) -> bool:
        return self.role in REVIEWER_ROLES

    @property
    def is_family(self) -> bool:
        return self.role in FAMILY_ROLES

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username
