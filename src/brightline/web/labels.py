"""Plain-language words for the identifiers of DOMAIN.md, as people read them on the pages.

Presentational only: nothing here decides an outcome. The vocabulary's labels live with the vocabulary
(`brightline.vocabulary.LABELS`, one place every app reads); this module adds the states of requests and
items and the words said to a requester, and the form choices. `label()` translates into the active
language and falls back to the identifier as words so that a new identifier still reads sensibly.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

from brightline.casework.models import ItemState, RequestState
from brightline.vocabulary import (
    CATEGORIES,
    IDENTIFIED_BY,
    LABELS,
    LAWFUL_BASES,
    LEGAL_PROCESS_KINDS,
    ONWARD_RECIPIENTS,
    PURPOSES,
    REQUESTER_KINDS,
)

TABLES: dict[str, dict[str, str]] = {
    **LABELS,
    "item_state": {state.value: state.label for state in ItemState},
    # The obligations a requester is shown (casework.selectors.REQUESTER_OBLIGATIONS), said to it.
    "requester_obligation": {
        "redisclosure_notice": gettext_noop(
            "You must accept the notice on redisclosure (FERPA 99.33) before you download"
        ),
        "notify_family_before_release": gettext_noop(
            "The family is told before anything is released: this waits for the notice period"
        ),
    },
    "request_state": {state.value: state.label for state in RequestState},
    # How a request came in, as the end of "Received December 3, 2026, …": never "by api".
    "received_by": {
        "portal": gettext_noop("through the requester portal"),
        "api": gettext_noop("through the API"),
        "fax": gettext_noop("by fax"),
        "email": gettext_noop("by e-mail"),
        "phone": gettext_noop("by phone"),
        "mail": gettext_noop("by mail"),
        "in_person": gettext_noop("in person"),
    },
}


def label(table: str, identifier: str) -> str:
    """An identifier's label in the active language; one without a label reads as words."""
    english = label_en(table, identifier)
    return gettext(english) if english else ""


def label_en(table: str, identifier: str) -> str:
    if not identifier:
        return ""
    return TABLES[table].get(identifier) or identifier.replace("_", " ").capitalize()


def choices(table: str, identifiers: tuple[str, ...]) -> list[tuple[str, str]]:
    # English when the module is imported; the forms' pages are in English.
    return [(identifier, label_en(table, identifier)) for identifier in identifiers]


CATEGORY_CHOICES = choices("category_long", CATEGORIES)
PURPOSE_CHOICES = choices("purpose", PURPOSES)
LEGAL_PROCESS_CHOICES = choices("legal_process", LEGAL_PROCESS_KINDS)
IDENTIFIED_BY_CHOICES = choices("identified_by", IDENTIFIED_BY)
LAWFUL_BASIS_CHOICES = choices("lawful_basis", LAWFUL_BASES)
REQUESTER_KIND_CHOICES = choices("requester_kind", REQUESTER_KINDS)
ONWARD_RECIPIENT_CHOICES = choices("onward_recipient", ONWARD_RECIPIENTS)

# The request states and channels the staff dashboards show (casework's own labels), marked for the
# catalogs; the dashboards translate them. A test keeps them equal to casework's.
ITEM_STATE_WORDS: tuple[str, ...] = (
    gettext_noop("Student not yet identified"),
    gettext_noop("Closed: the student was not identified"),
    gettext_noop("Waiting for a reviewer"),
    gettext_noop("Denied by a reviewer"),
    gettext_noop("Approved; waiting for the family notice period"),
    gettext_noop("Cleared for release"),
)
DASHBOARD_WORDS: tuple[str, ...] = (
    gettext_noop("Waiting for the records office to identify a student"),
    gettext_noop("In review"),
    gettext_noop("Waiting for the district to confirm the emergency"),
    gettext_noop("Waiting for the family notice period"),
    gettext_noop("Ready to release"),
    gettext_noop("Released"),
    gettext_noop("Closed: nothing to release"),
    gettext_noop("Requester portal"),
    gettext_noop("API"),
    gettext_noop("Fax"),
    gettext_noop("Email"),
    gettext_noop("Phone"),
    gettext_noop("Mail"),
    gettext_noop("In person"),
)
