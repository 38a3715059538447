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
    # The pages' language the person chose with the chooser; empty: the browser's (Accept-Language).
    preferred_language = models.CharField(max_length=16, default="", blank=True)

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


# Roles that must prove a second factor before they see anything: they act on students' records.
MFA_ROLES = frozenset(STAFF_ROLES | {Role.REQUESTER})


class MfaDevice(models.Model):
    """A person's TOTP authenticator. The secret is needed in clear to check codes, so it is stored as is;
    it is shown once at enrolment and never again."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="mfa_device")
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last 30-second step accepted: a code is good once, so a code seen over a shoulder is spent.
    last_step = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"authenticator of {self.user}"


class SignInFailure(models.Model):
    """One failed sign-in (password or second factor), counted in the database so that every server
    process sees the same count."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(db_index=True)
    stage = models.CharField(max_length=16, default="password")

    def __str__(self) -> str:
        return f"{self.username} from {self.ip} at {self.at:%Y-%m-%d %H:%M}"


class StaffAccess(models.Model):
    """One look by district staff at a student's records: who, when, what. The names are copied so the
    log survives the deletion of the account or the student."""

    user = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    user_name = models.CharField(max_length=300)
    role = models.CharField(max_length=32)
    student_sis_id = models.CharField(max_length=255, db_index=True)
    what = models.CharField(max_length=200)
    path = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "staff accesses"

    def __str__(self) -> str:
        return f"{self.user_name} viewed {self.what} of {self.student_sis_id}"


class OidcIdentity(models.Model):
    """The district identity provider's account behind a staff sign-in: its issuer and subject (`iss`,
    `sub`), the only thing a sign-in through the provider is matched by (never the e-mail address).
    Created only with the staff account it signs in; a password, requester or family account never
    gets one."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="oidc_identity")
    issuer = models.CharField(max_length=500)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)
    # The provider's groups gave no role at the last sign-in: the account was made inactive by that, and
    # is made active again when a group gives a role (an account an administrator stopped stays stopped).
    stopped_by_groups = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="oidc_identity_issuer_subject_unique")
        ]
        verbose_name_plural = "identity provider accounts"

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"


class OidcGroupRole(models.Model):
    """One row of the table the administrator edits: members of this group at the district's identity
    provider (its `groups` claim) sign in with this staff role. Each change is a ledger entry
    (`account.sso_group_role_changed`)."""

    group = models.CharField(
        max_length=255, unique=True, help_text="The group's name as the provider sends it."
    )
    role = models.CharField(
        max_length=32, choices=[(role.value, role.label) for role in Role if role in STAFF_ROLES]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["group"]
        verbose_name = "group → role at sign-in"
        verbose_name_plural = "groups → roles at sign-in"

    def __str__(self) -> str:
        return f"{self.group} → {self.get_role_display()}"
