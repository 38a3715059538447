"""The second factor: staff and requesters show a code once per session before anything answers them."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pyotp
import pytest
from django.test import Client

from brightline.accounts.mfa import SESSION_KEY, mfa_enrol, mfa_verify
from brightline.accounts.models import MfaDevice, SignInFailure
from brightline.accounts.tests.helpers import enrolled_totp, sign_in
from brightline.testing import PASSWORD, World

pytestmark = pytest.mark.django_db


def password_sign_in(client: Client, username: str) -> None:
    response = client.post("/accounts/sign-in/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content


def test_staff_signed_in_with_a_password_only_are_sent_to_the_second_factor_page(
    world: World, client: Client
) -> None:
    password_sign_in(client, "super")
    response = client.get("/review/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/mfa/?next=")
    assert client.get("/api/v1/review/queue").status_code == 401


def test_requesters_also_need_the_second_factor_but_parents_do_not(world: World, client: Client) -> None:
    password_sign_in(client, "detective")
    assert client.get("/portal/")["Location"].startswith("/accounts/mfa/")
    assert client.get("/api/v1/requests").status_code == 401
    parent = Client()
    password_sign_in(parent, "parent")
    response = parent.get("/family/")
    assert not response.get("Location", "").startswith("/accounts/mfa/")


def test_enrolment_shows_a_new_secret_once_and_the_first_good_code_confirms_it(
    world: World, client: Client
) -> None:
    password_sign_in(client, "clerk")
    first = client.get("/accounts/mfa/")
    assert first.status_code == 200 and "data:image/svg+xml;base64," in first.content.decode()
    secret = first.context["secret"]
    again = client.get("/accounts/mfa/")
    assert again.context["secret"] != secret, "a secret is shown only once; a new visit gets a new one"
    device = MfaDevice.objects.get(user=world.clerk)
    assert device.confirmed_at is None
    code = pyotp.TOTP(again.context["secret"]).now()
    response = client.post("/accounts/mfa/", {"code": code, "next": "/api/v1/review/queue"})
    assert response.status_code == 302 and response["Location"] == "/api/v1/review/queue"
    device.refresh_from_db()
    assert device.confirmed_at is not None
    assert client.session[SESSION_KEY] is True
    assert client.get("/api/v1/office/overdue").status_code == 200
    # A confirmed device is never shown again: the next sign-in asks for a code only.
    client.logout()
    password_sign_in(client, "clerk")
    page = client.get("/accounts/mfa/")
    assert page.templates[0].name == "accounts/mfa_verify.html"
    assert "secret" not in page.context


def test_a_wrong_code_is_refused_and_counted(world: World, client: Client) -> None:
    totp = enrolled_totp(world.superintendent)
    password_sign_in(client, "super")
    wrong = str((int(totp.now()) + 1) % 1_000_000).zfill(6)
    response = client.post("/accounts/mfa/", {"code": wrong})
    assert response.status_code == 400
    assert SESSION_KEY not in client.session
    assert SignInFailure.objects.filter(username="super", stage="mfa").count() == 1
    assert client.get("/api/v1/review/queue").status_code == 401


def test_a_code_is_good_only_once(world: World) -> None:
    totp = enrolled_totp(world.legal_advisor)
    now = time.time()
    code = totp.at(now)
    assert mfa_verify(user=world.legal_advisor, code=code, at=now)
    assert not mfa_verify(user=world.legal_advisor, code=code, at=now)


def test_too_many_wrong_codes_sign_the_person_out_with_a_time_to_try_again(
    world: World, client: Client, settings: object
) -> None:
    settings.SIGNIN_LOCKOUT_FAILURES = 3  # type: ignore[attr-defined]
    totp = enrolled_totp(world.auditor)
    password_sign_in(client, "auditor")
    wrong = str((int(totp.now()) + 7) % 1_000_000).zfill(6)
    client.post("/accounts/mfa/", {"code": wrong})
    client.post("/accounts/mfa/", {"code": wrong})
    response = client.post("/accounts/mfa/", {"code": wrong})
    assert response.status_code == 403
    assert "try again after" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_demo_can_enrol_a_persona_with_a_known_secret(world: World, client: Client) -> None:
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    assert mfa_enrol(user=world.principal, secret=secret) == secret
    assert MfaDevice.objects.get(user=world.principal).confirmed_at is not None
    password_sign_in(client, "principal")
    response = client.post("/accounts/mfa/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302


def test_a_new_password_sign_in_does_not_inherit_a_verified_session(world: World, client: Client) -> None:
    sign_in(client, world.clerk)
    assert client.get("/api/v1/office/overdue").status_code == 200
    password_sign_in(client, "clerk")
    assert client.get("/api/v1/office/overdue").status_code == 401


def test_the_second_factor_cannot_be_turned_off_in_production(tmp_path: object) -> None:
    env = dict(
        os.environ,
        BRIGHTLINE_PRODUCTION="1",
        BRIGHTLINE_SECRET_KEY="x" * 40,
        BRIGHTLINE_REQUIRE_MFA="0",
        BRIGHTLINE_DATA_DIR=str(tmp_path),
    )
    done = subprocess.run(
        [sys.executable, "-c", "import brightline.settings"], env=env, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "BRIGHTLINE_REQUIRE_MFA" in done.stderr
