"""Schools, students, guardians and the district's data inventory.

The roster is the district's own list, loaded from the student information system through OneRoster
(see roster/README.md). Casework matches requests against it; the policy engine reads a student's facts
from `Student.policy_facts()`.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

# Letters that Unicode does not decompose into a base letter plus a mark.
_NAME_FOLDS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "æ": "ae", "œ": "oe", "þ": "th", "ı": "i"}
)

# Massachusetts: a student who is 14 or older, or has entered ninth grade, holds the rights of an
# eligible student alongside the parent (603 CMR 23.02, 23.07).
ELIGIBLE_AGE = 14
ELIGIBLE_GRADE = 9


def name_key(value: str) -> str:
    """The form of a name used for matching: no case, accents, spaces, hyphens or punctuation.

    "José María Núñez-O'Brien" and "jose maria nunez obrien" have the same key.
    """
    folded = unicodedata.normalize("NFKD", value.casefold()).translate(_NAME_FOLDS)
    return "".join(ch for ch in folded if ch.isalnum() and not unicodedata.combining(ch))


def grade_number(grade: str) -> int | None:
    """The numeric grade level of a OneRoster grade code ("09" → 9, "KG" → 0, "PK" → -1), else None."""
    code = grade.strip().upper()
    if code.isdigit():
        return int(code)
    return {"KG": 0, "TK": 0, "PK": -1, "PR": -1, "IT": -2}.get(code)


def language_choices() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]


def category_choices() -> list[tuple[str, str]]:
    from brightline.vocabulary import CATEGORIES

    return [(category, category.replace("_", " ").capitalize()) for category in CATEGORIES]


class RosterStatus(models.TextChoices):
    # OneRoster's own status values: a record the SIS deleted stays here, marked, because requests and
    # disclosures about it must still be answerable.
    ACTIVE = "active", "Active"
    TO_BE_DELETED = "tobedeleted", "Deleted in the SIS"


class School(models.Model):
    """A school of the district (a OneRoster org of type `school`)."""

    sourced_id = models.CharField(max_length=255, unique=True)
    name = models.CharField(max_length=255)
    identifier = models.CharField(max_length=255, blank=True, help_text="State or district school code.")
    address = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=RosterStatus.choices, default=RosterStatus.ACTIVE)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Student(models.Model):
    """A student on the district roster.

    `sis_id` is the student ID people quote (CONTRACTS.md: users.csv `identifier` when filled, else the
    sourcedId). The name keys are kept in step with the names by `save()`; bulk writers must call
    `set_name_keys()` themselves.
    """

    sourced_id = models.CharField(max_length=255, unique=True)
    sis_id = models.CharField("SIS id", max_length=255, unique=True)
    first_name = models.CharField(max_length=150)
    middle_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150)
    first_name_key = models.CharField(max_length=150, editable=False)
    last_name_key = models.CharField(max_length=150, editable=False)
    birth_date = models.DateField(null=True, blank=True, help_text="Empty when the SIS did not send it.")
    grade = models.CharField(max_length=8, blank=True, help_text='OneRoster grade code: "KG", "01" … "12".')
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="students"
    )
    enrolled_on = models.DateField(null=True, blank=True)
    enrollment_ends_on = models.DateField(null=True, blank=True)
    directory_opt_out = models.BooleanField(
        default=False, help_text="The family refused the release of directory information (FERPA 99.37)."
    )
    foster_care = models.BooleanField(default=False)
    missing_child_flag = models.BooleanField(default=False)
    adjudicated = models.BooleanField(default=False, help_text="Already adjudicated by a juvenile court.")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="student_record",
        help_text="The eligible student's own sign-in.",
    )
    status = models.CharField(max_length=16, choices=RosterStatus.choices, default=RosterStatus.ACTIVE)
    guardians: models.ManyToManyField[Guardian, GuardianRelationship] = models.ManyToManyField(
        "Guardian", through="GuardianRelationship", related_name="students", blank=True
    )

    class Meta:
        ordering = ["last_name", "first_name", "sis_id"]
        indexes = [
            models.Index(
                fields=["last_name_key", "first_name_key", "birth_date"], name="student_name_birth_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name} ({self.sis_id})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.set_name_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"first_name", "last_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "first_name_key", "last_name_key"}
        super().save(*args, **kwargs)

    def set_name_keys(self) -> None:
        self.first_name_key = name_key(self.first_name)
        self.last_name_key = name_key(self.last_name)

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def is_eligible_on(self, day: date) -> bool:
        """True when the student holds their own records rights on `day`: 14 or older, or grade 9+."""
        age = self.age_on(day)
        level = grade_number(self.grade)
        return (age is not None and age >= ELIGIBLE_AGE) or (level is not None and level >= ELIGIBLE_GRADE)

    @property
    def is_eligible(self) -> bool:
        return self.is_eligible_on(timezone.localdate())

    def policy_facts(self) -> dict[str, object]:
        """The student facts of DOMAIN.md's case document, exactly those keys."""
        return {
            "student_id": self.sis_id,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "grade": self.grade,
            "directory_opt_out": self.directory_opt_out,
            "missing_child_flag": self.missing_child_flag,
            "foster_care": self.foster_care,
            "adjudicated": self.adjudicated,
        }


class Guardian(models.Model):
    """A parent, guardian or relative who acts for students: receives notices, reads disclosures."""

    sourced_id = models.CharField(max_length=255, unique=True)
    first_name = models.CharField(max_length=150)
    middle_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150)
    preferred_language = models.CharField(max_length=16, choices=language_choices, default="en")
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=64, blank=True)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="guardian_records",
        help_text="The family-portal sign-in of this guardian.",
    )
    status = models.CharField(max_length=16, choices=RosterStatus.choices, default=RosterStatus.ACTIVE)

    class Meta:
        ordering = ["last_name", "first_name", "sourced_id"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def postal_address_lines(self) -> list[str]:
        """The address as it is printed on a letter, empty lines left out."""
        city_line = " ".join(
            part for part in (f"{self.city}," if self.city else "", self.state, self.postal_code) if part
        )
        return [line for line in (self.address_line1, self.address_line2, city_line.strip(" ,")) if line]


class Relationship(models.TextChoices):
    PARENT = "parent", "Parent"
    GUARDIAN = "guardian", "Guardian"
    RELATIVE = "relative", "Relative"


class GuardianRelationship(models.Model):
    """How a guardian stands to one student, and whether they get the family's notices."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="guardian_relationships")
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="relationships")
    relationship = models.CharField(max_length=16, choices=Relationship.choices, default=Relationship.PARENT)
    has_notice_rights = models.BooleanField(
        default=True, help_text="Receives family notices and may read the record of disclosures."
    )
    is_custodial = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "guardian"], name="guardian_relationship_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} — {self.get_relationship_display()} of {self.student}"


class DataField(models.Model):
    """One field of the district's data inventory and the record category it belongs to.

    Release packets contain only inventory fields. The `immigration` category has none, by constraint:
    the district never collects citizenship, immigration status or place of birth.
    """

    category = models.CharField(max_length=40, choices=category_choices)
    field_name = models.CharField(max_length=80)
    label = models.CharField(max_length=150)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["category", "field_name"]
        constraints = [
            models.UniqueConstraint(fields=["category", "field_name"], name="datafield_unique_per_category"),
            models.CheckConstraint(
                condition=~models.Q(category="immigration"), name="datafield_immigration_never_collected"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}.{self.field_name}"


class RosterImport(models.Model):
    """One import of a OneRoster bundle (the command, the demo, or the drop folder on a schedule): when,
    from where, whether it was taken, what changed or every problem that refused it. A refused import
    changed nothing; its report is what the administrator reads to fix the export."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    source = models.CharField(max_length=1000, help_text="The folder or file the bundle was read from.")
    fingerprint = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the bundle's files.")
    scheduled = models.BooleanField(default=False, help_text="Taken from the drop folder by the schedule.")
    succeeded = models.BooleanField()
    report = models.JSONField(default=list, help_text="The summary's lines, or every problem found.")
    students_new = models.PositiveIntegerField(default=0)
    students_changed = models.PositiveIntegerField(default=0)
    guardians_new = models.PositiveIntegerField(default=0)
    guardians_changed = models.PositiveIntegerField(default=0)
    guardians_left = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        outcome = "imported" if self.succeeded else "refused"
        return f"roster {outcome} {self.started_at:%Y-%m-%d %H:%M} from {self.source}"
