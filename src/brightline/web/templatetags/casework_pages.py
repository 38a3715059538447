"""Filters for the conversation and reconsideration parts of the request pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter(name="refused_items")
def refused_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items of a requester's view (`request_representation(for_agency=True)`) it reads as refused:
    the only ones it may ask counsel to reconsider."""
    return [item for item in items if item.get("state") == "refused"]
