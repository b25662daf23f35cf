from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "samtykke.campaigns"
    label = "campaigns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from samtykke.campaigns import receivers

        receivers.connect()
