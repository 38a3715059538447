"""Throttling of sign-in: failures are counted in the database per username and per address.

After `SIGNIN_LOCKOUT_FAILURES` failures for one username (or `SIGNIN_LOCKOUT_IP_FAILURES` from one
address) within `SIGNIN_LOCKOUT_MINUTES`, sign-in is refused until that long after the last failure, even
with the right password. A locked account answers exactly as a wrong password does (plus the time to try
again), so the answer does not tell whether the username exists or the password was right.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Max
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import time_format

from brightline.accounts.models import SignInFailure


def client_ip(request: HttpRequest | None) -> str | None:
    """The address the request came from. Behind the production proxy Django sees the proxy's address in
    REMOTE_ADDR; gunicorn's forwarded-allow-ips sets it from X-Forwarded-For for trusted proxies only."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.SIGNIN_LOCKOUT_MINUTES)


def _normalise(username: str) -> str:
    return username.strip().lower()[:150]


def locked_until(*, username: str, ip: str | None, now: dt.datetime | None = None) -> dt.datetime | None:
    """When sign-in for this username (or from this address) opens again, or None when it is open."""
    now = now or timezone.now()
    since = now - _window()
    ends: list[dt.datetime] = []
    by_user = SignInFailure.objects.filter(username=_normalise(username), at__gt=since).aggregate(
        count=Count("id"), last=Max("at")
    )
    if by_user["count"] >= settings.SIGNIN_LOCKOUT_FAILURES and by_user["last"] is not None:
        ends.append(by_user["last"] + _window())
    if ip:
        by_ip = SignInFailure.objects.filter(ip=ip, at__gt=since).aggregate(count=Count("id"), last=Max("at"))
        if by_ip["count"] >= settings.SIGNIN_LOCKOUT_IP_FAILURES and by_ip["last"] is not None:
            ends.append(by_ip["last"] + _window())
    return max(ends) if ends else None


@transaction.atomic
def signin_failure_record(*, username: str, ip: str | None, stage: str = "password") -> None:
    SignInFailure.objects.create(username=_normalise(username), ip=ip, at=timezone.now(), stage=stage)


@transaction.atomic
def signin_failures_clear(*, username: str) -> None:
    """A complete sign-in (password and, when needed, the second factor) forgives the earlier failures."""
    SignInFailure.objects.filter(username=_normalise(username)).delete()


@transaction.atomic
def signin_failures_prune(*, older_than: dt.timedelta = dt.timedelta(days=30)) -> int:
    deleted, _ = SignInFailure.objects.filter(at__lt=timezone.now() - older_than).delete()
    return deleted


def try_again_message(until: dt.datetime) -> str:
    local = timezone.localtime(until)
    return (
        "Too many failed sign-ins. Sign-in is paused for this account; "
        f"try again after {time_format(local, 'H:i')} ({local:%Z})."
    )


class LockoutModelBackend(ModelBackend):
    """Django's username/password check, refused while the username or the address is locked out."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None:
            username = kwargs.get("username")
        if username is not None:
            until = locked_until(username=username, ip=client_ip(request))
            if until is not None:
                if request is not None:
                    request.signin_locked_until = until  # type: ignore[attr-defined]
                # PermissionDenied stops Django trying other backends and sends user_login_failed,
                # which counts this attempt too: hammering a locked account keeps it locked.
                raise PermissionDenied("signed-in paused")
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed)
def _count_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any
) -> None:
    username = str(credentials.get("username") or "")
    if username:
        signin_failure_record(username=username, ip=client_ip(request))


@receiver(user_logged_in)
def _start_without_second_factor(sender: Any, request: HttpRequest | None, user: Any, **_: Any) -> None:
    # The password alone never carries over a previous session's proof of the second factor.
    from brightline.accounts.mfa import SESSION_KEY, mfa_required_for

    if request is not None and hasattr(request, "session"):
        request.session.pop(SESSION_KEY, None)
    if not mfa_required_for(user):
        signin_failures_clear(username=user.get_username())


class LockoutAuthenticationForm(AuthenticationForm):
    """The sign-in form with the "try again after" message of a lockout in place of the usual one."""

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except forms.ValidationError:
            until = getattr(self.request, "signin_locked_until", None) if self.request else None
            if until is None and self.request is not None:
                until = locked_until(
                    username=self.cleaned_data.get("username") or "", ip=client_ip(self.request)
                )
            if until is not None:
                raise forms.ValidationError(try_again_message(until), code="locked") from None
            raise
