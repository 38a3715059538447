"""Middleware for the security of every answer: the Content-Security-Policy, and the second factor."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from brightline.accounts.mfa import mfa_session_satisfied

MFA_FALLBACK_PATH = "/accounts/mfa/"


class ContentSecurityPolicyMiddleware:
    """Adds `settings.CONTENT_SECURITY_POLICY` to every answer that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


def mfa_path() -> str:
    try:
        return reverse("security:mfa")
    except NoReverseMatch:
        return MFA_FALLBACK_PATH


def _exempt(path: str) -> bool:
    """Pages a person between password and second factor may still open."""
    open_prefixes = [
        mfa_path(),
        MFA_FALLBACK_PATH,
        settings.STATIC_URL,
        "/accounts/sign-out/",
        "/accounts/sign-in/",
        "/accounts/password-reset/",
        "/accounts/reset/",
    ]
    try:
        open_prefixes.append(reverse("accounts:logout"))
    except NoReverseMatch:
        pass
    return any(path.startswith(prefix) for prefix in open_prefixes)


class MfaRequiredMiddleware:
    """A signed-in person whose role needs a second factor and whose session has not shown it is sent
    to the second-factor page; on the API they count as not signed in (401), public endpoints aside."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if mfa_session_satisfied(request) or _exempt(request.path):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            request.user = AnonymousUser()
            return self.get_response(request)
        target = mfa_path()
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)
