"""Every page as each persona, on a phone (375 px) and a laptop (1280 px), in Chromium with axe-core: no
page wider than the window, no identifier with underscores, raw timestamp or Python list in the words
people read, no WCAG 2.1 A/AA violation; the 403 and 404 pages carry the site's header.

"Every page" is each persona's header (its top-level items and menus), the pages of the requests the
world holds (an open emergency request, a released subpoena, an immigration refusal) and the error pages.
Problems are gathered over all the pages and reported together."""

from __future__ import annotations

import re
from typing import Any

import pytest

from brightline.accounts.models import Role
from brightline.casework.models import Channel
from brightline.casework.services import request_submit
from brightline.testing import World, make_user, request_body
from brightline.web.tests.browser.conftest import AccessibilityViolation
from brightline.web.tests.browser.test_journeys import sign_in
from brightline.web.tests.pages import emergency_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (375, 1280)

# The words people read: visible text outside code blocks (the policy's Cedar text and the ledger's
# addresses are code, shown as code). An identifier is a lowercase word joined to another by "_".
VISIBLE_TEXT = """() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!element || element.closest("code, pre, kbd, samp, script, style, template, [hidden]")) continue;
    if (!element.checkVisibility() || !node.textContent.trim()) continue;
    found.push(node.textContent);
  }
  return found;
}"""
# What people must never read: an identifier joined by "_" (not an e-mail address or a path), a raw ISO
# timestamp, a Python list or dict.
IDENTIFIER = re.compile(r"(?:^|[^\w@./:-])([a-z][a-z0-9]*_[a-z0-9_]*[a-z0-9])(?![\w@])")
RAW_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?")
REPR = re.compile(r"\[\'|\{\'|\'\]")


def _unreadable(texts: list[str]) -> list[str]:
    found: list[str] = []
    for text in texts:
        found.extend(match.group(1) for match in IDENTIFIER.finditer(text))
        found.extend(match.group(0) for match in RAW_TIME.finditer(text))
        found.extend(match.group(0) for match in REPR.finditer(text))
    return sorted(set(found))


OVERFLOW = """() => {
  const root = document.scrollingElement;
  if (root.scrollWidth <= window.innerWidth) return null;
  const wide = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.right > window.innerWidth + 1 && element.checkVisibility()) {
      wide.push(element.tagName.toLowerCase() + (element.className ? "." + String(element.className).split(" ").join(".") : ""));
    }
  }
  return {scrollWidth: root.scrollWidth, innerWidth: window.innerWidth, wide: wide.slice(0, 6)};
}"""
SKIPPED = (".pdf", ".json", ".csv", "/download", "/sign-out", "/logout", "/api/")


def _world_requests(world: World) -> dict[str, str]:
    from brightline.disclosures.tests.test_nondisclosure_orders import sealed_subpoena

    open_request = emergency_request(world)
    released = sealed_subpoena(world)
    refused = request_submit(
        agency=world.ice,
        document=request_body(
            world.alice,
            purpose="civil_immigration_enforcement",
            description="Locate the student's family",
            categories=["enrollment"],
            legal_process={"kind": "administrative_warrant"},
        ),
        channel=Channel.PORTAL,
        submitted_by=world.immigration_officer,
    ).request
    return {"open": str(open_request.pk), "released": str(released.pk), "refused": str(refused.pk)}


def _persona_paths(persona: str, ids: dict[str, str]) -> list[str]:
    office = [f"/office/requests/{ids[key]}/" for key in ("open", "released", "refused")]
    return {
        "anonymous": ["/", "/accounts/sign-in/"],
        "detective": [f"/portal/requests/{ids['open']}/", f"/portal/requests/{ids['released']}/"],
        "ice": [f"/portal/requests/{ids['refused']}/"],
        "clerk": office,
        "admin": office,
        "superintendent": [f"/review/requests/{ids['open']}/"],
        "counsel": [f"/review/requests/{ids['released']}/"],
        "principal": [],
        "parent": [],
        "auditor": [],
    }[persona]


def _check_page(visitor: Any, path: str, width: int, problems: list[str]) -> None:
    page = visitor.page
    page.set_viewport_size({"width": width, "height": 900})
    try:
        visitor.goto(path)
    except AccessibilityViolation as violation:
        problems.append(f"[{width}px] {violation}")
    where = f"[{width}px] {visitor.name} {path}"
    overflow = page.evaluate(OVERFLOW)
    if overflow:
        problems.append(f"{where}: wider than the window {overflow}")
    unreadable = _unreadable(page.evaluate(VISIBLE_TEXT))
    if unreadable:
        problems.append(f"{where}: codes, raw times or lists shown {unreadable}")


def _header_paths(visitor: Any) -> list[str]:
    hrefs = visitor.page.eval_on_selector_all(
        "header nav a[href^='/']", "(links) => links.map((link) => link.getAttribute('href'))"
    )
    return [href for href in hrefs if not href.endswith(SKIPPED) and not any(s in href for s in SKIPPED)]


@pytest.mark.parametrize(
    "persona",
    [
        "anonymous",
        "detective",
        "ice",
        "clerk",
        "admin",
        "superintendent",
        "counsel",
        "principal",
        "parent",
        "auditor",
    ],
)
def test_every_page_fits_a_phone_speaks_in_words_and_passes_axe(
    world: World, visit: Any, persona: str
) -> None:
    make_user("admin", Role.ADMIN, first="Ana", last="Admin", position="Deputy Superintendent")
    ids = _world_requests(world)
    visitor = visit(persona)
    if persona != "anonymous":
        sign_in(visitor, persona)
    visitor.goto("/")
    paths = list(dict.fromkeys(["/", *_header_paths(visitor), *_persona_paths(persona, ids)]))
    problems: list[str] = []
    for path in paths:
        for width in WIDTHS:
            _check_page(visitor, path, width, problems)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("persona", "path"), [("detective", "/office/"), ("anonymous", "/no-such-page/")])
def test_the_error_pages_carry_the_site_header(world: World, visit: Any, persona: str, path: str) -> None:
    visitor = visit(persona)
    if persona != "anonymous":
        sign_in(visitor, persona)
    problems: list[str] = []
    for width in WIDTHS:
        _check_page(visitor, path, width, problems)
        assert visitor.page.locator("header.usa-header a:has-text('Bright Line')").count() == 1
        assert visitor.page.locator("main h1").count() == 1
    assert not problems, "\n".join(problems)
