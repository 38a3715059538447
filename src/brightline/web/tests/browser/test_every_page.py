"""Every page as each persona, on a phone (375 px) and a laptop (1280 px), in Chromium with axe-core: no
page wider than the window, no identifier with underscores, raw timestamp or Python list in the words
people read, no WCAG 2.1 A/AA violation; the 403 and 404 pages carry the site's header.

"Every page" is each persona's header (its top-level items and menus), the pages of the requests the
world holds (an open emergency request, a released subpoena, an immigration refusal), every page their
links lead to (each list's first item, a request's page, the letters, the policy's versions, the training
modules…, one page of each kind, followed to a depth of three), the second-factor page and the error
pages. Problems are gathered over all the pages and reported together."""

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
    if (!element || element.closest("code, pre, kbd, samp, script, style, template, textarea, [hidden]")) continue;
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
SKIPPED = (
    ".pdf",
    ".json",
    ".csv",
    "/download",
    "/sign-out",
    "/logout",
    "/api/",
    "/admin/",
    # The district's sign-in provider is another site.
    "/accounts/sign-in/provider/",
)
# Followed links: at most this many kinds of page per persona, reached in at most this many clicks.
MOST_PAGES = 45
DEPTH = 3
# One page of each kind: ids, uuids and numbers in a path are the same kind of page.
KIND = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+")


def _world_requests(world: World) -> dict[str, str]:
    from brightline.disclosures.tests.test_nondisclosure_orders import sealed_subpoena
    from brightline.incidents.tests.helpers import record

    # An incident at the principal's school (the principal is assigned to it): its page is in their list.
    record(world)
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


# The world's usernames of the personas whose username is not their name.
USERNAMES = {"superintendent": "super"}
SIGNED_IN = "header form[action='/accounts/sign-out/']"


def _sign_in(visitor: Any, persona: str) -> None:
    sign_in(visitor, USERNAMES.get(persona, persona))
    assert visitor.page.locator(SIGNED_IN).count() == 1, f"{persona} could not sign in"


def _check_page(visitor: Any, path: str, width: int, problems: list[str], *, signed_in: bool = False) -> None:
    page = visitor.page
    page.set_viewport_size({"width": width, "height": 900})
    try:
        visitor.goto(path)
    except AccessibilityViolation as violation:
        problems.append(f"[{width}px] {violation}")
    where = f"[{width}px] {visitor.name} {path}"
    if signed_in and page.locator(SIGNED_IN).count() != 1:
        problems.append(f"{where}: no longer signed in (at {page.url})")
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


def _linked_paths(visitor: Any) -> list[str]:
    """The pages the links of the page now shown lead to (main content, header and footer), without their
    query or fragment, those that are files or another site left out."""
    hrefs = visitor.page.eval_on_selector_all(
        "a[href^='/']:not([download])", "(links) => links.map((link) => link.getAttribute('href'))"
    )
    paths = [href.split("#", 1)[0].split("?", 1)[0] for href in hrefs]
    return [path for path in paths if path and not any(skipped in path for skipped in SKIPPED)]


def _is_page(visitor: Any, path: str) -> bool:
    """A page, not a file: answered as HTML (a file would start a download instead of a page)."""
    answer = visitor.page.request.head(visitor.url(path))
    return answer.ok and "text/html" in answer.headers.get("content-type", "")


def _reachable(visitor: Any, start: list[str]) -> list[str]:
    """The start pages, then one page of each kind their links reach, breadth first: each list's first
    item, each request's letters and conversation, the policy's versions…"""
    seen_kinds = {KIND.sub("N", path) for path in start}
    found = list(start)
    frontier = list(start)
    for _depth in range(DEPTH):
        following: list[str] = []
        for path in frontier:
            visitor.page.goto(visitor.url(path))
            for linked in _linked_paths(visitor):
                kind = KIND.sub("N", linked)
                if kind in seen_kinds or len(found) >= MOST_PAGES:
                    continue
                seen_kinds.add(kind)
                if _is_page(visitor, linked):
                    found.append(linked)
                    following.append(linked)
        frontier = following
    return found


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
        _sign_in(visitor, persona)
    visitor.goto("/")
    start = list(dict.fromkeys(["/", *_header_paths(visitor), *_persona_paths(persona, ids)]))
    paths = _reachable(visitor, start)
    # The crawl reached more than the header: a list's items, a request's page, the policy's versions.
    assert len(paths) > len(start) or persona == "anonymous", paths
    problems: list[str] = []
    for path in paths:
        for width in WIDTHS:
            _check_page(visitor, path, width, problems, signed_in=persona != "anonymous")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("persona", "path"), [("detective", "/office/"), ("anonymous", "/no-such-page/")])
def test_the_error_pages_carry_the_site_header(world: World, visit: Any, persona: str, path: str) -> None:
    visitor = visit(persona)
    if persona != "anonymous":
        _sign_in(visitor, persona)
    problems: list[str] = []
    for width in WIDTHS:
        _check_page(visitor, path, width, problems)
        assert visitor.page.locator("header.usa-header a:has-text('Bright Line')").count() == 1
        assert visitor.page.locator("main h1").count() == 1
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("persona", ["clerk", "detective"])
def test_the_second_factor_page_fits_a_phone_speaks_in_words_and_passes_axe(
    world: World, visit: Any, settings: Any, persona: str
) -> None:
    """Where a person who gave their password sets up their second factor: its own header (no menu of
    their role yet), the secret in groups a person can type, no code."""
    visitor = visit(persona)
    settings.REQUIRE_MFA = True
    sign_in(visitor, persona)
    assert visitor.page.url.endswith("/accounts/mfa/") or "/accounts/mfa/" in visitor.page.url
    problems: list[str] = []
    for width in WIDTHS:
        _check_page(visitor, "/accounts/mfa/", width, problems)
    assert not problems, "\n".join(problems)
