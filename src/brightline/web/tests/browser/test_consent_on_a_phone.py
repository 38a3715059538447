"""On a 375 px phone: a detective sends a request with a written consent, is warned of the part it lacks,
completes it; anyone reads the policy page without scrolling sideways. axe-core checks every page."""

from __future__ import annotations

from typing import Any

import pytest

from brightline.casework.models import Item, Request
from brightline.testing import PASSWORD, World
from brightline.web.tests.browser.conftest import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def on_a_phone(visit: Any, person: str) -> Any:
    visitor = visit(person)
    visitor.page.set_viewport_size(PHONE)
    return visitor


def sign_in(visitor: Any, username: str) -> None:
    visitor.goto("/accounts/sign-in/")
    visitor.page.fill("#id_username", username)
    visitor.page.fill("#id_password", PASSWORD)
    with visitor.page.expect_navigation():
        visitor.page.click("button[type=submit]:has-text('Sign in')")
    visitor.audit("dashboard")


def fits_the_screen(visitor: Any) -> None:
    width = visitor.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{visitor.page.url} is {width} px wide on a {PHONE['width']} px screen"


def attach_signed_consent(page: Any) -> None:
    page.set_input_files(
        "#id_consent_document",
        files=[{"name": "consent.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}],
    )


def test_a_detective_sends_a_consent_from_a_phone_after_the_missing_part_is_pointed_out(
    world: World, visit: Any
) -> None:
    detective = on_a_phone(visit, "detective")
    sign_in(detective, "detective")
    detective.goto("/portal/requests/new/")
    fits_the_screen(detective)
    page = detective.page
    page.fill("#id_student1_student_id", "S-1001")
    page.select_option("#id_purpose", "criminal_investigation")
    page.fill("#id_description", "A theft at the station; the family agreed to share grades")
    page.click("label[for='id_categories_4']")  # academic records
    page.fill("#id_consent_signed_by", "Maria Rivera")
    page.fill("#id_consent_signed_on", "2026-02-20")
    page.fill("#id_consent_purpose", "Help the investigation of the theft at the station")
    page.click("label[for='id_consent_categories_4']")  # academic records
    attach_signed_consent(page)
    with page.expect_navigation():
        page.click("button:has-text('Send the request')")
    detective.audit("consent-warned")
    fits_the_screen(detective)
    warning = page.inner_text("#id_consent_recipient-warning")
    assert "without the recipient it names, this consent is not valid" in warning
    expect(page.locator("#consent-warnings")).to_be_focused()
    assert not Request.objects.exists()

    # The detective fills in the recipient and attaches the signed form again.
    page.fill("#id_consent_recipient", "City Police Department")
    attach_signed_consent(page)
    with page.expect_navigation():
        page.click("button:has-text('Send the request')")
    detective.audit("consent-sent")
    fits_the_screen(detective)
    assert "was received" in page.inner_text("main")
    request = Request.objects.get()
    assert request.document["consent"]["recipient"] == "City Police Department"
    assert request.documents.get().kind == "consent"
    assert Item.objects.get(request=request).rules == ["R6"]


def test_the_policy_page_fits_a_phone(world: World, visit: Any) -> None:
    reader = on_a_phone(visit, "reader")
    reader.goto("/policy/")
    fits_the_screen(reader)
    text = reader.page.inner_text("main")
    assert "What changed in version 2" in text
    assert "B · no bulk release" in text
    reader.page.click("summary:has-text('Show the Cedar text')")
    fits_the_screen(reader)
