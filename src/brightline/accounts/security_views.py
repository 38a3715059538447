"""Pages of the second factor: enrol an authenticator (its secret shown once) or enter a code."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from brightline.accounts.lockout import (
    client_ip,
    locked_until,
    signin_failure_record,
    signin_failures_clear,
    try_again_message,
)
from brightline.accounts.mfa import (
    mfa_device_for,
    mfa_enrol,
    mfa_required_for,
    mfa_session_mark_verified,
    mfa_session_verified,
    mfa_verify,
    provisioning_uri,
    qr_data_uri,
)
from brightline.accounts.models import User

ENROL_PENDING_FIELD = "brightline_mfa_enrol_pending"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Six-digit code from your authenticator app",
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def mfa(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    assert isinstance(user, User)
    if not mfa_required_for(user) or mfa_session_verified(request):
        return HttpResponseRedirect(_next_url(request))
    device = mfa_device_for(user)
    enrolling = device is None or device.confirmed_at is None
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        until = locked_until(username=user.get_username(), ip=client_ip(request))
        if until is None and mfa_verify(user=user, code=form.cleaned_data["code"]):
            mfa_session_mark_verified(request)
            request.session.pop(ENROL_PENDING_FIELD, None)
            signin_failures_clear(username=user.get_username())
            return HttpResponseRedirect(_next_url(request))
        if until is None:
            signin_failure_record(username=user.get_username(), ip=client_ip(request), stage="mfa")
            until = locked_until(username=user.get_username(), ip=client_ip(request))
        if until is not None:
            # Too many wrong codes: the password has to be given again once the pause is over.
            message = try_again_message(until)
            logout(request)
            return render(request, "accounts/mfa_locked.html", {"message": message}, status=403)
        error = "That code did not match. Codes change every 30 seconds; enter the one shown now."
    context: dict[str, object] = {"form": form, "error": error, "next": _next_url(request)}
    if enrolling:
        # The secret is shown once, on the page where it is made; the session keeps it only so that a
        # mistyped first code can be retried without a new secret.
        secret = request.session.get(ENROL_PENDING_FIELD) if request.method == "POST" else None
        if not secret or device is None or device.secret != secret:
            secret = mfa_enrol(user=user)
            request.session[ENROL_PENDING_FIELD] = secret
        uri = provisioning_uri(user=user, secret=secret)
        context.update({"secret": secret, "qr": qr_data_uri(uri), "uri": uri})
        return render(request, "accounts/mfa_enrol.html", context, status=200 if not error else 400)
    return render(request, "accounts/mfa_verify.html", context, status=200 if not error else 400)
