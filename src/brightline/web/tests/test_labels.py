"""Every identifier of the vocabulary has a label, in words (no underscore), translated in every language
of the district; a label is what people read wherever the identifier would have been."""

from __future__ import annotations

import pytest
from django.utils import translation

from brightline.vocabulary import LABELLED, LABELS, label
from brightline.web import labels as web_labels


def test_every_identifier_has_a_label_in_words() -> None:
    for table, identifiers in LABELLED.items():
        for identifier in identifiers:
            words = LABELS[table].get(identifier)
            assert words, (table, identifier)
            assert "_" not in words, (table, identifier, words)


def test_the_states_of_items_and_requests_are_words_too() -> None:
    from brightline.casework.models import ItemState, RequestState

    for state in ItemState:
        assert "_" not in web_labels.label("item_state", state.value)
    for state in RequestState:
        assert "_" not in web_labels.label("request_state", state.value)


@pytest.mark.parametrize("language", ["es", "zh-hans", "ar"])
def test_labels_are_read_in_the_active_language(language: str) -> None:
    with translation.override(language):
        assert label("purpose", "health_safety_emergency") != "Health or safety emergency"
        assert label("category", "contact") != "Contact information"
        assert web_labels.label("item_state", "cleared") != "Cleared for release"
    assert label("purpose", "health_safety_emergency") == "Health or safety emergency"


def test_an_identifier_without_a_label_still_reads_as_words() -> None:
    assert label("purpose", "a_new_purpose") == "A new purpose"


def test_every_channel_says_how_a_request_came_in_words() -> None:
    from brightline.casework.models import Channel

    for channel in Channel:
        words = web_labels.label("received_by", channel.value)
        assert words in web_labels.TABLES["received_by"].values(), channel
        assert "_" not in words and words != f"by {channel.label.lower()}" or channel != Channel.API
    assert web_labels.label("received_by", "api") == "through the API"
    with translation.override("es"):
        assert web_labels.label("received_by", "api") not in {"through the API", ""}


def test_an_explanation_ends_with_one_full_stop() -> None:
    from brightline.web.templatetags.brightline import sentence

    assert sentence("refused: no emergency counts (rule R1).") == "Refused: no emergency counts (rule R1)."
    assert sentence("Released without review (rule D)") == "Released without review (rule D)."
    assert sentence("") == ""


def test_a_refused_field_is_named_in_words() -> None:
    from brightline.web.templatetags.brightline import field_words

    assert field_words("legal_document") == "Legal document"
    assert field_words("") == ""
