"""Repeated failed sign-ins lock the username (and, in larger numbers, the address) for a while."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory
from django.utils import timezone

from brightline.accounts.lockout import LockoutAuthenticationForm, locked_until
from brightline.accounts.models import SignInFailure
from brightline.testing import PASSWORD, World

pytestmark = pytest.mark.django_db


def attempt(client: Client, username: str, password: str, ip: str = "203.0.113.5") -> bool:
    """Post the sign-in form; True when it signed the person in."""
    response = client.post("/accounts/sign-in/", {"username": username, "password": password}, REMOTE_ADDR=ip)
    return response.status_code == 302


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(world: World) -> None:
    client = Client()
    for _ in range(5):
        assert not attempt(client, "clerk", "wrong password")
    assert not attempt(client, "clerk", PASSWORD)
    assert "_auth_user_id" not in client.session
    # Counted in the database, so every server process refuses it.
    assert SignInFailure.objects.filter(username="clerk").count() >= 5
    assert authenticate(RequestFactory().post("/"), username="clerk", password=PASSWORD) is None


def test_a_locked_account_answers_like_a_wrong_password_with_a_time_to_try_again(world: World) -> None:
    factory = RequestFactory()
    for _ in range(5):
        attempt(Client(), "clerk", "wrong password")
        attempt(Client(), "nobody-by-this-name", "wrong password")

    def errors(username: str, password: str) -> list[str]:
        request = factory.post("/accounts/sign-in/", REMOTE_ADDR="198.51.100.7")
        form = LockoutAuthenticationForm(request, data={"username": username, "password": password})
        assert not form.is_valid()
        return form.non_field_errors()

    right, wrong, unknown = (
        errors("clerk", PASSWORD),
        errors("clerk", "still wrong"),
        errors("nobody-by-this-name", PASSWORD),
    )
    assert right == wrong == unknown
    assert "try again after" in right[0]


def test_the_lock_opens_when_the_window_has_passed(world: World) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(5):
            attempt(Client(), "counsel", "wrong password")
        until = locked_until(username="counsel", ip=None)
        assert until is not None and until > timezone.now()
        traveller.shift(dt.timedelta(minutes=16))
        assert locked_until(username="counsel", ip=None) is None
        assert attempt(Client(), "counsel", PASSWORD)


def test_many_usernames_from_one_address_lock_the_address(world: World, settings: object) -> None:
    settings.SIGNIN_LOCKOUT_IP_FAILURES = 4  # type: ignore[attr-defined]
    for name in ["a", "b", "c", "d"]:
        attempt(Client(), name, "guess", ip="192.0.2.99")
    assert not attempt(Client(), "auditor", PASSWORD, ip="192.0.2.99")
    assert attempt(Client(), "auditor", PASSWORD, ip="192.0.2.100")


def test_a_successful_sign_in_forgives_earlier_failures(world: World) -> None:
    for _ in range(3):
        attempt(Client(), "parent", "wrong password")
    assert attempt(Client(), "parent", PASSWORD)
    assert not SignInFailure.objects.filter(username="parent").exists()
