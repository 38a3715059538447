"""Reads for training: who must train on what, and the check every decision and release makes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from brightline.accounts.models import Role, User
from brightline.errors import NotAllowed, NotFound
from brightline.policy.models import Version, VersionStatus
from brightline.policy.stored import version_in_effect_at
from brightline.training.models import TrainingCompletion, TrainingModule

# Who acts on requests and so must be trained: the records office releases, reviewers decide.
ACTING_ROLES = frozenset({Role.RECORDS_CLERK, Role.ADMIN, Role.SUPERINTENDENT, Role.LEGAL_ADVISOR})
# Who sees who is trained.
TRAINING_REPORT_ROLES = frozenset({Role.RECORDS_CLERK, Role.ADMIN, Role.SUPERINTENDENT, Role.AUDITOR})


def effective_version() -> Version | None:
    return version_in_effect_at(timezone.now())


def _modules_missing(user: User, version: Version) -> list[TrainingModule]:
    done = TrainingCompletion.objects.filter(user=user, module__version=version).values_list(
        "module_id", flat=True
    )
    return list(TrainingModule.objects.filter(version=version).exclude(pk__in=list(done)))


def require_trained(user: User) -> None:
    """Raise NotAllowed unless `user` completed the training of the policy version in effect."""
    version = effective_version()
    link = reverse("training:index")
    if version is None:
        raise NotAllowed(f"no policy version is in effect, so nobody can be trained on it; see {link}")
    has_modules = TrainingModule.objects.filter(version=version).exists()
    if not has_modules or _modules_missing(user, version):
        raise NotAllowed(
            f"complete the training for policy version {version.label} before deciding or releasing "
            f"records: {link}"
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
            completion=done.get(module.pk),
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


def staff_training(user: User) -> tuple[Version | None, list[StaffTraining]]:
    """Everyone who acts on requests, and whether they completed the version in effect's training."""
    if not user.is_authenticated or user.role not in TRAINING_REPORT_ROLES:
        raise NotAllowed("the records office sees who is trained")
    version = effective_version()
    people = list(
        User.objects.filter(role__in=ACTING_ROLES, is_active=True).order_by(
            "last_name", "first_name", "username"
        )
    )
    if version is None:
        return None, [StaffTraining(person, False, None) for person in people]
    modules = set(TrainingModule.objects.filter(version=version).values_list("pk", flat=True))
    completions: dict[int, list[TrainingCompletion]] = {}
    for completion in TrainingCompletion.objects.filter(module__version=version, user__in=people):
        completions.setdefault(completion.user_id or 0, []).append(completion)
    rows = []
    for person in people:
        own = completions.get(person.pk, [])
        trained = bool(modules) and {c.module_id for c in own} >= modules
        rows.append(
            StaffTraining(
                person, trained, max((c.completed_at for c in own), default=None) if trained else None
            )
        )
    return version, rows
