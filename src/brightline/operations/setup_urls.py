"""The setup checklist's two actions (operations/setup_views.py), under /accounts/setup/ where the
administrator's settings page posts them."""

from django.urls import path

from brightline.operations import setup_views

app_name = "setup"
urlpatterns = [
    path("<slug:item>/confirm", setup_views.confirm, name="confirm"),
    path("mail-test", setup_views.mail_test, name="mail_test"),
]
