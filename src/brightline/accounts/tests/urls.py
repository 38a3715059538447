"""The project's URLs with the security pages mounted at /accounts/ even before brightline/urls.py does."""

from django.urls import include, path

from brightline.urls import urlpatterns as project_urlpatterns

urlpatterns = list(project_urlpatterns)
if not any(getattr(pattern, "namespace", None) == "security" for pattern in urlpatterns):
    urlpatterns.insert(0, path("accounts/", include("brightline.accounts.security_urls")))
