from django.contrib import admin

from samtykke.messaging.models import InboundMessage, InboundRoute, OutboxMessage


@admin.register(InboundRoute)
class InboundRouteAdmin(admin.ModelAdmin[InboundRoute]):
    list_display = ["dealer", "provider", "hint", "created_at", "revoked_at"]
    list_filter = ["provider"]
    readonly_fields = ["dealer", "provider", "hint", "created_at"]

    def has_add_permission(self, request: object) -> bool:  # secrets are shown once: use the CLI
        return False


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin[InboundMessage]):
    list_display = ["received_at", "dealer", "provider", "from_number", "action"]
    list_filter = ["provider", "action"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin[OutboxMessage]):
    list_display = ["created_at", "dealer", "to", "campaign_id", "segments"]
