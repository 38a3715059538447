from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _password_only_sign_in(settings: pytest.FixtureRequest) -> None:
    # The pages are tested behind a password sign-in; the second factor has its own tests in accounts.
    settings.REQUIRE_MFA = False  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    # A page answered in another language leaves that language active in the thread (LocaleMiddleware
    # activates it and nothing deactivates it): the next test, of any app, starts in the default again.
    yield
    from django.utils import translation

    translation.deactivate()
