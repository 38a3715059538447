"""The agencies' and staff's JSON API for requests, as CONTRACTS.md fixes it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from brightline.accounts.tests.helpers import sign_in
from brightline.casework.models import Request
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db


def post_json(client: Client, url: str, body: object, token: str | None = None, **headers: str):
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def get(client: Client, url: str, token: str):
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_agency_submits_with_its_token_and_gets_the_triage(world: World, client: Client) -> None:
    body = request_body(world.alice, categories=["directory", "discipline"])
    response = post_json(client, "/api/v1/requests", body, world.police_token)
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) >= {"id", "state", "received_at", "policy", "items"}
    assert data["policy"]["id"] == "default" and len(data["policy"]["sha256"]) == 64
    directory, discipline = data["items"]
    assert directory["category"] == "directory" and directory["student_id"] == "S-1001"
    assert (
        discipline["outcome"] == "refuse"
        and discipline["rules"] == ["F4"]
        and discipline["state"] == "refused"
    )
    assert "(rule F4)" in discipline["explanation"]
    # The server took the requester from the token.
    stored = Request.objects.get(pk=data["id"])
    assert stored.requester_kind == "municipal_police" and stored.agency_name == "City Police Department"


def test_body_naming_another_agency_or_kind_is_forbidden(world: World, client: Client) -> None:
    body = request_body(world.alice, requester={"kind": "child_protective_services"})
    response = post_json(client, "/api/v1/requests", body, world.police_token)
    assert response.status_code == 403
    assert response.json()["detail"][0]["loc"] == ["body", "requester", "kind"]
    body = request_body(world.alice, requester={"agency": "Transit Police"})
    assert post_json(client, "/api/v1/requests", body, world.police_token).status_code == 403
    assert Request.objects.count() == 0


def test_another_agencys_request_is_not_found_like_a_missing_one(world: World, client: Client) -> None:
    created = post_json(client, "/api/v1/requests", request_body(world.alice), world.police_token).json()
    assert get(client, f"/api/v1/requests/{created['id']}", world.police_token).status_code == 200
    theirs = get(client, f"/api/v1/requests/{created['id']}", world.transit_token)
    missing = get(client, "/api/v1/requests/00000000-0000-0000-0000-000000000000", world.transit_token)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    assert get(client, "/api/v1/requests/not-a-uuid", world.transit_token).status_code == 404
    assert get(client, "/api/v1/requests", world.transit_token).json() == []


def test_validation_errors_name_every_field_and_store_nothing(world: World, client: Client) -> None:
    body = request_body(world.alice, categories=["shoe_size"], purpose="curiosity", unexpected=True)
    response = post_json(client, "/api/v1/requests", body, world.police_token)
    assert response.status_code == 422
    locations = {tuple(problem["loc"]) for problem in response.json()["detail"]}
    assert any("categories" in loc for loc in locations)
    assert any("purpose" in loc for loc in locations)
    assert any("unexpected" in loc for loc in locations)
    assert Request.objects.count() == 0
    assert post_json(client, "/api/v1/requests", "not an object", world.police_token).status_code == 422


def test_idempotency_key_makes_a_retry_return_the_first_answer(world: World, client: Client) -> None:
    body = request_body(world.alice)
    first = post_json(client, "/api/v1/requests", body, world.police_token, HTTP_IDEMPOTENCY_KEY="retry-1")
    second = post_json(client, "/api/v1/requests", body, world.police_token, HTTP_IDEMPOTENCY_KEY="retry-1")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert Request.objects.count() == 1


def test_students_named_by_name_and_birth_date_are_matched(world: World, client: Client) -> None:
    body = request_body(categories=["directory"], identified_by="name_and_birth_date")
    body["students"] = [{"first_name": "Alice", "last_name": "Rivera", "birth_date": "2013-05-01"}]
    data = post_json(client, "/api/v1/requests", body, world.police_token).json()
    assert Request.objects.get(pk=data["id"]).items.get().outcome == "release"
    # Until it is released the agency reads "in review", as for a student the district does not know.
    assert data["items"][0]["state"] == "pending_review"
    # The agency is not told the district's own student id.
    assert data["items"][0]["student_id"] is None


def test_no_token_or_a_bad_token_is_unauthorised(world: World, client: Client) -> None:
    assert post_json(client, "/api/v1/requests", request_body(world.alice)).status_code == 401
    assert post_json(client, "/api/v1/requests", request_body(world.alice), "bl_wrong").status_code == 401


def test_staff_decide_through_the_api_and_the_wrong_reviewer_is_refused(world: World, client: Client) -> None:
    created = post_json(
        client, "/api/v1/requests", request_body(world.alice, categories=["academic"]), world.police_token
    ).json()
    item_id = created["items"][0]["id"]
    sign_in(client, world.legal_advisor)
    wrong = post_json(client, f"/api/v1/items/{item_id}/decision", {"action": "deny", "rationale": "no"})
    assert wrong.status_code == 403
    sign_in(client, world.superintendent)
    queue = client.get("/api/v1/review/queue").json()
    assert [entry["id"] for entry in queue] == [item_id]
    no_basis = post_json(
        client, f"/api/v1/items/{item_id}/decision", {"action": "approve", "rationale": "ok"}
    )
    assert no_basis.status_code == 422 and no_basis.json()["detail"][0]["loc"] == ["body", "lawful_basis"]
    denied = post_json(
        client, f"/api/v1/items/{item_id}/decision", {"action": "deny", "rationale": "No basis shown."}
    )
    assert denied.status_code == 201 and denied.json()["item_state"] == "denied"
    again = post_json(client, f"/api/v1/items/{item_id}/decision", {"action": "deny", "rationale": "again"})
    assert again.status_code == 409


def test_an_agency_token_cannot_use_staff_operations(world: World, client: Client) -> None:
    created = post_json(
        client, "/api/v1/requests", request_body(world.alice, categories=["academic"]), world.police_token
    ).json()
    item_id = created["items"][0]["id"]
    response = post_json(
        client, f"/api/v1/items/{item_id}/decision", {"action": "deny", "rationale": "x"}, world.police_token
    )
    assert response.status_code == 401
    assert get(client, "/api/v1/review/queue", world.police_token).status_code == 401


def test_records_office_enters_a_faxed_request_and_releases_it(world: World, client: Client) -> None:
    sign_in(client, world.clerk)
    received = (timezone.now() - dt.timedelta(hours=3)).isoformat()
    body = {
        "agency_id": world.police.pk,
        "channel": "fax",
        "received_at": received,
        "request": request_body(world.alice, categories=["directory"], identified_by="name_and_birth_date"),
    }
    response = post_json(client, "/api/v1/office/requests", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["channel"] == "fax" and data["state"] == "ready"
    released = client.post(f"/api/v1/requests/{data['id']}/release")
    assert released.status_code == 201
    packet = released.json()
    client.logout()
    link = post_json(
        client, f"/api/v1/requests/{data['id']}/packets/{packet['id']}/link", {}, world.police_token
    )
    assert link.status_code == 409  # law enforcement acknowledges the redisclosure terms first
    ack = post_json(
        client,
        f"/api/v1/requests/{data['id']}/packets/{packet['id']}/acknowledge",
        {"acknowledged_by": "Det. Keane"},
        world.police_token,
    )
    assert ack.status_code == 200
    link = post_json(
        client, f"/api/v1/requests/{data['id']}/packets/{packet['id']}/link", {}, world.police_token
    )
    assert link.status_code == 201
    download = client.get(link.json()["json_url"])
    assert download.status_code == 200
    assert json.loads(download.content)["students"][0]["categories"][0]["fields"]["first_name"] == "Alice"
    assert client.get(link.json()["pdf_url"]).status_code == 409  # single use
    link = post_json(
        client, f"/api/v1/requests/{data['id']}/packets/{packet['id']}/link", {}, world.police_token
    )
    pdf = client.get(link.json()["pdf_url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_uploaded_documents_must_be_pdfs_within_the_size_limit(
    world: World, client: Client, settings
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    created = post_json(client, "/api/v1/requests", request_body(world.alice), world.police_token).json()
    url = f"/api/v1/requests/{created['id']}/documents"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {world.police_token}"}
    fake = SimpleUploadedFile("subpoena.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client.post(url, {"kind": "subpoena", "file": fake}, **auth)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "file"]
    real = SimpleUploadedFile(
        "subpoena.pdf", b"%PDF-1.4\n%fake but well-formed header\n", content_type="application/pdf"
    )
    response = client.post(url, {"kind": "subpoena", "file": real}, **auth)
    assert response.status_code == 201
    document_id = response.json()["id"]
    assert client.get(f"{url}/{document_id}", **auth).status_code == 200
    other = {"HTTP_AUTHORIZATION": f"Bearer {world.transit_token}"}
    assert client.get(f"{url}/{document_id}", **other).status_code == 404
    settings.UPLOAD_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 2048, content_type="application/pdf")
    assert client.post(url, {"kind": "subpoena", "file": big}, **auth).status_code == 422


def test_openapi_lists_the_request_operations(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/requests", "/api/v1/requests/{request_id}", "/api/v1/items/{item_id}/decision"} <= set(
        paths
    )


def test_staff_reading_a_request_is_in_the_access_log_and_agencies_are_not(
    world: World, client: Client
) -> None:
    from brightline.accounts.models import StaffAccess

    created = post_json(
        client, "/api/v1/requests", request_body(world.alice, world.ben), world.police_token
    ).json()
    get(client, f"/api/v1/requests/{created['id']}", world.police_token)
    assert not StaffAccess.objects.exists()
    sign_in(client, world.superintendent)
    assert client.get(f"/api/v1/requests/{created['id']}").status_code == 200
    logged = StaffAccess.objects.order_by("student_sis_id")
    assert [(row.user_name, row.student_sis_id) for row in logged] == [
        ("Sam Super", "S-1001"),
        ("Sam Super", "S-1002"),
    ]
    assert client.get(f"/review/requests/{created['id']}/").status_code == 200
    assert StaffAccess.objects.filter(what="request under review").count() == 2


def test_list_paging_out_of_range_is_a_field_error(world: World, client: Client) -> None:
    for query in ("offset=-1", "offset=99999999999999999999", "limit=0", "limit=201"):
        response = get(client, f"/api/v1/requests?{query}", world.police_token)
        assert response.status_code == 422, query
        assert response.json()["detail"][0]["loc"][-1] == query.split("=")[0]


def test_a_requester_is_never_told_that_a_student_is_flagged_missing(world: World, client: Client) -> None:
    body = request_body(world.dana, categories=["directory"], identified_by="name_and_birth_date")
    data = post_json(client, "/api/v1/requests", body, world.police_token).json()
    assert "alert_police_missing_child" not in data["items"][0]["obligations"]
    assert "missing" not in data["items"][0]["explanation"].lower()
    stored = Request.objects.get(pk=data["id"]).items.get()
    assert "alert_police_missing_child" in stored.obligations  # the district still acts on it
    sign_in(client, world.clerk)
    staff_view = client.get(f"/api/v1/requests/{data['id']}").json()
    assert "alert_police_missing_child" in staff_view["items"][0]["obligations"]
