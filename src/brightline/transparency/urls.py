from django.urls import URLPattern, URLResolver, path, re_path

from brightline.transparency import views

app_name = "transparency"
PERIOD = r"(?P<key>\d{4}-(?:Q[1-4]|H[12]))"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    re_path(rf"^{PERIOD}/$", views.report, name="report"),
    re_path(
        rf"^{PERIOD}\.(?P<fmt>csv|json|pdf|rows\.json|publication\.json)$",
        views.report_download,
        name="download",
    ),
]
