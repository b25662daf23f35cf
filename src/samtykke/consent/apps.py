from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "samtykke.consent"
    label = "consent"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from samtykke.consent import config  # noqa: F401 - connects the configuration signals
