from django.contrib.auth import views as auth_views
from django.urls import path

from brightline.accounts.oidc_views import SignInView, oidc_callback, oidc_start

app_name = "accounts"
urlpatterns = [
    path("sign-in/", SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    # Staff sign-in through the district's OpenID Connect provider (accounts/oidc.py).
    path("sign-in/provider/", oidc_start, name="oidc_start"),
    path("sign-in/provider/callback/", oidc_callback, name="oidc_callback"),
]
