"""The triage engine: one honest decision per student × record category.

The Cedar policy decides; this module only builds the Cedar requests from a case, reads the decisions and
applies the precedence DOMAIN.md states between the rules that matched (refuse > L > release > R5 >
review > D). A policy version is parsed and checked once, then reused for every call.

Pure Python plus cedarpy: importable without Django.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cedarpy

from brightline.policy.cases import (
    Case,
    CaseError,
    RequestFacts,
    StudentFacts,
    parse_case,
    parse_request,
)
from brightline.vocabulary import (
    CATEGORIES,
    EDUCATION_RECORDS,
    EMERGENCY_RESPONDERS,
    IDENTIFIED_BY,
    JUDICIAL_PROCESS,
    LAW_ENFORCEMENT,
    LAWFUL_BASES,
    LEGAL_PROCESS_KINDS,
    LEGAL_REVIEW_PROCESS,
    MODIFIER_TIERS,
    OBLIGATIONS,
    ONWARD_RECIPIENTS,
    PURPOSES,
    REQUESTER_KINDS,
    REVIEWERS,
    RULE_IDS,
    TIER_OUTCOMES,
    TIERS,
)

__all__ = [
    "Case",
    "CaseError",
    "Engine",
    "PolicyError",
    "PolicyVersion",
    "RequestFacts",
    "StudentFacts",
    "TriageItem",
    "TriageResult",
    "check_lawful_basis",
    "default_policy",
    "load_policy",
    "parse_case",
    "parse_request",
    "triage",
    "validate_policy",
]

DEFAULT_DIR = Path(__file__).resolve().parent / "default"
DEFAULT_POLICY = DEFAULT_DIR / "policy.cedar"
DEFAULT_SCHEMA = DEFAULT_DIR / "schema.cedarschema"

ACTIONS = ("disclose", "alert", "approve")
ANNOTATIONS = frozenset({"id", "tier", "reviewer", "obligations", "explanation", "basis"})

# DOMAIN.md's named groups, handed to Cedar as entity-group membership.
GROUPS: dict[str, frozenset[str]] = {
    "law_enforcement": LAW_ENFORCEMENT,
    "emergency_responders": EMERGENCY_RESPONDERS,
    "education_records": EDUCATION_RECORDS,
    "judicial_process": JUDICIAL_PROCESS,
    "legal_review_process": LEGAL_REVIEW_PROCESS,
}
# Every identifier a policy may name, by Cedar entity type. `Student` ids come from the roster.
KNOWN_ENTITIES: dict[str, frozenset[str] | None] = {
    "Group": frozenset(GROUPS),
    "RequesterKind": frozenset(REQUESTER_KINDS),
    "Category": frozenset(CATEGORIES),
    "LegalProcess": frozenset(LEGAL_PROCESS_KINDS),
    "Purpose": frozenset(PURPOSES),
    "Identification": frozenset(IDENTIFIED_BY),
    "OnwardRecipient": frozenset(ONWARD_RECIPIENTS),
    "LawfulBasis": frozenset(LAWFUL_BASES),
    "Action": frozenset(ACTIONS),
    "Student": None,
}
_ENTITY_TYPE_OF_GROUP_MEMBER = {
    "law_enforcement": "RequesterKind",
    "emergency_responders": "RequesterKind",
    "education_records": "Category",
    "judicial_process": "LegalProcess",
    "legal_review_process": "LegalProcess",
}
_RULE_ORDER = {rule: index for index, rule in enumerate(RULE_IDS)}
_TIER_RANK = {tier: index for index, tier in enumerate(TIERS)}
_REVIEWER_WORDS = {"superintendent": "the superintendent", "legal_advisor": "the district's legal advisor"}


class PolicyError(ValueError):
    """A policy text that cannot be used: it does not parse, breaks the schema or our annotations."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class PolicyEvaluationError(RuntimeError):
    """Cedar reported an error while evaluating: a bug in the request built here, never the case's fault."""


# ---------------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TriageItem:
    student_id: str
    category: str
    outcome: str
    reviewer: str | None
    rules: tuple[str, ...]
    obligations: tuple[str, ...]
    explanation: str

    def to_json(self) -> dict[str, Any]:
        return {
            "student_id": self.student_id,
            "category": self.category,
            "outcome": self.outcome,
            "reviewer": self.reviewer,
            "rules": list(self.rules),
            "obligations": list(self.obligations),
            "explanation": self.explanation,
        }


@dataclass(frozen=True, slots=True)
class TriageResult:
    policy: Mapping[str, str]
    items: tuple[TriageItem, ...]

    def to_json(self) -> dict[str, Any]:
        return {"policy": dict(self.policy), "items": [item.to_json() for item in self.items]}

    def item(self, student_id: str, category: str) -> TriageItem:
        for item in self.items:
            if item.student_id == student_id and item.category == category:
                return item
        raise KeyError((student_id, category))


# ---------------------------------------------------------------------------------------------------
# One policy version
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PolicyRule:
    """One Cedar policy of the text, with what its annotations say."""

    policy_id: str  # Cedar's positional id (policy0, policy1 …), what decisions name
    rule: str  # the @id annotation: F1 … D, or basis.* / missing_child
    action: str
    effect: str
    tier: str | None
    reviewer: str | None
    obligations: frozenset[str]
    explanation: str
    basis: str | None
    # The rule's conditions read the student's facts (opted out, flagged, in foster care, adjudicated):
    # naming it to a requester would tell a roster fact (CONTRACTS.md "What a requester learns").
    reads_student: bool = False


@dataclass(frozen=True, slots=True)
class _Decision:
    outcome: str
    reviewer: str | None
    rules: tuple[str, ...]
    obligations: frozenset[str]
    explanation: str


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _static_entities() -> list[dict[str, Any]]:
    """Group entities and the members DOMAIN.md puts in each group (the only parent links there are)."""
    entities: list[dict[str, Any]] = [
        {"uid": {"type": "Group", "id": group}, "attrs": {}, "parents": []} for group in GROUPS
    ]
    for entity_type, ids in (
        ("RequesterKind", REQUESTER_KINDS),
        ("Category", CATEGORIES),
        ("LegalProcess", LEGAL_PROCESS_KINDS),
    ):
        for entity_id in ids:
            parents = [
                {"type": "Group", "id": group}
                for group, members in GROUPS.items()
                if _ENTITY_TYPE_OF_GROUP_MEMBER[group] == entity_type and entity_id in members
            ]
            entities.append({"uid": {"type": entity_type, "id": entity_id}, "attrs": {}, "parents": parents})
    return entities


def entity_literals(node: object) -> list[tuple[str, str]]:
    """Every entity uid written in a policy (EST JSON): scope constraints and literals alike."""
    found: list[tuple[str, str]] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            for key, value in current.items():
                if key in ("__entity", "entity") and isinstance(value, dict) and "type" in value:
                    found.append((str(value["type"]), str(value.get("id"))))
                elif key == "entities" and isinstance(value, list):
                    found.extend(
                        (str(item["type"]), str(item.get("id")))
                        for item in value
                        if isinstance(item, dict) and "type" in item
                    )
                else:
                    stack.append(value)
        elif isinstance(current, list):
            stack.extend(current)
    return found


def _split_obligations(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _read_rules(text: str) -> tuple[dict[str, PolicyRule], list[str]]:
    """Map Cedar's policy ids to the annotations of each policy, checking them against our conventions."""
    problems: list[str] = []
    est = json.loads(cedarpy.policies_to_json_str(text))
    if est.get("templates"):
        problems.append("policy templates (with ?principal or ?resource slots) are not supported")
    rules: dict[str, PolicyRule] = {}
    for policy_id, policy in est.get("staticPolicies", {}).items():
        annotations: dict[str, str] = {
            key: value or "" for key, value in policy.get("annotations", {}).items()
        }
        rule = annotations.get("id", "").strip()
        where = f"policy {rule!r}" if rule else f"{policy_id} (no @id)"
        if not rule:
            problems.append(f"{policy_id}: every policy needs an @id annotation naming its rule")
        for key in annotations:
            if key not in ANNOTATIONS:
                problems.append(f"{where}: unknown annotation @{key}")
        for entity_type, entity_id in entity_literals(policy):
            known = KNOWN_ENTITIES.get(entity_type, frozenset())
            if entity_type not in KNOWN_ENTITIES:
                problems.append(f"{where}: unknown entity type {entity_type}")
            elif known is not None and entity_id not in known:
                problems.append(f"{where}: unknown identifier {entity_type}::{json.dumps(entity_id)}")

        scope = policy.get("action", {})
        entity = scope.get("entity") if scope.get("op") == "==" else None
        action = entity.get("id") if isinstance(entity, dict) and entity.get("type") == "Action" else None
        if action not in ACTIONS:
            problems.append(
                f'{where}: the action must be one of {", ".join(ACTIONS)} (action == Action::"…")'
            )
            continue
        effect = policy.get("effect", "")
        explanation = annotations.get("explanation", "").strip()
        if not explanation:
            problems.append(f"{where}: needs an @explanation a family or an officer can read")
        obligations = _split_obligations(annotations.get("obligations", ""))
        for obligation in obligations:
            if obligation not in OBLIGATIONS:
                problems.append(f"{where}: unknown obligation {obligation!r}")
        tier = annotations.get("tier") or None
        reviewer = annotations.get("reviewer") or None
        basis = annotations.get("basis") or None

        if action == "disclose":
            if tier not in TIERS and tier not in MODIFIER_TIERS:
                problems.append(f"{where}: @tier must be one of {', '.join((*TIERS, *MODIFIER_TIERS))}")
            elif (effect == "forbid") != (tier == "refuse"):
                problems.append(
                    f"{where}: refuse rules are `forbid` and only they are (tier {tier}, {effect})"
                )
            elif TIER_OUTCOMES[tier] == "review":
                if reviewer not in REVIEWERS:
                    problems.append(f"{where}: a review rule needs @reviewer, one of {', '.join(REVIEWERS)}")
            elif reviewer is not None:
                problems.append(f"{where}: only review rules name a @reviewer")
            if basis is not None:
                problems.append(f"{where}: @basis belongs to approve rules")
        elif action == "alert":
            if effect != "permit" or tier or reviewer or basis:
                problems.append(f"{where}: alert rules are permits with @obligations only")
        else:
            if tier or reviewer or obligations:
                problems.append(f"{where}: approve rules carry @basis and @explanation only")
            if effect == "permit" and basis not in LAWFUL_BASES:
                problems.append(f"{where}: @basis must be one of {', '.join(LAWFUL_BASES)}")

        rules[policy_id] = PolicyRule(
            policy_id=policy_id,
            rule=rule,
            action=action,
            effect=effect,
            tier=tier,
            reviewer=reviewer,
            obligations=frozenset(obligations),
            explanation=explanation,
            basis=basis,
            reads_student=_reads_student_facts(policy.get("conditions", [])),
        )
    return rules, problems


def _reads_student_facts(node: object) -> bool:
    """Whether a policy's conditions read `context.student` (in Cedar's JSON form)."""
    if isinstance(node, dict):
        if node.get("attr") == "student" and node.get("left") == {"Var": "context"}:
            return True
        return any(_reads_student_facts(value) for value in node.values())
    if isinstance(node, list):
        return any(_reads_student_facts(value) for value in node)
    return False


def _cedar_moment(moment: datetime) -> dict[str, Any]:
    # Cedar's datetime takes UTC with millisecond precision. Truncating both sides of a comparison can
    # only make an emergency that ends within the same millisecond look ended, never the reverse.
    utc = moment.astimezone(UTC)
    text = (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}"
        f".{utc.microsecond // 1000:03d}Z"
    )
    return {"__extn": {"fn": "datetime", "arg": text}}


def _entity(entity_type: str, entity_id: str) -> dict[str, Any]:
    return {"__entity": {"type": entity_type, "id": entity_id}}


def _request_entity(request: RequestFacts, now: datetime, students_named: int | None = None) -> str:
    """The request as the Cedar principal: one entity, parsed once per triage (JSON text).

    `students_named` is how many students the request named (rule B); by default the students of the
    case. Casework triages only the students it matched, so it passes the number the requester named."""
    attrs: dict[str, Any] = {
        "requester": _entity("RequesterKind", request.requester.kind),
        "purpose": _entity("Purpose", request.purpose),
        "legal_process": _entity("LegalProcess", request.legal_process.kind),
        "nondisclosure_order": request.legal_process.nondisclosure_order,
        "certification_no_redisclosure": request.certification_no_redisclosure,
        "onward_recipients": [_entity("OnwardRecipient", name) for name in request.onward_recipients],
        "identified_by": _entity("Identification", request.identified_by),
        "evaluated_at": _cedar_moment(now),
        "students_named": len(request.student_ids) if students_named is None else students_named,
    }
    if request.emergency is not None:
        attrs["emergency"] = {
            "threat": request.emergency.threat,
            "ends_at": _cedar_moment(request.emergency.ends_at),
        }
    if request.consent is not None:
        consent = request.consent
        # Blank fields are left out so that the policy's `has` means "filled in".
        record: dict[str, Any] = {"categories": [_entity("Category", name) for name in consent.categories]}
        for key, value in (
            ("signed_by", consent.signed_by),
            ("signed_on", consent.signed_on.isoformat() if consent.signed_on else None),
            ("purpose", consent.purpose),
            ("recipient", consent.recipient),
        ):
            if value:
                record[key] = value
        attrs["consent"] = record
    return json.dumps([{"uid": _REQUEST_UID, "attrs": attrs, "parents": []}], separators=(",", ":"))


_REQUEST_UID = {"type": "Request", "id": "request"}


def _student_context(facts: StudentFacts, extra: str = "") -> str:
    """The Cedar context of one student's items: only the facts a decision depends on."""
    return (
        f'{{"student":{{"directory_opt_out":{_TRUE_FALSE[facts.directory_opt_out]},'
        f'"missing_child_flag":{_TRUE_FALSE[facts.missing_child_flag]},'
        f'"foster_care":{_TRUE_FALSE[facts.foster_care]},'
        f'"adjudicated":{_TRUE_FALSE[facts.adjudicated]}}}{extra}}}'
    )


_TRUE_FALSE = {True: "true", False: "false"}


class PolicyVersion:
    """A parsed, checked policy text. Immutable; safe to share between threads and requests."""

    def __init__(
        self,
        text: str,
        *,
        policy_id: str,
        version: str,
        schema_text: str | None = None,
    ) -> None:
        self.text = text
        self.id = policy_id
        self.version = version
        self.sha256 = _sha256(text)
        self.schema_text = schema_text if schema_text is not None else _default_schema_text()
        problems: list[str] = []
        try:
            self._schema = cedarpy.Schema.from_str(self.schema_text)
        except ValueError as error:
            raise PolicyError([f"schema: {error}"]) from error
        try:
            self._policy_set = cedarpy.PolicySet.from_str(text)
            self.rules, problems = _read_rules(text)
        except ValueError as error:
            raise PolicyError([f"the policy does not parse: {error}"]) from error
        validation = cedarpy.validate_policies(text, self._schema)
        if not validation.validation_passed:
            names = validation.id_annotations_by_policy_id
            for problem in validation.errors:
                where = names.get(problem.policy_id) or problem.policy_id
                problems.append(f"policy {where!r}: {problem.error}" if where else problem.error)
        if problems:
            raise PolicyError(problems)
        self._entities = cedarpy.Entities.from_json_str(json.dumps(_static_entities()), self._schema)
        # One policy set per action: a request only ever matches its own action's policies, so this
        # changes no decision and spares Cedar from scanning the others. Policy ids are kept.
        est = json.loads(cedarpy.policies_to_json_str(text))
        self._sets: dict[str, cedarpy.PolicySet] = {}
        for action in ACTIONS:
            subset = {
                pid: body for pid, body in est["staticPolicies"].items() if self.rules[pid].action == action
            }
            self._sets[action] = cedarpy.PolicySet.from_json_str(
                json.dumps({"staticPolicies": subset, "templates": {}, "templateLinks": []})
            )
        self._decisions: dict[tuple[bool, tuple[str, ...]], _Decision] = {}
        self.bases: dict[str, list[PolicyRule]] = {}
        for rule in self.rules.values():
            if rule.action == "approve" and rule.basis:
                self.bases.setdefault(rule.basis, []).append(rule)

    @property
    def info(self) -> dict[str, str]:
        return {"id": self.id, "version": self.version, "sha256": self.sha256}

    def refusal_explanation(self, rule_ids: Sequence[str]) -> str:
        """The explanation a refusal by these rules gets (their `forbid` halves), as triage words it."""
        forbids = [rule for rule in self.rules.values() if rule.effect == "forbid" and rule.rule in rule_ids]
        return self._summarise("refuse", None, forbids).explanation

    @functools.cached_property
    def rules_reading_student_facts(self) -> frozenset[str]:
        """Rule ids of which some half decides on the student's facts: never named to a requester."""
        return frozenset(
            rule.rule for rule in self.rules.values() if rule.action == "disclose" and rule.reads_student
        )

    def __repr__(self) -> str:
        return f"<PolicyVersion {self.id} {self.version} {self.sha256[:12]}>"

    # -- evaluation ---------------------------------------------------------------------------------

    def entities_for(
        self, request: RequestFacts, now: datetime, students_named: int | None = None
    ) -> cedarpy.Entities:
        """The static groups plus this request as the principal entity."""
        return self._entities.with_added_json_str(_request_entity(request, now, students_named))

    def authorize(
        self, action: str, requests: list[dict[str, Any]], entities: cedarpy.Entities
    ) -> list[cedarpy.AuthzResult]:
        """Cedar's decisions for a batch of requests of one action (raises on any evaluation error)."""
        if not requests:
            return []
        results = cedarpy.is_authorized_batch(requests, self._sets[action], entities)
        for result in results:
            if result.diagnostics.errors:
                raise PolicyEvaluationError("; ".join(str(error) for error in result.diagnostics.errors))
        return results

    def _matched(self, result: cedarpy.AuthzResult) -> list[PolicyRule]:
        return [self.rules[policy_id] for policy_id in result.diagnostics.reasons]

    def _decide(self, result: cedarpy.AuthzResult) -> _Decision:
        # A decision is a pure function of which policies matched: compute each combination once.
        key = (result.allowed, tuple(sorted(result.diagnostics.reasons)))
        decision = self._decisions.get(key)
        if decision is None:
            decision = self._decisions[key] = self._resolve(result)
        return decision

    def _resolve(self, result: cedarpy.AuthzResult) -> _Decision:
        matched = self._matched(result)
        if not result.allowed:
            refusing = [rule for rule in matched if rule.effect == "forbid"]
            if not refusing:
                # Cedar denies what no rule permits; say so rather than invent a rule.
                return _Decision(
                    "refuse", None, (), frozenset(), "Refused: no rule of the policy allows this."
                )
            return self._summarise("refuse", None, refusing)
        best = min((_TIER_RANK[rule.tier] for rule in matched if rule.tier in _TIER_RANK), default=None)
        if best is None:
            raise PolicyEvaluationError("an allowed decision matched no ranked rule")
        tier = TIERS[best]
        winners = [rule for rule in matched if rule.tier == tier]
        outcome = TIER_OUTCOMES[tier]
        modifiers = [rule for rule in matched if rule.tier in MODIFIER_TIERS]
        if outcome == "release" and modifiers:
            # Rule B: what a release rule would release goes to review instead, with that rule's
            # obligations; B is listed beside it.
            winners = [*winners, *modifiers]
            outcome = "review"
        reviewer = None
        if outcome == "review":
            # When review rules disagree on the reviewer, counsel vets it.
            reviewers = {rule.reviewer for rule in winners if rule.reviewer}
            reviewer = "legal_advisor" if "legal_advisor" in reviewers else "superintendent"
        return self._summarise(outcome, reviewer, winners)

    @staticmethod
    def _summarise(outcome: str, reviewer: str | None, winners: list[PolicyRule]) -> _Decision:
        ordered = sorted(winners, key=lambda rule: (_RULE_ORDER.get(rule.rule, len(_RULE_ORDER)), rule.rule))
        rules: list[str] = []
        reasons: list[str] = []
        obligations: set[str] = set()
        for rule in ordered:
            obligations |= rule.obligations
            if rule.rule not in rules:
                rules.append(rule.rule)
            reason = f"{rule.explanation} (rule {rule.rule})"
            if reason not in reasons:
                reasons.append(reason)
        if outcome == "refuse":
            prefix = "Refused"
        elif outcome == "release":
            prefix = "Released without review"
        else:
            prefix = f"Needs review by {_REVIEWER_WORDS[reviewer or 'superintendent']}"
        return _Decision(
            outcome, reviewer, tuple(rules), frozenset(obligations), f"{prefix}: {'; '.join(reasons)}."
        )

    def triage(self, case: Case, *, students_named: int | None = None) -> TriageResult:
        """Decide every student × category of the case, in request order (students, then categories).

        Each distinct combination of (student facts, category) is evaluated once: students whose facts
        are alike share the Cedar decision. Deterministic for a given case (including its `now`).
        `students_named`: how many students the whole request named, when the case holds only some.
        """
        request = case.request
        student_ids = request.student_ids
        entities = self.entities_for(request, case.now, students_named)
        disclose: list[dict[str, Any]] = []
        alerts: list[dict[str, Any]] = []
        slot: dict[tuple[tuple[bool, ...], str], int] = {}
        for student_id in student_ids:
            facts = case.students.get(student_id)
            if facts is None:
                raise CaseError([(("request", "students"), f"no student facts for {student_id!r}")])
            key = facts.policy_facts
            context = _student_context(facts)
            for category in request.categories:
                if (key, category) not in slot:
                    slot[key, category] = len(disclose)
                    disclose.append(
                        {
                            "principal": _REQUEST_UID,
                            "action": _DISCLOSE,
                            "resource": _CATEGORY_UIDS[category],
                            "context": context,
                        }
                    )
            alerts.append(
                {
                    "principal": _REQUEST_UID,
                    "action": _ALERT,
                    "resource": {"type": "Student", "id": student_id},
                    "context": context,
                }
            )
        results = self.authorize("disclose", disclose, entities)
        alert_results = self.authorize("alert", alerts, entities)
        decisions: dict[int, _Decision] = {}
        items: list[TriageItem] = []
        for student_id, alert in zip(student_ids, alert_results, strict=True):
            key = case.students[student_id].policy_facts
            # The alert rides on every item of the student, whatever the outcome (DOMAIN.md "Always").
            # Its explanation is not shown: a requester must not learn that a child is flagged missing.
            always: frozenset[str] = frozenset()
            if alert.allowed:
                always = frozenset().union(*(rule.obligations for rule in self._matched(alert)))
            for category in request.categories:
                index = slot[key, category]
                decision = decisions.get(index)
                if decision is None:
                    decision = decisions[index] = self._decide(results[index])
                items.append(
                    TriageItem(
                        student_id=student_id,
                        category=category,
                        outcome=decision.outcome,
                        reviewer=decision.reviewer,
                        rules=decision.rules,
                        obligations=tuple(sorted(decision.obligations | always)),
                        explanation=decision.explanation,
                    )
                )
        return TriageResult(policy=self.info, items=tuple(items))

    def check_lawful_basis(
        self, case: Case, item: object, basis: str, *, students_named: int | None = None
    ) -> tuple[bool, str]:
        """May a reviewer approve this item on this lawful basis? Returns (allowed, reason).

        Refused items can never be approved, whatever the basis; otherwise the policy's `approve` rules
        say whether the case facts support the basis for this item.
        """
        student_id, category = _item_key(item)
        request = case.request
        if student_id not in request.student_ids or category not in request.categories:
            raise ValueError(f"{student_id}/{category} is not an item of this case")
        facts = case.students[student_id]
        entities = self.entities_for(request, case.now, students_named)
        resource = _CATEGORY_UIDS[category]
        disclose = {
            "principal": _REQUEST_UID,
            "action": _DISCLOSE,
            "resource": resource,
            "context": _student_context(facts),
        }
        decision = self._decide(self.authorize("disclose", [disclose], entities)[0])
        if decision.outcome == "refuse":
            return False, f"Refused items can never be approved. {decision.explanation}"
        if basis not in LAWFUL_BASES:
            return False, "That is not a lawful basis: choose one of the lawful bases the policy lists."
        basis_json = json.dumps(_entity("LawfulBasis", basis), separators=(",", ":"))
        approve = {
            "principal": _REQUEST_UID,
            "action": _APPROVE,
            "resource": resource,
            "context": _student_context(facts, f',"basis":{basis_json}'),
        }
        approval = self.authorize("approve", [approve], entities)[0]
        grounds = self._matched(approval)
        if approval.allowed:
            reasons = "; ".join(rule.explanation for rule in grounds if rule.effect == "permit")
            return True, f"Approval allowed on this lawful basis ({_basis_words(basis)}): {reasons}."
        refusals = [rule.explanation for rule in grounds if rule.effect == "forbid"]
        if refusals:
            return False, (
                f"Approval is not allowed on this lawful basis ({_basis_words(basis)}): "
                f"{'; '.join(refusals)}."
            )
        needs = [rule.explanation for rule in self.bases.get(basis, [])]
        if not needs:
            return False, f"This policy recognises no approval on this lawful basis ({_basis_words(basis)})."
        return False, (
            f"Approval is not allowed on this lawful basis ({_basis_words(basis)}): it needs "
            f"{' or '.join(needs)}, "
            "which the case does not show."
        )


def _basis_words(basis: str) -> str:
    """A lawful basis as people read it (the vocabulary's label), in a reviewer's message."""
    from brightline.vocabulary import label_en

    return label_en("lawful_basis", basis)


_DISCLOSE = {"type": "Action", "id": "disclose"}
_ALERT = {"type": "Action", "id": "alert"}
_APPROVE = {"type": "Action", "id": "approve"}
_CATEGORY_UIDS = {category: {"type": "Category", "id": category} for category in CATEGORIES}


def _item_key(item: object) -> tuple[str, str]:
    if isinstance(item, TriageItem):
        return item.student_id, item.category
    if isinstance(item, Mapping):
        return str(item["student_id"]), str(item["category"])
    if isinstance(item, tuple) and len(item) == 2:
        return str(item[0]), str(item[1])
    raise TypeError("an item is a TriageItem, a mapping with student_id and category, or a pair")


# ---------------------------------------------------------------------------------------------------
# Loading, with one parse per policy text
# ---------------------------------------------------------------------------------------------------

_cache: dict[tuple[str, str, str, str], PolicyVersion] = {}
_cache_lock = threading.Lock()


@functools.cache
def _default_schema_text() -> str:
    # Package data: it does not change while the process runs.
    return DEFAULT_SCHEMA.read_text(encoding="utf-8")


def policy_from_text(
    text: str, *, policy_id: str, version: str, schema_text: str | None = None
) -> PolicyVersion:
    """A PolicyVersion for this text, parsed once per (text, schema, id, version) and then reused."""
    schema = schema_text if schema_text is not None else _default_schema_text()
    key = (_sha256(text), _sha256(schema), policy_id, version)
    found = _cache.get(key)
    if found is not None:
        return found
    with _cache_lock:
        found = _cache.get(key)
        if found is None:
            found = _cache[key] = PolicyVersion(
                text, policy_id=policy_id, version=version, schema_text=schema
            )
    return found


def load_policy(path: str | Path | None = None, *, schema_path: str | Path | None = None) -> PolicyVersion:
    """The default policy, or the Cedar file at `path` (its id is the file stem; its version the VERSION
    file beside it, else "draft"). Raises PolicyError for an unusable policy, OSError for a missing file."""
    if path is None and schema_path is None:
        return default_policy()
    if path is None:
        policy_path = DEFAULT_POLICY
        policy_id = "default"
    else:
        policy_path = Path(path)
        policy_id = policy_path.stem
    text = policy_path.read_text(encoding="utf-8")
    version_file = policy_path.parent / "VERSION"
    version = version_file.read_text(encoding="utf-8").strip() if version_file.is_file() else "draft"
    schema_text = Path(schema_path).read_text(encoding="utf-8") if schema_path is not None else None
    return policy_from_text(text, policy_id=policy_id, version=version or "draft", schema_text=schema_text)


@functools.cache
def default_policy() -> PolicyVersion:
    """The shipped default policy (package data), loaded once per process."""
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    version = (DEFAULT_DIR / "VERSION").read_text(encoding="utf-8").strip() or "draft"
    return policy_from_text(text, policy_id="default", version=version)


def validate_policy(text: str, schema_text: str | None = None) -> list[str]:
    """Every problem of a policy text against the schema and our annotation conventions ([] if none)."""
    try:
        PolicyVersion(text, policy_id="validate", version="draft", schema_text=schema_text)
    except PolicyError as error:
        return error.problems
    return []


class Engine:
    """The triage engine bound to one policy version (the default policy unless one is given)."""

    def __init__(self, policy: PolicyVersion | str | Path | None = None) -> None:
        self.policy = policy if isinstance(policy, PolicyVersion) else load_policy(policy)

    def triage(self, case: Case | Mapping[str, Any]) -> TriageResult:
        return self.policy.triage(case if isinstance(case, Case) else parse_case(case))

    def check_lawful_basis(self, case: Case, item: object, basis: str) -> tuple[bool, str]:
        return self.policy.check_lawful_basis(case, item, basis)


def _policy(policy: PolicyVersion | str | Path | None) -> PolicyVersion:
    return policy if isinstance(policy, PolicyVersion) else load_policy(policy)


def triage(
    case: Case | Mapping[str, Any], policy: PolicyVersion | str | Path | None = None
) -> dict[str, Any]:
    """Triage a case (a Case, or a case document that is parsed first) and return the result JSON."""
    parsed = case if isinstance(case, Case) else parse_case(case)
    return _policy(policy).triage(parsed).to_json()


def check_lawful_basis(
    case: Case, item: object, basis: str, policy: PolicyVersion | str | Path | None = None
) -> tuple[bool, str]:
    """Whether a reviewer may approve `item` (a TriageItem, a {student_id, category} mapping or a pair)
    recording `basis` (one of LAWFUL_BASES). Refused items can never be approved."""
    return _policy(policy).check_lawful_basis(case, item, basis)
