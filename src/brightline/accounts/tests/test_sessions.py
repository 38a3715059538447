"""Staff sessions end after 30 idle minutes; activity keeps them alive."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from brightline.accounts.tests.helpers import sign_in
from brightline.testing import World

pytestmark = pytest.mark.django_db


def test_session_settings_expire_after_thirty_idle_minutes() -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_a_staff_session_lives_while_used_and_ends_after_thirty_idle_minutes(
    world: World, client: Client
) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, world.superintendent)
        assert client.get("/api/v1/review/queue").status_code == 200
        for _ in range(3):  # an hour and a quarter of steady work, a request every 25 minutes
            traveller.shift(dt.timedelta(minutes=25))
            assert client.get("/api/v1/review/queue").status_code == 200
        traveller.shift(dt.timedelta(minutes=31))
        assert client.get("/api/v1/review/queue").status_code == 401


def test_passwords_are_hashed_with_argon2() -> None:
    import brightline.settings as configured

    assert configured.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
