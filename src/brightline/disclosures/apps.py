from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "brightline.disclosures"
    label = "disclosures"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from brightline.casework import followers
        from brightline.disclosures.casework_port import IncidentRouting, RecordOfDisclosures
        from brightline.incidents import followers as incidents_followers

        followers.register(records=RecordOfDisclosures())
        incidents_followers.register(records=IncidentRouting())
