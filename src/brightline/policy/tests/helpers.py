"""Case documents for the policy tests, built from DOMAIN.md's example."""

from __future__ import annotations

import copy
from typing import Any

ACTIVE_EMERGENCY = {
    "threat": "a student said he would bring a weapon today",
    "ends_at": "2026-03-02T18:00:00-05:00",
}


def student(student_id: str = "S-1001", **facts: Any) -> dict[str, Any]:
    return {
        "student_id": student_id,
        "birth_date": "2010-05-01",
        "grade": "9",
        "directory_opt_out": False,
        "missing_child_flag": False,
        "foster_care": False,
        "adjudicated": False,
        **facts,
    }


def case(*, students: list[dict[str, Any]] | None = None, **request: Any) -> dict[str, Any]:
    """DOMAIN.md's example case, with request fields replaced by keyword (requester by kind=)."""
    body: dict[str, Any] = {
        "requester": {
            "kind": "transit_police",
            "agency": "Transit Police",
            "name": "Sgt. R. Alves",
            "position": "Sergeant",
        },
        "purpose": "criminal_investigation",
        "description": "free text",
        "categories": ["contact", "attendance"],
        "students": [{"student_id": "S-1001"}],
        "identified_by": "name_and_birth_date",
        "legal_process": {"kind": "none", "nondisclosure_order": False},
        "emergency": None,
        "consent": None,
        "certification_no_redisclosure": False,
        "onward_recipients": [],
    }
    kind = request.pop("kind", None)
    if kind is not None:
        body["requester"] = {"kind": kind}
    body.update(copy.deepcopy(request))
    facts = students if students is not None else [student(ref["student_id"]) for ref in body["students"]]
    return {"now": "2026-03-02T10:00:00-05:00", "request": body, "students": facts}


def consent(*categories: str, **fields: Any) -> dict[str, Any]:
    return {
        "signed_by": "Maria Rivera (mother)",
        "signed_on": "2026-02-20",
        "purpose": "tutoring program",
        "recipient": "the requesting agency",
        "categories": list(categories),
        **fields,
    }
