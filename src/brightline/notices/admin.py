from django.contrib import admin

from brightline.notices.models import CatalogReview, FamilyNotice


@admin.register(FamilyNotice)
class FamilyNoticeAdmin(admin.ModelAdmin):
    """Read-only: notices change state only through the services, each change in the ledger."""

    list_display = ["pk", "kind", "recipient_name", "language", "channel", "state", "queued_at", "sent_at"]
    list_filter = ["kind", "channel", "state", "language"]
    search_fields = ["recipient_name", "email"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(CatalogReview)
class CatalogReviewAdmin(admin.ModelAdmin):
    list_display = ["language", "reviewed_by_name", "reviewed_at", "catalog_sha256"]
    list_filter = ["language"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
