"""Small helpers shared by the page views."""

from __future__ import annotations

from typing import Any

from brightline.casework.models import Item, Request


def items_by_student(request: Request) -> list[dict[str, Any]]:
    """A request's items grouped under the student they are about, in request order (prefetched)."""
    groups: dict[int, dict[str, Any]] = {}
    students = {rs.pk: rs for rs in request.students.all()}
    for item in request.items.all():
        rs = students.get(item.request_student_id, item.request_student)
        group = groups.setdefault(rs.pk, {"request_student": rs, "items": []})
        group["items"].append(item)
    return [groups[key] for key in sorted(groups, key=lambda pk: groups[pk]["request_student"].position)]


def named_student(named: dict[str, Any]) -> str:
    """How the requester named a student, in words."""
    if named.get("student_id"):
        return f"Student ID {named['student_id']}"
    return f"{named.get('first_name', '')} {named.get('last_name', '')}, born {named.get('birth_date', '')}".strip()


def item_is_pending(item: Item) -> bool:
    return item.state == "pending_review"


def sentence(message: str) -> str:
    """A service's message as a sentence on a page."""
    text = message.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."
