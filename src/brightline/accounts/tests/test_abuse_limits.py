"""Limits on abuse (Security round 2, item 5): rate limits answered 429 with Retry-After, uploads refused
as they stream past the limit, legal documents kept and served as .pdf, text that cannot be stored
answered 422, and no cache keeps an answer that carries personal data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from brightline.accounts.ratelimits import RateLimitCache
from brightline.accounts.tests.helpers import sign_in
from brightline.casework.models import Document, Request
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def tight(settings: Any) -> dict[str, str]:
    """Every limit at 3 an hour, so that a test passes it in a few calls (a window of an hour, so that
    a test's calls do not straddle two windows)."""
    settings.RATE_LIMITS = {group: "3/h" for group in settings.RATE_LIMITS}
    return settings.RATE_LIMITS  # type: ignore[no-any-return]


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def assert_429(response: Any) -> None:
    assert response.status_code == 429, (response.status_code, response.content[:300])
    assert 1 <= int(response["Retry-After"]) <= 3600 + 5


def submit(client: Client, world: World, body: Any = None, **extra: Any) -> Any:
    return client.post(
        "/api/v1/requests",
        data=body if isinstance(body, str | bytes) else json.dumps(body or request_body(world.alice)),
        content_type="application/json",
        **(extra or bearer(world.police_token)),
    )


# -- rate limits --------------------------------------------------------------------------------------


def test_a_token_past_its_limit_is_answered_429_with_retry_after(world: World, tight: Any) -> None:
    client = Client()
    for number in range(3):
        assert (
            client.get(
                "/api/v1/requests", **bearer(world.police_token), REMOTE_ADDR=f"10.0.0.{number}"
            ).status_code
            == 200
        )
    # Another address does not help a token past its limit; another token is counted apart.
    assert_429(client.get("/api/v1/requests", **bearer(world.police_token), REMOTE_ADDR="10.0.0.9"))
    assert_429(submit(client, world, REMOTE_ADDR="10.0.0.10", **bearer(world.police_token)))
    assert Request.objects.count() == 0
    assert (
        client.get("/api/v1/requests", **bearer(world.transit_token), REMOTE_ADDR="10.0.0.11").status_code
        == 200
    )
    body = client.get("/api/v1/requests", **bearer(world.police_token), REMOTE_ADDR="10.0.0.12").json()
    assert "Too many requests" in body["detail"][0]["msg"]


def test_an_address_past_its_limit_is_answered_429_whoever_asks(world: World, tight: Any) -> None:
    client = Client(REMOTE_ADDR="192.0.2.7")
    for _ in range(3):
        assert client.get("/api/v1/ledger/checkpoints").status_code == 200
    assert_429(client.get("/api/v1/ledger/checkpoints"))
    assert_429(client.get("/api/v1/requests", **bearer(world.transit_token)))
    assert Client(REMOTE_ADDR="192.0.2.8").get("/api/v1/ledger/checkpoints").status_code == 200
    # The load balancer's health check reads nothing and is never limited.
    assert client.get("/api/v1/health").status_code == 200


def test_a_signed_in_account_past_its_api_limit_is_answered_429(world: World, tight: Any) -> None:
    client = Client()
    sign_in(client, world.clerk)
    for number in range(3):
        assert client.get("/api/v1/review/queue", REMOTE_ADDR=f"10.1.0.{number}").status_code == 200
    assert_429(client.get("/api/v1/review/queue", REMOTE_ADDR="10.1.0.9"))


def test_sign_in_is_limited_per_account_and_per_address(world: World, tight: Any) -> None:
    for number in range(3):
        Client(REMOTE_ADDR=f"10.2.0.{number}").post(
            "/accounts/sign-in/", {"username": world.clerk.username, "password": "wrong password!"}
        )
    # The right password from a fresh address: the account is past its limit.
    answer = Client(REMOTE_ADDR="10.2.0.9").post(
        "/accounts/sign-in/", {"username": world.clerk.username, "password": "whatever it is"}
    )
    assert_429(answer)
    assert b"Too many requests" in answer.content
    spray = Client(REMOTE_ADDR="10.2.1.1")
    for number in range(3):
        spray.post("/accounts/sign-in/", {"username": f"someone{number}", "password": "x" * 12})
    assert_429(spray.post("/accounts/sign-in/", {"username": "someone-else", "password": "x" * 12}))
    # Reading the page is not counted.
    assert spray.get("/accounts/sign-in/").status_code == 200


def test_the_second_factor_is_limited_per_account(world: World, tight: Any) -> None:
    client = Client()
    client.force_login(world.clerk)
    for number in range(3):
        client.post("/accounts/mfa/", {"code": "000000"}, REMOTE_ADDR=f"10.3.0.{number}")
    assert_429(client.post("/accounts/mfa/", {"code": "000000"}, REMOTE_ADDR="10.3.0.9"))


def test_password_reset_is_limited_per_address_and_per_account(world: World, tight: Any) -> None:
    client = Client(REMOTE_ADDR="10.4.0.1")
    for _ in range(3):
        assert client.post("/accounts/password-reset/", {"email": "a@example.org"}).status_code == 302
    assert_429(client.post("/accounts/password-reset/", {"email": "b@example.org"}))
    for number in range(2):
        Client(REMOTE_ADDR=f"10.4.1.{number}").post("/accounts/password-reset/", {"email": "a@example.org"})
    assert_429(Client(REMOTE_ADDR="10.4.2.1").post("/accounts/password-reset/", {"email": "A@example.org"}))


def test_the_counters_are_rows_of_the_database_that_every_worker_shares(world: World, tight: Any) -> None:
    Client().get("/api/v1/requests", **bearer(world.police_token))
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM brightline_rate_limits")
        assert cursor.fetchone()[0] >= 2  # the token's counter and the address's
    cache = caches["ratelimit"]
    cache.add("probe", 1, 60)
    assert cache.incr("probe") == 2 and cache.incr("probe", 3) == 5 and cache.get("probe") == 5
    with pytest.raises(ValueError):
        cache.incr("never-added")


def test_a_call_is_counted_in_one_statement_and_two_workers_count_the_same_row(world: World) -> None:
    """Two processes' caches (each its own instance) counting one key in turns, as django-ratelimit does
    (`add`, then `incr` when the key was there): every call counted once, one statement per call."""
    first, second = (RateLimitCache("brightline_rate_limits", {}) for _ in range(2))

    def count(cache: RateLimitCache) -> int:
        return 1 if cache.add("turns", 1, 60) else int(cache.incr("turns"))

    with CaptureQueriesContext(connection) as made:
        assert count(first) == 1
    with CaptureQueriesContext(connection) as counted:
        assert [count(second), count(first), count(second)] == [2, 3, 4]
    assert len(made.captured_queries) <= 2  # the row, and the table's size once per window
    assert len(counted.captured_queries) == 3
    assert first.get("turns") == 4 and first.get("never-counted", 0) == 0


# -- uploads ------------------------------------------------------------------------------------------


class CountingTemporaryFileHandler(TemporaryFileUploadHandler):
    """The handler that would spool to disk: records how many bytes reached it."""

    seen = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        CountingTemporaryFileHandler.seen += len(raw_data)
        return super().receive_data_chunk(raw_data, start)


def test_an_upload_is_refused_as_it_streams_past_the_limit_not_after_spooling_it(
    world: World, client: Client, settings: Any
) -> None:
    settings.UPLOAD_MAX_BYTES = 256 * 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every file goes to the temporary-file handler
    settings.FILE_UPLOAD_HANDLERS = [
        "brightline.accounts.uploads.SizeLimitedUploadHandler",
        f"{__name__}.CountingTemporaryFileHandler",
    ]
    created = submit(client, world).json()
    CountingTemporaryFileHandler.seen = 0
    huge = SimpleUploadedFile("huge.pdf", PDF + b"0" * (8 * 1024 * 1024))
    answer = client.post(
        f"/api/v1/requests/{created['id']}/documents",
        {"kind": "subpoena", "file": huge},
        **bearer(world.police_token),
    )
    assert answer.status_code == 422, answer.content
    assert answer.json()["detail"] == [
        {"loc": ["body", "file"], "msg": "Larger than the 262,144 byte limit."}
    ]
    assert CountingTemporaryFileHandler.seen <= settings.UPLOAD_MAX_BYTES
    assert not Document.objects.exists()


def test_an_anonymous_oversized_post_is_refused_before_csrf(settings: Any) -> None:
    settings.UPLOAD_MAX_BYTES = 4096
    client = Client(enforce_csrf_checks=True)
    answer = client.post(
        "/accounts/sign-in/", {"username": "x", "file": SimpleUploadedFile("a.pdf", b"0" * 10_000)}
    )
    assert answer.status_code == 422 and b"file" in answer.content and b"limit" in answer.content


def test_an_oversized_file_on_the_records_office_form_names_its_field(world: World, settings: Any) -> None:
    settings.UPLOAD_MAX_BYTES = 4096
    client = Client()
    sign_in(client, world.clerk)
    answer = client.post(
        "/office/requests/new/",
        {"agency": world.police.pk, "document": SimpleUploadedFile("order.pdf", PDF + b"0" * 10_000)},
    )
    assert answer.status_code == 422, answer.status_code
    assert b"Document:" in answer.content and b"Nothing was saved" in answer.content


def test_a_legal_document_is_kept_and_served_as_pdf_whatever_its_name(world: World, client: Client) -> None:
    created = submit(client, world).json()
    answer = client.post(
        f"/api/v1/requests/{created['id']}/documents",
        {"kind": "subpoena", "file": SimpleUploadedFile("subpoena.html", PDF, content_type="text/html")},
        **bearer(world.police_token),
    )
    assert answer.status_code == 201 and answer.json()["name"] == "subpoena.pdf"
    document = Document.objects.get()
    assert document.file.name.endswith(".pdf")
    served = client.get(
        f"/api/v1/requests/{created['id']}/documents/{document.pk}", **bearer(world.police_token)
    )
    assert served["Content-Disposition"] == 'attachment; filename="subpoena.pdf"'
    assert served["Content-Type"] == "application/pdf"


# -- text that cannot be stored -----------------------------------------------------------------------


def test_a_lone_surrogate_or_a_nul_in_a_json_body_answers_422_naming_the_field(
    world: World, client: Client
) -> None:
    for bad in ["\ud800", "\udfff tail", "nul \x00 here"]:
        body = request_body(world.alice)
        body["description"] = bad
        answer = submit(client, world, json.dumps(body))  # sent as "\\ud800", "\\u0000"
        assert answer.status_code == 422, (bad, answer.content)
        assert answer.json()["detail"][0]["loc"] == ["body", "description"]
    answer = client.post(
        "/api/v1/triage",
        data='{"request": {"purpose": "\\ud800"}, "students": []}',
        content_type="application/json",
        **bearer(world.police_token),
    )
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body", "request", "purpose"]
    assert Request.objects.count() == 0
    # A surrogate pair is a character like any other.
    body = request_body(world.alice)
    body["description"] = "Patrol car \U0001f693"
    assert submit(client, world, json.dumps(body)).status_code == 201


def test_a_lone_surrogate_in_a_form_field_answers_422_naming_the_field(world: World) -> None:
    client = Client()
    sign_in(client, world.clerk)
    answer = client.post(
        "/office/requests/new/",
        data=b"channel=fax&description=%ED%A0%80&purpose=criminal_investigation",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 422 and b"Description:" in answer.content
    assert Request.objects.count() == 0


# -- Cache-Control --------------------------------------------------------------------------------------


def test_answers_with_personal_data_are_never_cached_and_public_pages_may_be(world: World) -> None:
    staff = Client()
    sign_in(staff, world.clerk)
    for path in ["/office/", "/api/v1/requests", "/"]:
        assert "no-store" in staff.get(path)["Cache-Control"], path
    token = Client().get("/api/v1/requests", **bearer(world.police_token))
    assert "no-store" in token["Cache-Control"] and "private" in token["Cache-Control"]
    assert "no-store" not in Client().get("/api/v1/ledger/checkpoints").get("Cache-Control", "")
    assert "no-store" not in Client().get("/policy/").get("Cache-Control", "")


def test_a_form_that_cannot_be_read_is_a_bad_request_not_a_server_error() -> None:
    answer = Client(enforce_csrf_checks=True).post(
        "/accounts/sign-in/", data=b"--x\r\nbroken", content_type="multipart/form-data"
    )
    assert answer.status_code in {400, 403}  # refused, never a server error
