"""Rate limits on the API, sign-in, the second factor and password reset (django-ratelimit).

Each limit is a rate (`settings.RATE_LIMITS`) counted per token, per account or per address in
django-ratelimit's fixed windows. The counters live in the database (`RateLimitCache`, Django's database
cache with an atomic increment), so every worker process counts the same; a limit passed answers 429
with `Retry-After`, the seconds until its window ends. `/api/v1/health` (a load balancer polls it) and
the OpenAPI document are not limited: they read nothing of anyone's.
"""

from __future__ import annotations

import base64
import hashlib
import pickle
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.core.exceptions import SuspiciousOperation
from django.db import connections, models, router
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.timezone import now as tz_now
from django_ratelimit.core import get_usage

from brightline.accounts.lockout import client_ip

# The load balancer's health check, and the API's own description: they read nothing of anyone's.
UNLIMITED_PATHS = frozenset({"/api/v1/health", "/api/v1/openapi.json", "/api/v1/docs"})


class RateLimitCache(DatabaseCache):
    """Django's database cache, with an increment that is one locked read and write.

    django-ratelimit counts with `add` then `incr`; the stock `incr` (a get, then a set) loses counts
    when two workers race. Here the write is a compare and swap, and the row's expiry is kept."""

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        """One statement: insert the row, or replace it only when it has expired. (The stock `add` counts
        the table, looks, then tries an INSERT that fails on every call after a window's first: a
        database error logged per API call on PostgreSQL.) The table is counted and culled only when a
        row was added, once per key and window."""
        key = self.make_and_validate_key(key, version=version)
        timeout = self.get_backend_timeout(timeout)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote_name = connection.ops.quote_name
        table = quote_name(self._table)  # type: ignore[attr-defined]
        now = tz_now().replace(microsecond=0)
        expires = (
            datetime.max.replace(tzinfo=UTC) if timeout is None else datetime.fromtimestamp(timeout, tz=UTC)
        )
        encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        value_column, expires_column = quote_name("value"), quote_name("expires")
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({quote_name('cache_key')}, {value_column}, {expires_column}) "  # noqa: S608
                f"VALUES (%s, %s, %s) ON CONFLICT ({quote_name('cache_key')}) DO UPDATE SET "
                f"{value_column} = EXCLUDED.{value_column}, {expires_column} = EXCLUDED.{expires_column} "
                f"WHERE {table}.{expires_column} < %s",
                [
                    key,
                    encoded,
                    connection.ops.adapt_datetimefield_value(expires.replace(microsecond=0)),
                    connection.ops.adapt_datetimefield_value(now),
                ],
            )
            added: bool = cursor.rowcount == 1
            if added:
                cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
                count = cursor.fetchone()[0]
                if count > self._max_entries:
                    self._cull(db, cursor, now, count)  # type: ignore[attr-defined]
        return added

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        """Read the count, then write it back only if nobody changed it meanwhile (compare and swap),
        again until it holds: two statements, no transaction, and no count lost between workers."""
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote_name = connection.ops.quote_name
        table = quote_name(self._table)  # type: ignore[attr-defined]
        value_column, key_column = quote_name("value"), quote_name("cache_key")
        expression = models.Expression(output_field=models.DateTimeField())
        converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        with connection.cursor() as cursor:
            while True:
                cursor.execute(
                    f"SELECT {value_column}, {quote_name('expires')} FROM {table} WHERE {key_column} = %s",  # noqa: S608
                    [key],
                )
                row = cursor.fetchone()
                if row is None:
                    raise ValueError(f"Key '{key}' not found.")
                expires = row[1]
                for converter in converters:
                    expires = converter(expires, expression, connection)
                if expires < tz_now():
                    raise ValueError(f"Key '{key}' not found.")
                stored = connection.ops.process_clob(row[0])
                value = pickle.loads(base64.b64decode(stored.encode())) + delta  # noqa: S301 (our own rows)
                encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
                cursor.execute(
                    f"UPDATE {table} SET {value_column} = %s WHERE {key_column} = %s AND {value_column} = %s",  # noqa: S608
                    [encoded, key, stored],
                )
                if cursor.rowcount == 1:
                    return value


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
