"""Campaigns in Django admin, for the vendor's operators: read only (the doors write them)."""

from typing import Any

from django.contrib import admin

from samtykke.campaigns.models import Campaign


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "dealer", "status", "recipient_count", "created_at", "started_at"]
    list_filter = ["status", "dealer"]
    search_fields = ["name", "dealer__name"]
    readonly_fields = [f.name for f in Campaign._meta.fields]

    def get_queryset(self, request: Any) -> Any:
        return Campaign.all_dealers.select_related("dealer")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
