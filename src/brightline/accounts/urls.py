from django.contrib.auth import views as auth_views
from django.urls import path

from brightline.accounts.lockout import LockoutAuthenticationForm

app_name = "accounts"
urlpatterns = [
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            template_name="accounts/sign_in.html", authentication_form=LockoutAuthenticationForm
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
]
