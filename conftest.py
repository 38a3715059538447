"""Project-wide test setup: fast hashing, and the PostgreSQL requirement switch."""

from __future__ import annotations

import os

import pytest


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
def _fresh_inventory_cache() -> None:
    # The data inventory is cached per process; a test that changed it inside a rolled-back
    # transaction must not leave its version behind for the next test.
    from brightline.disclosures.packets import _inventory_cache

    _inventory_cache.clear()


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings: pytest.FixtureRequest) -> None:
    # Tasks run in the test's own thread when enqueued; the database worker has tests of its own.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # type: ignore[attr-defined]
