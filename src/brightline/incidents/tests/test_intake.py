"""The API's reading of an incident report: any JSON gives a report or an InvalidInput, never a crash."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from brightline.errors import InvalidInput
from brightline.incidents.intake import IncidentIn, parse_incident
from brightline.incidents.screening import forbidden_key, screen_text

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3),
    max_leaves=12,
)
REPORT_KEYS = tuple(IncidentIn.model_fields)
bodies = st.dictionaries(st.sampled_from([*REPORT_KEYS, "gang", "x"]), json_values, max_size=8) | json_values


@settings(max_examples=300, deadline=None)
@given(bodies)
def test_any_body_is_read_or_refused_with_field_paths(body: Any) -> None:
    try:
        parse_incident(body)
    except InvalidInput as error:
        assert error.errors
        for field, message in error.errors:
            # every problem named where it stands, in a sentence
            assert field or not isinstance(body, dict) or message
            assert message[0].isupper() and message.endswith("."), message


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_screening_never_fails_on_any_text(text: str) -> None:
    for match in screen_text("description", text):
        assert match.phrase and match.field == "description"


def test_forbidden_names_are_recognised_however_they_are_spelt() -> None:
    for key in (
        "gang_affiliation",
        "GangMember",
        "immigration-status",
        "citizenship",
        "place_of_birth",
        "birthplace",
        "country_of_birth",
        "ethnicity",
        "nationality",
        "race",
    ):
        assert forbidden_key(key), key
    for key in ("summary", "improvisation", "description", "grace_period", "conduct"):
        assert not forbidden_key(key), key
