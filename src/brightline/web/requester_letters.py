"""Letters to requesters from templates: acknowledgment, request to clarify, extension, decision (the
answer per record, with its reason, and how to ask for reconsideration) and counsel's answer to a
reconsideration. PDF through WeasyPrint; by e-mail only a link (a letter names the students as the
requester named them: it is read behind the sign-in).

Every letter is made from what the requester may read alone (`request_representation(...,
for_agency=True)`, the messages, the deadline's changes, the reconsiderations): no match state, no flag,
no fact of a student, so a letter reads the same for an enrolled student and one nobody identified."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from brightline.casework import selectors as casework_selectors
from brightline.casework.models import Request
from brightline.errors import NotFound
from brightline.web import labels
from brightline.web.answer_letter import _weasyprint, named_in_words

LETTER_KINDS = {
    "acknowledgment": "Acknowledgment of your request",
    "clarification": "Request to clarify",
    "extension": "Extension of the decision deadline",
    "decision": "The district's decision",
    "reconsideration": "Answer to your request for reconsideration",
}


def letter_html(request: Request, kind: str, *, now: dt.datetime | None = None) -> str:
    """The letter of this kind as HTML; NotFound when the request has nothing to say of that kind yet
    (no request to clarify, no extension, no reconsideration decided)."""
    if kind not in LETTER_KINDS:
        raise NotFound("no such letter")
    now = now or timezone.now()
    view = casework_selectors.request_representation(request, for_agency=True)
    context: dict[str, Any] = {
        "kind": kind,
        "title": LETTER_KINDS[kind],
        "district_name": settings.DISTRICT_NAME,
        "date": timezone.localtime(now),
        "view": view,
        "purpose": labels.label("purpose", view["purpose"]),
        "state": labels.label("request_state", view["state"]),
        # As the portal page: a decided request has no due date (a request refused at once is refused).
        "decided": view["state"] in ("closed", "released", "ready"),
        "refused": view["state"] == "closed",
    }
    if kind == "clarification":
        asked = [m for m in casework_selectors.messages_of(request) if m.kind == "clarification"]
        if not asked:
            raise NotFound("the district has not asked to clarify this request")
        context["message"] = asked[-1]
        context["paused"] = request.clock_paused_at is not None
    elif kind == "extension":
        changes = [c for c in casework_selectors.deadline_changes_of(request) if c.kind == "extended"]
        if not changes:
            raise NotFound("the deadline of this request was not extended")
        context["change"] = changes[-1]
    elif kind == "reconsideration":
        decided = [r for r in casework_selectors.reconsiderations_of(request) if r.outcome != "pending"]
        if not decided:
            raise NotFound("no reconsideration of this request was decided")
        context["reconsideration"] = decided[-1]
    elif kind == "decision":
        context["students"] = [
            {
                "named": named_in_words(student["named"]),
                "items": [
                    {
                        "category": labels.label("category", item["category"]),
                        "state": labels.label("item_state", item["state"]),
                        "refused": item["state"] == "refused",
                        "explanation": item["explanation"],
                    }
                    for item in view["items"]
                    if item["student_position"] == student["position"]
                ],
            }
            for student in view["students"]
        ]
        context["portal_url"] = f"{settings.SITE_URL.rstrip('/')}/portal/requests/{request.pk}/"
    return render_to_string("web/letters/requester.html", context)


def letter_pdf(request: Request, kind: str, *, now: dt.datetime | None = None) -> bytes:
    return bytes(_weasyprint().HTML(string=letter_html(request, kind, now=now)).write_pdf())


def letters_available(request: Request) -> list[tuple[str, str]]:
    """The kinds of letter this request has something to say in, with their titles."""
    kinds = ["acknowledgment", "decision"]
    if any(m.kind == "clarification" for m in request.messages.all()):
        kinds.append("clarification")
    if any(c.kind == "extended" for c in request.deadline_changes.all()):
        kinds.append("extension")
    if any(r.outcome != "pending" for r in request.reconsiderations.all()):
        kinds.append("reconsideration")
    return [(kind, LETTER_KINDS[kind]) for kind in LETTER_KINDS if kind in kinds]
