"""Multi-factor sign-in with time-based one-time codes (RFC 6238, as authenticator apps use).

Staff and requesters (`MFA_ROLES`) must prove a code once per session before anything else answers them:
`MfaRequiredMiddleware` sends them to `/accounts/mfa/`, where they enrol (the secret is shown once) or
enter a code. The session carries the proof under `SESSION_KEY`; a new sign-in starts without it.
"""

from __future__ import annotations

import base64
import time
from typing import Any

import pyotp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from brightline.accounts.models import MFA_ROLES, MfaDevice, User

SESSION_KEY = "brightline_mfa_verified"
ISSUER = "Bright Line"
STEP_SECONDS = 30


def mfa_required_for(user: Any) -> bool:
    """Whether this person must show a second factor (the setting and their role decide)."""
    if not settings.REQUIRE_MFA:
        return False
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", None) in MFA_ROLES


def mfa_session_verified(request: HttpRequest) -> bool:
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(SESSION_KEY))


def mfa_session_satisfied(request: HttpRequest) -> bool:
    """True when the signed-in person needs no second factor or has shown it in this session."""
    return not mfa_required_for(getattr(request, "user", None)) or mfa_session_verified(request)


def mfa_session_mark_verified(request: HttpRequest) -> None:
    # A new session key on each step up, like Django's login(), so a fixed session id cannot be raised.
    request.session.cycle_key()
    request.session[SESSION_KEY] = True


def mfa_device_for(user: User) -> MfaDevice | None:
    return MfaDevice.objects.filter(user=user).first()


@transaction.atomic
def mfa_enrol(*, user: User, secret: str | None = None) -> str:
    """Give the person a new authenticator secret (or the one given, for the demo) and return it.

    With a secret given the device is confirmed at once (the demo writes the secret down for its
    personas); otherwise it is confirmed by the first good code. Enrolling again replaces the old one."""
    chosen = secret or pyotp.random_base32()
    pyotp.TOTP(chosen).now()  # a malformed base32 secret fails here, before anything is stored
    MfaDevice.objects.update_or_create(
        user=user,
        defaults={
            "secret": chosen,
            "confirmed_at": timezone.now() if secret else None,
            "last_step": 0,
        },
    )
    return chosen


@transaction.atomic
def mfa_verify(*, user: User, code: str, at: float | None = None) -> bool:
    """Check a six-digit code against the person's authenticator (one step of clock drift either way).

    Each step's code is accepted once; the row lock makes two concurrent uses of one code fail one."""
    device = MfaDevice.objects.select_for_update().filter(user=user).first()
    cleaned = "".join(code.split())
    if device is None or not cleaned.isdigit() or len(cleaned) != 6:
        return False
    now = time.time() if at is None else at
    totp = pyotp.TOTP(device.secret)
    current = int(now // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if step <= device.last_step:
            continue
        if totp.verify(cleaned, for_time=step * STEP_SECONDS, valid_window=0):
            device.last_step = step
            if device.confirmed_at is None:
                device.confirmed_at = timezone.now()
            device.save(update_fields=["last_step", "confirmed_at"])
            return True
    return False


def provisioning_uri(*, user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """An SVG QR code of the provisioning URI as a data: URI (the CSP allows data: images only)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg: bytes = image.to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
