from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "brightline.disclosures"
    label = "disclosures"
    default_auto_field = "django.db.models.BigAutoField"
