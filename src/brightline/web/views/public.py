"""Pages for everyone: the home page and per-role dashboard, the policy in effect, the ledger."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from brightline.casework.selectors import emergencies_waiting_for
from brightline.casework.triage import policy_in_effect
from brightline.ledger.keys import log_verifier_key
from brightline.ledger.selectors import checkpoint_latest, checkpoint_published_text, ledger_size
from brightline.policy.vocabulary import RULE_IDS, TIERS
from brightline.web import labels
from brightline.web.navigation import destinations_for

TIER_HEADINGS = {
    "refuse": "Never released",
    "legal_process": "Legal process: reviewed by the legal advisor",
    "release": "Released without review",
    "release_fallback": "Directory information",
    "review": "Reviewed before release",
    "default": "Everything else: reviewed by the superintendent",
}


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        context = {
            "destinations": destinations_for(request.user),
            # A principal determines the emergencies stated about their own school's students (rule R1).
            "emergencies": emergencies_waiting_for(user=request.user),
        }
        return render(request, "web/dashboard.html", context)
    return render(request, "web/home.html")


def policy(request: HttpRequest) -> HttpResponse:
    version = policy_in_effect(timezone.now())
    by_rule: dict[str, dict[str, object]] = {}
    for rule in version.rules.values():
        if rule.action != "disclose" or rule.rule not in RULE_IDS:
            continue
        entry = by_rule.setdefault(
            rule.rule,
            {
                "id": rule.rule,
                "title": labels.label("rule", rule.rule),
                "tier": rule.tier,
                "explanations": [],
                "obligations": set(),
                "reviewers": set(),
            },
        )
        if rule.explanation and rule.explanation not in entry["explanations"]:  # type: ignore[operator]
            entry["explanations"].append(rule.explanation)  # type: ignore[attr-defined]
        entry["obligations"].update(rule.obligations)  # type: ignore[attr-defined]
        if rule.reviewer:
            entry["reviewers"].add(rule.reviewer)  # type: ignore[attr-defined]
    groups = []
    for tier in TIERS:
        rules = [
            dict(
                entry,
                obligations=sorted(entry["obligations"]),  # type: ignore[call-overload]
                reviewers=sorted(entry["reviewers"]),  # type: ignore[call-overload]
            )
            for rule_id in RULE_IDS
            if rule_id in by_rule and (entry := by_rule[rule_id])["tier"] == tier
        ]
        if rules:
            groups.append({"heading": TIER_HEADINGS.get(tier, tier), "rules": rules})
    bases = [
        {
            "id": rule.basis,
            "label": labels.label("lawful_basis", rule.basis or ""),
            "explanation": rule.explanation,
        }
        for rule in version.rules.values()
        if rule.action == "approve" and rule.basis
    ]
    return render(request, "web/policy.html", {"version": version, "groups": groups, "bases": bases})


def verify(request: HttpRequest) -> HttpResponse:
    latest = checkpoint_latest()
    return render(
        request,
        "web/verify.html",
        {
            "size": ledger_size(),
            "checkpoint": latest,
            "checkpoint_text": checkpoint_published_text(latest) if latest else "",
            "verifier_key": log_verifier_key(),
        },
    )
