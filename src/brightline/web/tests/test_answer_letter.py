"""The district's answer to a requester as a letter (PDF): what the portal page says, on paper, the same
for every student whatever the district knows of them; the records office prints it for a request that
came off the portal."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from brightline.accounts.models import StaffAccess
from brightline.accounts.tests.helpers import sign_in
from brightline.casework import services
from brightline.casework.tests.test_what_a_requester_learns import TELLING
from brightline.casework.tests.test_what_the_public_log_tells import CATEGORIES, KINDS, _student
from brightline.formats.local import local_date
from brightline.testing import World, request_body
from brightline.web.labels import label

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _letter(world: World, client: Client, kind: str, **overrides: Any) -> str:
    body = request_body(categories=CATEGORIES, **overrides)
    body["students"] = [_student(world, kind)]
    request = services.request_submit(
        agency=world.police, document=body, channel="portal", submitted_by=world.detective
    ).request
    response = client.get(f"/portal/requests/{request.pk}/letter.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and "no-store" in response["Cache-Control"]
    text = _text(response.content)
    assert request.reference in text
    text = text.replace(request.reference, "REF")
    # Names and birth dates are the requester's own words: set them aside with the dates.
    named = body["students"][0]
    born = local_date(named["birth_date"])
    assert named["birth_date"] not in text, "the birth date is a day in words, not an ISO date"
    text = text.replace(f"{named['first_name']} {named['last_name']}, born {born}", "NAMED")
    return re.sub(r"[A-Z][a-z]+ \d{1,2}, \d{4}(, \d{1,2}:\d{2} [AP]M( [A-Z]+)?)?", "DATE", text)


@pytest.mark.parametrize(
    "overrides",
    [{}, {"onward_recipients": ["immigration_enforcement"]}],
    ids=["police", "police passing records on to immigration"],
)
def test_the_letter_reads_the_same_whoever_the_student_and_tells_no_fact(
    world: World, overrides: dict[str, Any]
) -> None:
    detective = Client()
    sign_in(detective, world.detective)
    letters = {kind: _letter(world, detective, kind, **overrides) for kind in KINDS}
    # The names of the record categories asked for ("Enrollment") are the requester's own words.
    asked = [label("category", category) for category in CATEGORIES]
    for kind, text in letters.items():
        assert text == letters["enrolled"], kind
        told = re.sub("|".join(asked), "CATEGORY", text)
        assert not TELLING.search(told), (kind, TELLING.search(told))
    assert "No records released" in letters["enrolled"] or "In review" in letters["enrolled"]


def test_another_agency_cannot_read_the_letter_and_the_office_prints_it_logged(world: World) -> None:
    body = request_body(world.alice, categories=["attendance"])
    request = services.request_submit(
        agency=world.police, document=body, channel="fax", entered_by=world.clerk
    ).request
    officer = Client()
    sign_in(officer, world.immigration_officer)
    assert officer.get(f"/portal/requests/{request.pk}/letter.pdf").status_code == 404
    clerk = Client()
    sign_in(clerk, world.clerk)
    page = clerk.get(f"/office/requests/{request.pk}/").content.decode()
    assert f"/office/requests/{request.pk}/letter.pdf" in page and "send it back by fax" in page
    before = StaffAccess.objects.count()
    response = clerk.get(f"/office/requests/{request.pk}/letter.pdf")
    assert response.status_code == 200
    text = _text(response.content)
    assert "Student ID S-1001" in text and "Alice" not in text  # named as the requester named her
    assert StaffAccess.objects.count() > before
