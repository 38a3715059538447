from django.urls import URLPattern, URLResolver, path

from brightline.training import views

app_name = "training"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("modules/<int:module_id>/", views.module, name="module"),
    path("staff/", views.staff, name="staff"),
    path("versions/<int:number>/modules/new", views.module_new, name="module_new"),
]
