"""The Django admin writes only through services.

Every model admin of Bright Line is one of two kinds:

- `ReadOnlyAdmin`: the admin shows the rows; the SIS import, the services and the ledger change them.
- `ServiceAdmin`: adding and changing call a named service, which appends its ledger entry in the same
  transaction; the form asks why (`reason`), deleting is refused, and the fields a service does not
  take are read-only. A service's refusal rolls the whole save back.

Actions that need a few words from the administrator (a reason, a username) render `form_action`'s page
and call their service for each selected row. `operations/tests/test_admin_side_doors.py` checks that
every registered model admin is one of these kinds, so a new admin cannot open a side door unnoticed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse

from brightline.errors import NotAllowed, ServiceError
from brightline.ledger.services import ledger_append

REASON_HELP = "Why this change is made. It is kept in the ledger with the change."


def reason_field(**kwargs: Any) -> forms.CharField:
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text=REASON_HELP,
        **kwargs,
    )


class ReasonForm(forms.ModelForm):  # type: ignore[type-arg]
    """A model form that asks why; `reason` goes to the service, never to the model."""

    reason = reason_field()


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Shown, never written: the rows change through their services or the SIS import."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def actor_of(request: HttpRequest) -> Any:
    """The signed-in administrator (the admin site lets no one else in)."""
    return request.user


def changes_of(form: forms.ModelForm) -> dict[str, Any]:  # type: ignore[type-arg]
    """The fields the administrator changed, with their new values; `reason` is not a field."""
    return {name: form.cleaned_data[name] for name in form.changed_data if name != "reason"}


class ServiceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Adds and changes through named services; never deletes.

    Subclasses implement `add_through_service` and/or `change_through_service` and return the row the
    service saved; a subclass that implements neither only shows. `has_add_permission` and
    `has_change_permission` follow which of them are implemented."""

    form: type[forms.ModelForm] = ReasonForm  # type: ignore[type-arg]

    def add_through_service(self, request: HttpRequest, form: Any) -> Model:
        raise PermissionDenied("rows of this kind are not added in the admin")

    def change_through_service(
        self, request: HttpRequest, obj: Any, form: Any, changes: dict[str, Any]
    ) -> Model:
        raise PermissionDenied("rows of this kind are not changed in the admin")

    def _implements(self, name: str) -> bool:
        return getattr(type(self), name) is not getattr(ServiceAdmin, name)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._implements("add_through_service") and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._implements("change_through_service") and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            saved = self.change_through_service(request, obj, form, changes_of(form))
        else:
            saved = self.add_through_service(request, form)
        # The admin goes on with `obj` (its message, its history, the redirect): make it the saved row.
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Nothing is saved beside the service: many-to-many fields are the service's to set, and
        inlines of a service admin are read-only."""

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        raise PermissionDenied("nothing is deleted in the admin")

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        raise PermissionDenied("nothing is deleted in the admin")

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except NotAllowed as error:
            raise PermissionDenied(error.message) from None
        except ServiceError as error:
            # The admin's transaction has rolled back: nothing of the change was kept.
            self.message_user(request, f"Nothing was saved: {error.message}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def form_action(
    modeladmin: admin.ModelAdmin,  # type: ignore[type-arg]
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    form_class: type[forms.Form],
    title: str,
    perform: Callable[[Any, dict[str, Any]], object],
    done: str,
    one_only: bool = False,
) -> HttpResponse | None:
    """An admin action that asks for a form first (a reason, a username), then calls `perform(row,
    cleaned_data)` — a service — for each selected row. A row the service refuses is named in a message
    and left as it was; the others are done."""
    rows = list(queryset)
    if one_only and len(rows) != 1:
        modeladmin.message_user(request, "Select exactly one row for this action.", messages.WARNING)
        return None
    form = form_class(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        succeeded = 0
        for row in rows:
            try:
                perform(row, form.cleaned_data)
            except NotAllowed as error:
                raise PermissionDenied(error.message) from None
            except ServiceError as error:
                modeladmin.message_user(
                    request, f"{row}: nothing was changed: {error.message}", messages.ERROR
                )
            else:
                succeeded += 1
        if succeeded:
            modeladmin.message_user(request, f"{done}: {succeeded}.", messages.SUCCESS)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "rows": rows,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
    }
    return TemplateResponse(request, "admin/brightline/form_action.html", context)


@transaction.atomic
def admin_change_record(
    *,
    event_type: str,
    instance: Model,
    fields: Sequence[str],
    values: dict[str, Any],
    changed_by: Any,
    reason: str,
    subject: dict[str, int | str] | None = None,
) -> None:
    """One ledger entry for a change made in the admin to a model whose service keeps no ledger of its
    own: the model, its primary key, the changed field names and their values (internal ids and
    codes only, never personal data), who made it and why. The actor's name is copied so the entry
    survives the deletion of the account."""
    pk = instance.pk
    ledger_append(
        event_type=event_type,
        subject=subject or {instance._meta.model_name or "object": pk},
        record={
            "model": instance._meta.label_lower,
            "object": pk,
            "fields": sorted(fields),
            "values": values,
            "changed_by": changed_by.pk,
            "changed_by_name": changed_by.get_username(),
            "reason": reason,
        },
    )
