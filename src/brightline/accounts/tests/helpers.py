"""Sign-in helpers for tests: a session as the browser has it after password and second factor."""

from __future__ import annotations

import pyotp
from django.test import Client

from brightline.accounts.mfa import SESSION_KEY, mfa_enrol
from brightline.accounts.models import User


def sign_in(client: Client, user: User, *, second_factor: bool = True) -> None:
    """A signed-in session; with `second_factor` it has already shown a code, as after /accounts/mfa/."""
    client.force_login(user)
    if second_factor:
        session = client.session
        session[SESSION_KEY] = True
        session.save()


def enrolled_totp(user: User) -> pyotp.TOTP:
    """Enrol the person with a known secret and return the authenticator that makes their codes."""
    return pyotp.TOTP(mfa_enrol(user=user, secret=pyotp.random_base32()))
