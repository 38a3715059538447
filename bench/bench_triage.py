"""Triage of a 5-student × 8-category request, beside the floor of calling cedarpy directly.

The engine's figure is end to end, as the API and the CLI use it: parse the case document, triage it,
build the result JSON. The floor, measured in the same run on the same core, makes exactly the Cedar
calls those decisions need and nothing else: one request entity parsed, and one pre-built Cedar request
per item and per student (40 + 5), with the same pre-parsed policy sets. The engine evaluates each
distinct combination of facts once, so it can beat the floor when students share facts; the "all
students different" rows show it when no two do.

Run with `make bench` (or `python bench/bench_triage.py`).
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import cedarpy

from brightline.policy import engine
from brightline.policy.cases import parse_case

CATEGORIES = [
    "directory",
    "contact",
    "enrollment",
    "attendance",
    "academic",
    "discipline",
    "health",
    "law_enforcement_unit",
]
ROUNDS = 1000
WARMUP = 200
TARGET_P99_MS = 5.0
TARGET_RATIO = 0.5


def _case(facts: list[dict[str, bool]]) -> dict[str, Any]:
    students = [{"student_id": f"S-{100 + n}", **flags} for n, flags in enumerate(facts)]
    return {
        "now": "2026-03-02T10:00:00-05:00",
        "request": {
            "requester": {"kind": "transit_police", "agency": "Transit Police", "name": "Sgt. R. Alves"},
            "purpose": "criminal_investigation",
            "description": "fare evasion and assault at a station",
            "categories": CATEGORIES,
            "students": [{"student_id": s["student_id"]} for s in students],
            "identified_by": "name_and_birth_date",
            "legal_process": {"kind": "none", "nondisclosure_order": False},
            "emergency": {"threat": "threat against a station agent", "ends_at": "2026-03-02T18:00:00-05:00"},
            "consent": None,
            "certification_no_redisclosure": False,
            "onward_recipients": [],
        },
        "students": students,
    }


def _flags(
    opt_out: bool = False, missing: bool = False, foster: bool = False, adjudicated: bool = False
) -> dict[str, bool]:
    return {
        "directory_opt_out": opt_out,
        "missing_child_flag": missing,
        "foster_care": foster,
        "adjudicated": adjudicated,
    }


# A typical request: most students share the roster's defaults. Three distinct sets of facts.
TYPICAL = [_flags(), _flags(), _flags(opt_out=True), _flags(), _flags(missing=True)]
# The worst case for the engine's sharing: no two students alike.
ALL_DIFFERENT = [
    _flags(),
    _flags(opt_out=True),
    _flags(missing=True),
    _flags(foster=True),
    _flags(adjudicated=True),
]


def _timings(work: Callable[[], object]) -> list[float]:
    for _ in range(WARMUP):
        work()
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return samples


def _p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


def _floor(policy: engine.PolicyVersion, document: dict[str, Any]) -> Callable[[], object]:
    """The Cedar calls the same decisions need, pre-built, with no sharing and no Python around them."""
    case = parse_case(document)
    delta = engine._request_entity(case.request, case.now)
    disclose: list[dict[str, Any]] = []
    alerts: list[dict[str, Any]] = []
    for student_id in case.request.student_ids:
        context = engine._student_context(case.students[student_id])
        for category in case.request.categories:
            disclose.append(
                {
                    "principal": engine._REQUEST_UID,
                    "action": engine._DISCLOSE,
                    "resource": {"type": "Category", "id": category},
                    "context": context,
                }
            )
        alerts.append(
            {
                "principal": engine._REQUEST_UID,
                "action": engine._ALERT,
                "resource": {"type": "Student", "id": student_id},
                "context": context,
            }
        )
    base = policy._entities
    disclose_set, alert_set = policy._sets["disclose"], policy._sets["alert"]

    def call() -> object:
        entities = base.with_added_json_str(delta)
        return cedarpy.is_authorized_batch(disclose, disclose_set, entities), cedarpy.is_authorized_batch(
            alerts, alert_set, entities
        )

    return call


def _rows(label: str, facts: list[dict[str, bool]], policy: engine.PolicyVersion) -> list[dict[str, Any]]:
    document = _case(facts)
    items = len(facts) * len(CATEGORIES)

    def triage() -> object:
        return policy.triage(parse_case(document)).to_json()

    floor = _floor(policy, document)
    # Interleave so that drift of the machine touches both figures alike.
    ours: list[float] = []
    base: list[float] = []
    for _ in range(3):
        ours += _timings(triage)
        base += _timings(floor)
    ours_p99, base_p99 = _p99(ours) * 1e3, _p99(base) * 1e3
    ours_rate, base_rate = items / statistics.median(ours), items / statistics.median(base)
    target = f"p99 <= {TARGET_P99_MS:g} ms per {items}-item request; ratio to floor >= {TARGET_RATIO:g}"
    return [
        {
            "name": f"triage p99 latency, 5 students x 8 categories ({label})",
            "figure": round(ours_p99, 3),
            "unit": "ms",
            "comparison": "cedarpy called directly for the same decisions (p99)",
            "comparison_figure": round(base_p99, 3),
            "ratio": round(base_p99 / ours_p99, 3),
            "target": target,
        },
        {
            "name": f"triage median latency, 5 students x 8 categories ({label})",
            "figure": round(statistics.median(ours) * 1e3, 3),
            "unit": "ms",
            "comparison": "cedarpy called directly for the same decisions (median)",
            "comparison_figure": round(statistics.median(base) * 1e3, 3),
            "ratio": round(statistics.median(base) / statistics.median(ours), 3),
            "target": target,
        },
        {
            "name": f"triage throughput, 5 students x 8 categories ({label})",
            "figure": round(ours_rate),
            "unit": "items/s",
            "comparison": "cedarpy called directly for the same decisions (items/s)",
            "comparison_figure": round(base_rate),
            "ratio": round(ours_rate / base_rate, 3),
            "target": target,
        },
    ]


def run() -> list[dict[str, Any]]:
    # Single-threaded throughout: each figure is what one core does.
    policy = engine.load_policy()
    return _rows("3 distinct student fact sets", TYPICAL, policy) + _rows(
        "all 5 students different", ALL_DIFFERENT, policy
    )


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
