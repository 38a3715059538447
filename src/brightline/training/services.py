"""Writes for training: modules per policy version, and completions. Each is one transaction with its
ledger entry."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from brightline.accounts.models import STAFF_ROLES, User
from brightline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from brightline.ledger.services import ledger_append
from brightline.policy import engine
from brightline.policy.models import Version, VersionStatus
from brightline.policy.services import POLICY_STAFF, record_shipped_default
from brightline.training.models import CompletionMethod, TrainingCompletion, TrainingModule
from brightline.training.selectors import effective_version

DEFAULT_MODULE = Path(__file__).resolve().parent / "default" / "module.json"


def check_questions(questions: Any) -> list[tuple[str, str]]:
    """The quiz format: a list of {question, choices (2 or more), answer (index of the right choice)}."""
    if not isinstance(questions, list):
        return [("questions", "a list of questions")]
    errors: list[tuple[str, str]] = []
    for index, entry in enumerate(questions):
        where = f"questions.{index}"
        if not isinstance(entry, dict) or set(entry) != {"question", "choices", "answer"}:
            errors.append((where, "each question has exactly: question, choices, answer"))
            continue
        choices = entry["choices"]
        if not isinstance(entry["question"], str) or not entry["question"].strip():
            errors.append((f"{where}.question", "write the question"))
        if (
            not isinstance(choices, list)
            or len(choices) < 2
            or not all(isinstance(c, str) and c.strip() for c in choices)
        ):
            errors.append((f"{where}.choices", "at least two choices, each a sentence"))
        elif not isinstance(entry["answer"], int) or not 0 <= entry["answer"] < len(choices):
            errors.append((f"{where}.answer", "the number of the right choice"))
    return errors


@transaction.atomic
def training_module_create(
    *,
    version_id: int,
    author: User,
    title: str,
    content: str,
    questions: list[dict[str, Any]],
    attestation: str = "",
) -> TrainingModule:
    """A training module for a policy version that has not been superseded (written before it takes
    effect, so staff can train in advance)."""
    if author.role not in POLICY_STAFF:
        raise NotAllowed("only the administrator, the superintendent or the legal advisor writes training")
    version = Version.objects.filter(pk=version_id).first()
    if version is None:
        raise NotFound("no such policy version")
    if version.status == VersionStatus.SUPERSEDED:
        raise Conflict("this version has been superseded")
    errors: list[tuple[str, str]] = []
    if not title.strip():
        errors.append(("title", "give the module a title"))
    if not content.strip():
        errors.append(("content", "write what staff must know"))
    errors.extend(check_questions(questions))
    if not questions and not attestation.strip():
        errors.append(("questions", "a module has a short quiz, a statement to attest to, or both"))
    if errors:
        raise InvalidInput(errors)
    module = TrainingModule.objects.create(
        version=version,
        title=title.strip(),
        content=content.strip(),
        questions=questions,
        attestation=attestation.strip(),
        created_by=author,
        created_at=timezone.now(),
    )
    ledger_append(
        event_type="training.module_created",
        subject={"training_module": module.pk, "policy_version": version.pk},
        record={"module": module.pk, "version": version.number, "questions": len(questions), "by": author.pk},
    )
    return module


def _complete(
    user: User, module: TrainingModule, method: str, score: int, *, ledger: bool = True
) -> TrainingCompletion:
    """Record the completion, on the policy text the module teaches now. A completion on an earlier text
    (a draft changed since) is replaced: it no longer counts (selectors.valid_completions)."""
    completion, _ = TrainingCompletion.objects.update_or_create(
        module=module,
        user=user,
        defaults={
            "user_name": user.get_full_name() or user.username,
            "user_role": user.role,
            "method": method,
            "score": score,
            "completed_at": timezone.now(),
            "policy_sha256": module.version.sha256,
        },
    )
    if not ledger:
        return completion
    ledger_append(
        event_type="training.completed",
        subject={"training_module": module.pk, "user": user.pk},
        record={
            "module": module.pk,
            "version": module.version.number,
            "user": user.pk,
            "method": method,
            "score": score,
        },
    )
    return completion


@transaction.atomic
def training_complete(
    *, user: User, module_id: int, answers: list[int | None], attested: bool
) -> TrainingCompletion:
    """A member of staff answers the module's quiz (every answer right) and attests to its statement."""
    if user.role not in STAFF_ROLES:
        raise NotAllowed("training is for district staff")
    module = TrainingModule.objects.select_related("version").filter(pk=module_id).first()
    if module is None:
        raise NotFound("no such training module")
    existing = TrainingCompletion.objects.filter(module=module, user=user).first()
    if existing is not None and existing.policy_sha256 == module.version.sha256:
        return existing
    errors: list[tuple[str, str]] = []
    for index, question in enumerate(module.questions):
        given = answers[index] if index < len(answers) else None
        if given is None:
            errors.append((f"answers.{index}", "choose an answer"))
        elif given != question["answer"]:
            errors.append((f"answers.{index}", "not quite: read that part of the module again"))
    if module.attestation and not attested:
        errors.append(("attested", "confirm the statement to finish the module"))
    if errors:
        raise InvalidInput(errors)
    return _complete(user, module, CompletionMethod.QUIZ, len(module.questions))


@transaction.atomic
def training_default_seed() -> TrainingModule | None:
    """The training module of the shipped default policy's version, unless it has one (the data migration
    writes it; this restores it in a database emptied by a test)."""
    sha256 = engine.default_policy().sha256
    version = Version.objects.filter(sha256=sha256).order_by("number").first()
    if version is None or TrainingModule.objects.filter(version=version).exists():
        return None
    data = json.loads(DEFAULT_MODULE.read_text(encoding="utf-8"))
    return TrainingModule.objects.create(
        version=version,
        title=data["title"],
        content=data["content"],
        questions=data["questions"],
        attestation=data["attestation"],
        created_at=timezone.now(),
    )


def _record_completions(users: Iterable[User], *, ledger: bool) -> int:
    version = effective_version()
    if version is None:
        raise Conflict("no policy version is in effect")
    added = 0
    for module in TrainingModule.objects.filter(version=version).select_related("version"):
        done = set(
            TrainingCompletion.objects.filter(module=module, policy_sha256=version.sha256).values_list(
                "user_id", flat=True
            )
        )
        for user in users:
            if user.pk not in done:
                _complete(user, module, CompletionMethod.RECORDED, 0, ledger=ledger)
                done.add(user.pk)
                added += 1
    return added


@transaction.atomic
def training_record_completed(*, users: Iterable[User], recorded_by: User) -> int:
    """An administrator records that these people completed the training of the version in effect (given
    in person, say). Returns how many completions were added; each is a ledger entry."""
    if recorded_by.role not in POLICY_STAFF:
        raise NotAllowed("only the administrator, the superintendent or the legal advisor records training")
    return _record_completions(users, ledger=True)


@transaction.atomic
def training_seed_completed(*, users: Iterable[User]) -> int:
    """Seed data: these people (the demo district's staff, the test personas) have completed the training
    of the version in effect. Restores the default version and its module first in a database that has
    none (one emptied by a test). Like the data migrations, it writes no ledger entry: it is not an act
    of the district."""
    record_shipped_default()
    training_default_seed()
    return _record_completions(users, ledger=False)
