from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "samtykke.api"
    label = "api"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from samtykke.api.webhooks.receivers import connect

        connect()
