from typing import Any

from django.contrib import admin

from samtykke.consent.models import ConsentEvent, NoticeVersion, Purpose


@admin.register(Purpose)
class PurposeAdmin(admin.ModelAdmin):
    list_display = ["key", "name_nb", "dealer", "active"]
    list_filter = ["dealer"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ConsentEvent)
class ConsentEventAdmin(ReadOnlyAdmin):
    list_display = ["dealer", "sequence", "customer", "channel", "status", "source", "occurred_at"]
    list_filter = ["dealer", "status", "source"]


@admin.register(NoticeVersion)
class NoticeVersionAdmin(ReadOnlyAdmin):
    list_display = ["dealer", "language", "version", "title", "published_at"]
    list_filter = ["dealer", "language"]
