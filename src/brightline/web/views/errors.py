"""The site's own 403, 404 and 500 pages: the header and footer of every page, what happened in words, and
a way on. They say nothing about what was asked for (a requester learns nothing from a 404 it would not
learn from any other)."""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def _page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    try:
        body = render_to_string(template, {}, request=request)
    except Exception:  # noqa: BLE001 - an error page must answer even when the context cannot be built
        logger.exception("the %s page could not be rendered with the site's header", status)
        body = render_to_string("web/errors/plain.html", {"status": status})
    return HttpResponse(body, status=status)


def forbidden(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _page(request, "web/errors/403.html", 403)


def not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _page(request, "web/errors/404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _page(request, "web/errors/500.html", 500)
