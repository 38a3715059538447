"""Drafts for the lifecycle tests: the default text with one change."""

from __future__ import annotations

from typing import Any

from brightline.policy import engine
from brightline.training.services import training_module_create

R4_EXPLANATION = '@explanation("school police incident reports may be given to law enforcement for a criminal investigation")'
D_REVIEWER = '@id("D")\n@tier("default")\n@reviewer("superintendent")'


def default_text() -> str:
    return engine.DEFAULT_POLICY.read_text(encoding="utf-8")


def reworded_draft() -> str:
    """Only R4's explanation changes: every shipped test still passes."""
    text = default_text()
    assert R4_EXPLANATION in text
    return text.replace(
        R4_EXPLANATION, R4_EXPLANATION.replace("a criminal investigation", "an investigation of a crime")
    )


def counsel_reviews_by_default() -> str:
    """Rule D names the legal advisor instead of the superintendent: every item decided by D changes reviewer."""
    text = default_text()
    assert D_REVIEWER in text
    return text.replace(D_REVIEWER, '@id("D")\n@tier("default")\n@reviewer("legal_advisor")')


def add_training(version: Any, author: Any) -> Any:
    return training_module_create(
        version_id=version.pk,
        author=author,
        title=f"What changes in {version.label}",
        content="Rule R4 is worded more plainly.",
        questions=[
            {
                "question": "Who may have school police incident reports?",
                "choices": ["Nobody", "Law enforcement, for a criminal investigation"],
                "answer": 1,
            }
        ],
        attestation="I will decide only as the policy allows.",
    )
