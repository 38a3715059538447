from django.contrib import admin

from brightline.notices.models import (
    CatalogReview,
    CounselNotice,
    FamilyNotice,
    FamilyNoticeDecision,
    MissingChildAlert,
    OfficialEmail,
)


@admin.register(FamilyNotice)
class FamilyNoticeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
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
class CatalogReviewAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["language", "reviewed_by_name", "reviewed_at", "catalog_sha256"]
    list_filter = ["language"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    """Changed only through the services, each change in the ledger."""

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(CounselNotice)
class CounselNoticeAdmin(_ReadOnly):
    list_display = ["reference", "created_at", "read_at", "read_by_name"]


@admin.register(MissingChildAlert)
class MissingChildAlertAdmin(_ReadOnly):
    list_display = ["reference", "agency_name", "received_at", "created_at"]


@admin.register(OfficialEmail)
class OfficialEmailAdmin(_ReadOnly):
    list_display = ["pk", "kind", "recipient_name", "state", "queued_at", "sent_at", "attempts"]
    list_filter = ["kind", "state"]


@admin.register(FamilyNoticeDecision)
class FamilyNoticeDecisionAdmin(_ReadOnly):
    list_display = ["reference", "state", "due_at", "decided_at", "decided_by_name", "review_on"]
    list_filter = ["state"]
