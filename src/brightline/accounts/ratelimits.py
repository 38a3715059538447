"""Rate limits on the API, sign-in, the second factor and password reset (django-ratelimit).

Each limit is a rate (`settings.RATE_LIMITS`) counted per token, per account or per address in
django-ratelimit's fixed windows. The counters live in the database (`RateLimitCache`, Django's database
cache with an atomic increment), so every worker process counts the same; a limit passed answers 429
with `Retry-After`, the seconds until its window ends. `/api/v1/health` (a load balancer polls it) and
the OpenAPI document are not limited: they read nothing of anyone's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.core.exceptions import SuspiciousOperation
from django.db import connections, router
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.timezone import now as tz_now
from django_ratelimit.core import get_usage

from brightline.accounts.lockout import client_ip

# The load balancer's health check, and the API's own description: they read nothing of anyone's.
UNLIMITED_PATHS = frozenset({"/api/v1/health", "/api/v1/openapi.json", "/api/v1/docs"})


class RateLimitCache(DatabaseCache):
    """Django's database cache table, holding counters: one statement counts a call.

    django-ratelimit counts a call with `add(key, 1)` and, when the key exists, `incr(key)`: three
    statements per counter with the stock backend (and its `incr`, a get then a set, loses counts when
    two workers race). Here a counter is a decimal number in the row, and `add` is the whole count: one
    INSERT that makes the row, replaces it once its window has expired, or adds to it, and returns the
    count. When it added to an existing row it answers False, as `add` must, and keeps the count for the
    `incr` of the same key that django-ratelimit makes next, which then costs no statement. A counter is
    never lost between workers: the database adds, under its row lock.

    The table is this cache's alone (settings.RATELIMIT_USE_CACHE): its values are counts, never pickles."""

    def __init__(self, table: str, params: dict[str, Any]) -> None:
        super().__init__(table, params)
        # The count `add` wrote, by key, for the `incr` that follows it. Caches are per thread.
        self._counted: dict[str, int] = {}

    def _sql(self) -> tuple[Any, str, str, str, str]:
        connection = connections[router.db_for_write(self.cache_model_class)]
        quote_name = connection.ops.quote_name
        return (
            connection,
            quote_name(self._table),  # type: ignore[attr-defined]
            quote_name("cache_key"),
            quote_name("value"),
            quote_name("expires"),
        )

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        """Count `value` on this key in one statement. True when the row was made (or its expired window
        replaced) with `value`; False when `value` was added to a live count, which the next `incr` of
        this key answers. The table is counted and culled only when a row was made, once per key and
        window."""
        key = self.make_and_validate_key(key, version=version)
        amount = int(value)
        timeout = self.get_backend_timeout(timeout)
        connection, table, key_column, value_column, expires_column = self._sql()
        now = tz_now().replace(microsecond=0)
        expires = (
            datetime.max.replace(tzinfo=UTC) if timeout is None else datetime.fromtimestamp(timeout, tz=UTC)
        )
        stamp = connection.ops.adapt_datetimefield_value
        expired = f"{table}.{expires_column} < %s"
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({key_column}, {value_column}, {expires_column}) VALUES (%s, %s, %s) "  # noqa: S608
                f"ON CONFLICT ({key_column}) DO UPDATE SET "
                f"{value_column} = CASE WHEN {expired} THEN EXCLUDED.{value_column} "
                f"ELSE CAST(CAST({table}.{value_column} AS BIGINT) + %s AS TEXT) END, "
                f"{expires_column} = CASE WHEN {expired} THEN EXCLUDED.{expires_column} "
                f"ELSE {table}.{expires_column} END "
                f"RETURNING {value_column}",
                [key, str(amount), stamp(expires.replace(microsecond=0)), stamp(now), amount, stamp(now)],
            )
            count = int(cursor.fetchone()[0])
            made = count == amount
            if made:
                self._counted.pop(key, None)
                cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
                rows = cursor.fetchone()[0]
                if rows > self._max_entries:
                    self._cull(router.db_for_write(self.cache_model_class), cursor, now, rows)  # type: ignore[attr-defined]
            else:
                self._counted[key] = count
        return made

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        """The count after adding `delta`: the one `add` just wrote when it added to this key (it added
        the same one), otherwise one UPDATE. A key with no live count raises ValueError, as Django's
        caches do."""
        key = self.make_and_validate_key(key, version=version)
        counted = self._counted.pop(key, None)
        if counted is not None and delta == 1:
            return counted
        connection, table, key_column, value_column, expires_column = self._sql()
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {value_column} = CAST(CAST({value_column} AS BIGINT) + %s AS TEXT) "  # noqa: S608
                f"WHERE {key_column} = %s AND {expires_column} >= %s RETURNING {value_column}",
                [int(delta), key, connection.ops.adapt_datetimefield_value(tz_now().replace(microsecond=0))],
            )
            row = cursor.fetchone()
        if row is None:
            raise ValueError(f"Key '{key}' not found.")
        return int(row[0])

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        """The live count of this key, or `default`."""
        key = self.make_and_validate_key(key, version=version)
        connection, table, key_column, value_column, expires_column = self._sql()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {value_column} FROM {table} WHERE {key_column} = %s AND {expires_column} >= %s",  # noqa: S608
                [key, connection.ops.adapt_datetimefield_value(tz_now().replace(microsecond=0))],
            )
            row = cursor.fetchone()
        return default if row is None else int(row[0])


# (group, value) pairs: which counters a request adds to. Values are hashed by django-ratelimit before
# they become cache keys; a bearer token is hashed here as well, so that no form of it is kept.
Counter = tuple[str, str]


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def _address(request: HttpRequest) -> str:
    return client_ip(request) or "unknown"


def _posted(request: HttpRequest, name: str) -> str:
    """A field of the posted form, lower-cased; "" when absent or when the form cannot be read (the
    upload and CSRF checks after this answer a broken form)."""
    try:
        return str(request.POST.get(name, "")).strip().lower()
    except (MultiPartParserError, SuspiciousOperation, OSError):
        return ""


def _api_counters(request: HttpRequest) -> list[Counter]:
    counters: list[Counter] = [("api_address", _address(request))]
    authorization = request.headers.get("Authorization", "")
    if authorization[:7].lower() == "bearer ":
        counters.append(("api_token", _digest(authorization[7:].strip())))
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        counters.append(("api_account", str(user.pk)))
    return counters


def _signin_counters(request: HttpRequest) -> list[Counter]:
    counters: list[Counter] = [("signin_address", _address(request))]
    username = _posted(request, "username")
    if username:
        counters.append(("signin_account", _digest(username)))
    return counters


def _mfa_counters(request: HttpRequest) -> list[Counter]:
    counters: list[Counter] = [("mfa_address", _address(request))]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        counters.append(("mfa_account", str(user.pk)))
    return counters


def _reset_counters(request: HttpRequest) -> list[Counter]:
    counters: list[Counter] = [("password_reset_address", _address(request))]
    email = _posted(request, "email")
    if email:
        counters.append(("password_reset_account", _digest(email)))
    return counters


def _reset_confirm_counters(request: HttpRequest) -> list[Counter]:
    return [("password_reset_address", _address(request))]


# Pages whose POSTs are limited, by URL name.
PAGE_COUNTERS: dict[str, Callable[[HttpRequest], list[Counter]]] = {
    "accounts:login": _signin_counters,
    "security:mfa": _mfa_counters,
    "security:password_reset": _reset_counters,
    "security:password_reset_confirm": _reset_confirm_counters,
}


def counters_for(request: HttpRequest) -> list[Counter]:
    """The counters this request adds to: every API call (the health check aside), and the POSTs of
    sign-in, the second factor and password reset."""
    if request.path.startswith("/api/"):
        return [] if request.path.rstrip("/") in UNLIMITED_PATHS else _api_counters(request)
    if request.method != "POST":
        return []
    match = getattr(request, "resolver_match", None)
    counters = PAGE_COUNTERS.get(match.view_name if match is not None else "")
    return counters(request) if counters is not None else []


def seconds_to_wait(request: HttpRequest) -> int | None:
    """Count this request; the seconds until every limit it passed opens again, or None when it passed
    none."""
    waits: list[int] = []
    for group, value in counters_for(request):
        usage = get_usage(
            request,
            group=group,
            key=lambda _group, _request, value=value: value,
            rate=settings.RATE_LIMITS[group],
            increment=True,
        )
        if usage is not None and usage["should_limit"]:
            waits.append(max(1, int(usage["time_left"])))
    return max(waits) if waits else None


def too_many_requests(request: HttpRequest, wait: int) -> HttpResponse:
    message = f"Too many requests. Try again in {wait} seconds."
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": [{"loc": [], "msg": message}]}, status=429)
    else:
        response = render(request, "accounts/too_many_requests.html", {"message": message}, status=429)
    response["Retry-After"] = str(wait)
    return response


class RateLimitMiddleware:
    """Answers 429 with `Retry-After` once a token, an account or an address passes its limit. It runs
    before CSRF and the view (its `process_view` sits ahead of Django's CSRF check in MIDDLEWARE), so a
    flood is refused before any other work."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        wait = seconds_to_wait(request)
        return too_many_requests(request, wait) if wait is not None else None
