from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "samtykke.portal"
    label = "portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from samtykke.portal import pagedata, signals  # noqa: F401  (connects the receivers)
