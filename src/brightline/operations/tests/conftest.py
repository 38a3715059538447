import pytest


@pytest.fixture(autouse=True)
def _security_pages_mounted_and_second_factor_on(settings: object) -> None:
    settings.ROOT_URLCONF = "brightline.accounts.tests.urls"  # type: ignore[attr-defined]
    settings.REQUIRE_MFA = True  # type: ignore[attr-defined]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
