from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "samtykke.messaging"
    label = "messaging"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from samtykke.consent.actions import customer_erased
        from samtykke.messaging.replies import forget_erased_customer

        customer_erased.connect(forget_erased_customer, dispatch_uid="messaging-forget-replies")
