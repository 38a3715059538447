"""The two plain-text ledger pages every verifier starts from: the checkpoint and the key."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from brightline.ledger.keys import log_verifier_key
from brightline.ledger.selectors import checkpoint_latest, checkpoint_published_text

TEXT = "text/plain; charset=utf-8"


@require_GET
@cache_control(no_cache=True)
def checkpoint(request: HttpRequest) -> HttpResponse:
    latest = checkpoint_latest()
    if latest is None:
        return HttpResponse("no checkpoint has been signed yet\n", content_type=TEXT, status=404)
    return HttpResponse(checkpoint_published_text(latest), content_type=TEXT)


@require_GET
def key(request: HttpRequest) -> HttpResponse:
    return HttpResponse(log_verifier_key() + "\n", content_type=TEXT)
