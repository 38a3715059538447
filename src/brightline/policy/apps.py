from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "brightline.policy"
    label = "policy"
    default_auto_field = "django.db.models.BigAutoField"
