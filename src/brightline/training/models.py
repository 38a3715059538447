"""Training modules per policy version, and who completed them.

Staff act on requests only under a policy they were trained on: `selectors.require_trained(user)` is
called by `item_decide` and `packet_release`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TrainingModule(models.Model):
    """What staff read for one policy version, with a short quiz and/or a statement they attest to.

    `questions`: [{"question": str, "choices": [str, ...], "answer": index of the right choice}].
    """

    version = models.ForeignKey("policy.Version", on_delete=models.PROTECT, related_name="training_modules")
    title = models.CharField(max_length=200)
    content = models.TextField()
    questions = models.JSONField(default=list)
    attestation = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["version__number", "pk"]

    def __str__(self) -> str:
        return f"{self.title} (policy version {self.version_id})"


class CompletionMethod(models.TextChoices):
    QUIZ = "quiz", "Answered the quiz and attested"
    RECORDED = "recorded", "Recorded by an administrator"


class TrainingCompletion(models.Model):
    """One person's completion of one module. The name and role are copied: the record outlives the
    account."""

    module = models.ForeignKey(TrainingModule, on_delete=models.PROTECT, related_name="completions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="training_completions"
    )
    user_name = models.CharField(max_length=300)
    user_role = models.CharField(max_length=32)
    method = models.CharField(max_length=16, choices=CompletionMethod.choices)
    score = models.PositiveIntegerField(default=0)
    completed_at = models.DateTimeField()
    # The policy text the module taught when it was completed: training on a draft whose rules changed
    # afterwards does not count for the version as adopted (selectors.valid_completions).
    policy_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-completed_at"]
        constraints = [models.UniqueConstraint(fields=["module", "user"], name="training_completed_once")]

    def __str__(self) -> str:
        return f"{self.user_name} completed {self.module}"
