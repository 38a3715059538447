"""The request form of the portal and the records office: onward recipients, a written consent (with
its signed form), emergencies from anyone, and no `identified_by` asked of the requester."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from brightline.casework.models import Item, Request
from brightline.testing import World, make_requester
from brightline.web.forms import RequestForm
from brightline.web.tests.visible import IDENTIFIER, visible_text

pytestmark = pytest.mark.django_db

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
COMPLETE_CONSENT = {
    "consent_signed_by": "Maria Rivera",
    "consent_signed_on": "2026-02-20",
    "consent_purpose": "Help the investigation of the theft at the station",
    "consent_recipient": "City Police Department",
    "consent_categories": ["academic", "discipline"],
}


def pdf(name: str = "consent.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, MINIMAL_PDF, content_type="application/pdf")


def form_data(**overrides: Any) -> dict[str, Any]:
    """What the detective types for a request about Alice (S-1001) for her academic records."""
    data: dict[str, Any] = {
        "student1_student_id": "S-1001",
        "purpose": "criminal_investigation",
        "description": "A theft at a station",
        "categories": ["academic"],
        "legal_process_kind": "none",
        "document_kind": "other",
    }
    data.update(overrides)
    return data


def only_request() -> Request:
    return Request.objects.get()


def test_identified_by_is_not_asked(world: World, client: Client) -> None:
    form = RequestForm(form_data())
    assert form.is_valid(), form.errors
    assert "identified_by" not in form.fields
    assert "identified_by" not in form.request_document()
    client.force_login(world.detective)
    page = client.get("/portal/requests/new/").content.decode()
    assert 'name="identified_by"' not in page
    # What the requester sent decides it: a student ID here.
    assert client.post("/portal/requests/new/", form_data()).status_code == 302
    assert only_request().document["identified_by"] == "student_id"


def test_the_new_request_page_speaks_in_words(world: World, client: Client) -> None:
    client.force_login(world.detective)
    text = visible_text(client.get("/portal/requests/new/").content.decode())
    assert IDENTIFIER.findall(text) == []
    assert "Gang database" in text
    assert "Immigration enforcement" in text
    assert "refuses every request whose records would go on to immigration enforcement" in text


def test_onward_sharing_with_immigration_enforcement_is_refused_under_f1(
    world: World, client: Client
) -> None:
    client.force_login(world.detective)
    response = client.post(
        "/portal/requests/new/",
        form_data(categories=["directory", "academic"], onward_recipients=["immigration_enforcement"]),
    )
    assert response.status_code == 302
    request = only_request()
    assert request.document["onward_recipients"] == ["immigration_enforcement"]
    items = list(Item.objects.filter(request=request))
    assert {item.category for item in items} == {"directory", "academic"}
    assert all(item.outcome == "refuse" and "F1" in item.rules for item in items), [i.rules for i in items]
    page = client.get(response["Location"]).content.decode()
    assert "does not disclose records for civil immigration enforcement" in page


def test_onward_sharing_with_a_gang_database_is_refused_under_f2(world: World, client: Client) -> None:
    client.force_login(world.detective)
    response = client.post("/portal/requests/new/", form_data(onward_recipients=["gang_database"]))
    assert response.status_code == 302
    item = Item.objects.get(request=only_request())
    assert (item.outcome, item.rules) == ("refuse", ["F2"])


def test_no_onward_recipient_sends_an_empty_list(world: World, client: Client) -> None:
    client.force_login(world.detective)
    assert client.post("/portal/requests/new/", form_data()).status_code == 302
    request = only_request()
    assert request.document["onward_recipients"] == []
    assert request.document["consent"] is None
    assert Item.objects.get(request=request).rules == ["D"]


def test_a_complete_consent_is_sent_and_its_signed_form_attached(world: World, client: Client) -> None:
    client.force_login(world.detective)
    response = client.post(
        "/portal/requests/new/",
        form_data(categories=["academic", "discipline"], consent_document=pdf(), **COMPLETE_CONSENT),
    )
    assert response.status_code == 302
    request = only_request()
    assert request.document["consent"] == {
        "signed_by": "Maria Rivera",
        "signed_on": "2026-02-20",
        "purpose": "Help the investigation of the theft at the station",
        "recipient": "City Police Department",
        "categories": ["academic", "discipline"],
    }
    assert [(document.kind, document.original_name) for document in request.documents.all()] == [
        ("consent", "consent.pdf")
    ]
    # The policy uses it: academic records are released on the consent (R6); discipline records to the
    # police under a consent go to the superintendent first (F4 no longer refuses them).
    academic = Item.objects.get(request=request, category="academic")
    discipline = Item.objects.get(request=request, category="discipline")
    assert (academic.outcome, academic.rules) == ("release", ["R6"])
    assert (discipline.outcome, discipline.reviewer, discipline.rules) == ("review", "superintendent", ["R6"])


def test_a_consent_and_a_legal_document_are_both_attached(world: World, client: Client) -> None:
    client.force_login(world.detective)
    response = client.post(
        "/portal/requests/new/",
        form_data(
            consent_document=pdf(),
            document=pdf("subpoena.pdf"),
            document_kind="subpoena",
            legal_process_kind="subpoena",
            **COMPLETE_CONSENT,
        ),
    )
    assert response.status_code == 302
    kinds = sorted(only_request().documents.values_list("kind", flat=True))
    assert kinds == ["consent", "subpoena"]


def test_a_partial_consent_is_warned_next_to_each_missing_part_and_sent_when_confirmed(
    world: World, client: Client
) -> None:
    client.force_login(world.detective)
    partial = dict(COMPLETE_CONSENT, consent_signed_by="", consent_recipient="  ")
    first = client.post("/portal/requests/new/", form_data(consent_document=pdf(), **partial))
    assert first.status_code == 200
    assert not Request.objects.exists()
    page = first.content.decode()
    assert 'id="id_consent_signed_by-warning"' in page
    assert 'id="id_consent_recipient-warning"' in page
    assert 'id="id_consent_signed_on-warning"' not in page
    assert "Missing: without who signed it, this consent is not valid." in page
    assert "Missing: without the recipient it names, this consent is not valid." in page
    assert "Send anyway: I understand the consent will not be treated as valid consent" in page
    assert "attach them again" in page  # the signed form was uploaded and is not kept
    assert "usa-error-message" not in page  # a warning, not an error

    second = client.post(
        "/portal/requests/new/", form_data(consent_document=pdf(), consent_confirmed="on", **partial)
    )
    assert second.status_code == 302
    request = only_request()
    assert request.document["consent"]["signed_by"] == ""
    assert request.document["consent"]["recipient"] == ""
    # Not valid consent: the other rules decide (the superintendent reviews under rule D).
    item = Item.objects.get(request=request)
    assert (item.outcome, item.rules) == ("review", ["D"])
    assert request.documents.get().kind == "consent"


def test_a_consent_without_its_signed_form_is_warned(world: World, client: Client) -> None:
    client.force_login(world.detective)
    first = client.post("/portal/requests/new/", form_data(**COMPLETE_CONSENT))
    assert first.status_code == 200
    page = first.content.decode()
    assert 'id="id_consent_document-warning"' in page
    assert "the records office needs the signed consent form" in page
    assert "Send anyway, without the signed consent form" in page
    assert not Request.objects.exists()
    second = client.post("/portal/requests/new/", form_data(consent_confirmed="on", **COMPLETE_CONSENT))
    assert second.status_code == 302
    item = Item.objects.get(request=only_request())
    assert item.rules == ["R6"]  # valid for the policy; only the form is missing


def test_only_a_signed_form_is_a_consent_with_every_part_missing(world: World, client: Client) -> None:
    client.force_login(world.detective)
    page = client.post("/portal/requests/new/", form_data(consent_document=pdf())).content.decode()
    for name in ("signed_by", "signed_on", "purpose", "recipient", "categories"):
        assert f'id="id_consent_{name}-warning"' in page, name
    assert 'id="id_consent_document-warning"' not in page


def test_a_consent_date_that_is_not_a_date_is_an_error_naming_the_field(world: World, client: Client) -> None:
    client.force_login(world.detective)
    response = client.post(
        "/portal/requests/new/",
        form_data(consent_document=pdf(), **dict(COMPLETE_CONSENT, consent_signed_on="last Tuesday")),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Signed on: Enter the date the consent was signed as a date" in page
    assert 'id="id_consent_signed_on-error"' in page
    assert not Request.objects.exists()


def test_a_consent_form_that_is_not_a_pdf_is_an_error(world: World, client: Client) -> None:
    client.force_login(world.detective)
    response = client.post(
        "/portal/requests/new/",
        form_data(
            consent_document=SimpleUploadedFile("consent.pdf", b"hello", content_type="application/pdf"),
            **COMPLETE_CONSENT,
        ),
    )
    assert response.status_code == 200
    assert "The signed consent (PDF): The file is not a PDF document." in response.content.decode()
    assert not Request.objects.exists()


def test_the_emergency_fieldset_says_who_counts_and_what_the_district_must_find(
    world: World, client: Client
) -> None:
    client.force_login(world.detective)
    text = visible_text(client.get("/portal/requests/new/").content.decode())
    assert (
        "An emergency counts only when it comes from an emergency responder: city or town police, "
        "transit police, state police, child-protective services or public health." in text
    )
    assert "a district official must find the threat articulable and significant" in text
    assert "is not an emergency responder" not in text


def test_an_emergency_from_someone_who_is_no_emergency_responder_is_triaged_by_the_other_rules(
    world: World, client: Client
) -> None:
    clerk_of_court = make_requester("courtclerk", world.court, first="Jo", last="Reyes", position="Clerk")
    client.force_login(clerk_of_court)
    assert "Your agency (court) is not an emergency responder" in visible_text(
        client.get("/portal/requests/new/").content.decode()
    )
    ends = timezone.localtime(timezone.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/portal/requests/new/",
        form_data(
            purpose="health_safety_emergency",
            categories=["contact"],
            emergency_threat="A student said to be in danger",
            emergency_ends_at=ends,
        ),
    )
    assert response.status_code == 302
    item = Item.objects.get(request=only_request())
    assert (item.outcome, item.reviewer, item.rules) == ("review", "superintendent", ["V2"])
    assert item.explanation
    assert client.get(response["Location"]).status_code == 200


def test_an_emergency_without_a_threat_is_no_emergency(world: World, client: Client) -> None:
    client.force_login(world.detective)
    ends = timezone.localtime(timezone.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/portal/requests/new/",
        form_data(purpose="health_safety_emergency", categories=["contact"], emergency_ends_at=ends),
    )
    assert response.status_code == 302
    request = only_request()
    assert request.document["emergency"] is None
    assert Item.objects.get(request=request).rules == ["D"]


def test_a_threat_without_an_end_asks_until_when(world: World, client: Client) -> None:
    client.force_login(world.detective)
    response = client.post(
        "/portal/requests/new/",
        form_data(purpose="health_safety_emergency", emergency_threat="A threat made this morning"),
    )
    assert response.status_code == 200
    assert "Say until when the emergency lasts." in response.content.decode()
    assert not Request.objects.exists()


def test_an_emergency_end_that_is_not_a_time_is_an_error_not_a_failure(world: World, client: Client) -> None:
    client.force_login(world.detective)
    response = client.post(
        "/portal/requests/new/",
        form_data(emergency_threat="A threat made this morning", emergency_ends_at="soon"),
    )
    assert response.status_code == 200
    assert 'id="id_emergency_ends_at-error"' in response.content.decode()


def test_the_records_office_enters_a_consent_with_its_signed_form(world: World, client: Client) -> None:
    client.force_login(world.clerk)
    received = timezone.localtime(timezone.now() - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    office = {
        "agency": world.police.pk,
        "channel": "fax",
        "received_at": received,
        "requester_name": "Det. Dana Keane",
    }
    partial = dict(COMPLETE_CONSENT, consent_purpose="")
    first = client.post("/office/requests/new/", form_data(consent_document=pdf(), **office, **partial))
    assert first.status_code == 200
    assert 'id="id_consent_purpose-warning"' in first.content.decode()
    assert not Request.objects.exists()
    second = client.post(
        "/office/requests/new/",
        form_data(
            consent_document=pdf(),
            consent_confirmed="on",
            onward_recipients=["prosecutor"],
            **office,
            **partial,
        ),
    )
    assert second.status_code == 302
    request = only_request()
    assert request.document["consent"]["purpose"] == ""
    assert request.document["onward_recipients"] == ["prosecutor"]
    assert request.documents.get().kind == "consent"
