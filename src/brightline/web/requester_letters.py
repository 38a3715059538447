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
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

from brightline.casework import selectors as casework_selectors
from brightline.casework.conversation import clock_waits_for_requester
from brightline.casework.models import Request
from brightline.errors import NotFound
from brightline.web import labels
from brightline.web.answer_letter import _weasyprint

# Titles in the page's language where the pages list the letters; the letters themselves are written
# in English, the working language of the agencies that read them (`LETTER_LANGUAGE`), from strings
# marked for translation so that a district may send them in another language one day.
LETTER_KINDS = {
    "acknowledgment": gettext_lazy("Acknowledgment of your request"),
    "clarification": gettext_lazy("Request to clarify"),
    "extension": gettext_lazy("Extension of the decision deadline"),
    "decision": gettext_lazy("The district's decision"),
    "reconsideration": gettext_lazy("Answer to your request for reconsideration"),
}
LETTER_LANGUAGE = "en"


def _named_in_words(named: dict[str, Any]) -> str:
    """How the requester named a student, with the birth date in words ("born May 1, 2013")."""
    if named.get("student_id"):
        return gettext("Student ID %(id)s") % {"id": named["student_id"]}
    born = str(named.get("birth_date", ""))
    try:
        born = date_format(dt.date.fromisoformat(born), "F j, Y")
    except ValueError:
        pass
    return gettext("%(first)s %(last)s, born %(born)s") % {
        "first": named.get("first_name", ""),
        "last": named.get("last_name", ""),
        "born": born,
    }


def letter_html(request: Request, kind: str, *, now: dt.datetime | None = None) -> str:
    """The letter of this kind as HTML; NotFound when the request has nothing to say of that kind yet
    (no request to clarify, no extension, no reconsideration decided)."""
    if kind not in LETTER_KINDS:
        raise NotFound("no such letter")
    with translation.override(LETTER_LANGUAGE):
        return _letter_html(request, kind, now=now or timezone.now())


def _letter_html(request: Request, kind: str, *, now: dt.datetime) -> str:
    view = casework_selectors.request_representation(request, for_agency=True)
    context: dict[str, Any] = {
        "kind": kind,
        "title": str(LETTER_KINDS[kind]),
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
        # Paused on this question (a pause of the office's own does not wait for the requester's answer).
        context["paused"] = clock_waits_for_requester(request)
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
                "named": _named_in_words(student["named"]),
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
    return bytes(
        _weasyprint().HTML(string=letter_html(request, kind, now=now)).write_pdf(pdf_variant="pdf/ua-1")
    )


def letters_available(request: Request) -> list[tuple[str, Any]]:
    """The kinds of letter this request has something to say in, with their titles."""
    kinds = ["acknowledgment", "decision"]
    if any(m.kind == "clarification" for m in request.messages.all()):
        kinds.append("clarification")
    if any(c.kind == "extended" for c in request.deadline_changes.all()):
        kinds.append("extension")
    if any(r.outcome != "pending" for r in request.reconsiderations.all()):
        kinds.append("reconsideration")
    return [(kind, LETTER_KINDS[kind]) for kind in LETTER_KINDS if kind in kinds]
