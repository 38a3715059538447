"""The administrator's own pages for what the setup checklist asks, so that an administrator who signs in
through the district's provider (role admin, no password, no Django admin rights) can do every item:
the groups → roles table, the roster's imports and their reports, and the ledger's witnesses.
Thin: forms in, one service each, selectors out (accounts/README.md, "The administrator's pages")."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _l

from brightline.accounts.models import STAFF_ROLES, OidcGroupRole, Role
from brightline.accounts.oidc import oidc_group_role_remove, oidc_group_role_save
from brightline.errors import ServiceError
from brightline.ui import PageRequest, add_service_errors, role_required, sentence

ADMINISTRATORS = frozenset({Role.ADMIN})
ROSTER_IMPORTS_SHOWN = 20


def _reason() -> forms.CharField:
    return forms.CharField(
        label=_l("Why (kept in the ledger with the change)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class GroupRoleForm(forms.Form):
    group = forms.CharField(
        label=_l("Group, as the provider sends it"),
        max_length=200,
        help_text=_l("The group's name or ID in the provider's groups claim."),
    )
    role = forms.ChoiceField(
        label=_l("Role its members get"),
        choices=[(role.value, role.label) for role in Role if role in STAFF_ROLES],
    )
    reason = _reason()


class RemoveForm(forms.Form):
    reason = _reason()


class WitnessForm(forms.Form):
    verifier_key = forms.CharField(
        label=_l("The witness's verifier key"),
        max_length=500,
        help_text=_l("<name>+<8 hex digits>+<base64 key>, as the witness publishes it."),
    )


@role_required(ADMINISTRATORS)
def sign_in_groups(request: PageRequest) -> HttpResponse:
    """The table of groups → roles: add a row, change one, remove one; each with a reason. A refused
    add shows its form again with the errors by their fields; a refused change or removal says why,
    naming the field, above the table."""
    form = GroupRoleForm()
    if request.method == "POST":
        action = request.POST.get("action", "add")
        target = None
        if action in {"change", "remove"}:
            target = OidcGroupRole.objects.filter(pk=request.POST.get("row") or 0).first()
            if target is None:
                messages.error(request, sentence("row: this row is no longer in the table"))
                return redirect("administration:sign_in_groups")
        bound: forms.Form = RemoveForm(request.POST) if action == "remove" else GroupRoleForm(request.POST)
        if bound.is_valid():
            data = bound.cleaned_data
            try:
                if target is not None and action == "remove":
                    oidc_group_role_remove(mapping=target, changed_by=request.user, reason=data["reason"])
                else:
                    oidc_group_role_save(
                        mapping=target,
                        group=data["group"],
                        role=data["role"],
                        changed_by=request.user,
                        reason=data["reason"],
                    )
            except ServiceError as error:
                add_service_errors(bound, error)
            else:
                messages.success(request, "Saved: members get their role from their next sign-in.")
                return redirect("administration:sign_in_groups")
        if target is None:
            form = bound  # type: ignore[assignment]
        else:
            for name, errors in bound.errors.items():
                for message in errors:
                    messages.error(request, sentence(f"{target.group}, {name}: {message}"))
    table = [
        {
            "row": row,
            "change": GroupRoleForm(
                initial={"group": row.group, "role": row.role}, auto_id=f"row{row.pk}-%s"
            ),
            "remove": RemoveForm(auto_id=f"remove{row.pk}-%s"),
        }
        for row in OidcGroupRole.objects.order_by("group")
    ]
    return render(request, "accounts/administration/sign_in_groups.html", {"table": table, "form": form})


@role_required(ADMINISTRATORS)
def roster_imports(request: PageRequest) -> HttpResponse:
    """The roster's last imports, taken or refused, with their whole reports."""
    from brightline.roster.models import RosterImport

    imports = list(RosterImport.objects.order_by("-started_at", "-pk")[:ROSTER_IMPORTS_SHOWN])
    return render(
        request,
        "accounts/administration/roster_imports.html",
        {"imports": imports, "drop_dir": settings.ROSTER_DROP_DIR},
    )


@role_required(ADMINISTRATORS)
def witnesses(request: PageRequest) -> HttpResponse:
    """The ledger's witnesses, and registering a new one by its verifier key."""
    from brightline.ledger.errors import LedgerError
    from brightline.ledger.models import Cosignature, Witness
    from brightline.ledger.notes import COSIGNATURE_V1, NoteError, parse_verifier_key
    from brightline.ledger.services import witness_register

    form = WitnessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            key = parse_verifier_key(form.cleaned_data["verifier_key"])
            if key.kind != COSIGNATURE_V1:
                raise NoteError("a witness key has type 0x04 (cosignature/v1)")
            witness_register(name=key.name, public_key=key.public_key)
        except (NoteError, LedgerError) as error:
            form.add_error("verifier_key", sentence(str(error)))
        else:
            messages.success(request, "The witness is registered: its cosignatures are now accepted.")
            return redirect("administration:witnesses")
    rows = [
        {"witness": witness, "last": Cosignature.objects.filter(witness=witness).order_by("-pk").first()}
        for witness in Witness.objects.order_by("name")
    ]
    return render(request, "accounts/administration/witnesses.html", {"rows": rows, "form": form})
