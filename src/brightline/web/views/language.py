"""The language chooser on every page: Django's `set_language`, remembered for the person signed in."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from brightline.notices.services import user_language_set


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Set the language cookie (Django's view: it checks the language and the `next` address); a person
    signed in keeps the choice on their account, so it follows them to another browser."""
    response = set_language(request)
    chosen = request.POST.get("language", "")
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and chosen in dict(settings.LANGUAGES):
        user_language_set(user=user, language=chosen)
    return response
