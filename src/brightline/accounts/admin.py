"""People and groups in the admin: every write goes through accounts.services and is a ledger entry with
its reason. A role, sign-in (is_active), admin rights (is_staff, is_superuser), groups and permissions
change through `account_access_change` (`account.role_changed`); names, username, email, position and
language through `account_profile_update` (`account.updated`); a new account through `account_create`
(`account.created`). The admin neither sets passwords nor deletes people: a person sets their own
password by the reset email, and an account that must stop is made inactive."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

from brightline.accounts.models import OidcGroupRole, OidcIdentity, User
from brightline.accounts.oidc import oidc_group_role_remove, oidc_group_role_save
from brightline.accounts.services import (
    ACCESS_FIELDS,
    PROFILE_FIELDS,
    account_access_change,
    account_create,
    account_group_save,
    account_profile_update,
)
from brightline.admin_changes import (
    ReadOnlyAdmin,
    ReasonForm,
    ServiceAdmin,
    actor_of,
    form_action,
    reason_field,
)


class AccountChangeForm(UserChangeForm):  # type: ignore[type-arg]
    reason = reason_field()

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class AccountCreationForm(ReasonForm):
    class Meta:
        model = User
        fields = ("username", "email", "first_name", "last_name", "role", "position", "preferred_language")


@admin.register(User)
class BrightLineUserAdmin(ServiceAdmin, UserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    form = AccountChangeForm
    add_form = AccountCreationForm
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username",)}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("District role", {"fields": ("role", "position", "preferred_language")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
        ("Why", {"fields": ("reason",)}),
    )
    add_fieldsets = (
        (
            None,
            {
                "fields": (
                    "username",
                    "email",
                    "first_name",
                    "last_name",
                    "role",
                    "position",
                    "preferred_language",
                ),
                "description": "The account gets a password no one is told: the person sets their own "
                'with "Forgot your password?" at this email address.',
            },
        ),
        ("Why", {"fields": ("reason",)}),
    )

    def add_through_service(self, request: HttpRequest, form: Any) -> Model:
        data = form.cleaned_data
        return account_create(
            username=data["username"],
            role=data["role"],
            email=data.get("email", ""),
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            position=data.get("position", ""),
            preferred_language=data.get("preferred_language") or "en",
            created_by=actor_of(request),
            reason=data["reason"],
        )

    def change_through_service(
        self, request: HttpRequest, obj: Any, form: Any, changes: dict[str, Any]
    ) -> Model:
        actor, reason = actor_of(request), form.cleaned_data["reason"]
        access = {name: value for name, value in changes.items() if name in ACCESS_FIELDS}
        profile = {name: value for name, value in changes.items() if name in PROFILE_FIELDS}
        user = User.objects.get(pk=obj.pk)
        if access:
            user = account_access_change(user=user, changed_by=actor, reason=reason, **access)
        if profile:
            user = account_profile_update(user=user, updated_by=actor, reason=reason, **profile)
        return user

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        # Setting someone's password would let an administrator sign in as them, unseen.
        raise PermissionDenied("people set their own password, with the reset email")


class GroupForm(ReasonForm):
    class Meta:
        model = Group
        fields = ("name", "permissions")


admin.site.unregister(Group)


@admin.register(Group)
class BrightLineGroupAdmin(ServiceAdmin, GroupAdmin):
    form = GroupForm

    def add_through_service(self, request: HttpRequest, form: Any) -> Model:
        data = form.cleaned_data
        return account_group_save(
            group=None,
            name=data["name"],
            permissions=data["permissions"],
            changed_by=actor_of(request),
            reason=data["reason"],
        )

    def change_through_service(
        self, request: HttpRequest, obj: Any, form: Any, changes: dict[str, Any]
    ) -> Model:
        data = form.cleaned_data
        return account_group_save(
            group=Group.objects.get(pk=obj.pk),
            name=data["name"],
            permissions=data["permissions"],
            changed_by=actor_of(request),
            reason=data["reason"],
        )


# --- Sign-in through the district's provider: which groups give which roles ----------------------------


class ReasonOnlyForm(forms.Form):
    reason = reason_field()


class GroupRoleForm(ReasonForm):
    class Meta:
        model = OidcGroupRole
        fields = ("group", "role")


@admin.register(OidcGroupRole)
class OidcGroupRoleAdmin(ServiceAdmin):
    """The table of groups → roles: each add, change and removal through `oidc_group_role_save` /
    `oidc_group_role_remove`, an `account.sso_group_role_changed` entry with its reason."""

    form = GroupRoleForm
    list_display = ("group", "role", "updated_at")
    actions = ("remove_rows",)

    def add_through_service(self, request: HttpRequest, form: Any) -> Model:
        data = form.cleaned_data
        return oidc_group_role_save(
            mapping=None,
            group=data["group"],
            role=data["role"],
            changed_by=actor_of(request),
            reason=data["reason"],
        )

    def change_through_service(
        self, request: HttpRequest, obj: Any, form: Any, changes: dict[str, Any]
    ) -> Model:
        data = form.cleaned_data
        return oidc_group_role_save(
            mapping=OidcGroupRole.objects.get(pk=obj.pk),
            group=data["group"],
            role=data["role"],
            changed_by=actor_of(request),
            reason=data["reason"],
        )

    @admin.action(description="Remove: the group gives no role from the next sign-in…")
    def remove_rows(self, request: HttpRequest, queryset: QuerySet[OidcGroupRole]) -> HttpResponse | None:
        return form_action(
            self,
            request,
            queryset,
            form_class=ReasonOnlyForm,
            title="Remove these groups from the table",
            done="Rows removed",
            perform=lambda row, data: oidc_group_role_remove(
                mapping=row, changed_by=actor_of(request), reason=data["reason"]
            ),
        )


@admin.register(OidcIdentity)
class OidcIdentityAdmin(ReadOnlyAdmin):
    list_display = ("user", "issuer", "subject", "last_sign_in_at", "stopped_by_groups")
