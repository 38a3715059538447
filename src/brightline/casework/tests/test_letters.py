"""Letters to requesters from templates: each kind made from what the requester may read alone, the
same for an enrolled student and one nobody identified, as a PDF for the requester and the office."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from brightline.accounts.tests.helpers import sign_in
from brightline.casework import conversation, reconsideration, services
from brightline.casework.models import Request
from brightline.errors import NotFound
from brightline.testing import World, request_body
from brightline.web.requester_letters import letter_html

pytestmark = pytest.mark.django_db

MADE_UP = {"first_name": "Nobody", "last_name": "Atall", "birth_date": "2012-02-02"}


def _closed(world: World, student: dict[str, str]) -> Request:
    body = request_body(purpose="civil_immigration_enforcement", categories=["directory"])
    body["students"] = [student]
    request = services.request_submit(
        agency=world.ice, document=body, channel="portal", submitted_by=world.immigration_officer
    ).request
    return request


def test_each_letter_reads_alike_for_an_enrolled_and_a_made_up_student(world: World) -> None:
    enrolled = {
        "first_name": world.alice.first_name,
        "last_name": world.alice.last_name,
        "birth_date": world.alice.birth_date.isoformat(),
    }
    letters = []
    for student in (enrolled, MADE_UP):
        refused = _closed(world, student)
        body = request_body(categories=["academic"])
        body["students"] = [student]
        waiting = services.request_submit(
            agency=world.police, document=body, channel="portal", submitted_by=world.detective
        ).request
        conversation.clarification_ask(request_id=waiting.pk, asked_by=world.clerk, body="Which year?")
        item = refused.items.get()
        reconsideration.reconsideration_decide(
            reconsideration_id=reconsideration.reconsideration_ask(
                request_id=refused.pk, agency=world.ice, asked_by=None, item_ids=[item.pk], reason="Why?"
            ).pk,
            counsel=world.legal_advisor,
            outcome="upheld",
            reason="The policy refuses it.",
        )
        texts = {}
        for request, kind in (
            (waiting, "acknowledgment"),
            (waiting, "clarification"),
            (waiting, "decision"),
            (refused, "decision"),
            (refused, "reconsideration"),
        ):
            html = letter_html(request, kind)
            html = html.replace(request.reference, "REF").replace(str(request.pk), "ID")
            html = re.sub(r"(received|on|to|by) [A-Z][a-z]+ \d+, \d{4}(, [^<.]*)?", r"\1 DATE", html)
            html = re.sub(r"<p class=\"meta\">[A-Z][a-z]+ \d+, \d{4}</p>", "", html)
            html = html.replace(student["first_name"], "FIRST").replace(student["last_name"], "LAST")
            # Dates in words, never as ISO: the birth date as the requester sent it, too.
            assert not re.search(r"\d{4}-\d{2}-\d{2}", html), html
            born = dt.date.fromisoformat(student["birth_date"])
            html = html.replace(f"born {born:%B} {born.day}, {born:%Y}", "born BORN")
            texts[f"{kind}-{request.purpose}"] = html
        letters.append(texts)
        with pytest.raises(NotFound):
            letter_html(waiting, "extension")
    assert letters[0] == letters[1]
    assert "How to ask for reconsideration" in letters[0]["decision-civil_immigration_enforcement"]
    assert "The policy refuses it." in letters[0]["reconsideration-civil_immigration_enforcement"]


def test_the_letters_download_as_pdf_for_the_requester_and_the_office(world: World, settings: Any) -> None:
    settings.REQUIRE_MFA = False
    request = services.request_submit(
        agency=world.police,
        document=request_body(world.alice, categories=["academic"]),
        channel="portal",
        submitted_by=world.detective,
    ).request
    portal, office = Client(), Client()
    sign_in(portal, world.detective)
    sign_in(office, world.clerk)
    page = portal.get(f"/portal/requests/{request.pk}/").content.decode()
    assert f"/portal/requests/{request.pk}/letters/acknowledgment.pdf" in page
    response = portal.get(f"/portal/requests/{request.pk}/letters/acknowledgment.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert office.get(f"/office/requests/{request.pk}/letters/decision.pdf").content.startswith(b"%PDF")
    assert portal.get(f"/portal/requests/{request.pk}/letters/extension.pdf").status_code == 404
    assert portal.get(f"/portal/requests/{request.pk}/letters/nonsense.pdf").status_code == 404
    other = Client()
    sign_in(other, world.transit_officer)
    assert other.get(f"/portal/requests/{request.pk}/letters/acknowledgment.pdf").status_code == 404


def test_the_acknowledgment_of_a_request_refused_at_once_says_it_was_refused(world: World) -> None:
    for student in ({"student_id": world.alice.sis_id}, MADE_UP):
        request = _closed(world, student)
        html = letter_html(request, "acknowledgment")
        assert "The district refused it" in html and "due by" not in html
    waiting = services.request_submit(
        agency=world.police,
        document=request_body(world.alice, categories=["academic"]),
        channel="portal",
        submitted_by=world.detective,
    ).request
    html = letter_html(waiting, "acknowledgment")
    assert "due by" in html and "refused" not in html
