"""Each person's main journey, end to end in Chromium, with axe-core on every page.

The submit and review journeys use the keyboard alone: Tab to reach a control, then type, Space or Enter.
Every wait is for something a person would see (a page loaded, a control focused, a message shown), never
for a length of time, so that a busy machine makes the suite slower but not red.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from brightline.casework.models import Item, Request
from brightline.testing import PASSWORD, World
from brightline.web.tests.browser.conftest import ARTIFACTS, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def sign_in_with_keyboard(visitor: Any, username: str) -> None:
    visitor.goto("/accounts/sign-in/")
    visitor.key_type("#id_username", username)
    visitor.key_type("#id_password", PASSWORD)
    with visitor.page.expect_navigation():
        visitor.page.keyboard.press("Enter")
    visitor.audit("dashboard")


def sign_in(visitor: Any, username: str) -> None:
    visitor.goto("/accounts/sign-in/")
    visitor.page.fill("#id_username", username)
    visitor.page.fill("#id_password", PASSWORD)
    with visitor.page.expect_navigation():
        visitor.page.click("button[type=submit]:has-text('Sign in')")
    visitor.audit("dashboard")


def follow_link_with_keyboard(visitor: Any, selector: str) -> None:
    visitor.tab_to(selector)
    with visitor.page.expect_navigation():
        visitor.page.keyboard.press("Enter")
    visitor.audit()


def type_local_datetime(visitor: Any, selector: str, when: dt.datetime) -> None:
    """A datetime-local field takes its parts typed in order, as a keyboard user enters them."""
    local = timezone.localtime(when)
    visitor.tab_to(selector)
    visitor.page.keyboard.type(local.strftime("%m%d%Y"))
    visitor.page.keyboard.press("Tab")
    visitor.page.keyboard.type(local.strftime("%I%M%p")[:5])
    visitor.page.keyboard.type(local.strftime("%p")[0])


def test_detective_request_is_matched_approved_released_downloaded_and_seen_by_the_parent(
    world: World, visit: Any
) -> None:
    # A detective submits an emergency request with the keyboard alone, naming the student with a typo.
    detective = visit("detective")
    sign_in_with_keyboard(detective, "detective")
    follow_link_with_keyboard(detective, "a[href='/portal/requests/new/']")
    page = detective.page
    detective.key_type("#id_student1_first_name", "Alicia")
    detective.key_type("#id_student1_last_name", "Rivera")
    detective.key_type("#id_student1_birth_date", "05012013")
    detective.key_select("#id_purpose", "Health or safety emergency")
    assert page.input_value("#id_purpose") == "health_safety_emergency"
    detective.key_type("#id_description", "A student may be in danger after threats made online")
    detective.key_press("#id_categories_1", "Space")  # contact information
    detective.key_press("#id_categories_4", "Space")  # academic records
    detective.key_type("#id_emergency_threat", "Threats to harm the student were posted this morning")
    ends_at = timezone.localtime(timezone.now() + dt.timedelta(days=2)).replace(second=0, microsecond=0)
    type_local_datetime(detective, "#id_emergency_ends_at", ends_at)
    assert page.input_value("#id_emergency_ends_at") == ends_at.strftime("%Y-%m-%dT%H:%M")
    detective.key_choose_file(
        "#id_document",
        "Space",
        [{"name": "statement.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}],
    )
    detective.key_select("#id_document_kind", "Statement of emergency")
    assert page.input_value("#id_document_kind") == "emergency"
    detective.tab_to(".brightline-actions button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    detective.audit("request-received")
    assert "was received" in page.inner_text("main")
    # The detective is not told whether the district has found the student (CONTRACTS.md).
    assert "The district is reviewing this part of the request." in page.inner_text("main")
    assert "identif" not in page.inner_text("main").lower()
    request = Request.objects.get(agency=world.police)
    assert request.documents.count() == 1

    # The records office finds Alice on the roster by her student ID and matches her.
    clerk = visit("clerk")
    sign_in(clerk, "clerk")
    clerk.goto("/office/")
    with clerk.page.expect_navigation():
        clerk.page.click(f"a:has-text('{request.reference}') >> nth=0")
    clerk.audit("office-request")
    rs = request.students.get()
    clerk.page.fill(f"#id_s{rs.pk}-student_id", "S-1001")
    clerk.page.click(f"#match-{rs.pk} button:has-text('Search')")
    clerk.page.wait_for_selector("button:has-text('Match to Alice Rivera (S-1001)')")
    clerk.audit("search-results")
    with clerk.page.expect_navigation():
        clerk.page.click("button:has-text('Match to Alice Rivera (S-1001)')")
    clerk.audit("matched")
    assert "Matched to Alice Rivera (S-1001)" in clerk.page.inner_text("main")
    academic = Item.objects.get(request=request, category="academic")
    assert academic.state == "pending_review"
    # Released without review, once the district has found the emergency real (rule R1).
    assert Item.objects.get(request=request, category="contact").state == "awaiting_determination"

    # The superintendent approves the academic records with a lawful basis, keyboard only.
    superintendent = visit("superintendent")
    sign_in_with_keyboard(superintendent, "super")
    follow_link_with_keyboard(superintendent, "a.usa-button[href='/review/']")
    follow_link_with_keyboard(superintendent, f"a.usa-button[href='/review/requests/{request.pk}/']")
    prefix = f"#id_item-{academic.pk}"
    superintendent.key_press(f"{prefix}-action_0", "Space")
    superintendent.key_select(
        f"{prefix}-lawful_basis", "A health or safety emergency with a stated threat (FERPA 99.36)"
    )
    assert superintendent.page.input_value(f"{prefix}-lawful_basis") == "health_safety_emergency_determined"
    superintendent.key_type(
        f"{prefix}-rationale", "The threat is specific and current; grades show recent contact."
    )
    superintendent.key_press(f"#item-{academic.pk} button[type=submit]", "Enter")
    # htmx swaps the decided item in, then moves the focus to its status once the swap has settled.
    outcome = superintendent.page.locator(f"#item-{academic.pk} [role=status]")
    expect(outcome).to_contain_text("Your decision was recorded")
    expect(outcome).to_be_focused()
    superintendent.audit("decided")

    # The records office calls the detective back, finds the threat real and records it.
    clerk.goto(f"/office/requests/{request.pk}/")
    with clerk.page.expect_navigation():
        clerk.page.click("a:has-text('Determine the emergency for Alice Rivera')")
    clerk.audit("determine")
    clerk.page.click("label:has-text('Yes: I found an articulable and significant threat')")
    clerk.page.fill(
        "#id_threat", "Specific threats to harm the student posted this morning, confirmed by the detective"
    )
    clerk.page.fill("#id_rationale", "Called Det. Keane back on the department's published number.")
    with clerk.page.expect_navigation():
        clerk.page.click("button:has-text('Record the determination')")
    assert "the emergency was found" in clerk.page.inner_text("main")

    # The records office looks at the packet it will send, then releases exactly that.
    with clerk.page.expect_navigation():
        clerk.page.click("a:has-text('Release the cleared items')")
    clerk.audit("release-preview")
    assert "Student 1 as the request named them" in clerk.page.inner_text("main")
    with clerk.page.expect_navigation():
        clerk.page.click("button:has-text('Release exactly this')")
    clerk.audit("released")
    assert "Released." in clerk.page.inner_text("main")

    # The detective accepts the redisclosure notice and downloads the packet once.
    detective.goto(f"/portal/requests/{request.pk}/")
    packet = request.packets.get()
    detective.page.fill(f"#id_ack-{packet.pk}-acknowledged_by", "Dana Keane")
    detective.page.click(f"label[for='id_ack-{packet.pk}-accept']")
    with detective.page.expect_navigation():
        detective.page.click("button:has-text('Accept the notice')")
    detective.audit("acknowledged")
    with detective.page.expect_download() as download:
        detective.page.click("button:has-text('Download the release (PDF)')")
    saved = ARTIFACTS / "release.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    # Alice's parent sees the release in her record of disclosures.
    parent = visit("parent")
    sign_in(parent, "parent")
    parent.goto("/family/")
    records = parent.page.inner_text("main")
    assert "Records released" in records
    assert "City Police Department" in records


def test_immigration_request_is_refused_with_the_reason(world: World, visit: Any) -> None:
    officer = visit("ice")
    sign_in(officer, "ice")
    officer.goto("/portal/requests/new/")
    page = officer.page
    page.fill("#id_student1_student_id", "S-1001")
    page.select_option("#id_purpose", "civil_immigration_enforcement")
    page.fill("#id_description", "Locate the student's family")
    page.click("label[for='id_categories_2']")  # enrollment: where the student can be found
    page.select_option("#id_legal_process_kind", "administrative_warrant")
    with page.expect_navigation():
        page.click("button:has-text('Send the request')")
    officer.audit("refused")
    text = page.inner_text("main")
    assert "Refused by the policy" in text
    assert "does not disclose records for civil immigration enforcement" in text
    assert "Closed: nothing to release" in text
