from django.contrib import admin
from django.urls import include, path

from brightline.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("brightline.accounts.security_urls")),
    path("accounts/", include("brightline.accounts.urls")),
    # The administrator's pages for the setup checklist (groups and roles, roster imports, witnesses).
    path("accounts/setup/", include("brightline.operations.setup_urls")),
    path("administration/", include("brightline.operations.administration_urls")),
    path("", include("brightline.ledger.urls")),
    path("transparency/", include("brightline.transparency.urls")),
    path("notices/", include("brightline.notices.urls")),
    path("incidents/", include("brightline.incidents.urls")),
    path("training/", include("brightline.training.urls")),
    path("policy/", include("brightline.policy.urls")),
    path("", include("brightline.web.urls")),
]

handler403 = "brightline.web.views.errors.forbidden"
handler404 = "brightline.web.views.errors.not_found"
handler500 = "brightline.web.views.errors.server_error"
