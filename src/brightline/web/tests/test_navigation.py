"""The header by role (at most five top-level items, the rest in menus), the signed-in menu only after the
second factor, and the site's own 403, 404 and 500 pages with the header and a way on."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from brightline.accounts.models import Role
from brightline.testing import World, make_user
from brightline.web.navigation import TOP_LEVEL_LIMIT

pytestmark = pytest.mark.django_db

PERSONAS = ["detective", "clerk", "superintendent", "legal_advisor", "principal", "parent", "auditor"]


def top_level_items(html: str) -> int:
    nav = html[html.index('class="usa-nav__primary usa-accordion"') : html.index("</nav>")]
    return nav.count('class="usa-nav__primary-item"')


def test_each_role_has_at_most_five_top_level_items(world: World, client: Client) -> None:
    admin = make_user("admin-nav", Role.ADMIN)
    for user in [*(getattr(world, persona) for persona in PERSONAS), admin]:
        client.force_login(user)
        html = client.get("/policy/").content.decode()
        assert top_level_items(html) <= TOP_LEVEL_LIMIT, (user.username, top_level_items(html))
    client.force_login(admin)
    html = client.get("/policy/").content.decode()
    # The administrator's other pages are in a menu, not lost.
    assert 'class="usa-nav__submenu"' in html and 'href="/administration/settings/"' in html
    client.logout()
    assert top_level_items(client.get("/").content.decode()) <= TOP_LEVEL_LIMIT


def test_the_signed_in_menu_waits_for_the_second_factor(world: World, client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.REQUIRE_MFA = True
    client.force_login(world.clerk)
    page = client.get("/accounts/mfa/", follow=True)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'href="/office/"' not in html and "Dashboard" not in html
    assert "Sign out" in html


@pytest.mark.parametrize(
    ("persona", "path", "status", "heading"),
    [
        ("detective", "/office/", 403, "This page is not open to you"),
        ("clerk", "/no-such-page/", 404, "Page not found"),
        (None, "/no-such-page/", 404, "Page not found"),
    ],
)
def test_error_pages_carry_the_site_header(
    world: World, client: Client, persona: str | None, path: str, status: int, heading: str
) -> None:
    if persona:
        client.force_login(getattr(world, persona))
    answer = client.get(path)
    html = answer.content.decode()
    assert answer.status_code == status
    assert 'class="usa-header' in html and 'class="usa-footer' in html
    assert re.search(rf"<h1>{heading}</h1>", html)
    assert 'href="/"' in html


def test_a_server_error_has_the_site_page(world: World, rf) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.sessions.backends.db import SessionStore

    from brightline.web.views.errors import server_error

    request = rf.get("/")
    request.user = world.clerk
    request.session = SessionStore()
    html = server_error(request).content.decode()
    assert "Something went wrong" in html and 'class="usa-header' in html
