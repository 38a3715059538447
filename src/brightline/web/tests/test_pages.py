"""Every page as the right person (200), the wrong person (403) and nobody (sign-in), and the
query counts of the list pages, so that an N+1 shows up as a failing test."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from brightline.casework.models import Item, ItemState
from brightline.casework.services import item_decide
from brightline.testing import World
from brightline.web.tests.pages import emergency_request

pytestmark = pytest.mark.django_db


def pages(world: World, request_id: Any) -> dict[str, list[str]]:
    """Each page and the personas it is for."""
    return {
        "/portal/": ["detective"],
        "/portal/requests/new/": ["detective"],
        f"/portal/requests/{request_id}/": ["detective"],
        "/office/": ["clerk"],
        "/office/requests/new/": ["clerk"],
        f"/office/requests/{request_id}/": ["clerk"],
        "/office/agencies/": ["clerk"],
        "/office/letters/": ["clerk"],
        "/review/": ["superintendent", "legal_advisor"],
        f"/review/requests/{request_id}/": ["superintendent", "legal_advisor"],
        "/school/record/": ["principal"],
        "/family/": ["parent"],
    }


PERSONAS = ["detective", "clerk", "superintendent", "legal_advisor", "principal", "parent", "auditor"]


def test_each_page_opens_for_its_people_only(world: World, client: Client) -> None:
    request = emergency_request(world)
    for path, allowed in pages(world, request.pk).items():
        client.logout()
        anonymous = client.get(path)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/sign-in/"), path
        for persona in PERSONAS:
            client.force_login(getattr(world, persona))
            status = client.get(path).status_code
            assert status == (200 if persona in allowed else 403), (path, persona, status)


def test_public_pages_need_no_sign_in(client: Client, db: None) -> None:
    for path in ("/", "/policy/", "/verify/", "/accounts/sign-in/"):
        assert client.get(path).status_code == 200, path
    policy = client.get("/policy/").content.decode()
    assert "F1 · no disclosure for civil immigration enforcement" in policy
    assert "@id(&quot;F1&quot;)" in policy  # the Cedar text itself
    assert 'href="/transparency/"' in client.get("/").content.decode()


def test_dashboard_sends_each_role_to_its_pages(world: World, client: Client) -> None:
    expected = {
        "detective": "/portal/",
        "clerk": "/office/",
        "superintendent": "/review/",
        "principal": "/school/record/",
        "parent": "/family/",
    }
    for persona, link in expected.items():
        client.force_login(getattr(world, persona))
        assert f'href="{link}"' in client.get("/").content.decode(), persona


def test_another_agency_sees_not_found_for_a_request_it_did_not_send(world: World, client: Client) -> None:
    request = emergency_request(world)
    client.force_login(world.transit_officer)
    assert client.get(f"/portal/requests/{request.pk}/").status_code == 404
    assert request.reference not in client.get("/portal/").content.decode()


def test_portal_list_query_count_does_not_grow_with_requests(
    world: World, client: Client, django_assert_max_num_queries: Any
) -> None:
    for _ in range(6):
        emergency_request(world)
    client.force_login(world.detective)
    with django_assert_max_num_queries(14):
        response = client.get("/portal/")
    assert response.content.decode().count("/portal/requests/") >= 6


def test_office_dashboard_query_count(
    world: World, client: Client, django_assert_max_num_queries: Any
) -> None:
    for _ in range(6):
        emergency_request(
            world,
            students=[{"first_name": "Al", "last_name": "Nobody", "birth_date": "2013-01-01"}],
            identified_by="name_and_birth_date",
        )
    client.force_login(world.clerk)
    with django_assert_max_num_queries(30):
        response = client.get("/office/")
    assert response.status_code == 200


def test_review_queue_query_count(world: World, client: Client, django_assert_max_num_queries: Any) -> None:
    for _ in range(6):
        emergency_request(world)
    client.force_login(world.superintendent)
    with django_assert_max_num_queries(10):
        response = client.get("/review/")
    assert response.content.decode().count("Review request BL-") == 6


def test_family_page_query_count_and_sealed_entries_hidden(
    world: World, client: Client, django_assert_max_num_queries: Any
) -> None:
    for _ in range(5):
        emergency_request(world)
    emergency_request(
        world,
        legal_process={"kind": "subpoena", "nondisclosure_order": True},
        emergency=None,
        purpose="criminal_investigation",
        description="Sealed inquiry",
    )
    client.force_login(world.parent)
    # A fixed number whatever the entries: the record in words, what the family can still object to,
    # the notices sent, and the family's notice language.
    with django_assert_max_num_queries(15):
        response = client.get("/family/")
    body = response.content.decode()
    assert body.count("Request received") == 5
    assert "Sealed inquiry" not in body


def test_review_errors_appear_next_to_the_field(world: World, client: Client) -> None:
    request = emergency_request(world)
    academic = Item.objects.get(request=request, category="academic")
    client.force_login(world.superintendent)
    response = client.post(
        f"/review/requests/{request.pk}/items/{academic.pk}/decide",
        {f"item-{academic.pk}-action": "approve", f"item-{academic.pk}-rationale": "Looks right"},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert f'id="id_item-{academic.pk}-lawful_basis-error"' in body
    assert "An approval needs the lawful basis it rests on." in body
    assert Item.objects.get(pk=academic.pk).state == ItemState.PENDING_REVIEW


def test_a_decision_already_taken_shows_someone_else_decided(world: World, client: Client) -> None:
    request = emergency_request(world)
    academic = Item.objects.get(request=request, category="academic")
    item_decide(item_id=academic.pk, reviewer=world.superintendent, action="deny", rationale="Not needed")
    client.force_login(world.superintendent)
    response = client.post(
        f"/review/requests/{request.pk}/items/{academic.pk}/decide",
        {
            f"item-{academic.pk}-action": "approve",
            f"item-{academic.pk}-lawful_basis": "health_safety_emergency_determined",
            f"item-{academic.pk}-rationale": "Urgent",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Someone else decided this item" in response.content.decode()


def test_school_staff_record_an_emergency_disclosure(world: World, client: Client) -> None:
    from django.utils import timezone

    from brightline.incidents.services import staff_school_assign

    staff_school_assign(user=world.principal, school=world.school)
    client.force_login(world.principal)
    response = client.post(
        "/school/record/",
        {
            "kind": "emergency",
            "student_id": "S-1001",
            "disclosed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "recipient_name": "Officer Lee",
            "recipient_affiliation": "City Police Department",
            "recipient_kind": "municipal_police",
            "categories": ["contact"],
            "details": "A fire in the building; the student was missing",
        },
    )
    assert response.status_code == 302
    client.force_login(world.parent)
    assert "Released in an emergency, recorded afterwards" in client.get("/family/").content.decode()


def test_portal_submission_without_a_student_names_the_field(world: World, client: Client) -> None:
    client.force_login(world.detective)
    response = client.post(
        "/portal/requests/new/",
        {
            "purpose": "criminal_investigation",
            "description": "x",
            "categories": ["directory"],
            "identified_by": "student_id",
            "legal_process_kind": "none",
            "document_kind": "other",
        },
    )
    assert response.status_code == 200
    assert "Name at least one student." in response.content.decode()


def test_a_parent_asks_for_a_copy_of_the_record_and_not_for_another_child(
    world: World, client: Client
) -> None:
    from brightline.notices.models import FamilyNotice

    client.force_login(world.parent)
    assert client.post(f"/family/students/{world.alice.pk}/copy").status_code == 302
    assert FamilyNotice.objects.filter(student=world.alice, kind="record_copy").count() == 1
    assert client.post(f"/family/students/{world.ben.pk}/copy").status_code == 404
