"""The browser suite: Playwright for Python driving Debian's Chromium against pytest-django's live server.

Every page a journey visits is checked with axe-core (WCAG 2.1 A and AA rules) and any violation fails
the test; a screenshot of each page is kept under `test-artifacts/browser/`. Without Chromium,
Playwright or axe-core the suite is skipped, unless BRIGHTLINE_REQUIRE_BROWSER=1 (CI sets it), which
turns that into a failure.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from brightline.ledger.testing import ledger_rows_removable  # noqa: F401 (a fixture)

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run in a thread
# with a running loop unless told that this is safe, which it is here (the loop only drives the browser).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[5]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = os.environ.get("BRIGHTLINE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_PATH = "/__test-only__/axe-core.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Every wait below is for a condition (a page loaded, an element focused, a file chooser opened); these
# bounds only decide how long a wait that will never end takes to say so. They are wide because a busy
# machine (two other processes on two cores) makes a page load or a POST take several seconds.
ACTION_TIMEOUT_MS = 30_000
NAVIGATION_TIMEOUT_MS = 60_000


def _required() -> bool:
    return os.environ.get("BRIGHTLINE_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[dev]')"
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    if not AXE.is_file():
        return f"axe-core is missing at {AXE} (make install runs npm ci)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    reason = _missing()
    if reason is not None:
        if _required():
            pytest.fail(f"BRIGHTLINE_REQUIRE_BROWSER is set but {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import expect as playwright_expect
    from playwright.sync_api import sync_playwright

    playwright_expect.set_options(timeout=ACTION_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def expect(target: Any) -> Any:
    """Playwright's retrying assertion (`expect(locator).to_be_focused()`), imported when first used so
    that a machine without Playwright skips the suite instead of failing to collect it."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


class AccessibilityViolation(AssertionError):
    pass


class Visitor:
    """One person at one browser: every page load is audited with axe-core and photographed."""

    def __init__(self, page: Any, base_url: str, name: str) -> None:
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.name = name
        self.shots = 0
        self.loaded: list[str] = []
        self.audited: list[str] = []
        self.csp_violations: list[str] = []
        page.on("load", lambda loaded: self.loaded.append(loaded.url))
        page.on("console", self._console)
        # Playwright sees a file chooser only if Chromium intercepts it. expect_file_chooser() switches
        # interception on when it is called, by a command that nothing waits for; Chromium can apply it
        # after the key press sent next (input travels by another route), and the chooser then opens
        # unseen and the wait times out. A listener kept for the page's whole life switches it on here,
        # and every later round trip to the page (a load, an evaluate) is handled after it.
        page.on("filechooser", lambda chooser: None)
        # axe-core is served as if from the site itself, so the pages' Content-Security-Policy
        # (script-src 'self', no inline script) stays in force while it is injected.
        page.route(
            self.url(AXE_PATH), lambda route: route.fulfill(path=str(AXE), content_type="text/javascript")
        )

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(f"{self.page.url}: {message.text}")

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str) -> None:
        self.page.goto(self.url(path))
        self.audit()

    def audit(self, label: str = "") -> None:
        """Run axe-core on the page as it is now; fail on any WCAG 2.1 A/AA violation."""
        page = self.page
        page.wait_for_load_state("load")
        self.screenshot(label)
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(url=self.url(AXE_PATH))
        result = page.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' — ' + n.failureSummary)}))",
            WCAG_21_AA,
        )
        self.audited.append(page.url)
        if result:
            lines = [f"{page.url}: {len(result)} accessibility violation(s)"]
            for violation in result:
                lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
                lines.extend(f"    {node}" for node in violation["nodes"])
            raise AccessibilityViolation("\n".join(lines))

    def screenshot(self, label: str = "") -> None:
        self.shots += 1
        slug = re.sub(
            r"[^a-z0-9]+", "-", (label or self.page.url.split("//", 1)[-1].split("/", 1)[-1]).lower()
        )
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(
            path=str(ARTIFACTS / f"{self.name}-{self.shots:02d}-{slug.strip('-')[:60] or 'home'}.png"),
            full_page=True,
        )

    def check_every_page_audited(self) -> None:
        missed = [url for url in self.loaded if url not in self.audited]
        assert not missed, f"pages loaded but never checked with axe-core: {missed}"
        assert not self.csp_violations, "\n".join(
            ["Content-Security-Policy violations:", *self.csp_violations]
        )

    # Keyboard only -------------------------------------------------------------------------------

    def tab_to(self, selector: str, *, limit: int = 250) -> None:
        """Press Tab until the element matching `selector` has the focus, as a keyboard user would."""
        for _ in range(limit):
            if self.page.evaluate(
                "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
            ):
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(f"{selector} cannot be reached with the Tab key")

    def key_type(self, selector: str, text: str) -> None:
        self.tab_to(selector)
        self.page.keyboard.type(text)

    def key_press(self, selector: str, key: str) -> None:
        self.tab_to(selector)
        self.page.keyboard.press(key)

    def key_select(self, selector: str, label: str) -> None:
        """Choose the option labelled `label` of a <select> by typing the label's first letter.

        A select forgets the letters typed into it after a second, so a word typed on a busy machine can
        land on another option. The same letter typed again moves to the next option that starts with
        it, however long the pause between presses, so the outcome does not depend on timing."""
        self.tab_to(selector)
        select = self.page.locator(selector)
        chosen = "(s) => s.selectedIndex < 0 ? null : s.options[s.selectedIndex].text.trim()"
        for _ in range(select.locator("option").count()):
            self.page.keyboard.type(label[0])
            if select.evaluate(chosen) == label:
                return
        raise AssertionError(f"typing {label[0]!r} in {selector} never chooses {label!r}")

    def key_choose_file(self, selector: str, key: str, files: list[dict[str, Any]]) -> None:
        """Tab to a file field, open its chooser with `key` and pick `files`, as a keyboard user would."""
        self.tab_to(selector)
        field = self.page.locator(selector)
        expect(field).to_be_focused()
        with self.page.expect_file_chooser() as chooser:
            self.page.keyboard.press(key)
        assert chooser.value.element.evaluate("(e, s) => e.matches(s)", selector), "another field's chooser"
        chooser.value.set_files(files=files)
        names = field.evaluate("(input) => Array.from(input.files, (file) => file.name)")
        assert names == [file["name"] for file in files]


@pytest.fixture
def visit(
    chromium: Any,
    live_server: Any,
    settings: Any,
    ledger_rows_removable: None,  # noqa: F811
    request: pytest.FixtureRequest,
) -> Iterator[Any]:
    """`visit("detective")` opens a fresh browser context (its own cookies) for one person.

    The journeys sign in with a password only: the second factor has its own tests in accounts.
    """
    settings.REQUIRE_MFA = False
    contexts: list[Any] = []
    visitors: list[Visitor] = []
    test_name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")

    def open_as(person: str) -> Visitor:
        context = chromium.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        contexts.append(context)
        visitor = Visitor(context.new_page(), live_server.url, f"{test_name}-{person}")
        visitors.append(visitor)
        return visitor

    yield open_as
    try:
        for visitor in visitors:
            visitor.check_every_page_audited()
    finally:
        for context in contexts:
            context.close()
