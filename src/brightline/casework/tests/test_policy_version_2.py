"""Policy version 2 in the running system: what a requester who probes the edges meets, through the
services and the API with the demo agencies' tokens (DOMAIN.md version 2, CONTRACTS.md)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from brightline.accounts.tests.helpers import sign_in
from brightline.agencies.models import Agency
from brightline.casework import services
from brightline.casework.models import EmergencyDetermination, Item, ItemState, Request, RequestState
from brightline.disclosures.models import DisclosureEntry, EntryKind
from brightline.disclosures.services import packet_release
from brightline.errors import Conflict, InvalidInput, NotAllowed
from brightline.incidents.models import StaffSchool
from brightline.ledger.models import LedgerEntry
from brightline.roster.models import Student
from brightline.testing import World, request_body
from brightline.training.services import training_seed_completed

pytestmark = pytest.mark.django_db

THREAT = "A student said he would bring a gun to the station tomorrow"


def post_json(client: Client, url: str, body: object, token: str | None = None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def emergency(hours: float = 6) -> dict[str, str]:
    return {"threat": THREAT, "ends_at": (timezone.now() + dt.timedelta(hours=hours)).isoformat()}


def submit(world: World, agency, user, body) -> Request:
    return services.request_submit(agency=agency, document=body, channel="portal", submitted_by=user).request


def items_of(request: Request) -> dict[str, Item]:
    return {item.category: item for item in request.items.order_by("position")}


# -- identified_by is what was sent ------------------------------------------------------------------


def test_a_district_id_labelled_name_and_birth_date_is_treated_as_a_district_id(
    world: World, client: Client
) -> None:
    body = request_body(world.alice, categories=["directory"])
    body["identified_by"] = "name_and_birth_date"
    response = post_json(client, "/api/v1/requests", body, world.police_token)
    assert response.status_code == 201, response.content
    stored = Request.objects.get(pk=response.json()["id"])
    assert stored.identified_by == "student_id"
    assert stored.items.get().rules == ["F6"] and stored.items.get().state == "refused"
    # The requester reads the refusal once the records office sends the answer, as for any student.
    item = response.json()["items"][0]
    assert item["state"] == "pending_review" and item["rules"] == []


def test_a_body_without_identified_by_is_accepted_and_names_by_name_are_read_as_such(
    world: World, client: Client
) -> None:
    body = request_body(world.alice, by_name=True, categories=["directory"])
    assert "identified_by" not in body
    response = post_json(client, "/api/v1/requests", body, world.police_token)
    assert response.status_code == 201, response.content
    stored = Request.objects.get(pk=response.json()["id"])
    assert stored.items.get().outcome == "release" and stored.items.get().rules == ["R5"]
    assert stored.identified_by == "name_and_birth_date"


def test_a_request_naming_some_by_id_and_some_by_name_triages_each_as_it_was_named(world: World) -> None:
    body = request_body(world.alice, world.ben, categories=["directory"])
    body["students"][1] = {"first_name": "Ben", "last_name": "Okafor", "birth_date": "2009-09-12"}
    request = submit(world, world.police, world.detective, body)
    by_student = {item.request_student.student.sis_id: item for item in request.items.all()}  # type: ignore[union-attr]
    assert by_student["S-1001"].rules == ["F6"] and by_student["S-1001"].state == ItemState.REFUSED
    assert by_student["S-1002"].rules == ["R5"] and by_student["S-1002"].state == ItemState.CLEARED


# -- emergencies -------------------------------------------------------------------------------------


def test_an_emergency_item_waits_for_the_district_determination_through_the_api(
    world: World, client: Client
) -> None:
    body = request_body(
        world.alice, purpose="health_safety_emergency", categories=["contact"], emergency=emergency()
    )
    response = post_json(client, "/api/v1/requests", body, world.police_token)
    assert response.status_code == 201, response.content
    data = response.json()
    # The requester reads "in review": only an identified student's emergency waits for a determination.
    assert data["items"][0]["state"] == "pending_review"
    assert data["state"] == "in_review"
    request = Request.objects.get(pk=data["id"])
    assert request.state == "awaiting_determination"
    assert "determine_emergency" in request.items.get().obligations
    with pytest.raises(Conflict):
        packet_release(request_id=request.pk, released_by=world.clerk)

    staff = Client()
    sign_in(staff, world.clerk)
    rs = request.students.get()
    missing = post_json(
        staff, f"/api/v1/request-students/{rs.pk}/emergency-determination", {"found": True, "rationale": ""}
    )
    assert missing.status_code == 422
    assert {tuple(e["loc"]) for e in missing.json()["detail"]} == {("body", "threat"), ("body", "rationale")}
    found = post_json(
        staff,
        f"/api/v1/request-students/{rs.pk}/emergency-determination",
        {
            "found": True,
            "threat": THREAT + " (confirmed with the sergeant)",
            "rationale": "Called the desk back.",
        },
    )
    assert found.status_code == 201, found.content
    assert found.json()["items"][0]["state"] == "cleared"
    again = post_json(
        staff,
        f"/api/v1/request-students/{rs.pk}/emergency-determination",
        {"found": True, "threat": THREAT, "rationale": "again"},
    )
    assert again.status_code == 409
    entry = DisclosureEntry.objects.get(kind=EntryKind.EMERGENCY_DETERMINATION, student=world.alice)
    assert entry.threat.endswith("(confirmed with the sergeant)")
    assert entry.recipients == ["Dana Keane, City Police Department"] or entry.recipients[0].endswith(
        "City Police Department"
    )
    assert entry.released_by_name == "Rita Clerk"
    assert LedgerEntry.objects.filter(event_type="emergency.determined").count() == 1
    packet = packet_release(request_id=request.pk, released_by=world.clerk)
    assert [c["category"] for c in packet.content["students"][0]["categories"]] == ["contact"]


def test_a_newspaper_that_writes_emergency_gets_nothing_without_review(world: World) -> None:
    from brightline.agencies.models import Agency

    herald = Agency.objects.create(name="The Herald", kind="media", verified=True)
    body = request_body(
        world.alice,
        by_name=True,
        purpose="health_safety_emergency",
        categories=["contact", "health"],
        emergency=emergency(),
    )
    request = services.request_submit(
        agency=herald, document=body, channel="email", entered_by=world.clerk
    ).request
    for item in request.items.all():
        assert item.state == ItemState.PENDING_REVIEW and item.rules == ["D"]
        assert "determine_emergency" not in item.obligations
        assert "only police, transit and state police" in item.explanation


def test_an_emergency_the_district_did_not_find_goes_to_the_superintendent(world: World) -> None:
    body = request_body(
        world.alice, purpose="health_safety_emergency", categories=["contact"], emergency=emergency()
    )
    request = submit(world, world.transit, world.transit_officer, body)
    item = request.items.get()
    result = services.emergency_determine(
        request_student_id=item.request_student_id,
        official=world.clerk,
        found=False,
        threat="",
        rationale="The station reports no threat; the student is in class.",
    )
    assert result.determination is not None and not result.determination.found
    item.refresh_from_db()
    assert item.state == ItemState.PENDING_REVIEW and item.reviewer == "superintendent"
    assert "found no articulable and significant threat" in item.explanation
    with pytest.raises(InvalidInput) as refused:
        services.item_decide(
            item_id=item.pk,
            reviewer=world.superintendent,
            action="approve",
            rationale="urgent",
            lawful_basis="health_safety_emergency_determined",
        )
    assert refused.value.errors[0][0] == "lawful_basis"
    assert "found no articulable and significant threat" in refused.value.errors[0][1]
    assert not DisclosureEntry.objects.filter(kind=EntryKind.EMERGENCY_DETERMINATION).exists()


def test_an_emergency_that_ended_before_release_sends_the_item_back_to_review(world: World) -> None:
    body = request_body(
        world.alice, purpose="health_safety_emergency", categories=["contact"], emergency=emergency(hours=2)
    )
    request = submit(world, world.transit, world.transit_officer, body)
    item = request.items.get()
    services.emergency_determine(
        request_student_id=item.request_student_id,
        official=world.clerk,
        found=True,
        threat=THREAT,
        rationale="Checked.",
    )
    item.refresh_from_db()
    assert item.state == ItemState.CLEARED
    with time_machine.travel(timezone.now() + dt.timedelta(days=20)):
        with pytest.raises(Conflict):
            packet_release(request_id=request.pk, released_by=world.clerk)
    item.refresh_from_db()
    request.refresh_from_db()
    assert item.state == ItemState.PENDING_REVIEW and item.reviewer == "superintendent"
    assert item.explanation.startswith("The emergency ended on")
    assert request.state == RequestState.IN_REVIEW
    assert LedgerEntry.objects.filter(event_type="item.emergency_ended").count() == 1
    assert not DisclosureEntry.objects.filter(kind=EntryKind.DISCLOSURE).exists()


def test_an_approval_on_an_emergency_that_ended_is_refused_with_the_reason(world: World) -> None:
    body = request_body(
        world.alice,
        purpose="health_safety_emergency",
        categories=["counseling"],
        emergency=emergency(hours=2),
    )
    request = submit(world, world.transit, world.transit_officer, body)
    item = request.items.get()
    assert item.state == ItemState.PENDING_REVIEW and item.rules == ["R1"]
    with time_machine.travel(timezone.now() + dt.timedelta(days=21)):
        with pytest.raises(InvalidInput) as ended:
            services.item_decide(
                item_id=item.pk,
                reviewer=world.superintendent,
                action="approve",
                rationale="The emergency justified it.",
                lawful_basis="health_safety_emergency_determined",
            )
    assert ended.value.errors == [("lawful_basis", ended.value.errors[0][1])]
    assert "The emergency this request stated ended on" in ended.value.errors[0][1]
    item.refresh_from_db()
    assert item.state == ItemState.PENDING_REVIEW


def test_an_approved_emergency_item_still_waits_for_the_determination(world: World) -> None:
    body = request_body(
        world.alice, purpose="health_safety_emergency", categories=["counseling"], emergency=emergency()
    )
    request = submit(world, world.transit, world.transit_officer, body)
    item = request.items.get()
    services.item_decide(
        item_id=item.pk,
        reviewer=world.superintendent,
        action="approve",
        rationale="The counselor's notes bear on the threat.",
        lawful_basis="health_safety_emergency_determined",
    )
    item.refresh_from_db()
    assert item.state == ItemState.AWAITING_DETERMINATION


def test_only_the_records_office_the_students_principal_or_an_administrator_determine(world: World) -> None:
    body = request_body(
        world.alice, purpose="health_safety_emergency", categories=["contact"], emergency=emergency()
    )
    request = submit(world, world.transit, world.transit_officer, body)
    rs = request.students.get()
    args = {"request_student_id": rs.pk, "found": True, "threat": THREAT, "rationale": "Checked."}
    with pytest.raises(NotAllowed):
        services.emergency_determine(official=world.superintendent, **args)
    with pytest.raises(NotAllowed, match="own school"):
        services.emergency_determine(official=world.principal, **args)
    StaffSchool.objects.create(user=world.principal, school=world.school)
    training_seed_completed(users=[world.principal])
    result = services.emergency_determine(official=world.principal, **args)
    assert result.determination is not None and result.determination.determined_by_role == "principal"
    assert EmergencyDetermination.objects.count() == 1


# -- onward sharing, bulk, federal agencies, consent ------------------------------------------------------


def test_onward_sharing_with_immigration_enforcement_is_refused_and_counsel_notified(
    world: World, client: Client
) -> None:
    body = request_body(
        world.alice,
        by_name=True,
        categories=["directory", "law_enforcement_unit"],
        onward_recipients=["immigration_enforcement"],
    )
    response = post_json(client, "/api/v1/requests", body, world.police_token)
    assert response.status_code == 201, response.content
    request = Request.objects.get(pk=response.json()["id"])
    for item in request.items.all():
        assert item.state == ItemState.REFUSED and item.rules == ["F1"]
        assert "notify_legal_advisor" in item.obligations


def test_eleven_students_release_nothing_without_review(world: World, client: Client) -> None:
    students = [world.alice] + [
        Student.objects.create(
            sourced_id=f"src-B-{n}",
            sis_id=f"B-{n}",
            first_name=f"Student{n}",
            last_name="Bulk",
            birth_date=dt.date(2011, 1, 1 + n),
            grade="08",
            school=world.school,
            enrolled_on=dt.date(2023, 9, 5),
        )
        for n in range(10)
    ]
    body = request_body(*students, categories=["law_enforcement_unit"])
    response = post_json(client, "/api/v1/requests", body, world.police_token)
    assert response.status_code == 201, response.content
    assert len(response.json()["items"]) == 11
    stored = list(Request.objects.get(pk=response.json()["id"]).items.all())
    assert len(stored) == 11
    for item in stored:
        assert item.outcome == "review" and item.state == "pending_review" and item.rules == ["R4", "B"]
        assert item.reviewer == "superintendent"
    ten = post_json(
        client,
        "/api/v1/requests",
        request_body(*students[:10], categories=["law_enforcement_unit"]),
        world.police_token,
    )
    assert {item.outcome for item in Request.objects.get(pk=ten.json()["id"]).items.all()} == {"release"}


def test_a_federal_agency_gets_no_school_police_record_without_counsel(world: World) -> None:
    from brightline.agencies.models import Agency

    federal = Agency.objects.create(
        name="Federal Field Office", kind="federal_law_enforcement", verified=True
    )
    body = request_body(world.alice, by_name=True, categories=["law_enforcement_unit", "directory"])
    request = services.request_submit(
        agency=federal, document=body, channel="fax", entered_by=world.clerk
    ).request
    for item in request.items.all():
        assert (
            item.state == ItemState.PENDING_REVIEW
            and item.reviewer == "legal_advisor"
            and item.rules == ["V4"]
        )


def test_a_parents_consent_to_police_for_discipline_reaches_the_superintendent(world: World) -> None:
    consent = {
        "signed_by": "Maria Rivera (mother)",
        "signed_on": "2026-02-20",
        "purpose": "the investigation of the February 14 incident",
        "recipient": "City Police Department",
        "categories": ["discipline"],
    }
    request = submit(
        world,
        world.police,
        world.detective,
        request_body(world.alice, categories=["discipline"], consent=consent),
    )
    item = request.items.get()
    assert (
        item.state == ItemState.PENDING_REVIEW and item.reviewer == "superintendent" and item.rules == ["R6"]
    )
    unsigned = submit(
        world,
        world.police,
        world.detective,
        request_body(world.alice, categories=["discipline"], consent={**consent, "signed_by": ""}),
    )
    refused = unsigned.items.get()
    assert refused.state == ItemState.REFUSED and refused.rules == ["F4"]


def test_an_emergency_without_a_threat_or_from_a_non_responder_is_a_request_not_an_error(
    world: World, client: Client
) -> None:
    no_threat = request_body(
        world.alice,
        purpose="health_safety_emergency",
        categories=["contact"],
        emergency={"threat": "", "ends_at": emergency()["ends_at"]},
    )
    response = post_json(client, "/api/v1/requests", no_threat, world.police_token)
    assert response.status_code == 201, response.content
    assert Request.objects.get(pk=response.json()["id"]).items.get().rules == ["D"]
    assert "states no threat" in response.json()["items"][0]["explanation"]
    bad_end = request_body(
        world.alice,
        purpose="health_safety_emergency",
        categories=["contact"],
        emergency={"threat": THREAT, "ends_at": "tomorrow"},
    )
    response = post_json(client, "/api/v1/requests", bad_end, world.police_token)
    assert response.status_code == 201, response.content
    item = response.json()["items"][0]
    assert item["state"] == "pending_review"
    assert Request.objects.get(pk=response.json()["id"]).items.get().rules == ["D"]
    assert "gives no date and time" in item["explanation"]
    herald = Agency.objects.create(name="The Herald", kind="media", verified=True)
    claimed = request_body(
        world.alice, purpose="health_safety_emergency", categories=["health"], emergency=emergency()
    )
    request = services.request_submit(
        agency=herald, document=claimed, channel="email", entered_by=world.clerk
    ).request
    assert "only police, transit and state police" in request.items.get().explanation
