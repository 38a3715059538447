"""Template filters that turn DOMAIN.md identifiers into plain words: `{{ item.category|label:"category" }}`."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField

from brightline.web import labels

register = template.Library()


@register.filter(name="label")
def label(identifier: str, table: str) -> str:
    return labels.label(table, str(identifier or ""))


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
