"""The conversation, deadline, owner, notes and search pages: each journey through the pages as a
person would walk it, the portal list a page at a time, the CSV formula-safe, query counts pinned."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from brightline.accounts.tests.helpers import sign_in
from brightline.casework import services
from brightline.casework.models import Request
from brightline.testing import World, request_body
from brightline.web.views.casework_pages import PAGE_SIZE, csv_safe

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings: Any) -> None:
    settings.REQUIRE_MFA = False


def _submit(world: World, **overrides: Any) -> Request:
    body = request_body(world.alice, categories=["academic"], **overrides)
    return services.request_submit(
        agency=world.police, document=body, channel="portal", submitted_by=world.detective
    ).request


def test_clarify_answer_and_resume_through_the_pages(world: World) -> None:
    request = _submit(world)
    office, portal = Client(), Client()
    sign_in(office, world.clerk)
    sign_in(portal, world.detective)
    url = f"/office/requests/{request.pk}/"
    response = office.post(
        f"{url}messages", {"body": "Which school year?", "kind": "clarification"}, follow=True
    )
    assert "the decision clock is paused" in response.content.decode()
    page = portal.get(f"/portal/requests/{request.pk}/").content.decode()
    assert "Which school year?" in page and "paused until you answer" in page
    response = portal.post(f"/portal/requests/{request.pk}/messages", {"body": "This one."}, follow=True)
    assert "was sent to the records office" in response.content.decode()
    request.refresh_from_db()
    assert request.clock_paused_at is None
    # An empty message is refused, naming the field; nothing is stored.
    response = portal.post(f"/portal/requests/{request.pk}/messages", {"body": " "}, follow=True)
    page = response.content.decode()
    assert '<a href="#message-body">Write your message to the records office.</a>' in page
    assert (
        '<span class="usa-error-message" id="message-body-error">Write your message to the records office.</span>'
        in page
    )
    assert "Body:" not in page
    assert request.messages.count() == 2
    # Another agency's requester cannot write on it.
    other = Client()
    sign_in(other, world.transit_officer)
    assert other.post(f"/portal/requests/{request.pk}/messages", {"body": "x"}).status_code == 404


def test_extend_assign_and_notes_through_the_pages(world: World) -> None:
    request = _submit(world)
    office, portal = Client(), Client()
    sign_in(office, world.clerk)
    sign_in(portal, world.detective)
    url = f"/office/requests/{request.pk}/"
    response = office.post(f"{url}extend", {"new_due_date": "not a date", "reason": "x"}, follow=True)
    page = response.content.decode()
    assert "New_due_date" not in page and "new_due_date:" not in page
    assert (
        '<a href="#new-due-date">Enter the new decision date as a date, for example March 20, 2026.</a>'
        in page
    )
    # The form it names is open, the error beside its field, and the page opens at the field.
    assert '<details id="extend" open>' in page and 'id="new-due-date-error"' in page
    assert response.redirect_chain[-1][0].endswith("#new-due-date")
    # Both problems at once, each a sentence linked to its field.
    page = office.post(f"{url}extend", {"new_due_date": "", "reason": ""}, follow=True).content.decode()
    assert '<a href="#new-due-date">Enter the new decision date.</a>' in page
    assert '<a href="#extend-reason">Write the reason for the extension: the requester reads it.</a>' in page
    from brightline.casework.calendar import DistrictCalendar, district_zone

    due = timezone.localtime(request.decision_due_at, district_zone()).date()
    page = office.post(
        f"{url}extend", {"new_due_date": due.isoformat(), "reason": "x"}, follow=True
    ).content.decode()
    words = f"{due:%B} {due.day}, {due:%Y}"
    assert (
        f'<a href="#new-due-date">Enter a new decision date after the current deadline, {words}.</a>' in page
    )

    new_day = DistrictCalendar.load().add_business_days(due, 3)
    response = office.post(
        f"{url}extend", {"new_due_date": new_day.isoformat(), "reason": "The archive is closed."}, follow=True
    )
    assert "The deadline was extended" in response.content.decode()
    page = portal.get(f"/portal/requests/{request.pk}/").content.decode()
    assert "The archive is closed." in page and "extended the decision deadline" in page
    office.post(f"{url}owner", {"owner": str(world.clerk.pk)})
    request.refresh_from_db()
    assert request.owner_id == world.clerk.pk
    office.post(f"/requests/{request.pk}/notes", {"body": "Only the principal knows."})
    assert "Only the principal knows." in office.get(url).content.decode()
    assert "Only the principal knows." not in portal.get(f"/portal/requests/{request.pk}/").content.decode()
    reviewer = Client()
    sign_in(reviewer, world.superintendent)
    assert "Only the principal knows." in reviewer.get(f"/review/requests/{request.pk}/").content.decode()
    mine = office.get("/office/search/?owner=me").content.decode()
    assert request.reference in mine
    assert request.reference not in reviewer.get("/office/search/?owner=me").content.decode()


def test_the_portal_list_is_paginated_with_bounded_queries(world: World) -> None:
    for _ in range(PAGE_SIZE + 3):
        _submit(world)
    portal = Client()
    sign_in(portal, world.detective)
    with CaptureQueriesContext(connection) as first:
        page = portal.get("/portal/").content.decode()
    assert page.count("/portal/requests/") - page.count("/portal/requests/new/") == PAGE_SIZE
    assert "Page 1 of 2" in page
    second = portal.get("/portal/?page=2").content.decode()
    assert second.count("/portal/requests/") - second.count("/portal/requests/new/") == 3
    reference = Request.objects.order_by("received_at").first().reference  # type: ignore[union-attr]
    found = portal.get(f"/portal/?q={reference}").content.decode()
    assert reference in found and "Page 1 of" not in found
    # Pinned: the same number of statements whatever the number of requests on the page.
    with CaptureQueriesContext(connection) as last:
        portal.get("/portal/?page=2")
    assert len(first) == len(last) <= 16, [q["sql"] for q in first.captured_queries]


def test_search_by_reference_student_agency_state_and_dates_and_a_safe_csv(world: World) -> None:
    request = _submit(world, description='=HYPERLINK("http://evil")')
    other = services.request_submit(
        agency=world.transit, document=request_body(world.ben, categories=["directory"]), channel="api"
    ).request
    office = Client()
    sign_in(office, world.clerk)
    assert request.reference in office.get(f"/office/search/?q={request.reference[-4:]}").content.decode()
    by_student = office.get("/office/search/?student=Alice").content.decode()
    assert request.reference in by_student and other.reference not in by_student
    by_id = office.get(f"/office/search/?student={world.ben.sis_id}").content.decode()
    assert other.reference in by_id and request.reference not in by_id
    by_agency = office.get("/office/search/?agency=transit").content.decode()
    assert other.reference in by_agency and request.reference not in by_agency
    state = office.get(f"/office/search/?state={other.state}").content.decode()
    assert other.reference in state
    bad = office.get("/office/search/?received_from=2026-03-10&received_to=2026-03-01").content.decode()
    assert "The end comes before the start." in bad
    with CaptureQueriesContext(connection) as queries:
        office.get("/office/search/")
    assert len(queries) <= 20, [q["sql"] for q in queries.captured_queries]
    response = office.get("/office/search/?format=csv&agency=City")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Reference",
        "Received",
        "Agency",
        "Kind of requester",
        "Purpose",
        "Status",
        "Outcome",
        "Decision due",
        "Owner",
    ]
    assert rows[1][0] == request.reference and "_" not in "".join(rows[1][1:])
    assert "Eastern Time" in rows[1][1] and rows[1][3] == "City or town police"
    assert csv_safe("=1+1") == "'=1+1" and csv_safe("@SUM(A1)") == "'@SUM(A1)" and csv_safe("-2") == "'-2"
    assert csv_safe("BL-26-X") == "BL-26-X"
    # A requester never reaches the staff search.
    portal = Client()
    sign_in(portal, world.detective)
    assert portal.get("/office/search/").status_code == 403


def test_pause_without_a_question_through_the_pages(world: World) -> None:
    request = _submit(world)
    office, portal = Client(), Client()
    sign_in(office, world.clerk)
    sign_in(portal, world.detective)
    url = f"/office/requests/{request.pk}/"
    page = office.get(url).content.decode()
    assert "Pause the clock without a question" in page
    response = office.post(f"{url}pause", {"reason": ""}, follow=True)
    page = response.content.decode()
    assert '<a href="#pause-reason">Write why the clock is paused.</a>' in page
    assert '<details id="pause" open>' in page and 'id="pause-reason-error"' in page
    request.refresh_from_db()
    assert request.clock_paused_at is None
    response = office.post(f"{url}pause", {"reason": "Waiting for the court's answer."}, follow=True)
    page = response.content.decode()
    assert "The decision clock is paused until you resume it." in page
    assert "without a question to the requester" in page and "Waiting for the court&#x27;s answer." in page
    assert "Pause the clock without a question" not in page and 'id="resume-reason"' in page
    # The requester reads that it is paused, not why, and is not asked to answer.
    page = portal.get(f"/portal/requests/{request.pk}/").content.decode()
    assert "The records office paused the decision deadline on" in page
    assert "court" not in page and "Your answer" not in page and "paused until you answer" not in page
    portal.post(f"/portal/requests/{request.pk}/messages", {"body": "Any news?"})
    request.refresh_from_db()
    assert request.clock_paused_at is not None
    response = office.post(f"{url}resume", {"reason": "The court answered."}, follow=True)
    assert "The decision clock runs again" in response.content.decode()
    page = portal.get(f"/portal/requests/{request.pk}/").content.decode()
    assert "the decision deadline ran again: it is now" in page and "court" not in page
    # Only the records office pauses.
    reviewer = Client()
    sign_in(reviewer, world.superintendent)
    assert reviewer.post(f"{url}pause", {"reason": "x"}).status_code == 403


def test_the_conversation_and_its_errors_speak_the_page_language(world: World, settings: Any) -> None:
    request = _submit(world)
    office = Client()
    sign_in(office, world.clerk)
    office.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    url = f"/office/requests/{request.pk}/"
    page = office.get(url).content.decode()
    assert "Pausar el reloj sin una pregunta" in page and "Pause the clock without a question" not in page
    page = office.post(f"{url}pause", {"reason": " "}, follow=True).content.decode()
    assert '<a href="#pause-reason">Escriba por qué se pausa el reloj.</a>' in page
    # The letters stay in English, the agencies' working language, whatever the page's language.
    from django.utils import translation

    from brightline.web.requester_letters import letter_html

    with translation.override("es"):
        assert "Acknowledgment of your request" in letter_html(request, "acknowledgment")
