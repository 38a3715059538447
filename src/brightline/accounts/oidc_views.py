"""Pages of staff sign-in through the district's provider: the sign-in page (with "Sign in with …" when
the provider is configured), the start (off to the provider) and the callback (back, checked, signed in).
Thin: the protocol is Authlib's, who the person is here is `oidc.oidc_sign_in`."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from brightline.accounts.lockout import LockoutAuthenticationForm
from brightline.accounts.mfa import mfa_session_mark_verified
from brightline.accounts.oidc import (
    SignInRefused,
    oidc_authorize_redirect,
    oidc_claims_from_callback,
    oidc_enabled,
    oidc_sign_in,
)

logger = logging.getLogger("brightline.accounts.oidc")
NEXT_KEY = "brightline_oidc_next"
BACKEND = "brightline.accounts.lockout.LockoutModelBackend"


class SignInView(LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = LockoutAuthenticationForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["oidc_provider"] = settings.OIDC_PROVIDER_NAME if oidc_enabled() else ""
        return context


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
@require_GET
def oidc_start(request: HttpRequest) -> HttpResponse:
    if not oidc_enabled():
        raise Http404("sign-in through the district's provider is not configured")
    request.session[NEXT_KEY] = _safe_next(request, request.GET.get("next", ""))
    return oidc_authorize_redirect(
        request, redirect_uri=request.build_absolute_uri(reverse("accounts:oidc_callback"))
    )


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    logger.warning("sign-in through the district's provider refused: %s", reason)
    return render(
        request,
        "accounts/oidc_refused.html",
        {"oidc_provider": settings.OIDC_PROVIDER_NAME},
        status=403,
    )


@never_cache
@require_GET
def oidc_callback(request: HttpRequest) -> HttpResponse:
    if not oidc_enabled():
        raise Http404("sign-in through the district's provider is not configured")
    try:
        claims = oidc_claims_from_callback(request)
        result = oidc_sign_in(claims=claims)
    except SignInRefused as refusal:
        return _refused(request, refusal.reason)
    if not result.user.is_active:
        return _refused(request, "no group of this person gives a role any more: the account is stopped")
    next_url = request.session.pop(NEXT_KEY, "")
    login(request, result.user, backend=BACKEND)
    if result.second_factor_shown:
        mfa_session_mark_verified(request)
    return HttpResponseRedirect(_safe_next(request, next_url))
