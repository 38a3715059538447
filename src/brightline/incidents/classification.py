"""Sorting an incident into school discipline or a law-enforcement matter, by the district's criteria.

The criteria are Cedar policies in `classification.cedar` (schema: `classification.cedarschema`). They
read who made the report (the unit of the person who wrote it), what it was made for, and the conduct.
This module only builds the Cedar request from an incident's facts, reads which policies matched and
words the result; it holds no criterion of its own. Pure Python plus cedarpy: importable without Django.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cedarpy

from brightline.policy.engine import entity_literals

HERE = Path(__file__).resolve().parent
POLICY_FILE = HERE / "classification.cedar"
SCHEMA_FILE = HERE / "classification.cedarschema"

DISCIPLINE = "discipline"
LAW_ENFORCEMENT_UNIT = "law_enforcement_unit"
RECORD_CATEGORIES = (DISCIPLINE, LAW_ENFORCEMENT_UNIT)

# Who made a report: the unit of the person who wrote it. Only the school police unit makes law-enforcement
# records (FERPA 99.8); principals, teachers and every other member of staff are school staff. The
# phrases word the classification's explanation.
UNITS: dict[str, str] = {
    "school_staff": "school staff",
    "school_police": "the school police unit",
}

# What a report was made for, in the words of the explanation.
PURPOSES: dict[str, str] = {
    "school_discipline": "for the school's discipline process",
    "law_enforcement": "for a law-enforcement purpose",
}

# The kinds of conduct a person recording an incident can tick. The policy decides which of them make a
# law-enforcement matter; these labels only say what each word means.
CONDUCT: dict[str, str] = {
    "fight": "Fight without injury",
    "assault": "Assault (an attack causing or meant to cause injury)",
    "weapon": "Dangerous weapon (possession or use)",
    "drugs": "Illegal drugs (possession or distribution)",
    "alcohol": "Alcohol",
    "tobacco_vaping": "Tobacco or vaping",
    "threat": "Threat to harm people",
    "sexual_conduct": "Sexual conduct",
    "bullying": "Bullying or harassment",
    "disruption": "Disruption of class or school",
    "defiance": "Defiance or disrespect",
    "vandalism": "Vandalism or damage to property",
    "theft": "Theft",
    "truancy": "Truancy or skipping class",
    "other": "Other conduct",
}

ANNOTATIONS = frozenset({"id", "explanation", "source", "routes"})
ACTIONS = ("classify", "route_weapon_report")
ROUTE_RECIPIENTS = ("police_chief", "child_protective_services", "student_services", "school_committee")
_INCIDENT_UID = {"type": "Incident", "id": "incident"}


@dataclass(frozen=True, slots=True)
class IncidentFacts:
    """What the policy reads of an incident: who made the report (a UNITS id), what for (a PURPOSES id),
    the kinds of conduct (CONDUCT ids) and whether the recorder reports a felony."""

    made_by: str
    purpose: str
    conduct: frozenset[str]
    felony: bool

    def problems(self) -> list[tuple[str, str]]:
        """Each fact the policy cannot read, with its field (`made_by`, `purpose`, `conduct`)."""
        found: list[tuple[str, str]] = []
        if self.made_by not in UNITS:
            found.append(("made_by", f"unknown unit {self.made_by!r}: one of {', '.join(UNITS)}"))
        if self.purpose not in PURPOSES:
            found.append(("purpose", f"unknown purpose {self.purpose!r}: one of {', '.join(PURPOSES)}"))
        unknown = sorted(self.conduct - set(CONDUCT))
        if unknown:
            found.append(("conduct", f"unknown conduct: {', '.join(unknown)}"))
        return found


class ClassificationPolicyError(ValueError):
    """The classification policy cannot be used: it does not parse, breaks the schema or our annotations."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True, slots=True)
class Criterion:
    policy_id: str  # Cedar's positional id, what decisions name
    id: str  # the @id annotation
    action: str
    effect: str
    category: str | None
    explanation: str
    source: str
    routes: tuple[str, ...]

    def describe(self) -> str:
        return f"{self.explanation} (criterion {self.id}; source: {self.source})"


@dataclass(frozen=True, slots=True)
class Classification:
    """What the policy says of one incident: the record category, the criteria that decided, and why."""

    category: str
    criteria: tuple[str, ...]
    explanation: str
    policy_sha256: str

    @property
    def is_law_enforcement(self) -> bool:
        return self.category == LAW_ENFORCEMENT_UNIT


@dataclass(frozen=True, slots=True)
class WeaponRouting:
    """Whether one student's weapon report must be routed, to whom, and the criterion that says so."""

    recipients: tuple[str, ...]
    criterion: str
    explanation: str


class ClassificationPolicy:
    """A parsed, checked classification policy. Immutable; shared between threads."""

    def __init__(self, text: str, schema_text: str) -> None:
        self.text = text
        self.sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
        problems: list[str] = []
        try:
            self._schema = cedarpy.Schema.from_str(schema_text)
        except ValueError as error:
            raise ClassificationPolicyError([f"schema: {error}"]) from error
        try:
            self._policies = cedarpy.PolicySet.from_str(text)
            est = json.loads(cedarpy.policies_to_json_str(text))
        except ValueError as error:
            raise ClassificationPolicyError([f"the policy does not parse: {error}"]) from error
        validation = cedarpy.validate_policies(text, self._schema)
        if not validation.validation_passed:
            problems.extend(str(problem.error) for problem in validation.errors)
        self.criteria: dict[str, Criterion] = {}
        for policy_id, body in est.get("staticPolicies", {}).items():
            criterion, found = _read_criterion(policy_id, body)
            problems.extend(found)
            if criterion is not None:
                self.criteria[policy_id] = criterion
        if not any(c.category == DISCIPLINE and c.effect == "permit" for c in self.criteria.values()):
            problems.append('a permit on Category::"discipline" must say why everything else is discipline')
        if problems:
            raise ClassificationPolicyError(problems)
        self._entities = cedarpy.Entities.from_json_str(json.dumps(_static_entities()), self._schema)

    def _entities_for(self, facts: IncidentFacts) -> cedarpy.Entities:
        problems = facts.problems()
        if problems:
            raise ValueError("; ".join(f"{field}: {message}" for field, message in problems))
        incident = {
            "uid": _INCIDENT_UID,
            "attrs": {
                "made_by": {"__entity": {"type": "Unit", "id": facts.made_by}},
                "purpose": {"__entity": {"type": "Purpose", "id": facts.purpose}},
                "conduct": [{"__entity": {"type": "Conduct", "id": name}} for name in sorted(facts.conduct)],
                "felony": bool(facts.felony),
            },
            "parents": [],
        }
        return self._entities.with_added_json_str(json.dumps([incident]))

    def _authorize(self, requests: list[dict[str, Any]], entities: cedarpy.Entities) -> list[Any]:
        results = cedarpy.is_authorized_batch(requests, self._policies, entities)
        for result in results:
            if result.diagnostics.errors:
                raise RuntimeError("; ".join(str(error) for error in result.diagnostics.errors))
        return results

    def _matched(self, result: Any) -> list[Criterion]:
        found = [self.criteria[policy_id] for policy_id in result.diagnostics.reasons]
        return sorted(found, key=lambda c: list(self.criteria).index(c.policy_id))

    def classify(self, facts: IncidentFacts) -> Classification:
        """The record category of an incident, and the criteria that decided it.

        A law-enforcement record names every criterion that made it one; school discipline names the
        forbids that kept it there (who made it, what for), or, when none did, the discipline criterion.
        """
        entities = self._entities_for(facts)
        law, discipline = self._authorize(
            [
                {
                    "principal": _INCIDENT_UID,
                    "action": {"type": "Action", "id": "classify"},
                    "resource": {"type": "Category", "id": category},
                    "context": {},
                }
                for category in (LAW_ENFORCEMENT_UNIT, DISCIPLINE)
            ],
            entities,
        )
        if law.allowed:
            winners = self._matched(law)
            reasons = "; ".join(c.describe() for c in winners)
            made = f"{UNITS[facts.made_by]} made it {PURPOSES[facts.purpose]}"
            return Classification(
                LAW_ENFORCEMENT_UNIT,
                tuple(c.id for c in winners),
                f"A law-enforcement record, kept by the school police unit: {made}, and {reasons}.",
                self.sha256,
            )
        kept_back = [c for c in self._matched(law) if c.effect == "forbid"]
        deciding = kept_back or [c for c in self._matched(discipline) if c.effect == "permit"]
        reasons = (
            "; ".join(c.describe() for c in deciding) or "no criterion makes it a law-enforcement record"
        )
        return Classification(
            DISCIPLINE,
            tuple(c.id for c in deciding),
            f"A school discipline matter, kept only in the students' discipline record: {reasons}.",
            self.sha256,
        )

    def weapon_routing(self, facts: IncidentFacts, *, possessed_weapon: bool) -> WeaponRouting:
        """Where a weapon report about one student goes (no recipients when it is not a weapon report)."""
        entities = self._entities_for(facts)
        (result,) = self._authorize(
            [
                {
                    "principal": _INCIDENT_UID,
                    "action": {"type": "Action", "id": "route_weapon_report"},
                    "resource": {"type": "Student", "id": "student"},
                    "context": {"possessed_weapon": bool(possessed_weapon)},
                }
            ],
            entities,
        )
        if not result.allowed:
            return WeaponRouting((), "", "")
        winners = [c for c in self._matched(result) if c.effect == "permit"]
        recipients: list[str] = []
        for criterion in winners:
            recipients.extend(r for r in criterion.routes if r not in recipients)
        return WeaponRouting(
            tuple(recipients),
            ", ".join(c.id for c in winners),
            "; ".join(c.describe() for c in winners),
        )


def _static_entities() -> list[dict[str, Any]]:
    entities: list[dict[str, Any]] = [
        {"uid": {"type": "Conduct", "id": name}, "attrs": {}, "parents": []} for name in CONDUCT
    ]
    entities += [
        {"uid": {"type": "Category", "id": name}, "attrs": {}, "parents": []} for name in RECORD_CATEGORIES
    ]
    entities += [{"uid": {"type": "Unit", "id": name}, "attrs": {}, "parents": []} for name in UNITS]
    entities += [{"uid": {"type": "Purpose", "id": name}, "attrs": {}, "parents": []} for name in PURPOSES]
    return entities


def _read_criterion(policy_id: str, body: dict[str, Any]) -> tuple[Criterion | None, list[str]]:
    annotations = {key: (value or "").strip() for key, value in body.get("annotations", {}).items()}
    criterion_id = annotations.get("id", "")
    where = f"criterion {criterion_id!r}" if criterion_id else f"{policy_id} (no @id)"
    problems: list[str] = []
    if not criterion_id:
        problems.append(f"{policy_id}: every criterion needs an @id")
    for key in annotations:
        if key not in ANNOTATIONS:
            problems.append(f"{where}: unknown annotation @{key}")
    for key in ("explanation", "source"):
        if not annotations.get(key):
            problems.append(f"{where}: needs an @{key}")
    for entity_type, entity_id in entity_literals(body):
        if entity_type == "Conduct" and entity_id not in CONDUCT:
            problems.append(f"{where}: unknown conduct {entity_id!r}")
        if entity_type == "Unit" and entity_id not in UNITS:
            problems.append(f"{where}: unknown unit {entity_id!r}")
        if entity_type == "Purpose" and entity_id not in PURPOSES:
            problems.append(f"{where}: unknown purpose {entity_id!r}")
        if entity_type == "Category" and entity_id not in RECORD_CATEGORIES:
            problems.append(
                f"{where}: an incident is either discipline or law_enforcement_unit, not {entity_id!r}"
            )
    scope = body.get("action", {})
    entity = scope.get("entity") if scope.get("op") == "==" else None
    action = entity.get("id") if isinstance(entity, dict) else None
    if action not in ACTIONS:
        problems.append(f"{where}: the action must be one of {', '.join(ACTIONS)}")
        return None, problems
    resource = body.get("resource", {})
    category = None
    if resource.get("op") == "==" and isinstance(resource.get("entity"), dict):
        category = str(resource["entity"].get("id"))
    if action == "classify" and category not in RECORD_CATEGORIES:
        problems.append(f'{where}: a classify criterion names its category (resource == Category::"…")')
    routes = tuple(part.strip() for part in annotations.get("routes", "").split(",") if part.strip())
    unknown = [r for r in routes if r not in ROUTE_RECIPIENTS]
    if unknown:
        problems.append(f"{where}: unknown recipients {', '.join(unknown)}")
    if action == "route_weapon_report" and body.get("effect") == "permit" and not routes:
        problems.append(f"{where}: a routing rule names its recipients in @routes")
    return (
        Criterion(
            policy_id=policy_id,
            id=criterion_id,
            action=str(action),
            effect=str(body.get("effect", "")),
            category=category,
            explanation=annotations.get("explanation", ""),
            source=annotations.get("source", ""),
            routes=routes,
        ),
        problems,
    )


@functools.cache
def classification_policy() -> ClassificationPolicy:
    """The district's classification policy (package data), parsed and checked once per process."""
    return ClassificationPolicy(
        POLICY_FILE.read_text(encoding="utf-8"), SCHEMA_FILE.read_text(encoding="utf-8")
    )


def validate_classification_policy(text: str, schema_text: str | None = None) -> list[str]:
    """Every problem of a classification policy text ([] when it can be used)."""
    try:
        ClassificationPolicy(text, schema_text or SCHEMA_FILE.read_text(encoding="utf-8"))
    except ClassificationPolicyError as error:
        return error.problems
    return []
