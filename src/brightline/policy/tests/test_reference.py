"""The Cedar policy against DOMAIN.md transcribed independently in plain Python, on generated cases.

The suites pin cases chosen by hand; this test asks the same question of thousands of fact combinations
nobody chose, so a slip in the Cedar text (a wrong category list, a missing `unless`) shows up here.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brightline.policy.engine import load_policy, parse_case
from brightline.vocabulary import (
    CATEGORIES,
    EDUCATION_RECORDS,
    EMERGENCY_RESPONDERS,
    IDENTIFIED_BY,
    JUDICIAL_PROCESS,
    LAW_ENFORCEMENT,
    LEGAL_PROCESS_KINDS,
    LEGAL_REVIEW_PROCESS,
    ONWARD_RECIPIENTS,
    PURPOSES,
    REQUESTER_KINDS,
    RULE_IDS,
)

R1_RELEASE = {"directory", "contact", "enrollment", "attendance", "health"}
R2_RELEASE = {"directory", "contact", "enrollment", "attendance", "health", "academic", "child_welfare"}
BULK_EXEMPT = {"school_official", "school_district", "parent", "eligible_student"}
ACTIVE = {"threat": "threat of harm", "ends_at": "2026-03-02T18:00:00-05:00"}
ENDED = {"threat": "threat of harm", "ends_at": "2026-03-02T09:00:00-05:00"}
UNSTATED = {"threat": "", "ends_at": "2026-03-02T18:00:00-05:00"}


def domain(request: dict[str, Any], facts: dict[str, Any], category: str) -> dict[str, Any]:
    """DOMAIN.md's default policy for one item, rule by rule, with the precedence it states."""
    kind, purpose = request["requester"]["kind"], request["purpose"]
    process, sealed_order = request["legal_process"]["kind"], request["legal_process"]["nondisclosure_order"]
    emergency = request["emergency"] is ACTIVE and kind in EMERGENCY_RESPONDERS
    consent = request["consent"]
    covered = (
        bool(consent)
        and all(consent.get(k) for k in ("signed_by", "signed_on", "purpose", "recipient"))
        and (category in consent["categories"])
    )
    law_enforcement = kind in LAW_ENFORCEMENT
    legal_review = process in LEGAL_REVIEW_PROCESS
    education = category in EDUCATION_RECORDS
    r2 = kind == "child_protective_services" and purpose == "child_abuse_investigation"
    r3 = kind == "child_protective_services" and purpose == "foster_care_case_plan" and facts["foster_care"]
    r7 = kind == "school_official" and purpose == "educational_interest"
    r8 = kind in ("parent", "eligible_student") and purpose == "parent_access"
    recruiter = kind in ("military_recruiter", "college")

    refuse: list[tuple[str, set[str]]] = []
    if (
        purpose == "civil_immigration_enforcement"
        or kind == "immigration_enforcement"
        or "immigration_enforcement" in request["onward_recipients"]
    ) and process not in JUDICIAL_PROCESS:
        refuse.append(("F1", {"notify_legal_advisor"}))
    if kind == "fusion_center" or {"fusion_center", "gang_database"} & set(request["onward_recipients"]):
        refuse.append(("F2", set()))
    if category == "immigration":
        refuse.append(("F3", set()))
    if category == "discipline" and law_enforcement and not legal_review and not emergency and not covered:
        refuse.append(("F4", set()))
    if category == "child_welfare" and kind != "child_protective_services":
        refuse.append(("F5", set()))
    only_ground = not (covered or legal_review or emergency or r2 or r3 or r7 or r8)
    if (
        category == "directory"
        and only_ground
        and (facts["directory_opt_out"] or request["identified_by"] != "name_and_birth_date")
    ):
        refuse.append(("F6", set()))
    if kind == "juvenile_justice" and (not request["certification_no_redisclosure"] or facts["adjudicated"]):
        refuse.append(("F7", set()))
    if recruiter and category == "contact" and facts["directory_opt_out"]:
        refuse.append(("V3", set()))

    def result(outcome: str, reviewer: str | None, matched: list[tuple[str, set[str]]]) -> dict[str, Any]:
        obligations = set().union(*(o for _, o in matched))
        if facts["missing_child_flag"]:
            obligations.add("alert_police_missing_child")
        rules = sorted({rule for rule, _ in matched}, key=RULE_IDS.index)
        return {"outcome": outcome, "reviewer": reviewer, "rules": rules, "obligations": sorted(obligations)}

    if refuse:
        return result("refuse", None, refuse)
    if legal_review:
        return result(
            "review",
            "legal_advisor",
            [
                (
                    "L",
                    {"sealed_record"}
                    if sealed_order
                    else {"notify_family_before_release", "record_disclosure"},
                )
            ],
        )
    notice_first = {"notify_family_before_release", "record_disclosure", "redisclosure_notice"}
    if kind == "federal_law_enforcement":
        return result("review", "legal_advisor", [("V4", notice_first)])

    r1_obligations = {
        "determine_emergency",
        "record_threat",
        "record_disclosure",
        "redisclosure_notice",
        "notify_family_after_release",
    }
    r2_obligations = {"record_disclosure", "redisclosure_notice", "family_notice_by_administrator"}
    release: list[tuple[str, set[str]]] = []
    if emergency and category in R1_RELEASE:
        release.append(("R1", r1_obligations))
    if r2 and category in R2_RELEASE:
        release.append(("R2", r2_obligations))
    if r3 and education:
        release.append(("R3", {"record_disclosure", "redisclosure_notice"}))
    if category == "law_enforcement_unit" and law_enforcement and purpose == "criminal_investigation":
        release.append(("R4", {"record_disclosure"}))
    consent_to_police = covered and category == "discipline" and law_enforcement
    if covered and not consent_to_police:
        release.append(("R6", {"record_disclosure", "redisclosure_notice"}))
    if r7 and education:
        release.append(("R7", set()))
    if r8 and education:
        release.append(("R8", set()))
    if not release and category == "directory":
        release.append(("R5", {"record_disclosure"}))
    if release and len(request["students"]) > 10 and kind not in BULK_EXEMPT:
        return result("review", "superintendent", [*release, ("B", set())])
    if release:
        return result("release", None, release)

    review: list[tuple[str, set[str]]] = []
    reviewers: set[str] = set()
    if emergency and education and category not in R1_RELEASE:
        review.append(("R1", r1_obligations))
        reviewers.add("superintendent")
    if r2 and education and category not in R2_RELEASE:
        review.append(("R2", r2_obligations))
        reviewers.add("superintendent")
    if consent_to_police:
        review.append(("R6", {"record_disclosure", "redisclosure_notice"}))
        reviewers.add("superintendent")
    if r8 and category == "law_enforcement_unit":
        review.append(("R8", set()))
        reviewers.add("superintendent")
    if kind == "juvenile_justice":
        review.append(("V1", notice_first))
        reviewers.add("superintendent")
    if kind in ("court", "probation"):
        review.append(("V2", notice_first))
        reviewers.add("superintendent")
    if recruiter and category == "contact":
        review.append(("V3", {"record_disclosure"}))
        reviewers.add("legal_advisor")
    if review:
        return result("review", "legal_advisor" if "legal_advisor" in reviewers else "superintendent", review)
    return result("review", "superintendent", [("D", {"record_disclosure", "redisclosure_notice"})])


flags = st.fixed_dictionaries(
    {
        name: st.booleans()
        for name in ("directory_opt_out", "missing_child_flag", "foster_care", "adjudicated")
    }
)
# Weighted towards the kinds and purposes the rules name, so that rules fire often.
kinds = st.sampled_from(REQUESTER_KINDS)
purposes = st.sampled_from(PURPOSES)
consents = st.one_of(
    st.none(),
    st.builds(
        lambda cats, blank: {
            "signed_by": "" if blank == 0 else "M. Rivera",
            "signed_on": None if blank == 1 else "2026-02-20",
            "purpose": "" if blank == 2 else "tutoring",
            "recipient": None if blank == 3 else "the agency",
            "categories": cats,
        },
        st.lists(st.sampled_from(CATEGORIES), unique=True, max_size=5),
        st.integers(min_value=0, max_value=8),
    ),
)
requests = st.fixed_dictionaries(
    {
        "requester": st.builds(lambda kind: {"kind": kind}, kinds),
        "purpose": purposes,
        "categories": st.lists(st.sampled_from(CATEGORIES), unique=True, min_size=1, max_size=12),
        "students": st.just([]),
        "identified_by": st.sampled_from(IDENTIFIED_BY),
        "legal_process": st.fixed_dictionaries(
            {"kind": st.sampled_from(LEGAL_PROCESS_KINDS), "nondisclosure_order": st.booleans()}
        ),
        "emergency": st.sampled_from([None, ACTIVE, ENDED, UNSTATED]),
        "consent": consents,
        "certification_no_redisclosure": st.booleans(),
        "onward_recipients": st.lists(st.sampled_from(ONWARD_RECIPIENTS), unique=True, max_size=2),
    }
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    request=requests,
    students=st.one_of(st.lists(flags, min_size=1, max_size=3), st.lists(flags, min_size=9, max_size=13)),
)
def test_cedar_policy_agrees_with_domain_on_generated_cases(
    request: dict[str, Any], students: list[dict[str, Any]]
) -> None:
    facts = [{"student_id": f"S-{n}", **student} for n, student in enumerate(students)]
    request = {**request, "students": [{"student_id": f["student_id"]} for f in facts]}
    document = {"now": "2026-03-02T10:00:00-05:00", "request": request, "students": facts}
    result = load_policy().triage(parse_case(document))
    expected = [
        {"student_id": f["student_id"], "category": category, **domain(request, f, category)}
        for f in facts
        for category in request["categories"]
    ]
    got = [
        {
            "student_id": item.student_id,
            "category": item.category,
            "outcome": item.outcome,
            "reviewer": item.reviewer,
            "rules": list(item.rules),
            "obligations": list(item.obligations),
        }
        for item in result.items
    ]
    assert got == expected
