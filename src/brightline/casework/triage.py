"""The bridge between casework and the policy engine: build a case from stored rows, read the result.

The engine decides; this module only assembles the facts it needs (the request as received and the
matched students' facts) and picks the policy version in effect when the request was received.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
import re
from typing import Any

from brightline.policy import engine

_by_version: dict[tuple[int, str], engine.PolicyVersion] = {}


def policy_in_effect(received_at: dt.datetime) -> engine.PolicyVersion:
    """The policy version that governs a request received at this moment: the stored version in effect
    then (policy.Version). A database where no version was ever made effective (before migrations, or
    emptied by a test) is governed by the shipped default, which is what version 1 records.

    Which version is in effect is asked of the database every time (another process may have adopted
    one), by id and text hash only; its text is read and parsed the first time this process meets that
    version. An effective or superseded version's text never changes (only drafts are edited)."""
    from brightline.policy.models import Version
    from brightline.policy.stored import engine_policy, version_key_in_effect_at

    key = version_key_in_effect_at(received_at)
    if key is None:
        return engine.default_policy()
    found = _by_version.get(key)
    if found is None:
        found = _by_version[key] = engine_policy(Version.objects.get(pk=key[0]))
    return found


_by_sha256: dict[str, engine.PolicyVersion] = {}


def policy_for_request(policy_sha256: str) -> engine.PolicyVersion:
    """The exact version a request was triaged under (its stored text), so later triage of the same
    request agrees. A text never changes under its sha256: the answer is kept for the process."""
    from brightline.policy.models import Version
    from brightline.policy.stored import engine_policy

    found = _by_sha256.get(policy_sha256)
    if found is not None:
        return found
    version = Version.objects.filter(sha256=policy_sha256).order_by("number").first()
    if version is None:
        default = engine.default_policy()
        if default.sha256 == policy_sha256:
            return default
        raise LookupError(f"policy version {policy_sha256[:12]} is not available")
    found = _by_sha256[policy_sha256] = engine_policy(version)
    return found


def build_case(
    document: dict[str, Any],
    students: list[dict[str, Any]],
    now: dt.datetime,
    *,
    identified_by: str | None = None,
) -> dict[str, Any]:
    """A DOMAIN.md case: the request as received, naming only these students by their SIS ids.

    `identified_by`: how these students were named, when the request named some by id and some by
    name and birth date (the document then says `student_id`, the stricter reading)."""
    request = dict(document)
    request["students"] = [{"student_id": facts["student_id"]} for facts in students]
    if identified_by is not None:
        request["identified_by"] = identified_by
    return {"now": now.isoformat(), "request": request, "students": students}


def identified_by(named: dict[str, Any]) -> str:
    """How the requester identified one student, from what it sent (CONTRACTS.md): a district id, or a
    name and a birth date. Never what the requester says it did."""
    return "student_id" if "student_id" in named else "name_and_birth_date"


def identified_by_request(named: list[dict[str, Any]]) -> str:
    """The request's `identified_by`: `name_and_birth_date` only when every student was named so."""
    return (
        "name_and_birth_date"
        if named and all(identified_by(n) == "name_and_birth_date" for n in named)
        else "student_id"
    )


def students_named(document: dict[str, Any]) -> int:
    """How many students the whole request names (rule B), matched or not."""
    return len(document.get("students") or [])


def triage(
    document: dict[str, Any],
    students: list[dict[str, Any]],
    now: dt.datetime,
    policy: Any,
    *,
    identified_by: str | None = None,
) -> dict[str, Any]:
    """The engine's result for these students, in their order. A roster student named twice (by id and by
    name, or twice alike) is triaged once and answered for each time it was named: which it is must not
    turn into an error that a student nobody knows would not cause."""
    distinct = list({facts["student_id"]: facts for facts in students}.values())
    case = engine.parse_case(build_case(document, distinct, now, identified_by=identified_by))
    result: dict[str, Any] = policy.triage(case, students_named=students_named(document)).to_json()
    if len(distinct) == len(students):
        return result
    by_student: dict[str, list[dict[str, Any]]] = {}
    for item in result["items"]:
        by_student.setdefault(item["student_id"], []).append(item)
    result["items"] = [item for facts in students for item in by_student[facts["student_id"]]]
    return result


_FACT_NAMES = ("directory_opt_out", "missing_child_flag", "foster_care", "adjudicated")


# The moment of evaluation reaches a policy only as `principal.evaluated_at`; the default policy compares
# it with an emergency's end and nothing else. Where that holds, a request without an emergency is refused
# whoever the student is the same at every moment, and the answer is kept (per policy and request facts).
_TIME_THROUGH_EMERGENCY = re.compile(r"principal\.evaluated_at\s*<\s*principal\.emergency\.ends_at")
_WHOEVER_KEPT: dict[tuple[str, engine.RequestFacts, str | None, int], dict[str, dict[str, Any]]] = {}
_WHOEVER_KEPT_MAX = 1024


@functools.lru_cache(maxsize=16)
def _time_only_through_emergency(policy_text: str) -> bool:
    return policy_text.count("evaluated_at") == len(_TIME_THROUGH_EMERGENCY.findall(policy_text))


def refusals_whoever_the_student(
    document: dict[str, Any], now: dt.datetime, policy: Any, *, identified_by: str | None = None
) -> dict[str, dict[str, Any]]:
    """The categories this request is refused whoever the student is, with the refusal (outcome, rules,
    obligations, explanation): the policy refuses them for every combination of a student's facts.

    A student the district could not identify gets these refusals at once, as an enrolled student does,
    so that a request refused in whole answers the same whether or not its students are enrolled
    (CONTRACTS.md). A refusal that depends on who the student is waits for the records office.

    Sixteen combinations of facts make this a submission's costliest triage: when the answer cannot
    depend on the moment (no emergency, and a policy that reads the time only against an emergency's
    end) it is kept per policy and request facts, students aside (they are not part of it)."""
    if document.get("emergency") or not _time_only_through_emergency(policy.text):
        return _refusals_whoever_the_student(document, now, policy, identified_by=identified_by)
    try:
        key = (
            policy.sha256,
            _facts_the_policy_reads(document, identified_by),
            identified_by,
            students_named(document),
        )
    except (engine.CaseError, TypeError, ValueError):  # not a request the engine reads: answered, not kept
        return _refusals_whoever_the_student(document, now, policy, identified_by=identified_by)
    kept = _WHOEVER_KEPT.get(key)
    if kept is None:
        if len(_WHOEVER_KEPT) >= _WHOEVER_KEPT_MAX:
            _WHOEVER_KEPT.clear()
        kept = _WHOEVER_KEPT[key] = _refusals_whoever_the_student(
            document, now, policy, identified_by=identified_by
        )
    return copy.deepcopy(kept)


def _facts_the_policy_reads(document: dict[str, Any], identified_by: str | None) -> engine.RequestFacts:
    """The request as the engine hands it to a policy, students aside: free text the engine never passes
    on (the description, the requester's agency, name and position) is left out of the key, so that requests
    that differ only in their words share one answer."""
    request = engine.parse_request(
        document if identified_by is None else {**document, "identified_by": identified_by}
    )
    return dataclasses.replace(
        request,
        students=(),
        description="",
        requester=dataclasses.replace(request.requester, agency=None, name=None, position=None),
    )


def _refusals_whoever_the_student(
    document: dict[str, Any], now: dt.datetime, policy: Any, *, identified_by: str | None = None
) -> dict[str, dict[str, Any]]:
    combinations = [
        {
            "student_id": f"any-{index}",
            **{name: bool(index >> bit & 1) for bit, name in enumerate(_FACT_NAMES)},
        }
        for index in range(2 ** len(_FACT_NAMES))
    ]
    result = triage(document, combinations, now, policy, identified_by=identified_by)
    by_category: dict[str, list[dict[str, Any]]] = {}
    for item in result["items"]:
        by_category.setdefault(item["category"], []).append(item)
    refusals: dict[str, dict[str, Any]] = {}
    for category, items in by_category.items():
        if all(item["outcome"] == "refuse" for item in items):
            # The refusal of a student with no fact set (the first combination): its rules hold whoever
            # the student is; a refusal some facts add (an opt-out) is not claimed.
            plain = items[0]
            refusals[category] = {
                "outcome": "refuse",
                "rules": plain["rules"],
                "obligations": [o for o in plain["obligations"] if o != "alert_police_missing_child"],
                "explanation": plain["explanation"],
            }
    return refusals
