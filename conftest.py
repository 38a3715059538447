"""Project-wide test setup: fast hashing, and the PostgreSQL requirement switch."""

from __future__ import annotations

import os

import pytest

from brightline.ledger.testing import ledger_rows_removable  # noqa: F401 (a fixture used below)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    # Argon2 is right for people and too slow for a test suite that signs in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    if on_postgres:
        return
    if os.environ.get("BRIGHTLINE_REQUIRE_POSTGRES") == "1" and os.environ.get("DATABASE_URL"):
        raise pytest.UsageError("BRIGHTLINE_REQUIRE_POSTGRES=1 but DATABASE_URL is not a PostgreSQL database")
    skip = pytest.mark.skip(reason="needs PostgreSQL: run through `make test` with the binaries installed")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings: pytest.FixtureRequest) -> None:
    # Tasks run in the test's own thread when enqueued; the database worker has tests of its own.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _second_factor_off_unless_a_test_asks(settings: pytest.FixtureRequest) -> None:
    # The second factor has its own tests (accounts, operations), which turn it back on; elsewhere a
    # signed-in test client stands for a person who has already shown their code.
    settings.REQUIRE_MFA = False  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _ledger_rows_removable_after_transactional_tests(request: pytest.FixtureRequest) -> None:
    # The ledger's tables refuse DELETE; a transactional test's flush must be allowed to empty them.
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction"))
    if transactional or {"transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("ledger_rows_removable")
