"""Nothing hidden for ever, in Chromium with axe-core on every page: an administrator reveals entries a
non-disclosure order sealed, and a sealed entry appears, in the family's language, when its order ends."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from brightline.testing import World
from brightline.web.tests.browser.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_reveals_a_withheld_entry_and_the_parent_reads_it(world: World, visit: Any) -> None:
    from brightline.disclosures.tests.test_nondisclosure_orders import administrator, sealed_subpoena

    request = sealed_subpoena(world)
    administrator()
    parent = visit("parent")
    sign_in(parent, "parent")
    parent.goto("/family/")
    assert "City Police Department" not in parent.page.inner_text("main")

    admin = visit("admin")
    sign_in(admin, "admin")
    with admin.page.expect_navigation():
        admin.page.click("a.usa-button:has-text('Go to non-disclosure orders')")
    admin.audit("orders")
    section = admin.page.locator(f"#order-{request.reference}")
    assert "Its terms are not recorded yet" in section.inner_text()
    section.locator("textarea").fill("The court lifted the order at the hearing on the 2nd.")
    with admin.page.expect_navigation():
        section.locator("button:has-text('Reveal to the family now')").click()
    admin.audit("revealed")
    text = admin.page.inner_text("main")
    assert f"{request.reference}: the family can now see these entries" in text
    assert "revealed by Ana Admin" in text and "The court lifted the order at the hearing on the 2nd." in text

    parent.goto("/family/")
    parent.audit("record-revealed")
    record = parent.page.inner_text("main")
    for words in ("Records released", "City Police Department", "Rita Clerk, Records Manager"):
        assert words in record


def test_a_sealed_entry_appears_in_the_familys_language_when_its_order_ends(world: World, visit: Any) -> None:
    from brightline.disclosures.services import nondisclosure_orders_end_due
    from brightline.disclosures.tests.test_nondisclosure_orders import sealed_subpoena

    request = sealed_subpoena(world)
    ends_on = timezone.localdate() + dt.timedelta(days=14)
    counsel = visit("counsel")
    sign_in(counsel, "counsel")
    counsel.goto("/administration/nondisclosure-orders/")
    section = counsel.page.locator(f"#order-{request.reference}")
    section.locator("input[type=date]").fill(ends_on.isoformat())
    section.locator("input[name$=note]").fill("Grand jury subpoena, docket 26-114")
    with counsel.page.expect_navigation():
        section.locator('button:has-text("Record the order\'s terms")').click()
    counsel.audit("recorded")
    assert f"{ends_on:%B} {ends_on.day}, {ends_on:%Y}" in counsel.page.inner_text(
        f"#order-{request.reference}"
    )

    # The parent's browser reads Spanish; the entry is still sealed.
    parent = visit("parent")
    sign_in(parent, "parent")
    parent.goto("/family/")
    parent.page.select_option("#brightline-language", "es")
    with parent.page.expect_navigation():
        parent.page.click("button:has-text('Change language')")
    parent.audit("spanish-sealed")
    assert parent.page.get_attribute("html", "lang") == "es"
    assert "Expedientes entregados" not in parent.page.inner_text("main")

    # The daily job runs on the order's end date.
    [ended] = nondisclosure_orders_end_due(now=timezone.now() + dt.timedelta(days=15))
    assert ended.reference == request.reference

    parent.goto("/family/")
    parent.audit("spanish-shown")
    record = parent.page.inner_text("main")
    for words in (
        "Expedientes entregados",
        "Solicitud recibida",
        "City Police Department",
        "Rita Clerk",
        "Una orden legal no permitía al distrito escolar informarle de esto hasta el",
    ):
        assert words in record
    notice = parent.page.locator("details.brightline-item").first
    notice.locator("summary").click()
    letter = notice.inner_text()
    assert "Una orden legal no permitía al distrito escolar informarle de esto" in letter
    assert notice.locator("[lang=es]").count() == 1
