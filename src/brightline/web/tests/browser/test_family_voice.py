"""A parent reads a complete entry in words, objects to a pending release and sees it held, and reads
the page in Arabic, right to left: in Chromium, with axe-core on every page."""

from __future__ import annotations

from typing import Any

import pytest

from brightline.testing import World
from brightline.web.tests.browser.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_parent_reads_a_complete_entry_objects_and_sees_the_release_held(world: World, visit: Any) -> None:
    from brightline.disclosures.tests.test_family_record import emergency_released
    from brightline.notices.tests.test_objections import subpoena_told

    emergency_released(world)
    subpoena = subpoena_told(world)
    parent = visit("parent")
    sign_in(parent, "parent")
    parent.goto("/family/")
    parent.audit("record")
    text = parent.page.inner_text("main")
    for words in (
        "Released by",
        "Rita Clerk, Records Manager",
        "Everyone who received it",
        "Dana Keane, City Police Department",
        "A health or safety emergency: the district found a serious threat (FERPA 99.36).",
        "Releases you can still object to",
        subpoena.reference,
    ):
        assert words in text
    parent.page.fill("textarea[name=text]", "She was a witness, not a suspect.")
    with parent.page.expect_navigation():
        parent.page.click("button:has-text('Object to this release')")
    parent.audit("objected")
    assert "Your objection waits for the reviewer: the release is held." in parent.page.inner_text("main")

    # The chooser switches the page to Arabic, right to left, and the choice stays.
    parent.page.select_option("#brightline-language", "ar")
    with parent.page.expect_navigation():
        parent.page.click("button:has-text('Change language')")
    parent.audit("arabic")
    assert parent.page.get_attribute("html", "lang") == "ar"
    assert parent.page.get_attribute("html", "dir") == "rtl"
    assert "سجلات أسرتك" in parent.page.inner_text("main")
    parent.goto("/")
    parent.audit("arabic-home")
    assert parent.page.get_attribute("html", "dir") == "rtl"
