from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def total(figures: dict[str, Any], table_id: str) -> str:
    """The published grand total of one table, as displayed ("fewer than 10" when suppressed)."""
    table = next(t for t in figures["tables"] if t["id"] == table_id)
    display: str = table["totals"]["total"]["display"]
    return display
