from django.contrib import admin

from brightline.agencies.models import Agency, ApiToken, Requester


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "jurisdiction", "verified")
    list_filter = ("kind", "verified")
    search_fields = ("name", "jurisdiction")


@admin.register(Requester)
class RequesterAdmin(admin.ModelAdmin):
    list_display = ("user", "agency", "position")
    search_fields = ("user__username", "user__last_name", "agency__name")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("agency", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "token_sha256", "created_at", "last_used_at")
