from django.conf import settings
from django.http import HttpRequest


def district(request: HttpRequest) -> dict[str, str]:
    return {"district_name": settings.DISTRICT_NAME}
