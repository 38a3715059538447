from django.urls import path

from brightline.notices import views

app_name = "notices"
urlpatterns = [
    path("letters/", views.letters, name="letters"),
    path("<int:notice_id>/letter.pdf", views.letter_download, name="letter_pdf"),
    path("<int:notice_id>/<str:mark>/", views.letter_mark, name="letter_mark"),
    path("catalogs/", views.catalogs, name="catalogs"),
    path("catalogs/<str:language>/review/", views.catalog_review, name="catalog_review"),
    path("objections/", views.objections, name="objections"),
    path("objections/<int:objection_id>/decide", views.objection_decide, name="objection_decide"),
    path("objections/enter/", views.objection_enter, name="objection_enter"),
]
