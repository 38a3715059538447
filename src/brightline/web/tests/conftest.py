import pytest


@pytest.fixture(autouse=True)
def _password_only_sign_in(settings: pytest.FixtureRequest) -> None:
    # The pages are tested behind a password sign-in; the second factor has its own tests in accounts.
    settings.REQUIRE_MFA = False  # type: ignore[attr-defined]
