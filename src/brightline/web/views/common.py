"""Small helpers shared by the page views."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from brightline.casework.models import Item, Request
from brightline.web.answer_letter import answer_letter_pdf, named_in_words


def items_by_student(request: Request) -> list[dict[str, Any]]:
    """A request's items grouped under the student they are about, in request order (prefetched)."""
    groups: dict[int, dict[str, Any]] = {}
    students = {rs.pk: rs for rs in request.students.all()}
    for item in request.items.all():
        rs = students.get(item.request_student_id, item.request_student)
        group = groups.setdefault(rs.pk, {"request_student": rs, "items": []})
        group["items"].append(item)
    return [groups[key] for key in sorted(groups, key=lambda pk: groups[pk]["request_student"].position)]


named_student = named_in_words


def letter_response(request: HttpRequest, found: Request) -> HttpResponse:
    """The answer letter of a request as a PDF download (every signed-in page is no-store)."""
    pdf = answer_letter_pdf(found, policy_url=request.build_absolute_uri(reverse("web:policy")))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{found.reference}-answer.pdf"'
    return response


def item_is_pending(item: Item) -> bool:
    return item.state == "pending_review"
