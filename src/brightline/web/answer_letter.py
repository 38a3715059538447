"""The district's answer to a requester as a letter: what the portal page and the API say, on paper.

The records office prints it for a request that came by fax, mail or in person; a requester on the
portal downloads it. It is made from the requester's view of the request alone
(`casework.selectors.request_representation(..., for_agency=True)`): no match state, no flag, no fact of
a student, so it reads the same for a student who is enrolled and one who is not."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from brightline.casework import selectors as casework_selectors
from brightline.casework.models import Request
from brightline.formats.local import local_date
from brightline.web import labels


@lru_cache(maxsize=1)
def _weasyprint() -> Any:
    import weasyprint

    return weasyprint


def named_in_words(named: dict[str, Any]) -> str:
    """How the requester named a student, in words."""
    if named.get("student_id"):
        return gettext("Student ID %(id)s") % {"id": named["student_id"]}
    name = f"{named.get('first_name', '')} {named.get('last_name', '')}".strip()
    if not named.get("birth_date"):
        return name
    # The requester's ISO date as a day in words ("born April 5, 2011"), in the page's language.
    return gettext("%(name)s, born %(day)s") % {"name": name, "day": local_date(named["birth_date"])}


def answer_letter_html(request: Request, *, policy_url: str, now: dt.datetime | None = None) -> str:
    """The letter as HTML, for WeasyPrint."""
    now = now or timezone.now()
    view = casework_selectors.request_representation(request, for_agency=True)
    students = [
        {
            "named": named_in_words(student["named"]),
            "items": [
                {
                    "category": labels.label("category", item["category"]),
                    "state": labels.label("item_state", item["state"]),
                    "explanation": item["explanation"],
                    "conditions": [labels.label("requester_obligation", o) for o in item["obligations"]],
                }
                for item in view["items"]
                if item["student_position"] == student["position"]
            ],
        }
        for student in view["students"]
    ]
    return render_to_string(
        "web/letters/answer.html",
        {
            "district_name": settings.DISTRICT_NAME,
            "date": timezone.localtime(now),
            "view": view,
            "state": labels.label("request_state", view["state"]),
            "purpose": labels.label("purpose", view["purpose"]),
            "students": students,
            "packets": view["packets"],
            "policy_url": policy_url,
        },
    )


def answer_letter_pdf(request: Request, *, policy_url: str, now: dt.datetime | None = None) -> bytes:
    html = answer_letter_html(request, policy_url=policy_url, now=now)
    # Tagged (PDF/UA-1): a screen reader reads the letter in order, with its headings and tables.
    return bytes(_weasyprint().HTML(string=html).write_pdf(pdf_variant="pdf/ua-1"))
