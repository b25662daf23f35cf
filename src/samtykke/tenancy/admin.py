from django.contrib import admin

from samtykke.tenancy.models import ApiKey, Dealer, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Dealer)
class DealerAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "org_number", "consent_option", "contact_window_years"]
    list_filter = ["consent_option"]
    search_fields = ["name", "slug", "org_number"]
    inlines = [MembershipInline]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "dealer", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["dealer"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request: object) -> bool:
        return False  # keys are made with `samtykke apikey create` or in the back office
