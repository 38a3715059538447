"""The administrator's pages for the setup checklist's items (operations/administration_views.py), under
/administration/ beside the settings page."""

from django.urls import path

from brightline.operations import administration_views

app_name = "administration"
urlpatterns = [
    path("sign-in-groups/", administration_views.sign_in_groups, name="sign_in_groups"),
    path("roster-imports/", administration_views.roster_imports, name="roster_imports"),
    path("witnesses/", administration_views.witnesses, name="witnesses"),
]
