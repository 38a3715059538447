"""Administrators assign principals and staff to their school, and officers of the school police unit to
that unit there, through `staff_school_assign`; each assignment, change of unit and removal asks why and
is a ledger entry (`staff_school.assigned`, `staff_school.removed`), since it decides whose incidents a
principal sees and whose reports are the unit's. Incidents are read-only here (they change only through
the services, which keep the history and the ledger)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

from brightline.accounts.models import User
from brightline.admin_changes import (
    ReadOnlyAdmin,
    ReasonForm,
    ServiceAdmin,
    actor_of,
    admin_change_record,
    form_action,
    reason_field,
)
from brightline.incidents.models import Incident, StaffSchool
from brightline.incidents.services import staff_school_assign


class StaffSchoolForm(ReasonForm):
    class Meta:
        model = StaffSchool
        fields = ("user", "school", "unit")


class RemovalForm(forms.Form):
    reason = reason_field()


def _assign(
    *, user: User, school: Any, unit: str, assigned_by: User, reason: str, fields: list[str]
) -> StaffSchool:
    with transaction.atomic():
        assignment = staff_school_assign(user=user, school=school, unit=unit)
        admin_change_record(
            event_type="staff_school.assigned",
            instance=assignment,
            subject={"staff_school": assignment.pk, "user": user.pk, "school": school.pk},
            fields=fields,
            values={"user": user.pk, "school": school.pk, "unit": unit},
            changed_by=assigned_by,
            reason=reason,
        )
    return assignment


@transaction.atomic
def _remove(*, assignment: StaffSchool, removed_by: User, reason: str) -> None:
    admin_change_record(
        event_type="staff_school.removed",
        instance=assignment,
        subject={"staff_school": assignment.pk, "user": assignment.user_id, "school": assignment.school_id},
        fields=["user", "school", "unit"],
        values={"user": assignment.user_id, "school": assignment.school_id, "unit": assignment.unit},
        changed_by=removed_by,
        reason=reason,
    )
    assignment.delete()


@admin.register(StaffSchool)
class StaffSchoolAdmin(ServiceAdmin):
    list_display = ("user", "school", "unit")
    list_filter = ("school", "unit")
    search_fields = ("user__username", "user__last_name", "school__name")
    raw_id_fields = ("user",)
    form = StaffSchoolForm
    actions = ("remove_from_school",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A person at another school is another assignment: remove this one and add that one.
        return ("user", "school") if obj is not None else ()

    def add_through_service(self, request: HttpRequest, form: Any) -> Model:
        data = form.cleaned_data
        return _assign(
            user=data["user"],
            school=data["school"],
            unit=data["unit"],
            assigned_by=actor_of(request),
            reason=data["reason"],
            fields=["user", "school", "unit"],
        )

    def change_through_service(
        self, request: HttpRequest, obj: Any, form: Any, changes: dict[str, Any]
    ) -> Model:
        current = StaffSchool.objects.select_related("user", "school").get(pk=obj.pk)
        if "unit" not in changes or changes["unit"] == current.unit:
            return current
        return _assign(
            user=current.user,
            school=current.school,
            unit=changes["unit"],
            assigned_by=actor_of(request),
            reason=form.cleaned_data["reason"],
            fields=["unit"],
        )

    def has_remove_permission(self, request: HttpRequest) -> bool:
        return admin.ModelAdmin.has_delete_permission(self, request)

    @admin.action(description="Remove from the school…", permissions=["remove"])
    def remove_from_school(
        self, request: HttpRequest, queryset: QuerySet[StaffSchool]
    ) -> HttpResponse | None:
        return form_action(
            self,
            request,
            queryset,
            form_class=RemovalForm,
            title="Remove from the school",
            done="Assignments removed",
            perform=lambda assignment, data: _remove(
                assignment=assignment, removed_by=actor_of(request), reason=data["reason"]
            ),
        )


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ("occurred_on", "school", "summary", "reporting_unit", "purpose", "record_category")
    list_filter = ("record_category", "reporting_unit", "school")
