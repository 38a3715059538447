"""Template filters for the pages families read: identifiers in plain, translated words."""

from __future__ import annotations

from django import template

from brightline.disclosures.words import CATEGORY_WORDS, words

register = template.Library()

_TABLES = {"category": CATEGORY_WORDS}


@register.filter
def family_words(identifier: str, table: str) -> str:
    return words(_TABLES[table], identifier)
