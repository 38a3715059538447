"""Pages for everyone: the home page and per-role dashboard, the policy in effect, the ledger."""

from __future__ import annotations

import functools
import json
from typing import Any

import cedarpy
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from brightline.casework.selectors import emergencies_waiting_for, requests_visible_to
from brightline.casework.triage import policy_in_effect
from brightline.incidents.selectors import schools_for
from brightline.ledger.keys import log_verifier_key
from brightline.ledger.selectors import (
    checkpoint_latest,
    checkpoint_published_text,
    entry_indexes_of,
    ledger_size,
    receipt_for,
)
from brightline.policy.engine import PolicyRule
from brightline.policy.selectors import versions_visible_to
from brightline.policy.stored import version_in_effect_at
from brightline.ui import REQUESTERS, SCHOOL_STAFF
from brightline.vocabulary import OBLIGATIONS, RULE_IDS
from brightline.web import labels
from brightline.web.navigation import destinations_for

StrOrPromise = str | Promise

# The rules of the default policy (DOMAIN.md version 2) in plain words, by rule id; each section of the
# page lists the rules of the text in effect that it names. `{threshold}` is read from rule B's condition.
RULE_IN_WORDS: dict[str, StrOrPromise] = {
    "F1": _(
        "A request for civil immigration enforcement, from an immigration agency, or whose records would go "
        "on to immigration enforcement is refused in full, whatever records it asks for. Only judicial "
        "process (a subpoena, a grand jury subpoena, a court order or a warrant signed by a judge) changes "
        "that: the legal advisor then vets it under rule L. An administrative warrant, such as an "
        "immigration detainer, is not judicial process and compels nothing. The district's legal advisor "
        "gets a copy of every such request."
    ),
    "F2": _(
        "Nothing is given to a regional intelligence (fusion) center, or to anyone whose records would go on "
        "to a fusion center or into a gang database."
    ),
    "F3": _(
        "A student's citizenship, immigration status or place of birth is never collected and never "
        "disclosed, whoever asks."
    ),
    "F4": _(
        "School discipline records are not given to law enforcement (city, transit and state police, federal "
        "agents and prosecutors) unless the request comes with legal process that counsel reviews, an "
        "emergency that counts under rule R1, or the family's valid written consent covering discipline. "
        "Even with that consent, the superintendent checks them first (rule R6)."
    ),
    "F5": _(
        "Abuse and neglect report files (51A reports, kept outside the education record) go only to "
        "child-protective services."
    ),
    "F6": _(
        "When directory information is the only ground for a release, it is refused if the family opted out "
        "of directory information, or if the requester did not identify the student by name and date of "
        "birth: directory information may not be used to confirm who a student is. How the student was "
        "identified is read from what the requester sent, never from what it says. A consent covering "
        "directory information, legal process, an emergency that counts, or rules R2, R3, R7 and R8 are "
        "other grounds, which this rule does not limit."
    ),
    "F7": _(
        "A juvenile justice agency receives nothing without its written certification that it will not "
        "pass the records on, and nothing about a student who has already been adjudicated."
    ),
    "L": _(
        "A subpoena, an administrative subpoena, a grand jury subpoena, a court order or a warrant signed by "
        "a judge sends every record that is not refused to the district's legal advisor, before any rule "
        "that would release it. The family is told before anything is released, and the disclosure is "
        "recorded. When the legal process comes with an order not to tell the family, the family is not "
        "told and the entry in the student's record of disclosures is sealed: kept for auditors, hidden "
        "from the family. No notice against passing the records on is attached: the law exempts "
        "disclosures under legal process."
    ),
    "V4": _(
        "Every record a federal law-enforcement agency asks for that is not refused goes to the legal "
        "advisor, whatever rule would otherwise release it: no school police report and no directory "
        "entry leaves for a federal agency without counsel. The family is told first, the disclosure is "
        "recorded, and the agency must accept the notice against passing the records on. With legal "
        "process, rule L decides instead."
    ),
    "R1": _(
        "An emergency counts only when it comes from an emergency responder (city or town police, transit "
        "police, state police, child-protective services or public health), states a threat to health or "
        "safety, and has not ended. Then directory information, contact information, enrollment, attendance "
        "and health records are cleared without the superintendent's review, and the other education "
        "records go to the superintendent. Nothing is released before a district official (the records "
        "office, the student's principal or an administrator) records that the threat is articulable and "
        "significant and the requester an appropriate recipient. The threat and every recipient are "
        "recorded, the recipient must accept the notice against passing the records on, and the family is "
        "told after the release. The emergency is checked again at the moment of release: records cleared "
        "under an emergency that has since ended go back to review. An emergency claimed by anyone else, "
        "without a threat, or already over is no emergency: the other rules decide."
    ),
    "R2": _(
        "Child-protective services investigating suspected abuse or neglect may have directory information, "
        "contact information, enrollment, attendance, health and academic records and the abuse report "
        "files without review; other education records go to the superintendent. The disclosure is "
        "recorded, the agency must accept the notice against passing the records on, and a building "
        "administrator decides when the family is told."
    ),
    "R3": _(
        "The child welfare agency responsible for a student in foster care may have the student's education "
        "records for the case plan without review (the Uninterrupted Scholars Act). The disclosure is "
        "recorded and the agency must accept the notice against passing the records on."
    ),
    "R4": _(
        "Incident reports made and kept by the school police unit are not education records: law "
        "enforcement investigating a crime may have them without review. The district records the "
        "disclosure although the law does not require it. Education records asked for in the same request "
        "follow the other rules."
    ),
    "R5": _(
        "Directory information that rule F6 does not refuse may be released, and the release is recorded. "
        "This rule counts only when no other rule releases the record."
    ),
    "R6": _(
        "A parent's or eligible student's written consent releases the records it names without review. A "
        "consent is valid only when who signed it, the date it was signed, its purpose and its recipient "
        "are all filled in; a consent with any of them missing is treated as no consent. The disclosure is "
        "recorded and the recipient must accept the notice against passing the records on. School "
        "discipline records under a consent given to law enforcement are checked by the superintendent "
        "first."
    ),
    "B": _(
        "A request naming more than {threshold} students, from anyone other than a school official, another "
        "school district, a parent or an eligible student, releases nothing without review: where another "
        "rule would release a record, the superintendent reviews it instead, and that rule's obligations "
        "still apply."
    ),
    "R7": _(
        "School officials with a legitimate educational interest may see education records without review. "
        "School police reports are not education records: the superintendent reviews a request for them."
    ),
    "R8": _(
        "Parents and eligible students asking to see the student's records may see every education record "
        "without review; the superintendent reviews a request for school police reports."
    ),
    "V1": _(
        "A juvenile justice agency that certified it will not pass the records on, asking about a student "
        "not yet adjudicated, is reviewed by the superintendent. The family is told before anything is "
        "released, the disclosure is recorded, and the agency must accept the notice against passing the "
        "records on."
    ),
    "V2": _(
        "Courts and probation asking without legal process are reviewed by the superintendent. The family is "
        "told before anything is released, the disclosure is recorded, and the recipient must accept the "
        "notice against passing the records on."
    ),
    "V3": _(
        "A military recruiter or a college asking for a student's contact information is refused when the "
        "family opted out of directory information; otherwise the legal advisor reviews it and the "
        "disclosure is recorded. Their requests for other records follow the other rules."
    ),
    "D": _(
        "Every other request is reviewed by the superintendent. The disclosure is recorded and the recipient "
        "must accept the notice against passing the records on."
    ),
}
# What each obligation means for the family and the recipient, beyond its short name (labels.py).
OBLIGATION_IN_WORDS: dict[str, StrOrPromise] = {
    "record_disclosure": _(
        "An entry in the student's record of disclosures, which the family can read in their own language "
        "(FERPA 99.32, 603 CMR 23.07)."
    ),
    "sealed_record": _(
        "Under an order not to tell the family, the entry is written for auditors and hidden from the "
        "family, and no notice is sent (FERPA 99.32(d)(5))."
    ),
    "notify_family_before_release": _(
        "The family is sent a notice, and nothing is released until the notice period has ended."
    ),
    "notify_family_after_release": _("The family is sent a notice once the records are released."),
    "family_notice_by_administrator": _(
        "In an abuse investigation a building administrator decides whether and when the family is told."
    ),
    "record_threat": _(
        "The threat, as the district found it, and everyone who received the records are recorded "
        "(FERPA 99.32(a)(5))."
    ),
    "determine_emergency": _(
        "Before anything is released, a district official (the records office, the student's principal or "
        "an administrator) records that the threat is articulable and significant and the requester an "
        "appropriate recipient (FERPA 99.36(c)). This is not a review by the superintendent."
    ),
    "redisclosure_notice": _(
        "The recipient must accept a notice that it may not pass the records on (FERPA 99.33) before it can "
        "download them."
    ),
    "notify_legal_advisor": _("The district's legal advisor gets a copy of the request."),
    "alert_police_missing_child": _(
        "When a student is flagged missing, the police are told that the student's records were asked for."
    ),
}
# The sections of the page, in DOMAIN.md's order: which rules each explains.
POLICY_SECTIONS: tuple[dict[str, Any], ...] = (
    {
        "id": "refused",
        "heading": _("Never released: refused by the policy"),
        "intro": _("Nobody can approve a record that one of these rules refuses."),
        "rules": ("F1", "F2", "F3", "F4", "F5", "F6", "F7"),
    },
    {
        "id": "counsel",
        "heading": _("Vetted by the district's legal advisor"),
        "intro": _("These rules come before any rule that would release a record without review."),
        "rules": ("L", "V4"),
    },
    {
        "id": "released",
        "heading": _("Released without review, and what must happen first"),
        "intro": _(
            "These rules clear records without a reviewer, each with what the district must do. Rule B "
            "sends a bulk request to the superintendent instead."
        ),
        "rules": ("R1", "R2", "R3", "R4", "R5", "R6", "B", "R7", "R8"),
    },
    {
        "id": "reviewed",
        "heading": _("Reviewed before anything is released"),
        "intro": _("A named reviewer decides each record, and can approve it only with a lawful basis."),
        "rules": ("V1", "V2", "V3", "D"),
    },
)
# The order in which a rule's obligations are read out: what holds a release back first.
OBLIGATION_ORDER: tuple[str, ...] = (
    "determine_emergency",
    "notify_family_before_release",
    "sealed_record",
    "record_threat",
    "record_disclosure",
    "redisclosure_notice",
    "notify_family_after_release",
    "family_notice_by_administrator",
    "notify_legal_advisor",
    "alert_police_missing_child",
)
TIER_OUTCOMES_IN_WORDS = {
    "refuse": _("Refused"),
    "legal_process": _("Reviewed by the legal advisor"),
    "release": _("Released without review"),
    "release_fallback": _("Released without review"),
    "bulk": _("Reviewed by the superintendent instead of released"),
}


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        context = {
            "destinations": destinations_for(request.user),
            # A principal determines the emergencies stated about their own school's students (rule R1).
            "emergencies": emergencies_waiting_for(user=request.user),
            # The schools a principal or school staff member works at, as the district assigned them (the
            # same as their incidents and emergencies): never the words of their position.
            "schools": [school.name for school in schools_for(request.user)]
            if request.user.role in SCHOOL_STAFF
            else [],
        }
        return render(request, "web/dashboard.html", context)
    return render(request, "web/home.html")


def policy(request: HttpRequest) -> HttpResponse:
    """The policy in effect in plain words: each rule of its text, what follows from it, the lawful bases,
    what version 2 changed, and links to the versions, the diff and the Cedar text."""
    now = timezone.now()
    version = policy_in_effect(now)
    stored = version_in_effect_at(now)
    previous = versions_visible_to(request.user).filter(number__lt=stored.number).first() if stored else None
    threshold = bulk_threshold(version.text)
    halves: dict[str, list[PolicyRule]] = {}
    for rule in version.rules.values():
        if rule.action == "disclose" and rule.rule in RULE_IDS:
            halves.setdefault(rule.rule, []).append(rule)
    sections = [
        dict(
            section,
            rules=[
                _rule_in_words(rule_id, halves[rule_id], threshold)
                for rule_id in section["rules"]
                if rule_id in halves
            ],
        )
        for section in POLICY_SECTIONS
    ]
    # A rule of the text in effect that the sections above do not name still appears, in its own words.
    named = {rule_id for section in POLICY_SECTIONS for rule_id in section["rules"]}
    others = [
        _rule_in_words(rule_id, halves[rule_id], threshold)
        for rule_id in RULE_IDS
        if rule_id in halves and rule_id not in named
    ]
    if others:
        sections.append({"id": "other-rules", "heading": _("Other rules"), "intro": "", "rules": others})
    attached: dict[str, list[str]] = {}
    for rule_id in RULE_IDS:
        for half in halves.get(rule_id, []):
            for obligation in half.obligations:
                if rule_id not in attached.setdefault(obligation, []):
                    attached[obligation].append(rule_id)
    alerts = [rule for rule in version.rules.values() if rule.action == "alert"]
    for rule in alerts:
        for obligation in rule.obligations:
            attached.setdefault(obligation, [])
    obligations = [
        {
            "name": gettext(labels.label("obligation", obligation)),
            "words": OBLIGATION_IN_WORDS.get(obligation, ""),
            "rules": attached[obligation],
        }
        for obligation in OBLIGATIONS
        if obligation in attached
    ]
    bases = [
        {"label": gettext(labels.label("lawful_basis", basis)), "explanation": rules[0].explanation}
        for basis, rules in version.bases.items()
    ]
    context = {
        "version": version,
        "stored": stored,
        "previous": previous,
        "sections": sections,
        "obligations": obligations,
        "missing_child": bool(alerts),
        "bases": bases,
        "threshold": threshold,
        "has_version_2_rules": {"V4", "B"} <= set(halves),
    }
    return render(request, "web/policy.html", context)


def _rule_in_words(rule_id: str, halves: list[PolicyRule], threshold: int | None) -> dict[str, Any]:
    """One rule for the page: its title, the district's words for it, and each half as the text states it
    (outcome, reviewer, explanation and what follows)."""
    title = gettext(labels.label("rule", rule_id))
    words = str(RULE_IN_WORDS.get(rule_id, ""))
    if rule_id == "B":
        # The threshold is the number in the text in effect, never a number typed here.
        if threshold is None:
            title, words = gettext("B · no bulk release"), words.format(threshold=gettext("a set number of"))
        else:
            title = gettext("B · no bulk release: more than %(threshold)s students are reviewed") % {
                "threshold": threshold
            }
            words = words.format(threshold=threshold)
    return {
        "id": rule_id,
        "title": title,
        "words": words,
        "halves": [
            {
                "outcome": _outcome_in_words(half),
                "explanation": half.explanation,
                "obligations": [
                    gettext(labels.label("obligation", name)) for name in _in_order(half.obligations)
                ],
                # A refusal needs nothing more said; a bulk hold keeps the obligations of the rule it holds.
                "says_nothing_more": half.tier not in ("refuse", "bulk"),
            }
            for half in halves
        ],
    }


def _in_order(obligations: frozenset[str]) -> list[str]:
    known = [name for name in OBLIGATION_ORDER if name in obligations]
    return known + sorted(obligations - set(known))


def _outcome_in_words(rule: PolicyRule) -> str:
    if rule.tier in TIER_OUTCOMES_IN_WORDS:
        return str(TIER_OUTCOMES_IN_WORDS[rule.tier])
    return gettext("Reviewed by %(reviewer)s") % {
        "reviewer": gettext(labels.label("reviewer", rule.reviewer or "superintendent"))
    }


@functools.lru_cache(maxsize=16)
def bulk_threshold(text: str) -> int | None:
    """The number of students above which rule B holds a request for review, read from the condition
    `principal.students_named > N` of the given policy text (None when the text has no such condition).
    Keyed by the whole text, which never changes under a version, so nothing here goes stale."""
    policies = json.loads(cedarpy.policies_to_json_str(text))["staticPolicies"].values()
    for policy in policies:
        if policy.get("annotations", {}).get("id") != "B":
            continue
        for condition in policy.get("conditions", []):
            if condition.get("kind") == "when":
                found = _students_named_bound(condition.get("body"))
                if found is not None:
                    return found
    return None


def _students_named_bound(node: object) -> int | None:
    """N in `principal.students_named > N` (or `>= N + 1`, `N < …`) anywhere in a Cedar JSON expression."""
    if isinstance(node, list):
        return next((n for n in map(_students_named_bound, node) if n is not None), None)
    if not isinstance(node, dict):
        return None
    for operator, flip in ((">", False), (">=", False), ("<", True), ("<=", True)):
        operands = node.get(operator)
        if isinstance(operands, dict):
            count, bound = (
                (operands.get("right"), operands.get("left"))
                if flip
                else (operands.get("left"), operands.get("right"))
            )
            value = bound.get("Value") if isinstance(bound, dict) else None
            if _is_students_named(count) and isinstance(value, int) and not isinstance(value, bool):
                return value if operator in (">", "<") else value - 1
    return next((n for n in map(_students_named_bound, node.values()) if n is not None), None)


def _is_students_named(node: object) -> bool:
    access = node.get(".") if isinstance(node, dict) else None
    return (
        isinstance(access, dict)
        and access.get("attr") == "students_named"
        and access.get("left") == {"Var": "principal"}
    )


VERIFY_RECEIPTS_SHOWN = 10


def _requester_receipts(request: HttpRequest) -> list[dict[str, Any]] | None:
    """A signed-in requester's receipts: for each of its agency's latest requests, the receipt of the
    entry that recorded the submission (`request.submitted`, the first of the submission's padded
    entries, whatever the district knows of the students). None for anyone else."""
    user = request.user
    requester = getattr(user, "requester", None) if getattr(user, "role", None) in REQUESTERS else None
    if requester is None:
        return None
    rows = list(
        requests_visible_to(agency=requester.agency)
        .order_by("-received_at")
        .values_list("pk", "reference", "received_at")[:VERIFY_RECEIPTS_SHOWN]
    )
    indexes = entry_indexes_of(
        event_type="request.submitted", key="request", values=[str(pk) for pk, _, _ in rows]
    )
    receipts = []
    for pk, reference, received_at in rows:
        index = indexes.get(str(pk))
        receipts.append(
            {
                "reference": reference,
                "received_at": received_at,
                "receipt": receipt_for(index) if index is not None else None,
            }
        )
    return receipts


def verify(request: HttpRequest) -> HttpResponse:
    """What the ledger proves and what it does not, the latest checkpoint and the key (without script),
    and the check in the browser (`static/web/verify.js`); a requester's receipts to paste into it."""
    latest = checkpoint_latest()
    return render(
        request,
        "web/verify.html",
        {
            "size": ledger_size(),
            "checkpoint": latest,
            "checkpoint_text": checkpoint_published_text(latest) if latest else "",
            "verifier_key": log_verifier_key(),
            "site_url": request.build_absolute_uri("/").rstrip("/"),
            "receipts": _requester_receipts(request),
        },
    )
