"""The incident pages, for the right people only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from brightline.accounts.tests.helpers import sign_in
from brightline.incidents.models import Incident
from brightline.incidents.tests.helpers import admin, assign, record, school_police_officer, school_staff
from brightline.testing import World, make_user

pytestmark = pytest.mark.django_db


def form(world: World, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "school": str(world.school.pk),
        "occurred_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "summary": "Fight in the hallway",
        "description": "Two students shoved each other between classes. No one was injured.",
        "conduct": ["fight"],
        "purpose": "school_discipline",
        "student1_id": world.alice.sis_id,
        "student1_role": "responsible",
        "student2_id": world.ben.sis_id,
        "student2_role": "responsible",
    }
    data.update(overrides)
    return data


@pytest.fixture
def principal(world: World) -> Client:
    client = Client()
    sign_in(client, assign(world.principal, world))
    return client


def test_the_principal_records_a_fight_and_sees_it_is_discipline_and_why(
    world: World, principal: Client
) -> None:
    page = principal.get(reverse("incidents:record"))
    assert page.status_code == 200
    html = page.content.decode()
    for forbidden in ("gang", "immigration", "citizenship", "birth", "ethnicity", "nationality"):
        assert f'name="{forbidden}' not in html
    response = principal.post(reverse("incidents:record"), form(world), follow=True)
    incident = Incident.objects.get()
    assert response.redirect_chain[-1][0] == reverse("incidents:detail", args=[incident.pk])
    text = response.content.decode()
    assert "Classified as: School discipline" in text
    assert "criterion EDU-staff" in text
    assert "of the school staff, for the school&#x27;s discipline process" in text


def test_the_screening_step_asks_for_confirmation_then_records(world: World, principal: Client) -> None:
    data = form(world, description="The other student said he is a gang member and pushed him.")
    first = principal.post(reverse("incidents:record"), data)
    assert first.status_code == 200
    assert "Check what the report says" in first.content.decode()
    assert "&#x27;gang member&#x27;" in first.content.decode()
    assert 'name="confirmed_screening"' in first.content.decode()
    assert not Incident.objects.exists()
    second = principal.post(
        reverse("incidents:record"), {**data, "confirmed_screening_step": "1", "confirmed_screening": "on"}
    )
    assert second.status_code == 302
    assert Incident.objects.get().screening_confirmed


def test_a_posted_gang_field_is_refused_with_the_reason(world: World, principal: Client) -> None:
    response = principal.post(reverse("incidents:record"), form(world, gang_affiliation="yes"))
    assert response.status_code == 200
    assert "Plyler" in response.content.decode()
    assert not Incident.objects.exists()


def test_the_officers_assault_report_shows_its_criterion_and_routing(world: World) -> None:
    officer = Client()
    sign_in(officer, school_police_officer(world))
    page = officer.get(reverse("incidents:record")).content.decode()
    assert f"You report for the school police unit at {world.school.name}" in page
    data = form(
        world,
        summary="Assault with a knife",
        description="A student cut another with a knife.",
        conduct=["assault", "weapon"],
        student1_id=world.ben.sis_id,
        student1_role="responsible",
        student1_weapon="on",
        student2_id=world.alice.sis_id,
        student2_role="affected",
        purpose="law_enforcement",
    )
    response = officer.post(reverse("incidents:record"), data, follow=True)
    text = response.content.decode()
    assert "Law-enforcement record" in text and "criterion LE-weapon" in text
    assert "of the school police unit, for a law-enforcement purpose" in text
    assert "Chief of Police" in text and "School Committee" in text


def test_the_principals_assault_report_is_discipline_and_offers_no_reclassification(
    world: World, principal: Client
) -> None:
    data = form(
        world,
        summary="Assault with a knife",
        description="A student cut another with a knife; I am sending this report to the police.",
        conduct=["assault", "weapon"],
        student1_id=world.ben.sis_id,
        student1_role="responsible",
        student1_weapon="on",
        student2_id=world.alice.sis_id,
        student2_role="affected",
        purpose="law_enforcement",
    )
    response = principal.post(reverse("incidents:record"), data, follow=True)
    text = response.content.decode()
    assert "Classified as: School discipline" in text and "criterion EDU-staff" in text
    assert "Chief of Police" in text  # routed to the police, and still an education record
    incident = Incident.objects.get()
    assert reverse("incidents:reclassify", args=[incident.pk]) not in text
    refused = principal.post(
        reverse("incidents:reclassify", args=[incident.pk]),
        {"record_category": "law_enforcement_unit", "reason": "The police asked for it as their record."},
    )
    assert (
        refused.status_code == 200 and "cannot be made a law-enforcement record" in refused.content.decode()
    )
    incident.refresh_from_db()
    assert incident.record_category == "discipline"


def test_the_list_shows_the_principals_school_and_reclassification_keeps_the_reason(
    world: World, principal: Client, django_assert_max_num_queries: Any
) -> None:
    teacher = school_staff(world)
    for n in range(5):
        record(world, by=teacher, summary=f"Incident {n}")
    with django_assert_max_num_queries(12):
        listed = principal.get(reverse("incidents:list"))
    assert listed.content.decode().count("Incident ") >= 5
    # The resource officer's write-up for the school's discipline process, which the principal moves.
    incident = record(world, reporting_unit="school_police", purpose="school_discipline")
    url = reverse("incidents:reclassify", args=[incident.pk])
    assert principal.get(url).status_code == 200
    empty = principal.post(url, {"record_category": "law_enforcement_unit", "reason": ""})
    assert empty.status_code == 200
    reason = "The nurse found the student was struck with a closed fist: an assault."
    done = principal.post(url, {"record_category": "law_enforcement_unit", "reason": reason}, follow=True)
    assert reason in done.content.decode()
    incident.refresh_from_db()
    assert incident.record_category == "law_enforcement_unit"


def test_who_may_open_the_pages(world: World) -> None:
    teacher = school_staff(world)
    incident = record(world, by=teacher)
    teacher_client = Client()
    sign_in(teacher_client, teacher)
    assert teacher_client.get(reverse("incidents:list")).status_code == 200
    assert teacher_client.get(reverse("incidents:detail", args=[incident.pk])).status_code == 200
    assert teacher_client.get(reverse("incidents:reclassify", args=[incident.pk])).status_code == 403
    other = Client()
    sign_in(other, make_user("principal2", "principal"))
    assert other.get(reverse("incidents:detail", args=[incident.pk])).status_code == 404
    for user in (world.clerk, world.superintendent, world.auditor, world.parent, world.detective):
        client = Client()
        sign_in(client, user)
        assert client.get(reverse("incidents:list")).status_code == 403
    boss = Client()
    sign_in(boss, admin(world))
    assert boss.get(reverse("incidents:detail", args=[incident.pk])).status_code == 200
    anonymous = Client().get(reverse("incidents:list"))
    assert anonymous.status_code == 302 and "/accounts/" in anonymous["Location"]
