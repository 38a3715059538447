"""The project's URLs with the policy pages at /policy/…, for page tests run before the project's
urls.py includes them (and unchanged once it does)."""

from django.urls import URLPattern, URLResolver, include, path

from brightline.urls import urlpatterns as project

_included = any(getattr(pattern, "namespace", None) == "policy" for pattern in project)
urlpatterns: list[URLPattern | URLResolver] = [
    *([] if _included else [path("policy/", include("brightline.policy.urls"))]),
    *project,
]
