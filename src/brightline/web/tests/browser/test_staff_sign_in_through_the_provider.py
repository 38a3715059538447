"""Staff sign-in through the district's provider in a real browser: the button on Bright Line's sign-in
page, the provider's own login page, and back, signed in with the role the groups give (Chromium through
Playwright, the real provider on loopback; skipped as the browser suite is). It lives with the browser
suite so that the one session of Playwright (conftest.chromium) serves it: a second one, started by a
copy of the fixture in another module, left its event loop running under every browser test after it."""

from __future__ import annotations

from typing import Any

import pytest

from brightline.accounts.models import OidcGroupRole, OidcIdentity, Role
from brightline.accounts.tests.test_oidc import configure, running_provider
from brightline.web.tests.browser.conftest import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_sign_in_with_the_providers_button_in_the_browser(
    visit: Any,
    live_server: Any,
    settings: Any,
) -> None:
    with running_provider(f"{live_server.url}/accounts/sign-in/provider/callback/") as provider:
        configure(settings, provider)
        settings.REQUIRE_MFA = True
        OidcGroupRole.objects.create(group="bl-admins", role=Role.ADMIN)
        person = visit("ada")
        person.goto("/accounts/sign-in/")
        person.page.get_by_role("link", name="Sign in with Demo District Sign-In").click()
        person.page.wait_for_url(f"{provider.issuer}/interaction/**")
        person.audit("the provider's sign-in")
        person.page.get_by_label("Account").fill("ada.admin")
        person.page.get_by_role("button", name="Sign in").click()
        person.page.wait_for_url(f"{live_server.url}/")
        person.audit("signed in through the provider")
        # The provider's second factor counted: the administrator's page opens without a code.
        person.goto("/administration/settings/")
        expect(person.page.get_by_role("heading", name="Setup checklist")).to_be_visible()
        identity = OidcIdentity.objects.select_related("user").get()
        assert identity.subject == "ada.admin" and identity.user.role == Role.ADMIN
