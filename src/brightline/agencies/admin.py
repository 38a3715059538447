"""Agencies, their people and tokens in the admin: every write goes through agencies.services and is a
ledger entry. An agency's kind decides triage, so it is shown and never changed here; nor is the agency
a requester acts for. Verifying is an action (`agency_verify`); tokens are issued by the add form, which
shows the token once, and revoked by an action."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from brightline.admin_changes import ServiceAdmin, actor_of
from brightline.agencies.models import Agency, ApiToken, Requester, TokenScope
from brightline.agencies.services import (
    AGENCY_EDITABLE_FIELDS,
    agency_create,
    agency_update,
    agency_verify,
    api_token_issue,
    api_token_revoke,
    requester_add,
    requester_update,
)


class AgencyForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Agency
        fields = ("name", "kind", "jurisdiction", "address")


@admin.register(Agency)
class AgencyAdmin(ServiceAdmin):
    list_display = ("name", "kind", "jurisdiction", "verified")
    list_filter = ("kind", "verified")
    search_fields = ("name", "jurisdiction")
    form = AgencyForm
    actions = ("verify",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        verification = ("verified", "verified_at", "verified_by", "created_at")
        # The kind is chosen once, when the agency is added: it decides how its requests are triaged.
        return ("kind", *verification) if obj is not None else verification

    def add_through_service(self, request: HttpRequest, form: Any) -> Model:
        data = form.cleaned_data
        return agency_create(
            name=data["name"],
            kind=data["kind"],
            jurisdiction=data.get("jurisdiction", ""),
            address=data.get("address", ""),
            created_by=actor_of(request),
        )

    def change_through_service(
        self, request: HttpRequest, obj: Any, form: Any, changes: dict[str, Any]
    ) -> Model:
        editable = {name: changes[name] for name in AGENCY_EDITABLE_FIELDS if name in changes}
        return agency_update(agency=obj, updated_by=actor_of(request), **editable)

    def has_verify_permission(self, request: HttpRequest) -> bool:
        return super().has_change_permission(request)

    @admin.action(description="Verify the selected agencies", permissions=["verify"])
    def verify(self, request: HttpRequest, queryset: QuerySet[Agency]) -> None:
        agencies = [agency for agency in queryset if not agency.verified]
        for agency in agencies:
            agency_verify(agency=agency, verified_by=actor_of(request))
        self.message_user(request, f"Agencies verified: {len(agencies)}.", messages.SUCCESS)


class RequesterForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Requester
        fields = ("user", "agency", "position", "badge_or_id")


@admin.register(Requester)
class RequesterAdmin(ServiceAdmin):
    list_display = ("user", "agency", "position")
    search_fields = ("user__username", "user__last_name", "agency__name")
    raw_id_fields = ("user",)
    form = RequesterForm

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # The agency's kind decides how the person's requests are triaged: a person who moves to another
        # agency gets a new sign-in.
        return ("user", "agency") if obj is not None else ()

    def add_through_service(self, request: HttpRequest, form: Any) -> Model:
        data = form.cleaned_data
        return requester_add(
            user=data["user"],
            agency=data["agency"],
            position=data["position"],
            badge_or_id=data.get("badge_or_id", ""),
            added_by=actor_of(request),
        )

    def change_through_service(
        self, request: HttpRequest, obj: Any, form: Any, changes: dict[str, Any]
    ) -> Model:
        editable = {name: changes[name] for name in ("position", "badge_or_id") if name in changes}
        return requester_update(requester=obj, updated_by=actor_of(request), **editable)


class ApiTokenForm(forms.ModelForm):  # type: ignore[type-arg]
    scopes = forms.MultipleChoiceField(
        choices=TokenScope.choices,
        initial=[TokenScope.SUBMIT, TokenScope.READ_OWN],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ApiToken
        fields = ("agency", "name")


@admin.register(ApiToken)
class ApiTokenAdmin(ServiceAdmin):
    """Issued by the add form (the token is shown once, in the message after saving), revoked by an
    action; never changed."""

    list_display = ("agency", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("agency",)
    form = ApiTokenForm
    actions = ("revoke",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        shown = (
            "agency",
            "name",
            "prefix",
            "scopes",
            "created_at",
            "created_by",
            "last_used_at",
            "revoked_at",
        )
        return shown if obj is not None else ()

    def add_through_service(self, request: HttpRequest, form: Any) -> Model:
        data = form.cleaned_data
        token, plain = api_token_issue(
            agency=data["agency"],
            name=data["name"],
            scopes=list(data["scopes"]),
            created_by=actor_of(request),
        )
        self.message_user(
            request,
            f"The token for {token.agency} is {plain} — give it to the agency now: it is not stored and "
            "cannot be shown again.",
            messages.WARNING,
        )
        return token

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return super(ServiceAdmin, self).has_change_permission(request)

    @admin.action(description="Revoke the selected tokens", permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        live = [token for token in queryset if token.revoked_at is None]
        for token in live:
            api_token_revoke(token=token, revoked_by=actor_of(request))
        self.message_user(request, f"Tokens revoked: {len(live)}.", messages.SUCCESS)
