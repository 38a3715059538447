from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from brightline.accounts.mfa import mfa_session_satisfied
from brightline.web.navigation import PUBLIC, destinations_for, header_for


def district(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    # Between password and second factor a person sees the public header and "Sign out" only: the pages
    # of their role are not theirs until the code is shown.
    signed_in = authenticated and mfa_session_satisfied(request)
    personal = destinations_for(user) if signed_in and user is not None else []
    return {
        "district_name": settings.DISTRICT_NAME,
        "district_time_zone": settings.TIME_ZONE,
        "nav_personal": personal,
        "nav_public": PUBLIC,
        "nav_header": header_for(user, signed_in=signed_in),
        "nav_signed_in": signed_in,
        # BCP 47 for <html lang>: Django's "zh-hans" is written "zh-Hans".
        "html_lang": "zh-Hans"
        if translation.get_language() == "zh-hans"
        else translation.get_language() or "en",
    }
