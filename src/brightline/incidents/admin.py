"""Administrators assign principals and staff to their school, and officers of the school police unit to
that unit there; incidents are read-only here (they change only through the services, which keep the
history and the ledger)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from brightline.incidents.models import Incident, StaffSchool


@admin.register(StaffSchool)
class StaffSchoolAdmin(admin.ModelAdmin):
    list_display = ("user", "school", "unit")
    list_filter = ("school", "unit")
    search_fields = ("user__username", "user__last_name", "school__name")


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ("occurred_on", "school", "summary", "reporting_unit", "purpose", "record_category")
    list_filter = ("record_category", "reporting_unit", "school")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
