from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from brightline.web.navigation import PUBLIC, destinations_for


def district(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    personal = destinations_for(user) if user is not None and user.is_authenticated else []
    return {
        "district_name": settings.DISTRICT_NAME,
        "district_time_zone": settings.TIME_ZONE,
        "nav_personal": personal,
        "nav_public": PUBLIC,
        # BCP 47 for <html lang>: Django's "zh-hans" is written "zh-Hans".
        "html_lang": "zh-Hans"
        if translation.get_language() == "zh-hans"
        else translation.get_language() or "en",
    }
