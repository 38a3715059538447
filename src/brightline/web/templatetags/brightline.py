"""Template filters that turn DOMAIN.md identifiers into plain words: `{{ item.category|label:"category" }}`."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField

from brightline.formats.local import local_date, local_datetime, zone_words
from brightline.web import labels

register = template.Library()


@register.filter(name="label")
def label(identifier: str, table: str) -> str:
    return labels.label(table, str(identifier or ""))


@register.filter(name="when")
def when(value: Any, zone: str = "") -> str:
    """A moment as people read it, in the district's time zone and the active language ("December 3,
    2026, 2:27 PM"); `|when:"zone"` adds the zone in words, for paper that has no footer to say it."""
    return local_datetime(value, zone=bool(zone))


@register.filter(name="day")
def day(value: Any) -> str:
    """A day as people read it in the active language ("December 3, 2026"), from a date, a moment or an
    ISO date."""
    return local_date(value)


@register.filter(name="zone_words")
def zone_in_words(name: str) -> str:
    """A time zone's identifier ("America/New_York") as words in the active language ("Eastern Time")."""
    return zone_words(str(name or "") or None)


@register.filter(name="sentence")
def sentence(text: Any) -> str:
    """Words as one sentence: a capital first and exactly one full stop at the end, whether or not the
    words brought their own ("… (rule R1)." never becomes "… (rule R1)..")."""
    words = str(text or "").strip()
    if not words:
        return ""
    words = words[0].upper() + words[1:]
    return words if words.endswith((".", "!", "?", "…")) else words + "."


@register.filter(name="field_words")
def field_words(name: Any) -> str:
    """A form field's name as words ("legal_document" reads "Legal document"), for a page that names the
    field a refusal is about."""
    words = str(name or "").replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


@register.filter(name="labels")
def label_list(identifiers: list[str], table: str) -> list[str]:
    return [labels.label(table, str(identifier)) for identifier in identifiers or []]


@register.filter(name="usa_widget")
def usa_widget(field: BoundField) -> str:
    """The field's widget with the USWDS class and its hint and error message tied to it by id."""
    widget = field.field.widget
    if isinstance(widget, forms.Textarea):
        css = "usa-textarea"
    elif isinstance(widget, forms.Select):
        css = "usa-select"
    elif isinstance(widget, forms.FileInput):
        css = "brightline-file"
    else:
        css = "usa-input"
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    attrs: dict[str, Any] = {"class": css + (" usa-input--error" if field.errors else "")}
    if field.errors:
        described.append(f"{field.auto_id}-error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.filter(name="is_multiple_choice")
def is_multiple_choice(field: BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect)


@register.filter(name="is_checkbox")
def is_checkbox(field: BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter(name="is_radio")
def is_radio(field: BoundField) -> bool:
    # CheckboxSelectMultiple is a subclass of RadioSelect in Django.
    widget = field.field.widget
    return isinstance(widget, forms.RadioSelect) and not isinstance(widget, forms.CheckboxSelectMultiple)


# The tag an item wears: where it stands now, coloured by what it means for the records. The policy's first
# answer ("Must be reviewed") is said beside it in words, never as the badge of an item already decided.
STATE_TAG_CLASSES = {
    "released": "bg-green",
    "cleared": "bg-green",
    "awaiting_notice": "bg-green",
    "refused": "bg-secondary-dark",
    "denied": "bg-secondary-dark",
    "unidentified": "bg-base-dark",
}


@register.filter(name="state_tag_class")
def state_tag_class(state: str) -> str:
    return STATE_TAG_CLASSES.get(str(state or ""), "bg-primary-dark")


# A reviewer's decision as it reads afterwards ("Approved by …", never "Approve by …").
DECISION_WORDS = {"approve": "Approved", "narrow": "Approved, narrowed", "deny": "Denied"}


@register.filter(name="decision_words")
def decision_words(action: str) -> str:
    return DECISION_WORDS.get(str(action or ""), str(action or "").replace("_", " ").capitalize())


@register.filter(name="field_labels")
def field_labels(names: list[str], category: str = "") -> str:
    """Field names of the data inventory as its labels, joined ("Guardians' email, Home phone")."""
    from brightline.roster.selectors import inventory_by_category

    known: dict[str, str] = {}
    for fields in inventory_by_category([category] if category else None).values():
        for data_field in fields:
            known.setdefault(data_field.field_name, data_field.label)
    return ", ".join(known.get(name) or name.replace("_", " ").capitalize() for name in names or [])
