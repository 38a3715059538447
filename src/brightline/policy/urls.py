"""Policy pages under /policy/… (the project's urls.py includes this before the web app, whose
/policy/ page shows the version in effect)."""

from django.urls import URLPattern, URLResolver, path

from brightline.policy import views

app_name = "policy"
urlpatterns: list[URLPattern | URLResolver] = [
    path("versions/", views.versions, name="versions"),
    path("versions/new", views.draft_new, name="draft_new"),
    path("versions/<int:number>/", views.version, name="version"),
    path("versions/<int:number>/edit", views.draft_edit, name="draft_edit"),
    path("versions/<int:number>/lifecycle", views.lifecycle, name="lifecycle"),
    path("versions/<int:number>/simulate", views.simulate, name="simulate"),
    path("versions/<int:number>/comment", views.comment, name="comment"),
    path("versions/<int:number>/responses", views.comment_theme, name="comment_theme"),
    path("diff/", views.diff, name="diff"),
    path("comments/", views.moderation, name="moderation"),
    path("comments/<int:comment_id>/moderate", views.moderate, name="moderate"),
    path("comments/confirm/<str:token>", views.comment_verify, name="comment_verify"),
]
