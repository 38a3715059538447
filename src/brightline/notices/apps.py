from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "brightline.notices"
    label = "notices"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from brightline.casework import followers
        from brightline.disclosures import followers as disclosures_followers
        from brightline.notices import checks  # noqa: F401 (registers the deployment checks)
        from brightline.notices.casework_port import FamilyAndCounsel
        from brightline.notices.disclosures_port import FamilyNotices

        followers.register(notices=FamilyAndCounsel())
        disclosures_followers.register(notices=FamilyNotices())
