"""Fuzzing: schemathesis drives every API operation from the OpenAPI document with generated input, as an
agency token and as a staff session, and no answer may be a server error; hypothesis feeds the policy
engine's parsers arbitrary JSON, which may only ever raise CaseError."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brightline.accounts.tests.helpers import sign_in
from brightline.policy.engine import CaseError, parse_case, parse_request
from brightline.testing import World

EXAMPLES_PER_OPERATION = 8
CSRF = "c" * 32

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)
request_like = st.fixed_dictionaries(
    {},
    optional={
        "requester": json_values,
        "purpose": st.sampled_from(["criminal_investigation", "health_or_safety_emergency", "x"])
        | json_values,
        "categories": st.lists(
            st.sampled_from(["directory", "attendance", "health"]) | json_values, max_size=3
        ),
        "students": st.lists(json_values, max_size=3),
        "identified_by": json_values,
        "legal_process": json_values,
        "emergency": json_values,
        "consent": json_values,
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=json_values | request_like)
def test_the_request_parser_raises_only_case_error(document: Any) -> None:
    try:
        parse_request(document)
    except CaseError:
        pass


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    document=json_values
    | st.fixed_dictionaries({}, optional={"request": request_like, "students": json_values})
)
def test_the_case_parser_raises_only_case_error(document: Any) -> None:
    try:
        parse_case(document)
    except CaseError:
        pass


def _fuzz(schema: Any, *, headers: dict[str, str], cookies: dict[str, str]) -> list[str]:
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            response = case.call(headers=headers, cookies=cookies)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        check()
    return failures


@pytest.fixture
def connections_kept_open() -> Iterator[None]:
    """The WSGI app is called in the test's thread, inside its transaction: like Django's test client,
    stop the request signals from closing the database connection under it (PostgreSQL notices)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_no_generated_api_call_is_a_server_error(
    world: World, settings: Any, connections_kept_open: None
) -> None:
    settings.REQUIRE_MFA = True
    # Every generated call reaches its operation: at hundreds of calls a minute from one token, the rate
    # limits (tested in accounts/tests/test_abuse_limits.py) would answer most of them 429 instead.
    settings.RATELIMIT_ENABLE = False
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    token_failures = _fuzz(schema, headers={"Authorization": f"Bearer {world.police_token}"}, cookies={})
    client = Client()
    sign_in(client, world.clerk)
    session = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    staff_failures = _fuzz(
        schema,
        headers={"X-CSRFToken": CSRF},
        cookies=session | {settings.CSRF_COOKIE_NAME: CSRF},
    )
    assert not token_failures + staff_failures, "\n".join(sorted(set(token_failures + staff_failures)))
