"""The roster in the admin.

Schools, students, guardians and the links between them come from the SIS (the OneRoster import):
shown here, never changed, so a student's flags (which decide outcomes) and a guardian's links and
address (which decide who reads a record and where notices go) have one source. Linking a family
sign-in to a guardian or a student is the records office's act: an action that asks why and calls
`guardian_account_link` / `student_account_link`, each a ledger entry. The field inventory changes
through `inventory_field_add`, `_change` and `_remove`, each a ledger entry with its reason."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from brightline.accounts.models import User
from brightline.admin_changes import (
    ReadOnlyAdmin,
    ReadOnlyInline,
    ReasonForm,
    ServiceAdmin,
    actor_of,
    form_action,
    reason_field,
)
from brightline.roster.models import DataField, Guardian, GuardianRelationship, RosterImport, School, Student
from brightline.roster.services import (
    guardian_account_link,
    guardian_account_unlink,
    inventory_field_add,
    inventory_field_change,
    inventory_field_remove,
    student_account_link,
    student_account_unlink,
)


class ReasonOnlyForm(forms.Form):
    reason = reason_field()


class LinkSignInForm(forms.Form):
    username = forms.CharField(
        help_text="The family sign-in to link, after the records office checked who it is."
    )
    reason = reason_field()

    def clean_username(self) -> User:
        username = self.cleaned_data["username"]
        user = User.objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError(f"no sign-in named {username!r}")
        return user


class FamilyLinkAdmin(ReadOnlyAdmin):
    """Read-only, with the actions that link and unlink a family sign-in."""

    def has_link_account_permission(self, request: HttpRequest) -> bool:
        return admin.ModelAdmin.has_change_permission(self, request)


@admin.register(School)
class SchoolAdmin(ReadOnlyAdmin):
    list_display = ("name", "identifier", "sourced_id", "status")
    list_filter = ("status",)
    search_fields = ("name", "identifier", "sourced_id")


class GuardianRelationshipInline(ReadOnlyInline):
    model = GuardianRelationship
    raw_id_fields = ("guardian", "student")


@admin.register(Student)
class StudentAdmin(FamilyLinkAdmin):
    list_display = (
        "sis_id",
        "last_name",
        "first_name",
        "birth_date",
        "grade",
        "school",
        "directory_opt_out",
        "foster_care",
        "missing_child_flag",
        "adjudicated",
        "status",
    )
    list_filter = (
        "school",
        "grade",
        "status",
        "directory_opt_out",
        "foster_care",
        "missing_child_flag",
        "adjudicated",
    )
    search_fields = ("sis_id", "sourced_id", "last_name", "first_name", "last_name_key")
    list_select_related = ("school",)
    inlines = (GuardianRelationshipInline,)
    actions = ("link_student_sign_in", "unlink_student_sign_in")

    @admin.action(description="Link the eligible student's own sign-in…", permissions=["link_account"])
    def link_student_sign_in(self, request: HttpRequest, queryset: QuerySet[Student]) -> HttpResponse | None:
        return form_action(
            self,
            request,
            queryset,
            form_class=LinkSignInForm,
            title="Link the eligible student's own sign-in",
            one_only=True,
            done="Sign-ins linked",
            perform=lambda student, data: student_account_link(
                student=student, user=data["username"], linked_by=actor_of(request), reason=data["reason"]
            ),
        )

    @admin.action(description="Unlink the student's own sign-in…", permissions=["link_account"])
    def unlink_student_sign_in(
        self, request: HttpRequest, queryset: QuerySet[Student]
    ) -> HttpResponse | None:
        return form_action(
            self,
            request,
            queryset,
            form_class=ReasonOnlyForm,
            title="Unlink the student's own sign-in",
            done="Sign-ins unlinked",
            perform=lambda student, data: student_account_unlink(
                student=student, unlinked_by=actor_of(request), reason=data["reason"]
            ),
        )


@admin.register(Guardian)
class GuardianAdmin(FamilyLinkAdmin):
    list_display = ("last_name", "first_name", "preferred_language", "email", "phone", "user", "status")
    list_filter = ("preferred_language", "status")
    search_fields = ("last_name", "first_name", "email", "phone", "sourced_id")
    list_select_related = ("user",)
    inlines = (GuardianRelationshipInline,)
    actions = ("link_family_sign_in", "unlink_family_sign_in")

    @admin.action(description="Link a parent's family sign-in…", permissions=["link_account"])
    def link_family_sign_in(self, request: HttpRequest, queryset: QuerySet[Guardian]) -> HttpResponse | None:
        return form_action(
            self,
            request,
            queryset,
            form_class=LinkSignInForm,
            title="Link a parent's family sign-in",
            one_only=True,
            done="Family sign-ins linked",
            perform=lambda guardian, data: guardian_account_link(
                guardian=guardian, user=data["username"], linked_by=actor_of(request), reason=data["reason"]
            ),
        )

    @admin.action(description="Unlink the family sign-in…", permissions=["link_account"])
    def unlink_family_sign_in(
        self, request: HttpRequest, queryset: QuerySet[Guardian]
    ) -> HttpResponse | None:
        return form_action(
            self,
            request,
            queryset,
            form_class=ReasonOnlyForm,
            title="Unlink the family sign-in",
            done="Family sign-ins unlinked",
            perform=lambda guardian, data: guardian_account_unlink(
                guardian=guardian, unlinked_by=actor_of(request), reason=data["reason"]
            ),
        )


@admin.register(GuardianRelationship)
class GuardianRelationshipAdmin(ReadOnlyAdmin):
    list_display = ("student", "guardian", "relationship", "has_notice_rights", "is_custodial")
    list_filter = ("relationship", "has_notice_rights", "is_custodial")
    search_fields = ("student__sis_id", "student__last_name", "guardian__last_name", "guardian__email")
    list_select_related = ("student", "guardian")


class DataFieldForm(ReasonForm):
    class Meta:
        model = DataField
        fields = ("category", "field_name", "label", "description")


@admin.register(DataField)
class DataFieldAdmin(ServiceAdmin):
    list_display = ("category", "field_name", "label")
    list_filter = ("category",)
    search_fields = ("field_name", "label", "description")
    form = DataFieldForm
    actions = ("remove_from_inventory",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A field in another category is another field: removed from one, added to the other.
        return ("category", "field_name") if obj is not None else ()

    def add_through_service(self, request: HttpRequest, form: Any) -> Model:
        data = form.cleaned_data
        return inventory_field_add(
            category=data["category"],
            field_name=data["field_name"],
            label=data["label"],
            description=data.get("description", ""),
            added_by=actor_of(request),
            reason=data["reason"],
        )

    def change_through_service(
        self, request: HttpRequest, obj: Any, form: Any, changes: dict[str, Any]
    ) -> Model:
        editable = {name: changes[name] for name in ("label", "description") if name in changes}
        return inventory_field_change(
            data_field=obj, changed_by=actor_of(request), reason=form.cleaned_data["reason"], **editable
        )

    def has_remove_permission(self, request: HttpRequest) -> bool:
        return admin.ModelAdmin.has_delete_permission(self, request)

    @admin.action(description="Remove from the inventory…", permissions=["remove"])
    def remove_from_inventory(
        self, request: HttpRequest, queryset: QuerySet[DataField]
    ) -> HttpResponse | None:
        return form_action(
            self,
            request,
            queryset,
            form_class=ReasonOnlyForm,
            title="Remove from the inventory",
            done="Fields removed",
            perform=lambda data_field, data: inventory_field_remove(
                data_field=data_field, removed_by=actor_of(request), reason=data["reason"]
            ),
        )


@admin.register(RosterImport)
class RosterImportAdmin(ReadOnlyAdmin):
    """Every import, taken or refused, with its report: what the setup checklist links to."""

    list_display = (
        "started_at",
        "succeeded",
        "scheduled",
        "source",
        "guardians_new",
        "guardians_changed",
        "guardians_left",
    )
    list_filter = ("succeeded", "scheduled")
    readonly_fields = (
        "started_at",
        "finished_at",
        "source",
        "fingerprint",
        "scheduled",
        "succeeded",
        "report_lines",
        "students_new",
        "students_changed",
        "guardians_new",
        "guardians_changed",
        "guardians_left",
    )
    exclude = ("report",)

    @admin.display(description="report")
    def report_lines(self, obj: RosterImport) -> SafeString:
        return format_html("<pre>{}</pre>", "\n".join(str(line) for line in obj.report))
