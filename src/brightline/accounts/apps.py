from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "brightline.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"
