"""The records office's day in Chromium, axe-core on every page: ask the requester to clarify (the clock
stops), the requester answers (it runs again), extend the deadline, own the request, find it and export
the list; the requester asks for reconsideration and counsel decides."""

from __future__ import annotations

from typing import Any

import pytest

from brightline.casework import services
from brightline.casework.calendar import DistrictCalendar, district_zone
from brightline.casework.models import Request
from brightline.testing import World, request_body
from brightline.web.tests.browser.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submitted(world: World, **overrides: Any) -> Request:
    return services.request_submit(
        agency=world.police,
        document=request_body(world.alice, categories=["academic"], **overrides),
        channel="portal",
        submitted_by=world.detective,
    ).request


def test_clarify_answer_extend_assign_find_and_export(world: World, visit: Any) -> None:
    request = _submitted(world)
    clerk = visit("clerk")
    sign_in(clerk, "clerk")
    clerk.goto(f"/office/requests/{request.pk}/")
    clerk.audit("office-request")
    page = clerk.page
    page.fill("#office-message-body", "Which school year do you need?")
    with page.expect_navigation():
        page.click("button:has-text('Ask to clarify and pause the clock')")
    clerk.audit("clarification-asked")
    assert "the decision clock is paused" in page.inner_text("main")

    detective = visit("detective")
    sign_in(detective, "detective")
    detective.goto(f"/portal/requests/{request.pk}/")
    detective.audit("portal-paused")
    main = detective.page.inner_text("main")
    assert "Which school year do you need?" in main and "paused until you answer" in main
    detective.page.fill("#message-body", "2025-26 only.")
    with detective.page.expect_navigation():
        detective.page.click("#conversation button:has-text('Send')")
    detective.audit("answered")
    assert "paused until you answer" not in detective.page.inner_text("main")
    request.refresh_from_db()
    assert request.clock_paused_at is None

    # The office extends the deadline; the requester reads the reason and the new date.
    from django.utils import timezone

    due = timezone.localtime(request.decision_due_at, district_zone()).date()
    new_day = DistrictCalendar.load().add_business_days(due, 2)
    clerk.goto(f"/office/requests/{request.pk}/")
    page.click("summary:has-text('Extend the deadline')")
    page.fill("#new-due-date", new_day.isoformat())
    page.fill("#extend-reason", "The archive is closed until Monday.")
    with page.expect_navigation():
        page.click("button:has-text('Extend')")
    clerk.audit("extended")
    page.select_option("#owner", str(world.clerk.pk))
    with page.expect_navigation():
        page.click("button:has-text('Save the owner')")
    clerk.audit("assigned")
    detective.goto(f"/portal/requests/{request.pk}/")
    detective.audit("portal-extended")
    assert "The archive is closed until Monday." in detective.page.inner_text("main")

    # Mine, then a search by the student's name, then the list as CSV.
    clerk.goto("/office/")
    with page.expect_navigation():
        page.click("a:has-text('My requests')")
    clerk.audit("mine")
    assert request.reference in page.inner_text("main")
    page.fill("#id_student", "Alice")
    with page.expect_navigation():
        page.click("button:has-text('Search')")
    clerk.audit("search")
    assert request.reference in page.inner_text("main")
    with page.expect_download() as download:
        page.click("button:has-text('Download as CSV')")
    text = open(download.value.path(), encoding="utf-8").read()  # noqa: SIM115
    assert text.startswith("Reference,Received,") and request.reference in text and "_" not in text


def test_reconsideration_asked_and_decided(world: World, visit: Any) -> None:
    request = _submitted(world)
    item = request.items.get()
    services.item_decide(item_id=item.pk, reviewer=world.superintendent, action="deny", rationale="No.")
    detective = visit("detective")
    sign_in(detective, "detective")
    detective.goto(f"/portal/requests/{request.pk}/")
    page = detective.page
    page.click(f"label[for=reconsider-{item.pk}]")
    page.fill("#reconsider-reason", "The student is missing; the records would help find them.")
    with page.expect_navigation():
        page.click("button:has-text('Ask for reconsideration')")
    detective.audit("reconsideration-asked")
    assert "Waiting for the district" in page.inner_text("main")

    counsel = visit("counsel")
    sign_in(counsel, "counsel")
    counsel.goto("/review/")
    with counsel.page.expect_navigation():
        counsel.page.click(f"#reconsiderations-heading ~ ul a:has-text('{request.reference}')")
    counsel.audit("reconsideration")
    counsel.page.click("label[for=outcome-reopened]")
    counsel.page.fill("#decision-reason", "A missing child changes the balance; the reviewer decides again.")
    with counsel.page.expect_navigation():
        counsel.page.click("button:has-text('Record the decision')")
    counsel.audit("decided")
    detective.goto(f"/portal/requests/{request.pk}/")
    detective.audit("reopened")
    main = page.inner_text("main")
    assert "Counsel reopened these records" in main and "In review" in main


def test_preservation_hold_then_expiry(world: World, visit: Any) -> None:
    import datetime as dt

    import time_machine
    from django.core.management import call_command
    from django.utils import timezone

    from brightline.casework.models import Preservation

    detective = visit("detective")
    sign_in(detective, "detective")
    detective.goto("/portal/preservations/")
    detective.audit("preservations")
    page = detective.page
    page.fill("#p-student-id", world.alice.sis_id)
    page.click("label[for=p-category-attendance]")
    page.fill("#p-process", "A grand jury subpoena is being prepared.")
    with page.expect_navigation():
        page.click("button:has-text('Ask the district to preserve these records')")
    detective.audit("preservation-recorded")
    assert "discloses nothing" in page.inner_text("main")
    hold = Preservation.objects.get()
    assert hold.matched_students == [world.alice.pk]

    clerk = visit("clerk")
    sign_in(clerk, "clerk")
    clerk.goto("/office/preservations/")
    clerk.audit("holds")
    assert hold.reference in clerk.page.inner_text("main") and world.alice.sis_id in clerk.page.inner_text(
        "main"
    )

    with time_machine.travel(timezone.now() + dt.timedelta(days=91)):
        call_command("remind_deadlines")
    detective.goto("/portal/preservations/")
    detective.audit("expired")
    assert "Ended: no legal process followed" in page.inner_text("main")


def test_pause_without_a_question_then_resume(world: World, visit: Any) -> None:
    """Waiting for a court: the clerk pauses the clock with an internal reason (a blank one is refused
    with a sentence linked to the field); the requester reads that it is paused, not why; the clerk
    resumes it and the requester reads the new deadline."""
    request = _submitted(world)
    clerk = visit("clerk")
    sign_in(clerk, "clerk")
    clerk.goto(f"/office/requests/{request.pk}/")
    page = clerk.page
    page.click("summary:has-text('Pause the clock without a question')")
    page.fill("#pause-reason", "   ")
    with page.expect_navigation():
        page.click("button:has-text('Pause the clock')")
    clerk.audit("pause-refused")
    link = page.locator(".brightline-messages a[href='#pause-reason']")
    assert link.inner_text() == "Write why the clock is paused."
    assert page.locator("#pause-reason-error").is_visible()
    link.click()
    page.fill("#pause-reason", "Waiting for the juvenile court's answer.")
    with page.expect_navigation():
        page.click("button:has-text('Pause the clock')")
    clerk.audit("paused")
    main = page.inner_text("main")
    assert "without a question to the requester" in main and "juvenile court" in main

    detective = visit("detective")
    sign_in(detective, "detective")
    detective.goto(f"/portal/requests/{request.pk}/")
    detective.audit("portal-paused-by-the-office")
    main = detective.page.inner_text("main")
    assert "The records office paused the decision deadline on" in main
    assert "court" not in main and "Your answer" not in main
    request.refresh_from_db()
    assert request.clock_paused_at is not None

    page.fill("#resume-reason", "The court answered by telephone.")
    with page.expect_navigation():
        page.click("button:has-text('Resume the clock')")
    clerk.audit("resumed")
    request.refresh_from_db()
    assert request.clock_paused_at is None
    detective.goto(f"/portal/requests/{request.pk}/")
    detective.audit("portal-resumed")
    main = detective.page.inner_text("main")
    assert "the decision deadline ran again: it is now" in main and "telephone" not in main


def test_an_immigration_hold_reaches_counsel(world: World, visit: Any) -> None:
    """An immigration enforcement agency's preservation request: recorded, nothing disclosed, and counsel
    finds its copy among its notices to read (and an e-mail is queued for it), then marks it read."""
    from brightline.casework.models import Preservation
    from brightline.notices.models import CounselNotice, OfficialEmail

    officer = visit("ice")
    sign_in(officer, "ice")
    officer.goto("/portal/preservations/")
    page = officer.page
    page.fill("#p-student-id", world.alice.sis_id)
    page.click("label[for=p-category-contact]")
    page.fill("#p-process", "An immigration detainer.")
    with page.expect_navigation():
        page.click("button:has-text('Ask the district to preserve these records')")
    officer.audit("immigration-hold-recorded")
    assert "discloses nothing" in page.inner_text("main")
    hold = Preservation.objects.get()
    notice = CounselNotice.objects.get(reference=hold.reference)
    assert OfficialEmail.objects.filter(counsel_notice=notice, email=world.legal_advisor.email).exists()

    counsel = visit("counsel")
    sign_in(counsel, "counsel")
    counsel.goto("/review/")
    counsel.audit("counsel-notices")
    section = counsel.page.inner_text(f"#counsel-notice-{notice.pk}")
    assert hold.reference in section and "F1" in section and world.alice.last_name not in section
    with counsel.page.expect_navigation():
        counsel.page.click(f"#counsel-notice-{notice.pk} button")
    counsel.audit("counsel-notice-read")
    notice.refresh_from_db()
    assert notice.read_at is not None
