"""Filters for the conversation and reconsideration parts of the request pages."""

from __future__ import annotations

from typing import Any

from django import template

from brightline.casework.conversation import clock_waits_for_requester, current_pause

register = template.Library()


@register.filter(name="refused_items")
def refused_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items of a requester's view (`request_representation(for_agency=True)`) it reads as refused:
    the only ones it may ask counsel to reconsider."""
    return [item for item in items if item.get("state") == "refused"]


@register.filter(name="field_text")
def field_text(value: Any) -> str:
    """A packet field's value in words for the preview: a record's parts joined, a list by commas."""
    if isinstance(value, dict):
        return "; ".join(f"{key}: {field_text(part)}" for key, part in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(field_text(part) for part in value) or "—"
    if value is None or value == "":
        return "—"
    return str(value)


@register.filter(name="letters_available")
def letters_available(request: Any) -> list[tuple[str, str]]:
    """The letters a request has something to say in (kind, title)."""
    from brightline.web.requester_letters import letters_available as available

    return available(request)


@register.filter(name="clock_pause")
def clock_pause(request: Any) -> dict[str, Any] | None:
    """The pause the request's decision clock stands in, or None when it runs: `change` (the office's
    reason is for staff only) and `waits_for_requester` (a question asked: its answer starts the clock)."""
    if request.clock_paused_at is None:
        return None
    return {"change": current_pause(request), "waits_for_requester": clock_waits_for_requester(request)}
