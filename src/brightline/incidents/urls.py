from django.urls import URLPattern, URLResolver, path

from brightline.incidents import views

app_name = "incidents"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.incident_list, name="list"),
    path("new/", views.incident_new, name="record"),
    path("<int:incident_id>/", views.incident_detail, name="detail"),
    path("<int:incident_id>/reclassify/", views.incident_reclassify, name="reclassify"),
]
