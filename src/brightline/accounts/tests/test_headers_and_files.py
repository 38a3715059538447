"""Headers on every answer, and uploaded documents that only authorised views serve."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from brightline.accounts.tests.helpers import sign_in
from brightline.casework.models import Document
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_every_answer_carries_a_strict_content_security_policy(world: World, client: Client) -> None:
    for path in ["/", "/api/v1/health", "/accounts/sign-in/", "/api/v1/openapi.json"]:
        response = client.get(path)
        policy = response["Content-Security-Policy"]
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        for directive in [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ]:
            assert directive in policy
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_production_turns_on_hsts_and_secure_cookies(tmp_path: Path) -> None:
    env = dict(
        os.environ,
        BRIGHTLINE_PRODUCTION="1",
        BRIGHTLINE_SECRET_KEY="y" * 40,
        BRIGHTLINE_DATA_DIR=str(tmp_path),
    )
    env.pop("BRIGHTLINE_REQUIRE_MFA", None)
    code = (
        "import json, brightline.settings as s; print(json.dumps([s.SECURE_HSTS_SECONDS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.REQUIRE_MFA]))"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    hsts, session_secure, csrf_secure, redirect, mfa = json.loads(done.stdout)
    assert hsts >= 31536000 and session_secure and csrf_secure and redirect and mfa


def attach(client: Client, world: World, token: str) -> tuple[str, Document]:
    created = client.post(
        "/api/v1/requests",
        data=json.dumps(request_body(world.alice)),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    ).json()
    response = client.post(
        f"/api/v1/requests/{created['id']}/documents",
        {"kind": "subpoena", "file": SimpleUploadedFile("subpoena.pdf", PDF, content_type="application/pdf")},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201, response.content
    return created["id"], Document.objects.get(pk=response.json()["id"])


def test_uploaded_documents_live_outside_the_web_root_and_are_not_served_by_path(
    world: World, client: Client
) -> None:
    request_id, document = attach(client, world, world.police_token)
    stored = Path(document.file.path).resolve()
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not stored.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    assert stored.read_bytes() == PDF
    sign_in(client, world.clerk)
    for path in [
        f"/media/{document.file.name}",
        f"/{document.file.name}",
        f"/files/{document.file.name}",
        f"/static/{document.file.name}",
        f"/static/../files/{document.file.name}",
    ]:
        response = client.get(path)
        assert response.status_code == 404 or (
            response.status_code < 400 and PDF not in b"".join(getattr(response, "streaming_content", [b""]))
        ), path


def test_documents_are_served_only_to_the_agency_and_staff(world: World, client: Client) -> None:
    request_id, document = attach(client, world, world.police_token)
    url = f"/api/v1/requests/{request_id}/documents/{document.pk}"
    mine = client.get(url, HTTP_AUTHORIZATION=f"Bearer {world.police_token}")
    assert mine.status_code == 200 and b"".join(mine.streaming_content) == PDF
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {world.transit_token}").status_code == 404
    assert Client().get(url).status_code == 401
    staff = Client()
    sign_in(staff, world.clerk)
    assert staff.get(url).status_code == 200


def test_uploads_are_checked_by_content_and_size(world: World, client: Client, settings: object) -> None:
    settings.UPLOAD_MAX_BYTES = 2048  # type: ignore[attr-defined]
    created = client.post(
        "/api/v1/requests",
        data=json.dumps(request_body(world.alice)),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {world.police_token}",
    ).json()
    url = f"/api/v1/requests/{created['id']}/documents"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {world.police_token}"}
    html = SimpleUploadedFile(
        "subpoena.pdf", b"<html><script>alert(1)</script>", content_type="application/pdf"
    )
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 4096, content_type="application/pdf")
    assert client.post(url, {"kind": "subpoena", "file": html}, **auth).status_code == 422
    assert client.post(url, {"kind": "subpoena", "file": big}, **auth).status_code == 422
    assert Document.objects.count() == 0
