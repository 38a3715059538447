from django.urls import path

from brightline.ledger import views

app_name = "ledger"
urlpatterns = [
    path("ledger/checkpoint", views.checkpoint, name="checkpoint"),
    path("ledger/key", views.key, name="key"),
]
