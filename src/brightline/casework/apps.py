from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "brightline.casework"
    label = "casework"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from brightline.casework.selectors import past_requests_as_triaged
        from brightline.policy import replay

        # "What would change" replays the past requests casework hands over; policy imports no casework.
        replay.register(past_requests=past_requests_as_triaged)
