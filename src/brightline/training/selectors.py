"""Reads for training: who must train on what, and the check every decision and release makes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from brightline.accounts.models import Role, User
from brightline.errors import NotAllowed, NotFound
from brightline.policy.models import Version, VersionStatus
from brightline.policy.stored import version_in_effect_at
from brightline.training.models import TrainingCompletion, TrainingModule

# Who acts and so must be trained: the records office releases, reviewers decide, principals and school
# staff record incidents and disclosures made after the fact.
ACTING_ROLES = frozenset(
    {
        Role.RECORDS_CLERK,
        Role.ADMIN,
        Role.SUPERINTENDENT,
        Role.LEGAL_ADVISOR,
        Role.PRINCIPAL,
        Role.SCHOOL_STAFF,
    }
)
# Who sees who is trained: the district's roster for the records office, the superintendent and the
# auditor; a principal sees the roster of their own school(s) only.
TRAINING_REPORT_ROLES = frozenset(
    {Role.RECORDS_CLERK, Role.ADMIN, Role.SUPERINTENDENT, Role.AUDITOR, Role.PRINCIPAL}
)


class NotTrained(NotAllowed):
    """The person has not completed the training of the policy version in effect: the message says which
    training, what it stops and where to take it (pages show it above the form)."""


def effective_version() -> Version | None:
    return version_in_effect_at(timezone.now())


def valid_completions(version: Version) -> QuerySet[TrainingCompletion]:
    """Completions of the version's modules that count: made on the text the version has now. Training on
    a draft whose rules changed since does not count (the text is fixed once the draft opens for comment).
    """
    return TrainingCompletion.objects.filter(module__version=version, policy_sha256=version.sha256)


def _modules_missing(user: User, version: Version) -> list[TrainingModule]:
    done = valid_completions(version).filter(user=user).values_list("module_id", flat=True)
    return list(TrainingModule.objects.filter(version=version).exclude(pk__in=list(done)))


def require_trained(user: User, *, acting: str = "deciding or releasing records") -> None:
    """Raise NotAllowed unless `user` completed the training of the policy version in effect; the message
    names the training, what it stops (`acting`) and where to take it."""
    version = effective_version()
    link = reverse("training:index")
    if version is None:
        raise NotTrained(f"No policy version is in effect, so nobody can be trained on it; see {link}")
    has_modules = TrainingModule.objects.filter(version=version).exists()
    if not has_modules or _modules_missing(user, version):
        raise NotTrained(
            f"Complete the training on policy version {version.label} before {acting}: the district's "
            f"rules require it of everyone who acts on students' records. Take it at {link}"
        )


def is_trained(user: User) -> bool:
    try:
        require_trained(user)
    except NotAllowed:
        return False
    return True


@dataclass(frozen=True)
class ModuleStatus:
    module: TrainingModule
    completion: TrainingCompletion | None
    in_effect: bool  # a module of the version in effect (else of one adopted or about to take effect)


def training_for(user: User) -> list[ModuleStatus]:
    """The modules a member of staff should complete: the version in effect's and those of versions
    adopted or scheduled to take effect, so people can train before the switch."""
    if not user.is_authenticated or user.role not in ACTING_ROLES | {
        Role.PRINCIPAL,
        Role.SCHOOL_STAFF,
        Role.AUDITOR,
    }:
        raise NotAllowed("training is for district staff")
    current = effective_version()
    now = timezone.now()
    upcoming = Q(version__status=VersionStatus.ADOPTED) | Q(
        version__status=VersionStatus.EFFECTIVE, version__effective_from__gt=now
    )
    if current is not None:
        upcoming |= Q(version=current)
    modules = (
        TrainingModule.objects.filter(upcoming).select_related("version").order_by("version__number", "pk")
    )
    done = {c.module_id: c for c in TrainingCompletion.objects.filter(user=user, module__in=modules)}
    return [
        ModuleStatus(
            module=module,
            completion=done[module.pk]
            if module.pk in done and done[module.pk].policy_sha256 == module.version.sha256
            else None,
            in_effect=current is not None and module.version_id == current.pk,
        )
        for module in modules
    ]


def training_module_get(user: User, module_id: int) -> TrainingModule:
    for status in training_for(user):
        if status.module.pk == module_id:
            return status.module
    raise NotFound("no such training module")


@dataclass(frozen=True)
class StaffTraining:
    user: User
    trained: bool
    completed_at: Any
    schools: tuple[str, ...]  # the schools a principal or school staff member works at


DISTRICT_OFFICE = "District office"


@dataclass(frozen=True)
class SchoolRoster:
    school: str  # a school's name, or DISTRICT_OFFICE for staff not assigned to a school
    rows: list[StaffTraining]

    @property
    def untrained(self) -> int:
        return sum(not row.trained for row in self.rows)


def staff_training(user: User) -> tuple[Version | None, list[StaffTraining]]:
    """Everyone who acts, and whether they completed the version in effect's training."""
    if not user.is_authenticated or user.role not in TRAINING_REPORT_ROLES:
        raise NotAllowed("the records office sees who is trained")
    version = effective_version()
    people = list(
        User.objects.filter(role__in=ACTING_ROLES, is_active=True).order_by(
            "last_name", "first_name", "username"
        )
    )
    # The schools through the assignment incidents keeps (StaffSchool), by its relation's name.
    schools: dict[int, list[str]] = {}
    for person_id, school in (
        User.objects.filter(pk__in=[p.pk for p in people], incident_schools__isnull=False)
        .order_by("incident_schools__school__name")
        .values_list("pk", "incident_schools__school__name")
    ):
        schools.setdefault(person_id, []).append(school)
    if version is None:
        return None, [StaffTraining(p, False, None, tuple(schools.get(p.pk, []))) for p in people]
    modules = set(TrainingModule.objects.filter(version=version).values_list("pk", flat=True))
    completions: dict[int, list[TrainingCompletion]] = {}
    for completion in valid_completions(version).filter(user__in=people):
        completions.setdefault(completion.user_id or 0, []).append(completion)
    rows = []
    for person in people:
        own = completions.get(person.pk, [])
        trained = bool(modules) and {c.module_id for c in own} >= modules
        rows.append(
            StaffTraining(
                person,
                trained,
                max((c.completed_at for c in own), default=None) if trained else None,
                tuple(schools.get(person.pk, [])),
            )
        )
    return version, rows


def staff_training_schools(user: User) -> list[str]:
    """The names of the schools a principal is assigned to (incidents' StaffSchool)."""
    return list(
        User.objects.filter(pk=user.pk, incident_schools__isnull=False).values_list(
            "incident_schools__school__name", flat=True
        )
    )


def staff_training_by_school(user: User) -> tuple[Version | None, list[SchoolRoster]]:
    """The roster per school: each school's principals and staff, then the district office (everyone
    assigned to no school), each with who has and who has not trained on the version in effect."""
    version, rows = staff_training(user)
    # A principal's own schools, by name as the rows carry them; everyone else sees the district.
    own = set(staff_training_schools(user)) if user.role == Role.PRINCIPAL else None
    by_school: dict[str, list[StaffTraining]] = {}
    for row in rows:
        for school in row.schools or (DISTRICT_OFFICE,):
            if own is None or school in own:
                by_school.setdefault(school, []).append(row)
    names = sorted(name for name in by_school if name != DISTRICT_OFFICE)
    if DISTRICT_OFFICE in by_school:
        names.append(DISTRICT_OFFICE)
    return version, [SchoolRoster(name, by_school[name]) for name in names]
