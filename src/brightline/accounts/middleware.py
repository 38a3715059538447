"""Middleware for the security of every answer: the Content-Security-Policy, the second factor,
`Cache-Control: no-store` on answers that carry personal data, uploads refused past their size and text
that cannot be stored refused with its field (422)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode

from brightline.accounts.mfa import mfa_session_satisfied
from brightline.accounts.uploads import limit_text
from brightline.errors import sentence

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


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every answer to a signed-in session or an API token: they
    carry personal data, which no browser or proxy cache may keep. Anonymous answers (the public pages,
    the ledger, the reports) are left as their views made them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            (user is not None and user.is_authenticated)
            or "Authorization" in request.headers
            or settings.SESSION_COOKIE_NAME in request.COOKIES
        ):
            patch_cache_control(response, no_store=True, private=True)
        return response


def _refusal(request: HttpRequest, *, status: int, field: str, message: str, template: str) -> HttpResponse:
    """The answer naming the field: JSON on the API (`detail` as every 422), a page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": [{"loc": ["body", field], "msg": sentence(message)}]}, status=status)
    return render(request, template, {"field": field, "message": message}, status=status)


class UploadLimitMiddleware:
    """Reads a multipart form before CSRF and the view, under `SizeLimitedUploadHandler`: a file past
    `UPLOAD_MAX_BYTES` is refused with 422 naming its field as soon as the stream passes the limit, on
    every form and API operation, signed in or not."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if request.method not in ("POST", "PUT", "PATCH") or request.content_type != "multipart/form-data":
            return None
        try:
            request.FILES  # noqa: B018 (parsed here, under the size-limited handler)
        except MultiPartParserError:
            return _refusal(
                request,
                status=400,
                field="",
                message="the form could not be read",
                template="accounts/upload_refused.html",
            )
        field = getattr(request, "upload_refused", None)
        if field is None:
            return None
        # 422 with the field, as every other problem with what was sent (CONTRACTS.md).
        return _refusal(
            request, status=422, field=field, message=limit_text(), template="accounts/upload_refused.html"
        )


UNENCODABLE = "holds a character that cannot be stored (a lone surrogate or a NUL); retype the text"


def _unencodable(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _unencodable_path(value: Any, path: list[str | int]) -> list[str | int] | None:
    """The path of the first key or string in a JSON value that cannot be stored, or None."""
    if isinstance(value, str):
        return path if _unencodable(value) else None
    if isinstance(value, dict):
        for key, inner in value.items():
            if _unencodable(key):
                return [*path, key.encode("utf-8", "replace").decode()]
            found = _unencodable_path(inner, [*path, key])
            if found is not None:
                return found
    if isinstance(value, list):
        for index, inner in enumerate(value):
            found = _unencodable_path(inner, [*path, index])
            if found is not None:
                return found
    return None


def _unencodable_form_field(body: bytes) -> str | None:
    """The first field of a URL-encoded form whose name or value is not UTF-8 or holds a NUL (Django
    would otherwise put U+FFFD in its place without a word)."""
    for pair in body.split(b"&"):
        name, _, value = pair.partition(b"=")
        raw_name = unquote_to_bytes(name.replace(b"+", b" "))
        for raw in (raw_name, unquote_to_bytes(value.replace(b"+", b" "))):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                return raw_name.decode("utf-8", "replace")
            if "\x00" in text:
                return raw_name.decode("utf-8", "replace")
    return None


class UnencodableTextMiddleware:
    """A JSON body or a URL-encoded form holding text that no database can store (a lone surrogate such
    as `"\\ud800"`, a NUL) answers 422 naming the field, before any view or service sees it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        if request.content_type == "application/json":
            body = request.body
            # Only a \u escape makes such a character from valid JSON: other bodies are not parsed twice.
            if b"\\u" not in body:
                return None
            try:
                data = json.loads(body)
            except (ValueError, RecursionError):
                return None  # the operation answers bad JSON itself
            path = _unencodable_path(data, [])
            if path is None:
                return None
            return JsonResponse(
                {"detail": [{"loc": ["body", *path], "msg": sentence(UNENCODABLE)}]}, status=422
            )
        if request.content_type == "application/x-www-form-urlencoded":
            field = _unencodable_form_field(request.body)
            if field is not None:
                return _refusal(
                    request,
                    status=422,
                    field=field,
                    message=UNENCODABLE,
                    template="accounts/unencodable_text.html",
                )
        return None
