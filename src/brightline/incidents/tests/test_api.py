"""The incidents API as district staff use it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from brightline.accounts.tests.helpers import sign_in
from brightline.disclosures.models import DisclosureEntry, EntryKind
from brightline.incidents.models import Incident
from brightline.incidents.tests.helpers import admin, assign, school_police_officer
from brightline.testing import World

pytestmark = pytest.mark.django_db


def body(world: World, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "school_id": world.school.pk,
        "occurred_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "summary": "Knife in a backpack",
        "description": "A folding knife was found in a student's backpack and he showed it to others.",
        "conduct": ["weapon"],
        "students": [{"student_id": world.ben.sis_id, "role": "responsible", "possessed_weapon": True}],
    }
    data.update(overrides)
    return data


def post(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data=json.dumps(data), content_type="application/json")


@pytest.fixture
def principal(world: World) -> Client:
    client = Client()
    sign_in(client, assign(world.principal, world))
    return client


@pytest.fixture
def officer(world: World) -> Client:
    client = Client()
    sign_in(client, school_police_officer(world))
    return client


def test_recording_answers_the_classification_with_its_criterion(world: World, officer: Client) -> None:
    response = post(officer, "/api/v1/incidents/", body(world, purpose="law_enforcement"))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["record_category"] == "law_enforcement_unit"
    assert (data["reporting_unit"], data["purpose"]) == ("school_police", "law_enforcement")
    assert data["classifications"][0]["criteria"] == ["LE-weapon"]
    assert "criterion LE-weapon" in data["classifications"][0]["explanation"]
    assert len(data["weapon_routings"]) == 4
    assert DisclosureEntry.objects.filter(kind=EntryKind.WEAPON_ROUTING, student=world.ben).count() == 4

    listed = officer.get("/api/v1/incidents/").json()
    assert [row["id"] for row in listed] == [data["id"]]
    assert officer.get(f"/api/v1/incidents/{data['id']}").json()["summary"] == "Knife in a backpack"


def test_the_principals_knife_report_is_discipline_though_it_is_routed_to_the_police(
    world: World, principal: Client
) -> None:
    response = post(principal, "/api/v1/incidents/", body(world, purpose="law_enforcement"))
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["reporting_unit"], data["record_category"]) == ("school_staff", "discipline")
    assert data["classifications"][0]["criteria"] == ["EDU-staff"]
    assert len(data["weapon_routings"]) == 4


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"purpose": "investigation"},
            "purpose",
            "Choose one of: The school's discipline process or A law-enforcement purpose.",
        ),
        ({"purpose": 42}, "purpose", "Choose one of: The school's discipline process"),
        ({"reporting_unit": "school_police"}, "reporting_unit", "ou report for the school staff"),
        (
            {"reporting_unit": "sheriff"},
            "reporting_unit",
            "Choose one of: School staff or School police unit.",
        ),
    ],
)
def test_a_bad_purpose_or_unit_is_refused_naming_the_field(
    world: World, principal: Client, overrides: dict[str, Any], field: str, message: str
) -> None:
    response = post(principal, "/api/v1/incidents/", body(world, **overrides))
    assert response.status_code == 422
    (detail,) = response.json()["detail"]
    assert detail["loc"][0] == "body" and detail["loc"][-1] == field
    assert message in detail["msg"]
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("key", "where"),
    [
        ("gang_affiliation", "gang_affiliation"),
        ("immigration_status", "immigration_status"),
        ("placeOfBirth", "placeOfBirth"),
        ("ethnicity", "ethnicity"),
        ("citizenship", "citizenship"),
    ],
)
def test_a_report_with_a_forbidden_field_is_refused_with_the_reason(
    world: World, principal: Client, key: str, where: str
) -> None:
    response = post(principal, "/api/v1/incidents/", body(world, **{key: "anything"}))
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail == [{"type": "forbidden_subject", "loc": ["body", where], "msg": detail[0]["msg"]}]
    assert "Plyler" in detail[0]["msg"] and "Trust Act" in detail[0]["msg"] and "37L" in detail[0]["msg"]
    assert not Incident.objects.exists()


def test_a_forbidden_field_on_a_student_is_refused_too(world: World, principal: Client) -> None:
    students = [
        {"student_id": world.ben.sis_id, "role": "responsible", "possessed_weapon": True, "gang": "x"}
    ]
    response = post(principal, "/api/v1/incidents/", body(world, students=students))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "students", 0, "gang"]
    other = post(principal, "/api/v1/incidents/", body(world, shoe_size=9))
    assert other.json()["detail"] == [
        {
            "type": "extra_forbidden",
            "loc": ["body", "shoe_size"],
            "msg": "This field is not one this operation reads: leave it out.",
        }
    ]


def test_a_forbidden_field_is_named_beside_every_other_problem_of_the_report(
    world: World, principal: Client
) -> None:
    students = [{"student_id": world.ben.sis_id, "role": "bystander", "countryOfBirth": "x"}]
    response = post(
        principal, "/api/v1/incidents/", body(world, students=students, occurred_on="3 May", ethnicity="y")
    )
    assert response.status_code == 422
    found = {tuple(problem["loc"]): problem["type"] for problem in response.json()["detail"]}
    assert found == {
        ("body", "ethnicity"): "forbidden_subject",
        ("body", "occurred_on"): "iso_date",
        ("body", "students", 0, "countryOfBirth"): "forbidden_subject",
        ("body", "students", 0, "role"): "literal_error",
    }
    assert not Incident.objects.exists()


def test_screening_needs_the_confirmation_flag(world: World, principal: Client) -> None:
    text = "He said the other boy is an illegal alien and waved the knife."
    refused = post(principal, "/api/v1/incidents/", body(world, description=text))
    assert refused.status_code == 422
    detail = refused.json()["detail"][0]
    assert detail["loc"] == ["body", "description"] and "'illegal alien'" in detail["msg"]
    accepted = post(principal, "/api/v1/incidents/", body(world, description=text, confirmed_screening=True))
    assert accepted.status_code == 201
    assert accepted.json()["screening_matches"][0]["phrase"] == "illegal alien"


def test_an_administrator_reclassifies_through_the_api(world: World, officer: Client) -> None:
    created = post(
        officer,
        "/api/v1/incidents/",
        body(world, conduct=["fight"], students=[{"student_id": world.alice.sis_id, "role": "responsible"}]),
    ).json()
    assert created["record_category"] == "discipline"
    boss = Client()
    sign_in(boss, admin(world))
    missing = post(
        boss,
        f"/api/v1/incidents/{created['id']}/reclassify",
        {"record_category": "law_enforcement_unit", "reason": ""},
    )
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "reason"]
    reason = "Witnesses say the student kept hitting after the other fell: an assault."
    done = post(
        boss,
        f"/api/v1/incidents/{created['id']}/reclassify",
        {"record_category": "law_enforcement_unit", "reason": reason},
    )
    assert done.status_code == 200
    assert done.json()["record_category"] == "law_enforcement_unit"
    assert [c["reason"] for c in done.json()["classifications"]] == ["", reason]


def test_staff_outside_the_incident_roles_are_refused(world: World) -> None:
    for user in (world.clerk, world.superintendent, world.legal_advisor, world.auditor):
        client = Client()
        sign_in(client, user)
        assert client.get("/api/v1/incidents/").status_code == 401
        assert post(client, "/api/v1/incidents/", body(world)).status_code == 401


def test_a_pdf_is_attached_through_the_api_and_anything_else_refused(world: World, principal: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from brightline.incidents.tests.helpers import PDF

    created = post(principal, "/api/v1/incidents/", body(world)).json()
    url = f"/api/v1/incidents/{created['id']}/attachments"
    refused = principal.post(url, {"file": SimpleUploadedFile("a.pdf", b"GIF89a")})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "file"]
    attached = principal.post(url, {"file": SimpleUploadedFile("statement.pdf", PDF)})
    assert attached.status_code == 201 and attached.json()["name"] == "statement.pdf"
    page = principal.get(f"/incidents/{created['id']}/")
    assert "statement.pdf" in page.content.decode()
