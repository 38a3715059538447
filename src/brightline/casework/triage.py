"""The bridge between casework and the policy engine: build a case from stored rows, read the result.

The engine decides; this module only assembles the facts it needs (the request as received and the
matched students' facts) and picks the policy version in effect when the request was received.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from brightline.policy import engine


def policy_in_effect(received_at: dt.datetime) -> engine.PolicyVersion:
    """The policy version that governs a request received at this moment.

    Until the district adopts its own policy through the lifecycle, the default policy governs.
    """
    return engine.load_policy()


def policy_for_request(policy_sha256: str) -> engine.PolicyVersion:
    """The exact version a request was triaged under, so later triage of the same request agrees."""
    current = engine.load_policy()
    if current.sha256 == policy_sha256:
        return current
    raise LookupError(f"policy version {policy_sha256[:12]} is not available")


def build_case(document: dict[str, Any], students: list[dict[str, Any]], now: dt.datetime) -> dict[str, Any]:
    """A DOMAIN.md case: the request as received, naming only these students by their SIS ids."""
    request = dict(document)
    request["students"] = [{"student_id": facts["student_id"]} for facts in students]
    return {"now": now.isoformat(), "request": request, "students": students}


def triage(document: dict[str, Any], students: list[dict[str, Any]], now: dt.datetime, policy: Any) -> dict:
    case = engine.parse_case(build_case(document, students, now))
    return policy.triage(case).to_json()
